package tx

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Limits of the format. A tx over MaxTxBytes is refused before decoding.
const (
	MaxTxBytes     = 1 << 20 // also CometBFT's max_tx_bytes
	MaxSigBytes    = 144
	SignerIDBytes  = 32
	MaxMsgs        = 64
	MaxBatchItems  = 10000
	MaxNonceLen    = 64
	MinNonceLen    = 8
	MaxMemoLen     = 256
	MaxChainIDLen  = 50
	magic          = "OTX"
	envelopeV1     = 1
	signDomainV1   = "otcchain/tx/v1\x00"
	BatchMsgType   = "batch"
	maxTypeNameLen = 64
)

// Algorithm codes carried in the envelope. Appended only.
const (
	AlgEd25519 byte = 1
	AlgP256    byte = 2
	AlgSM2     byte = 3
)

// AlgName returns the algorithm name used by package crypto ("ed25519",
// "p256", "sm2"), or "" for an unknown code.
func AlgName(code byte) string {
	switch code {
	case AlgEd25519:
		return "ed25519"
	case AlgP256:
		return "p256"
	case AlgSM2:
		return "sm2"
	}
	return ""
}

// AlgCode is the inverse of AlgName (0 for an unknown name).
func AlgCode(name string) byte {
	switch name {
	case "ed25519":
		return AlgEd25519
	case "p256":
		return AlgP256
	case "sm2":
		return AlgSM2
	}
	return 0
}

// Envelope is a signed transaction.
type Envelope struct {
	Body      []byte // exact JSON bytes of Body, as signed
	Signer    [SignerIDBytes]byte
	Alg       byte
	Signature []byte
}

// SignerID returns the signer's identity id as lowercase hex.
func (e *Envelope) SignerID() string { return hex.EncodeToString(e.Signer[:]) }

// ErrMalformed is returned (wrapped) for any undecodable input.
var ErrMalformed = errors.New("tx: malformed")

// Encode returns the wire bytes:
//
//	"OTX" 0x01 | uvarint len | body | signer (32 bytes) | alg (1 byte) | uvarint len | signature
func (e *Envelope) Encode() []byte {
	var buf bytes.Buffer
	buf.Grow(len(e.Body) + len(e.Signature) + 48)
	buf.WriteString(magic)
	buf.WriteByte(envelopeV1)
	writeBytes(&buf, e.Body)
	buf.Write(e.Signer[:])
	buf.WriteByte(e.Alg)
	writeBytes(&buf, e.Signature)
	return buf.Bytes()
}

func writeBytes(buf *bytes.Buffer, b []byte) {
	var l [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(l[:], uint64(len(b)))
	buf.Write(l[:n])
	buf.Write(b)
}

// Decode parses wire bytes. It accepts exactly one encoding of an envelope:
// minimal varints, no trailing bytes, known algorithm, bounded lengths.
func Decode(b []byte) (*Envelope, error) {
	if len(b) > MaxTxBytes {
		return nil, fmt.Errorf("%w: %d bytes exceeds the %d byte limit", ErrMalformed, len(b), MaxTxBytes)
	}
	if len(b) < len(magic)+1 || string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: not an otcchain transaction (bad magic)", ErrMalformed)
	}
	if b[3] != envelopeV1 {
		return nil, fmt.Errorf("%w: unsupported envelope version %d", ErrMalformed, b[3])
	}
	r := b[4:]
	body, r, err := readBytes(r, MaxTxBytes, "body")
	if err != nil {
		return nil, err
	}
	if len(r) < SignerIDBytes+1 {
		return nil, fmt.Errorf("%w: truncated signer", ErrMalformed)
	}
	e := &Envelope{Body: body}
	copy(e.Signer[:], r[:SignerIDBytes])
	e.Alg = r[SignerIDBytes]
	if AlgName(e.Alg) == "" {
		return nil, fmt.Errorf("%w: unknown signature algorithm code %d", ErrMalformed, e.Alg)
	}
	r = r[SignerIDBytes+1:]
	sig, r, err := readBytes(r, MaxSigBytes, "signature")
	if err != nil {
		return nil, err
	}
	if len(sig) == 0 {
		return nil, fmt.Errorf("%w: empty signature", ErrMalformed)
	}
	if len(r) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(r))
	}
	e.Signature = sig
	return e, nil
}

func readBytes(r []byte, max int, what string) ([]byte, []byte, error) {
	n, k := binary.Uvarint(r)
	if k <= 0 {
		return nil, nil, fmt.Errorf("%w: bad %s length", ErrMalformed, what)
	}
	if k != uvarintLen(n) {
		return nil, nil, fmt.Errorf("%w: non-minimal %s length", ErrMalformed, what)
	}
	if n > uint64(max) || n > uint64(len(r)-k) {
		return nil, nil, fmt.Errorf("%w: %s length %d out of range", ErrMalformed, what, n)
	}
	return r[k : k+int(n)], r[k+int(n):], nil
}

func uvarintLen(n uint64) int {
	var l [binary.MaxVarintLen64]byte
	return binary.PutUvarint(l[:], n)
}

// AuthDomain prefixes every login signature.
const AuthDomain = "otcchain/auth/v2\x00"

// AuthMessage returns the bytes an identity signs to log in to an API:
// "otcchain/auth/v2\x00" + chainID + "\x00" + audience + "\x00" + challenge.
// The audience is the host:port of the API the client means to log in to:
// a node accepts only its own addresses, so a host that relays another
// node's challenge (for example a blob URL named by a malicious sender)
// cannot turn the signature into a token for that node. It lives here, with
// SignBytes, because it is the other thing an identity's key signs.
func AuthMessage(chainID, audience, challenge string) []byte {
	out := make([]byte, 0, len(AuthDomain)+len(chainID)+len(audience)+2+len(challenge))
	out = append(out, AuthDomain...)
	out = append(out, chainID...)
	out = append(out, 0)
	out = append(out, audience...)
	out = append(out, 0)
	return append(out, challenge...)
}

// SignBytes is what the signer signs: a domain-separation prefix, the chain
// id (length-prefixed) and the exact body bytes.
func SignBytes(chainID string, body []byte) []byte {
	out := make([]byte, 0, len(signDomainV1)+1+len(chainID)+len(body))
	out = append(out, signDomainV1...)
	out = binary.AppendUvarint(out, uint64(len(chainID)))
	out = append(out, chainID...)
	return append(out, body...)
}

// Any is one message: its type ("module/name") and its JSON value.
type Any struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// Body is what a signer states: one or more messages, a nonce (random, unique
// per signer until the tx expires) and the last height at which the tx may be
// included.
type Body struct {
	Msgs   []Any  `json:"msgs"`
	Nonce  string `json:"nonce"`
	Expiry int64  `json:"expiry"`
	Memo   string `json:"memo,omitempty"`
}

// Batch is the value of a "batch" message: items of batchable message types,
// each executed on its own (one failing item does not fail the others).
type Batch struct {
	Items []Any `json:"items"`
}

// ItemResult is the outcome of one message or batch item in a tx result.
type ItemResult struct {
	Index     int             `json:"index"`
	Code      uint32          `json:"code"`
	Codespace string          `json:"codespace,omitempty"`
	Log       string          `json:"log,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// DecodeBody parses body JSON strictly: unknown fields, trailing data and
// out-of-range values are refused.
func DecodeBody(b []byte) (*Body, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: body is not UTF-8", ErrMalformed)
	}
	var body Body
	if err := strictUnmarshal(b, &body); err != nil {
		return nil, fmt.Errorf("%w: body: %v", ErrMalformed, err)
	}
	if err := body.validate(); err != nil {
		return nil, err
	}
	return &body, nil
}

func (b *Body) validate() error {
	if len(b.Msgs) == 0 {
		return fmt.Errorf("%w: body has no messages", ErrMalformed)
	}
	if len(b.Msgs) > MaxMsgs {
		return fmt.Errorf("%w: %d messages exceeds the limit of %d", ErrMalformed, len(b.Msgs), MaxMsgs)
	}
	for i, m := range b.Msgs {
		if err := validType(m.Type); err != nil {
			return fmt.Errorf("%w: message %d: %v", ErrMalformed, i, err)
		}
		if len(m.Value) == 0 {
			return fmt.Errorf("%w: message %d has no value", ErrMalformed, i)
		}
	}
	if len(b.Nonce) < MinNonceLen || len(b.Nonce) > MaxNonceLen {
		return fmt.Errorf("%w: nonce must be %d to %d characters", ErrMalformed, MinNonceLen, MaxNonceLen)
	}
	for _, c := range b.Nonce {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return fmt.Errorf("%w: nonce may contain only letters, digits, '-' and '_'", ErrMalformed)
		}
	}
	if b.Expiry <= 0 {
		return fmt.Errorf("%w: expiry height must be positive", ErrMalformed)
	}
	if len(b.Memo) > MaxMemoLen {
		return fmt.Errorf("%w: memo longer than %d bytes", ErrMalformed, MaxMemoLen)
	}
	return nil
}

func validType(t string) error {
	if t == "" || len(t) > maxTypeNameLen {
		return fmt.Errorf("message type must be 1 to %d characters", maxTypeNameLen)
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '/') {
			return fmt.Errorf("message type %q may contain only a-z, 0-9, '_' and '/'", t)
		}
	}
	return nil
}

// DecodeBatch parses a batch message value strictly.
func DecodeBatch(v []byte) (*Batch, error) {
	var b Batch
	if err := strictUnmarshal(v, &b); err != nil {
		return nil, fmt.Errorf("%w: batch: %v", ErrMalformed, err)
	}
	if len(b.Items) == 0 || len(b.Items) > MaxBatchItems {
		return nil, fmt.Errorf("%w: a batch holds 1 to %d items, got %d", ErrMalformed, MaxBatchItems, len(b.Items))
	}
	for i, it := range b.Items {
		if err := validType(it.Type); err != nil {
			return nil, fmt.Errorf("%w: batch item %d: %v", ErrMalformed, i, err)
		}
		if it.Type == BatchMsgType {
			return nil, fmt.Errorf("%w: batch item %d: batches do not nest", ErrMalformed, i)
		}
	}
	return &b, nil
}

// StrictUnmarshal decodes JSON into v refusing unknown fields and trailing
// data. Modules use it for message values.
func StrictUnmarshal(b []byte, v any) error { return strictUnmarshal(b, v) }

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after JSON value")
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("trailing data after JSON value")
	}
	return nil
}
