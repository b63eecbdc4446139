package proof

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/crypto/merkle"
)

// OutcomeVersion is the "version" of a receipt for an end-block outcome.
const OutcomeVersion = "otcchain-outcome-receipt/1"

// Outcome is work the chain did by itself at the end of a block (a fund
// confirmation, a dividend payout): no transaction carries it, so a receipt
// proves it under the app hash instead. When a block has outcomes, its app
// hash is
//
//	SHA-256("otcchain/apphash/outcomes/v1" || state hash || root)
//
// where the state hash commits to the whole state (see package state) and
// root is the CometBFT Merkle root (RFC 6962) of the block's outcome items,
// in the order the block produced them; an item is OutcomeItem(key, value).
// A block without outcomes has the state hash as its app hash. The app hash
// of block H is in the header of block H+1, signed by the validators.
type Outcome struct {
	Key       string       `json:"key"`   // e.g. "fund/confirmation/rs-bank:P1"
	Value     []byte       `json:"value"` // the outcome record (JSON), as the block produced it
	StateHash []byte       `json:"state_hash"`
	Root      []byte       `json:"root"`
	Proof     merkle.Proof `json:"proof"`
}

// OutcomeItem is the Merkle item of an outcome: SHA-256 of a domain tag,
// the key's length (uvarint), the key and the value.
func OutcomeItem(key string, value []byte) []byte {
	h := sha256.New()
	h.Write([]byte("otcchain/outcome/v1\x00"))
	h.Write(binary.AppendUvarint(nil, uint64(len(key))))
	h.Write([]byte(key))
	h.Write(value)
	return h.Sum(nil)
}

// AppHashWithOutcomes is the app hash of a block with outcomes.
func AppHashWithOutcomes(stateHash, root []byte) []byte {
	h := sha256.New()
	h.Write([]byte("otcchain/apphash/outcomes/v1"))
	h.Write(stateHash)
	h.Write(root)
	return h.Sum(nil)
}

// OutcomeRoot is the Merkle root of a block's outcome items.
func OutcomeRoot(items [][]byte) []byte { return merkle.HashFromByteSlices(items) }

// NewOutcome builds the outcome proof of items[index] (the block's items in
// order) for key and value.
func NewOutcome(key string, value, stateHash []byte, items [][]byte, index int) (*Outcome, error) {
	if index < 0 || index >= len(items) {
		return nil, fmt.Errorf("proof: outcome index %d of %d", index, len(items))
	}
	if !bytes.Equal(items[index], OutcomeItem(key, value)) {
		return nil, fmt.Errorf("proof: outcome %q is not item %d of its block", key, index)
	}
	root, proofs := merkle.ProofsFromByteSlices(items)
	p := *proofs[index]
	if len(p.Aunts) == 0 {
		p.Aunts = nil
	}
	return &Outcome{Key: key, Value: value, StateHash: stateHash, Root: root, Proof: p}, nil
}

func checkOutcome(r *Receipt, appHash []byte) error {
	o := r.Outcome
	if o == nil {
		return errors.New("proof: receipt has no outcome")
	}
	if err := o.Proof.ValidateBasic(); err != nil {
		return fmt.Errorf("proof: outcome proof is malformed: %w", err)
	}
	if err := o.Proof.Verify(o.Root, OutcomeItem(o.Key, o.Value)); err != nil {
		return fmt.Errorf("proof: outcome %q is not under the outcome root of height %d: %w", o.Key, r.Height, err)
	}
	if !bytes.Equal(AppHashWithOutcomes(o.StateHash, o.Root), appHash) {
		return fmt.Errorf("proof: the outcomes of height %d do not give the app hash in header %d", r.Height, r.Height+1)
	}
	return nil
}
