package crypto_test

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"

	"github.com/otcchain/otcchain/crypto"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func genKey(t testing.TB, alg crypto.Algorithm) crypto.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey(alg)
	if err != nil {
		t.Fatalf("GenerateKey(%s): %v", alg, err)
	}
	return k
}

func sign(t testing.TB, k crypto.PrivateKey, msg []byte) []byte {
	t.Helper()
	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatalf("Sign(%s): %v", k.Algorithm(), err)
	}
	return sig
}

func TestParseAlgorithm(t *testing.T) {
	tests := []struct {
		in      string
		want    crypto.Algorithm
		wantErr bool
	}{
		{"ed25519", crypto.Ed25519, false},
		{"p256", crypto.P256, false},
		{"sm2", crypto.SM2, false},
		{"SM2", "", true},
		{"P-256", "", true},
		{"secp256k1", "", true},
		{"", "", true},
		{" sm2", "", true},
	}
	for _, tt := range tests {
		got, err := crypto.ParseAlgorithm(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseAlgorithm(%q) = %q, %v; want %q, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "crypto: ") {
			t.Errorf("error %q is not prefixed by the package", err)
		}
	}
	for _, a := range crypto.Algorithms() {
		if got, err := crypto.ParseAlgorithm(string(a)); err != nil || got != a {
			t.Errorf("ParseAlgorithm(%q) = %q, %v", a, got, err)
		}
	}
}

func TestSignVerify(t *testing.T) {
	msgs := [][]byte{nil, {}, []byte("a"), []byte("otcchain/tx/v1\x00 transfer 100 shares"), bytes.Repeat([]byte{0xab}, 10000)}
	for _, alg := range crypto.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			k := genKey(t, alg)
			pub := k.Public()
			if k.Algorithm() != alg || pub.Algorithm() != alg {
				t.Fatalf("algorithm = %s/%s, want %s", k.Algorithm(), pub.Algorithm(), alg)
			}
			for _, msg := range msgs {
				sig := sign(t, k, msg)
				if !pub.Verify(msg, sig) {
					t.Fatalf("valid signature over %d bytes refused", len(msg))
				}
			}

			msg := []byte("subscribe 1000.00 CNY of fund F001")
			sig := sign(t, k, msg)

			// Tampered message: flip every bit position of a few bytes.
			for _, i := range []int{0, len(msg) / 2, len(msg) - 1} {
				for bit := 0; bit < 8; bit++ {
					m := bytes.Clone(msg)
					m[i] ^= 1 << bit
					if pub.Verify(m, sig) {
						t.Fatalf("tampered message (byte %d bit %d) accepted", i, bit)
					}
				}
			}
			if pub.Verify(append(bytes.Clone(msg), 0), sig) {
				t.Fatal("extended message accepted")
			}
			if pub.Verify(msg[:len(msg)-1], sig) {
				t.Fatal("truncated message accepted")
			}

			// Tampered signature: every byte flipped, truncations, extension.
			for i := range sig {
				s := bytes.Clone(sig)
				s[i] ^= 0x01
				if pub.Verify(msg, s) {
					t.Fatalf("signature with byte %d flipped accepted", i)
				}
			}
			for n := 0; n < len(sig); n++ {
				if pub.Verify(msg, sig[:n]) {
					t.Fatalf("signature truncated to %d bytes accepted", n)
				}
			}
			if pub.Verify(msg, append(bytes.Clone(sig), 0)) {
				t.Fatal("signature with a trailing byte accepted")
			}

			// Another key of the same algorithm.
			other := genKey(t, alg).Public()
			if other.Verify(msg, sig) {
				t.Fatal("signature verified under another key")
			}
		})
	}
}

func TestSignaturesAreRandomisedButVerify(t *testing.T) {
	// P256 and SM2 use a fresh nonce per signature; both must verify.
	for _, alg := range []crypto.Algorithm{crypto.P256, crypto.SM2} {
		k := genKey(t, alg)
		msg := []byte("same message")
		a, b := sign(t, k, msg), sign(t, k, msg)
		if bytes.Equal(a, b) {
			t.Errorf("%s: two signatures of the same message are identical", alg)
		}
		if !k.Public().Verify(msg, a) || !k.Public().Verify(msg, b) {
			t.Errorf("%s: signature refused", alg)
		}
	}
	// Ed25519 is deterministic.
	k := genKey(t, crypto.Ed25519)
	if !bytes.Equal(sign(t, k, []byte("m")), sign(t, k, []byte("m"))) {
		t.Error("ed25519 signatures differ")
	}
}

func TestCrossAlgorithmRefused(t *testing.T) {
	msg := []byte("cross-algorithm")
	keys := map[crypto.Algorithm]crypto.PrivateKey{}
	sigs := map[crypto.Algorithm][]byte{}
	for _, alg := range crypto.Algorithms() {
		keys[alg] = genKey(t, alg)
		sigs[alg] = sign(t, keys[alg], msg)
	}
	for _, signer := range crypto.Algorithms() {
		for _, verifier := range crypto.Algorithms() {
			if signer == verifier {
				continue
			}
			if keys[verifier].Public().Verify(msg, sigs[signer]) {
				t.Errorf("%s signature accepted by a %s key", signer, verifier)
			}
		}
	}

	// The same 32-byte scalar is a key on both P-256 and SM2; a signature
	// under one scheme must not verify under the other.
	scalar := keys[crypto.SM2].Bytes()
	asP256, err := crypto.PrivateKeyFromBytes(crypto.P256, scalar)
	if err != nil {
		t.Skipf("scalar not valid on P-256: %v", err)
	}
	if asP256.Public().Verify(msg, sigs[crypto.SM2]) {
		t.Error("sm2 signature accepted by the p256 key of the same scalar")
	}
	if keys[crypto.SM2].Public().Verify(msg, sign(t, asP256, msg)) {
		t.Error("p256 signature accepted by the sm2 key of the same scalar")
	}

	// A public key's bytes read as the other curve: refused at decoding, or
	// at least never verifying.
	for _, pair := range [][2]crypto.Algorithm{{crypto.SM2, crypto.P256}, {crypto.P256, crypto.SM2}} {
		from, to := pair[0], pair[1]
		pk, err := crypto.PublicKeyFromBytes(to, keys[from].Public().Bytes())
		if err == nil && pk.Verify(msg, sigs[from]) {
			t.Errorf("%s public key bytes read as %s verified a %s signature", from, to, from)
		}
	}
}

func TestKeyEncodingRoundTrip(t *testing.T) {
	wantPubLen := map[crypto.Algorithm]int{crypto.Ed25519: 32, crypto.P256: 65, crypto.SM2: 65}
	for _, alg := range crypto.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			k := genKey(t, alg)
			raw := k.Bytes()
			if len(raw) != crypto.PrivateKeySize {
				t.Fatalf("private key is %d bytes", len(raw))
			}
			k2, err := crypto.PrivateKeyFromBytes(alg, raw)
			if err != nil {
				t.Fatalf("PrivateKeyFromBytes: %v", err)
			}
			if !k2.Public().Equal(k.Public()) || !bytes.Equal(k2.Bytes(), raw) {
				t.Fatal("private key does not round trip")
			}
			// A signature by the decoded key verifies under the original.
			if !k.Public().Verify([]byte("x"), sign(t, k2, []byte("x"))) {
				t.Fatal("decoded key signs differently")
			}

			pub := k.Public()
			pb := pub.Bytes()
			if len(pb) != wantPubLen[alg] {
				t.Fatalf("public key is %d bytes, want %d", len(pb), wantPubLen[alg])
			}
			pub2, err := crypto.PublicKeyFromBytes(alg, pb)
			if err != nil {
				t.Fatalf("PublicKeyFromBytes: %v", err)
			}
			if !pub2.Equal(pub) || !pub.Equal(pub2) {
				t.Fatal("public key does not round trip")
			}
			pub3, err := crypto.PublicKeyFromStd(pub.Std())
			if err != nil {
				t.Fatalf("PublicKeyFromStd: %v", err)
			}
			if !pub3.Equal(pub) {
				t.Fatal("PublicKeyFromStd does not round trip")
			}
			// Bytes returns a copy.
			pb[len(pb)-1] ^= 0xff
			if bytes.Equal(pub.Bytes(), pb) {
				t.Fatal("Bytes exposes the key's internal storage")
			}
			rb := k.Bytes()
			rb[0] ^= 0xff
			if bytes.Equal(k.Bytes(), rb) {
				t.Fatal("private Bytes exposes internal storage")
			}
		})
	}
}

func TestStdTypes(t *testing.T) {
	for _, alg := range crypto.Algorithms() {
		k := genKey(t, alg)
		signer := k.Signer()
		stdPub := k.Public().Std()
		if got, err := crypto.PublicKeyFromStd(signer.Public()); err != nil || !got.Equal(k.Public()) {
			t.Errorf("%s: Signer().Public() does not match Public(): %v", alg, err)
		}
		switch alg {
		case crypto.Ed25519:
			if _, ok := signer.(ed25519.PrivateKey); !ok {
				t.Errorf("ed25519 signer is %T", signer)
			}
			if _, ok := stdPub.(ed25519.PublicKey); !ok {
				t.Errorf("ed25519 std public key is %T", stdPub)
			}
		case crypto.P256:
			if s, ok := signer.(*ecdsa.PrivateKey); !ok || s.Curve != elliptic.P256() {
				t.Errorf("p256 signer is %T", signer)
			}
			if p, ok := stdPub.(*ecdsa.PublicKey); !ok || p.Curve != elliptic.P256() {
				t.Errorf("p256 std public key is %T", stdPub)
			}
		case crypto.SM2:
			if _, ok := signer.(*sm2.PrivateKey); !ok {
				t.Errorf("sm2 signer is %T", signer)
			}
			if !sm2.IsSM2PublicKey(stdPub) {
				t.Errorf("sm2 std public key is %T", stdPub)
			}
		}
	}
}

// The std signer must produce signatures in the package's scheme when used
// the way certificate libraries use it.
func TestStdSignerInterop(t *testing.T) {
	msg := []byte("tbs certificate")

	ek := genKey(t, crypto.Ed25519)
	sig, err := ek.Signer().Sign(rand.Reader, msg, stdcrypto.Hash(0))
	if err != nil || !ek.Public().Verify(msg, sig) {
		t.Errorf("ed25519 std signer: %v", err)
	}

	pk := genKey(t, crypto.P256)
	h := sha256.Sum256(msg)
	sig, err = pk.Signer().Sign(rand.Reader, h[:], stdcrypto.SHA256)
	if err != nil || !pk.Public().Verify(msg, sig) {
		t.Errorf("p256 std signer: %v", err)
	}

	sk := genKey(t, crypto.SM2)
	sig, err = sk.Signer().Sign(rand.Reader, msg, sm2.DefaultSM2SignerOpts)
	if err != nil || !sk.Public().Verify(msg, sig) {
		t.Errorf("sm2 std signer: %v", err)
	}
	// And our signatures verify with the library's own verifier, including
	// over an empty message (which the library refuses to sign itself).
	ours := sign(t, sk, msg)
	if !sm2.VerifyASN1WithSM2(sk.Public().Std().(*ecdsa.PublicKey), []byte("1234567812345678"), msg, ours) {
		t.Error("sm2 signature does not verify with the explicit default uid")
	}
	if !sm2.VerifyASN1WithSM2(sk.Public().Std().(*ecdsa.PublicKey), nil, nil, sign(t, sk, nil)) {
		t.Error("sm2 signature of an empty message does not verify with the library")
	}
	if sm2.VerifyASN1WithSM2(sk.Public().Std().(*ecdsa.PublicKey), []byte("another-user-id"), msg, ours) {
		t.Error("sm2 signature verifies with another uid")
	}
}

func TestPrivateKeyFromBytesRefuses(t *testing.T) {
	p256N := elliptic.P256().Params().N.FillBytes(make([]byte, 32))
	sm2N := sm2.P256().Params().N.FillBytes(make([]byte, 32))
	sm2NMinus1 := new(big.Int).Sub(sm2.P256().Params().N, big.NewInt(1)).FillBytes(make([]byte, 32))
	zero := make([]byte, 32)
	ff := bytes.Repeat([]byte{0xff}, 32)
	tests := []struct {
		name string
		alg  crypto.Algorithm
		b    []byte
	}{
		{"ed25519 short", crypto.Ed25519, make([]byte, 31)},
		{"ed25519 expanded 64-byte key", crypto.Ed25519, make([]byte, 64)},
		{"ed25519 nil", crypto.Ed25519, nil},
		{"p256 short", crypto.P256, make([]byte, 31)},
		{"p256 long", crypto.P256, make([]byte, 33)},
		{"p256 zero", crypto.P256, zero},
		{"p256 order", crypto.P256, p256N},
		{"p256 all ones", crypto.P256, ff},
		{"sm2 short", crypto.SM2, make([]byte, 31)},
		{"sm2 zero", crypto.SM2, zero},
		{"sm2 order", crypto.SM2, sm2N},
		{"sm2 order-1", crypto.SM2, sm2NMinus1},
		{"sm2 all ones", crypto.SM2, ff},
		{"unknown algorithm", "rsa", make([]byte, 32)},
	}
	for _, tt := range tests {
		if k, err := crypto.PrivateKeyFromBytes(tt.alg, tt.b); err == nil {
			t.Errorf("%s: accepted, public key %x", tt.name, k.Public().Bytes())
		} else if !strings.HasPrefix(err.Error(), "crypto: ") {
			t.Errorf("%s: error %q not prefixed", tt.name, err)
		}
	}
}

// smallOrderEd25519 are the y coordinates of the Ed25519 points of small
// order, canonical and non-canonical (libsodium's blocklist).
var smallOrderEd25519 = []string{
	"0000000000000000000000000000000000000000000000000000000000000000", // order 4
	"0100000000000000000000000000000000000000000000000000000000000000", // identity
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p-1, order 2
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p = 0, order 4
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p+1 = 1, identity
}

func TestPublicKeyFromBytesRefuses(t *testing.T) {
	p256 := genKey(t, crypto.P256).Public().Bytes()
	sm2k := genKey(t, crypto.SM2).Public().Bytes()
	offCurve := func(b []byte) []byte {
		c := bytes.Clone(b)
		c[len(c)-1] ^= 0x01
		return c
	}
	compressed := func(b []byte) []byte {
		c := append([]byte{0x02 + b[64]&1}, b[1:33]...)
		return c
	}
	hybrid := func(b []byte) []byte {
		c := bytes.Clone(b)
		c[0] = 0x06 + b[64]&1
		return c
	}
	big65 := append([]byte{0x04}, bytes.Repeat([]byte{0xff}, 64)...)
	inf := make([]byte, 65)

	tests := []struct {
		name string
		alg  crypto.Algorithm
		b    []byte
	}{
		{"ed25519 empty", crypto.Ed25519, nil},
		{"ed25519 short", crypto.Ed25519, make([]byte, 31)},
		{"ed25519 long", crypto.Ed25519, make([]byte, 33)},
		{"ed25519 not on curve", crypto.Ed25519, notOnCurveEd25519(t)},
		{"p256 empty", crypto.P256, nil},
		{"p256 short", crypto.P256, p256[:64]},
		{"p256 long", crypto.P256, append(bytes.Clone(p256), 0)},
		{"p256 compressed", crypto.P256, compressed(p256)},
		{"p256 hybrid", crypto.P256, hybrid(p256)},
		{"p256 off curve", crypto.P256, offCurve(p256)},
		{"p256 coordinates >= p", crypto.P256, big65},
		{"p256 infinity", crypto.P256, inf},
		{"p256 single zero", crypto.P256, []byte{0}},
		{"sm2 empty", crypto.SM2, nil},
		{"sm2 compressed", crypto.SM2, compressed(sm2k)},
		{"sm2 hybrid", crypto.SM2, hybrid(sm2k)},
		{"sm2 off curve", crypto.SM2, offCurve(sm2k)},
		{"sm2 coordinates >= p", crypto.SM2, big65},
		{"sm2 infinity", crypto.SM2, inf},
		{"unknown algorithm", "secp256k1", p256},
	}
	for _, s := range smallOrderEd25519 {
		b := mustHex(t, s)
		tests = append(tests, struct {
			name string
			alg  crypto.Algorithm
			b    []byte
		}{"ed25519 small order " + s[:8], crypto.Ed25519, b})
		neg := bytes.Clone(b)
		neg[31] |= 0x80
		tests = append(tests, struct {
			name string
			alg  crypto.Algorithm
			b    []byte
		}{"ed25519 small order (sign bit) " + s[:8], crypto.Ed25519, neg})
	}
	for _, tt := range tests {
		if _, err := crypto.PublicKeyFromBytes(tt.alg, tt.b); err == nil {
			t.Errorf("%s: accepted", tt.name)
		} else if !strings.HasPrefix(err.Error(), "crypto: ") {
			t.Errorf("%s: error %q not prefixed", tt.name, err)
		}
	}
}

// notOnCurveEd25519 finds an encoding whose y has no x on the curve, using
// Euler's criterion (independent of the package's square-root check).
func notOnCurveEd25519(t testing.TB) []byte {
	t.Helper()
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	d := new(big.Int).Mul(big.NewInt(-121665), new(big.Int).ModInverse(big.NewInt(121666), p))
	d.Mod(d, p)
	exp := new(big.Int).Rsh(new(big.Int).Sub(p, big.NewInt(1)), 1)
	for y := int64(2); y < 1000; y++ {
		yy := big.NewInt(y * y)
		u := new(big.Int).Sub(yy, big.NewInt(1))
		v := new(big.Int).Add(new(big.Int).Mul(d, yy), big.NewInt(1))
		w := new(big.Int).Mul(u, new(big.Int).ModInverse(v, p))
		w.Mod(w, p)
		if w.Sign() != 0 && new(big.Int).Exp(w, exp, p).Cmp(big.NewInt(1)) != 0 {
			b := make([]byte, 32)
			b[0], b[1] = byte(y), byte(y>>8)
			return b
		}
	}
	t.Fatal("no non-square found")
	return nil
}

func TestEd25519PointValidation(t *testing.T) {
	// Every generated key is accepted.
	for range 50 {
		k := genKey(t, crypto.Ed25519)
		if _, err := crypto.PublicKeyFromBytes(crypto.Ed25519, k.Public().Bytes()); err != nil {
			t.Fatalf("generated key refused: %v", err)
		}
	}
	// The base point (y = 4/5) is valid.
	base := mustHex(t, "5866666666666666666666666666666666666666666666666666666666666666")
	if _, err := crypto.PublicKeyFromBytes(crypto.Ed25519, base); err != nil {
		t.Fatalf("base point refused: %v", err)
	}
	// About half of all y values have no x: a deterministic sample of
	// encodings must show both outcomes in plausible proportions.
	accepted := 0
	const n = 400
	for i := range n {
		h := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		if _, err := crypto.PublicKeyFromBytes(crypto.Ed25519, h[:]); err == nil {
			accepted++
		}
	}
	if accepted < n*3/10 || accepted > n*7/10 {
		t.Fatalf("%d of %d random encodings accepted, want about half", accepted, n)
	}
}

func TestPublicKeyFromStdRefuses(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ek := genKey(t, crypto.Ed25519)
	tests := []struct {
		name string
		pub  stdcrypto.PublicKey
	}{
		{"nil", nil},
		{"rsa", &rk.PublicKey},
		{"p384", &p384.PublicKey},
		{"nil ecdsa", (*ecdsa.PublicKey)(nil)},
		{"empty ecdsa", &ecdsa.PublicKey{Curve: elliptic.P256()}},
		{"empty sm2", &ecdsa.PublicKey{Curve: sm2.P256()}},
		{"sm2 off curve", &ecdsa.PublicKey{Curve: sm2.P256(), X: big.NewInt(1), Y: big.NewInt(1)}},
		{"p256 off curve", &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}},
		{"ed25519 short", ed25519.PublicKey(make([]byte, 31))},
		{"ed25519 private key", ek.Signer()},
		{"our own type", ek.Public()},
	}
	for _, tt := range tests {
		if _, err := crypto.PublicKeyFromStd(tt.pub); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func TestEqual(t *testing.T) {
	a := genKey(t, crypto.SM2).Public()
	b := genKey(t, crypto.SM2).Public()
	e := genKey(t, crypto.Ed25519).Public()
	if a.Equal(b) || a.Equal(e) || e.Equal(a) || a.Equal(nil) {
		t.Error("different keys compare equal")
	}
	if !a.Equal(a) {
		t.Error("key not equal to itself")
	}
}

func TestHash(t *testing.T) {
	tests := []struct {
		alg  crypto.Algorithm
		in   string
		want string
		name string
	}{
		// GM/T 0004-2012 appendix A.1.
		{crypto.SM2, "abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", "sm3"},
		// GM/T 0004-2012 appendix A.2.
		{crypto.SM2, strings.Repeat("abcd", 16), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732", "sm3"},
		// FIPS 180-2 appendix B.1.
		{crypto.P256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256"},
		{crypto.Ed25519, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256"},
		{crypto.Ed25519, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256"},
	}
	for _, tt := range tests {
		got := crypto.Hash(tt.alg, []byte(tt.in))
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("Hash(%s, %q) = %x, want %s", tt.alg, tt.in, got, tt.want)
		}
		if len(got) != crypto.HashSize {
			t.Errorf("Hash(%s) is %d bytes", tt.alg, len(got))
		}
		if n := crypto.HashName(tt.alg); n != tt.name {
			t.Errorf("HashName(%s) = %q, want %q", tt.alg, n, tt.name)
		}
	}
}

func TestKnownAnswerEd25519(t *testing.T) {
	// RFC 8032 section 7.1, TEST 1 and TEST 2.
	tests := []struct{ seed, pub, msg, sig string }{
		{
			"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
			"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
			"",
			"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
		},
		{
			"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
			"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
			"72",
			"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
		},
	}
	for i, tt := range tests {
		k, err := crypto.PrivateKeyFromBytes(crypto.Ed25519, mustHex(t, tt.seed))
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(k.Public().Bytes()) != tt.pub {
			t.Errorf("vector %d: public key %x", i, k.Public().Bytes())
		}
		sig := sign(t, k, mustHex(t, tt.msg))
		if hex.EncodeToString(sig) != tt.sig {
			t.Errorf("vector %d: signature %x", i, sig)
		}
		pub, err := crypto.PublicKeyFromBytes(crypto.Ed25519, mustHex(t, tt.pub))
		if err != nil || !pub.Verify(mustHex(t, tt.msg), mustHex(t, tt.sig)) {
			t.Errorf("vector %d: known signature refused (%v)", i, err)
		}
	}
}

func TestKnownAnswerP256(t *testing.T) {
	// RFC 6979 appendix A.2.5: P-256, SHA-256, message "sample".
	priv := mustHex(t, "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
	wantPub := "04" +
		"60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6" +
		"7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
	r, _ := new(big.Int).SetString("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716", 16)
	s, _ := new(big.Int).SetString("f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8", 16)
	sig, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	if err != nil {
		t.Fatal(err)
	}
	k, err := crypto.PrivateKeyFromBytes(crypto.P256, priv)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(k.Public().Bytes()); got != wantPub {
		t.Fatalf("public key %s, want %s", got, wantPub)
	}
	if !k.Public().Verify([]byte("sample"), sig) {
		t.Fatal("RFC 6979 signature refused")
	}
	if k.Public().Verify([]byte("test"), sig) {
		t.Fatal("RFC 6979 signature accepted for another message")
	}
	// The same r with the other valid s (n - s) is also a valid ECDSA
	// signature: P-256 signatures are malleable (see the package docs).
	n := elliptic.P256().Params().N
	sig2, _ := asn1.Marshal(struct{ R, S *big.Int }{r, new(big.Int).Sub(n, s)})
	if !k.Public().Verify([]byte("sample"), sig2) {
		t.Fatal("high/low-s counterpart refused; malleability assumption changed")
	}
}

func TestKnownAnswerSM2(t *testing.T) {
	// Key and signature from the gmsm examples (GB/T 32918 scheme with
	// the default user id over the SM2 recommended curve).
	priv := mustHex(t, "6c5a0a0b2eed3cbec3e4f1252bfe0e28c504a1c6bf1999eebb0af9ef0f8e6c85")
	pubHex := "048356e642a40ebd18d29ba3532fbd9f3bbee8f027c3f6f39a5ba2f870369f9988981f5efe55d1c5cdf6c0ef2b070847a14f7fdf4272a8df09c442f3058af94ba1"
	sig := mustHex(t, "304402205b3a799bd94c9063120d7286769220af6b0fa127009af3e873c0e8742edc5f890220097968a4c8b040fd548d1456b33f470cabd8456bfea53e8a828f92f6d4bdcd77")
	msg := []byte("ShangMi SM2 Sign Standard")

	k, err := crypto.PrivateKeyFromBytes(crypto.SM2, priv)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(k.Public().Bytes()); got != pubHex {
		t.Fatalf("public key %s, want %s", got, pubHex)
	}
	pub, err := crypto.PublicKeyFromBytes(crypto.SM2, mustHex(t, pubHex))
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Verify(msg, sig) {
		t.Fatal("known SM2 signature refused")
	}
	if pub.Verify([]byte("ShangMi SM2 Sign Standard."), sig) {
		t.Fatal("known SM2 signature accepted for another message")
	}
}

func TestUnknownAlgorithm(t *testing.T) {
	if _, err := crypto.GenerateKey("rsa"); err == nil {
		t.Error("GenerateKey(rsa) succeeded")
	}
	if _, err := crypto.GenerateKey(""); err == nil {
		t.Error("GenerateKey(\"\") succeeded")
	}
}

// verifyKeys are fixed keys for the fuzz targets and benchmarks.
func verifyKeys(t testing.TB) []crypto.PrivateKey {
	seeds := []struct {
		alg  crypto.Algorithm
		seed string
	}{
		{crypto.Ed25519, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"},
		{crypto.P256, "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"},
		{crypto.SM2, "6c5a0a0b2eed3cbec3e4f1252bfe0e28c504a1c6bf1999eebb0af9ef0f8e6c85"},
	}
	var out []crypto.PrivateKey
	for _, s := range seeds {
		k, err := crypto.PrivateKeyFromBytes(s.alg, mustHex(t, s.seed))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

func FuzzPublicKeyFromBytes(f *testing.F) {
	for i, k := range verifyKeys(f) {
		f.Add(uint8(i), k.Public().Bytes())
	}
	f.Add(uint8(0), mustHex(f, smallOrderEd25519[2]))
	f.Add(uint8(1), make([]byte, 65))
	f.Add(uint8(2), []byte{4})
	f.Add(uint8(3), []byte{})
	algs := crypto.Algorithms()
	f.Fuzz(func(t *testing.T, a uint8, b []byte) {
		alg := crypto.Algorithm("unknown")
		if int(a) < len(algs) {
			alg = algs[a]
		}
		pub, err := crypto.PublicKeyFromBytes(alg, b)
		if err != nil {
			return
		}
		// An accepted key round trips and never verifies garbage.
		if !bytes.Equal(pub.Bytes(), b) || pub.Algorithm() != alg {
			t.Fatalf("accepted key does not round trip")
		}
		again, err := crypto.PublicKeyFromStd(pub.Std())
		if err != nil || !again.Equal(pub) {
			t.Fatalf("PublicKeyFromStd of an accepted key: %v", err)
		}
		if pub.Verify(b, b) {
			t.Fatalf("key verified its own bytes as a signature")
		}
	})
}

func FuzzVerify(f *testing.F) {
	keys := verifyKeys(f)
	for i, k := range keys {
		msg := []byte("fuzz message")
		sig, err := k.Sign(msg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), msg, sig)
		f.Add(uint8(i), msg, sig[:len(sig)-1])
		f.Add(uint8(i), []byte{}, []byte{0x30, 0x00})
	}
	f.Fuzz(func(t *testing.T, a uint8, msg, sig []byte) {
		k := keys[int(a)%len(keys)]
		ok := k.Public().Verify(msg, sig)
		// A signature that verifies must also verify under a freshly
		// decoded copy of the key, and under no other key.
		pub, err := crypto.PublicKeyFromBytes(k.Algorithm(), k.Public().Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if pub.Verify(msg, sig) != ok {
			t.Fatal("verification depends on how the key was obtained")
		}
		if ok {
			for j, other := range keys {
				if j != int(a)%len(keys) && other.Public().Verify(msg, sig) {
					t.Fatalf("signature verified under two keys")
				}
			}
		}
	})
}

func FuzzPrivateKeyFromBytes(f *testing.F) {
	for i, k := range verifyKeys(f) {
		f.Add(uint8(i), k.Bytes())
	}
	f.Add(uint8(1), make([]byte, 32))
	f.Add(uint8(2), bytes.Repeat([]byte{0xff}, 32))
	algs := crypto.Algorithms()
	f.Fuzz(func(t *testing.T, a uint8, b []byte) {
		alg := algs[int(a)%len(algs)]
		k, err := crypto.PrivateKeyFromBytes(alg, b)
		if err != nil {
			return
		}
		if !bytes.Equal(k.Bytes(), b) {
			t.Fatal("accepted private key does not round trip")
		}
		msg := []byte("m")
		sig, err := k.Sign(msg)
		if err != nil || !k.Public().Verify(msg, sig) {
			t.Fatalf("accepted private key cannot sign: %v", err)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	msg := bytes.Repeat([]byte("x"), 256) // about the size of a small tx body
	for _, k := range verifyKeys(b) {
		sig, err := k.Sign(msg)
		if err != nil {
			b.Fatal(err)
		}
		pub := k.Public()
		b.Run(string(k.Algorithm()), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !pub.Verify(msg, sig) {
					b.Fatal("refused")
				}
			}
		})
	}
}

func BenchmarkSign(b *testing.B) {
	msg := bytes.Repeat([]byte("x"), 256)
	for _, k := range verifyKeys(b) {
		b.Run(string(k.Algorithm()), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Sign(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The Ed25519 verifier (curve25519-voi) must accept exactly what
// crypto/ed25519 accepts: random keys, messages and signatures, valid and
// corrupted in every byte position.
func TestEd25519MatchesStdlib(t *testing.T) {
	for i := 0; i < 50; i++ {
		k, err := crypto.GenerateKey(crypto.Ed25519)
		if err != nil {
			t.Fatal(err)
		}
		msg := []byte(fmt.Sprintf("message %d", i))
		sig, _ := k.Sign(msg)
		pub := k.Public()
		std := ed25519.PublicKey(pub.Bytes())
		for j := -1; j < len(sig); j++ {
			s := append([]byte(nil), sig...)
			if j >= 0 {
				s[j] ^= byte(1 << (j % 8))
			}
			if got, want := pub.Verify(msg, s), ed25519.Verify(std, msg, s); got != want {
				t.Fatalf("key %d, flipped byte %d: voi says %v, stdlib %v", i, j, got, want)
			}
		}
	}
}
