package clock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/chaintest"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

var china = time.FixedZone("UTC+8", 8*3600)

// genesisTime: Sunday 2026-03-01 08:00 China time.
var genesisTime = time.Date(2026, 3, 1, 8, 0, 0, 0, china).UTC()

func sdate(s string) fund.Date {
	d, err := fund.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// testCalendar: weekdays of 2026-2027 with Qingming (2026-04-06) closed.
func testCalendar() fund.Calendar {
	c, err := fund.WeekdayCalendar(sdate("2026-01-01"), sdate("2027-12-31"), []fund.Date{sdate("2026-04-06")}, nil)
	if err != nil {
		panic(err)
	}
	return c
}

// chain drives the real app (all modules, pebble in a temp dir) through
// ABCI, one FinalizeBlock and Commit per block, recording the blocks for a
// determinism replay.
type chain struct {
	t       testing.TB
	app     *app.App
	c       *fixture.Consortium
	genesis *abci.RequestInitChain
	height  int64
	now     time.Time
	nonce   uint64
	blocks  []chaintest.Block
}

// newChain starts a chain whose genesis has the given clock section (nil:
// none) and the test calendar.
func newChain(t testing.TB, clockGenesis any) *chain {
	t.Helper()
	c, err := fixture.New("clock-test", genesisTime, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	cal := testCalendar()
	c.Sections = map[string]any{"fund": &fund.Genesis{Calendar: &cal}}
	if clockGenesis != nil {
		c.Sections["clock"] = clockGenesis
	}
	db, err := state.Open(filepath.Join(t.TempDir(), "app"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	h := &chain{t: t, app: a, c: c, now: genesisTime,
		genesis: &abci.RequestInitChain{ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1, AppStateBytes: c.AppState()}}
	if _, err := a.InitChain(context.Background(), h.genesis); err != nil {
		t.Fatal(err)
	}
	return h
}

// simulated is the genesis of a sandbox whose regulator moves the clock.
var simulated = map[string]any{"simulated": true, "roles": []string{"regulator"}}

// block runs one block of txs at the next second.
func (h *chain) block(txs ...[]byte) []*abci.ExecTxResult {
	h.t.Helper()
	h.now = h.now.Add(time.Second)
	res, err := h.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: h.height + 1, Time: h.now, Txs: txs})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		h.t.Fatal(err)
	}
	h.height++
	h.blocks = append(h.blocks, chaintest.Block{Time: h.now, Txs: txs, AppHash: res.AppHash})
	return res.TxResults
}

// at makes the next block's header time t.
func (h *chain) at(t time.Time) { h.now = t.UTC().Add(-time.Second) }

func (h *chain) signed(user, typ string, msg any) []byte {
	b, err := json.Marshal(msg)
	if err != nil {
		panic(err)
	}
	h.nonce++
	body := tx.NewBody([]tx.Any{{Type: typ, Value: b}}, h.height+50)
	body.Nonce = fmt.Sprintf("%016x", h.nonce)
	return fixture.SignTx(h.c.ChainID, h.c.User(user), body)
}

// advance sends clock/advance in its own block and returns the result or
// the refusal.
func (h *chain) advance(user string, m clock.Advance) (*clock.Result, *module.Error) {
	h.t.Helper()
	res := h.block(h.signed(user, clock.TypeAdvance, m))
	return result(h.t, res[0])
}

func result(t testing.TB, r *abci.ExecTxResult) (*clock.Result, *module.Error) {
	t.Helper()
	if r.Code != 0 {
		return nil, &module.Error{Codespace: r.Codespace, Code: r.Code, Message: r.Log}
	}
	var d struct {
		Msgs []tx.ItemResult `json:"msgs"`
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	var out clock.Result
	if err := json.Unmarshal(d.Msgs[0].Data, &out); err != nil {
		t.Fatal(err)
	}
	return &out, nil
}

// now reads clock/now.
func (h *chain) clockNow() clock.Now {
	h.t.Helper()
	v, err := querycheck.Read(h.t, h.app, "clock/now", nil, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return v.(clock.Now)
}

func china8(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, china)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
