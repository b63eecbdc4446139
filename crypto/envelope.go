package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// EncAlgorithm names a key-encryption scheme: how a data key is wrapped for
// one recipient. The names are part of the wire format (envelopes, key
// registrations): never rename one.
type EncAlgorithm string

// The supported key-encryption schemes.
const (
	// X25519 is ECDH on Curve25519 (RFC 7748), for Ed25519 identities.
	X25519 EncAlgorithm = "x25519"
	// P256ECDH is ECDH on NIST P-256, for P256 identities.
	P256ECDH EncAlgorithm = "p256-ecdh"
	// SM2Enc is SM2 public-key encryption (GM/T 0003.4, GB/T 32918.4,
	// C1C3C2), for SM2 identities.
	SM2Enc EncAlgorithm = "sm2-enc"
)

// Sizes of the raw encodings of encryption keys.
const (
	// EncPrivateKeySize is the size of EncPrivateKey.Bytes for every scheme.
	EncPrivateKeySize = 32
	// X25519PublicKeySize is the size of an X25519 public key. P256ECDH and
	// SM2Enc public keys are ECPublicKeySize bytes (uncompressed points).
	X25519PublicKeySize = 32
)

// EncAlgorithms lists the supported key-encryption schemes in a fixed order.
func EncAlgorithms() []EncAlgorithm { return []EncAlgorithm{X25519, P256ECDH, SM2Enc} }

// ParseEncAlgorithm returns the key-encryption scheme named s (exact, lowercase).
func ParseEncAlgorithm(s string) (EncAlgorithm, error) {
	switch a := EncAlgorithm(s); a {
	case X25519, P256ECDH, SM2Enc:
		return a, nil
	}
	return "", fmt.Errorf("crypto: unknown encryption algorithm %q (want one of x25519, p256-ecdh, sm2-enc)", s)
}

// EncAlgorithmFor returns the key-encryption scheme an identity with the
// signature algorithm sig registers: X25519 for Ed25519, P256ECDH for P256,
// SM2Enc for SM2, and "" for anything else.
func EncAlgorithmFor(sig Algorithm) EncAlgorithm {
	switch sig {
	case Ed25519:
		return X25519
	case P256:
		return P256ECDH
	case SM2:
		return SM2Enc
	}
	return ""
}

// ContentAlg names the authenticated cipher of an envelope's content. The
// names are part of the wire format: never rename one.
type ContentAlg string

// The supported content ciphers. Both use a fresh random data key per
// envelope, a 12-byte random nonce and a 16-byte tag.
const (
	// ContentAES256GCM is AES-256-GCM with a 32-byte data key.
	ContentAES256GCM ContentAlg = "aes-256-gcm"
	// ContentSM4GCM is SM4-GCM (GB/T 32907, as in RFC 8998) with a 16-byte
	// data key.
	ContentSM4GCM ContentAlg = "sm4-gcm"
)

// ContentAlgFor returns the content cipher a sender with the signature
// algorithm sig uses: SM4-GCM for SM2, AES-256-GCM otherwise.
func ContentAlgFor(sig Algorithm) ContentAlg {
	if sig == SM2 {
		return ContentSM4GCM
	}
	return ContentAES256GCM
}

// keySize is the data key size of c, 0 if c is unknown.
func (c ContentAlg) keySize() int {
	switch c {
	case ContentAES256GCM:
		return 32
	case ContentSM4GCM:
		return 16
	}
	return 0
}

// Limits and fixed values of the envelope format.
const (
	// EnvelopeVersion is the version member of every envelope.
	EnvelopeVersion = "otcchain-envelope/1"
	// MaxRecipients is the most recipients an envelope may have.
	MaxRecipients = 64
	// MaxPlaintextSize is the largest content Seal accepts (4 MiB).
	MaxPlaintextSize = 4 << 20
	// MaxEnvelopeSize is the largest JSON encoding ParseEnvelope reads; a
	// canonical envelope at both limits above is about 5.4 MiB.
	MaxEnvelopeSize = 6 << 20
	// MaxRecipientIDLen is the longest recipient id.
	MaxRecipientIDLen = 128
	// SaltSize is the size of NewSalt's output.
	SaltSize = 32
)

const (
	envelopeLabel = "otcchain/envelope/v1"
	nonceSize     = 12
	tagSize       = 16
)

// Errors returned by Open, Rewrap and ParseEnvelope; test with errors.Is.
var (
	// ErrNotRecipient: the envelope has no wrap for the recipient id.
	ErrNotRecipient = errors.New("crypto: not a recipient of the envelope")
	// ErrDecrypt: authentication failed. It deliberately does not say which
	// part (wrap, ephemeral key, nonce, ciphertext, associated data) was
	// wrong, nor whether the key was.
	ErrDecrypt = errors.New("crypto: envelope authentication failed")
	// ErrMalformedEnvelope: the envelope breaks the format (see the package
	// documentation); nothing was decrypted.
	ErrMalformedEnvelope = errors.New("crypto: malformed envelope")
	// ErrKeyMismatch: the key given is of another scheme than the
	// recipient's wrap (or missing).
	ErrKeyMismatch = errors.New("crypto: key does not match the recipient's scheme")
)

// EncPublicKey is a recipient's encryption key. Implementations are
// immutable and safe for concurrent use.
type EncPublicKey interface {
	Algorithm() EncAlgorithm
	// Bytes returns the raw encoding: 32 bytes (the u-coordinate) for
	// X25519, the 65-byte uncompressed point for P256ECDH and SM2Enc. The
	// caller may modify the result.
	Bytes() []byte
	// Equal reports whether k is the same scheme and key.
	Equal(k EncPublicKey) bool
}

// EncPrivateKey is a recipient's decryption key. It is never a signing key:
// each identity holds its encryption key pair apart from its signing key.
type EncPrivateKey interface {
	Algorithm() EncAlgorithm
	Public() EncPublicKey
	// Bytes returns the 32-byte scalar (for X25519, as generated, before
	// clamping). The caller may modify the result.
	Bytes() []byte
}

type encPublic struct {
	alg EncAlgorithm
	raw []byte
	ec  *ecdh.PublicKey  // X25519, P256ECDH
	sm2 *ecdsa.PublicKey // SM2Enc
}

func (k *encPublic) Algorithm() EncAlgorithm { return k.alg }
func (k *encPublic) Bytes() []byte           { return bytes.Clone(k.raw) }

func (k *encPublic) Equal(o EncPublicKey) bool {
	if o == nil || k.alg != o.Algorithm() {
		return false
	}
	return bytes.Equal(k.raw, o.Bytes())
}

type encPrivate struct {
	alg EncAlgorithm
	raw []byte
	ec  *ecdh.PrivateKey // X25519, P256ECDH
	sm2 *sm2.PrivateKey  // SM2Enc
	pub *encPublic
}

func (k *encPrivate) Algorithm() EncAlgorithm { return k.alg }
func (k *encPrivate) Public() EncPublicKey    { return k.pub }
func (k *encPrivate) Bytes() []byte           { return bytes.Clone(k.raw) }

var (
	_ EncPublicKey  = (*encPublic)(nil)
	_ EncPrivateKey = (*encPrivate)(nil)
)

func ecdhCurve(alg EncAlgorithm) ecdh.Curve {
	if alg == X25519 {
		return ecdh.X25519()
	}
	return ecdh.P256()
}

// GenerateEncKey returns a fresh encryption key from crypto/rand.
func GenerateEncKey(alg EncAlgorithm) (EncPrivateKey, error) {
	switch alg {
	case X25519, P256ECDH:
		k, err := ecdhCurve(alg).GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("crypto: generate %s key: %w", alg, err)
		}
		return newECDHPrivate(alg, k), nil
	case SM2Enc:
		k, err := sm2.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("crypto: generate %s key: %w", alg, err)
		}
		return newSM2EncPrivate(k)
	}
	return nil, fmt.Errorf("crypto: generate encryption key: unknown algorithm %q", alg)
}

// EncPrivateKeyFromBytes decodes EncPrivateKey.Bytes: 32 bytes for X25519
// (any value; it is clamped when used), a 32-byte big-endian scalar in the
// valid range for P256ECDH ([1, n-1]) and SM2Enc ([1, n-2]).
func EncPrivateKeyFromBytes(alg EncAlgorithm, b []byte) (EncPrivateKey, error) {
	if len(b) != EncPrivateKeySize {
		return nil, fmt.Errorf("crypto: %s private key must be %d bytes, got %d", alg, EncPrivateKeySize, len(b))
	}
	switch alg {
	case X25519, P256ECDH:
		k, err := ecdhCurve(alg).NewPrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("crypto: invalid %s private key: %w", alg, err)
		}
		return newECDHPrivate(alg, k), nil
	case SM2Enc:
		k, err := sm2.NewPrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("crypto: invalid %s private key: %w", alg, err)
		}
		return newSM2EncPrivate(k)
	}
	return nil, fmt.Errorf("crypto: encryption private key: unknown algorithm %q", alg)
}

// EncPublicKeyFromBytes decodes EncPublicKey.Bytes. It refuses wrong
// lengths; for X25519 non-canonical encodings (u >= 2^255-19) and points of
// small order (whose shared secret would be all zero); for P256ECDH and
// SM2Enc compressed or hybrid encodings, points not on the curve and the
// point at infinity.
func EncPublicKeyFromBytes(alg EncAlgorithm, b []byte) (EncPublicKey, error) {
	switch alg {
	case X25519:
		if len(b) != X25519PublicKeySize {
			return nil, fmt.Errorf("crypto: %s public key must be %d bytes, got %d", alg, X25519PublicKeySize, len(b))
		}
		if !x25519Canonical(b) {
			return nil, fmt.Errorf("crypto: %s public key is not canonical (u >= 2^255-19)", alg)
		}
		k, err := ecdh.X25519().NewPublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("crypto: invalid %s public key: %w", alg, err)
		}
		// A clamped scalar is a multiple of the cofactor, so the product is
		// zero exactly when the point has small order (on the curve or its
		// twist); crypto/ecdh reports that as an error.
		if _, err := x25519Probe.ECDH(k); err != nil {
			return nil, fmt.Errorf("crypto: %s public key has small order", alg)
		}
		return &encPublic{alg: alg, raw: bytes.Clone(b), ec: k}, nil
	case P256ECDH:
		if err := checkEncPoint(alg, b); err != nil {
			return nil, err
		}
		k, err := ecdh.P256().NewPublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("crypto: invalid %s public key: %w", alg, err)
		}
		return &encPublic{alg: alg, raw: bytes.Clone(b), ec: k}, nil
	case SM2Enc:
		if err := checkEncPoint(alg, b); err != nil {
			return nil, err
		}
		k, err := sm2.NewPublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("crypto: invalid %s public key: %w", alg, err)
		}
		return &encPublic{alg: alg, raw: bytes.Clone(b), sm2: k}, nil
	}
	return nil, fmt.Errorf("crypto: encryption public key: unknown algorithm %q", alg)
}

func checkEncPoint(alg EncAlgorithm, b []byte) error {
	if len(b) != ECPublicKeySize {
		return fmt.Errorf("crypto: %s public key must be %d bytes, got %d", alg, ECPublicKeySize, len(b))
	}
	if b[0] != 0x04 {
		return fmt.Errorf("crypto: %s public key must be an uncompressed point (0x04 prefix)", alg)
	}
	return nil
}

// x25519Probe is a fixed key used only to detect small-order public keys.
var x25519Probe = func() *ecdh.PrivateKey {
	k, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		panic("crypto: x25519 probe key: " + err.Error()) // cannot happen: 32 bytes
	}
	return k
}()

// x25519P is 2^255-19 in little-endian.
var x25519P = [32]byte{
	0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
}

// x25519Canonical reports whether the little-endian u-coordinate b (32
// bytes) is below 2^255-19 (so its top bit is clear too).
func x25519Canonical(b []byte) bool {
	for i := 31; i >= 0; i-- {
		if b[i] != x25519P[i] {
			return b[i] < x25519P[i]
		}
	}
	return false // equal to p
}

func newECDHPrivate(alg EncAlgorithm, k *ecdh.PrivateKey) *encPrivate {
	pub := k.PublicKey()
	return &encPrivate{alg: alg, raw: k.Bytes(), ec: k, pub: &encPublic{alg: alg, raw: pub.Bytes(), ec: pub}}
}

func newSM2EncPrivate(k *sm2.PrivateKey) (*encPrivate, error) {
	e, err := k.ECDH()
	if err != nil {
		return nil, fmt.Errorf("crypto: encode %s private key: %w", SM2Enc, err)
	}
	return &encPrivate{
		alg: SM2Enc,
		raw: e.Bytes(),
		sm2: k,
		pub: &encPublic{alg: SM2Enc, raw: e.PublicKey().Bytes(), sm2: &k.PublicKey},
	}, nil
}

// toEncPublic returns k as this package's implementation, re-decoding (and
// so validating) keys implemented elsewhere.
func toEncPublic(k EncPublicKey) (*encPublic, error) {
	if p, ok := k.(*encPublic); ok && p != nil {
		return p, nil
	}
	if k == nil {
		return nil, errors.New("crypto: missing encryption public key")
	}
	p, err := EncPublicKeyFromBytes(k.Algorithm(), k.Bytes())
	if err != nil {
		return nil, err
	}
	return p.(*encPublic), nil
}

func toEncPrivate(k EncPrivateKey) (*encPrivate, error) {
	if p, ok := k.(*encPrivate); ok && p != nil {
		return p, nil
	}
	if k == nil {
		return nil, fmt.Errorf("%w: missing private key", ErrKeyMismatch)
	}
	p, err := EncPrivateKeyFromBytes(k.Algorithm(), k.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyMismatch, err)
	}
	return p.(*encPrivate), nil
}

// ---- Envelopes

// Recipient names a party an envelope is sealed for and its registered
// encryption key.
type Recipient struct {
	// ID identifies the recipient (an identity or organisation id); see
	// ValidRecipientID. It is bound into the wrap.
	ID  string
	Key EncPublicKey
}

// Envelope is content encrypted once under a random data key, with that
// data key wrapped for each recipient. The fields are plain data: Validate
// (called by Open, Rewrap, MarshalJSON and ParseEnvelope) checks them.
type Envelope struct {
	Cipher     ContentAlg
	Nonce      []byte // 12 bytes
	Ciphertext []byte // content || 16-byte tag
	Recipients []WrappedKey
}

// WrappedKey is the data key wrapped for one recipient.
//
// For X25519 and P256ECDH, Ephemeral is the sender's ephemeral public key
// (32 or 65 bytes) and Key is AES-256-GCM(KEK, nonce 0, data key, aad):
// data key size + 16 bytes. For SM2Enc, Ephemeral is C1 (the 65-byte
// uncompressed point) and Key is C3 || C2 of the SM2 ciphertext of
// data key || SM3(context || aad): 32 + data key size + 32 bytes.
type WrappedKey struct {
	ID        string
	Algorithm EncAlgorithm
	Ephemeral []byte
	Key       []byte
}

// ValidRecipientID reports whether s can name a recipient: 1 to 128 bytes of
// ASCII letters, digits and - _ . : / @ + = (identity ids, organisation ids
// and similar names; never anything that JSON would escape).
func ValidRecipientID(s string) bool {
	if len(s) == 0 || len(s) > MaxRecipientIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '@' || c == '+' || c == '=':
		default:
			return false
		}
	}
	return true
}

// wrapSizes returns the lengths of Ephemeral and Key for a wrap of scheme alg
// under content cipher c, or ok == false if either is unknown.
func wrapSizes(alg EncAlgorithm, c ContentAlg) (epk, key int, ok bool) {
	n := c.keySize()
	if n == 0 {
		return 0, 0, false
	}
	switch alg {
	case X25519:
		return X25519PublicKeySize, n + tagSize, true
	case P256ECDH:
		return ECPublicKeySize, n + tagSize, true
	case SM2Enc:
		return ECPublicKeySize, sm3.Size + n + sm3.Size, true
	}
	return 0, 0, false
}

// Validate checks the structure of e: the cipher, the nonce and ciphertext
// sizes, 1 to MaxRecipients recipients with valid, distinct ids, known
// schemes and the exact sizes of their ephemeral keys and wrapped keys. It
// does no public-key operation (it is cheap enough for block execution);
// invalid points are found by Open, as ErrDecrypt. Errors wrap
// ErrMalformedEnvelope.
func (e Envelope) Validate() error {
	if e.Cipher.keySize() == 0 {
		return fmt.Errorf("%w: unknown cipher %q", ErrMalformedEnvelope, e.Cipher)
	}
	if len(e.Nonce) != nonceSize {
		return fmt.Errorf("%w: nonce must be %d bytes, got %d", ErrMalformedEnvelope, nonceSize, len(e.Nonce))
	}
	if len(e.Ciphertext) < tagSize || len(e.Ciphertext) > MaxPlaintextSize+tagSize {
		return fmt.Errorf("%w: ciphertext must be %d to %d bytes, got %d", ErrMalformedEnvelope, tagSize, MaxPlaintextSize+tagSize, len(e.Ciphertext))
	}
	if len(e.Recipients) == 0 || len(e.Recipients) > MaxRecipients {
		return fmt.Errorf("%w: must have 1 to %d recipients, got %d", ErrMalformedEnvelope, MaxRecipients, len(e.Recipients))
	}
	seen := make(map[string]bool, len(e.Recipients))
	for i, w := range e.Recipients {
		if !ValidRecipientID(w.ID) {
			return fmt.Errorf("%w: recipient %d: invalid id %.40q", ErrMalformedEnvelope, i, w.ID)
		}
		if seen[w.ID] {
			return fmt.Errorf("%w: recipient %d: duplicate id %q", ErrMalformedEnvelope, i, w.ID)
		}
		seen[w.ID] = true
		epk, key, ok := wrapSizes(w.Algorithm, e.Cipher)
		if !ok {
			return fmt.Errorf("%w: recipient %q: unknown algorithm %q", ErrMalformedEnvelope, w.ID, w.Algorithm)
		}
		if len(w.Ephemeral) != epk {
			return fmt.Errorf("%w: recipient %q: ephemeral key must be %d bytes, got %d", ErrMalformedEnvelope, w.ID, epk, len(w.Ephemeral))
		}
		if len(w.Key) != key {
			return fmt.Errorf("%w: recipient %q: wrapped key must be %d bytes, got %d", ErrMalformedEnvelope, w.ID, key, len(w.Key))
		}
	}
	return nil
}

// RecipientIDs returns the recipient ids in envelope order.
func (e Envelope) RecipientIDs() []string {
	ids := make([]string, len(e.Recipients))
	for i, w := range e.Recipients {
		ids[i] = w.ID
	}
	return ids
}

// HasRecipient reports whether e has a wrap for id.
func (e Envelope) HasRecipient(id string) bool { return e.find(id) >= 0 }

func (e Envelope) find(id string) int {
	for i, w := range e.Recipients {
		if w.ID == id {
			return i
		}
	}
	return -1
}

// Clone returns a deep copy of e.
func (e Envelope) Clone() *Envelope {
	c := &Envelope{
		Cipher:     e.Cipher,
		Nonce:      bytes.Clone(e.Nonce),
		Ciphertext: bytes.Clone(e.Ciphertext),
		Recipients: make([]WrappedKey, len(e.Recipients)),
	}
	for i, w := range e.Recipients {
		c.Recipients[i] = WrappedKey{ID: w.ID, Algorithm: w.Algorithm, Ephemeral: bytes.Clone(w.Ephemeral), Key: bytes.Clone(w.Key)}
	}
	return c
}

// Seal encrypts plaintext under a fresh data key with the content cipher
// content and wraps the data key for each recipient. aad (associated data,
// not encrypted, not stored) is authenticated by the content and by every
// wrap: pass what the ciphertext belongs to, such as the record id and field
// name, and pass the same bytes to Open. All randomness comes from
// crypto/rand.
func Seal(content ContentAlg, plaintext, aad []byte, recipients []Recipient) (*Envelope, error) {
	n := content.keySize()
	if n == 0 {
		return nil, fmt.Errorf("crypto: seal: unknown content cipher %q", content)
	}
	if len(plaintext) > MaxPlaintextSize {
		return nil, fmt.Errorf("crypto: seal: plaintext is %d bytes, more than %d", len(plaintext), MaxPlaintextSize)
	}
	if len(recipients) == 0 || len(recipients) > MaxRecipients {
		return nil, fmt.Errorf("crypto: seal: must have 1 to %d recipients, got %d", MaxRecipients, len(recipients))
	}
	pubs, err := checkRecipients(nil, recipients)
	if err != nil {
		return nil, fmt.Errorf("crypto: seal: %w", err)
	}
	dataKey := make([]byte, n)
	rand.Read(dataKey)
	defer clear(dataKey)
	nonce := make([]byte, nonceSize)
	rand.Read(nonce)
	aead, err := contentAEAD(content, dataKey)
	if err != nil {
		return nil, fmt.Errorf("crypto: seal: %w", err)
	}
	env := &Envelope{Cipher: content, Nonce: nonce, Ciphertext: aead.Seal(nil, nonce, plaintext, aad)}
	env.Recipients, err = wrapAll(content, dataKey, aad, recipients, pubs)
	if err != nil {
		return nil, fmt.Errorf("crypto: seal: %w", err)
	}
	return env, nil
}

// Open returns the content of env for the recipient recipientID holding key.
// Errors: ErrMalformedEnvelope (env fails Validate), ErrNotRecipient (no wrap
// for recipientID), ErrKeyMismatch (key is of another scheme than the wrap),
// ErrDecrypt (anything else: wrong key, wrong aad, any byte changed).
//
// A successful Open proves only that the content was sealed by someone who
// knew the data key: any recipient could have re-encrypted it. Tie content to
// its author with the signed transaction that carries the envelope, and
// check the salted commitment after opening (VerifyCommitment).
func Open(env *Envelope, aad []byte, recipientID string, key EncPrivateKey) ([]byte, error) {
	plaintext, dataKey, err := open(env, aad, recipientID, key)
	clear(dataKey)
	return plaintext, err
}

// Rewrap adds wraps of env's data key for newRecipients, opening it as the
// existing recipient holderID with holderKey, and returns the new envelope;
// the cipher, nonce and ciphertext are unchanged and env itself is not
// modified. The holder must be able to open the content (so a holder cannot
// pass on a key that does not decrypt it), and aad must be the envelope's.
// Errors: those of Open, and plain errors for invalid new recipients (none,
// an id already present, more than MaxRecipients in all).
//
// Adding a recipient grants access to the content; there is no removal, as a
// party that once read the data key keeps it.
func Rewrap(env *Envelope, aad []byte, holderID string, holderKey EncPrivateKey, newRecipients []Recipient) (*Envelope, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: nil envelope", ErrMalformedEnvelope)
	}
	if len(newRecipients) == 0 {
		return nil, errors.New("crypto: rewrap: no new recipients")
	}
	if len(env.Recipients)+len(newRecipients) > MaxRecipients {
		return nil, fmt.Errorf("crypto: rewrap: %d recipients in all, more than %d", len(env.Recipients)+len(newRecipients), MaxRecipients)
	}
	pubs, err := checkRecipients(env, newRecipients)
	if err != nil {
		return nil, fmt.Errorf("crypto: rewrap: %w", err)
	}
	plaintext, dataKey, err := open(env, aad, holderID, holderKey)
	clear(plaintext)
	defer clear(dataKey)
	if err != nil {
		return nil, err
	}
	wraps, err := wrapAll(env.Cipher, dataKey, aad, newRecipients, pubs)
	if err != nil {
		return nil, fmt.Errorf("crypto: rewrap: %w", err)
	}
	out := env.Clone()
	out.Recipients = append(out.Recipients, wraps...)
	return out, nil
}

// checkRecipients validates recipient ids (valid, distinct, and not in env
// when env is not nil) and converts their keys.
func checkRecipients(env *Envelope, recipients []Recipient) ([]*encPublic, error) {
	seen := make(map[string]bool, len(recipients))
	pubs := make([]*encPublic, len(recipients))
	for i, r := range recipients {
		if !ValidRecipientID(r.ID) {
			return nil, fmt.Errorf("recipient %d: invalid id %.40q", i, r.ID)
		}
		if seen[r.ID] || (env != nil && env.HasRecipient(r.ID)) {
			return nil, fmt.Errorf("recipient %q listed twice", r.ID)
		}
		seen[r.ID] = true
		p, err := toEncPublic(r.Key)
		if err != nil {
			return nil, fmt.Errorf("recipient %q: %w", r.ID, err)
		}
		pubs[i] = p
	}
	return pubs, nil
}

func wrapAll(content ContentAlg, dataKey, aad []byte, recipients []Recipient, pubs []*encPublic) ([]WrappedKey, error) {
	out := make([]WrappedKey, len(recipients))
	for i, r := range recipients {
		epk, key, err := wrap(pubs[i], content, r.ID, dataKey, aad)
		if err != nil {
			return nil, fmt.Errorf("recipient %q: %w", r.ID, err)
		}
		out[i] = WrappedKey{ID: r.ID, Algorithm: pubs[i].alg, Ephemeral: epk, Key: key}
	}
	return out, nil
}

func open(env *Envelope, aad []byte, id string, key EncPrivateKey) (plaintext, dataKey []byte, err error) {
	if env == nil {
		return nil, nil, fmt.Errorf("%w: nil envelope", ErrMalformedEnvelope)
	}
	if err := env.Validate(); err != nil {
		return nil, nil, err
	}
	i := env.find(id)
	if i < 0 {
		return nil, nil, fmt.Errorf("%w: %.40q", ErrNotRecipient, id)
	}
	w := env.Recipients[i]
	if key == nil {
		return nil, nil, fmt.Errorf("%w: missing private key", ErrKeyMismatch)
	}
	if key.Algorithm() != w.Algorithm {
		return nil, nil, fmt.Errorf("%w: recipient %q has a %s wrap, key is %s", ErrKeyMismatch, id, w.Algorithm, key.Algorithm())
	}
	priv, err := toEncPrivate(key)
	if err != nil {
		return nil, nil, err
	}
	dataKey, ok := unwrap(priv, env.Cipher, w, aad)
	if !ok {
		return nil, nil, ErrDecrypt
	}
	aead, err := contentAEAD(env.Cipher, dataKey)
	if err != nil {
		return nil, dataKey, ErrDecrypt
	}
	plaintext, err = aead.Open(nil, env.Nonce, env.Ciphertext, aad)
	if err != nil {
		return nil, dataKey, ErrDecrypt
	}
	return plaintext, dataKey, nil
}

func contentAEAD(c ContentAlg, key []byte) (cipher.AEAD, error) {
	if n := c.keySize(); n == 0 || len(key) != n {
		return nil, fmt.Errorf("crypto: %q data key of %d bytes", c, len(key))
	}
	var block cipher.Block
	var err error
	if c == ContentSM4GCM {
		block, err = sm4.NewCipher(key)
	} else {
		block, err = aes.NewCipher(key)
	}
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// wrapContext is what every wrap is bound to besides the aad: the label
// "otcchain/envelope/v1", a zero byte, then the recipient's scheme, the
// content cipher and the recipient id, each preceded by its length in one
// byte (all are at most 128 bytes).
func wrapContext(alg EncAlgorithm, content ContentAlg, id string) []byte {
	b := make([]byte, 0, len(envelopeLabel)+4+len(alg)+len(content)+len(id))
	b = append(b, envelopeLabel...)
	b = append(b, 0)
	for _, s := range []string{string(alg), string(content), id} {
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return b
}

// zeroNonce is the nonce of every key wrap: each KEK comes from a fresh
// ephemeral key and encrypts exactly one message.
var zeroNonce = make([]byte, nonceSize)

func wrap(pub *encPublic, content ContentAlg, id string, dataKey, aad []byte) (epk, wrapped []byte, err error) {
	ctx := wrapContext(pub.alg, content, id)
	switch pub.alg {
	case X25519, P256ECDH:
		eph, err := ecdhCurve(pub.alg).GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		epk = eph.PublicKey().Bytes()
		shared, err := eph.ECDH(pub.ec)
		if err != nil {
			return nil, nil, err
		}
		gcm, err := kekAEAD(shared, epk, pub.raw, ctx)
		if err != nil {
			return nil, nil, err
		}
		return epk, gcm.Seal(nil, zeroNonce, dataKey, aad), nil
	case SM2Enc:
		msg := append(bytes.Clone(dataKey), sm2Tag(ctx, aad)...)
		defer clear(msg)
		ct, err := sm2.Encrypt(rand.Reader, pub.sm2, msg, sm2.NewPlainEncrypterOpts(sm2.MarshalUncompressed, sm2.C1C3C2))
		if err != nil {
			return nil, nil, err
		}
		if len(ct) != ECPublicKeySize+sm3.Size+len(msg) || ct[0] != 0x04 {
			return nil, nil, errors.New("sm2 ciphertext of unexpected form")
		}
		return ct[:ECPublicKeySize], ct[ECPublicKeySize:], nil
	}
	return nil, nil, fmt.Errorf("unknown algorithm %q", pub.alg)
}

// unwrap returns the data key of w, or false; it never says why.
func unwrap(priv *encPrivate, content ContentAlg, w WrappedKey, aad []byte) ([]byte, bool) {
	n := content.keySize()
	ctx := wrapContext(w.Algorithm, content, w.ID)
	switch w.Algorithm {
	case X25519, P256ECDH:
		if w.Algorithm == X25519 && (len(w.Ephemeral) != X25519PublicKeySize || !x25519Canonical(w.Ephemeral)) {
			return nil, false
		}
		epk, err := ecdhCurve(w.Algorithm).NewPublicKey(w.Ephemeral)
		if err != nil {
			return nil, false
		}
		shared, err := priv.ec.ECDH(epk) // refuses small-order X25519 points
		if err != nil {
			return nil, false
		}
		gcm, err := kekAEAD(shared, w.Ephemeral, priv.pub.raw, ctx)
		if err != nil {
			return nil, false
		}
		dataKey, err := gcm.Open(nil, zeroNonce, w.Key, aad)
		if err != nil || len(dataKey) != n {
			return nil, false
		}
		return dataKey, true
	case SM2Enc:
		if len(w.Ephemeral) != ECPublicKeySize || w.Ephemeral[0] != 0x04 {
			return nil, false
		}
		ct := make([]byte, 0, len(w.Ephemeral)+len(w.Key))
		ct = append(append(ct, w.Ephemeral...), w.Key...)
		msg, err := sm2.Decrypt(priv.sm2, ct)
		if err != nil || len(msg) != n+sm3.Size {
			return nil, false
		}
		if subtle.ConstantTimeCompare(msg[n:], sm2Tag(ctx, aad)) != 1 {
			clear(msg)
			return nil, false
		}
		return msg[:n:n], true
	}
	return nil, false
}

// kekAEAD is AES-256-GCM under the KEK HKDF-SHA256(shared, salt = ephemeral
// public key || recipient public key, info = context).
func kekAEAD(shared, epk, recipient, ctx []byte) (cipher.AEAD, error) {
	salt := make([]byte, 0, len(epk)+len(recipient))
	salt = append(append(salt, epk...), recipient...)
	kek, err := hkdf.Key(sha256.New, shared, salt, string(ctx), 32)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sm2Tag binds an SM2 wrap to its context and the aad: SM3(context || aad).
func sm2Tag(ctx, aad []byte) []byte {
	h := sm3.New()
	h.Write(ctx)
	h.Write(aad)
	return h.Sum(nil)
}

// ---- JSON

type envelopeJSON struct {
	Version    string           `json:"version"`
	Cipher     ContentAlg       `json:"cipher"`
	Nonce      string           `json:"nonce"`
	Ciphertext string           `json:"ciphertext"`
	Recipients []wrappedKeyJSON `json:"recipients"`
}

type wrappedKeyJSON struct {
	ID        string       `json:"id"`
	Algorithm EncAlgorithm `json:"alg"`
	Ephemeral string       `json:"epk"`
	Key       string       `json:"key"`
}

var b64 = base64.StdEncoding

// MarshalJSON returns the canonical encoding: no white space, the members
// in the order version, cipher, nonce, ciphertext, recipients (each: id,
// alg, epk, key), bytes in standard padded base64, recipients in envelope
// order. It refuses an envelope that fails Validate.
func (e Envelope) MarshalJSON() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	j := envelopeJSON{
		Version:    EnvelopeVersion,
		Cipher:     e.Cipher,
		Nonce:      b64.EncodeToString(e.Nonce),
		Ciphertext: b64.EncodeToString(e.Ciphertext),
		Recipients: make([]wrappedKeyJSON, len(e.Recipients)),
	}
	for i, w := range e.Recipients {
		j.Recipients[i] = wrappedKeyJSON{ID: w.ID, Algorithm: w.Algorithm, Ephemeral: b64.EncodeToString(w.Ephemeral), Key: b64.EncodeToString(w.Key)}
	}
	// Every string is a fixed name, a restricted id or base64: nothing is
	// escaped, so this is the same in any JSON encoder.
	return json.Marshal(j)
}

// UnmarshalJSON is ParseEnvelope, so that an Envelope inside a message is
// decoded as strictly.
func (e *Envelope) UnmarshalJSON(b []byte) error {
	env, err := ParseEnvelope(b)
	if err != nil {
		return err
	}
	*e = *env
	return nil
}

// ParseEnvelope decodes a JSON envelope. It accepts member order and white
// space other than MarshalJSON's, but refuses input over MaxEnvelopeSize,
// anything but one object, unknown, missing, duplicate or differently-cased
// members, null or non-string values, base64 other than standard padded
// (canonical, no line breaks), another version, and anything Validate
// refuses. Errors wrap ErrMalformedEnvelope. Re-encoding a parsed envelope
// with MarshalJSON gives the canonical form.
func ParseEnvelope(b []byte) (*Envelope, error) {
	if len(b) > MaxEnvelopeSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformedEnvelope, len(b), MaxEnvelopeSize)
	}
	var j envelopeJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	err := readObject(dec, []member{
		{"version", stringMember(&j.Version)},
		{"cipher", stringMember((*string)(&j.Cipher))},
		{"nonce", stringMember(&j.Nonce)},
		{"ciphertext", stringMember(&j.Ciphertext)},
		{"recipients", func(dec *json.Decoder) error { return readRecipients(dec, &j.Recipients) }},
	})
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("data after the envelope")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedEnvelope, err)
	}
	if j.Version != EnvelopeVersion {
		return nil, fmt.Errorf("%w: unsupported version %q (want %q)", ErrMalformedEnvelope, j.Version, EnvelopeVersion)
	}
	env := &Envelope{Cipher: j.Cipher, Recipients: make([]WrappedKey, len(j.Recipients))}
	if env.Nonce, err = decodeB64("nonce", j.Nonce); err != nil {
		return nil, err
	}
	if env.Ciphertext, err = decodeB64("ciphertext", j.Ciphertext); err != nil {
		return nil, err
	}
	for i, r := range j.Recipients {
		w := WrappedKey{ID: r.ID, Algorithm: r.Algorithm}
		if w.Ephemeral, err = decodeB64(fmt.Sprintf("recipient %d epk", i), r.Ephemeral); err != nil {
			return nil, err
		}
		if w.Key, err = decodeB64(fmt.Sprintf("recipient %d key", i), r.Key); err != nil {
			return nil, err
		}
		env.Recipients[i] = w
	}
	if err := env.Validate(); err != nil {
		return nil, err
	}
	return env, nil
}

func decodeB64(what, s string) ([]byte, error) {
	b, err := b64.Strict().DecodeString(s)
	// Strict still skips line breaks: the length check refuses them.
	if err != nil || b64.EncodedLen(len(b)) != len(s) {
		return nil, fmt.Errorf("%w: %s is not canonical standard base64", ErrMalformedEnvelope, what)
	}
	return b, nil
}

type member struct {
	name string
	read func(*json.Decoder) error
}

// readObject reads one JSON object whose members are exactly members (names
// compared exactly, each once).
func readObject(dec *json.Decoder, members []member) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	seen := make([]bool, len(members))
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string)
		i := 0
		for i < len(members) && members[i].name != name {
			i++
		}
		if i == len(members) {
			return fmt.Errorf("unknown member %.40q", name)
		}
		if seen[i] {
			return fmt.Errorf("duplicate member %q", name)
		}
		seen[i] = true
		if err := members[i].read(dec); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	for i, m := range members {
		if !seen[i] {
			return fmt.Errorf("missing member %q", m.name)
		}
	}
	return nil
}

func readRecipients(dec *json.Decoder, out *[]wrappedKeyJSON) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for dec.More() {
		if len(*out) == MaxRecipients {
			return fmt.Errorf("more than %d recipients", MaxRecipients)
		}
		var r wrappedKeyJSON
		err := readObject(dec, []member{
			{"id", stringMember(&r.ID)},
			{"alg", stringMember((*string)(&r.Algorithm))},
			{"epk", stringMember(&r.Ephemeral)},
			{"key", stringMember(&r.Key)},
		})
		if err != nil {
			return fmt.Errorf("recipient %d: %w", len(*out), err)
		}
		*out = append(*out, r)
	}
	return expectDelim(dec, ']')
}

func stringMember(dst *string) func(*json.Decoder) error {
	return func(dec *json.Decoder) error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		s, ok := t.(string)
		if !ok {
			return errors.New("want a string")
		}
		*dst = s
		return nil
	}
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q", want)
	}
	return nil
}

// ---- Commitments

// NewSalt returns SaltSize random bytes from crypto/rand for Commit.
func NewSalt() []byte {
	b := make([]byte, SaltSize)
	rand.Read(b)
	return b
}

// Commit returns the salted commitment to plaintext: H(len(salt) || salt ||
// plaintext), with len(salt) as 8 bytes big-endian and H = SM3 for SM2 and
// SHA-256 otherwise (as Hash). Use a salt from NewSalt and keep it secret
// (inside the sealed record, for instance): names, ID and phone numbers have
// so little entropy that a published salt would let anyone recover them from
// the commitment by trying every value.
func Commit(alg Algorithm, salt, plaintext []byte) []byte {
	var h hash.Hash
	if alg == SM2 {
		h = sm3.New()
	} else {
		h = sha256.New()
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(salt)))
	h.Write(n[:])
	h.Write(salt)
	h.Write(plaintext)
	return h.Sum(nil)
}

// VerifyCommitment reports whether commitment is Commit(alg, salt,
// plaintext), comparing in constant time.
func VerifyCommitment(alg Algorithm, salt, plaintext, commitment []byte) bool {
	return subtle.ConstantTimeCompare(Commit(alg, salt, plaintext), commitment) == 1
}

// JSONSchema implements schema.Declarer (the API's OpenAPI document): the
// form MarshalJSON writes.
func (Envelope) JSONSchema() map[string]any {
	b64 := map[string]any{"type": "string", "format": "byte"}
	return map[string]any{
		"type": "object", "additionalProperties": false,
		"required": []string{"version", "cipher", "nonce", "ciphertext", "recipients"},
		"properties": map[string]any{
			"version":    map[string]any{"type": "string", "enum": []string{EnvelopeVersion}},
			"cipher":     map[string]any{"type": "string", "enum": []string{string(ContentAES256GCM), string(ContentSM4GCM)}},
			"nonce":      b64,
			"ciphertext": b64,
			"recipients": map[string]any{"type": "array", "items": map[string]any{
				"type": "object", "additionalProperties": false,
				"required": []string{"id", "alg", "epk", "key"},
				"properties": map[string]any{
					"id":  map[string]any{"type": "string"},
					"alg": map[string]any{"type": "string", "enum": []string{string(X25519), string(P256ECDH), string(SM2Enc)}},
					"epk": b64,
					"key": b64,
				},
			}},
		},
	}
}

// UniqueRecipients drops repeated recipient ids, keeping the first.
func UniqueRecipients(rs []Recipient) []Recipient {
	seen := map[string]bool{}
	var out []Recipient
	for _, r := range rs {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}
