package clock_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/internal/chaintest"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

// TestCodes pins the clock codespace: codes are consensus state.
func TestCodes(t *testing.T) {
	var got []string
	for _, e := range clock.Codes.All() {
		got = append(got, fmt.Sprintf("%d %s", e.Code, e.Name))
	}
	want := []string{"1 invalid_request", "2 clock_not_simulated", "3 clock_backwards", "4 clock_role_not_permitted",
		"5 clock_invalid_target", "6 clock_no_trading_day", "7 invalid_genesis"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("codes %v, want %v", got, want)
	}
}

// TestAdvance moves the clock each way and checks what clock/now says.
func TestAdvance(t *testing.T) {
	h := newChain(t, simulated)
	h.at(china8("2026-03-02 10:00:00")) // Monday
	h.block()
	n := h.clockNow()
	if !n.Simulated || n.OffsetSeconds != 0 || n.BusinessTime != n.BlockTime || n.BlockTime != rfc(china8("2026-03-02 10:00:00")) {
		t.Fatalf("before any advance: %+v", n)
	}

	// to: an explicit time with a zone.
	r, e := h.advance("regulator/operator", clock.Advance{To: "2026-03-02T14:00:00+08:00"})
	if e != nil {
		t.Fatal(e)
	}
	if r.From != rfc(china8("2026-03-02 10:00:01")) || r.To != rfc(china8("2026-03-02 14:00:00")) || r.N != 1 {
		t.Fatalf("advance to: %+v", r)
	}
	// The next block starts from the new offset: one second later in block
	// time is one second later in business time.
	h.block()
	n = h.clockNow()
	if n.BusinessTime != rfc(china8("2026-03-02 14:00:01")) || n.BlockTime != rfc(china8("2026-03-02 10:00:02")) ||
		n.OffsetSeconds != 4*3600-1 || n.OffsetNanos != int64(4*time.Hour-time.Second) || len(n.Advances) != 1 || n.AdvancesTotal != 1 {
		t.Fatalf("after advance to: %+v", n)
	}

	// next cutoff: 15:00 the same trading day.
	r, e = h.advance("regulator/operator", clock.Advance{Next: clock.NextCutoff})
	if e != nil || r.To != rfc(china8("2026-03-02 15:00:00")) {
		t.Fatalf("next cutoff: %+v %v", r, e)
	}
	// Past today's cut-off, the next one is tomorrow's.
	r, e = h.advance("regulator/operator", clock.Advance{Next: clock.NextCutoff})
	if e != nil || r.To != rfc(china8("2026-03-03 15:00:00")) {
		t.Fatalf("next cutoff again: %+v %v", r, e)
	}
	// next trading day from Tuesday: Wednesday 09:00.
	r, e = h.advance("regulator/operator", clock.Advance{Next: clock.NextTradingDay})
	if e != nil || r.To != rfc(china8("2026-03-04 09:00:00")) {
		t.Fatalf("next trading day: %+v %v", r, e)
	}
	// Friday 16:00 to the next trading day skips the weekend.
	if _, e = h.advance("regulator/operator", clock.Advance{To: "2026-03-06T16:00:00+08:00"}); e != nil {
		t.Fatal(e)
	}
	r, e = h.advance("regulator/operator", clock.Advance{Next: clock.NextTradingDay})
	if e != nil || r.To != rfc(china8("2026-03-09 09:00:00")) {
		t.Fatalf("next trading day over a weekend: %+v %v", r, e)
	}
	// Over a holiday: Friday 2026-04-03 after the cut-off, Monday 04-06 is
	// Qingming: the next cut-off is Tuesday's.
	if _, e = h.advance("regulator/operator", clock.Advance{To: "2026-04-03T15:30:00+08:00"}); e != nil {
		t.Fatal(e)
	}
	r, e = h.advance("regulator/operator", clock.Advance{Next: clock.NextCutoff})
	if e != nil || r.To != rfc(china8("2026-04-07 15:00:00")) {
		t.Fatalf("next cutoff over a holiday: %+v %v", r, e)
	}
	// UTC is accepted as well as +08:00.
	if r, e = h.advance("regulator/operator", clock.Advance{To: "2026-04-08T01:00:00Z"}); e != nil || r.To != "2026-04-08T01:00:00Z" {
		t.Fatalf("advance to UTC: %+v %v", r, e)
	}
	n = h.clockNow()
	if n.AdvancesTotal != 9 || len(n.Advances) != 9 || n.Advances[8].By != h.c.User("regulator/operator").ID() || n.Advances[8].Role != module.RoleRegulator {
		t.Fatalf("history: %+v", n)
	}
}

// TestSameBlock: a tx after an advance in the same block sees the new
// business time, and so does the next block.
func TestSameBlock(t *testing.T) {
	h := newChain(t, simulated)
	h.at(china8("2026-03-02 10:00:00"))
	res := h.block(
		h.signed("regulator/operator", clock.TypeAdvance, clock.Advance{To: "2026-03-02T16:00:00+08:00"}),
		h.signed("regulator/operator", clock.TypeAdvance, clock.Advance{Next: clock.NextCutoff}),
		// Backwards now that business time is 16:00, though block time is 10:00.
		h.signed("regulator/operator", clock.TypeAdvance, clock.Advance{To: "2026-03-02T15:59:00+08:00"}),
	)
	r1, e1 := result(t, res[0])
	r2, e2 := result(t, res[1])
	_, e3 := result(t, res[2])
	if e1 != nil || e2 != nil || r2.From != r1.To || r2.To != rfc(china8("2026-03-03 15:00:00")) {
		t.Fatalf("same block: %+v %v, %+v %v", r1, e1, r2, e2)
	}
	if e3 == nil || !errors.Is(e3, clock.ErrBackwards) {
		t.Fatalf("backwards in the same block: %v", e3)
	}
	if n := h.clockNow(); n.BusinessTime != rfc(china8("2026-03-03 15:00:00")) {
		t.Fatalf("after the block: %+v", n)
	}
}

// TestRefusals: each refusal has its own code and changes nothing.
func TestRefusals(t *testing.T) {
	h := newChain(t, simulated)
	h.at(china8("2026-03-02 10:00:00"))
	if _, e := h.advance("regulator/operator", clock.Advance{To: "2026-03-02T12:00:00+08:00"}); e != nil {
		t.Fatal(e)
	}
	before := h.clockNow()
	cases := []struct {
		name, user string
		msg        clock.Advance
		want       *module.Error
	}{
		{"backwards", "regulator/operator", clock.Advance{To: "2026-03-02T11:00:00+08:00"}, clock.ErrBackwards},
		{"behind block time", "regulator/operator", clock.Advance{To: "2026-03-02T09:00:00+08:00"}, clock.ErrBackwards},
		{"role not in genesis", "fm-alpha/operator", clock.Advance{Next: clock.NextCutoff}, clock.ErrRole},
		{"admin not in genesis", "regulator/admin", clock.Advance{Next: clock.NextCutoff}, clock.ErrRole},
		{"no zone", "regulator/operator", clock.Advance{To: "2026-03-02T15:00:00"}, clock.ErrInvalidTarget},
		{"not a time", "regulator/operator", clock.Advance{To: "tomorrow"}, clock.ErrInvalidTarget},
		{"bad next", "regulator/operator", clock.Advance{Next: "close"}, clock.ErrInvalidTarget},
		{"both", "regulator/operator", clock.Advance{To: "2026-03-02T15:00:00+08:00", Next: clock.NextCutoff}, clock.ErrInvalidRequest},
		{"neither", "regulator/operator", clock.Advance{}, clock.ErrInvalidRequest},
		{"too far", "regulator/operator", clock.Advance{To: "2099-01-01T00:00:00Z"}, clock.ErrInvalidTarget},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, e := h.advance(c.user, c.msg)
			if e == nil || !errors.Is(e, c.want) {
				t.Fatalf("got %v, want %s", e, c.want.Name)
			}
			after := h.clockNow()
			if after.OffsetNanos != before.OffsetNanos || after.AdvancesTotal != before.AdvancesTotal {
				t.Fatalf("a refusal changed the clock: %+v -> %+v", before, after)
			}
		})
	}
	// An investor is refused by the app's role table before the handler.
	res := h.block(h.signed("rs-bank/investor", clock.TypeAdvance, clock.Advance{Next: clock.NextCutoff}))
	if res[0].Code == 0 || res[0].Codespace != "app" {
		t.Fatalf("investor: %d %s %s", res[0].Code, res[0].Codespace, res[0].Log)
	}
}

// TestNotSimulated: on a network without the clock (no section, or
// simulated false) clock/advance is refused with clock_not_simulated for
// every role, and business time is block time.
func TestNotSimulated(t *testing.T) {
	for _, g := range []any{nil, map[string]any{}, map[string]any{"simulated": false}} {
		t.Run(fmt.Sprint(g), func(t *testing.T) {
			h := newChain(t, g)
			h.at(china8("2026-03-02 10:00:00"))
			for _, u := range []string{"regulator/operator", "fm-alpha/admin", "rs-bank/operator"} {
				_, e := h.advance(u, clock.Advance{Next: clock.NextCutoff})
				if e == nil || !errors.Is(e, clock.ErrNotSimulated) {
					t.Fatalf("%s: %v, want clock_not_simulated", u, e)
				}
			}
			n := h.clockNow()
			if n.Simulated || n.OffsetNanos != 0 || n.BusinessTime != n.BlockTime || n.AdvancesTotal != 0 {
				t.Fatalf("clock/now: %+v", n)
			}
			if ck := h.app.Clock(); ck.Simulated || !ck.BusinessTime.Equal(ck.BlockTime) {
				t.Fatalf("app clock: %+v", ck)
			}
		})
	}
}

// TestProductionHashUnchanged: the module adds nothing to the state of a
// network without the clock — the same blocks give the same app hashes on
// an app without the clock module registered.
func TestProductionHashUnchanged(t *testing.T) {
	h := newChain(t, nil)
	h.at(china8("2026-03-02 10:00:00"))
	h.block()
	h.block()

	db, err := state.Open(filepath.Join(t.TempDir(), "old"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mods []module.Module
	for _, m := range app.DefaultModules() {
		if m.Name() != "clock" {
			mods = append(mods, m)
		}
	}
	a, err := app.New(app.Config{DB: db, Modules: mods})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { a.Close(); db.Close() }()
	ctx := context.Background()
	init, err := a.InitChain(ctx, h.genesis)
	if err != nil {
		t.Fatal(err)
	}
	if len(init.AppHash) == 0 {
		t.Fatal("no genesis app hash")
	}
	for i, b := range h.blocks {
		res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: int64(i + 1), Time: b.Time, Txs: b.Txs})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.AppHash, b.AppHash) {
			t.Fatalf("block %d: app hash %x without the clock module, %x with it", i+1, res.AppHash, b.AppHash)
		}
		if _, err := a.Commit(ctx, &abci.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBlockTimeForSecurity: certificates are judged by block time, not
// business time: with business time two years ahead (past the fixture
// certificates' expiry) the signers still transact.
func TestBlockTimeForSecurity(t *testing.T) {
	h := newChain(t, simulated)
	h.at(china8("2026-03-02 10:00:00"))
	if _, e := h.advance("regulator/operator", clock.Advance{To: "2028-03-02T10:00:00+08:00"}); e != nil {
		t.Fatal(e)
	}
	// The calendar ends 2027-12-31: a named target needing it is refused.
	if _, e := h.advance("regulator/operator", clock.Advance{Next: clock.NextCutoff}); !errors.Is(e, clock.ErrNoTradingDay) {
		t.Fatalf("beyond the calendar: %v", e)
	}
	if _, e := h.advance("regulator/operator", clock.Advance{To: "2028-03-03T10:00:00+08:00"}); e != nil {
		t.Fatalf("a certificate valid at block time was refused at business time: %v", e)
	}
}

// TestGenesis checks the genesis section's validation.
func TestGenesis(t *testing.T) {
	for _, c := range []struct {
		raw string
		ok  bool
	}{
		{``, true}, {`null`, true}, {`{}`, true}, {`{"simulated":false}`, true},
		{`{"simulated":true,"roles":["regulator"]}`, true},
		{`{"simulated":true,"roles":["regulator","fund_manager","reseller","custodian","admin"]}`, true},
		{`{"simulated":true}`, false},
		{`{"simulated":true,"roles":[]}`, false},
		{`{"simulated":true,"roles":["investor"]}`, false},
		{`{"simulated":true,"roles":["seal"]}`, false},
		{`{"simulated":true,"roles":["regulator","regulator"]}`, false},
		{`{"simulated":false,"roles":["regulator"]}`, false},
		{`{"simulated":true,"roles":["regulator"],"offset":5}`, false},
		{`{"simulated":"yes"}`, false},
		{`[]`, false},
	} {
		_, err := clock.ParseGenesis(json.RawMessage(c.raw))
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.raw, err)
		}
		if err != nil && !errors.Is(err, clock.ErrInvalidGenesis) {
			t.Errorf("%s: uncoded %v", c.raw, err)
		}
	}
}

// TestNextTargets tables the named targets.
func TestNextTargets(t *testing.T) {
	cal := testCalendar()
	for _, c := range []struct{ now, cutoff, open string }{
		{"2026-03-02 10:00:00", "2026-03-02 15:00:00", "2026-03-03 09:00:00"},
		{"2026-03-02 14:59:59", "2026-03-02 15:00:00", "2026-03-03 09:00:00"},
		{"2026-03-02 15:00:00", "2026-03-03 15:00:00", "2026-03-03 09:00:00"},
		{"2026-03-02 08:00:00", "2026-03-02 15:00:00", "2026-03-03 09:00:00"},
		{"2026-03-06 15:00:00", "2026-03-09 15:00:00", "2026-03-09 09:00:00"},
		{"2026-03-07 11:00:00", "2026-03-09 15:00:00", "2026-03-09 09:00:00"},
		{"2026-04-03 16:00:00", "2026-04-07 15:00:00", "2026-04-07 09:00:00"},
		{"2026-03-01 23:59:59", "2026-03-02 15:00:00", "2026-03-02 09:00:00"},
	} {
		cut, err := clock.NextCutoffAfter(china8(c.now), cal)
		if err != nil || !cut.Equal(china8(c.cutoff)) {
			t.Errorf("cutoff after %s: %s %v, want %s", c.now, cut.In(china), err, c.cutoff)
		}
		open, err := clock.NextTradingDayAfter(china8(c.now), cal)
		if err != nil || !open.Equal(china8(c.open)) {
			t.Errorf("trading day after %s: %s %v, want %s", c.now, open.In(china), err, c.open)
		}
	}
}

// TestDeterminism replays a run with advances of each kind, refusals and
// advances in the middle of blocks on a second app, restarting it: every
// block gives the same app hash.
func TestDeterminism(t *testing.T) {
	h := newChain(t, map[string]any{"simulated": true, "roles": []string{"regulator", "fund_manager"}})
	h.at(china8("2026-03-02 10:00:00"))
	h.block()
	h.advance("regulator/operator", clock.Advance{To: "2026-03-02T14:30:00+08:00"})
	h.block(h.signed("fm-alpha/operator", clock.TypeAdvance, clock.Advance{Next: clock.NextCutoff}),
		h.signed("regulator/operator", clock.TypeAdvance, clock.Advance{Next: clock.NextTradingDay}))
	h.advance("rs-bank/operator", clock.Advance{Next: clock.NextCutoff})
	h.advance("regulator/operator", clock.Advance{To: "2026-03-01T00:00:00Z"})
	for i := 0; i < 6; i++ {
		h.advance("regulator/operator", clock.Advance{Next: clock.NextCutoff})
	}
	if h.clockNow().AdvancesTotal != 9 {
		t.Fatalf("advances: %+v", h.clockNow())
	}
	chaintest.Replay(t, h.genesis, h.blocks, 3)
}

// FuzzAdvance decodes arbitrary bytes as clock/advance the way the app does
// (strict JSON, then Validate): no panic, only coded refusals, and a valid
// message survives a round trip.
func FuzzAdvance(f *testing.F) {
	for _, s := range []string{
		`{"to":"2026-12-08T15:05:00+08:00"}`, `{"next":"cutoff"}`, `{"next":"trading_day"}`,
		`{"to":"2026-12-08T15:05:00Z","next":"cutoff"}`, `{}`, `null`, `{"to":"x"}`, `{"to":"2026-12-08T15:05:00.123456789-07:00"}`,
		`{"next":1}`, `{"to":"9999-12-31T23:59:59+08:00"}`,
	} {
		f.Add([]byte(s))
	}
	spec := clock.New().Msgs()[0]
	f.Fuzz(func(t *testing.T, data []byte) {
		m := spec.New()
		if err := tx.StrictUnmarshal(data, m); err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			if module.AsError(err) == nil {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		m2 := spec.New()
		if err := tx.StrictUnmarshal(b, m2); err != nil || m2.Validate() != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
	})
}

// FuzzGenesis: any genesis section parses or is refused with a code.
func FuzzGenesis(f *testing.F) {
	f.Add([]byte(`{"simulated":true,"roles":["regulator"]}`))
	f.Add([]byte(`{"simulated":false}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := clock.ParseGenesis(data); err != nil && module.AsError(err) == nil {
			t.Fatalf("uncoded error %v", err)
		}
	})
}
