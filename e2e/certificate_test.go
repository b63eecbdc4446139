package e2e_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/certificate"
)

// readCertificate checks an evidence certificate PDF with independent
// tools, as cmd/otc's readBack does: pdftotext shows every wanted text,
// pdftoppm renders it, zbarimg decodes a QR code that ParseQR accepts,
// whose sha256 is that of the receipt pdfdetach extracts, and otc verify
// verifies that receipt from genesis. Without the tools it only logs,
// unless OTC_REQUIRE_PDFTOOLS=1 makes that a failure.
func readCertificate(t *testing.T, ps *procs, pdf, genesis string, want ...string) {
	t.Helper()
	tools := map[string]string{}
	for _, name := range []string{"pdftotext", "pdftoppm", "pdfdetach", "zbarimg"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if os.Getenv("OTC_REQUIRE_PDFTOOLS") == "1" {
				t.Fatalf("%s is missing (OTC_REQUIRE_PDFTOOLS=1): install poppler-utils and zbar-tools", name)
			}
			t.Logf("%s is missing: the certificate %s is not read back", name, pdf)
			return
		}
		tools[name] = p
	}
	out := func(name string, args ...string) string {
		t.Helper()
		b, err := exec.Command(tools[name], args...).Output()
		if err != nil {
			t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
		}
		return string(b)
	}
	text := out("pdftotext", "-enc", "UTF-8", pdf, "-")
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("pdftotext %s lacks %q:\n%s", pdf, w, text)
		}
	}
	dir := t.TempDir()
	out("pdftoppm", "-png", "-r", "150", pdf, filepath.Join(dir, "page"))
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	var payload string
	for _, p := range pages {
		if b, err := exec.Command(tools["zbarimg"], "--raw", "-q", p).Output(); err == nil && len(b) > 0 {
			payload = strings.TrimSuffix(string(b), "\n")
			break
		}
	}
	ref, err := certificate.ParseQR(payload)
	if err != nil {
		t.Fatalf("the QR code of %s (%d pages rendered): %v", pdf, len(pages), err)
	}
	receipt := filepath.Join(dir, "receipt.json")
	out("pdfdetach", "-save", "1", "-o", receipt, pdf)
	b, err := os.ReadFile(receipt)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != ref.SHA256 {
		t.Errorf("the QR code says receipt SHA-256 %s, the attached receipt has %x", ref.SHA256, sum)
	}
	if v := ps.run(time.Minute, "verify", receipt, "--genesis", genesis); !strings.Contains(v, "receipt verifies") {
		t.Errorf("otc verify of the attached receipt:\n%s", v)
	}
}
