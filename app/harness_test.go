package app_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/state"
)

// harness drives an App through ABCI calls the way CometBFT does, on a real
// pebble state in a temp dir.
type harness struct {
	t      testing.TB
	dir    string
	db     *state.DB
	app    *app.App
	c      *fixture.Consortium
	height int64
	now    time.Time
}

// genesisTime is recent so that CheckTx (which judges certificate validity by
// the local clock) accepts the fixture certificates.
var genesisTime = time.Now().UTC().Truncate(time.Hour).Add(-24 * time.Hour)

func consortium(t testing.TB) *fixture.Consortium {
	t.Helper()
	c, err := fixture.New("otc-test", genesisTime, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newHarness(t testing.TB, c *fixture.Consortium) *harness {
	t.Helper()
	h := &harness{t: t, dir: filepath.Join(t.TempDir(), "app"), c: c, now: genesisTime}
	h.open()
	t.Cleanup(h.close)
	if _, err := h.app.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1, AppStateBytes: c.AppState(),
	}); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) open() {
	db, err := state.Open(h.dir, state.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db})
	if err != nil {
		h.t.Fatal(err)
	}
	h.db, h.app = db, a
	h.height, _ = db.LastCommitted()
}

func (h *harness) close() {
	if h.db != nil {
		h.app.Close()
		h.db.Close()
		h.db = nil
	}
}

// block finalizes and commits a block of txs, one second after the last.
func (h *harness) block(txs ...[]byte) []*abci.ExecTxResult {
	h.t.Helper()
	res, _ := h.finalize(txs...)
	h.commit()
	return res
}

func (h *harness) finalize(txs ...[]byte) ([]*abci.ExecTxResult, []byte) {
	h.t.Helper()
	h.now = h.now.Add(time.Second)
	res, err := h.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: h.height + 1, Time: h.now, Txs: txs})
	if err != nil {
		h.t.Fatal(err)
	}
	return res.TxResults, res.AppHash
}

func (h *harness) commit() {
	h.t.Helper()
	if _, err := h.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		h.t.Fatal(err)
	}
	h.height++
}

func (h *harness) check(tx []byte) *abci.ResponseCheckTx {
	h.t.Helper()
	r, err := h.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func (h *harness) appHash() []byte {
	_, hash := h.db.LastCommitted()
	return hash
}

// expiry returns a valid expiry height for the next block.
func (h *harness) expiry() int64 { return h.height + 50 }
