package proof

import (
	"encoding/json"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/merkle"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/types"
)

// Version is the value of a receipt's "version" field. A change to the format
// that an older verifier would misread gets a new version.
const Version = "otcchain-receipt/1"

// MaxReceiptBytes bounds the JSON accepted by Unmarshal: a receipt holds a tx
// of at most 1 MiB twice (as the tx and as the proof's data, base64) plus
// headers, commits and validator sets.
const MaxReceiptBytes = 8 << 20

// Receipt is the evidence that the transaction at Index of block Height was
// committed on chain ChainID with Result. Build fills it; Verify checks it.
type Receipt struct {
	Version string `json:"version"`
	ChainID string `json:"chain_id"`
	Height  int64  `json:"height"`
	Index   uint32 `json:"index"`
	// Tx is the transaction as committed.
	Tx types.Tx `json:"tx"`
	// TxProof proves Tx (its Data) under header(Height).DataHash.
	TxProof types.TxProof `json:"tx_proof"`
	// Result is the transaction's ExecTxResult; ResultProof proves its hashed
	// fields under header(Height+1).LastResultsHash.
	Result      Result       `json:"result"`
	ResultProof merkle.Proof `json:"result_proof"`
	// Block is the signed header and validator set of Height; Next those of
	// Height+1.
	Block LightBlock `json:"block"`
	Next  LightBlock `json:"next_block"`
	// TrustPath holds, in ascending height order, the signed headers and
	// validator sets at the heights where the validator set changed between
	// the trust root and Height. Absent (nil) while the set never changed.
	TrustPath []LightBlock `json:"trust_path,omitempty"`
	// Outcome is set, and Tx, TxProof, Result and ResultProof are empty, in
	// a receipt of an end-block outcome (Version is OutcomeVersion): it
	// proves the outcome under header(Height+1).AppHash. See Outcome.
	Outcome *Outcome `json:"outcome,omitempty"`
	// Clock is set only on a network whose business clock is simulated (a
	// development or sandbox network): the business time the transaction
	// (or end-block outcome) ran at, so that a sandbox day is never taken
	// for a real one. Informative, like Result.Log: the proofs do not cover
	// it (the headers carry block time).
	Clock *Clock `json:"clock,omitempty"`
}

// Clock is a receipt's business clock note (see Receipt.Clock).
type Clock struct {
	Simulated    bool   `json:"simulated"`
	BusinessTime string `json:"business_time"` // RFC 3339 UTC
}

// LightBlock is a signed header (header + commit) with the validator set of
// its height, in the set's order.
type LightBlock struct {
	SignedHeader *types.SignedHeader `json:"signed_header"`
	Validators   []*types.Validator  `json:"validators"`
}

// Result is a transaction's ExecTxResult as carried in a receipt. Only Code,
// Data, GasWanted and GasUsed are covered by the result proof; Codespace and
// Log are informative only and are not verified.
type Result struct {
	Code      uint32 `json:"code"`
	Codespace string `json:"codespace"`
	Log       string `json:"log"`
	Data      []byte `json:"data"`
	GasWanted int64  `json:"gas_wanted"`
	GasUsed   int64  `json:"gas_used"`
}

// hashedBytes returns the bytes CometBFT hashes into LastResultsHash for this
// result (see types.NewResults).
func (r Result) hashedBytes() ([]byte, error) {
	return (&abci.ExecTxResult{
		Code:      r.Code,
		Data:      r.Data,
		GasWanted: r.GasWanted,
		GasUsed:   r.GasUsed,
	}).Marshal()
}

// receiptJSON has Receipt's fields but not its methods, so that cmtjson does
// not recurse into Receipt.MarshalJSON.
type receiptJSON Receipt

var (
	_ json.Marshaler   = (*Receipt)(nil)
	_ json.Unmarshaler = (*Receipt)(nil)
)

// MarshalJSON encodes the receipt with CometBFT's JSON encoding (libs/json):
// 64-bit integers as strings, byte slices as base64, hashes as upper-case hex,
// public keys as {"type","value"} objects.
func (r *Receipt) MarshalJSON() ([]byte, error) {
	b, err := cmtjson.Marshal((*receiptJSON)(r))
	if err != nil {
		return nil, fmt.Errorf("proof: encode receipt: %w", err)
	}
	return b, nil
}

// UnmarshalJSON decodes a receipt written by MarshalJSON. It refuses other
// versions and oversized input; it does not verify anything (call Verify).
func (r *Receipt) UnmarshalJSON(b []byte) error {
	if len(b) > MaxReceiptBytes {
		return fmt.Errorf("proof: receipt of %d bytes exceeds the %d byte limit", len(b), MaxReceiptBytes)
	}
	var head struct {
		Version *string `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("proof: decode receipt: %w", err)
	}
	if head.Version == nil {
		return errors.New("proof: decode receipt: no version field")
	}
	if *head.Version != Version && *head.Version != OutcomeVersion {
		return fmt.Errorf("proof: unsupported receipt version %q (this verifier reads %q and %q)", *head.Version, Version, OutcomeVersion)
	}
	var out receiptJSON
	if err := cmtjson.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("proof: decode receipt: %w", err)
	}
	*r = Receipt(out)
	return nil
}

// Unmarshal decodes a receipt from JSON (see Receipt.UnmarshalJSON).
func Unmarshal(b []byte) (*Receipt, error) {
	r := new(Receipt)
	if err := r.UnmarshalJSON(b); err != nil {
		return nil, err
	}
	return r, nil
}
