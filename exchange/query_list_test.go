package exchange_test

import (
	"strconv"
	"testing"

	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/module"
)

// TestBoxTruncated: an outbox read that stops at its limit says so: with n
// records, limit n is complete and limit n-1 is truncated.
func TestBoxTruncated(t *testing.T) {
	h := newChain(t)
	runScenarioOn(t, "testdata/scenarios/access.txt", h, false)
	path := ""
	read := func(limit int) module.List[exchange.View] {
		t.Helper()
		var p map[string]string
		if limit > 0 {
			p = map[string]string{"limit": strconv.Itoa(limit)}
		}
		var l module.List[exchange.View]
		if err := h.readAs("regulator/operator", path, p, &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	var all module.List[exchange.View]
	for _, box := range []string{"outbox", "inbox"} {
		for _, org := range []string{"fm-alpha", "fm-beta", "cust-trust", "rs-bank", "rs-broker"} {
			if path = "exchange/" + box + "/" + org; len(all.Items) < 2 {
				all = read(0)
			}
			if len(all.Items) >= 2 {
				break
			}
		}
		if len(all.Items) >= 2 {
			break
		}
	}
	n := len(all.Items)
	if n < 2 || all.Truncated {
		t.Fatalf("no box with two records: %d, truncated %t", n, all.Truncated)
	}
	if l := read(n); len(l.Items) != n || l.Truncated {
		t.Errorf("limit %d: %d, truncated %t", n, len(l.Items), l.Truncated)
	}
	if l := read(n - 1); len(l.Items) != n-1 || !l.Truncated {
		t.Errorf("limit %d of %d: %d, truncated %t", n-1, n, len(l.Items), l.Truncated)
	}
}
