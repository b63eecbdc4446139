package client

import (
	"encoding/json"
	"github.com/otcchain/otcchain/tx"
	"net"
	"net/url"
	"time"

	"github.com/otcchain/otcchain/module"
)

// Hashes (tx hashes, block hashes, app hashes) and validator addresses are
// lowercase hex in every response. The server accepts either case in paths.

// Blocks is the answer of GET /v1/blocks: the headers of recent blocks,
// newest first, and the range of heights the node keeps.
type Blocks struct {
	Blocks   []BlockMeta `json:"blocks"`
	Earliest int64       `json:"earliest_height"`
	Latest   int64       `json:"latest_height"`
}

// BlockMeta is one block's header summary.
type BlockMeta struct {
	Height   int64     `json:"height"`
	Time     time.Time `json:"time"`
	Hash     string    `json:"hash"`
	NumTxs   int       `json:"num_txs"`
	Proposer string    `json:"proposer"` // validator address
	AppHash  string    `json:"app_hash"`
}

// Status is the answer of GET /v1/status.
type Status struct {
	ChainID         string    `json:"chain_id"`
	NodeID          string    `json:"node_id"`
	Moniker         string    `json:"moniker"`
	LatestHeight    int64     `json:"latest_height"`
	LatestBlockHash string    `json:"latest_block_hash"`
	LatestAppHash   string    `json:"latest_app_hash"`
	LatestBlockTime time.Time `json:"latest_block_time"`
	// BusinessTime is the latest block time plus the business clock's
	// offset: equal to LatestBlockTime unless ClockSimulated (a development
	// or sandbox network whose clock was advanced).
	BusinessTime   time.Time   `json:"business_time"`
	ClockSimulated bool        `json:"clock_simulated"`
	ClockOffset    int64       `json:"clock_offset_seconds"` // whole seconds business time is ahead
	EarliestHeight int64       `json:"earliest_height"`
	CatchingUp     bool        `json:"catching_up"`
	Validators     []Validator `json:"validators"`
}

// Validator is one member of the current validator set.
type Validator struct {
	Address string `json:"address"` // hex
	PubKey  PubKey `json:"pub_key"`
	Power   int64  `json:"power"`
}

// PubKey is a consensus public key: its CometBFT type name ("ed25519",
// "secp256k1", ...) and its raw bytes (base64 in JSON).
type PubKey struct {
	Type  string `json:"type"`
	Value []byte `json:"value"`
}

// BroadcastRequest is the body of POST /v1/txs.
type BroadcastRequest struct {
	Tx        []byte `json:"tx"`                   // base64 in JSON
	Wait      bool   `json:"wait,omitempty"`       // wait until committed
	TimeoutMS int64  `json:"timeout_ms,omitempty"` // wait at most this long (0: server default)
}

// Result is the outcome of a committed transaction, as the app returned it
// from FinalizeBlock.
type Result struct {
	Code      uint32 `json:"code"`
	Codespace string `json:"codespace,omitempty"`
	Log       string `json:"log,omitempty"`
	// Data is the result data: the JSON value itself when the data is
	// valid JSON (otcchain's app always returns {"msgs": [...]}), otherwise a
	// JSON string holding the base64 of the bytes. Absent when empty.
	Data      json.RawMessage `json:"data,omitempty"`
	Events    []module.Event  `json:"events"`
	GasWanted int64           `json:"gas_wanted,omitempty"`
	GasUsed   int64           `json:"gas_used,omitempty"`
}

// OK reports whether the transaction succeeded (code 0).
func (r *Result) OK() bool { return r.Code == 0 }

// Err returns nil for a successful result and a *Error with the result's
// codespace, code and log otherwise (HTTPStatus 0: it is not an HTTP error).
func (r *Result) Err() error {
	if r.Code == 0 {
		return nil
	}
	return &Error{Code: CodeTxFailed, Codespace: r.Codespace, ABCICode: r.Code, Message: r.Log}
}

// TxResult is the answer of POST /v1/txs. Committed is false when the
// request did not wait: the tx then only passed CheckTx, and Height, Index,
// Time and the result fields are zero (Code, Codespace and Log are CheckTx's).
// A committed tx may still have failed: check Code (or Err).
type TxResult struct {
	Hash      string     `json:"hash"`
	Committed bool       `json:"committed"`
	Height    int64      `json:"height,omitempty"`
	Index     uint32     `json:"index"`
	Time      *time.Time `json:"time,omitempty"` // block time
	Result
}

// Tx is the answer of GET /v1/txs/{hash}: a committed transaction.
type Tx struct {
	Hash   string    `json:"hash"`
	Height int64     `json:"height"`
	Index  uint32    `json:"index"`
	Time   time.Time `json:"time"` // block time
	Tx     []byte    `json:"tx"`   // raw bytes, base64 in JSON
	// Envelope fields, present when the bytes are an otcchain envelope.
	Signer    string          `json:"signer,omitempty"`    // identity id
	Algorithm string          `json:"algorithm,omitempty"` // ed25519 | p256 | sm2
	Body      json.RawMessage `json:"body,omitempty"`      // the signed body JSON, exactly as signed
	Result    Result          `json:"result"`
}

// TxEvent is one event of GET /v1/events: the result of one committed tx.
// Its SSE id is ID ("height:index").
type TxEvent struct {
	ID        string         `json:"id"`
	Height    int64          `json:"height"`
	Index     uint32         `json:"index"`
	Hash      string         `json:"hash"`
	Time      time.Time      `json:"time"`
	Code      uint32         `json:"code"`
	Codespace string         `json:"codespace,omitempty"`
	Events    []module.Event `json:"events"`
}

// Challenge is the answer of POST /v1/auth/challenge.
type Challenge struct {
	Challenge string    `json:"challenge"`
	ChainID   string    `json:"chain_id"`
	Expires   time.Time `json:"expires"`
}

// TokenRequest is the body of POST /v1/auth/token.
type TokenRequest struct {
	Identity  string `json:"identity"`
	Challenge string `json:"challenge"`
	Audience  string `json:"audience"`  // host:port the client signed for (AuthMessage)
	Signature []byte `json:"signature"` // base64 in JSON
}

// Token is the answer of POST /v1/auth/token: a bearer token for the
// identity, valid until Expires (and while the identity stays registered).
type Token struct {
	Token    string    `json:"token"`
	Identity string    `json:"identity"`
	Expires  time.Time `json:"expires"`
}

// AuthDomain prefixes every login signature (tx.AuthDomain).
const AuthDomain = tx.AuthDomain

// AuthMessage returns the bytes an identity signs to log in (tx.AuthMessage,
// which the browser console's signer uses too).
func AuthMessage(chainID, audience, challenge string) []byte {
	return tx.AuthMessage(chainID, audience, challenge)
}

// Audience returns the host:port of an API base URL (the default port of
// its scheme when it names none), as AuthMessage binds it.
func Audience(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return ""
	}
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// ErrorBody is the shape of every error response.
type ErrorBody struct {
	Error *Error `json:"error"`
}
