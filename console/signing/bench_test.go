package signing

import (
	"testing"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/keystore"
)

// BenchmarkOpen is what sign-in costs in the signer: decrypting a key file
// and its encryption key file written with the keystore's defaults for real
// keys (scrypt N=2^15, r=8, p=1), then checking the certificate. Run it in
// WebAssembly as the browser does (docs/performance.md, "Console"):
//
//	GOOS=js GOARCH=wasm go test -tags force64bit -exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec" \
//	    -run '^$' -bench Open ./console/signing
func BenchmarkOpen(b *testing.B) {
	for _, alg := range []crypto.Algorithm{crypto.Ed25519, crypto.P256, crypto.SM2} {
		b.Run(string(alg), func(b *testing.B) {
			key, cert, enc, _ := filesWith(b, keystore.DefaultOptions(), alg, true)
			s := NewSigner()
			b.ResetTimer()
			for b.Loop() {
				id, err := s.Open(OpenRequest{Key: key, Cert: cert, Enc: enc, Passphrase: "pw"})
				if err != nil {
					b.Fatal(err)
				}
				s.Forget(id.Handle)
			}
		})
	}
}
