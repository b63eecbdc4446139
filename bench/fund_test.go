package bench_test

import (
	"encoding/json"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/bench"
	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

var china = time.FixedZone("UTC+8", 8*3600)

func TestParseConfirm(t *testing.T) {
	for _, s := range []string{"nav", "establish"} {
		if got, err := bench.ParseConfirm(s); err != nil || got != s {
			t.Errorf("%s: %q %v", s, got, err)
		}
	}
	if _, err := bench.ParseConfirm("NAV"); err == nil {
		t.Error("NAV accepted")
	}
}

// The workload's genesis: the trade date of orders sent now, a NAV date
// before it, an offering that ends on it; closing it in the calendar moves
// the trade date past the offering.
func TestFundGenesisDates(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		want fund.Date
	}{
		{time.Date(2026, 11, 25, 7, 20, 0, 0, china), 20261125},  // before the cut-off
		{time.Date(2026, 11, 25, 15, 0, 0, 0, china), 20261126},  // at the cut-off
		{time.Date(2026, 11, 28, 23, 59, 0, 0, china), 20261129}, // a Saturday: every day trades
	} {
		g, td, err := bench.FundGenesis(bench.FundSetup{Manager: "fm-alpha", Custodian: "cust-trust", Reseller: "rs-broker", ChunkSize: 5000, Now: c.now})
		if err != nil {
			t.Fatal(err)
		}
		if td != c.want {
			t.Errorf("%s: trade date %s, want %s", c.now, td, c.want)
		}
		if got, _ := fund.TradeDate(c.now, *g.Calendar); got != td {
			t.Errorf("calendar trade date %s", got)
		}
		if len(g.Funds) != 2 || g.Params.ChunkSize != 5000 {
			t.Fatalf("genesis %+v", g)
		}
		for _, f := range g.Funds {
			if err := f.RegisterFund.Validate(); err != nil {
				t.Errorf("fund %s: %v", f.Code, err)
			}
		}
		open, offer := g.Funds[0], g.Funds[1]
		if next, _ := g.Calendar.NextTradingDay(open.NAVDate); open.Status != fund.StatusOpen || next != td {
			t.Errorf("open fund: status %s, next NAV %s", open.Status, next)
		}
		if offer.OfferingEnd != td || offer.Status != "" {
			t.Errorf("offering fund ends %s, status %q", offer.OfferingEnd, offer.Status)
		}
		cal, err := bench.CalendarWithout(c.now, td)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := fund.TradeDate(c.now, cal); got <= offer.OfferingEnd {
			t.Errorf("after closing %s the trade date is %s", td, got)
		}
		if bench.CutOff(td).In(china).Format("2006-01-02 15:04") != td.String()+" 15:00" {
			t.Errorf("cut-off %s", bench.CutOff(td))
		}
	}
}

func TestPatchGenesis(t *testing.T) {
	doc := &cmttypes.GenesisDoc{AppState: json.RawMessage(`{"member":{"orgs":[]},"fund":{"x":1}}`)}
	if err := bench.PatchGenesis(doc, "fund", map[string]int{"y": 2}); err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(doc.AppState, &st); err != nil {
		t.Fatal(err)
	}
	if string(st["fund"]) != `{"y":2}` || string(st["member"]) != `{"orgs":[]}` {
		t.Errorf("app state %s", doc.AppState)
	}
}

// Orders split into signed batch txs that decode to the items sent.
func TestOrderBatches(t *testing.T) {
	key, err := crypto.GenerateKey(crypto.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	s := &bench.Signer{ChainID: "c", ID: "0000000000000000000000000000000000000000000000000000000000000001", Key: key, Expiry: 10}
	items := bench.OrderItems(2500, 7, bench.ConfirmEstablish, "B")
	txs, err := s.Batches(items, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) != 3 {
		t.Fatalf("%d txs", len(txs))
	}
	env, err := tx.Decode(txs[2])
	if err != nil {
		t.Fatal(err)
	}
	body, err := tx.DecodeBody(env.Body)
	if err != nil {
		t.Fatal(err)
	}
	var b tx.Batch
	if err := json.Unmarshal(body.Msgs[0].Value, &b); err != nil {
		t.Fatal(err)
	}
	var last fund.SubscribeOrder
	if err := json.Unmarshal(b.Items[len(b.Items)-1].Value, &last); err != nil {
		t.Fatal(err)
	}
	if len(b.Items) != 500 || b.Items[0].Type != fund.TypeSubscribe || last.AppNo != "B00002499" || last.Investor != bench.InvestorID(2499%7) || last.Fund != bench.FundOffering {
		t.Errorf("last batch: %d items, last %+v", len(b.Items), last)
	}
	if p := bench.OrderItems(1, 1, bench.ConfirmNAV, "P")[0]; p.Type != fund.TypePurchase {
		t.Errorf("nav flow sends %s", p.Type)
	}
	if _, err := s.Batches(items, tx.MaxBatchItems+1); err == nil {
		t.Error("oversized batch accepted")
	}
}

// The NAV flow's clock: a simulated genesis the regulator advances, and an
// advance one second past the trade date's 15:00 China-time cut-off.
func TestNAVFlowClock(t *testing.T) {
	g := bench.ClockGenesis()
	raw, _ := json.Marshal(g)
	if pg, err := clock.ParseGenesis(raw); err != nil || !pg.Simulated || len(pg.Roles) != 1 || pg.Roles[0] != module.RoleRegulator {
		t.Fatalf("clock genesis %s: %+v %v", raw, pg, err)
	}
	a := bench.AdvancePast(20261207)
	var m clock.Advance
	if err := tx.StrictUnmarshal(a.Value, &m); err != nil || a.Type != clock.TypeAdvance || m.Validate() != nil {
		t.Fatalf("advance %s: %v", a.Value, err)
	}
	to, _ := clock.ParseTarget(m.To)
	if !to.Equal(time.Date(2026, 12, 7, 15, 0, 1, 0, china)) {
		t.Fatalf("advance to %s", to)
	}
}
