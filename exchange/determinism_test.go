package exchange_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/internal/fixture"
)

// TestDeterminism runs every scenario, then replays the exact blocks on a
// second node's app, restarting it (close and reopen pebble) every few
// blocks. Every block must give the same app hash: the module depends only
// on state, the block's time and the transactions.
func TestDeterminism(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txt")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			c := newConsortium(t)
			a := newChainOf(t, c)
			runScenarioOn(t, f, a, false)
			if len(a.blocks) < 5 {
				t.Fatalf("only %d blocks", len(a.blocks))
			}
			replay(t, c, a.blocks)
		})
	}
}

func replay(t *testing.T, c *fixture.Consortium, blocks []recBlock) {
	dir := filepath.Join(t.TempDir(), "replica")
	db, a := openApp(t, dir)
	defer func() { a.Close(); db.Close() }()
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1, AppStateBytes: c.AppState()}); err != nil {
		t.Fatal(err)
	}
	for i, b := range blocks {
		res, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: int64(i + 1), Time: b.time, Txs: b.txs})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.AppHash, b.appHash) {
			t.Fatalf("block %d: app hash %x, the first run had %x", i+1, res.AppHash, b.appHash)
		}
		if _, err := a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
		if i%5 == 2 { // restart the node
			a.Close()
			db.Close()
			db, a = openApp(t, dir)
			info, err := a.Info(context.Background(), &abci.RequestInfo{})
			if err != nil || info.LastBlockHeight != int64(i+1) || !bytes.Equal(info.LastBlockAppHash, b.appHash) {
				t.Fatalf("after restart at %d: info %+v, %v; want app hash %x", i+1, info, err, b.appHash)
			}
		}
	}
}
