package fund_test

import (
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/chaintest"
	"github.com/otcchain/otcchain/internal/fixture"
)

// TestBusinessClockTradeDate: on a network with the business clock, an
// order after a clock/advance past the cut-off takes the next trade date —
// in the same block as the advance and in the next block — while block time
// is still the morning; the order keeps the header time beside its business
// time. The run replays deterministically.
func TestBusinessClockTradeDate(t *testing.T) {
	c, err := fixture.New("fund-test", genesisTime, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	c.Sections = map[string]any{"clock": map[string]any{"simulated": true, "roles": []string{"regulator"}}}
	cal := scenarioCalendar()
	h := newChainOf(t, c, &fund.Genesis{Calendar: &cal})
	r := &runner{h: h}
	for _, line := range []string{
		"fund fm-alpha/operator 000001 offering=2026-03-02..2026-03-13",
		"investor rs-bank/operator INV001 individual C4",
		`tx rs-bank/operator fund/open_account {"investor":"INV001","manager":"fm-alpha"}`,
		"at 2026-03-02 10:00",
	} {
		if out := r.run([]string{line}); out != "" && !strings.HasPrefix(out, "ok") {
			t.Fatalf("%s: %s", line, out)
		}
	}
	sub := func(appNo string) []byte {
		return h.signed("rs-bank/operator", anyMsg(fund.TypeSubscribe, map[string]string{"app_no": appNo, "investor": "INV001", "fund": "000001", "amount": "10000.00"}))
	}
	adv := func(m clock.Advance) []byte { return h.signed("regulator/operator", anyMsg(clock.TypeAdvance, m)) }
	want := func(res string, trade string) {
		t.Helper()
		if !strings.Contains(res, "trade_date="+trade) {
			t.Fatalf("got %s, want trade date %s", res, trade)
		}
	}

	// Monday 10:00: today.
	res, _ := h.block(sub("S0"))
	want(outcome(res[0]), "2026-03-02")
	// Same block: the advance past the cut-off, then an order: Tuesday.
	res, _ = h.block(sub("S1"), adv(clock.Advance{Next: clock.NextCutoff}), sub("S2"))
	want(outcome(res[0]), "2026-03-02")
	if !strings.HasPrefix(outcome(res[1]), "ok") {
		t.Fatalf("advance: %s", outcome(res[1]))
	}
	want(outcome(res[2]), "2026-03-03")
	// The next block (block time 10:00:02, business 15:00:01): Tuesday.
	res, _ = h.block(sub("S3"))
	want(outcome(res[0]), "2026-03-03")
	// Next trading day (Tuesday 09:00), then an order: Tuesday; then the
	// explicit time Friday 15:05: Monday 03-09.
	res, _ = h.block(adv(clock.Advance{Next: clock.NextTradingDay}), sub("S4"), adv(clock.Advance{To: "2026-03-06T15:05:00+08:00"}), sub("S5"))
	for i, o := range res {
		if !strings.HasPrefix(outcome(o), "ok") {
			t.Fatalf("tx %d: %s", i, outcome(o))
		}
	}
	want(outcome(res[1]), "2026-03-03")
	want(outcome(res[3]), "2026-03-09")

	// Orders keep both times once they differ; the first, before any
	// advance, has no block_time.
	get := func(id string) *fund.Order {
		v, err := h.app.Read("fund/orders/"+id, nil, h.identity("rs-bank/operator"))
		if err != nil {
			t.Fatal(err)
		}
		return v.(*fund.Order)
	}
	if o := get("rs-bank:S0"); o.BlockTime != "" {
		t.Fatalf("S0 block_time %q", o.BlockTime)
	}
	o := get("rs-bank:S5")
	bt, _ := time.Parse(time.RFC3339, o.BlockTime)
	biz, _ := time.Parse(time.RFC3339, o.Time)
	if o.BlockTime == "" || !bt.Equal(time.Date(2026, 3, 2, 10, 0, 3, 0, china)) || !biz.Equal(time.Date(2026, 3, 6, 15, 5, 0, 0, china)) {
		t.Fatalf("S5 time %s block_time %s", o.Time, o.BlockTime)
	}
	c.Sections["fund"] = &fund.Genesis{Calendar: &cal}
	chaintest.Replay(t, &abci.RequestInitChain{ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1, AppStateBytes: c.AppState()},
		replayed(h.blocks), 2)
}
