package fund_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/module"
)

// TestOFDQueries checks the reads behind the OFD answer files against the
// lifecycle scenario: every processed order of the channel appears exactly
// once under its confirmation date, paging with after/limit gives the same
// list, a manager sees its funds only, and an account opened with an
// application number is listed under its date with that number.
func TestOFDQueries(t *testing.T) {
	h := newChain(t, nil)
	runScenarioOn(t, "testdata/scenarios/lifecycle.txt", h, false)
	read := func(user, path string, p map[string]string, v any) error {
		out, err := querycheck.Read(h.t, h.app, path, p, h.identity(user))
		if err != nil {
			return err
		}
		b, _ := json.Marshal(out)
		return json.Unmarshal(b, v)
	}
	// Every order of the channel, by trade date, from the existing read.
	want := map[string]fund.Date{} // order id -> confirmation date
	for d := sdate("2026-03-01"); d <= sdate("2026-03-31"); d, _ = d.AddDays(1) {
		var os module.List[fund.Order]
		if err := read("rs-bank/operator", "fund/channel-orders/rs-bank/"+d.String(), nil, &os); err != nil {
			t.Fatal(err)
		}
		for _, o := range os.Items {
			if o.Confirmation != nil {
				want[o.ID] = o.Confirmation.Date
			}
		}
	}
	if len(want) < 7 {
		t.Fatalf("only %d processed orders in the scenario", len(want))
	}
	got := map[string]fund.Date{}
	for d := sdate("2026-03-01"); d <= sdate("2026-03-31"); d, _ = d.AddDays(1) {
		var all []fund.Order
		if err := read("rs-bank/operator", "fund/channel-confirmations/rs-bank/"+d.String(), nil, &all); err != nil {
			t.Fatal(err)
		}
		// Paging one at a time gives the same list.
		after := ""
		for i := 0; ; i++ {
			var page []fund.Order
			p := map[string]string{"limit": "1"}
			if after != "" {
				p["after"] = after
			}
			if err := read("rs-bank/operator", "fund/channel-confirmations/rs-bank/"+d.String(), p, &page); err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				if i != len(all) {
					t.Fatalf("%s: %d pages, %d orders", d, i, len(all))
				}
				break
			}
			if page[0].ID != all[i].ID {
				t.Fatalf("%s: page %d is %s, want %s", d, i, page[0].ID, all[i].ID)
			}
			after = jsonNum(page[0].Seq)
		}
		for _, o := range all {
			if _, dup := got[o.ID]; dup || o.Confirmation == nil || o.Confirmation.Date != d {
				t.Fatalf("%s listed under %s: %+v", o.ID, d, o.Confirmation)
			}
			got[o.ID] = d
		}
		var other []fund.Order
		if err := read("fm-beta/operator", "fund/channel-confirmations/rs-bank/"+d.String(), nil, &other); err != nil || len(other) != 0 {
			t.Fatalf("fm-beta reads %d orders of rs-bank (%v)", len(other), err)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("confirmations by date: %d orders, by trade date: %d", len(got), len(want))
	}
	for id, d := range want {
		if got[id] != d {
			t.Fatalf("%s: listed under %s, confirmed %s", id, got[id], d)
		}
	}
	if _, err := querycheck.Read(h.t, h.app, "fund/channel-confirmations/rs-bank/2026-03-19", nil, h.identity("rs-broker/operator")); err == nil {
		t.Fatal("another reseller reads rs-bank's confirmations")
	}

	// An account opened with an application number, on 2026-03-20.
	h.setTime(time.Date(2026, 3, 20, 9, 0, 0, 0, china))
	if _, err := h.send("rs-bank/operator", fund.TypeOpenAccount, &fund.OpenAccount{Investor: "INV001", Manager: "fm-beta", AppNo: "A20260320000001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.send("rs-bank/operator", fund.TypeOpenAccount, &fund.OpenAccount{Investor: "INV002", Manager: "fm-beta", AppNo: "bad no!"}); err == nil {
		t.Fatal("a malformed app_no is accepted")
	}
	var accs []fund.AccountConfirmation
	if err := read("fm-beta/operator", "fund/channel-accounts/rs-bank/2026-03-20", nil, &accs); err != nil {
		t.Fatal(err)
	}
	if len(accs) != 1 || accs[0].AppNo != "A20260320000001" || accs[0].Manager != "fm-beta" || accs[0].TransAccount != "00000000000000001" || accs[0].InvestorType != "individual" {
		t.Fatalf("accounts of 03-20: %+v", accs)
	}
	if err := read("fm-alpha/operator", "fund/channel-accounts/rs-bank/2026-03-20", nil, &accs); err != nil || len(accs) != 0 {
		t.Fatalf("fm-alpha sees fm-beta's account: %+v %v", accs, err)
	}
	if _, err := querycheck.Read(h.t, h.app, "fund/channel-accounts/rs-bank/2026-03-20", nil, &module.Identity{Org: "rs-broker", Role: module.RoleReseller}); err == nil {
		t.Fatal("another reseller reads rs-bank's accounts")
	}
}

func jsonNum(n uint64) string { b, _ := json.Marshal(n); return string(b) }
