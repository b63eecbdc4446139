package e2e_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/node"
)

// TestDevBusinessDay runs a whole business day of the fund module on an otc
// dev network with the CLI, at whatever hour the test runs, exactly as
// docs/fund-cli.md "A whole business day" shows it: the business clock is
// moved with otc clock advance. KYC (an investor registered by its bank),
// the risk disclosure (otc fund risk acknowledge), a purchase before the
// cut-off (today's trade date) and one after it (the next trade date), the
// NAV published by the manager and co-signed by the custodian, automatic
// confirmation, the holding and the statement, and a redemption confirmed
// at T+1.
func TestDevBusinessDay(t *testing.T) {
	ps := newProcs(t)
	home := filepath.Join(ps.dir, "dev")
	p, sum := startDev(t, ps, home)
	api := sum.apis[0]
	devEnv := env{"OTC_PASSPHRASE=" + node.DevPassphrase}
	// otc runs a command; it must succeed.
	otc := func(args ...string) string {
		t.Helper()
		return ps.runEnv(devEnv, time.Minute, args...)
	}
	as := func(who string, args ...string) string {
		t.Helper()
		return otc(append(args, "--home", home, "--as", who)...)
	}
	refused := func(want, who string, args ...string) {
		t.Helper()
		q, ok := ps.try(devEnv, time.Minute, append(args, "--home", home, "--as", who)...)
		if ok || !strings.Contains(q.tail(20), want) {
			t.Fatalf("otc %s as %s: want a refusal with %q, got success=%v\n%s", strings.Join(args, " "), who, want, ok, q.tail(20))
		}
	}
	field := func(out, key string) string {
		t.Helper()
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if r, ok := v["result"].(map[string]any); ok { // a tx: its message's result
			v = r
		}
		s, _ := v[key].(string)
		return s
	}
	businessDate := func() string {
		t.Helper()
		for _, l := range strings.Split(otc("clock", "show", "--api", api), "\n") {
			if f := strings.Fields(l); len(f) >= 3 && f[0] == "business" && f[1] == "time" {
				return f[2]
			}
		}
		t.Fatal("otc clock show prints no business time")
		return ""
	}
	nextNAV := func() string { return strings.TrimSpace(otc("fund", "nav", "next", "000001", "--api", api)) }
	closeDay := func(date, nav string) {
		t.Helper()
		as("fm-alpha/operator", "fund", "nav", "publish", "--fund", "000001", "--date", date, "--nav", nav)
		if out := as("cust-trust/operator", "fund", "nav", "cosign", "--fund", "000001", "--date", date, "--nav", nav); field(out, "status") != "final" {
			t.Fatalf("cosign %s:\n%s", date, out)
		}
	}
	confirmed := func(order, business string) string {
		t.Helper()
		var out string
		poll(t, commitTimeout, "order "+order+" to be confirmed", func() (bool, string) {
			out = as("rs-bank/operator", "fund", "order", order)
			return field(out, "status") == "confirmed" && strings.Contains(out, `"business": "`+business+`"`), out
		})
		return out
	}

	var inv string
	for _, l := range strings.Split(otc("keys", "show", "--home", home, "--org", "rs-bank", "investor-1"), "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "identity" && f[1] == "id" {
			inv = f[2]
		}
	}
	if inv == "" {
		t.Fatal("otc keys show prints no identity id")
	}

	// Morning: 09:00 China time of the next trading day. The days the demo
	// fund has no NAV for yet are closed at NAV 1.0000 (none when the network
	// started before that day's cut-off).
	as("regulator/operator", "clock", "advance", "--next-trading-day")
	today := businessDate()
	for i := 0; nextNAV() != today; i++ {
		if i == 5 {
			t.Fatalf("the demo fund's next NAV is %s, business date %s", nextNAV(), today)
		}
		closeDay(nextNAV(), "1.0000")
	}

	// KYC: the bank registers a C2 investor (below the fund's R3) and opens
	// its TA account.
	day, err := time.Parse("2006-01-02", today)
	if err != nil {
		t.Fatal(err)
	}
	as("rs-bank/operator", "fund", "investor", "register", "--id", "INV001", "--type", "individual", "--risk", "C2",
		"--assessed", today, "--expires", day.AddDate(1, 0, 0).Format("2006-01-02"), "--identity", inv,
		"--name", "Zhang San", "--id-type", "resident_id", "--id-number", "11010519491231002X", "--phone", "13800000000")
	as("rs-bank/operator", "fund", "account", "open", "--investor", "INV001", "--manager", "fm-alpha")

	// Risk disclosure: refused before, accepted once the investor signed it.
	purchase := []string{"fund", "purchase", "--investor", "INV001", "--fund", "000001", "--investor-key", "investor-1"}
	refused("fund/16 unsuitable", "rs-bank/operator", append(purchase, "--amount", "10000.00", "--app-no", "P0001")...)
	disclosure := filepath.Join(ps.dir, "disclosure-000001.txt")
	if err := os.WriteFile(disclosure, []byte("Alpha Balanced Hybrid Fund A (R3): risk disclosure\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	as("rs-bank/investor-1", "fund", "risk", "acknowledge", "--investor", "INV001", "--fund", "000001", "--disclosure", disclosure)

	// Before the cut-off: today's trade date. After it: the next one.
	if out := as("rs-bank/operator", append(purchase, "--amount", "10000.00", "--app-no", "P0001")...); field(out, "trade_date") != today {
		t.Fatalf("purchase before the cut-off: want trade date %s\n%s", today, out)
	}
	as("regulator/operator", "clock", "advance", "--next-cutoff")
	if bd := businessDate(); bd != today {
		t.Fatalf("the next cut-off is on %s, want %s", bd, today)
	}
	next := ""
	if out := as("rs-bank/operator", append(purchase, "--amount", "5000.00", "--app-no", "P0002")...); field(out, "trade_date") <= today {
		t.Fatalf("purchase after the cut-off: want a trade date after %s\n%s", today, out)
	} else {
		next = field(out, "trade_date")
	}

	// The NAV of today: the manager publishes, the custodian co-signs, the
	// chain confirms P0001 by itself (122 at T+1); P0002 waits for its day.
	closeDay(today, "1.0123")
	confirmed("rs-bank:P0001", "122")
	// Its evidence certificate, from the outcome receipt, offline.
	receipt, pdf := filepath.Join(ps.dir, "P0001-receipt.json"), filepath.Join(ps.dir, "P0001-certificate.pdf")
	as("rs-bank/operator", "fund", "receipt", "rs-bank:P0001", "--out", receipt)
	genesis := filepath.Join(home, "node0", "config", "genesis.json")
	if out := otc("evidence", "pdf", receipt, "--genesis", genesis, "--out", pdf, "--investor", "INV001=张三",
		"--org", "rs-bank=示例商业银行", "--fund", "000001=示例成长混合"); !strings.Contains(out, "confirmation certificate written") {
		t.Fatalf("otc evidence pdf:\n%s", out)
	}
	readCertificate(t, ps, pdf, genesis, "基金交易确认证明", "Fund order confirmation certificate", "P0001", "张三 (INV001)",
		"示例商业银行 (rs-bank)", "示例成长混合 (000001)", "022 申购 / purchase", "10,000.00 CNY", "9,732.51", "1.0123", "确认日期 / Confirmation date",
		"fund/confirmation/rs-bank:P0001", "China time (UTC+8)", "simulated")
	if dir := os.Getenv("OTC_CERTIFICATE_OUT"); dir != "" {
		if b, err := os.ReadFile(pdf); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "fund-confirmation.pdf"), b, 0o644)
		}
	}
	// And from the node, for a caller allowed to read the order (none for
	// an anonymous one), with the organisation's name from its state.
	certURL := api + "/v1/outcome-certificates/fund/confirmation/rs-bank:P0001"
	if resp, err := http.Get(certURL); err != nil || resp.StatusCode == http.StatusOK {
		t.Fatalf("anonymous GET %s: %v %v", certURL, resp, err)
	} else {
		resp.Body.Close()
	}
	token := strings.TrimSpace(as("rs-bank/operator", "login"))
	req, err := http.NewRequest("GET", certURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	nodeCert, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment; filename=") {
		t.Fatalf("GET %s: %d %v %v", certURL, resp.StatusCode, resp.Header, err)
	}
	nodePDF := filepath.Join(ps.dir, "P0001-certificate-node.pdf")
	if err := os.WriteFile(nodePDF, nodeCert, 0o644); err != nil {
		t.Fatal(err)
	}
	readCertificate(t, ps, nodePDF, genesis, "基金交易确认证明", "P0001", "(rs-bank)", "9,732.51", api+"/v1/outcomes/fund/confirmation/rs-bank:P0001")
	if out := as("rs-bank/operator", "fund", "order", "rs-bank:P0002"); field(out, "status") != "pending" {
		t.Fatalf("P0002 after today's NAV:\n%s", out)
	}
	if out := as("rs-bank/investor-1", "fund", "holdings", "INV001"); !strings.Contains(out, `"shares": "9732.51"`) {
		t.Fatalf("holdings:\n%s", out)
	}
	if out := as("rs-bank/operator", "fund", "statement", "INV001"); !strings.Contains(out, `"value": "9852.22"`) || !strings.Contains(out, `"nav_date": "`+today+`"`) {
		t.Fatalf("statement:\n%s", out)
	}

	// The next trading day: a redemption, confirmed at T+1 (124) with the
	// NAV of its trade date, together with P0002.
	as("regulator/operator", "clock", "advance", "--next-trading-day")
	if bd := businessDate(); bd != next {
		t.Fatalf("next trading day %s, want %s", bd, next)
	}
	if out := as("rs-bank/operator", "fund", "redeem", "--investor", "INV001", "--fund", "000001", "--shares", "1000.00",
		"--app-no", "R0001", "--investor-key", "investor-1"); field(out, "trade_date") != next {
		t.Fatalf("redeem: want trade date %s\n%s", next, out)
	}
	as("regulator/operator", "clock", "advance", "--next-cutoff")
	closeDay(next, "1.0200")
	confirmed("rs-bank:P0002", "122")
	if out := confirmed("rs-bank:R0001", "124"); !strings.Contains(out, `"nav": "1.0200"`) {
		t.Fatalf("redemption confirmation:\n%s", out)
	}
	if out := as("rs-bank/operator", "fund", "holdings", "INV001"); !strings.Contains(out, `"shares": "13562.02"`) {
		t.Fatalf("holdings at the end of the day:\n%s", out)
	}
	as("rs-bank/operator", "fund", "statement", "INV001")
	stopDev(t, p)
}
