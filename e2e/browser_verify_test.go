package e2e_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/otcchain/otcchain/node"
)

// TestBrowserVerify drives the public proof page (/verify/) in chromium
// with a real receipt from otc dev: a document anchored by fm-alpha, its
// receipt (GET /v1/receipts/{hash} via otc receipt) and the network's
// genesis.json from disk. It checks, served by the node: the good document
// is Verified with the right height and tx hash; a changed document names
// the hash mismatch; a receipt with one tx byte changed names the
// transaction proof; "this node's genesis" verifies too. Then the same page,
// saved to a file and opened from disk, verifies the good case without any
// network request.
func TestBrowserVerify(t *testing.T) {
	chromiumPath(t)
	ps := newProcs(t)
	home := filepath.Join(ps.dir, "dev")
	_, sum := startDev(t, ps, home)
	api := sum.apis[0]
	devEnv := env{"OTC_PASSPHRASE=" + node.DevPassphrase}

	// A document, anchored, and its receipt.
	dir := t.TempDir()
	doc := filepath.Join(dir, "fund-contract-2026.txt")
	writeFile(t, doc, []byte("Fund contract 000001, version 3\nparties: fm-alpha, cust-trust\n"))
	out := ps.runEnv(devEnv, time.Minute, "anchor", doc, "--home", home, "--as", "fm-alpha/operator", "--note", "signed copy")
	var txHash string
	var height int64
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 5 && f[0] == "committed" && f[2] == "at" && f[3] == "height" {
			txHash = strings.ToUpper(f[1])
			height, _ = strconv.ParseInt(f[4], 10, 64)
		}
	}
	if txHash == "" || height == 0 {
		t.Fatalf("otc anchor printed no tx hash and height:\n%s", out)
	}
	receipt := filepath.Join(dir, "receipt.json")
	ps.run(time.Minute, "receipt", txHash, "--api", api, "--out", receipt)
	genesis := filepath.Join(home, "node0", "config", "genesis.json")
	if _, err := os.Stat(genesis); err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(dir, "fund-contract-2026-changed.txt")
	writeFile(t, changed, []byte("Fund contract 000001, version 4\nparties: fm-alpha, cust-trust\n"))
	tampered := filepath.Join(dir, "receipt-tampered.json")
	writeFile(t, tampered, tamperTx(t, receipt))

	b := newBrowser(t, api)
	b.do("open /verify", chromedp.Navigate(api+"/verify"))
	b.waitVerifier()
	t.Logf("served page: the verifier started in %s ms", b.attr("body", "data-load-ms"))
	if !strings.HasSuffix(b.location(), "/verify/") {
		t.Fatalf("/verify went to %s", b.location())
	}

	// 1. Good document, receipt and genesis file: Verified, with what.
	b.upload("#receipt", receipt)
	b.upload("#trust", genesis)
	b.upload("#document", doc)
	b.verify(true)
	for _, want := range []string{"Verified", "height " + strconv.FormatInt(height, 10), txHash, "evidence/anchor", "fund-contract-2026.txt",
		"SHA256", "UTC", "China time (UTC+8)", "10 of 10 voting power", "fm-alpha-node0", "your file genesis.json"} {
		b.waitText("#result", want)
	}
	b.screenshot("verify")
	b.do("phone width", chromedp.EmulateViewport(390, 844))
	b.screenshot("verify-phone")
	b.do("desktop width", chromedp.EmulateViewport(1280, 800))

	// 2. A changed document: the receipt verifies, the document does not.
	b.upload("#document", changed)
	b.verify(false)
	b.waitText("#failed-step", "The document does not match the receipt")
	b.waitText("#failure-detail", "is not in the committed transaction")
	b.waitText("#result", "The receipt itself verifies")
	b.screenshot("verify-changed-file")

	// 3. A tampered receipt (one tx byte, in the tx and its proof's data).
	b.upload("#receipt", tampered)
	b.upload("#document", doc)
	b.verify(false)
	b.waitText("#failed-step", "The transaction is not proven to be in the block")
	b.waitText("#failure-detail", "tx proof does not match header data hash at height "+strconv.FormatInt(height, 10))
	if got := b.attr("#failed-step", "data-step"); got != "tx_proof" {
		t.Fatalf("failed step %q, want tx_proof", got)
	}
	b.screenshot("verify-tampered")

	// 3b. The evidence certificate PDF in place of the receipt (made with
	// otc evidence pdf): the page verifies the receipt attached to it.
	cert := filepath.Join(dir, "certificate.pdf")
	ps.run(time.Minute, "evidence", "pdf", receipt, "--genesis", genesis, "--out", cert)
	b.upload("#receipt", cert)
	b.upload("#document", doc)
	b.verify(true)
	b.waitText("#result", "the receipt attached to the evidence certificate PDF")
	b.waitText("#result", txHash)
	b.waitText("#result", "fund-contract-2026.txt")
	b.screenshot("verify-certificate")

	// 4. This node's genesis as trust root (fetched from GET /v1/genesis).
	b.upload("#receipt", receipt)
	b.do("trust this node", chromedp.Click(chromedp.CSS("#trust-kind-node")))
	b.waitText("#trust-chosen", "genesis of 127.0.0.1:")
	b.verify(true)
	b.waitText("#result", "the genesis of the node 127.0.0.1:")
	b.waitText("#result", txHash)

	// 5. The page saved to disk and opened from there: no node, no network.
	res, err := http.Get(api + "/verify/")
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /verify/: %s %v", res.Status, err)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'sha256-", "'wasm-unsafe-eval'", "default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("/verify/ CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(string(page), "src=\"http") {
		t.Errorf("the page allows inline script or loads something from outside")
	}
	saved := filepath.Join(dir, "otcchain-verify.html")
	writeFile(t, saved, page)
	b.mu.Lock()
	b.requests = nil
	b.mu.Unlock()
	b.do("open the saved page", chromedp.Navigate("file://"+saved))
	b.waitVerifier()
	t.Logf("saved page (%d bytes): the verifier started in %s ms", len(page), b.attr("body", "data-load-ms"))
	if b.visible("#trust-choice") {
		t.Error("the saved page offers a node's genesis")
	}
	b.upload("#receipt", receipt)
	b.upload("#trust", genesis)
	b.upload("#document", doc)
	b.verify(true)
	b.waitText("#result", txHash)
	b.waitText("#result", "fund-contract-2026.txt")
	b.waitText("footer", "Opened from disk")
	b.mu.Lock()
	for _, r := range b.requests {
		if !strings.HasPrefix(r.url, "file://") {
			t.Errorf("the saved page sent %s %s", r.method, r.url)
		}
	}
	b.mu.Unlock()
	b.screenshot("verify-from-disk")
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tamperTx changes one byte of the receipt's tx, in the tx and in its
// proof's data alike (so only the Merkle proof can tell).
func tamperTx(t *testing.T, receipt string) []byte {
	t.Helper()
	raw, err := os.ReadFile(receipt)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	tx, err := base64.StdEncoding.DecodeString(m["tx"].(string))
	if err != nil {
		t.Fatal(err)
	}
	tx[len(tx)/2] ^= 0x01
	v := base64.StdEncoding.EncodeToString(tx)
	m["tx"] = v
	m["tx_proof"].(map[string]any)["data"] = v
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitVerifier waits until the page's WebAssembly verifier has started.
func (b *browser) waitVerifier() {
	b.t.Helper()
	b.do("the verifier to load", void(chromedp.Poll[bool](`document.body && document.body.dataset.verifier === 'ready'`, chromedp.WithPollingTimeout(60*time.Second))))
}

func (b *browser) upload(sel, file string) {
	b.t.Helper()
	name := filepath.Base(file)
	b.do("choose "+name+" in "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{file}))
	b.waitText(sel+"-chosen", name)
}

// verify presses Verify and waits for the verdict.
func (b *browser) verify(ok bool) {
	b.t.Helper()
	want := "result bad"
	if ok {
		want = "result ok"
	}
	b.do("press Verify", void(chromedp.Poll[bool](`!document.querySelector('#verify').disabled`, chromedp.WithPollingTimeout(30*time.Second))),
		chromedp.Click(chromedp.CSS("#verify")))
	js := fmt.Sprintf(`(() => { const r = document.querySelector('#result'); return !r.hidden && r.className === %q; })()`, want)
	b.do("wait for "+want, void(chromedp.Poll[bool](js, chromedp.WithPollingTimeout(60*time.Second))))
}

func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).getAttribute(%q) || ''`, sel, name)))
	if err != nil {
		b.t.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return v
}

func (b *browser) visible(sel string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && !e.hidden && e.offsetParent !== null; })()`, sel)))
	if err != nil {
		b.t.Fatalf("visibility of %s: %v", sel, err)
	}
	return v
}

func (b *browser) location() string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}
