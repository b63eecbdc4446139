package certificate_test

import (
	"testing"

	"github.com/otcchain/otcchain/certificate"
)

// BenchmarkMake is the node's cost of one certificate (the PDF of a
// verified anchor receipt, fonts subset and embedded, QR code drawn), the
// verification not included.
func BenchmarkMake(b *testing.B) {
	raw, _, rep := realReceipt(b)
	if _, err := certificate.Make(certificate.Input{Receipt: raw, Report: rep}); err != nil { // fonts decompressed once
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := certificate.Make(certificate.Input{Receipt: raw, Report: rep, Node: "http://127.0.0.1:26602"})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(c.PDF)))
	}
}
