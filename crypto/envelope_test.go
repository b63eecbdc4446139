package crypto_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/cryptotest"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
	"golang.org/x/crypto/hkdf"

	"github.com/otcchain/otcchain/crypto"
)

var contentAlgs = []crypto.ContentAlg{crypto.ContentAES256GCM, crypto.ContentSM4GCM}

// party is a recipient with its private key.
type party struct {
	id  string
	key crypto.EncPrivateKey
}

func (p party) recipient() crypto.Recipient {
	return crypto.Recipient{ID: p.id, Key: p.key.Public()}
}

func recipientsOf(ps ...party) []crypto.Recipient {
	out := make([]crypto.Recipient, len(ps))
	for i, p := range ps {
		out[i] = p.recipient()
	}
	return out
}

func genEncKey(t testing.TB, alg crypto.EncAlgorithm) crypto.EncPrivateKey {
	t.Helper()
	k, err := crypto.GenerateEncKey(alg)
	if err != nil {
		t.Fatalf("GenerateEncKey(%s): %v", alg, err)
	}
	return k
}

func newParty(t testing.TB, id string, alg crypto.EncAlgorithm) party {
	return party{id: id, key: genEncKey(t, alg)}
}

// fixedParties are deterministic recipients, one per scheme.
func fixedParties(t testing.TB) []party {
	seeds := []struct {
		id   string
		alg  crypto.EncAlgorithm
		seed string
	}{
		{"investor-x25519", crypto.X25519, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"},
		{"manager-p256", crypto.P256ECDH, "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"},
		{"regulator-sm2", crypto.SM2Enc, "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"},
	}
	var out []party
	for _, s := range seeds {
		k, err := crypto.EncPrivateKeyFromBytes(s.alg, mustHex(t, s.seed))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, party{id: s.id, key: k})
	}
	return out
}

func seal(t testing.TB, c crypto.ContentAlg, plaintext, aad []byte, ps ...party) *crypto.Envelope {
	t.Helper()
	env, err := crypto.Seal(c, plaintext, aad, recipientsOf(ps...))
	if err != nil {
		t.Fatalf("Seal(%s): %v", c, err)
	}
	return env
}

func mustOpen(t testing.TB, env *crypto.Envelope, aad []byte, p party, want []byte) {
	t.Helper()
	got, err := crypto.Open(env, aad, p.id, p.key)
	if err != nil {
		t.Fatalf("Open as %s: %v", p.id, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Open as %s: got %q, want %q", p.id, got, want)
	}
}

func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func marshal(t testing.TB, env *crypto.Envelope) []byte {
	t.Helper()
	b, err := env.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	return b
}

func TestParseEncAlgorithm(t *testing.T) {
	for _, a := range crypto.EncAlgorithms() {
		got, err := crypto.ParseEncAlgorithm(string(a))
		if err != nil || got != a {
			t.Errorf("ParseEncAlgorithm(%q) = %q, %v", a, got, err)
		}
	}
	for _, s := range []string{"", "X25519", "ed25519", "p256", "sm2", "ecdh"} {
		if _, err := crypto.ParseEncAlgorithm(s); err == nil {
			t.Errorf("ParseEncAlgorithm(%q) accepted", s)
		}
	}
}

func TestAlgorithmFor(t *testing.T) {
	tests := []struct {
		sig     crypto.Algorithm
		enc     crypto.EncAlgorithm
		content crypto.ContentAlg
	}{
		{crypto.Ed25519, crypto.X25519, crypto.ContentAES256GCM},
		{crypto.P256, crypto.P256ECDH, crypto.ContentAES256GCM},
		{crypto.SM2, crypto.SM2Enc, crypto.ContentSM4GCM},
		{"rsa", "", crypto.ContentAES256GCM},
	}
	for _, tt := range tests {
		if got := crypto.EncAlgorithmFor(tt.sig); got != tt.enc {
			t.Errorf("EncAlgorithmFor(%s) = %q, want %q", tt.sig, got, tt.enc)
		}
		if got := crypto.ContentAlgFor(tt.sig); got != tt.content {
			t.Errorf("ContentAlgFor(%s) = %q, want %q", tt.sig, got, tt.content)
		}
	}
}

func TestEncKeyRoundTrip(t *testing.T) {
	for _, alg := range crypto.EncAlgorithms() {
		t.Run(string(alg), func(t *testing.T) {
			k := genEncKey(t, alg)
			pub := k.Public()
			if k.Algorithm() != alg || pub.Algorithm() != alg {
				t.Fatalf("algorithms %s/%s", k.Algorithm(), pub.Algorithm())
			}
			raw := k.Bytes()
			if len(raw) != crypto.EncPrivateKeySize {
				t.Fatalf("private key is %d bytes", len(raw))
			}
			wantPub := crypto.ECPublicKeySize
			if alg == crypto.X25519 {
				wantPub = crypto.X25519PublicKeySize
			}
			if len(pub.Bytes()) != wantPub {
				t.Fatalf("public key is %d bytes, want %d", len(pub.Bytes()), wantPub)
			}
			k2, err := crypto.EncPrivateKeyFromBytes(alg, raw)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k2.Bytes(), raw) || !k2.Public().Equal(pub) {
				t.Fatal("private key does not round trip")
			}
			pub2, err := crypto.EncPublicKeyFromBytes(alg, pub.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !pub2.Equal(pub) || !pub.Equal(pub2) {
				t.Fatal("public key does not round trip")
			}
			// Bytes returns copies.
			b := pub.Bytes()
			b[len(b)-1] ^= 1
			r := k.Bytes()
			r[0] ^= 1
			if !pub.Equal(pub2) || !bytes.Equal(k.Bytes(), raw) {
				t.Fatal("Bytes aliases the key")
			}
			if pub.Equal(nil) || pub.Equal(genEncKey(t, alg).Public()) {
				t.Fatal("Equal to nil or another key")
			}
			for _, other := range crypto.EncAlgorithms() {
				if other != alg && pub.Equal(genEncKey(t, other).Public()) {
					t.Fatal("Equal across schemes")
				}
			}
		})
	}
	if _, err := crypto.GenerateEncKey("x448"); err == nil {
		t.Fatal("GenerateEncKey accepted an unknown scheme")
	}
}

func TestEncPrivateKeyFromBytesRefuses(t *testing.T) {
	ff := bytes.Repeat([]byte{0xff}, 32)
	sm2nMinus1 := mustHex(t, "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122")
	p256n := mustHex(t, "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
	tests := []struct {
		name string
		alg  crypto.EncAlgorithm
		b    []byte
	}{
		{"x25519 short", crypto.X25519, make([]byte, 31)},
		{"x25519 long", crypto.X25519, make([]byte, 33)},
		{"x25519 empty", crypto.X25519, nil},
		{"p256 zero", crypto.P256ECDH, make([]byte, 32)},
		{"p256 n", crypto.P256ECDH, p256n},
		{"p256 ff", crypto.P256ECDH, ff},
		{"p256 short", crypto.P256ECDH, make([]byte, 31)},
		{"sm2 zero", crypto.SM2Enc, make([]byte, 32)},
		{"sm2 n-1", crypto.SM2Enc, sm2nMinus1},
		{"sm2 ff", crypto.SM2Enc, ff},
		{"sm2 long", crypto.SM2Enc, make([]byte, 33)},
		{"unknown", "x448", make([]byte, 32)},
	}
	for _, tt := range tests {
		if _, err := crypto.EncPrivateKeyFromBytes(tt.alg, tt.b); err == nil {
			t.Errorf("%s: accepted", tt.name)
		} else if !strings.HasPrefix(err.Error(), "crypto: ") {
			t.Errorf("%s: error %q not prefixed", tt.name, err)
		}
	}
}

// Canonical u-coordinates of small order on Curve25519 and its twist.
var smallOrderX25519 = []string{
	"0000000000000000000000000000000000000000000000000000000000000000", // 0
	"0100000000000000000000000000000000000000000000000000000000000000", // 1
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p-1, order 2
}

func TestEncPublicKeyFromBytesRefuses(t *testing.T) {
	x := genEncKey(t, crypto.X25519).Public().Bytes()
	p256 := genEncKey(t, crypto.P256ECDH).Public().Bytes()
	sm2k := genEncKey(t, crypto.SM2Enc).Public().Bytes()
	offCurve := func(b []byte) []byte {
		c := bytes.Clone(b)
		c[len(c)-1] ^= 0x01
		return c
	}
	compressed := func(b []byte) []byte { return append([]byte{0x02 + b[64]&1}, b[1:33]...) }
	hybrid := func(b []byte) []byte {
		c := bytes.Clone(b)
		c[0] = 0x06 + b[64]&1
		return c
	}
	highBit := bytes.Clone(x)
	highBit[31] |= 0x80
	big65 := append([]byte{0x04}, bytes.Repeat([]byte{0xff}, 64)...)

	type tc struct {
		name string
		alg  crypto.EncAlgorithm
		b    []byte
	}
	tests := []tc{
		{"x25519 empty", crypto.X25519, nil},
		{"x25519 short", crypto.X25519, x[:31]},
		{"x25519 long", crypto.X25519, append(bytes.Clone(x), 0)},
		{"x25519 high bit", crypto.X25519, highBit},
		{"x25519 p", crypto.X25519, mustHex(t, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")},
		{"x25519 p+1", crypto.X25519, mustHex(t, "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")},
		{"x25519 all ff", crypto.X25519, bytes.Repeat([]byte{0xff}, 32)},
		{"p256 empty", crypto.P256ECDH, nil},
		{"p256 short", crypto.P256ECDH, p256[:64]},
		{"p256 compressed", crypto.P256ECDH, compressed(p256)},
		{"p256 hybrid", crypto.P256ECDH, hybrid(p256)},
		{"p256 off curve", crypto.P256ECDH, offCurve(p256)},
		{"p256 coordinates >= p", crypto.P256ECDH, big65},
		{"p256 infinity", crypto.P256ECDH, make([]byte, 65)},
		{"p256 sm2 point", crypto.P256ECDH, sm2k},
		{"sm2 empty", crypto.SM2Enc, nil},
		{"sm2 long", crypto.SM2Enc, append(bytes.Clone(sm2k), 0)},
		{"sm2 compressed", crypto.SM2Enc, compressed(sm2k)},
		{"sm2 hybrid", crypto.SM2Enc, hybrid(sm2k)},
		{"sm2 off curve", crypto.SM2Enc, offCurve(sm2k)},
		{"sm2 coordinates >= p", crypto.SM2Enc, big65},
		{"sm2 infinity", crypto.SM2Enc, make([]byte, 65)},
		{"sm2 p256 point", crypto.SM2Enc, p256},
		{"unknown", "x448", x},
	}
	probe, err := ecdh.X25519().GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range smallOrderX25519 {
		b := mustHex(t, s)
		// The list is right: crypto/ecdh refuses the shared secret.
		pk, err := ecdh.X25519().NewPublicKey(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := probe.ECDH(pk); err == nil {
			t.Fatalf("%s is not of small order", s)
		}
		tests = append(tests, tc{"x25519 small order " + s[:8], crypto.X25519, b})
	}
	for _, tt := range tests {
		if _, err := crypto.EncPublicKeyFromBytes(tt.alg, tt.b); err == nil {
			t.Errorf("%s: accepted", tt.name)
		} else if !strings.HasPrefix(err.Error(), "crypto: ") {
			t.Errorf("%s: error %q not prefixed", tt.name, err)
		}
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	aad := []byte("investor/42/name")
	for _, c := range contentAlgs {
		for _, alg := range crypto.EncAlgorithms() {
			t.Run(string(c)+"/"+string(alg), func(t *testing.T) {
				p := newParty(t, "someone", alg)
				for _, n := range []int{0, 1, 15, 16, 17, 1000} {
					plaintext := bytes.Repeat([]byte{'a' + byte(n%26)}, n)
					env := seal(t, c, plaintext, aad, p)
					if env.Cipher != c || len(env.Recipients) != 1 || env.Recipients[0].Algorithm != alg {
						t.Fatalf("envelope %+v", env)
					}
					if len(env.Ciphertext) != n+16 {
						t.Fatalf("ciphertext is %d bytes for %d", len(env.Ciphertext), n)
					}
					mustOpen(t, env, aad, p, plaintext)
				}
			})
		}
	}
}

func TestSealIsRandomised(t *testing.T) {
	p := fixedParties(t)
	a := seal(t, crypto.ContentAES256GCM, []byte("same"), nil, p...)
	b := seal(t, crypto.ContentAES256GCM, []byte("same"), nil, p...)
	if bytes.Equal(a.Nonce, b.Nonce) || bytes.Equal(a.Ciphertext, b.Ciphertext) {
		t.Fatal("two seals share a nonce or ciphertext")
	}
	for i := range a.Recipients {
		if bytes.Equal(a.Recipients[i].Ephemeral, b.Recipients[i].Ephemeral) {
			t.Fatalf("recipient %d: ephemeral key reused", i)
		}
	}
}

// The three key kinds in one envelope, sealed with each content cipher:
// every recipient opens it; nobody else, no other key and no other aad does.
func TestSealOpenMixed(t *testing.T) {
	aad := []byte("kyc/7f3a/phone")
	plaintext := []byte(`{"name":"张三","id_number":"110101199003078515","phone":"13800138000"}`)
	for _, c := range contentAlgs {
		t.Run(string(c), func(t *testing.T) {
			ps := []party{
				newParty(t, "investor", crypto.X25519),
				newParty(t, "kyc-channel", crypto.P256ECDH),
				newParty(t, "regulator", crypto.SM2Enc),
				newParty(t, "manager-a", crypto.X25519),
				newParty(t, "manager-b", crypto.SM2Enc),
			}
			env := seal(t, c, plaintext, aad, ps...)
			if got := strings.Join(env.RecipientIDs(), ","); got != "investor,kyc-channel,regulator,manager-a,manager-b" {
				t.Fatalf("RecipientIDs = %s", got)
			}
			for _, p := range ps {
				mustOpen(t, env, aad, p, plaintext)
				if !env.HasRecipient(p.id) {
					t.Fatalf("HasRecipient(%s) = false", p.id)
				}
			}
			for _, alg := range crypto.EncAlgorithms() {
				stranger := newParty(t, "stranger", alg)
				_, err := crypto.Open(env, aad, stranger.id, stranger.key)
				wantErr(t, "stranger", err, crypto.ErrNotRecipient)
				if env.HasRecipient(stranger.id) {
					t.Fatal("HasRecipient(stranger)")
				}
			}
			for _, p := range ps {
				// Another key of the right scheme under a listed id.
				_, err := crypto.Open(env, aad, p.id, genEncKey(t, p.key.Algorithm()))
				wantErr(t, p.id+" wrong key", err, crypto.ErrDecrypt)
				// Another recipient's key under this id.
				for _, q := range ps {
					if q.id == p.id {
						continue
					}
					_, err := crypto.Open(env, aad, p.id, q.key)
					if q.key.Algorithm() == p.key.Algorithm() {
						wantErr(t, p.id+" with "+q.id+"'s key", err, crypto.ErrDecrypt)
					} else {
						wantErr(t, p.id+" with "+q.id+"'s key", err, crypto.ErrKeyMismatch)
					}
				}
				for _, bad := range [][]byte{nil, []byte("kyc/7f3a/name"), append(bytes.Clone(aad), 0)} {
					_, err := crypto.Open(env, bad, p.id, p.key)
					wantErr(t, fmt.Sprintf("%s aad %q", p.id, bad), err, crypto.ErrDecrypt)
				}
				_, err = crypto.Open(env, aad, p.id, nil)
				wantErr(t, "nil key", err, crypto.ErrKeyMismatch)
			}
		})
	}
}

func TestOpenRefusesMalformed(t *testing.T) {
	p := fixedParties(t)[0]
	_, err := crypto.Open(nil, nil, p.id, p.key)
	wantErr(t, "nil envelope", err, crypto.ErrMalformedEnvelope)
	env := seal(t, crypto.ContentAES256GCM, []byte("x"), nil, p)
	env.Nonce = env.Nonce[:11]
	_, err = crypto.Open(env, nil, p.id, p.key)
	wantErr(t, "short nonce", err, crypto.ErrMalformedEnvelope)
	_, err = crypto.Rewrap(env, nil, p.id, p.key, recipientsOf(fixedParties(t)[1]))
	wantErr(t, "rewrap short nonce", err, crypto.ErrMalformedEnvelope)
	_, err = crypto.Rewrap(nil, nil, p.id, p.key, recipientsOf(fixedParties(t)[1]))
	wantErr(t, "rewrap nil", err, crypto.ErrMalformedEnvelope)
}

func TestSealRefuses(t *testing.T) {
	ps := fixedParties(t)
	good := recipientsOf(ps...)
	many := make([]crypto.Recipient, crypto.MaxRecipients+1)
	for i := range many {
		many[i] = crypto.Recipient{ID: fmt.Sprintf("r%d", i), Key: ps[0].key.Public()}
	}
	badX := badEncKey{alg: crypto.X25519, raw: make([]byte, 32)} // small order
	tests := []struct {
		name    string
		content crypto.ContentAlg
		n       int
		rs      []crypto.Recipient
	}{
		{"unknown cipher", "aes-128-gcm", 1, good},
		{"no recipients", crypto.ContentAES256GCM, 1, nil},
		{"too many recipients", crypto.ContentAES256GCM, 1, many},
		{"duplicate id", crypto.ContentAES256GCM, 1, append(recipientsOf(ps...), crypto.Recipient{ID: ps[0].id, Key: ps[1].key.Public()})},
		{"empty id", crypto.ContentAES256GCM, 1, []crypto.Recipient{{ID: "", Key: ps[0].key.Public()}}},
		{"id with space", crypto.ContentAES256GCM, 1, []crypto.Recipient{{ID: "a b", Key: ps[0].key.Public()}}},
		{"id with quote", crypto.ContentAES256GCM, 1, []crypto.Recipient{{ID: `a"b`, Key: ps[0].key.Public()}}},
		{"non-ascii id", crypto.ContentAES256GCM, 1, []crypto.Recipient{{ID: "张三", Key: ps[0].key.Public()}}},
		{"long id", crypto.ContentAES256GCM, 1, []crypto.Recipient{{ID: strings.Repeat("a", crypto.MaxRecipientIDLen+1), Key: ps[0].key.Public()}}},
		{"nil key", crypto.ContentAES256GCM, 1, []crypto.Recipient{{ID: "a", Key: nil}}},
		{"invalid foreign key", crypto.ContentAES256GCM, 1, []crypto.Recipient{{ID: "a", Key: badX}}},
		{"plaintext too large", crypto.ContentSM4GCM, crypto.MaxPlaintextSize + 1, good},
	}
	for _, tt := range tests {
		if _, err := crypto.Seal(tt.content, make([]byte, tt.n), nil, tt.rs); err == nil {
			t.Errorf("%s: accepted", tt.name)
		} else if !strings.HasPrefix(err.Error(), "crypto: ") {
			t.Errorf("%s: error %q not prefixed", tt.name, err)
		}
	}
	// The limits themselves are accepted.
	if !crypto.ValidRecipientID(strings.Repeat("a", crypto.MaxRecipientIDLen)) || !crypto.ValidRecipientID("org:bank-a/investor@x+y=z_0.1") {
		t.Fatal("ValidRecipientID refuses a valid id")
	}
	env, err := crypto.Seal(crypto.ContentAES256GCM, make([]byte, crypto.MaxPlaintextSize), nil, many[:crypto.MaxRecipients])
	if err != nil {
		t.Fatalf("Seal at the limits: %v", err)
	}
	b := marshal(t, env)
	if len(b) > crypto.MaxEnvelopeSize {
		t.Fatalf("envelope at the limits is %d bytes, more than MaxEnvelopeSize", len(b))
	}
	if _, err := crypto.ParseEnvelope(b); err != nil {
		t.Fatalf("ParseEnvelope at the limits: %v", err)
	}
}

// badEncKey and foreignEncKey implement EncPublicKey outside the package.
type badEncKey struct {
	alg crypto.EncAlgorithm
	raw []byte
}

func (k badEncKey) Algorithm() crypto.EncAlgorithm   { return k.alg }
func (k badEncKey) Bytes() []byte                    { return bytes.Clone(k.raw) }
func (k badEncKey) Equal(o crypto.EncPublicKey) bool { return false }

type foreignEncKey struct{ pub crypto.EncPublicKey }

func (k foreignEncKey) Algorithm() crypto.EncAlgorithm   { return k.pub.Algorithm() }
func (k foreignEncKey) Bytes() []byte                    { return k.pub.Bytes() }
func (k foreignEncKey) Equal(o crypto.EncPublicKey) bool { return k.pub.Equal(o) }

type foreignPrivKey struct{ priv crypto.EncPrivateKey }

func (k foreignPrivKey) Algorithm() crypto.EncAlgorithm { return k.priv.Algorithm() }
func (k foreignPrivKey) Public() crypto.EncPublicKey    { return foreignEncKey{k.priv.Public()} }
func (k foreignPrivKey) Bytes() []byte                  { return k.priv.Bytes() }

func TestForeignKeyImplementations(t *testing.T) {
	for _, p := range fixedParties(t) {
		env, err := crypto.Seal(crypto.ContentAES256GCM, []byte("hi"), nil, []crypto.Recipient{{ID: p.id, Key: foreignEncKey{p.key.Public()}}})
		if err != nil {
			t.Fatal(err)
		}
		mustOpen(t, env, nil, party{p.id, foreignPrivKey{p.key}}, []byte("hi"))
	}
}

// flip returns a copy of env with bit (i % 8) of byte i of the field
// selected by get flipped.
func flip(env *crypto.Envelope, get func(*crypto.Envelope) []byte, i int) *crypto.Envelope {
	c := env.Clone()
	get(c)[i] ^= 1 << (i % 8)
	return c
}

// Changing any byte of the nonce, the ciphertext, any ephemeral key or any
// wrapped key makes Open fail with ErrDecrypt, for the recipients concerned
// only.
func TestTamper(t *testing.T) {
	aad := []byte("record/1/address")
	plaintext := []byte("No. 1 Jianguomenwai Avenue, Beijing")
	for _, c := range contentAlgs {
		t.Run(string(c), func(t *testing.T) {
			ps := fixedParties(t)
			env := seal(t, c, plaintext, aad, ps...)
			fields := map[string]func(*crypto.Envelope) []byte{
				"nonce":      func(e *crypto.Envelope) []byte { return e.Nonce },
				"ciphertext": func(e *crypto.Envelope) []byte { return e.Ciphertext },
			}
			for name, get := range fields {
				for i := range get(env) {
					bad := flip(env, get, i)
					for _, p := range ps {
						_, err := crypto.Open(bad, aad, p.id, p.key)
						wantErr(t, fmt.Sprintf("%s byte %d, %s", name, i, p.id), err, crypto.ErrDecrypt)
					}
				}
			}
			for r, p := range ps {
				wraps := map[string]func(*crypto.Envelope) []byte{
					"epk": func(e *crypto.Envelope) []byte { return e.Recipients[r].Ephemeral },
					"key": func(e *crypto.Envelope) []byte { return e.Recipients[r].Key },
				}
				for name, get := range wraps {
					var bad *crypto.Envelope
					for i := range get(env) {
						bad = flip(env, get, i)
						_, err := crypto.Open(bad, aad, p.id, p.key)
						wantErr(t, fmt.Sprintf("%s %s byte %d", p.id, name, i), err, crypto.ErrDecrypt)
					}
					// The other recipients are unaffected.
					for _, q := range ps {
						if q.id != p.id {
							mustOpen(t, bad, aad, q, plaintext)
						}
					}
				}
			}
		})
	}
}

// A wrap is bound to its recipient id and to the envelope's data key: moving
// it to another id or another envelope fails.
func TestWrapsCannotMove(t *testing.T) {
	aad := []byte("a")
	a1, a2 := newParty(t, "alice", crypto.X25519), newParty(t, "bob", crypto.X25519)
	s1, s2 := newParty(t, "carol", crypto.SM2Enc), newParty(t, "dave", crypto.SM2Enc)
	p1, p2 := newParty(t, "erin", crypto.P256ECDH), newParty(t, "frank", crypto.P256ECDH)
	for _, pair := range [][2]party{{a1, a2}, {s1, s2}, {p1, p2}} {
		env := seal(t, crypto.ContentSM4GCM, []byte("secret"), aad, pair[0], pair[1])
		// Swap the wraps, keeping the ids: each key finds the other's wrap.
		swapped := env.Clone()
		r := swapped.Recipients
		r[0].Ephemeral, r[1].Ephemeral = r[1].Ephemeral, r[0].Ephemeral
		r[0].Key, r[1].Key = r[1].Key, r[0].Key
		for _, p := range pair {
			_, err := crypto.Open(swapped, aad, p.id, p.key)
			wantErr(t, "swapped wrap "+p.id, err, crypto.ErrDecrypt)
		}
		// Renaming a wrap: the key is right but the id is bound in.
		renamed := env.Clone()
		renamed.Recipients[0].ID = "mallory"
		_, err := crypto.Open(renamed, aad, "mallory", pair[0].key)
		wantErr(t, "renamed wrap", err, crypto.ErrDecrypt)
		// A wrap from another envelope for the same recipient and aad.
		other := seal(t, crypto.ContentSM4GCM, []byte("secret"), aad, pair[0], pair[1])
		moved := env.Clone()
		moved.Recipients[0] = other.Recipients[0]
		_, err = crypto.Open(moved, aad, pair[0].id, pair[0].key)
		wantErr(t, "moved wrap", err, crypto.ErrDecrypt)
	}
	// The cipher name is bound in too (sizes would differ anyway).
	env := seal(t, crypto.ContentAES256GCM, []byte("secret"), aad, a1)
	env.Cipher = crypto.ContentSM4GCM
	if _, err := crypto.Open(env, aad, a1.id, a1.key); err == nil {
		t.Fatal("opened with another cipher")
	}
}

func TestRewrap(t *testing.T) {
	aad := []byte("investor/42/kyc")
	plaintext := []byte("personal data")
	for _, c := range contentAlgs {
		t.Run(string(c), func(t *testing.T) {
			ps := fixedParties(t)
			env := seal(t, c, plaintext, aad, ps[0], ps[2])
			before := marshal(t, env)
			newcomers := []party{newParty(t, "manager-a", crypto.X25519), newParty(t, "manager-b", crypto.SM2Enc), ps[1]}
			for _, holder := range []party{ps[0], ps[2]} {
				out, err := crypto.Rewrap(env, aad, holder.id, holder.key, recipientsOf(newcomers...))
				if err != nil {
					t.Fatalf("Rewrap as %s: %v", holder.id, err)
				}
				if !bytes.Equal(marshal(t, env), before) {
					t.Fatal("Rewrap modified its input")
				}
				if out.Cipher != env.Cipher || !bytes.Equal(out.Nonce, env.Nonce) || !bytes.Equal(out.Ciphertext, env.Ciphertext) {
					t.Fatal("Rewrap changed the content")
				}
				if len(out.Recipients) != 5 {
					t.Fatalf("%d recipients", len(out.Recipients))
				}
				for i := range env.Recipients {
					if !bytes.Equal(out.Recipients[i].Key, env.Recipients[i].Key) {
						t.Fatal("Rewrap changed an existing wrap")
					}
				}
				for _, p := range append([]party{ps[0], ps[2]}, newcomers...) {
					mustOpen(t, out, aad, p, plaintext)
				}
				// The result survives the wire.
				again, err := crypto.ParseEnvelope(marshal(t, out))
				if err != nil {
					t.Fatal(err)
				}
				mustOpen(t, again, aad, newcomers[0], plaintext)
			}

			stranger := newParty(t, "stranger", crypto.X25519)
			_, err := crypto.Rewrap(env, aad, stranger.id, stranger.key, recipientsOf(newcomers[0]))
			wantErr(t, "rewrap by a stranger", err, crypto.ErrNotRecipient)
			_, err = crypto.Rewrap(env, []byte("other"), ps[0].id, ps[0].key, recipientsOf(newcomers[0]))
			wantErr(t, "rewrap with the wrong aad", err, crypto.ErrDecrypt)
			_, err = crypto.Rewrap(env, aad, ps[0].id, ps[2].key, recipientsOf(newcomers[0]))
			wantErr(t, "rewrap with the wrong key", err, crypto.ErrKeyMismatch)
			// A holder whose wrap opens but whose content does not is refused.
			bad := flip(env, func(e *crypto.Envelope) []byte { return e.Ciphertext }, 3)
			_, err = crypto.Rewrap(bad, aad, ps[0].id, ps[0].key, recipientsOf(newcomers[0]))
			wantErr(t, "rewrap of tampered content", err, crypto.ErrDecrypt)
			for name, rs := range map[string][]crypto.Recipient{
				"none":          nil,
				"already there": recipientsOf(ps[2]),
				"twice":         recipientsOf(newcomers[0], newcomers[0]),
				"bad id":        {{ID: "", Key: newcomers[0].key.Public()}},
			} {
				if _, err := crypto.Rewrap(env, aad, ps[0].id, ps[0].key, rs); err == nil {
					t.Errorf("rewrap %s: accepted", name)
				}
			}
			many := make([]crypto.Recipient, crypto.MaxRecipients-1)
			for i := range many {
				many[i] = crypto.Recipient{ID: fmt.Sprintf("m%d", i), Key: newcomers[0].key.Public()}
			}
			if _, err := crypto.Rewrap(env, aad, ps[0].id, ps[0].key, many); err == nil {
				t.Error("rewrap past MaxRecipients: accepted")
			}
			if _, err := crypto.Rewrap(env, aad, ps[0].id, ps[0].key, many[:crypto.MaxRecipients-2]); err != nil {
				t.Errorf("rewrap to MaxRecipients: %v", err)
			}
		})
	}
}

// The wire format, re-derived from the package documentation with other
// implementations (x/crypto/hkdf, crypto/ecdh and gmsm/sm2 directly).
func TestWireFormat(t *testing.T) {
	aad := []byte("record/9/id_number")
	plaintext := []byte("110101199003078515")
	ps := fixedParties(t)
	for _, c := range contentAlgs {
		env := seal(t, c, plaintext, aad, ps...)
		keySize := map[crypto.ContentAlg]int{crypto.ContentAES256GCM: 32, crypto.ContentSM4GCM: 16}[c]
		for i, p := range ps {
			w := env.Recipients[i]
			if w.ID != p.id || w.Algorithm != p.key.Algorithm() {
				t.Fatalf("recipient %d is %s/%s", i, w.ID, w.Algorithm)
			}
			context := []byte("otcchain/envelope/v1\x00")
			for _, s := range []string{string(w.Algorithm), string(c), w.ID} {
				context = append(append(context, byte(len(s))), s...)
			}
			var dataKey []byte
			switch w.Algorithm {
			case crypto.X25519, crypto.P256ECDH:
				curve := ecdh.X25519()
				if w.Algorithm == crypto.P256ECDH {
					curve = ecdh.P256()
				}
				priv, err := curve.NewPrivateKey(p.key.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				epk, err := curve.NewPublicKey(w.Ephemeral)
				if err != nil {
					t.Fatal(err)
				}
				shared, err := priv.ECDH(epk)
				if err != nil {
					t.Fatal(err)
				}
				salt := append(bytes.Clone(w.Ephemeral), priv.PublicKey().Bytes()...)
				kek := make([]byte, 32)
				if _, err := hkdf.New(sha256.New, shared, salt, context).Read(kek); err != nil {
					t.Fatal(err)
				}
				block, _ := aes.NewCipher(kek)
				gcm, _ := cipher.NewGCM(block)
				dataKey, err = gcm.Open(nil, make([]byte, 12), w.Key, aad)
				if err != nil {
					t.Fatalf("%s: unwrap by the documented derivation: %v", w.ID, err)
				}
			case crypto.SM2Enc:
				priv, err := sm2.NewPrivateKey(p.key.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				msg, err := sm2.Decrypt(priv, append(bytes.Clone(w.Ephemeral), w.Key...)) // C1 || C3 || C2
				if err != nil {
					t.Fatalf("%s: sm2 decrypt: %v", w.ID, err)
				}
				tag := sm3.Sum(append(bytes.Clone(context), aad...))
				if len(msg) != keySize+32 || !bytes.Equal(msg[keySize:], tag[:]) {
					t.Fatalf("%s: sm2 wrap is not data key || SM3(context || aad)", w.ID)
				}
				dataKey = msg[:keySize]
			}
			if len(dataKey) != keySize {
				t.Fatalf("%s: data key of %d bytes", w.ID, len(dataKey))
			}
			var block cipher.Block
			if c == crypto.ContentSM4GCM {
				block, _ = sm4.NewCipher(dataKey)
			} else {
				block, _ = aes.NewCipher(dataKey)
			}
			gcm, _ := cipher.NewGCM(block)
			got, err := gcm.Open(nil, env.Nonce, env.Ciphertext, aad)
			if err != nil || !bytes.Equal(got, plaintext) {
				t.Fatalf("%s: content by the documented format: %v", w.ID, err)
			}
		}
	}
}

// All of Seal's randomness comes from crypto/rand (gmsm's SM2 included), so
// a test can make it repeatable.
func TestSealUnderGlobalRandom(t *testing.T) {
	ps := fixedParties(t)
	var out [2][]byte
	for i := range out {
		cryptotest.SetGlobalRandom(t, 42)
		out[i] = marshal(t, seal(t, crypto.ContentSM4GCM, []byte("x"), nil, ps...))
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Fatal("Seal is not repeatable under testing/cryptotest.SetGlobalRandom")
	}
}

func TestSM4KnownAnswer(t *testing.T) {
	// GB/T 32907-2016, appendix A.
	key := mustHex(t, "0123456789abcdeffedcba9876543210")
	block, err := sm4.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 16)
	block.Encrypt(out, key)
	if want := "681edf34d206965e86b3e94f536e4246"; hex.EncodeToString(out) != want {
		t.Fatalf("SM4 = %x, want %s", out, want)
	}
	if testing.Short() {
		return
	}
	buf := bytes.Clone(key)
	for range 1000000 {
		block.Encrypt(buf, buf)
	}
	if want := "595298c7c6fd271f0402f804c33d3f66"; hex.EncodeToString(buf) != want {
		t.Fatalf("SM4 x 1,000,000 = %x, want %s", buf, want)
	}
}

// ContentSM4GCM is standard GCM over SM4: RFC 8998, appendix A.1.
func TestSM4GCMKnownAnswer(t *testing.T) {
	block, err := sm4.NewCipher(mustHex(t, "0123456789ABCDEFFEDCBA9876543210"))
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := mustHex(t, "00001234567800000000ABCD")
	aad := mustHex(t, "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
	pt := mustHex(t, "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"+
		"EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
	want := "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735" +
		"d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d" +
		"83de3541e4c2b58177e065a9bf7b62ec"
	if got := hex.EncodeToString(gcm.Seal(nil, nonce, pt, aad)); got != want {
		t.Fatalf("SM4-GCM = %s, want %s", got, want)
	}
}

func TestCommit(t *testing.T) {
	salt := mustHex(t, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	pt := []byte("110101199003078515")
	// The documented layout, computed independently.
	pre := binary.BigEndian.AppendUint64(nil, uint64(len(salt)))
	pre = append(append(pre, salt...), pt...)
	sha := sha256.Sum256(pre)
	sm := sm3.Sum(pre)
	for _, tt := range []struct {
		alg  crypto.Algorithm
		want []byte
	}{
		{crypto.Ed25519, sha[:]},
		{crypto.P256, sha[:]},
		{crypto.SM2, sm[:]},
	} {
		got := crypto.Commit(tt.alg, salt, pt)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("Commit(%s) = %x, want %x", tt.alg, got, tt.want)
		}
		if !crypto.VerifyCommitment(tt.alg, salt, pt, got) {
			t.Errorf("%s: commitment does not verify", tt.alg)
		}
		other := []byte("110101199003078516")
		if crypto.VerifyCommitment(tt.alg, salt, other, got) {
			t.Errorf("%s: verifies another plaintext", tt.alg)
		}
		salt2 := bytes.Clone(salt)
		salt2[0] ^= 1
		if crypto.VerifyCommitment(tt.alg, salt2, pt, got) || bytes.Equal(crypto.Commit(tt.alg, salt2, pt), got) {
			t.Errorf("%s: the salt does not matter", tt.alg)
		}
		if crypto.VerifyCommitment(tt.alg, salt, pt, got[:31]) || crypto.VerifyCommitment(tt.alg, salt, pt, nil) {
			t.Errorf("%s: verifies a truncated commitment", tt.alg)
		}
		// The length prefix separates salt from plaintext.
		if bytes.Equal(crypto.Commit(tt.alg, salt[:31], append([]byte{salt[31]}, pt...)), got) {
			t.Errorf("%s: salt and plaintext boundary is ambiguous", tt.alg)
		}
	}
	if bytes.Equal(crypto.Commit(crypto.SM2, salt, pt), crypto.Commit(crypto.P256, salt, pt)) {
		t.Fatal("SM3 and SHA-256 commitments coincide")
	}
	if crypto.VerifyCommitment(crypto.SM2, salt, pt, crypto.Commit(crypto.Ed25519, salt, pt)) {
		t.Fatal("a SHA-256 commitment verifies as SM3")
	}
	s1, s2 := crypto.NewSalt(), crypto.NewSalt()
	if len(s1) != crypto.SaltSize || bytes.Equal(s1, s2) {
		t.Fatalf("NewSalt: %x, %x", s1, s2)
	}
}

func TestEnvelopeJSON(t *testing.T) {
	aad := []byte("r")
	ps := fixedParties(t)
	for _, c := range contentAlgs {
		env := seal(t, c, []byte("content"), aad, ps...)
		b := marshal(t, env)
		prefix := `{"version":"otcchain-envelope/1","cipher":"` + string(c) + `","nonce":"`
		if !strings.HasPrefix(string(b), prefix) {
			t.Fatalf("canonical form starts %.80s", b)
		}
		if !strings.Contains(string(b), `"recipients":[{"id":"investor-x25519","alg":"x25519","epk":"`) {
			t.Fatalf("recipient members out of order: %s", b)
		}
		parsed, err := crypto.ParseEnvelope(b)
		if err != nil {
			t.Fatal(err)
		}
		if b2 := marshal(t, parsed); !bytes.Equal(b, b2) {
			t.Fatalf("round trip changed the bytes:\n%s\n%s", b, b2)
		}
		mustOpen(t, parsed, aad, ps[2], []byte("content"))

		// json.Marshal of a value and a pointer, and inside a message.
		v, err := json.Marshal(*env)
		if err != nil || !bytes.Equal(v, b) {
			t.Fatalf("json.Marshal(value) = %s, %v", v, err)
		}
		type msg struct {
			Record   string           `json:"record"`
			Envelope *crypto.Envelope `json:"envelope"`
		}
		m, err := json.Marshal(msg{"r1", env})
		if err != nil {
			t.Fatal(err)
		}
		var back msg
		if err := json.Unmarshal(m, &back); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(marshal(t, back.Envelope), b) {
			t.Fatal("envelope inside a message does not round trip")
		}

		// Other white space and member order parse to the same envelope.
		var ind bytes.Buffer
		if err := json.Indent(&ind, b, "", "  "); err != nil {
			t.Fatal(err)
		}
		reordered := strings.Replace(ind.String(), `"version": "otcchain-envelope/1",`, "", 1)
		reordered = strings.Replace(reordered, "\n}", `, "version": "otcchain-envelope/1"}`, 1)
		for _, in := range []string{ind.String(), reordered} {
			p, err := crypto.ParseEnvelope([]byte(in))
			if err != nil {
				t.Fatalf("ParseEnvelope(%.60q): %v", in, err)
			}
			if !bytes.Equal(marshal(t, p), b) {
				t.Fatal("non-canonical input does not re-encode canonically")
			}
		}
	}
	// An invalid envelope is not encoded.
	bad := seal(t, crypto.ContentAES256GCM, nil, nil, ps[0])
	bad.Recipients = nil
	if _, err := bad.MarshalJSON(); !errors.Is(err, crypto.ErrMalformedEnvelope) {
		t.Fatalf("MarshalJSON of an envelope without recipients: %v", err)
	}
	if _, err := json.Marshal(bad); err == nil {
		t.Fatal("json.Marshal of an invalid envelope succeeded")
	}
}

func TestParseEnvelopeRefuses(t *testing.T) {
	alice := newParty(t, "alice", crypto.X25519)
	bob := newParty(t, "bob", crypto.SM2Enc)
	env := seal(t, crypto.ContentAES256GCM, []byte("x"), nil, alice, bob)
	s := string(marshal(t, env))
	enc := base64.StdEncoding.EncodeToString
	nonce := `"nonce":"` + enc(env.Nonce) + `"`
	epk := enc(env.Recipients[0].Ephemeral)
	aliceRec := `{"id":"alice","alg":"x25519","epk":"` + epk + `","key":"` + enc(env.Recipients[0].Key) + `"}`
	if !strings.Contains(s, aliceRec) {
		t.Fatalf("unexpected form %s", s)
	}
	// The last base64 character of a 32-byte value carries 2 padding bits.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	loose := []byte(epk)
	loose[42] = alphabet[strings.IndexByte(alphabet, loose[42])|1]
	recipientsOfN := func(n int) string {
		var rs []string
		for i := range n {
			rs = append(rs, strings.Replace(aliceRec, `"alice"`, fmt.Sprintf(`"r%d"`, i), 1))
		}
		return `"recipients":[` + strings.Join(rs, ",") + `]`
	}
	allRecipients := s[strings.Index(s, `"recipients":`) : len(s)-1]

	replace := func(old, new string) string {
		t.Helper()
		if !strings.Contains(s, old) {
			t.Fatalf("%q not in %s", old, s)
		}
		return strings.Replace(s, old, new, 1)
	}
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"not json", "nope"},
		{"null", "null"},
		{"array", "[" + s + "]"},
		{"string", `"x"`},
		{"truncated", s[:len(s)-1]},
		{"trailing object", s + "{}"},
		{"trailing garbage", s + "x"},
		{"two envelopes", s + s},
		{"too large", s[:1] + strings.Repeat(" ", crypto.MaxEnvelopeSize) + s[1:]},
		{"unknown member", replace(`{"version"`, `{"extra":"x","version"`)},
		{"unknown recipient member", replace(`{"id":"alice"`, `{"note":"x","id":"alice"`)},
		{"member case", replace(`"version"`, `"Version"`)},
		{"recipient member case", replace(`"epk"`, `"EPK"`)},
		{"duplicate member", replace(`"cipher":"aes-256-gcm"`, `"cipher":"aes-256-gcm","cipher":"aes-256-gcm"`)},
		{"duplicate recipient member", replace(`"id":"alice"`, `"id":"alice","id":"alice"`)},
		{"missing member", replace(nonce+",", "")},
		{"missing recipient member", replace(`"alg":"x25519",`, "")},
		{"null member", replace(`"cipher":"aes-256-gcm"`, `"cipher":null`)},
		{"number member", replace(nonce, `"nonce":12`)},
		{"object member", replace(`"version":"otcchain-envelope/1"`, `"version":{"v":1}`)},
		{"recipients null", replace(allRecipients, `"recipients":null`)},
		{"recipients object", replace(allRecipients, `"recipients":{}`)},
		{"recipient not object", replace(allRecipients, `"recipients":["alice"]`)},
		{"no recipients", replace(allRecipients, `"recipients":[]`)},
		{"too many recipients", replace(allRecipients, recipientsOfN(crypto.MaxRecipients+1))},
		{"duplicate recipient id", replace(`"id":"bob"`, `"id":"alice"`)},
		{"empty id", replace(`"id":"alice"`, `"id":""`)},
		{"id with space", replace(`"id":"alice"`, `"id":"al ice"`)},
		{"non-ascii id", replace(`"id":"alice"`, `"id":"\u00e9"`)},
		{"long id", replace(`"id":"alice"`, `"id":"`+strings.Repeat("a", crypto.MaxRecipientIDLen+1)+`"`)},
		{"other version", replace(`otcchain-envelope/1`, `otcchain-envelope/2`)},
		{"no version", replace(`otcchain-envelope/1`, ``)},
		{"unknown cipher", replace(`"aes-256-gcm"`, `"aes-128-gcm"`)},
		{"cipher of other sizes", replace(`"aes-256-gcm"`, `"sm4-gcm"`)},
		{"unknown alg", replace(`"alg":"x25519"`, `"alg":"x448"`)},
		{"alg of other sizes", replace(`"alg":"sm2-enc"`, `"alg":"p256-ecdh"`)},
		{"short nonce", replace(nonce, `"nonce":"`+enc(make([]byte, 11))+`"`)},
		{"long nonce", replace(nonce, `"nonce":"`+enc(make([]byte, 13))+`"`)},
		{"nonce not base64", replace(nonce, `"nonce":"!!!!!!!!!!!!!!!!"`)},
		{"nonce url base64", replace(nonce, `"nonce":"AAAAAAAAAAAAAAA-"`)},
		{"ciphertext too short", replace(`"ciphertext":"`+enc(env.Ciphertext)+`"`, `"ciphertext":"`+enc(make([]byte, 15))+`"`)},
		{"ciphertext too long", replace(`"ciphertext":"`+enc(env.Ciphertext)+`"`, `"ciphertext":"`+enc(make([]byte, crypto.MaxPlaintextSize+17))+`"`)},
		{"base64 line break", replace(`"epk":"`+epk[:10], `"epk":"`+epk[:10]+`\n`)},
		{"base64 unpadded", replace(epk, strings.TrimRight(epk, "="))},
		{"base64 padding bits", replace(epk, string(loose))},
		{"short epk", replace(epk, enc(make([]byte, 31)))},
		{"long key", replace(enc(env.Recipients[0].Key), enc(make([]byte, len(env.Recipients[0].Key)+1)))},
	}
	for _, tt := range tests {
		_, err := crypto.ParseEnvelope([]byte(tt.in))
		if !errors.Is(err, crypto.ErrMalformedEnvelope) {
			t.Errorf("%s: got %v, want ErrMalformedEnvelope", tt.name, err)
			continue
		}
		var e crypto.Envelope
		if err := json.Unmarshal([]byte(tt.in), &e); err == nil {
			t.Errorf("%s: json.Unmarshal accepted", tt.name)
		}
	}
	// At the recipient limit it is accepted.
	if _, err := crypto.ParseEnvelope([]byte(replace(allRecipients, recipientsOfN(crypto.MaxRecipients)))); err != nil {
		t.Fatalf("%d recipients: %v", crypto.MaxRecipients, err)
	}
}

// fuzzSeeds are valid envelopes for the fixed parties.
var (
	fuzzPlaintext = []byte("fuzz personal data")
	fuzzAAD       = []byte("fuzz/record")
)

func fuzzSeeds(f *testing.F) [][]byte {
	ps := fixedParties(f)
	var out [][]byte
	for _, c := range contentAlgs {
		out = append(out, marshal(f, seal(f, c, fuzzPlaintext, fuzzAAD, ps...)))
		out = append(out, marshal(f, seal(f, c, nil, fuzzAAD, ps[2])))
	}
	return out
}

func FuzzParseEnvelope(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
		var ind bytes.Buffer
		if err := json.Indent(&ind, s, "", " "); err != nil {
			f.Fatal(err)
		}
		f.Add(ind.Bytes())
		f.Add(s[:len(s)/2])
	}
	f.Add([]byte(`{"version":"otcchain-envelope/1"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := crypto.ParseEnvelope(b)
		if err != nil {
			if !errors.Is(err, crypto.ErrMalformedEnvelope) {
				t.Fatalf("error %v is not ErrMalformedEnvelope", err)
			}
			return
		}
		// An accepted envelope re-encodes, and the canonical form is stable.
		c1, err := env.MarshalJSON()
		if err != nil {
			t.Fatalf("accepted envelope does not encode: %v", err)
		}
		again, err := crypto.ParseEnvelope(c1)
		if err != nil {
			t.Fatalf("canonical form refused: %v", err)
		}
		c2, err := again.MarshalJSON()
		if err != nil || !bytes.Equal(c1, c2) {
			t.Fatalf("canonical form not stable: %v", err)
		}
	})
}

func FuzzOpen(f *testing.F) {
	ps := fixedParties(f)
	for _, s := range fuzzSeeds(f) {
		f.Add(s, fuzzAAD)
		f.Add(s, []byte("other"))
	}
	f.Fuzz(func(t *testing.T, b, aad []byte) {
		env, err := crypto.ParseEnvelope(b)
		if err != nil {
			return
		}
		for _, p := range ps {
			pt, err := crypto.Open(env, aad, p.id, p.key)
			switch {
			case err == nil:
				// Nothing the fuzzer can do forges content: whatever opens
				// is a seed's, under the seed's aad.
				if !bytes.Equal(aad, fuzzAAD) || (len(pt) != 0 && !bytes.Equal(pt, fuzzPlaintext)) {
					t.Fatalf("opened %q under aad %q", pt, aad)
				}
			case errors.Is(err, crypto.ErrDecrypt), errors.Is(err, crypto.ErrNotRecipient),
				errors.Is(err, crypto.ErrKeyMismatch), errors.Is(err, crypto.ErrMalformedEnvelope):
			default:
				t.Fatalf("Open error %v is none of the sentinels", err)
			}
		}
	})
}

func FuzzEncPublicKeyFromBytes(f *testing.F) {
	for i, p := range fixedParties(f) {
		f.Add(uint8(i), p.key.Public().Bytes())
	}
	for _, s := range smallOrderX25519 {
		f.Add(uint8(0), mustHex(f, s))
	}
	f.Add(uint8(1), make([]byte, 65))
	f.Add(uint8(2), []byte{4})
	algs := crypto.EncAlgorithms()
	f.Fuzz(func(t *testing.T, a uint8, b []byte) {
		alg := crypto.EncAlgorithm("unknown")
		if int(a) < len(algs) {
			alg = algs[a]
		}
		pub, err := crypto.EncPublicKeyFromBytes(alg, b)
		if err != nil {
			return
		}
		if !bytes.Equal(pub.Bytes(), b) || pub.Algorithm() != alg {
			t.Fatal("accepted key does not round trip")
		}
		// An accepted key can be sealed to.
		if _, err := crypto.Seal(crypto.ContentAES256GCM, []byte("x"), nil, []crypto.Recipient{{ID: "r", Key: pub}}); err != nil {
			t.Fatalf("Seal to an accepted key: %v", err)
		}
	})
}

func FuzzEncPrivateKeyFromBytes(f *testing.F) {
	for i, p := range fixedParties(f) {
		f.Add(uint8(i), p.key.Bytes())
	}
	f.Add(uint8(1), bytes.Repeat([]byte{0xff}, 32))
	algs := crypto.EncAlgorithms()
	f.Fuzz(func(t *testing.T, a uint8, b []byte) {
		alg := algs[int(a)%len(algs)]
		k, err := crypto.EncPrivateKeyFromBytes(alg, b)
		if err != nil {
			return
		}
		if !bytes.Equal(k.Bytes(), b) {
			t.Fatal("accepted private key does not round trip")
		}
		env, err := crypto.Seal(crypto.ContentSM4GCM, []byte("m"), nil, []crypto.Recipient{{ID: "r", Key: k.Public()}})
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		if pt, err := crypto.Open(env, nil, "r", k); err != nil || string(pt) != "m" {
			t.Fatalf("accepted private key cannot open: %v", err)
		}
	})
}

// benchCases: a 1 KiB record for 3 recipients of one scheme, with the
// content cipher a sender of the matching identity uses, and a mixed set.
func benchCases(b *testing.B) []struct {
	name    string
	content crypto.ContentAlg
	ps      []party
} {
	three := func(alg crypto.EncAlgorithm) []party {
		return []party{newParty(b, "a", alg), newParty(b, "b", alg), newParty(b, "c", alg)}
	}
	return []struct {
		name    string
		content crypto.ContentAlg
		ps      []party
	}{
		{"x25519+aes-256-gcm", crypto.ContentAES256GCM, three(crypto.X25519)},
		{"p256-ecdh+aes-256-gcm", crypto.ContentAES256GCM, three(crypto.P256ECDH)},
		{"sm2-enc+sm4-gcm", crypto.ContentSM4GCM, three(crypto.SM2Enc)},
		{"mixed+sm4-gcm", crypto.ContentSM4GCM, fixedParties(b)},
	}
}

func BenchmarkSeal(b *testing.B) {
	record := bytes.Repeat([]byte("x"), 1024)
	aad := []byte("investor/42/kyc")
	for _, bc := range benchCases(b) {
		rs := recipientsOf(bc.ps...)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(record)))
			for b.Loop() {
				if _, err := crypto.Seal(bc.content, record, aad, rs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	record := bytes.Repeat([]byte("x"), 1024)
	aad := []byte("investor/42/kyc")
	for _, bc := range benchCases(b) {
		env := seal(b, bc.content, record, aad, bc.ps...)
		p := bc.ps[len(bc.ps)-1]
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(record)))
			for b.Loop() {
				if _, err := crypto.Open(env, aad, p.id, p.key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseEnvelope is the cost of checking an envelope inside block
// execution.
func BenchmarkParseEnvelope(b *testing.B) {
	bc := benchCases(b)[3]
	js := marshal(b, seal(b, bc.content, bytes.Repeat([]byte("x"), 1024), nil, bc.ps...))
	b.ReportAllocs()
	b.SetBytes(int64(len(js)))
	for b.Loop() {
		if _, err := crypto.ParseEnvelope(js); err != nil {
			b.Fatal(err)
		}
	}
}
