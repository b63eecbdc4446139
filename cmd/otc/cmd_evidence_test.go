package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/certificate"
	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/tx"
)

// pdfTools returns the paths of the tools that read certificates back,
// skipping the test when one is missing unless OTC_REQUIRE_PDFTOOLS=1
// (scripts/test sets it), which makes a missing tool a failure.
func pdfTools(t *testing.T) map[string]string {
	t.Helper()
	tools, missing := lookPDFTools()
	if missing != "" {
		if os.Getenv("OTC_REQUIRE_PDFTOOLS") == "1" {
			t.Fatalf("%s is missing (OTC_REQUIRE_PDFTOOLS=1): install poppler-utils and zbar-tools", missing)
		}
		t.Skipf("%s is missing: install poppler-utils and zbar-tools (or set OTC_REQUIRE_PDFTOOLS=1 to fail)", missing)
	}
	return tools
}

// pdfToolsIfAny is pdfTools for a test that goes on without them: nil
// when one is missing (a failure under OTC_REQUIRE_PDFTOOLS=1).
func pdfToolsIfAny(t *testing.T) map[string]string {
	t.Helper()
	tools, missing := lookPDFTools()
	if missing != "" {
		if os.Getenv("OTC_REQUIRE_PDFTOOLS") == "1" {
			t.Fatalf("%s is missing (OTC_REQUIRE_PDFTOOLS=1): install poppler-utils and zbar-tools", missing)
		}
		t.Logf("%s is missing: certificates are not read back", missing)
		return nil
	}
	return tools
}

func lookPDFTools() (map[string]string, string) {
	out := map[string]string{}
	for _, name := range []string{"pdftotext", "pdftoppm", "pdfdetach", "zbarimg"} {
		p, err := exec.LookPath(name)
		if err != nil {
			return nil, name
		}
		out[name] = p
	}
	return out, ""
}

func tool(t *testing.T, path string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(path), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// readBack checks a certificate PDF with independent tools: pdftotext shows
// every wanted field, pdftoppm renders page 1, zbarimg decodes its QR code
// into a payload ParseQR accepts, whose SHA-256 is that of the receipt
// pdfdetach extracts, and otc verify verifies that receipt. It returns the
// payload and the path of the extracted receipt.
func readBack(t *testing.T, tools map[string]string, pdf, genesis string, want ...string) (certificate.Ref, string) {
	t.Helper()
	dir := t.TempDir()
	text := tool(t, tools["pdftotext"], "-enc", "UTF-8", pdf, "-")
	flat := strings.Join(strings.Fields(text), " ") // a value may wrap
	for _, w := range want {
		if !strings.Contains(text, w) && !strings.Contains(flat, w) {
			t.Errorf("pdftotext lacks %q:\n%s", w, text)
		}
	}
	tool(t, tools["pdftoppm"], "-png", "-r", "150", "-f", "1", "-l", "1", pdf, filepath.Join(dir, "page"))
	pngs, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pngs) != 1 {
		t.Fatalf("pdftoppm wrote %v", pngs)
	}
	// zbarimg finds the QR code on whichever page the layout put it.
	tool(t, tools["pdftoppm"], "-png", "-r", "150", pdf, filepath.Join(dir, "all"))
	all, _ := filepath.Glob(filepath.Join(dir, "all*.png"))
	var payload string
	for _, p := range all {
		cmd := exec.Command(tools["zbarimg"], "--raw", "-q", p)
		if b, err := cmd.Output(); err == nil && len(b) > 0 {
			payload = strings.TrimSuffix(string(b), "\n")
			break
		}
	}
	if payload == "" {
		t.Fatalf("zbarimg found no QR code in %v", all)
	}
	ref, err := certificate.ParseQR(payload)
	if err != nil {
		t.Fatalf("ParseQR(%q): %v", payload, err)
	}
	receipt := filepath.Join(dir, "receipt.json")
	tool(t, tools["pdfdetach"], "-save", "1", "-o", receipt, pdf)
	b, err := os.ReadFile(receipt)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != ref.SHA256 {
		t.Errorf("the QR code's receipt SHA-256 is %s, the attached receipt's %x", ref.SHA256, sum)
	}
	if !strings.Contains(text, ref.SHA256) {
		t.Errorf("pdftotext lacks the receipt SHA-256 %s", ref.SHA256)
	}
	out := mustRun(t, nil, "verify", receipt, "--genesis", genesis)
	if !strings.Contains(out, "receipt verifies") {
		t.Errorf("otc verify of the extracted receipt:\n%s", out)
	}
	return ref, receipt
}

// TestEvidencePDF makes the certificate of a real otc dev receipt (an
// evidence/anchor tx; certificate/testdata) with otc evidence pdf and
// reads it back with pdftotext, pdftoppm, zbarimg and pdfdetach; a
// tampered receipt is refused and nothing is written.
func TestEvidencePDF(t *testing.T) {
	tools := pdfTools(t)
	src := filepath.Join("..", "..", "certificate", "testdata")
	receipt, genesis := filepath.Join(src, "receipt.json"), filepath.Join(src, "genesis.json")
	b, err := os.ReadFile(receipt)
	if err != nil {
		t.Fatal(err)
	}
	r, err := proof.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	env, err := tx.Decode(r.Tx)
	if err != nil {
		t.Fatal(err)
	}
	txHash := strings.ToUpper(hex.EncodeToString(r.Tx.Hash()))
	pdf := filepath.Join(t.TempDir(), "cert.pdf")
	out := mustRun(t, nil, "evidence", "pdf", receipt, "--genesis", genesis, "--out", pdf,
		"--identity", env.SignerID()+"=张伟@rs-bank", "--org", "rs-bank=招商银行股份有限公司")
	sum := sha256.Sum256(b)
	for _, w := range []string{"tx certificate written to " + pdf, hex.EncodeToString(sum[:])} {
		if !strings.Contains(out, w) {
			t.Errorf("otc evidence pdf output lacks %q:\n%s", w, out)
		}
	}
	ref, _ := readBack(t, tools, pdf, genesis,
		"交易存证证明", "Transaction record certificate", "招商银行股份有限公司 (rs-bank)", "张伟", "otcchain-dev", txHash,
		"evidence/anchor", "contract.txt", "China time (UTC+8)", "simulated", "1 of 1 validators", "otc verify receipt.json", "/verify/")
	if ref.TxHash != txHash || ref.Height != r.Height || ref.ChainID != r.ChainID || ref.Fetch != "/v1/receipts/"+txHash {
		t.Errorf("QR payload %+v", ref)
	}

	// A tampered receipt: its result code changed. Refused, nothing written.
	bad := bytes.Replace(b, []byte(`"code":0`), []byte(`"code":1`), 1)
	if bytes.Equal(bad, b) {
		t.Fatal("could not tamper with the receipt")
	}
	badFile := filepath.Join(t.TempDir(), "tampered.json")
	if err := os.WriteFile(badFile, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	badPDF := filepath.Join(t.TempDir(), "bad.pdf")
	_, err = run(t, context.Background(), nil, "evidence", "pdf", badFile, "--genesis", genesis, "--out", badPDF)
	if err == nil || !strings.Contains(err.Error(), "does NOT verify") || !strings.Contains(err.Error(), "no certificate written") {
		t.Errorf("tampered receipt: %v", err)
	}
	if _, err := os.Stat(badPDF); err == nil {
		t.Error("a certificate was written for a tampered receipt")
	}
	if _, err := run(t, context.Background(), nil, "evidence", "pdf", receipt, "--out", badPDF); err == nil || !strings.Contains(err.Error(), "no trust root") {
		t.Errorf("no trust root: %v", err)
	}
	if _, err := run(t, context.Background(), nil, "evidence", "pdf", receipt, "--genesis", genesis, "--out", badPDF, "--node", "ftp://x"); err == nil || !strings.Contains(err.Error(), "--node") {
		t.Errorf("--node ftp://x: %v", err)
	}

	// The other trust root of otc verify, a checkpoint; a node URL for the
	// QR code.
	checkpoint := filepath.Join("..", "..", "console", "verifying", "testdata", "checkpoint.json")
	pdf2 := filepath.Join(t.TempDir(), "cert2.pdf")
	if out := mustRun(t, nil, "evidence", "pdf", receipt, "--trusted-header", checkpoint, "--out", pdf2, "--node", "http://node.example:26680/"); !strings.Contains(out, "trust root header") {
		t.Errorf("with --trusted-header:\n%s", out)
	}
	if ref, _ := readBack(t, tools, pdf2, genesis, "header"); ref.Fetch != "http://node.example:26680/v1/receipts/"+txHash {
		t.Errorf("QR fetch %q", ref.Fetch)
	}
}
