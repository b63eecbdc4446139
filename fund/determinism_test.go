package fund_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/state"
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
			if sup := supervisionGenesis(t, f); sup != nil {
				c.Sections = map[string]any{"supervision": sup}
			}
			a := newChainOf(t, c, g)
			runScenarioOn(t, f, a, false)
			if len(a.blocks) < 10 {
				t.Fatalf("only %d blocks", len(a.blocks))
			}
			replay(t, c, g, a.blocks)
		})
	}
}

func replay(t *testing.T, c *fixture.Consortium, g *fund.Genesis, blocks []recBlock) {
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
	c.Sections["fund"] = g // and the scenario's supervision genesis
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
		if i%7 == 3 { // restart the node
			a.Close()
			db.Close()
			db, a = open()
			info, err := a.Info(context.Background(), &abci.RequestInfo{})
			if err != nil || info.LastBlockHeight != int64(i+1) || !bytes.Equal(info.LastBlockAppHash, b.appHash) {
				t.Fatalf("after restart at %d: info %+v, %v; want app hash %x", i+1, info, err, b.appHash)
			}
		}
	}
}
