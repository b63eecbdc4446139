// Package signing is what the browser console's signer does, as plain Go:
// it opens an identity from the bytes of its keystore files and the
// passphrase, keeps the decrypted keys, and signs with them (the API's login
// challenge, transactions, the fund statements an investor or a manager
// signs). console/signer compiles it to WebAssembly for a Web Worker; tests
// run it natively.
//
// The interface is JSON in, JSON out, one function per operation
// (Functions): {"ok": RESULT} or {"error": {"code": CODE, "message": TEXT}}.
// No result ever carries a private key or a passphrase.
//
// This package must never import CometBFT, pebble, net/http or the app: it
// is compiled for the browser.
package signing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/gov"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/pki"
	"github.com/otcchain/otcchain/tx"
)

// Version names the signer's interface; the page checks it.
const Version = "otcchain-signer/1"

// Error codes of the signer.
const (
	CodeBadRequest    = "bad_request"       // the call's JSON is malformed or incomplete
	CodeBadPassphrase = "bad_passphrase"    // the key file does not open with this passphrase
	CodeBadKeyFile    = "bad_key_file"      // not a keystore key file, or damaged
	CodeBadCert       = "bad_certificate"   // not a certificate of this network's shape
	CodeCertMismatch  = "key_cert_mismatch" // the certificate is for another key
	CodeUnknownHandle = "unknown_handle"    // no open identity with that handle (signed out)
	CodeBadMessage    = "bad_message"       // a message or statement field does not parse
)

// Error is a refusal of the signer.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// identity is one opened identity.
type identity struct {
	key  crypto.PrivateKey
	enc  crypto.EncPrivateKey // nil without an encryption key file
	cert *pki.Certificate
}

// Signer holds the identities opened in one page. It is not safe for
// concurrent use (a Web Worker runs one call at a time).
type Signer struct {
	ids  map[int]*identity
	next int
}

// NewSigner returns a signer with no identity open.
func NewSigner() *Signer { return &Signer{ids: map[int]*identity{}, next: 1} }

// Identity is what the page learns about an opened identity.
type Identity struct {
	Handle    int       `json:"handle"`
	ID        string    `json:"id"`
	Org       string    `json:"org"`
	Role      string    `json:"role"`
	Name      string    `json:"name"`
	Algorithm string    `json:"algorithm"`
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	EncKey    bool      `json:"enc_key"` // an encryption key file was opened too
}

// OpenRequest opens an identity: the texts of NAME.key and NAME.crt (and
// NAME.enc when the identity reads or seals personal data).
type OpenRequest struct {
	Key        string `json:"key"`
	Cert       string `json:"cert"`
	Enc        string `json:"enc,omitempty"`
	Passphrase string `json:"passphrase"`
}

// Open decrypts the key, checks the certificate certifies it and keeps it.
func (s *Signer) Open(r OpenRequest) (*Identity, error) {
	if r.Key == "" || r.Cert == "" {
		return nil, fail(CodeBadRequest, "choose the identity's key file (NAME.key) and its certificate (NAME.crt)")
	}
	cert, err := pki.Parse([]byte(r.Cert))
	if err != nil {
		return nil, fail(CodeBadCert, "the certificate file does not parse: %v", err)
	}
	if cert.IsCA {
		return nil, fail(CodeBadCert, "this is the CA certificate of %s, not an identity's: choose NAME.crt next to NAME.key", cert.Org)
	}
	key, err := keystore.OpenKeyFile([]byte(r.Key), []byte(r.Passphrase))
	switch {
	case errors.Is(err, keystore.ErrBadPassphrase):
		return nil, fail(CodeBadPassphrase, "the passphrase does not open this key file")
	case err != nil:
		return nil, fail(CodeBadKeyFile, "the key file does not open: %v", err)
	}
	if !key.Public().Equal(cert.PublicKey) {
		return nil, fail(CodeCertMismatch, "the certificate (%s, %s/%s) is not for this key: choose the .crt with the same name as the .key", cert.Name, cert.Org, cert.Role)
	}
	id := &identity{key: key, cert: cert}
	if r.Enc != "" {
		ek, err := keystore.OpenEncKeyFile([]byte(r.Enc), []byte(r.Passphrase))
		switch {
		case errors.Is(err, keystore.ErrBadPassphrase):
			return nil, fail(CodeBadPassphrase, "the passphrase does not open the encryption key file (NAME.enc)")
		case err != nil:
			return nil, fail(CodeBadKeyFile, "the encryption key file does not open: %v", err)
		}
		id.enc = ek
	}
	h := s.next
	s.next++
	s.ids[h] = id
	return &Identity{Handle: h, ID: cert.ID, Org: cert.Org, Role: cert.Role, Name: cert.Name,
		Algorithm: string(key.Algorithm()), Serial: cert.Serial, NotBefore: cert.NotBefore, NotAfter: cert.NotAfter, EncKey: id.enc != nil}, nil
}

// Forget drops an identity's keys (sign-out).
func (s *Signer) Forget(handle int) { delete(s.ids, handle) }

func (s *Signer) get(h int) (*identity, error) {
	id := s.ids[h]
	if id == nil {
		return nil, fail(CodeUnknownHandle, "no identity is open in this page (handle %d): sign in again", h)
	}
	return id, nil
}

// LoginRequest asks for the signature of an API's login challenge.
type LoginRequest struct {
	Handle    int    `json:"handle"`
	ChainID   string `json:"chain_id"`
	Audience  string `json:"audience"` // host:port of the API (location.host)
	Challenge string `json:"challenge"`
}

// LoginSignature is the body of POST /v1/auth/token.
type LoginSignature struct {
	Identity  string `json:"identity"`
	Challenge string `json:"challenge"`
	Audience  string `json:"audience"`
	Signature []byte `json:"signature"`
}

// SignLogin signs tx.AuthMessage for the identity.
func (s *Signer) SignLogin(r LoginRequest) (*LoginSignature, error) {
	id, err := s.get(r.Handle)
	if err != nil {
		return nil, err
	}
	if r.ChainID == "" || r.Audience == "" || r.Challenge == "" {
		return nil, fail(CodeBadRequest, "a login needs chain_id, audience and challenge")
	}
	sig, err := id.key.Sign(tx.AuthMessage(r.ChainID, r.Audience, r.Challenge))
	if err != nil {
		return nil, fail(CodeBadRequest, "sign: %v", err)
	}
	return &LoginSignature{Identity: id.cert.ID, Challenge: r.Challenge, Audience: r.Audience, Signature: sig}, nil
}

// TxRequest asks for one signed tx of msgs, valid until height Expiry.
type TxRequest struct {
	Handle  int      `json:"handle"`
	ChainID string   `json:"chain_id"`
	Msgs    []tx.Any `json:"msgs"`
	Expiry  int64    `json:"expiry"`
}

// SignedTx is a tx ready for POST /v1/txs.
type SignedTx struct {
	Tx   []byte `json:"tx"`   // base64 in JSON, as POST /v1/txs takes it
	Hash string `json:"hash"` // lowercase hex SHA-256 of the tx bytes
}

// SignTx builds and signs a tx envelope (tx.NewBody, tx.Sign).
func (s *Signer) SignTx(r TxRequest) (*SignedTx, error) {
	id, err := s.get(r.Handle)
	if err != nil {
		return nil, err
	}
	if r.ChainID == "" || len(r.Msgs) == 0 || r.Expiry <= 0 {
		return nil, fail(CodeBadRequest, "a tx needs chain_id, at least one message and an expiry height")
	}
	body, err := tx.NewBody(r.Msgs, r.Expiry).Marshal()
	if err != nil {
		return nil, fail(CodeBadMessage, "%v", err)
	}
	sid, err := tx.ParseSignerID(id.cert.ID)
	if err != nil {
		return nil, fail(CodeBadCert, "%v", err)
	}
	env, err := tx.Sign(r.ChainID, body, sid, tx.AlgCode(string(id.key.Algorithm())), id.key.Sign)
	if err != nil {
		return nil, fail(CodeBadMessage, "%v", err)
	}
	b := env.Encode()
	h := sha256.Sum256(b)
	return &SignedTx{Tx: b, Hash: hex.EncodeToString(h[:])}, nil
}

// StatementRequest asks for a statement signature: kind "order"
// (channel, type, app_no, investor, fund, quantity), "risk-ack" (investor,
// fund, disclosure_hash), "nav" (fund, date, nav), "contract-sign"
// (contract, version, hash_alg, hash: contract.SignStatement) or "exchange-ack"
// (record, hash, accepted, reason: exchange.AckStatement). Values are put in
// their canonical form first (an amount 10000 signs as 10000.00).
type StatementRequest struct {
	Handle         int    `json:"handle"`
	ChainID        string `json:"chain_id"`
	Kind           string `json:"kind"`
	Channel        string `json:"channel,omitempty"`
	Type           string `json:"type,omitempty"`
	AppNo          string `json:"app_no,omitempty"`
	Investor       string `json:"investor,omitempty"`
	Fund           string `json:"fund,omitempty"`
	Quantity       string `json:"quantity,omitempty"`
	DisclosureHash string `json:"disclosure_hash,omitempty"`
	Date           string `json:"date,omitempty"`
	NAV            string `json:"nav,omitempty"`
	// contract-sign: the contract, the version and its document's hash.
	Contract string `json:"contract,omitempty"`
	Version  int    `json:"version,omitempty"`
	HashAlg  string `json:"hash_alg,omitempty"`
	// exchange-ack: the record, its hash, the verdict and the reason.
	Record   string `json:"record,omitempty"`
	Hash     string `json:"hash,omitempty"`
	Accepted bool   `json:"accepted,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Statement is a signed statement: the hex signature as the fund messages
// carry it, and the canonical quantity or NAV that was signed.
type Statement struct {
	Signature string `json:"signature"`
	Quantity  string `json:"quantity,omitempty"`
	NAV       string `json:"nav,omitempty"`
}

// SignStatement signs fund.OrderStatement, fund.RiskAckStatement or
// fund.NAVStatement.
func (s *Signer) SignStatement(r StatementRequest) (*Statement, error) {
	id, err := s.get(r.Handle)
	if err != nil {
		return nil, err
	}
	if r.ChainID == "" {
		return nil, fail(CodeBadRequest, "a statement needs chain_id")
	}
	var msg []byte
	out := &Statement{}
	switch r.Kind {
	case "order":
		q, err := canonicalQuantity(r.Type, r.Quantity)
		if err != nil {
			return nil, err
		}
		out.Quantity = q
		msg = fund.OrderStatement(r.ChainID, r.Channel, r.Type, r.AppNo, r.Investor, r.Fund, q)
	case "risk-ack":
		msg = fund.RiskAckStatement(r.ChainID, r.Investor, r.Fund, r.DisclosureHash)
	case "nav":
		d, err := fund.ParseDate(r.Date)
		if err != nil {
			return nil, fail(CodeBadMessage, "date: %v", err)
		}
		n, err := fund.ParseNAV(r.NAV)
		if err != nil {
			return nil, fail(CodeBadMessage, "nav: %v", err)
		}
		out.NAV = n.String()
		msg = fund.NAVStatement(r.ChainID, r.Fund, d, n)
	case "contract-sign":
		if r.Contract == "" || r.Version <= 0 || r.Hash == "" || r.HashAlg == "" {
			return nil, fail(CodeBadRequest, "a contract signature names the contract, the version and its document's hash")
		}
		msg = contract.SignStatement(r.ChainID, r.Contract, r.Version, r.HashAlg, r.Hash)
	case "exchange-ack":
		if r.Record == "" || r.Hash == "" {
			return nil, fail(CodeBadRequest, "an acknowledgement names the record and its hash")
		}
		msg = exchange.AckStatement(r.ChainID, r.Record, r.Hash, r.Accepted, r.Reason)
	default:
		return nil, fail(CodeBadRequest, "unknown statement kind %q (order, risk-ack, nav, contract-sign, exchange-ack)", r.Kind)
	}
	sig, err := id.key.Sign(msg)
	if err != nil {
		return nil, fail(CodeBadRequest, "sign: %v", err)
	}
	out.Signature = hex.EncodeToString(sig)
	return out, nil
}

// canonicalQuantity is an order's quantity as fund.OrderStatement takes it:
// an amount for subscriptions and purchases, shares for redemptions, the
// method for a dividend-method change, the original app no for a
// cancellation.
func canonicalQuantity(typ, q string) (string, error) {
	switch typ {
	case fund.TypeSubscribe, fund.TypePurchase:
		a, err := fund.ParseAmount(q)
		if err != nil {
			return "", fail(CodeBadMessage, "amount: %v", err)
		}
		return a.String(), nil
	case fund.TypeRedeem:
		sh, err := fund.ParseShares(q)
		if err != nil {
			return "", fail(CodeBadMessage, "shares: %v", err)
		}
		return sh.String(), nil
	case "":
		return "", fail(CodeBadRequest, "an order statement needs the order type")
	default:
		return q, nil
	}
}

// Functions maps each operation to its JSON-in, JSON-out function, as the
// WebAssembly build exports them.
func (s *Signer) Functions() map[string]func(string) string {
	return map[string]func(string) string{
		"open": call(func(r OpenRequest) (any, error) { return s.Open(r) }),
		"forget": call(func(r struct {
			Handle int `json:"handle"`
		}) (any, error) {
			s.Forget(r.Handle)
			return struct{}{}, nil
		}),
		"signLogin":     call(func(r LoginRequest) (any, error) { return s.SignLogin(r) }),
		"signTx":        call(func(r TxRequest) (any, error) { return s.SignTx(r) }),
		"signStatement": call(func(r StatementRequest) (any, error) { return s.SignStatement(r) }),
		"hash":          call(func(r HashRequest) (any, error) { return Hash(r) }),
		"quote":         call(func(r QuoteRequest) (any, error) { return QuoteOrder(r) }),
		"tradeDate":     call(TradeDate),
		"sealPersonal":  call(func(r SealRequest) (any, error) { return s.SealPersonal(r) }),
		"idTypes":       call(func(struct{}) (any, error) { return IDTypes(), nil }),
		"sealFile":      call(func(r SealFileRequest) (any, error) { return s.SealFile(r) }),
		"openFile":      call(func(r OpenFileRequest) (any, error) { return s.OpenFile(r) }),
		"sealDocument":  call(func(r SealDocumentRequest) (any, error) { return s.SealDocument(r) }),
		"openDocument":  call(func(r OpenDocumentRequest) (any, error) { return s.OpenDocument(r) }),
		"govActions":    call(func(struct{}) (any, error) { return gov.AllowedActions(), nil }),
	}
}

// HashRequest asks for the digest of data: "sha256" or "sm3".
type HashRequest struct {
	Algorithm string `json:"algorithm"`
	Data      []byte `json:"data"` // base64 in JSON
}

// Hash returns the hex digest (the verify page recomputes file hashes).
func Hash(r HashRequest) (any, error) {
	var alg crypto.Algorithm
	switch r.Algorithm {
	case "sha256", "":
		alg = crypto.Ed25519
	case "sm3":
		alg = crypto.SM2
	default:
		return nil, fail(CodeBadRequest, "unknown hash %q (sha256, sm3)", r.Algorithm)
	}
	return map[string]string{"hash": hex.EncodeToString(crypto.Hash(alg, r.Data))}, nil
}

// call adapts a typed function to JSON in, JSON out.
func call[T any](fn func(T) (any, error)) func(string) string {
	return func(in string) string {
		var req T
		dec := json.NewDecoder(bytes.NewReader([]byte(in)))
		dec.DisallowUnknownFields()
		var res any
		var err error
		if derr := dec.Decode(&req); derr != nil {
			err = fail(CodeBadRequest, "the request does not decode: %v", derr)
		} else {
			res, err = fn(req)
		}
		var out []byte
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				se = &Error{Code: CodeBadRequest, Message: err.Error()}
			}
			out, _ = json.Marshal(map[string]any{"error": se})
		} else if out, err = json.Marshal(map[string]any{"ok": res}); err != nil {
			out, _ = json.Marshal(map[string]any{"error": fail(CodeBadRequest, "encode: %v", err)})
		}
		return string(out)
	}
}
