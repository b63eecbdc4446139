// Package build makes the console's generated assets: the WebAssembly
// signer (console/signer, gzip-compressed) and Go's wasm_exec.js loader
// that runs it, and the public proof page (one self-contained HTML file
// with the WebAssembly verifier, console/verifier, inside it, and its
// Content-Security-Policy). `go run ./console/gen` writes them; a test
// rebuilds them and fails when the committed copies are stale.
package build

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Names of the generated files in console/web.
const (
	SignerFile   = "signer.wasm.gz"
	WasmExecFile = "wasm_exec.js"
)

// Names of the proof page's sources and generated files in console/verify.
const (
	PageTemplate = "page.html"
	PageStyle    = "page.css"
	PageScript   = "page.js"
	PageFile     = "verify.html.gz" // the generated page, gzip-compressed
	PageCSPFile  = "csp.txt"        // its Content-Security-Policy
)

// Signer builds console/signer (the package in dir) for the browser and
// returns the WebAssembly bytes. The flags make the build reproducible:
// the same Go release and sources give the same bytes.
func Signer(dir string) ([]byte, error) { return Wasm(dir) }

// Wasm builds the main package in dir for the browser (GOOS=js
// GOARCH=wasm) reproducibly and returns the WebAssembly bytes.
func Wasm(dir string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "otc-wasm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "main.wasm")
	cmd := exec.Command(GoBin(), "build", "-tags", "force64bit", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build %s for js/wasm: %v\n%s", dir, err, b)
	}
	return os.ReadFile(out)
}

// WasmExec returns the wasm_exec.js of the Go release that builds the
// signer (the two must match).
func WasmExec() ([]byte, error) {
	return os.ReadFile(filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"))
}

// GoBin is the go command of the running toolchain.
func GoBin() string { return filepath.Join(runtime.GOROOT(), "bin", "go") }

// Gzip compresses b deterministically (no name, no time in the header).
func Gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Gunzip decompresses b.
func Gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// VerifyPage makes the proof page from its sources in srcDir (PageTemplate,
// PageStyle, PageScript), the verifier's WebAssembly and wasm_exec.js: one
// HTML file with everything inline (a copy saved to disk works with no
// network), the WebAssembly gzip-compressed and base64-encoded in a data
// block. It returns the page and its Content-Security-Policy, which allows
// exactly the page's inline style and scripts by their SHA-256.
//
// The template holds the markers <!--CSP-->, <!--STYLE-->, <!--WASM_EXEC-->,
// <!--SCRIPT--> and <!--WASM-->, each once.
func VerifyPage(srcDir string, wasm, wasmExec []byte) (page []byte, csp string, err error) {
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(srcDir, name))
		return string(b), err
	}
	tmpl, err := read(PageTemplate)
	if err != nil {
		return nil, "", err
	}
	style, err := read(PageStyle)
	if err != nil {
		return nil, "", err
	}
	script, err := read(PageScript)
	if err != nil {
		return nil, "", err
	}
	gz, err := Gzip(wasm)
	if err != nil {
		return nil, "", err
	}
	for name, s := range map[string]string{PageStyle: style, PageScript: script, WasmExecFile: string(wasmExec)} {
		if strings.Contains(strings.ToLower(s), "</script") || strings.Contains(strings.ToLower(s), "</style") {
			return nil, "", fmt.Errorf("verify page: %s contains a closing tag and cannot be inlined", name)
		}
	}
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	// The meta copy of the policy (for a copy opened from disk) cannot
	// carry frame-ancestors; the served header adds it.
	policy := "default-src 'none'; script-src " + hash(string(wasmExec)) + " " + hash(script) + " 'wasm-unsafe-eval'; " +
		"style-src " + hash(style) + "; connect-src 'self'; img-src 'none'; font-src 'none'; worker-src 'none'; " +
		"form-action 'none'; base-uri 'none'"
	out := tmpl
	for _, r := range []struct{ marker, with string }{
		{"<!--CSP-->", `<meta http-equiv="Content-Security-Policy" content="` + policy + `">`},
		{"<!--STYLE-->", "<style>" + style + "</style>"},
		{"<!--WASM_EXEC-->", "<script>" + string(wasmExec) + "</script>"},
		{"<!--SCRIPT-->", "<script>" + script + "</script>"},
		{"<!--WASM-->", `<script type="application/octet-stream" id="verifier-wasm" data-encoding="gzip+base64">` + base64.StdEncoding.EncodeToString(gz) + "</script>"},
	} {
		if strings.Count(out, r.marker) != 1 {
			return nil, "", fmt.Errorf("verify page: %s must hold %s once", PageTemplate, r.marker)
		}
		out = strings.Replace(out, r.marker, r.with, 1)
	}
	return []byte(out), policy + "; frame-ancestors 'none'", nil
}
