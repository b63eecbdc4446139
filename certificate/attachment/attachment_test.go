package attachment_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/certificate"
	"github.com/otcchain/otcchain/certificate/attachment"
	"github.com/otcchain/otcchain/console/verifying"
	"github.com/otcchain/otcchain/proof"
)

// certificatePDF makes a real certificate of the test receipt.
func certificatePDF(t testing.TB) (pdf, receipt []byte) {
	t.Helper()
	rb, err := os.ReadFile("../testdata/receipt.json")
	if err != nil {
		t.Fatal(err)
	}
	gb, err := os.ReadFile("../testdata/genesis.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := proof.Unmarshal(rb)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := verifying.ParseTrust(gb)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := proof.Verify(r, trust)
	if err != nil {
		t.Fatal(err)
	}
	c, err := certificate.Make(certificate.Input{Receipt: rb, Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	return c.PDF, rb
}

// TestReceipt reads the receipt back from a certificate byte for byte, and
// refuses what is not a certificate, with the reason.
func TestReceipt(t *testing.T) {
	pdf, want := certificatePDF(t)
	got, err := attachment.Receipt(pdf)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Receipt: %v (%d bytes, want %d)", err, len(got), len(want))
	}
	at := bytes.Index(pdf, []byte("stream\n")) + len("stream\n") + 20
	flipped := append([]byte(nil), pdf...)
	flipped[at] ^= 0x55
	for _, c := range []struct {
		name string
		pdf  []byte
		want string
	}{
		{"a receipt", want, "not a PDF"},
		{"no attachment", []byte("%PDF-1.3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"), "no attached file"},
		{"truncated", pdf[:at], "past the end"},
		{"corrupted", flipped, "attached file"},
		{"two files", append(append([]byte(nil), pdf...), pdf[bytes.Index(pdf, []byte("3 0 obj")):]...), "2 attached files"},
	} {
		if _, err := attachment.Receipt(c.pdf); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}

func FuzzReceipt(f *testing.F) {
	pdf, _ := certificatePDF(f)
	f.Add(pdf)
	f.Add([]byte("%PDF-1.3\n<< /Type /EmbeddedFile /Length 3 >>\nstream\nabc\nendstream"))
	f.Add([]byte("%PDF-1.3\n<< /Type /EmbeddedFile /Length 99999999 /Filter /FlateDecode >>\nstream\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := attachment.Receipt(b)
		if err == nil && len(out) > attachment.MaxReceipt {
			t.Fatalf("%d bytes returned", len(out))
		}
	})
}
