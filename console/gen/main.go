// Command gen writes the console's generated assets: into console/web the
// WebAssembly signer (signer.wasm.gz, built from console/signer) and Go's
// wasm_exec.js; into console/verify the public proof page (verify.html.gz,
// one self-contained HTML file made from page.html, page.css and page.js
// with the WebAssembly verifier built from console/verifier inside it) and
// its Content-Security-Policy (csp.txt). Run it from the repository root
// after changing the signer, the verifier, the page or anything they
// import, or after a Go upgrade:
//
//	go run ./console/gen
//
// TestGeneratedAssetsUpToDate (package console) fails while they are stale.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/otcchain/otcchain/console/internal/build"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	web := filepath.Join("console", "web")
	if _, err := os.Stat(web); err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	wasm, err := build.Signer(filepath.Join("console", "signer"))
	if err != nil {
		return err
	}
	gz, err := build.Gzip(wasm)
	if err != nil {
		return err
	}
	js, err := build.WasmExec()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(web, build.SignerFile), gz, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(web, build.WasmExecFile), js, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes, %d uncompressed) and %s\n", filepath.Join(web, build.SignerFile), len(gz), len(wasm), filepath.Join(web, build.WasmExecFile))

	dir := filepath.Join("console", "verify")
	vwasm, err := build.Wasm(filepath.Join("console", "verifier"))
	if err != nil {
		return err
	}
	page, csp, err := build.VerifyPage(dir, vwasm, js)
	if err != nil {
		return err
	}
	pgz, err := build.Gzip(page)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, build.PageFile), pgz, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, build.PageCSPFile), []byte(csp+"\n"), 0o644); err != nil {
		return err
	}
	vgz, err := build.Gzip(vwasm)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes, %d uncompressed; verifier %d bytes, %d gzip) and %s\n",
		filepath.Join(dir, build.PageFile), len(pgz), len(page), len(vwasm), len(vgz), filepath.Join(dir, build.PageCSPFile))
	return nil
}
