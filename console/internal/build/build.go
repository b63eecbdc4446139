// Package build makes the console's generated assets: the WebAssembly
// signer (console/signer, gzip-compressed) and Go's wasm_exec.js loader
// that runs it. `go run ./console/gen` writes them into console/web; a test
// rebuilds them and fails when the committed copies are stale.
package build

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// Names of the generated files in console/web.
const (
	SignerFile   = "signer.wasm.gz"
	WasmExecFile = "wasm_exec.js"
)

// Signer builds console/signer (the package in dir) for the browser and
// returns the WebAssembly bytes. The flags make the build reproducible:
// the same Go release and sources give the same bytes.
func Signer(dir string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "otc-signer-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "signer.wasm")
	cmd := exec.Command(GoBin(), "build", "-tags", "force64bit", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build the signer for js/wasm: %v\n%s", err, b)
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
