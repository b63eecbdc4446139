package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/keystore"
)

// TestFundCLI runs otc fund commands against a one-validator network in
// this process, as docs/fund-cli.md shows them. Genesis is 30 days in the
// past so that the demo fund's next NAV date has passed its cut-off and the
// NAV can be published and co-signed with wall-clock block times (orders
// placed now belong to today's or a later trade date, so their confirmation
// cannot be seen here: the test checks they are pending).
func TestFundCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	tn := startTestNet(t, "otc-fund-cli", "fund-cli-pass", time.Now().Add(-30*24*time.Hour))
	dir, ctx := tn.dir, context.Background()
	res := tn.res
	api := res.Consortium.Nodes[0].APIURL
	deadline := time.Now().Add(time.Minute)
	for {
		if out, err := run(t, ctx, nil, "fund", "show", "000001", "--api", api); err == nil {
			if !strings.Contains(out, `"status": "open"`) {
				t.Fatalf("fund show 000001:\n%s", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the node did not answer")
		}
		time.Sleep(100 * time.Millisecond)
	}

	env := tn.env()
	as := func(who string, args ...string) (string, error) {
		t.Helper()
		return run(t, ctx, env, append(args, "--home", dir, "--as", who)...)
	}
	must := func(who string, args ...string) string {
		t.Helper()
		out, err := as(who, args...)
		if err != nil {
			t.Fatalf("otc %s as %s: %v\n%s", strings.Join(args, " "), who, err, out)
		}
		return out
	}
	refused := func(want, who string, args ...string) {
		t.Helper()
		out, err := as(who, args...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("otc %s as %s: want an error with %q, got %v\n%s", strings.Join(args, " "), who, want, err, out)
		}
	}
	today, _ := fund.ChinaDate(time.Now())
	expires, _ := today.AddDays(365)
	inv1, _ := res.Consortium.Identity("rs-bank", "investor-1")

	// KYC by the bank: the personal data is sealed on this machine.
	must("rs-bank/operator", "fund", "investor", "register", "--id", "INV001", "--type", "individual", "--risk", "C4",
		"--assessed", today.String(), "--expires", expires.String(), "--identity", inv1.ID,
		"--name", "Zhang San", "--id-type", "resident_id", "--id-number", "11010519491231002X", "--phone", "13800000000")
	out := must("rs-bank/operator", "fund", "account", "open", "--investor", "INV001", "--manager", "fm-alpha")
	if !strings.Contains(out, `"ta_account"`) || !strings.Contains(out, `"return_code": "0000"`) {
		t.Errorf("account open:\n%s", out)
	}
	out = must("rs-bank/operator", "fund", "purchase", "--investor", "INV001", "--fund", "000001", "--amount", "10000",
		"--app-no", "P0001", "--investor-key", "investor-1")
	if !strings.Contains(out, `"order": "rs-bank:P0001"`) || !strings.Contains(out, `"status": "pending"`) {
		t.Errorf("purchase:\n%s", out)
	}
	// The business metrics count what the committed blocks did.
	checkMetrics(t, api,
		`otc_app_fund_orders_total{business="022",status="received"} 1`,
		`otc_app_fund_investors_registered_total{risk="C4"} 1`,
		`otc_app_txs_total{code="ok",codespace=""}`)
	// Risk disclosure: a C1 investor may buy the R3 fund only once it signed
	// the fund's disclosure — itself, or through its channel with its
	// signature; an investor without an identity through the channel alone.
	inv2, _ := res.Consortium.Identity("rs-bank", "investor-2")
	disclosure := filepath.Join(t.TempDir(), "disclosure-000001.txt")
	if err := os.WriteFile(disclosure, []byte("Alpha Balanced Hybrid Fund A: risk disclosure (R3)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, inv := range [][]string{{"INV002", "--identity", inv2.ID}, {"INV003"}} {
		must("rs-bank/operator", append([]string{"fund", "investor", "register", "--id", inv[0], "--type", "individual", "--risk", "C1",
			"--assessed", today.String(), "--expires", expires.String(), "--name", "Li Si", "--id-type", "resident_id", "--id-number", "110105195001010012"}, inv[1:]...)...)
		must("rs-bank/operator", "fund", "account", "open", "--investor", inv[0], "--manager", "fm-alpha")
	}
	refused("fund/16 unsuitable", "rs-bank/operator", "fund", "purchase", "--investor", "INV002", "--fund", "000001", "--amount", "10000", "--app-no", "R0001")
	refused("--disclosure FILE", "rs-bank/investor-2", "fund", "risk", "acknowledge", "--investor", "INV002", "--fund", "000001")
	refused("investor_signature", "rs-bank/operator", "fund", "risk", "acknowledge", "--investor", "INV002", "--fund", "000001", "--disclosure", disclosure)
	refused("not_permitted", "rs-bank/investor-2", "fund", "risk", "acknowledge", "--investor", "INV003", "--fund", "000001", "--disclosure", disclosure)
	if out := must("rs-bank/investor-2", "fund", "risk", "acknowledge", "--investor", "INV002", "--fund", "000001", "--disclosure", disclosure); !strings.Contains(out, `"signed_by": "`+inv2.ID+`"`) {
		t.Errorf("risk acknowledge by the investor:\n%s", out)
	}
	if out := must("rs-bank/operator", "fund", "risk", "acknowledge", "--investor", "INV002", "--fund", "000001", "--disclosure", disclosure, "--investor-key", "investor-2"); !strings.Contains(out, `"investor_sig"`) {
		t.Errorf("risk acknowledge relayed by the channel:\n%s", out)
	}
	must("rs-bank/operator", "fund", "risk", "acknowledge", "--investor", "INV003", "--fund", "000001", "--disclosure", disclosure)
	for i, inv := range []string{"INV002", "INV003"} {
		must("rs-bank/operator", "fund", "purchase", "--investor", inv, "--fund", "000001", "--amount", "10000", "--app-no", fmt.Sprintf("R%04d", i+2))
	}

	// A refusal of the fund module, and one of the app (role), with codes.
	refused("fund/12 below_minimum", "rs-bank/operator", "fund", "purchase", "--investor", "INV001", "--fund", "000001", "--amount", "10.00", "--app-no", "P0002")
	refused("fund/18 duplicate_order", "rs-bank/operator", "fund", "purchase", "--investor", "INV001", "--fund", "000001", "--amount", "2000.00", "--app-no", "P0001")

	// The NAV of the fund's next trading day (past its cut-off): the manager
	// publishes, the custodian co-signs.
	var cal fund.Calendar
	calJSON, err := run(t, ctx, nil, "fund", "calendar", "show", "--api", api)
	if err != nil || json.Unmarshal([]byte(calJSON), &cal) != nil {
		t.Fatalf("calendar show: %v\n%s", err, calJSON)
	}
	var f fund.Fund
	if err := json.Unmarshal([]byte(mustRun(t, nil, "fund", "show", "000001", "--api", api)), &f); err != nil {
		t.Fatal(err)
	}
	next, err := cal.NextTradingDay(f.LastNAVDate)
	if err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, nil, "fund", "nav", "next", "000001", "--api", api); strings.TrimSpace(out) != next.String() {
		t.Errorf("nav next: %q, want %s", out, next)
	}
	navArgs := []string{"--fund", "000001", "--date", next.String(), "--nav", "1.0123"}
	refused("app/10 role_not_permitted", "rs-bank/operator", append([]string{"fund", "nav", "publish"}, navArgs...)...)
	refused("fund/25 no_nav", "cust-trust/operator", append([]string{"fund", "nav", "cosign"}, navArgs...)...)
	must("fm-alpha/operator", append([]string{"fund", "nav", "publish"}, navArgs...)...)
	out = must("cust-trust/operator", append([]string{"fund", "nav", "cosign"}, navArgs...)...)
	if !strings.Contains(out, `"status": "final"`) {
		t.Errorf("cosign:\n%s", out)
	}
	if out = mustRun(t, nil, "fund", "navs", "000001", "--api", api); !strings.Contains(out, `"nav": "1.0123"`) || !strings.Contains(out, `"custodian_sig"`) {
		t.Errorf("navs:\n%s", out)
	}

	// Reads: the channel sees the investor's orders; the custodian the
	// totals; the bank may not.
	out = must("rs-bank/operator", "fund", "orders", "INV001", "--status", "pending")
	if !strings.Contains(out, `"id": "rs-bank:P0001"`) || !strings.Contains(out, `"investor_signed": true`) {
		t.Errorf("orders:\n%s", out)
	}
	if out = must("rs-bank/investor-1", "fund", "holdings", "INV001"); strings.TrimSpace(out) != "[]" {
		t.Errorf("holdings before confirmation:\n%s", out)
	}
	must("regulator/operator", "fund", "order", "rs-bank:P0001")
	if out = must("cust-trust/operator", "fund", "totals", "000001"); !strings.Contains(out, `"pending_orders": 3`) {
		t.Errorf("totals:\n%s", out)
	}
	refused("not_permitted", "rs-bank/operator", "fund", "totals", "000001")
	must("fm-alpha/operator", "fund", "jobs")

	// Personal data: the channel, the investor and the regulator open it;
	// the manager once the channel shares it.
	for _, who := range []string{"rs-bank/operator", "rs-bank/investor-1", "regulator/operator"} {
		if out := must(who, "fund", "investor", "show", "INV001", "--decrypt"); !strings.Contains(out, `"name": "Zhang San"`) || !strings.Contains(out, "11010519491231002X") {
			t.Errorf("investor show --decrypt as %s:\n%s", who, out)
		}
	}
	if out := must("fm-alpha/operator", "fund", "investor", "show", "INV001"); strings.Contains(out, "Zhang San") {
		t.Errorf("personal data in clear:\n%s", out)
	}
	refused("cannot decrypt", "fm-alpha/operator", "fund", "investor", "show", "INV001", "--decrypt")
	// A second investor of the same reseller, and the share of INV001 with
	// fm-alpha: asked for first (stdin here is no terminal: refused without
	// --yes), then reaching fm-alpha's operator only.
	// (INV002, investor-2's, was registered above for the risk disclosure.)
	refused("cannot be taken back", "rs-bank/operator", "fund", "investor", "share", "INV001", "--with", "fm-alpha")
	refused("cannot decrypt", "fm-alpha/operator", "fund", "investor", "show", "INV001", "--decrypt")
	fmInv1, _ := res.Consortium.Identity("fm-alpha", "investor-1")
	refused("may not hold investors' personal data", "rs-bank/operator", "fund", "investor", "share", "INV001", "--with", fmInv1.ID, "--yes")
	refused("one organisation at a time", "rs-bank/operator", "fund", "investor", "share", "INV001", "--with", "fm-alpha,cust-trust", "--yes")
	out = must("rs-bank/operator", "fund", "investor", "share", "INV001", "--with", "fm-alpha", "--yes")
	if fmOp, _ := res.Consortium.Identity("fm-alpha", "operator"); !strings.Contains(out, fmOp.ID) || strings.Contains(out, fmInv1.ID) {
		t.Errorf("share INV001 with fm-alpha: want its operator among the recipients, not its investor:\n%s", out)
	}
	if out := must("fm-alpha/operator", "fund", "investor", "show", "INV001", "--decrypt"); !strings.Contains(out, "Zhang San") {
		t.Errorf("after share:\n%s", out)
	}
	// The envelope is no secret (GET /v1/txs/{hash} serves the share to
	// anyone): each identity that may not hold the data tries its own key on
	// it, and fails.
	opens := func(who, inv string) bool {
		t.Helper()
		var rec fund.Investor
		if err := json.Unmarshal([]byte(must("regulator/operator", "fund", "investor", "show", inv)), &rec); err != nil {
			t.Fatal(err)
		}
		org, name, _ := strings.Cut(who, "/")
		ks, err := keystore.Open(filepath.Join(dir, "orgs", org, "keystore"))
		if err != nil {
			t.Fatal(err)
		}
		key, err := ks.LoadEncKey(name, []byte(tn.pass))
		if err != nil {
			t.Fatalf("%s's encryption key: %v", who, err)
		}
		id, _ := res.Consortium.Identity(org, name)
		_, err = fund.OpenPersonal(&rec, id.ID, key)
		if err != nil && !errors.Is(err, crypto.ErrNotRecipient) {
			t.Fatalf("%s opening %s: %v", who, inv, err)
		}
		return err == nil
	}
	for who, want := range map[string]bool{"fm-alpha/operator": true, "fm-alpha/investor-1": false, "fm-alpha/investor-2": false,
		"fm-alpha/admin": false, "rs-bank/investor-2": false, "rs-broker/investor-1": false, "rs-bank/investor-1": true, "regulator/officer-2": true} {
		if got := opens(who, "INV001"); got != want {
			t.Errorf("after sharing INV001 with fm-alpha: %s opens it = %v, want %v", who, got, want)
		}
	}
	if opens("fm-alpha/operator", "INV002") || opens("rs-bank/investor-1", "INV002") {
		t.Error("sharing INV001 gave INV002 away")
	}
	// fm-alpha holds INV002's TA account (opened above), so it reads the
	// record (cannot_decrypt) or not at all (not_permitted): never the data.
	if out, err := as("fm-alpha/operator", "fund", "investor", "show", "INV002", "--decrypt"); err == nil ||
		!strings.Contains(err.Error(), "not_permitted") && !strings.Contains(err.Error(), "cannot decrypt") {
		t.Errorf("fm-alpha decrypts INV002: %v\n%s", err, out)
	}
	for _, who := range []string{"regulator/operator", "regulator/officer-2", "rs-bank/investor-2"} {
		if out := must(who, "fund", "investor", "show", "INV002", "--decrypt"); !strings.Contains(out, "Li Si") {
			t.Errorf("INV002 as %s:\n%s", who, out)
		}
	}
	if out := must("regulator/officer-2", "fund", "investor", "show", "INV001", "--decrypt"); !strings.Contains(out, "Zhang San") {
		t.Errorf("look-through after share:\n%s", out)
	}

	// The daily batch: each line accepted or refused on its own; a malformed
	// file is refused before anything is sent.
	batch := filepath.Join(t.TempDir(), "orders.jsonl")
	write := func(lines ...string) {
		if err := os.WriteFile(batch, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := func(app, amount string) string {
		return `{"type":"fund/purchase","value":{"app_no":"` + app + `","investor":"INV001","fund":"000001","amount":"` + amount + `"}}`
	}
	write(p("B0001", "2000.00"), "", p("B0002", "10.00"), p("B0003", "3000.00"))
	out, err = as("rs-bank/operator", "fund", "batch", "--file", batch, "--per-tx", "2")
	if err == nil || !strings.Contains(err.Error(), "1 of 3 lines refused") ||
		!strings.Contains(out, "line 1: accepted") || !strings.Contains(out, "line 3: refused fund/12 below_minimum") || !strings.Contains(out, "line 4: accepted") {
		t.Errorf("batch: %v\n%s", err, out)
	}
	write(p("B0004", "2000.00"), `{"type":"fund/purchase","value":{"app_no":"B0005","amount":"x"}}`)
	if _, err := as("rs-bank/operator", "fund", "batch", "--file", batch); err == nil || !strings.Contains(err.Error(), "orders.jsonl:2") {
		t.Errorf("malformed batch: %v", err)
	}
	if out := must("rs-bank/operator", "fund", "orders", "INV001"); strings.Contains(out, "B0004") || !strings.Contains(out, "B0003") {
		t.Errorf("orders after the batches:\n%s", out)
	}
}
