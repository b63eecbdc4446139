package gov_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/internal/scenario"
	"github.com/otcchain/otcchain/state"
)

// TestDeterminism runs every scenario, then replays the exact blocks
// (transactions, times and CometBFT's misbehaviour reports) on a second
// app, restarting it every few blocks: every block must give the same app
// hash and the same validator updates.
func TestDeterminism(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txt")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			h := newChain(t)
			scenario.Run(t, f, newRunner(h).run, false, false)
			if len(h.blocks) < 3 {
				t.Fatalf("only %d blocks", len(h.blocks))
			}
			dir := filepath.Join(t.TempDir(), "replica")
			open := func() (*state.DB, *app.App) {
				db, err := state.Open(dir, state.Options{})
				if err != nil {
					t.Fatal(err)
				}
				a, err := app.New(app.Config{DB: db})
				if err != nil {
					t.Fatal(err)
				}
				return db, a
			}
			db, a := open()
			defer func() { a.Close(); db.Close() }()
			if _, err := a.InitChain(context.Background(), h.genesis); err != nil {
				t.Fatal(err)
			}
			for i, b := range h.blocks {
				res, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: int64(i + 1), Time: b.time, Txs: b.txs, Misbehavior: b.misb})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(res.AppHash, b.appHash) {
					t.Fatalf("block %d: app hash %x, the first run had %x", i+1, res.AppHash, b.appHash)
				}
				if _, err := a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
					t.Fatal(err)
				}
				if i%5 == 2 {
					a.Close()
					db.Close()
					db, a = open()
					info, err := a.Info(context.Background(), &abci.RequestInfo{})
					if err != nil || info.LastBlockHeight != int64(i+1) || !bytes.Equal(info.LastBlockAppHash, b.appHash) {
						t.Fatalf("after restart at %d: %+v %v", i+1, info, err)
					}
				}
			}
		})
	}
}
