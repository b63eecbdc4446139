package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	cdpnet "github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/ofd"
)

// The browser tests drive Debian's chromium (headless) through the console
// that otc dev serves. Without chromium they skip, unless OTC_BROWSER is
// "required" (scripts/test sets it, after installing chromium).

// browser is one headless chromium with the requests it sent recorded.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string // API URL of the node serving the console

	mu       sync.Mutex
	requests []sentRequest
	console  []string // the page's console messages and exceptions
	shots    string   // where screenshots go
}

type sentRequest struct {
	method, url string
	headers     string
	body        []byte
	bodyMissing bool
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("OTC_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("OTC_BROWSER") == "required" {
		t.Fatal("chromium is not installed (apt-get install -y chromium) and OTC_BROWSER=required")
	}
	t.Skip("chromium is not installed: apt-get install -y chromium (scripts/test does)")
	return ""
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1280, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, base: base, shots: os.Getenv("OTC_CONSOLE_SCREENSHOTS")}
	if b.shots == "" {
		b.shots = t.TempDir()
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value))
			}
			b.mu.Lock()
			b.console = append(b.console, string(e.Type)+": "+strings.Join(parts, " "))
			b.mu.Unlock()
		case *cdpruntime.EventExceptionThrown:
			b.mu.Lock()
			b.console = append(b.console, "exception: "+e.ExceptionDetails.Text+" "+fmt.Sprint(e.ExceptionDetails.Exception))
			b.mu.Unlock()
		}
		if e, ok := ev.(*cdpnet.EventRequestWillBeSent); ok {
			r := sentRequest{method: e.Request.Method, url: e.Request.URL + e.Request.URLFragment}
			h, _ := json.Marshal(e.Request.Headers)
			r.headers = string(h)
			for _, p := range e.Request.PostDataEntries {
				r.body = append(r.body, p.Bytes...)
			}
			r.bodyMissing = e.Request.HasPostData && len(r.body) == 0
			b.mu.Lock()
			b.requests = append(b.requests, r)
			b.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.mu.Lock()
		logs := strings.Join(b.console, "\n")
		b.mu.Unlock()
		b.t.Fatalf("%s: %v\n%s\nconsole:\n%s", what, err, b.pageText(), logs)
	}
}

// pageText is what the page shows (for failure messages).
func (b *browser) pageText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	if err != nil {
		return "(page text unavailable: " + err.Error() + ")"
	}
	return "page shows:\n" + s
}

// waitText waits until the element sel contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.innerText.includes(%q); })()`, sel, want)
	b.do(fmt.Sprintf("wait for %q in %s", want, sel), void(chromedp.Poll[bool](js, chromedp.WithPollingTimeout(60*time.Second))))
}

// setInput sets an input's value as typing would (preact listens to input events).
func (b *browser) setInput(sel, v string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q);
		Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(e, %q);
		e.dispatchEvent(new Event('input', { bubbles: true })); return true; })()`, sel, v)
	b.do("set "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), void(chromedp.Evaluate[bool](js)))
}

// setSelect picks an option as a user would (preact listens to change events).
func (b *browser) setSelect(sel, v string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q);
		if (![...e.options].some((o) => o.value === %q)) return false;
		e.value = %q; e.dispatchEvent(new Event('change', { bubbles: true })); return true; })()`, sel, v, v)
	b.do("choose "+v+" in "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), void(chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))))
}

func (b *browser) value(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v\n%s", sel, err, b.pageText())
	}
	return v
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
}

// signIn opens the console and signs in with the identity's keystore
// files; it returns how long the sign-in screen took to appear after the
// navigation, and the main screen after the click.
func (b *browser) signIn(keystore, name, pass string) (signInScreen, mainScreen time.Duration) {
	b.t.Helper()
	files := []string{filepath.Join(keystore, name+".key"), filepath.Join(keystore, name+".crt")}
	if _, err := os.Stat(filepath.Join(keystore, name+".enc")); err == nil {
		files = append(files, filepath.Join(keystore, name+".enc"))
	}
	start := time.Now()
	b.do("open the console", chromedp.Navigate(b.base+"/console/"), chromedp.WaitVisible(chromedp.CSS("#signin")))
	signInScreen = time.Since(start)
	b.do("choose the files", chromedp.SetUploadFiles(chromedp.CSS("#files"), files))
	b.setInput("#passphrase", pass)
	start = time.Now()
	b.do("sign in", chromedp.Click(chromedp.CSS("#signin")))
	if pass != node.DevPassphrase {
		return signInScreen, 0
	}
	b.do("main screen", chromedp.WaitVisible(chromedp.CSS("#who")), chromedp.WaitVisible(chromedp.CSS("#business-time")),
		void(chromedp.Poll[bool](`!document.querySelector('main .busy')`, chromedp.WithPollingTimeout(30*time.Second))))
	return signInScreen, time.Since(start)
}

func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#signin")))
}

// noSecretSent fails if any request the page sent carries one of secrets
// (in its URL, headers or body).
func (b *browser) noSecretSent(secrets map[string]string) {
	b.t.Helper()
	b.mu.Lock()
	reqs := append([]sentRequest(nil), b.requests...)
	b.mu.Unlock()
	posts := 0
	for _, r := range reqs {
		if r.bodyMissing {
			b.t.Errorf("%s %s: chromium did not report the body, so it cannot be checked", r.method, r.url)
		}
		if len(r.body) > 0 {
			posts++
		}
		all := r.url + "\n" + r.headers + "\n" + string(r.body)
		for what, s := range secrets {
			if strings.Contains(all, s) {
				b.t.Errorf("%s %s carries %s", r.method, r.url, what)
			}
		}
	}
	if posts == 0 {
		b.t.Error("no request with a body was recorded: the check saw nothing")
	}
	b.t.Logf("%d requests checked (%d with a body): none carries a private key or the passphrase", len(reqs), posts)
}

// keySecrets are the secrets of a keystore identity: its key files'
// encrypted bodies and, decoded, the passphrase.
func keySecrets(t *testing.T, keystore string, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{"the passphrase": node.DevPassphrase}
	for _, n := range names {
		for _, ext := range []string{".key", ".enc"} {
			b, err := os.ReadFile(filepath.Join(keystore, n+ext))
			if err != nil {
				continue
			}
			for i, line := range strings.Split(string(b), "\n") {
				line = strings.TrimSpace(line)
				if len(line) >= 40 && !strings.HasPrefix(line, "-----") {
					out[fmt.Sprintf("%s%s line %d", n, ext, i+1)] = line
					if raw, err := base64.StdEncoding.DecodeString(line); err == nil {
						out[fmt.Sprintf("%s%s line %d (as base64 of the bytes)", n, ext, i+1)] = base64.StdEncoding.EncodeToString(raw)
					}
				}
			}
			out[n+ext+" (the whole file)"] = string(b)
		}
	}
	return out
}

// TestBrowserConsole signs in as each role with its keystore files, runs the
// NAV of a day through the console (the manager advances the simulated
// clock and publishes, the custodian co-signs), shows the investor's
// holdings and orders, shows refusals with their codes, and checks that no
// request ever carried a private key or the passphrase. It saves a
// screenshot of each role's main screen (OTC_CONSOLE_SCREENSHOTS=dir to
// keep them; docs/console.md shows them).
func TestBrowserConsole(t *testing.T) {
	chromiumPath(t)
	ps := newProcs(t)
	home := filepath.Join(ps.dir, "dev")
	_, sum := startDev(t, ps, home)
	api := sum.apis[0]
	devEnv := env{"OTC_PASSPHRASE=" + node.DevPassphrase}
	as := func(who string, args ...string) string {
		t.Helper()
		return ps.runEnv(devEnv, time.Minute, append(args, "--home", home, "--as", who)...)
	}
	ks := func(org string) string { return filepath.Join(home, "orgs", org, "keystore") }

	// An investor of rs-bank with a purchase (CLI), for the investor's and
	// the desk's screens.
	var inv string
	for _, l := range strings.Split(ps.runEnv(devEnv, time.Minute, "keys", "show", "--home", home, "--org", "rs-bank", "investor-1"), "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "identity" && f[1] == "id" {
			inv = f[2]
		}
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	expires := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	as("rs-bank/operator", "fund", "investor", "register", "--id", "INV001", "--type", "individual", "--risk", "C4",
		"--assessed", today, "--expires", expires, "--identity", inv,
		"--name", "Zhang San", "--id-type", "resident_id", "--id-number", "11010519491231002X", "--phone", "13800000000")
	as("rs-bank/operator", "fund", "account", "open", "--investor", "INV001", "--manager", "fm-alpha")
	as("rs-bank/operator", "fund", "purchase", "--investor", "INV001", "--fund", "000001", "--amount", "25000.00", "--app-no", "P0001", "--investor-key", "investor-1")

	b := newBrowser(t, api)
	var timings []string

	// A wrong passphrase is refused in the browser, with its code.
	b.signIn(ks("fm-alpha"), "operator", "not-the-passphrase")
	b.waitText(".error", "bad_passphrase")

	// Every role signs in with its files and lands on its own screen.
	roles := []struct{ org, name, role, shot, sees string }{
		{"rs-bank", "operator", "Reseller desk", "reseller", "Orders of rs-bank"},
		{"fm-alpha", "operator", "Fund manager", "fund-manager", "Your funds"},
		{"cust-trust", "operator", "Custodian", "custodian", "NAV review"},
		{"regulator", "operator", "Regulator", "regulator", "Compliance alerts"},
		{"fm-beta", "admin", "Organisation admin", "admin", "Identities of fm-beta"},
		{"rs-bank", "investor-1", "Investor", "investor", "Your holdings and orders"},
	}
	for _, r := range roles {
		first, main := b.signIn(ks(r.org), r.name, node.DevPassphrase)
		b.waitText("#who", r.role)
		b.waitText("main", r.sees)
		if r.shot == "investor" {
			b.setInput("#investor-no", "INV001")
			b.do("show the investor", chromedp.Click(chromedp.CSS("main form button")))
			b.waitText("main", "rs-bank:P0001")
		}
		if r.shot == "reseller" {
			b.waitText("main", "P0001")
		}
		b.screenshot("console-" + r.shot)
		timings = append(timings, fmt.Sprintf("%s/%s: sign-in screen %d ms, main screen %d ms after the click", r.org, r.name, first.Milliseconds(), main.Milliseconds()))
		b.signOut()
	}

	// The desk enters a purchase: the console prices it with the fund
	// module's code (1.50% on top of the net: 147.78 on 10,000.00), the
	// investor signs it at the counter with their own files, the desk signs
	// and submits.
	b.signIn(ks("rs-bank"), "operator", node.DevPassphrase)
	b.do("new order", chromedp.Navigate(api+"/console/#/new-order"), chromedp.WaitVisible(chromedp.CSS("#order-review")))
	b.setInput("#order-investor", "INV001")
	b.setSelect("#order-fund", "000001")
	b.setSelect("#order-type", "fund/purchase")
	b.setInput("#order-qty", "10000")
	b.setInput("#order-appno", "C0002")
	b.do("review", chromedp.Click(chromedp.CSS("#order-review")))
	b.waitText("#quote-fee", "147.78 CNY (1.50%)")
	if td, cd := b.text("#quote-trade-date"), b.text("#quote-confirmation-date"); td == "" || !strings.HasSuffix(cd, "(T+1)") || cd[:10] <= td {
		t.Fatalf("quote: trade date %q, confirmation %q", td, cd)
	}
	b.do("investor's files", chromedp.SetUploadFiles(chromedp.CSS("#inv-files"), []string{filepath.Join(ks("rs-bank"), "investor-1.key"), filepath.Join(ks("rs-bank"), "investor-1.crt")}))
	b.setInput("#inv-pass", node.DevPassphrase)
	b.do("investor signs", chromedp.Click(chromedp.CSS("#investor-sign")))
	b.waitText("#investor-signed", "Investor 1 of Example Commercial Bank")
	b.screenshot("console-reseller-order")
	b.do("submit", chromedp.Click(chromedp.CSS("#order-submit")))
	b.waitText("#order-result", "Order rs-bank:C0002 is pending")
	b.signOut()
	var order struct {
		Status         string `json:"status"`
		Amount         string `json:"amount"`
		InvestorSigned bool   `json:"investor_signed"`
	}
	getAuthJSON(t, ps, devEnv, home, "rs-bank/operator", "order", "rs-bank:C0002", &order)
	if order.Status != "pending" || order.Amount != "10000.00" || !order.InvestorSigned {
		t.Fatalf("the chain's order rs-bank:C0002: %+v", order)
	}

	// The fund manager moves the simulated clock to the cut-off and
	// publishes the NAV of the fund's next NAV date.
	b.signIn(ks("fm-alpha"), "operator", node.DevPassphrase)
	b.waitText("#clock", "SIMULATED")
	b.do("open the fund", chromedp.Navigate(api+"/console/#/funds/000001"), chromedp.WaitVisible(chromedp.CSS("#publish-nav")))
	b.do("advance the clock", chromedp.Click(chromedp.CSS("#next-cutoff")))
	b.waitText("#business-time", "15:00:00")
	date := b.value("#nav-date")
	if want := b.text("#business-time")[:10]; date != want {
		t.Fatalf("the NAV date offered is %q, the business date %q", date, want)
	}
	b.setInput("#nav-value", "1.0123")
	b.do("publish", chromedp.Click(chromedp.CSS("#publish-nav")))
	b.waitText("main", "Published NAV 1.0123 for "+date)
	b.screenshot("console-fund-manager-nav")
	// A NAV for a date a month ahead is refused by the chain: the code and
	// the message show.
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		t.Fatal(err)
	}
	b.setInput("#nav-date", d.AddDate(0, 1, 0).Format("2006-01-02"))
	b.do("publish too early", chromedp.Click(chromedp.CSS("#publish-nav")))
	b.waitText("main .error", "fund/23 nav_out_of_order")
	refusal := b.text("main .error")
	t.Logf("refusal shown: %s", refusal)
	b.signOut()

	// The custodian sees it beside the previous NAV and co-signs.
	b.signIn(ks("cust-trust"), "operator", node.DevPassphrase)
	b.waitText("main", "1.0123")
	b.waitText("main", "+1.23%")
	b.screenshot("console-custodian-review")
	b.do("co-sign", chromedp.Click(chromedp.CSS(`.cosign[data-fund="000001"]`)))
	b.waitText("main", "Co-signed 000001 "+date+" NAV 1.0123")
	b.signOut()

	// The chain says final (read by the test, not the console).
	var navs struct {
		Items []struct{ Date, NAV, Status string } `json:"items"`
	}
	getJSON(t, api+"/v1/q/fund/funds/000001/navs", &navs)
	last := navs.Items[len(navs.Items)-1]
	if last.Date != date || last.NAV != "1.0123" || last.Status != "final" {
		t.Fatalf("the chain's last NAV is %+v, want %s 1.0123 final", last, date)
	}

	// The investor's screen at phone width.
	b.signIn(ks("rs-bank"), "investor-1", node.DevPassphrase)
	b.setInput("#investor-no", "INV001")
	b.do("show the investor", chromedp.Click(chromedp.CSS("main form button")))
	b.waitText("main", "rs-bank:P0001")
	b.do("phone width", chromedp.EmulateViewport(390, 844))
	b.screenshot("console-investor-phone")
	b.do("desktop width", chromedp.EmulateViewport(1280, 800))
	b.signOut()

	browserRiskCancelAndRegulator(t, b, ps, devEnv, home, api)
	personal := browserKYC(t, b, ps, devEnv, home, api)
	browserReconcile(t, b, ps, devEnv, home, api)
	browserManagerRegister(t, b, ps, devEnv, home, api)
	browserLifecycle(t, b, ps, home, api)
	browserAdmin(t, b, ps, devEnv, home, api)
	browserExchange(t, b, ps, devEnv, home, api)
	browserContract(t, b, ps, devEnv, home, api)
	browserGovernance(t, b, ps, devEnv, home, api)
	browserOFD(t, b, ps, devEnv, home, api)
	browserOverview(t, b, home, api)
	browserRestOfTheDay(t, b, ps, devEnv, home, api)

	secrets := map[string]string{}
	for k, v := range personal {
		secrets[k] = v
	}
	for _, r := range append(roles, struct{ org, name, role, shot, sees string }{"regulator", "officer-2", "", "", ""}) {
		for k, v := range keySecrets(t, ks(r.org), r.name) {
			secrets[r.org+"/"+k] = v
		}
	}
	b.noSecretSent(secrets)
	for _, l := range timings {
		t.Log(l)
	}
	if dir := os.Getenv("OTC_CONSOLE_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "timings.txt"), []byte(strings.Join(timings, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// browserRiskCancelAndRegulator continues TestBrowserConsole's day after
// the NAV (business time 15:00, so new orders take the next trade date):
// the investor reads and signs a risk disclosure; a large purchase raises a
// compliance alert; the desk cancels it before its cut-off, the investor
// signing at the counter; a regulator officer works the alert as a case and
// proposes a freeze of the investor's account, which takes effect only when
// a second officer approves it in the console.
func browserRiskCancelAndRegulator(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) {
	t.Helper()
	ks := func(org string) string { return filepath.Join(home, "orgs", org, "keystore") }
	as := func(who string, args ...string) string {
		t.Helper()
		return ps.runEnv(devEnv, time.Minute, append(args, "--home", home, "--as", who)...)
	}

	// The investor signs the risk disclosure of fund 000002 itself.
	disclosure := filepath.Join(t.TempDir(), "risk-disclosure-000002.txt")
	text := "风险揭示书 Risk disclosure of fund 000002\nThe fund may lose value; past performance does not predict future returns.\n"
	if err := os.WriteFile(disclosure, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	b.signIn(ks("rs-bank"), "investor-1", node.DevPassphrase)
	b.setInput("#investor-no", "INV001")
	b.do("show the investor", chromedp.Click(chromedp.CSS("main form button")))
	b.waitText("main", "Risk disclosures")
	b.setSelect("#risk-fund", "000002")
	b.do("open the disclosure", chromedp.SetUploadFiles(chromedp.CSS("#risk-doc"), []string{disclosure}))
	sum := sha256.Sum256([]byte(text))
	b.waitText("#risk-hash", hex.EncodeToString(sum[:]))
	b.waitText("main pre.document", "风险揭示书")
	b.do("read it", chromedp.Click(chromedp.CSS("#risk-read")))
	b.screenshot("console-investor-risk")
	b.do("sign it", chromedp.Click(chromedp.CSS("#risk-sign")))
	b.waitText("#risk-result", "You signed the risk disclosure of 000002")
	b.signOut()

	// A purchase above the large-transaction threshold (500,000.00 for
	// individuals) raises an alert; after the cut-off it is dated the next
	// trade date, so the desk may still cancel it.
	as("rs-bank/operator", "fund", "purchase", "--investor", "INV001", "--fund", "000001", "--amount", "600000.00", "--app-no", "P0003", "--investor-key", "investor-1")
	var p3 struct {
		Status    string `json:"status"`
		TradeDate string `json:"trade_date"`
	}
	getAuthJSON(t, ps, devEnv, home, "rs-bank/operator", "order", "rs-bank:P0003", &p3)
	b.signIn(ks("rs-bank"), "operator", node.DevPassphrase)
	b.setInput("#trade-date", p3.TradeDate)
	b.waitText("main", "rs-bank:P0003")
	b.do("cancel", chromedp.Click(chromedp.CSS(`.cancel-order[data-order="rs-bank:P0003"]`)))
	b.waitText("#cancel-order", "600,000.00 CNY")
	b.do("investor's files", chromedp.SetUploadFiles(chromedp.CSS("#inv-files"), []string{filepath.Join(ks("rs-bank"), "investor-1.key"), filepath.Join(ks("rs-bank"), "investor-1.crt")}))
	b.setInput("#inv-pass", node.DevPassphrase)
	b.do("investor signs the cancellation", chromedp.Click(chromedp.CSS("#investor-sign")))
	b.waitText("#investor-signed", "Investor 1 of Example Commercial Bank")
	b.do("cancel it", chromedp.Click(chromedp.CSS("#cancel-submit")))
	b.waitText("#cancel-result", "Order rs-bank:P0003 is cancelled")
	b.signOut()
	getAuthJSON(t, ps, devEnv, home, "rs-bank/operator", "order", "rs-bank:P0003", &p3)
	if p3.Status != "cancelled" {
		t.Fatalf("the chain's order rs-bank:P0003 is %q after the console's cancellation, want cancelled", p3.Status)
	}

	// The first officer works the alert as a case, then proposes a freeze.
	b.signIn(ks("regulator"), "operator", node.DevPassphrase)
	b.waitText("main", "Large transaction")
	b.do("open the case", chromedp.Click(chromedp.CSS(".alert-open")))
	b.waitText("#alert-case", "INV001")
	b.setInput("#alert-note", "source of funds requested from rs-bank")
	b.do("investigate", chromedp.Click(chromedp.CSS("#alert-investigate")))
	b.waitText("#alert-result", "is investigating")
	b.setInput("#alert-note", "salary savings documented; no further action")
	b.do("close", chromedp.Click(chromedp.CSS("#alert-close")))
	b.waitText("#alert-result", "is closed")
	b.waitText("#alert-case", "salary savings documented")
	b.screenshot("console-regulator-alert")
	b.do("interventions", chromedp.Navigate(api+"/console/#/interventions"), chromedp.WaitVisible(chromedp.CSS("#iv-propose")))
	b.setInput("#iv-id", "IV-BROWSER-1")
	b.setSelect("#iv-kind", "account")
	b.setInput("#iv-investor", "INV001")
	b.setInput("#iv-manager", "fm-alpha")
	b.setInput("#iv-reason", "court order 2026-001: freeze pending review")
	b.do("propose", chromedp.Click(chromedp.CSS("#iv-propose")))
	b.waitText("#propose-result", "Proposed IV-BROWSER-1")
	b.waitText("main", "1 of 2")
	b.signOut()

	// Not yet in force: the second officer approves it from the queue.
	freezes := func() string { return as("regulator/operator", "supervise", "freezes") }
	if strings.Contains(freezes(), "INV001") {
		t.Fatal("the freeze is in force after one officer's proposal")
	}
	b.signIn(ks("regulator"), "officer-2", node.DevPassphrase)
	b.do("interventions", chromedp.Navigate(api+"/console/#/interventions"), chromedp.WaitVisible(chromedp.CSS("#iv-propose")))
	b.waitText("main", "IV-BROWSER-1")
	b.do("approve", chromedp.Click(chromedp.CSS(`.approve[data-id="IV-BROWSER-1"]`)))
	b.waitText("#intervention-result", "You approved IV-BROWSER-1: it is in force.")
	b.waitText("main", "account of investor INV001 with fm-alpha")
	b.screenshot("console-regulator-interventions")
	b.signOut()
	if f := freezes(); !strings.Contains(f, "INV001") || !strings.Contains(f, "IV-BROWSER-1") {
		t.Fatalf("the chain's freezes after the second approval:\n%s", f)
	}
}

// void drops an action's value.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// browserKYC registers an investor at the desk's KYC screen: a resident ID
// with a wrong check character is refused in the browser (nothing sent);
// the corrected one is sealed in the browser and registered with a TA
// account in one transaction. The channel and the regulator can open the
// sealed data with the CLI, the fund manager cannot. It returns the
// personal data, which no request may carry.
func browserKYC(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) map[string]string {
	t.Helper()
	ks := func(org string) string { return filepath.Join(home, "orgs", org, "keystore") }
	const name, idNo, phone, address = "李四", "110105195001010012", "13912345678", "北京市朝阳区建国路1号"
	b.signIn(ks("rs-bank"), "operator", node.DevPassphrase)
	b.do("KYC", chromedp.Navigate(api+"/console/#/kyc"), chromedp.WaitVisible(chromedp.CSS("#kyc-submit")))
	b.waitText("#kyc-form", "Alpha Fund Management")
	b.setInput("#kyc-id", "INV900")
	b.setSelect("#kyc-risk", "C3")
	b.setInput("#kyc-name", name)
	b.setSelect("#kyc-id-type", "resident_id")
	b.setInput("#kyc-id-number", idNo[:17]+"3")
	b.setInput("#kyc-phone", phone)
	b.setInput("#kyc-address", address)
	b.do("register with a wrong check character", chromedp.Click(chromedp.CSS("#kyc-submit")))
	b.waitText("#kyc-form .error", "bad_personal_data")
	b.waitText("#kyc-form .error", "check character")
	b.setInput("#kyc-id-number", idNo)
	b.screenshot("console-reseller-kyc")
	b.do("register", chromedp.Click(chromedp.CSS("#kyc-submit")))
	b.waitText("#kyc-result", "Investor INV900 is registered")
	b.waitText("#kyc-result", "with fm-alpha")
	if v := b.value("#kyc-id-number"); v != "" {
		t.Errorf("the ID number is still in the form after registration: %q", v)
	}
	b.waitText("main", "INV900") // the accounts opened today
	b.signOut()

	as := func(who string) string {
		t.Helper()
		return ps.runEnv(devEnv, time.Minute, "fund", "investor", "show", "INV900", "--decrypt", "--home", home, "--as", who)
	}
	for _, who := range []string{"rs-bank/operator", "regulator/operator"} {
		if out := as(who); !strings.Contains(out, name) || !strings.Contains(out, idNo) || !strings.Contains(out, address) {
			t.Fatalf("%s cannot open INV900's personal data:\n%s", who, out)
		}
	}
	if p, ok := ps.try(devEnv, time.Minute, "fund", "investor", "show", "INV900", "--decrypt", "--home", home, "--as", "fm-alpha/operator"); ok || !strings.Contains(p.tail(5), "cannot decrypt") {
		t.Fatalf("fm-alpha and INV900's personal data without a share (exit ok %v):\n%s", ok, p.tail(5))
	}
	var inv struct {
		Channel    string            `json:"channel"`
		Risk       string            `json:"risk"`
		TAAccounts map[string]string `json:"ta_accounts"`
	}
	getAuthJSON(t, ps, devEnv, home, "rs-bank/operator", "investor", "show", "INV900", &inv)
	if inv.Channel != "rs-bank" || inv.Risk != "C3" || inv.TAAccounts["fm-alpha"] == "" {
		t.Fatalf("the chain's INV900: %+v", inv)
	}
	return map[string]string{"the investor's name": name, "the investor's ID number": idNo, "the investor's phone": phone, "the investor's address": address}
}

// browserReconcile compares the TA's register of rs-bank in fund 000001
// (read by the test with otc) with a CSV of the desk's books that has
// INV001 right and an investor the register does not know.
func browserReconcile(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) {
	t.Helper()
	var rec struct {
		Positions []struct{ Investor, Shares string } `json:"positions"`
		Total     string                              `json:"total_shares"`
	}
	getAuthJSON(t, ps, devEnv, home, "rs-bank/operator", "reconciliation", "000001", "--channel", "rs-bank", &rec)
	csv := "\ufeffinvestor,shares\r\n"
	for _, p := range rec.Positions {
		csv += p.Investor + "," + p.Shares + "\r\n"
	}
	if len(rec.Positions) == 0 {
		t.Fatalf("rs-bank holds no shares of 000001: %+v", rec)
	}
	csv += "INV404,100.00\r\n"
	books := filepath.Join(t.TempDir(), "books-000001.csv")
	writeFile(t, books, []byte(csv))
	b.signIn(filepath.Join(home, "orgs", "rs-bank", "keystore"), "operator", node.DevPassphrase)
	b.do("reconciliation", chromedp.Navigate(api+"/console/#/reconcile"), chromedp.WaitVisible(chromedp.CSS("#rec-books")))
	b.setSelect("#rec-fund", "000001")
	b.waitText("#rec-total", groupThousands(rec.Total))
	b.do("the desk's books", chromedp.SetUploadFiles(chromedp.CSS("#rec-books"), []string{books}))
	b.waitText("#rec-summary", fmt.Sprintf("1 of %d differ from the register", len(rec.Positions)+1))
	b.waitText("main", "only in your books")
	b.screenshot("console-reseller-reconciliation")
	b.signOut()
}

// browserManagerRegister: the fund manager's page of fund 000001 shows the
// orders waiting for confirmation as the chain counts them (otc fund
// pending), the register with INV001, and declares a dividend, which the
// test reads back from the chain.
func browserManagerRegister(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) {
	t.Helper()
	var pending struct {
		Orders int `json:"orders"`
	}
	getAuthJSON(t, ps, devEnv, home, "fm-alpha/operator", "pending", "000001", &pending)
	want := fmt.Sprintf("%d orders wait for confirmation", pending.Orders)
	if pending.Orders == 1 {
		want = "1 order waits for confirmation"
	}
	b.signIn(filepath.Join(home, "orgs", "fm-alpha", "keystore"), "operator", node.DevPassphrase)
	b.do("open the fund", chromedp.Navigate(api+"/console/#/funds/000001"), chromedp.WaitVisible(chromedp.CSS("#dividend-form")))
	b.waitText("#pending-total", want)
	b.waitText("main", "Register")
	b.waitText("main", "INV001")
	b.setInput("#div-per-share", "0.0100")
	ex := b.value("#div-ex")
	b.do("declare", chromedp.Click(chromedp.CSS("#div-submit")))
	b.waitText("#div-result", "Dividend with ex-date "+ex+" declared")
	b.screenshot("console-fund-manager-register")
	b.signOut()
	var divs struct {
		Items []struct {
			ExDate   string `json:"ex_date"`
			PerShare string `json:"per_share"`
			Status   string `json:"status"`
		} `json:"items"`
	}
	getAuthJSON(t, ps, devEnv, home, "fm-alpha/operator", "dividends", "000001", &divs)
	if n := len(divs.Items); n == 0 || divs.Items[n-1].ExDate != ex || divs.Items[n-1].PerShare != "0.0100" || divs.Items[n-1].Status != "declared" {
		t.Fatalf("the chain's dividends of 000001: %+v, want ex-date %s 0.0100 declared", divs.Items, ex)
	}
}

// browserLifecycle: the desk follows order rs-bank:C0002 (entered in the
// console, confirmed after the NAV's co-signature) across the
// organisations: each hop names its signer, and the confirmation is the
// chain's own.
func browserLifecycle(t *testing.T, b *browser, ps *procs, home, api string) {
	t.Helper()
	b.signIn(filepath.Join(home, "orgs", "rs-bank", "keystore"), "operator", node.DevPassphrase)
	b.do("lifecycle", chromedp.Navigate(api+"/console/#/explorer/order/rs-bank:C0002"), chromedp.WaitVisible(chromedp.CSS("#lifecycle")))
	b.waitText(`[data-hop="order"]`, "Purchase received")
	b.waitText(`[data-hop="order"]`, "signed by")
	b.waitText(`[data-hop="order"]`, "of rs-bank")
	b.waitText(`[data-hop="nav"]`, "NAV 1.0123")
	b.waitText(`[data-hop="nav"]`, "of fm-alpha")
	b.waitText(`[data-hop="cosign"]`, "of cust-trust")
	b.waitText(`[data-hop="confirm"]`, "Confirmed")
	b.waitText(`[data-hop="confirm"]`, "by the chain itself")
	b.screenshot("console-explorer-lifecycle")
	// The confirmation's evidence certificate, made by the node, downloaded
	// by the page and read back with the independent tools.
	pdf := b.download("the confirmation's certificate", chromedp.Click(chromedp.CSS(`.certificate[data-hop="confirm"]`)), ".pdf")
	readCertificate(t, ps, pdf, filepath.Join(home, "node0", "config", "genesis.json"), "rs-bank:C0002", "000001", "9,732.51")
	// The explorer's block list pages back.
	b.waitText("main", "Blocks")
	b.do("older blocks", chromedp.Click(chromedp.CSS("#blocks-older")))
	b.waitText("main", "Newest")
	b.signOut()
}

// download runs click and waits for the file it makes chromium save (with
// the suffix), returning its path.
func (b *browser) download(what string, click chromedp.Action[chromedp.Void], suffix string) string {
	b.t.Helper()
	dir := b.t.TempDir()
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		b.t.Fatalf("allow downloads: %v", err)
	}
	b.do(what, click)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ms, _ := filepath.Glob(filepath.Join(dir, "*"+suffix))
		if len(ms) == 1 {
			if fi, err := os.Stat(ms[0]); err == nil && fi.Size() > 0 {
				return ms[0]
			}
		}
		time.Sleep(200 * time.Millisecond) // polling the download directory, not a timing assertion
	}
	b.t.Fatalf("%s: no %s file downloaded in %s", what, suffix, dir)
	return ""
}

// browserAdmin: fm-beta's admin registers a certificate its CA issued for
// 20 days (made with otc), sees the expiry warning, and revokes it with a
// reason; the chain says revoked.
func browserAdmin(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) {
	t.Helper()
	orgDir := filepath.Join(home, "orgs", "fm-beta")
	tmp := t.TempDir()
	ks := filepath.Join(tmp, "ks")
	ps.runEnv(devEnv, time.Minute, "keys", "new", "temp", "--keystore", ks, "--alg", "p256")
	cert := filepath.Join(tmp, "temp.crt")
	ps.runEnv(devEnv, time.Minute, "ca", "issue", "--ca", filepath.Join(orgDir, "ca.pem"), "--ca-key", "ca", "--keystore", filepath.Join(orgDir, "keystore"),
		"--role", "fund_manager", "--name", "Temp operator", "--pubkey-from", "temp", "--pubkey-keystore", ks, "--days", "20", "--out", cert)
	b.signIn(filepath.Join(orgDir, "keystore"), "admin", node.DevPassphrase)
	b.waitText("main", "Identities of fm-beta")
	b.do("the certificate", chromedp.SetUploadFiles(chromedp.CSS("#cert-file"), []string{cert}))
	b.do("register it", chromedp.Click(chromedp.CSS("#cert-submit")))
	b.waitText("#cert-result", "temp.crt is registered")
	b.waitText("#expiry-warning", "Temp operator (expires in")
	b.screenshot("console-admin-identities")
	id := b.attr(`.revoke[data-name="Temp operator"]`, "data-id")
	b.do("revoke", chromedp.Click(chromedp.CSS(`.revoke[data-name="Temp operator"]`)))
	b.setInput("#revoke-reason", "test certificate, no longer needed")
	b.do("sign and revoke", chromedp.Click(chromedp.CSS("#revoke-submit")))
	b.waitText("#revoke-result", "Temp operator is revoked")
	b.signOut()
	var rec struct {
		Status        string `json:"status"`
		RevokedReason string `json:"revoked_reason"`
	}
	getJSON(t, api+"/v1/q/member/identities/"+id, &rec)
	if rec.Status != "revoked" || rec.RevokedReason != "test certificate, no longer needed" {
		t.Fatalf("the chain's identity %s: %+v", id, rec)
	}
}

// browserExchange: fm-alpha's operator sends rs-bank a small file (inline
// in the tx) and one of 300 KB (stored on the node as a blob), both
// encrypted in the browser; rs-bank's operator opens each from its inbox,
// the browser checks the signature and the hash, and accepts the first and
// rejects the second with a reason; the chain has both verdicts.
func browserExchange(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) {
	t.Helper()
	dir := t.TempDir()
	small := filepath.Join(dir, "nav-20261208.csv")
	writeFile(t, small, []byte("fund,date,nav\n000001,2026-12-08,1.0123\n# 净值文件 Alpha Fund Management\n"))
	large := filepath.Join(dir, "reconciliation.bin")
	big := make([]byte, 300_000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	writeFile(t, large, big)
	ks := func(org string) string { return filepath.Join(home, "orgs", org, "keystore") }
	records := map[string]string{}
	b.signIn(ks("fm-alpha"), "operator", node.DevPassphrase)
	for _, f := range []string{small, large} {
		b.do("data exchange", chromedp.Navigate(api+"/console/#/exchange"), chromedp.WaitVisible(chromedp.CSS(`.send-to[data-org="rs-bank"]`)))
		b.do("to rs-bank", chromedp.Click(chromedp.CSS(`.send-to[data-org="rs-bank"]`)))
		b.setSelect("#send-category", "nav")
		b.do("the file", chromedp.SetUploadFiles(chromedp.CSS("#send-file-input"), []string{f}))
		b.do("send", chromedp.Click(chromedp.CSS("#send-submit")))
		b.waitText("#send-result", "Sent "+filepath.Base(f)+" as record ")
		m := regexp.MustCompile(`as record (\S+) `).FindStringSubmatch(b.text("#send-result"))
		if m == nil {
			t.Fatalf("no record id in %q", b.text("#send-result"))
		}
		records[filepath.Base(f)] = m[1]
	}
	b.screenshot("console-exchange-outbox")
	b.signOut()

	b.signIn(ks("rs-bank"), "operator", node.DevPassphrase)
	for name, id := range records {
		b.do("inbox", chromedp.Navigate(api+"/console/#/exchange"), chromedp.WaitVisible(chromedp.CSS(`.open-record[data-record="`+id+`"]`)))
		b.do("open "+name, chromedp.Click(chromedp.CSS(`.open-record[data-record="`+id+`"]`)))
		b.do("decrypt", chromedp.WaitVisible(chromedp.CSS("#record-open")), chromedp.Click(chromedp.CSS("#record-open")))
		b.waitText("#record-checked", "the sender's signature verifies with fm-alpha's registered key")
		if name == filepath.Base(small) {
			b.waitText("#record-view pre.document", "净值文件")
			b.screenshot("console-exchange-received")
			b.do("accept", chromedp.Click(chromedp.CSS("#record-accept")))
			b.waitText("#ack-result", "Accepted")
		} else {
			b.waitText("#record-checked", "300,000 bytes")
			b.setInput("#reject-reason", "wrong period")
			b.do("reject", chromedp.Click(chromedp.CSS("#record-reject")))
			b.waitText("#ack-result", "Rejected")
		}
	}
	b.signOut()
	for name, id := range records {
		var v struct {
			Blob *struct{ Hash string } `json:"blob"`
			Acks []struct {
				Accepted bool   `json:"accepted"`
				Reason   string `json:"reason"`
				Org      string `json:"org"`
			} `json:"acks"`
		}
		out := ps.runEnv(devEnv, time.Minute, "exchange", "show", id, "--home", home, "--as", "rs-bank/operator")
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("otc exchange show %s: %v\n%s", id, err, out)
		}
		wantAccepted := name == filepath.Base(small)
		if len(v.Acks) != 1 || v.Acks[0].Org != "rs-bank" || v.Acks[0].Accepted != wantAccepted || (!wantAccepted && v.Acks[0].Reason != "wrong period") || (v.Blob != nil) == wantAccepted {
			t.Fatalf("the chain's record %s (%s): %s", id, name, out)
		}
	}
}

// browserContract: a distribution agreement drafted by fm-alpha with
// rs-bank (the document sealed in the browser), reviewed by both
// organisations' admins, and signed by both operators with their
// organisations' seals, all in the console; the chain says effective.
func browserContract(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) {
	t.Helper()
	ks := func(org string) string { return filepath.Join(home, "orgs", org, "keystore") }
	doc := filepath.Join(t.TempDir(), "distribution-agreement.txt")
	writeFile(t, doc, []byte("基金销售代理协议 Distribution agreement\nAlpha Fund Management appoints Example Commercial Bank to sell fund 000001.\n"))
	open := func(org, who string) {
		t.Helper()
		b.signIn(ks(org), who, node.DevPassphrase)
		b.do("contracts", chromedp.Navigate(api+"/console/#/contracts"), chromedp.WaitVisible(chromedp.CSS(`.open-contract[data-contract="DA-B1"]`)))
		b.do("open DA-B1", chromedp.Click(chromedp.CSS(`.open-contract[data-contract="DA-B1"]`)), chromedp.WaitVisible(chromedp.CSS("#contract-view #contract-status")))
	}
	b.signIn(ks("fm-alpha"), "operator", node.DevPassphrase)
	b.do("contracts", chromedp.Navigate(api+"/console/#/contracts"), chromedp.WaitVisible(chromedp.CSS("#contract-create")))
	b.setSelect("#contract-type", "distribution_agreement")
	b.setInput("#contract-id", "DA-B1")
	b.setInput("#contract-title", "Distribution agreement 000001 代销协议")
	b.setSelect("#party-0", "fm-alpha")
	b.setSelect("#party-1", "rs-bank")
	b.do("the document", chromedp.SetUploadFiles(chromedp.CSS("#contract-file"), []string{doc}))
	b.do("create", chromedp.Click(chromedp.CSS("#contract-create")))
	b.waitText("#contract-created", "Contract DA-B1 drafted")
	b.signOut()
	for _, r := range []struct{ org, stage string }{{"fm-alpha", "legal"}, {"rs-bank", "counterparty_legal"}} {
		open(r.org, "admin")
		b.waitText("#contract-review", "stage “"+r.stage+"”")
		b.setInput("#review-comment", "approved by "+r.org)
		b.do("approve", chromedp.Click(chromedp.CSS("#review-approve")))
		b.waitText("#contract-view", "approved by "+r.org)
		b.signOut()
	}
	for _, org := range []string{"fm-alpha", "rs-bank"} {
		open(org, "operator")
		b.waitText("#contract-sign", "Sign version 1")
		b.do("seal files", chromedp.SetUploadFiles(chromedp.CSS("#seal-files"), []string{filepath.Join(ks(org), "seal.key"), filepath.Join(ks(org), "seal.crt")}))
		b.setInput("#seal-pass", node.DevPassphrase)
		b.do("sign and stamp", chromedp.Click(chromedp.CSS("#contract-sign-submit")))
		if org == "fm-alpha" {
			b.waitText("#contract-status", "signing")
			b.waitText("#contract-view", "with seal")
		} else {
			b.waitText("#contract-status", "effective")
			b.do("download", chromedp.Click(chromedp.CSS("#contract-view table button.secondary")))
			b.waitText("#contract-doc", "matches the signed hash")
			b.waitText("#contract-view pre.document", "基金销售代理协议")
			b.screenshot("console-contract")
		}
		b.signOut()
	}
	var c struct {
		Status   string `json:"status"`
		Versions []struct {
			Signatures []struct {
				Org  string `json:"org"`
				Seal string `json:"seal"`
			} `json:"signatures"`
		} `json:"versions"`
	}
	out := ps.runEnv(devEnv, time.Minute, "contract", "show", "DA-B1", "--home", home, "--as", "regulator/operator")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("otc contract show DA-B1: %v\n%s", err, out)
	}
	if c.Status != "effective" || len(c.Versions) != 1 || len(c.Versions[0].Signatures) != 2 || c.Versions[0].Signatures[0].Seal == "" || c.Versions[0].Signatures[1].Seal == "" {
		t.Fatalf("the chain's DA-B1: %s", out)
	}
}

// browserGovernance: fm-alpha's admin proposes a longer voting period
// (otc gov propose); rs-bank's admin reads the action field by field in the
// console and votes yes; the chain has the ballot.
func browserGovernance(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) {
	t.Helper()
	var params map[string]any
	getJSON(t, api+"/v1/q/gov/params", &params)
	params["voting_period"] = 1209600
	raw, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	ps.runEnv(devEnv, time.Minute, "gov", "propose", "--id", "P-B1", "--title", "Two-week voting period", "--action", "gov/set_params="+string(raw), "--home", home, "--as", "fm-alpha/admin")
	b.signIn(filepath.Join(home, "orgs", "rs-bank", "keystore"), "admin", node.DevPassphrase)
	b.do("governance", chromedp.Navigate(api+"/console/#/governance"), chromedp.WaitVisible(chromedp.CSS(`.open-proposal[data-proposal="P-B1"]`)))
	b.waitText("#node-health", "in sync")
	b.do("open P-B1", chromedp.Click(chromedp.CSS(`.open-proposal[data-proposal="P-B1"]`)), chromedp.WaitVisible(chromedp.CSS("#vote-yes")))
	b.waitText("#proposal-view", "voting_period")
	b.waitText("#proposal-view", "1,209,600")
	b.do("vote yes", chromedp.Click(chromedp.CSS("#vote-yes")))
	b.waitText("#vote-result", "Voted yes")
	b.screenshot("console-governance")
	b.signOut()
	var p struct {
		Votes []struct{ Org, Vote string } `json:"votes"`
	}
	out := ps.runEnv(devEnv, time.Minute, "gov", "show", "P-B1", "--home", home, "--as", "rs-bank/admin")
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("otc gov show P-B1: %v\n%s", err, out)
	}
	found := false
	for _, v := range p.Votes {
		found = found || (v.Org == "rs-bank" && v.Vote == "yes")
	}
	if !found {
		t.Fatalf("rs-bank's ballot is not on the chain: %s", out)
	}
}

// browserOFD: the desk uploads a GB/T 39595 03 file (written here with
// package ofd; an import names investors by their chain id in
// TransactionAccountID) of three purchases for INV900 (registered at the
// console's KYC; INV001's account is frozen by now), a periodic purchase (039) the
// mapper refuses and a purchase for a transaction account the chain does
// not know; the page shows each record's check, sends the mapped ones in a
// batch and shows the chain's answer per record; the chain has the orders.
func browserOFD(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) {
	t.Helper()
	day := time.Now().In(time.FixedZone("CST", 8*3600)).Format("20060102")
	var buf bytes.Buffer
	fields := []string{"AppSheetSerialNo", "FundCode", "TransactionDate", "TransactionAccountID", "DistributorCode", "ApplicationAmount", "BusinessCode"}
	recs := []map[string]string{
		{"AppSheetSerialNo": "OFDB1", "ApplicationAmount": "1000.00"},
		{"AppSheetSerialNo": "OFDB2", "ApplicationAmount": "2000.00"},
		{"AppSheetSerialNo": "OFDB3", "ApplicationAmount": "3000.00"},
		{"AppSheetSerialNo": "OFDB4", "ApplicationAmount": "500.00", "BusinessCode": "039"},
		{"AppSheetSerialNo": "OFDB5", "ApplicationAmount": "4000.00", "TransactionAccountID": "INV404"},
	}
	w, err := ofd.NewWriter(&buf, ofd.Header{Version: "21", Creator: "rs-bank", Receiver: "fm-alpha", Date: day, FileType: "03", Fields: fields, Count: len(recs)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		full := map[string]string{"FundCode": "000001", "TransactionDate": day, "TransactionAccountID": "INV900", "DistributorCode": "rs-bank", "BusinessCode": "022"}
		for k, v := range r {
			full[k] = v
		}
		if err := w.WriteMap(full); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "OFD_rs-bank_fm-alpha_"+day+"_03.TXT")
	writeFile(t, file, buf.Bytes())
	b.signIn(filepath.Join(home, "orgs", "rs-bank", "keystore"), "operator", node.DevPassphrase)
	b.do("file upload", chromedp.Navigate(api+"/console/#/upload"), chromedp.WaitVisible(chromedp.CSS("#ofd-check")))
	b.do("the file", chromedp.SetUploadFiles(chromedp.CSS("#ofd-file"), []string{file}))
	b.do("any date", chromedp.Click(chromedp.CSS("#ofd-any-date")))
	b.do("check", chromedp.Click(chromedp.CSS("#ofd-check")))
	b.waitText("#ofd-summary", "5 records, 4 mapped, 1 refused")
	b.do("send", chromedp.Click(chromedp.CSS("#ofd-submit")))
	b.waitText("#ofd-result", "3 accepted, 1 refused by the chain")
	b.screenshot("console-reseller-upload")
	b.signOut()
	for _, no := range []string{"OFDB1", "OFDB2", "OFDB3"} {
		var o struct{ Status, Amount string }
		getAuthJSON(t, ps, devEnv, home, "rs-bank/operator", "order", "rs-bank:"+no, &o)
		if o.Status != "pending" {
			t.Fatalf("the chain's order rs-bank:%s: %+v", no, o)
		}
	}
}

// browserOverview: the regulator's overview charts the day's volumes per
// fund and reseller, counts the large-transaction alert under its rule,
// shows fund 000001's NAV move and the sandbox table.
func browserOverview(t *testing.T, b *browser, home, api string) {
	t.Helper()
	b.signIn(filepath.Join(home, "orgs", "regulator", "keystore"), "operator", node.DevPassphrase)
	b.do("overview", chromedp.Navigate(api+"/console/#/overview"), chromedp.WaitVisible(chromedp.CSS("#chart-by-fund")))
	b.waitText("#chart-by-channel", "rs-bank")
	b.waitText("main", "large_transaction")
	b.waitText("main", "+1.23%")
	b.waitText("main", "Sandbox")
	b.screenshot("console-regulator-overview")
	// The node's access log: the desk's reads of INV900's personal data
	// (otc fund investor show --decrypt), its hash chain checked in the page.
	b.do("access log", chromedp.Navigate(api+"/console/#/access-log"), chromedp.WaitVisible(chromedp.CSS("#log-chain")))
	b.waitText("#log-chain", "Hash chain intact")
	b.setInput("main input[type=search]", "INV900")
	b.waitText("main", "fund/investors/INV900")
	b.screenshot("console-regulator-access-log")
	b.signOut()
}

// browserRestOfTheDay finishes the whole fund day in the console for
// INV900, the investor registered at KYC 开户 whose purchases came in the
// uploaded 03 file: the manager moves the simulated clock to the next
// cut-off and publishes that day's NAV, the custodian co-signs, the chain
// confirms the purchases; the desk enters a redemption, reviewed with its
// T+1 confirmation date; the next day's NAV and co-signature confirm it;
// the lifecycle view shows it confirmed. The chain is read by the test.
func browserRestOfTheDay(t *testing.T, b *browser, ps *procs, devEnv env, home, api string) {
	t.Helper()
	ks := func(org string) string { return filepath.Join(home, "orgs", org, "keystore") }
	navDay := func(nav string) string {
		t.Helper()
		b.signIn(ks("fm-alpha"), "operator", node.DevPassphrase)
		b.do("open the fund", chromedp.Navigate(api+"/console/#/funds/000001"), chromedp.WaitVisible(chromedp.CSS("#publish-nav")))
		before := b.text("#business-time")
		b.do("next cut-off", chromedp.Click(chromedp.CSS("#next-cutoff")))
		b.do("the clock moved", void(chromedp.Poll[bool](`document.querySelector('#business-time').textContent !== `+strconv.Quote(before), chromedp.WithPollingTimeout(30*time.Second))))
		b.waitText("#business-time", "15:00:00")
		date := b.value("#nav-date")
		if want := b.text("#business-time")[:10]; date != want {
			t.Fatalf("the NAV date offered is %q, the business date %q", date, want)
		}
		b.setInput("#nav-value", nav)
		b.do("publish", chromedp.Click(chromedp.CSS("#publish-nav")))
		b.waitText("main", "Published NAV "+nav+" for "+date)
		b.signOut()
		b.signIn(ks("cust-trust"), "operator", node.DevPassphrase)
		b.do("co-sign", chromedp.Click(chromedp.CSS(`.cosign[data-fund="000001"][data-date="`+date+`"]`)))
		b.waitText("main", "Co-signed 000001 "+date+" NAV "+nav)
		b.signOut()
		return date
	}
	order := func(id string) (o struct {
		Status       string `json:"status"`
		TradeDate    string `json:"trade_date"`
		Confirmation *struct {
			Date   string `json:"date"`
			Shares string `json:"shares"`
		} `json:"confirmation"`
	}) {
		t.Helper()
		getAuthJSON(t, ps, devEnv, home, "rs-bank/operator", "order", id, &o)
		return o
	}
	d1 := navDay("1.0200")
	waitFor(t, "the uploaded purchases confirmed", func() bool { return order("rs-bank:OFDB1").Status == "confirmed" })
	if o := order("rs-bank:OFDB1"); o.TradeDate != d1 || o.Confirmation == nil || o.Confirmation.Date <= d1 {
		t.Fatalf("rs-bank:OFDB1 after the NAV of %s: %+v", d1, o)
	}

	b.signIn(ks("rs-bank"), "operator", node.DevPassphrase)
	b.do("new order", chromedp.Navigate(api+"/console/#/new-order"), chromedp.WaitVisible(chromedp.CSS("#order-review")))
	b.setInput("#order-investor", "INV900")
	b.setSelect("#order-fund", "000001")
	b.setSelect("#order-type", "fund/redeem")
	b.setInput("#order-qty", "500.00")
	b.setInput("#order-appno", "CRED1")
	b.do("review", chromedp.Click(chromedp.CSS("#order-review")))
	b.waitText("#quote-confirmation-date", "(T+1)")
	b.screenshot("console-reseller-redemption")
	b.do("submit", chromedp.Click(chromedp.CSS("#order-submit")))
	b.waitText("#order-result", "Order rs-bank:CRED1 is pending")
	b.signOut()

	d2 := navDay("1.0250")
	waitFor(t, "the redemption confirmed", func() bool { return order("rs-bank:CRED1").Status == "confirmed" })
	if o := order("rs-bank:CRED1"); o.TradeDate != d2 || o.Confirmation == nil || o.Confirmation.Shares != "500.00" || o.Confirmation.Date <= d2 {
		t.Fatalf("rs-bank:CRED1 after the NAV of %s: %+v", d2, o)
	}
	b.signIn(ks("rs-bank"), "operator", node.DevPassphrase)
	b.do("lifecycle", chromedp.Navigate(api+"/console/#/explorer/order/rs-bank:CRED1"), chromedp.WaitVisible(chromedp.CSS("#lifecycle")))
	b.waitText(`[data-hop="order"]`, "Redemption received")
	b.waitText(`[data-hop="nav"]`, "NAV 1.0250")
	b.waitText(`[data-hop="confirm"]`, "Confirmed")
	b.signOut()
}

// waitFor polls cond (the chain, read by the test) until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within a minute", what)
}

// groupThousands writes a decimal string with thousands separators, as the
// console shows it.
func groupThousands(s string) string {
	i := strings.IndexByte(s, '.')
	if i < 0 {
		i = len(s)
	}
	var out []byte
	for j := 0; j < i; j++ {
		if j > 0 && (i-j)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[j])
	}
	return string(out) + s[i:]
}

// getAuthJSON reads an otc fund read command's JSON answer as identity who.
func getAuthJSON(t *testing.T, ps *procs, e env, home, who string, args ...any) {
	t.Helper()
	v := args[len(args)-1]
	cmd := []string{"fund"}
	for _, a := range args[:len(args)-1] {
		cmd = append(cmd, a.(string))
	}
	out := ps.runEnv(e, time.Minute, append(cmd, "--home", home, "--as", who)...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("otc %s: %v\n%s", strings.Join(cmd, " "), err, out)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
