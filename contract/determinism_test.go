package contract_test

import (
	"path/filepath"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/internal/chaintest"
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
			c.Sections = genesisSections()
			chaintest.Replay(t, &abci.RequestInitChain{ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1, AppStateBytes: c.AppState()},
				replayed(a.blocks), 7)
		})
	}
}

// replayed converts the recorded blocks for chaintest.Replay.
func replayed(bs []recBlock) []chaintest.Block {
	out := make([]chaintest.Block, len(bs))
	for i, b := range bs {
		out[i] = chaintest.Block{Time: b.time, Txs: b.txs, AppHash: b.appHash}
	}
	return out
}
