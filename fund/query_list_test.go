package fund_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/module"
)

// TestListTruncated: a list read that stops at its limit says so. With n
// matching orders, limit n gives them all untruncated; limit n-1 gives n-1
// and truncated: true (channel orders and an investor's orders).
func TestListTruncated(t *testing.T) {
	h := newChain(t, nil)
	runScenarioOn(t, "testdata/scenarios/lifecycle.txt", h, false)
	read := func(path string, limit int) module.List[fund.Order] {
		t.Helper()
		p := map[string]string{}
		if limit > 0 {
			p["limit"] = strconv.Itoa(limit)
		}
		out, err := querycheck.Read(h.t, h.app, path, p, h.identity("rs-bank/operator"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(out)
		var l module.List[fund.Order]
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, b)
		}
		return l
	}
	check := func(path string) bool {
		all := read(path, 0)
		n := len(all.Items)
		if all.Truncated {
			t.Fatalf("%s: %d orders, truncated without a limit", path, n)
		}
		if n < 2 {
			return false
		}
		if l := read(path, n); len(l.Items) != n || l.Truncated {
			t.Errorf("%s limit=%d: %d orders, truncated %t", path, n, len(l.Items), l.Truncated)
		}
		if l := read(path, n-1); len(l.Items) != n-1 || !l.Truncated {
			t.Errorf("%s limit=%d of %d: %d orders, truncated %t", path, n-1, n, len(l.Items), l.Truncated)
		}
		return true
	}
	var investor string
	found := false
	for d := sdate("2026-03-01"); d <= sdate("2026-03-31") && !found; d, _ = d.AddDays(1) {
		path := "fund/channel-orders/rs-bank/" + d.String()
		if l := read(path, 0); len(l.Items) > 0 && investor == "" {
			investor = l.Items[0].Investor
		}
		found = check(path)
	}
	if !found {
		t.Fatal("the scenario has no trade date with two orders of rs-bank")
	}
	if investor == "" || !check("fund/investors/"+investor+"/orders") {
		t.Fatalf("investor %q has fewer than two orders", investor)
	}

	// NAV history and the register, as counts of items.
	count := func(user, path string, limit int) (int, bool) {
		t.Helper()
		p := map[string]string{}
		if limit > 0 {
			p["limit"] = strconv.Itoa(limit)
		}
		out, err := querycheck.Read(h.t, h.app, path, p, h.identity(user))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(out)
		var l module.List[json.RawMessage]
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, b)
		}
		return len(l.Items), l.Truncated
	}
	for _, path := range []string{"fund/funds/000001/navs", "fund/funds/000001/holders"} {
		n, tr := count("regulator/operator", path, 0)
		if n < 2 || tr {
			t.Errorf("%s: %d items, truncated %t", path, n, tr)
			continue
		}
		if m, tr := count("regulator/operator", path, n); m != n || tr {
			t.Errorf("%s limit=%d: %d, truncated %t", path, n, m, tr)
		}
		if m, tr := count("regulator/operator", path, n-1); m != n-1 || !tr {
			t.Errorf("%s limit=%d of %d: %d, truncated %t", path, n-1, n, m, tr)
		}
	}
}
