package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cometbft/cometbft/mempool"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/proof/prover"
	"github.com/otcchain/otcchain/tx"
)

// txPollInterval is how often a waiting request also asks the app's tx
// index, in case the block feed missed the block.
const txPollInterval = time.Second

func (s *Server) handleBroadcast(w http.ResponseWriter, r *http.Request) error {
	var req client.BroadcastRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	switch {
	case len(req.Tx) == 0:
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "field \"tx\" (base64 tx bytes) is required")
	case len(req.Tx) > tx.MaxTxBytes:
		return errorf(http.StatusRequestEntityTooLarge, client.CodeTxTooLarge, "tx of %d bytes exceeds the %d byte limit", len(req.Tx), tx.MaxTxBytes)
	case req.TimeoutMS < 0:
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "timeout_ms must not be negative")
	}
	wait := s.cfg.TxWait
	if req.TimeoutMS > 0 {
		wait = min(time.Duration(req.TimeoutMS)*time.Millisecond, s.cfg.MaxTxWait)
	}
	// The body is read: a long wait must not run into the server's read
	// deadline, which would cancel the request.
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})

	sum := sha256.Sum256(req.Tx)
	hash := hex.EncodeToString(sum[:])
	ctx, cancel := s.requestContext(r)
	defer cancel()

	// A resubmission of a committed tx gets the committed result.
	if res, ok, err := s.committedResult(ctx, sum[:]); err != nil {
		return err
	} else if ok {
		writeJSON(w, http.StatusOK, res)
		return nil
	}

	var wt *waiter
	if req.Wait {
		s.feed.ensure(s.ctx)
		wt = s.feed.register(hash)
		defer s.feed.unregister(wt)
	}
	log := ""
	res, err := s.cfg.RPC.BroadcastTxSync(ctx, req.Tx)
	switch {
	case err != nil && isTxInCache(err):
		// An earlier submission of the same bytes is pending (or this node
		// saw the tx recently): treat it as accepted and wait for it.
		log = "tx already in the node's cache: an earlier submission is pending"
	case err != nil && isMempoolFull(err):
		w.Header().Set("Retry-After", "1")
		return errorf(http.StatusServiceUnavailable, client.CodeMempoolFull, "the node's mempool is full: retry later (%v)", err)
	case err != nil && isTxTooLarge(err):
		return errorf(http.StatusRequestEntityTooLarge, client.CodeTxTooLarge, "%v", err)
	case err != nil:
		return nodeUnavailable("broadcast", err)
	case res.Code != 0:
		if cr, ok, _ := s.committedResult(ctx, sum[:]); ok {
			writeJSON(w, http.StatusOK, cr) // committed meanwhile: the refusal is the dedupe
			return nil
		}
		s.auditRejectedTx(r, req.Tx, hash, res.Codespace, res.Code, res.Log)
		return &apiError{status: http.StatusUnprocessableEntity, body: client.Error{
			Code: client.CodeTxRejected, Codespace: res.Codespace, ABCICode: res.Code, Message: res.Log,
		}}
	default:
		log = res.Log
	}
	if !req.Wait {
		writeJSON(w, http.StatusAccepted, &client.TxResult{Hash: hash, Result: client.Result{Log: log}})
		return nil
	}

	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	poll := time.NewTicker(txPollInterval)
	defer poll.Stop()
	for {
		select {
		case res := <-wt.ch:
			s.awaitReadable(ctx, sum[:])
			writeJSON(w, http.StatusOK, res)
			return nil
		case <-poll.C:
			if res, ok, err := s.committedResult(ctx, sum[:]); err != nil {
				return err
			} else if ok {
				writeJSON(w, http.StatusOK, res)
				return nil
			}
		case <-deadline.C:
			if res, ok, err := s.committedResult(ctx, sum[:]); err == nil && ok {
				writeJSON(w, http.StatusOK, res)
				return nil
			}
			return errorf(http.StatusGatewayTimeout, client.CodeTxNotCommitted,
				"tx %s passed CheckTx but was not committed within %s; the node may have dropped it: submit the same bytes again (the app refuses duplicates)", hash, wait)
		case <-ctx.Done():
			if s.ctx.Err() != nil {
				return errorf(http.StatusServiceUnavailable, client.CodeNodeUnavailable, "the server is shutting down; tx %s is not known to be committed", hash)
			}
			return ctx.Err() // the client went away: nothing is written
		}
	}
}

// awaitReadable waits, briefly, until the app has committed the state of
// the block holding tx hash: the engine reports a block's results a moment
// before the app's Commit makes its state readable, and a client that reads
// right after a waited submission must see what its tx did. The app indexes
// every tx in the block's own batch, so TxLocation answers once that batch
// is committed. It gives up after readableWait (the answer then still says
// committed; the state follows a moment later).
func (s *Server) awaitReadable(ctx context.Context, hash []byte) {
	stop := time.Now().Add(readableWait)
	for {
		if _, _, ok, err := s.cfg.App.TxLocation(hash); ok || err != nil || time.Now().After(stop) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// readableWait bounds awaitReadable.
const readableWait = 2 * time.Second

func isTxInCache(err error) bool {
	return errors.Is(err, mempool.ErrTxInCache) || strings.Contains(err.Error(), mempool.ErrTxInCache.Error())
}

func isMempoolFull(err error) bool {
	var full mempool.ErrMempoolIsFull
	return errors.As(err, &full) || errors.Is(err, mempool.ErrRecheckFull) ||
		strings.Contains(err.Error(), "mempool is full") || strings.Contains(err.Error(), "considered as full")
}

func isTxTooLarge(err error) bool {
	var big mempool.ErrTxTooLarge
	return errors.As(err, &big) || strings.Contains(strings.ToLower(err.Error()), "tx too large")
}

// locate finds a committed tx: the app's index first, then the node's tx
// indexer (which may be disabled or lag behind).
func (s *Server) locate(ctx context.Context, hash []byte) (int64, uint32, bool, error) {
	h, i, ok, err := s.cfg.App.TxLocation(hash)
	if err != nil {
		return 0, 0, false, err
	}
	if ok {
		return h, i, true, nil
	}
	res, err := s.cfg.RPC.Tx(ctx, hash, false)
	if err != nil || res == nil {
		return 0, 0, false, nil // not indexed, or indexing is off
	}
	return res.Height, res.Index, true, nil
}

// committedResult returns the result of a tx the app has committed.
func (s *Server) committedResult(ctx context.Context, hash []byte) (*client.TxResult, bool, error) {
	h, i, ok, err := s.cfg.App.TxLocation(hash)
	if err != nil || !ok {
		return nil, false, err
	}
	e, err := s.entryFor(ctx, h, i, hash)
	if err != nil {
		return nil, false, err
	}
	return e.txResult(int(i)), true, nil
}

// entryFor fetches the block of a located tx and checks that the tx is
// there.
func (s *Server) entryFor(ctx context.Context, h int64, i uint32, hash []byte) (*blockEntry, error) {
	e, err := s.cache.get(ctx, h)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, nodeUnavailable("read block", err)
	}
	if int(i) >= len(e.txs) || e.hash(int(i)) != hex.EncodeToString(hash) {
		return nil, errors.New("api: the tx index points at another tx")
	}
	return e, nil
}

func parseHash(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != sha256.Size {
		return nil, errorf(http.StatusBadRequest, client.CodeInvalidHash, "tx hash must be 64 hex digits")
	}
	return b, nil
}

// locatePath finds the committed tx named by the request's {hash}: a
// malformed hash is 400, an unknown one 404 tx_not_found.
func (s *Server) locatePath(r *http.Request) (hash []byte, height int64, index uint32, err error) {
	hash, err = parseHash(r.PathValue("hash"))
	if err != nil {
		return nil, 0, 0, err
	}
	h, i, ok, err := s.locate(r.Context(), hash)
	if err != nil {
		return nil, 0, 0, err
	}
	if !ok {
		return nil, 0, 0, errorf(http.StatusNotFound, client.CodeTxNotFound, "no committed tx %x", hash)
	}
	return hash, h, i, nil
}

func (s *Server) handleTx(w http.ResponseWriter, r *http.Request) error {
	hash, h, i, err := s.locatePath(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	e, err := s.entryFor(ctx, h, i, hash)
	if err != nil {
		return err
	}
	raw := e.txs[i]
	out := client.Tx{
		Hash: e.hash(int(i)), Height: h, Index: i, Time: e.time, Tx: raw,
		Result: convertResult(e.results[i]),
	}
	if env, err := tx.Decode(raw); err == nil {
		out.Signer = env.SignerID()
		out.Algorithm = tx.AlgName(env.Alg)
		if json.Valid(env.Body) {
			out.Body = json.RawMessage(env.Body)
		}
	}
	writeJSON(w, http.StatusOK, &out)
	return nil
}

func (s *Server) handleReceipt(w http.ResponseWriter, r *http.Request) error {
	b, _, err := s.txReceipt(w, r)
	if err != nil {
		return err
	}
	writeRawJSON(w, http.StatusOK, b)
	return nil
}

// txReceipt builds the receipt of the tx of the request's {hash}: its JSON
// and the tx hash. Not yet provable: 503 with Retry-After.
func (s *Server) txReceipt(w http.ResponseWriter, r *http.Request) ([]byte, []byte, error) {
	hash, h, i, err := s.locatePath(r)
	if err != nil {
		return nil, nil, err
	}
	ctx := r.Context()
	rc, err := prover.Build(ctx, s.cfg.RPC, h, i, s.cfg.App.ValidatorChangeHeights())
	if errors.Is(err, prover.ErrNotYetProvable) {
		w.Header().Set("Retry-After", "1")
		return nil, nil, errorf(http.StatusServiceUnavailable, client.CodeReceiptNotReady, "%v", err)
	}
	if err != nil {
		return nil, nil, nodeUnavailable("build receipt", err)
	}
	if !strings.EqualFold(hex.EncodeToString(rc.Tx.Hash()), hex.EncodeToString(hash)) {
		return nil, nil, errors.New("api: receipt is for another tx than the index says")
	}
	rc.Clock = s.receiptClock(hash, h)
	b, err := rc.MarshalJSON()
	if err != nil {
		return nil, nil, err
	}
	return b, hash, nil
}
