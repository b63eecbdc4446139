// Package console serves the browser consoles: one web application
// (console/web, embedded in the binary) that every node's API serves at
// /console/. The page talks only to the API of the node that served it; the
// user's keys are opened and used in the browser, by the project's own
// signing code compiled to WebAssembly (console/signer, run in a Web
// Worker), and never reach the server.
//
// Assets are plain ES modules with one vendored library (htm + preact,
// console/web/vendor, see console/web/vendor/README.md); there is no build
// step at run time. The generated files (signer.wasm.gz, wasm_exec.js) are
// written by `go run ./console/gen` and checked by a test.
//
// The same handler serves the public proof page at /verify/ (VerifyPrefix):
// one self-contained HTML file generated from console/verify with the
// WebAssembly verifier (console/verifier) inside it, so that a copy saved
// to disk verifies receipts with no network. It is served with its own
// Content-Security-Policy, which allows exactly its inline scripts and
// style by hash (console/verify/csp.txt, written by the generator).
package console

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed web
var webFS embed.FS

//go:embed verify/verify.html.gz
var verifyPage []byte

//go:embed verify/csp.txt
var verifyCSP string

// VerifyPrefix is where the proof page is served.
const VerifyPrefix = "/verify/"

// Prefix is where the console is served.
const Prefix = "/console/"

// CSP is the Content-Security-Policy of every console response: only the
// node's own scripts, workers and API; WebAssembly compilation allowed
// ('wasm-unsafe-eval'); no inline script, no framing, no plugins.
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; " +
	"style-src 'self'; img-src 'self' data: blob:; font-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

type asset struct {
	body []byte
	etag string
	typ  string
	gz   bool // body is gzip-compressed (served with Content-Encoding: gzip)
}

// Handler serves the console under Prefix. Unknown paths under it answer
// the application's page (the page routes by its URL fragment).
type Handler struct {
	assets map[string]*asset // by path under web/, e.g. "app.js"
	verify *asset            // the proof page (gzip)
	csp    string            // the proof page's CSP
}

// New loads the embedded assets.
func New() (*Handler, error) {
	sub, err := fs.Sub(webFS, "web")
	if err != nil {
		return nil, err
	}
	h := &Handler{assets: map[string]*asset{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a := &asset{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		name := p
		if strings.HasSuffix(p, ".gz") {
			name, a.gz = strings.TrimSuffix(p, ".gz"), true
		}
		a.typ = contentType(name)
		h.assets[name] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(verifyPage)
	h.verify = &asset{body: verifyPage, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, typ: contentType("verify.html"), gz: true}
	h.csp = strings.TrimSpace(verifyCSP)
	if !strings.Contains(h.csp, "script-src 'sha256-") {
		return nil, errors.New("console: the proof page's CSP is missing: run go run ./console/gen")
	}
	return h, nil
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".wasm":
		return "application/wasm"
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".md":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	verify := r.URL.Path == strings.TrimSuffix(VerifyPrefix, "/") || strings.HasPrefix(r.URL.Path, VerifyPrefix)
	if verify {
		hdr.Set("Content-Security-Policy", h.csp)
	} else {
		hdr.Set("Content-Security-Policy", CSP)
	}
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == strings.TrimSuffix(Prefix, "/") {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
		return
	}
	var a *asset
	if verify {
		switch r.URL.Path {
		case strings.TrimSuffix(VerifyPrefix, "/"):
			http.Redirect(w, r, VerifyPrefix, http.StatusMovedPermanently)
			return
		case VerifyPrefix, VerifyPrefix + "index.html":
			a = h.verify
		default:
			http.Error(w, "no such page: "+r.URL.Path+" (the proof page is "+VerifyPrefix+")", http.StatusNotFound)
			return
		}
	} else {
		name := strings.TrimPrefix(r.URL.Path, Prefix)
		a = h.assets[name]
		if a == nil || name == "" {
			if path.Ext(name) != "" && name != "index.html" {
				http.Error(w, "no such console file: "+name, http.StatusNotFound)
				return
			}
			a = h.assets["index.html"]
		}
	}
	hdr.Set("Content-Type", a.typ)
	hdr.Set("ETag", a.etag)
	// The page always asks again (it names the versions of the rest);
	// the rest may be kept but must be revalidated, so an upgraded node
	// never runs yesterday's script with today's page.
	hdr.Set("Cache-Control", "no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && match == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gz {
		hdr.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			hdr.Set("Content-Encoding", "gzip")
			hdr.Set("Content-Length", strconv.Itoa(len(body)))
		} else {
			zr, err := gzip.NewReader(bytes.NewReader(a.body))
			if err != nil {
				http.Error(w, "corrupt asset", http.StatusInternalServerError)
				return
			}
			if r.Method == http.MethodGet {
				_, _ = io.Copy(w, zr)
			}
			return
		}
	}
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		return q > 0
	}
	return false
}
