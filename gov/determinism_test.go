package gov_test

import (
	"path/filepath"
	"testing"

	"github.com/otcchain/otcchain/internal/chaintest"
	"github.com/otcchain/otcchain/internal/scenario"
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
			chaintest.Replay(t, h.genesis, replayed(h.blocks), 5)
		})
	}
}

// replayed converts the recorded blocks for chaintest.Replay.
func replayed(bs []recBlock) []chaintest.Block {
	out := make([]chaintest.Block, len(bs))
	for i, b := range bs {
		out[i] = chaintest.Block{Time: b.time, Txs: b.txs, AppHash: b.appHash, Misbehavior: b.misb, ValidatorUpdates: b.updates, CheckUpdates: true}
	}
	return out
}
