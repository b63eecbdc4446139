package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/otcchain/otcchain/module"
)

// Params are chain-wide parameters, set in genesis (and later by governance).
type Params struct {
	// MaxTxTTLBlocks bounds how far ahead a tx's expiry height may be, and so
	// how long its nonce must be remembered.
	MaxTxTTLBlocks int64 `json:"max_tx_ttl_blocks"`
}

// DefaultParams are used where genesis is silent.
func DefaultParams() Params { return Params{MaxTxTTLBlocks: 1000} }

// Validate checks the parameters.
func (p Params) Validate() error {
	if p.MaxTxTTLBlocks < 1 || p.MaxTxTTLBlocks > 100000 {
		return ErrInvalidGenesis.Wrapf("max_tx_ttl_blocks must be 1 to 100000, got %d", p.MaxTxTTLBlocks)
	}
	return nil
}

var keyParams = []byte("app/params")

func saveParams(kv module.KV, p Params) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return kv.Set(keyParams, b)
}

func loadParams(kv module.KVReader) (Params, error) {
	b, err := kv.Get(keyParams)
	if err != nil {
		return Params{}, fmt.Errorf("app: read params: %w", err)
	}
	if b == nil {
		return DefaultParams(), nil
	}
	var p Params
	if err := json.Unmarshal(b, &p); err != nil {
		return Params{}, fmt.Errorf("app: corrupt params: %w", err)
	}
	return p, nil
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}
