package fund_test

import (
	"path/filepath"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/chaintest"
	"github.com/otcchain/otcchain/internal/fixture"
)

// TestDeterminism runs every scenario with a chunk size of 1 (so each
// confirmation and dividend job spans many blocks), then replays the exact
// blocks on a second node's app, restarting it (close and reopen pebble)
// every few blocks, including in the middle of jobs. Every block must give
// the same app hash: the module depends only on state, the block's time and
// the transactions.
func TestDeterminism(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txt")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := fixture.New("fund-test", genesisTime, fixture.DefaultOrgs())
			if err != nil {
				t.Fatal(err)
			}
			cal := scenarioCalendar()
			g := &fund.Genesis{Calendar: &cal, Params: &fund.Params{ChunkSize: 1}}
			c.Sections = map[string]any{}
			if sup := supervisionGenesis(t, f); sup != nil {
				c.Sections["supervision"] = sup
			}
			if ck := clockGenesis(t, f); ck != nil {
				c.Sections["clock"] = ck
			}
			a := newChainOf(t, c, g)
			runScenarioOn(t, f, a, false)
			if len(a.blocks) < 10 {
				t.Fatalf("only %d blocks", len(a.blocks))
			}
			c.Sections["fund"] = g // beside the scenario's supervision and clock genesis
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
