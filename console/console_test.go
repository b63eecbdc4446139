package console_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/console"
	"github.com/otcchain/otcchain/console/internal/build"
)

func get(t *testing.T, h http.Handler, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandler(t *testing.T) {
	h, err := console.New()
	if err != nil {
		t.Fatal(err)
	}
	page := get(t, h, "GET", "/console/", nil)
	if page.Code != 200 || !strings.Contains(page.Body.String(), `<script type="module" src="app.js">`) {
		t.Fatalf("GET /console/: %d\n%s", page.Code, page.Body)
	}
	for _, want := range []string{"script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(page.Header().Get("Content-Security-Policy"), want) {
			t.Errorf("CSP lacks %q: %s", want, page.Header().Get("Content-Security-Policy"))
		}
	}
	if page.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
	// The page's own routes (after #) never reach the server, but a deep
	// link without one still gets the page.
	if r := get(t, h, "GET", "/console/funds", nil); r.Code != 200 || r.Body.String() != page.Body.String() {
		t.Errorf("GET /console/funds: %d", r.Code)
	}
	if r := get(t, h, "GET", "/console", nil); r.Code != http.StatusMovedPermanently || r.Header().Get("Location") != "/console/" {
		t.Errorf("GET /console: %d %s", r.Code, r.Header().Get("Location"))
	}
	if r := get(t, h, "GET", "/console/nothing.js", nil); r.Code != 404 {
		t.Errorf("missing asset: %d", r.Code)
	}
	if r := get(t, h, "POST", "/console/", nil); r.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", r.Code)
	}
	js := get(t, h, "GET", "/console/app.js", nil)
	if js.Code != 200 || !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("app.js: %d %s", js.Code, js.Header().Get("Content-Type"))
	}
	if r := get(t, h, "GET", "/console/app.js", map[string]string{"If-None-Match": js.Header().Get("ETag")}); r.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", r.Code)
	}

	// The signer: gzip as stored for browsers that take it, plain otherwise.
	gz := get(t, h, "GET", "/console/signer.wasm", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if gz.Code != 200 || gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("Content-Type") != "application/wasm" {
		t.Fatalf("signer.wasm (gzip): %d %v", gz.Code, gz.Header())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	wasm, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		t.Fatal("signer.wasm is not WebAssembly")
	}
	for _, enc := range []string{"", "gzip;q=0", "identity"} {
		plain := get(t, h, "GET", "/console/signer.wasm", map[string]string{"Accept-Encoding": enc})
		if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), wasm) {
			t.Errorf("signer.wasm with Accept-Encoding %q: encoding %q, %d bytes", enc, plain.Header().Get("Content-Encoding"), plain.Body.Len())
		}
	}
}

// TestGeneratedAssetsUpToDate: the committed signer.wasm.gz is the build of
// console/signer from these sources, and wasm_exec.js is the running Go
// release's. Run `go run ./console/gen` when it fails.
func TestGeneratedAssetsUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly signer")
	}
	wasm, err := build.Signer("signer")
	if err != nil {
		t.Fatal(err)
	}
	gz, err := os.ReadFile(filepath.Join("web", build.SignerFile))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := build.Gunzip(gz)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wasm, committed) {
		t.Errorf("console/web/%s is not the build of console/signer with %s (%d bytes built, %d committed): run go run ./console/gen", build.SignerFile, runtime.Version(), len(wasm), len(committed))
	}
	js, err := build.WasmExec()
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile(filepath.Join("web", build.WasmExecFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(js, have) {
		t.Errorf("console/web/%s is not the one of %s: run go run ./console/gen", build.WasmExecFile, runtime.Version())
	}

	// The proof page: its sources, the verifier built from console/verifier
	// and wasm_exec.js make exactly the committed page and policy.
	vwasm, err := build.Wasm("verifier")
	if err != nil {
		t.Fatal(err)
	}
	page, csp, err := build.VerifyPage("verify", vwasm, js)
	if err != nil {
		t.Fatal(err)
	}
	pgz, err := os.ReadFile(filepath.Join("verify", build.PageFile))
	if err != nil {
		t.Fatal(err)
	}
	committedPage, err := build.Gunzip(pgz)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page, committedPage) {
		t.Errorf("console/verify/%s is not the page made from console/verify and console/verifier with %s (%d bytes made, %d committed): run go run ./console/gen",
			build.PageFile, runtime.Version(), len(page), len(committedPage))
	}
	committedCSP, err := os.ReadFile(filepath.Join("verify", build.PageCSPFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(committedCSP)) != csp {
		t.Errorf("console/verify/%s is stale: run go run ./console/gen", build.PageCSPFile)
	}
}

// TestVerifyPage: /verify/ serves the one self-contained proof page with a
// policy that allows exactly its inline scripts and style by hash, the
// WebAssembly compiler, and nothing from anywhere else.
func TestVerifyPage(t *testing.T) {
	h, err := console.New()
	if err != nil {
		t.Fatal(err)
	}
	if r := get(t, h, "GET", "/verify", nil); r.Code != http.StatusMovedPermanently || r.Header().Get("Location") != "/verify/" {
		t.Errorf("GET /verify: %d %s", r.Code, r.Header().Get("Location"))
	}
	if r := get(t, h, "GET", "/verify/other.js", nil); r.Code != 404 {
		t.Errorf("GET /verify/other.js: %d", r.Code)
	}
	gz := get(t, h, "GET", "/verify/", map[string]string{"Accept-Encoding": "gzip"})
	plain := get(t, h, "GET", "/verify/", nil)
	if gz.Code != 200 || gz.Header().Get("Content-Encoding") != "gzip" || plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("GET /verify/: %d %v / %d %v", gz.Code, gz.Header(), plain.Code, plain.Header())
	}
	if ct := plain.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	page := plain.Body.String()
	csp := plain.Header().Get("Content-Security-Policy")
	if csp == console.CSP || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "'wasm-unsafe-eval'") {
		t.Fatalf("CSP %s", csp)
	}
	// Every executable inline script and the style are allowed by hash;
	// nothing is loaded from elsewhere.
	scripts := 0
	for _, part := range strings.Split(page, "<script")[1:] {
		attrs, rest, _ := strings.Cut(part, ">")
		body, _, _ := strings.Cut(rest, "</script>")
		if strings.Contains(attrs, "src=") {
			t.Errorf("the page loads a script: <script%s>", attrs)
		}
		if strings.Contains(attrs, `type="application/octet-stream"`) {
			continue // the WebAssembly data block, not run
		}
		scripts++
		if !strings.Contains(csp, "'sha256-"+b64sha256(body)+"'") {
			t.Errorf("the CSP does not allow inline script %d", scripts)
		}
	}
	if scripts != 2 {
		t.Errorf("%d inline scripts, want 2 (wasm_exec.js and the page)", scripts)
	}
	_, style, _ := strings.Cut(page, "<style>")
	style, _, _ = strings.Cut(style, "</style>")
	if !strings.Contains(csp, "style-src 'sha256-"+b64sha256(style)+"'") {
		t.Error("the CSP does not allow the inline style")
	}
	for _, bad := range []string{"<link", "<img", "<iframe", " src=", " href=", "@import", "url("} {
		if strings.Contains(strings.ToLower(style+page[:strings.Index(page, "verifier-wasm")]), bad) {
			t.Errorf("the page refers to an outside resource (%q)", bad)
		}
	}
	// The console keeps its own policy.
	if c := get(t, h, "GET", "/console/", nil); c.Header().Get("Content-Security-Policy") != console.CSP {
		t.Error("the console lost its CSP")
	}
}

func b64sha256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// TestVendoredLibrary: the vendored htm+preact file is the one the README
// names (its SHA-256), so a changed copy cannot pass unnoticed.
func TestVendoredLibrary(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("web", "vendor", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("web", "vendor", "htm-preact-3.1.1.js"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256hex(b)
	if !strings.Contains(string(readme), sum) {
		t.Errorf("web/vendor/README.md does not name the SHA-256 %s of htm-preact-3.1.1.js", sum)
	}
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
