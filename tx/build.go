package tx

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// NewBody returns a body with a fresh random nonce.
func NewBody(msgs []Any, expiry int64) *Body {
	var n [16]byte
	if _, err := rand.Read(n[:]); err != nil {
		panic("tx: system randomness unavailable: " + err.Error())
	}
	return &Body{Msgs: msgs, Nonce: hex.EncodeToString(n[:]), Expiry: expiry}
}

// Marshal returns the body's JSON bytes, the exact bytes that get signed.
func (b *Body) Marshal() ([]byte, error) {
	if err := b.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(b)
}

// NewAny wraps a message value.
func NewAny(typ string, v any) (Any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return Any{}, fmt.Errorf("tx: encode %s: %w", typ, err)
	}
	return Any{Type: typ, Value: raw}, nil
}

// MustAny is NewAny for values that always encode (plain structs).
func MustAny(typ string, v any) Any {
	a, err := NewAny(typ, v)
	if err != nil {
		panic(err)
	}
	return a
}

// Sign builds a signed envelope: sign receives SignBytes(chainID, body).
func Sign(chainID string, body []byte, signer [SignerIDBytes]byte, alg byte, sign func([]byte) ([]byte, error)) (*Envelope, error) {
	if AlgName(alg) == "" {
		return nil, fmt.Errorf("tx: unknown algorithm code %d", alg)
	}
	sig, err := sign(SignBytes(chainID, body))
	if err != nil {
		return nil, fmt.Errorf("tx: sign: %w", err)
	}
	return &Envelope{Body: body, Signer: signer, Alg: alg, Signature: sig}, nil
}

// ParseSignerID decodes a hex identity id into the envelope's signer field.
func ParseSignerID(id string) ([SignerIDBytes]byte, error) {
	var out [SignerIDBytes]byte
	b, err := hex.DecodeString(id)
	if err != nil || len(b) != SignerIDBytes {
		return out, fmt.Errorf("tx: identity id must be %d hex characters", 2*SignerIDBytes)
	}
	copy(out[:], b)
	return out, nil
}
