package certificate_test

import (
	"strings"
	"testing"

	"github.com/otcchain/otcchain/certificate"
)

var (
	txHash = strings.Repeat("5F", 32)
	sum    = strings.Repeat("ab", 32)
)

func TestQRRoundTrip(t *testing.T) {
	for _, r := range []certificate.Ref{
		{ChainID: "otcchain-dev", Height: 8, TxHash: txHash, SHA256: sum, Fetch: "/v1/receipts/" + txHash},
		{ChainID: "otcchain-dev", Height: 8, TxHash: txHash, SHA256: sum, Fetch: "http://127.0.0.1:26680/v1/receipts/" + txHash},
		{ChainID: "c", Height: 1, OutcomeKey: "fund/confirmation/rs-bank:P1", SHA256: sum, Fetch: "https://node.example/api/v1/outcomes/fund/confirmation/rs-bank:P1"},
		{ChainID: "c", Height: 1, OutcomeKey: "fund/payout/a b", SHA256: sum, Fetch: certificate.ReceiptPath("", "fund/payout/a b")},
	} {
		got, err := certificate.ParseQR(r.String())
		if err != nil || got != r {
			t.Errorf("ParseQR(%q) = %+v, %v; want %+v", r.String(), got, err, r)
		}
	}
}

func TestParseQRRefuses(t *testing.T) {
	good := certificate.Ref{ChainID: "otcchain-dev", Height: 8, TxHash: txHash, SHA256: sum, Fetch: "/v1/receipts/" + txHash}.String()
	for _, c := range []struct{ in, want string }{
		{"", "not an otcchain certificate QR code"},
		{"https://example.com/", "not an otcchain certificate QR code"},
		{strings.Replace(good, "/1", "/2", 1), `version "otcchain-certificate/2"`},
		{good + "\nextra: x", `unknown field "extra"`},
		{good + "\nchain: x", `"chain" given twice`},
		{good + "\nnot a field", "is not \"name: value\""},
		{strings.Replace(good, "\nheight: 8", "", 1), `no "height" field`},
		{strings.Replace(good, "height: 8", "height: 08", 1), "not a positive integer"},
		{strings.Replace(good, "height: 8", "height: -1", 1), "not a positive integer"},
		{strings.Replace(good, "tx: ", "outcome: ", 1), "does not end in the receipt's path"},
		{good + "\noutcome: fund/x", "both a tx and an outcome"},
		{strings.Replace(good, "\ntx: "+txHash, "", 1), "neither a tx nor an outcome"},
		{strings.Replace(good, "tx: "+txHash, "tx: "+strings.ToLower(txHash), 1), "64 upper-case hex"},
		{strings.Replace(good, sum, sum[:60], 1), "64 lowercase hex"},
		{strings.Replace(good, "fetch: /v1", "fetch: ftp://x/v1", 1), "neither an API path nor an http(s) URL"},
		{strings.Replace(good, "fetch: /v1/receipts/", "fetch: /v1/receipts/00", 1), "does not end in the receipt's path"},
		{strings.Replace(good, "chain: otcchain-dev", "chain:  otcchain-dev", 1), "padded"},
		{good + strings.Repeat("x", certificate.MaxQRBytes), "exceeds"},
		{"\xff", "not UTF-8"},
	} {
		_, err := certificate.ParseQR(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseQR(%q): %v, want %q", c.in, err, c.want)
		}
	}
}

// FuzzParseQR: ParseQR never panics, and what it accepts prints back to
// itself.
func FuzzParseQR(f *testing.F) {
	f.Add(certificate.Ref{ChainID: "otcchain-dev", Height: 8, TxHash: txHash, SHA256: sum, Fetch: "/v1/receipts/" + txHash}.String())
	f.Add(certificate.Ref{ChainID: "c", Height: 1, OutcomeKey: "fund/confirmation/rs-bank:P1", SHA256: sum, Fetch: "http://n/v1/outcomes/fund/confirmation/rs-bank:P1"}.String())
	f.Add("otcchain-certificate/1\n")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := certificate.ParseQR(s)
		if err != nil {
			return
		}
		r2, err := certificate.ParseQR(r.String())
		if err != nil || r2 != r {
			t.Fatalf("accepted %q, but its String %q gives %+v, %v", s, r.String(), r2, err)
		}
	})
}
