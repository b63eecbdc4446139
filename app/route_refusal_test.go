package app_test

import (
	"context"
	"encoding/json"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

// TestCallWithoutReceiver: a call to a module that is not there (or takes
// no calls) is a coded refusal the caller may handle, never a halt.
func TestCallWithoutReceiver(t *testing.T) {
	c := consortium(t)
	h := &harness{t: t, dir: t.TempDir(), c: c, now: genesisTime}
	db, err := state.Open(h.dir, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db, Modules: []module.Module{newProbe("pc", "nowhere")}})
	if err != nil {
		t.Fatal(err)
	}
	h.db, h.app = db, a
	t.Cleanup(h.close)
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1, AppStateBytes: c.AppState()}); err != nil {
		t.Fatal(err)
	}
	h.block()
	admin := c.User("fm-alpha/admin")
	do := func(m probeMsg) tx.Any {
		b, _ := json.Marshal(m)
		return tx.Any{Type: "pc/do", Value: b}
	}
	res := h.block(
		c.Tx(admin, h.expiry(), do(probeMsg{Key: "a", Call: "x"})),
		c.Tx(admin, h.expiry(), do(probeMsg{Key: "b", Call: "x", Catch: true})),
	)
	if res[0].Codespace != "app" || res[0].Code != app.ErrNoReceiver.Code {
		t.Fatalf("uncaught: %d %s %s", res[0].Code, res[0].Codespace, res[0].Log)
	}
	if res[1].Code != 0 || probeGet(t, db, "pc/k/b") != "pc" {
		t.Fatalf("caught: %d %s", res[1].Code, res[1].Log)
	}
}
