// Package chaintest holds test helpers shared by the modules' tests that
// drive the real app through ABCI calls (no CometBFT): replaying a first
// run's blocks on a second app to check determinism.
package chaintest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/state"
)

// Block is one block as a first run executed it: what CometBFT gave the app
// (time, transactions, misbehaviour) and the app hash it answered.
type Block struct {
	Time        time.Time
	Txs         [][]byte
	Misbehavior []abci.Misbehavior
	AppHash     []byte
	// ValidatorUpdates the first run returned, compared when CheckUpdates.
	ValidatorUpdates []abci.ValidatorUpdate
	CheckUpdates     bool
}

// Replay runs genesis and then blocks (heights 1, 2, ...) on a new app over
// a fresh pebble state in a temp dir, as a second node would, closing and
// reopening it after every restartEvery-th block (0: never). It fails t at
// the first block whose app hash (or, when the block asks, validator updates)
// differs from the first run's, or when a restarted app does not report the
// last block and its hash.
func Replay(t testing.TB, genesis *abci.RequestInitChain, blocks []Block, restartEvery int) {
	t.Helper()
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
	ctx := context.Background()
	if _, err := a.InitChain(ctx, genesis); err != nil {
		t.Fatal(err)
	}
	for i, b := range blocks {
		h := int64(i + 1)
		res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: h, Time: b.Time, Txs: b.Txs, Misbehavior: b.Misbehavior})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.AppHash, b.AppHash) {
			t.Fatalf("block %d: app hash %x, the first run had %x", h, res.AppHash, b.AppHash)
		}
		if b.CheckUpdates && !sameUpdates(res.ValidatorUpdates, b.ValidatorUpdates) {
			t.Fatalf("block %d: validator updates %v, the first run had %v", h, res.ValidatorUpdates, b.ValidatorUpdates)
		}
		if _, err := a.Commit(ctx, &abci.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
		if restartEvery > 0 && i%restartEvery == restartEvery/2 {
			a.Close()
			db.Close()
			db, a = open()
			info, err := a.Info(ctx, &abci.RequestInfo{})
			if err != nil || info.LastBlockHeight != h || !bytes.Equal(info.LastBlockAppHash, b.AppHash) {
				t.Fatalf("after a restart at %d: info %+v, %v; want app hash %x", h, info, err, b.AppHash)
			}
		}
	}
}

func sameUpdates(a, b []abci.ValidatorUpdate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Power != b[i].Power || !a[i].PubKey.Equal(b[i].PubKey) {
			return false
		}
	}
	return true
}
