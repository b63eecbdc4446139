package node_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/node"
)

func date(t *testing.T, s string) fund.Date {
	t.Helper()
	d, err := fund.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDevFundGenesis(t *testing.T) {
	// Monday 2026-10-12 09:00 China time: the Friday before, 10-09, is the
	// trading day before genesis (the National Day week is closed).
	at := time.Date(2026, 10, 12, 1, 0, 0, 0, time.UTC)
	g, err := node.DevFundGenesis(at, node.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	cal := g.Calendar
	if cal.From() != date(t, "2025-01-01") || cal.To() != date(t, "2028-12-31") {
		t.Errorf("calendar covers %s to %s", cal.From(), cal.To())
	}
	for s, want := range map[string]bool{
		"2026-01-01": false, "2026-02-23": false, "2026-04-06": false, "2026-05-05": false, "2026-06-19": false,
		"2026-09-25": false, "2026-10-01": false, "2026-10-07": false, "2026-10-08": true, "2026-10-10": false,
		// 2025 is shipped too (fund.ChinaExchangeYears); 2027 and 2028 are
		// not published yet: weekdays.
		"2025-01-28": false, "2025-10-01": false, "2025-10-09": true, "2027-10-01": true, "2028-12-29": true,
	} {
		if got, err := cal.IsTradingDay(date(t, s)); err != nil || got != want {
			t.Errorf("%s trading day: %t, %v; want %t", s, got, err, want)
		}
	}
	if len(g.Funds) != 2 {
		t.Fatalf("%d funds", len(g.Funds))
	}
	open, off := g.Funds[0], g.Funds[1]
	if open.Code != node.DemoOpenFund || open.Manager != "fm-alpha" || open.Status != fund.StatusOpen ||
		open.Established != date(t, "2026-10-09") || open.NAVDate != date(t, "2026-10-09") || open.NAV != fund.Par ||
		len(open.Resellers) != 2 || open.Risk != 3 || open.Type != "hybrid" {
		t.Errorf("open fund: %+v", open)
	}
	if off.Code != node.DemoOfferingFund || off.Manager != "fm-beta" || off.Status != "" || off.Type != "bond" || off.Risk != 2 ||
		off.OfferingStart != date(t, "2026-10-12") || off.OfferingEnd != date(t, "2026-10-21") {
		t.Errorf("offering fund: %+v", off)
	}
	for _, f := range g.Funds {
		if err := f.RegisterFund.Validate(); err != nil {
			t.Errorf("fund %s: %v", f.Code, err)
		}
	}
	// Worked example 2: 6,000,000.00 pays the fixed 1,000.00.
	p, err := fund.Purchase(6000000_00, open.Terms.PurchaseFees, fund.Par, fund.Truncate)
	if err != nil || p.Fee.String() != "1000.00" {
		t.Errorf("fixed-fee tier: %+v, %v", p, err)
	}
}

// The generated genesis carries the fund section (otc dev and otc testnet
// share it).
func TestTestnetFundSection(t *testing.T) {
	res, err := node.Testnet(node.TestnetConfig{OutDir: filepath.Join(t.TempDir(), "net"), Validators: 1,
		Passphrase: testPassphrase, ScryptN: testScryptN, BasePort: 21000})
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Fund fund.Genesis `json:"fund"`
	}
	if err := json.Unmarshal(res.Genesis.AppState, &st); err != nil {
		t.Fatal(err)
	}
	if st.Fund.Calendar == nil || len(st.Fund.Funds) != 2 {
		t.Fatalf("fund section: %+v", st.Fund)
	}
}

// The business clock is in the genesis only when asked for (otc dev always,
// otc testnet --business-clock), with the roles asked for.
func TestTestnetClockSection(t *testing.T) {
	for _, roles := range [][]module.Role{nil, {module.RoleRegulator}, node.DevClockRoles} {
		res, err := node.Testnet(node.TestnetConfig{OutDir: filepath.Join(t.TempDir(), "net"), Validators: 1,
			Passphrase: testPassphrase, ScryptN: testScryptN, BasePort: 21000, BusinessClock: roles})
		if err != nil {
			t.Fatal(err)
		}
		var st map[string]json.RawMessage
		if err := json.Unmarshal(res.Genesis.AppState, &st); err != nil {
			t.Fatal(err)
		}
		raw, ok := st["clock"]
		if len(roles) == 0 {
			if ok {
				t.Fatalf("a clock section without the clock: %s", raw)
			}
			continue
		}
		g, err := clock.ParseGenesis(raw)
		if err != nil || !g.Simulated || !slices.Equal(g.Roles, roles) {
			t.Fatalf("clock section %s: %+v %v", raw, g, err)
		}
	}
}
