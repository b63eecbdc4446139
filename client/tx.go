package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/otcchain/otcchain/proof"
)

// Broadcast submits a tx with full control of the request. See BroadcastTx.
func (c *Client) Broadcast(ctx context.Context, req BroadcastRequest) (*TxResult, error) {
	var res TxResult
	if err := c.do(ctx, http.MethodPost, "/v1/txs", nil, &req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// BroadcastTx submits signed tx bytes. Without wait it returns once CheckTx
// accepted the tx (Committed false). With wait it returns the committed
// result; the server waits up to its default timeout, or less when ctx has
// an earlier deadline. A committed tx may have failed: check res.Code.
//
// Errors: CodeTxRejected (CheckTx refused; Codespace/ABCICode/Message say
// why), CodeTxNotCommitted (accepted but not committed in time: the node may
// have dropped it; SubmitAndConfirm resubmits), CodeMempoolFull,
// CodeTxTooLarge, CodeNodeUnavailable.
func (c *Client) BroadcastTx(ctx context.Context, tx []byte, wait bool) (*TxResult, error) {
	req := BroadcastRequest{Tx: tx, Wait: wait}
	if wait {
		if dl, ok := ctx.Deadline(); ok {
			req.TimeoutMS = serverTimeout(time.Until(dl))
		}
	}
	return c.Broadcast(ctx, req)
}

// serverTimeout leaves the server a little less than the client's own
// remaining time, so that the server's clear "tx_not_committed" answer
// arrives before the client gives up.
func serverTimeout(remaining time.Duration) int64 {
	ms := (remaining - remaining/10 - 50*time.Millisecond).Milliseconds()
	if ms < 1 {
		ms = 1
	}
	return ms
}

// SubmitAndConfirm submits tx and waits until it is committed, submitting
// the same bytes again whenever a submission is not committed within the
// resubmit interval (WithResubmitInterval), until timeout. Resubmission is
// safe: the node's cache and the app's nonce check refuse duplicates, and
// the server answers a resubmitted, already committed tx with its committed
// result.
//
// It returns the committed result (which may carry a failure code), or the
// last error: CodeTxRejected when CheckTx refuses the tx, CodeTxNotCommitted
// when the deadline passed.
func (c *Client) SubmitAndConfirm(ctx context.Context, tx []byte, timeout time.Duration) (*TxResult, error) {
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	hash := TxHash(tx)
	var last error
	backoff := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		remaining := time.Until(deadline)
		if remaining < minAttempt || ctx.Err() != nil {
			return nil, notConfirmed(hash, timeout, last, ctx.Err())
		}
		wait := min(c.attempt, remaining)
		// The request may take the server's wait plus a margin; the server
		// answers tx_not_committed before that.
		actx, cancel := context.WithTimeout(ctx, wait+2*time.Second)
		res, err := c.Broadcast(actx, BroadcastRequest{Tx: tx, Wait: true, TimeoutMS: serverTimeout(wait)})
		cancel()
		if err == nil {
			return res, nil
		}
		last = err
		var ae *Error
		switch {
		case errors.As(err, &ae) && ae.Code == CodeTxNotCommitted:
			continue // submit again now
		case errors.As(err, &ae) && ae.Code == CodeTxRejected && attempt > 0:
			// A resubmission can race the commit of an earlier one; the
			// earlier one may be committed by now.
			if t, terr := c.Tx(ctx, hash); terr == nil {
				tm := t.Time
				return &TxResult{Hash: t.Hash, Committed: true, Height: t.Height, Index: t.Index, Time: &tm, Result: t.Result}, nil
			}
			return nil, err
		case errors.As(err, &ae) && (ae.HTTPStatus == http.StatusServiceUnavailable || ae.HTTPStatus == http.StatusTooManyRequests):
			// mempool full, node unavailable, over capacity: back off
		case errors.As(err, &ae):
			return nil, err
		default:
			// transport error: retry unless our context ended
		}
		t := time.NewTimer(min(backoff, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		backoff = min(backoff*2, time.Second)
	}
}

// minAttempt is the shortest wait worth a submission.
const minAttempt = 100 * time.Millisecond

// notConfirmed is SubmitAndConfirm's final error: the server's own
// tx_not_committed when that was the last answer, else one made here with
// the last error in its message.
func notConfirmed(hash string, timeout time.Duration, last, ctxErr error) error {
	if IsCode(last, CodeTxNotCommitted) {
		return last
	}
	msg := fmt.Sprintf("tx %s not confirmed within %s", hash, timeout)
	if last != nil {
		msg += "; last error: " + last.Error()
	} else if ctxErr != nil {
		msg += ": " + ctxErr.Error()
	}
	return &Error{Code: CodeTxNotCommitted, Message: msg}
}

// Tx returns a committed tx by its hash (hex, either case).
// Errors: CodeTxNotFound, CodeInvalidHash.
func (c *Client) Tx(ctx context.Context, hash string) (*Tx, error) {
	var t Tx
	if err := c.do(ctx, http.MethodGet, "/v1/txs/"+url.PathEscape(strings.ToLower(hash)), nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// ReceiptJSON returns the evidence receipt of a committed tx as the server
// serialised it (package proof's JSON), ready to be stored or verified
// offline. Errors: CodeTxNotFound, CodeReceiptNotReady (the next block, whose
// header commits to the tx result, is not committed yet: retry).
func (c *Client) ReceiptJSON(ctx context.Context, hash string) ([]byte, error) {
	return c.raw(ctx, http.MethodGet, "/v1/receipts/"+url.PathEscape(strings.ToLower(hash)), nil, nil)
}

// Receipt returns the evidence receipt of a committed tx, decoded, together
// with the exact JSON the server sent (store that; verify with proof.Verify
// against the genesis file). Errors as ReceiptJSON.
func (c *Client) Receipt(ctx context.Context, hash string) (*proof.Receipt, []byte, error) {
	b, err := c.ReceiptJSON(ctx, hash)
	if err != nil {
		return nil, nil, err
	}
	r, err := proof.Unmarshal(b)
	if err != nil {
		return nil, nil, fmt.Errorf("client: receipt %s: %w", hash, err)
	}
	return r, b, nil
}

// OutcomeReceiptJSON returns the receipt of an end-block outcome, e.g.
// "fund/confirmation/rs-bank:P1" (a fund confirmation: no tx carries it).
// It needs a token (Login) of an identity allowed to read what the outcome
// is about. Errors: unknown_outcome (404), not_permitted (403),
// CodeReceiptNotReady (retry after the next block).
func (c *Client) OutcomeReceiptJSON(ctx context.Context, key string) ([]byte, error) {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return c.raw(ctx, http.MethodGet, "/v1/outcomes/"+strings.Join(parts, "/"), nil, nil)
}
