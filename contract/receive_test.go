package contract_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/module"
)

// TestReceiveRefusals: set_type is taken from governance only, and its
// payload is checked like the contract/set_type message (the accepted path
// runs in gov/testdata/scenarios/proposals.txt).
func TestReceiveRefusals(t *testing.T) {
	m := contract.New()
	ctx := &module.Context{Height: 3}
	ok, _ := json.Marshal(contract.SetType{Type: contract.DefaultTypes()[0]})
	if _, err := m.Receive(ctx, nil, "fund", "set_type", ok); !errors.Is(err, contract.ErrNotPermitted) {
		t.Fatalf("from fund: %v", err)
	}
	if _, err := m.Receive(ctx, nil, "gov", "delete_type", ok); !errors.Is(err, contract.ErrInvalidRequest) {
		t.Fatalf("unknown action: %v", err)
	}
	if _, err := m.Receive(ctx, nil, "gov", "set_type", json.RawMessage(`{"id":"x","name":"y","parties":[],"retention_years":1}`)); !errors.Is(err, contract.ErrInvalidRequest) {
		t.Fatalf("invalid type: %v", err)
	}
	if _, err := m.Receive(ctx, nil, "gov", "set_type", json.RawMessage(`{"id":"x","bogus":1}`)); !errors.Is(err, contract.ErrInvalidRequest) {
		t.Fatalf("unknown field: %v", err)
	}
}
