package main

import (
	"context"
	"fmt"
	"time"

	"github.com/otcchain/otcchain/client"
)

// DefaultReceiptWait bounds how long otc receipt waits for the node it asks
// to index a tx it does not know yet (one committed through another node
// shows up on this one a block or so later).
const DefaultReceiptWait = 5 * time.Second

// errNotIndexed says that the node asked has not indexed a tx (yet): it is
// catching up, or the tx was committed elsewhere and has not reached it.
type errNotIndexed struct {
	hash, api string
	height    int64
	waited    time.Duration
	catchup   bool
	cause     error
}

func (e *errNotIndexed) Error() string {
	if e.catchup {
		return fmt.Sprintf("tx %s is not indexed yet on %s: the node is catching up (at height %d; waited %s): retry once it has caught up, or ask the node that committed it (--api)",
			e.hash, e.api, e.height, e.waited)
	}
	return fmt.Sprintf("no committed tx %s on %s (at height %d, in sync; waited %s for it to be indexed): it was not committed, or not on this chain (%v)",
		e.hash, e.api, e.height, e.waited, e.cause)
}

func (e *errNotIndexed) Unwrap() error { return e.cause }

// waitReceipt fetches the receipt of tx hash from cl. It waits while the
// receipt is not provable yet (the next block is not committed: bounded by
// ctx) and, up to wait, while the node does not know the tx; then it says
// whether the node is still catching up (not indexed yet) or in sync (no
// such tx).
func waitReceipt(ctx context.Context, cl *client.Client, hash string, wait time.Duration) ([]byte, error) {
	start := time.Now()
	deadline := start.Add(wait)
	for {
		b, err := cl.ReceiptJSON(ctx, hash)
		switch {
		case err == nil:
			return b, nil
		case client.IsCode(err, client.CodeReceiptNotReady):
		case client.IsCode(err, client.CodeTxNotFound) && time.Now().Before(deadline):
		case client.IsCode(err, client.CodeTxNotFound):
			e := &errNotIndexed{hash: hash, api: cl.BaseURL(), waited: time.Since(start).Round(100 * time.Millisecond), cause: err}
			if st, serr := cl.Status(ctx); serr == nil {
				e.height, e.catchup = st.LatestHeight, st.CatchingUp
			}
			return nil, e
		default:
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("receipt not ready: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
