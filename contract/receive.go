package contract

import (
	"encoding/json"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

var _ module.Receiver = (*Module)(nil)

// Receive implements module.Receiver: "set_type" from a passed governance
// proposal, whose payload is the body of a contract/set_type message. Only
// "gov" may call.
func (m *Module) Receive(ctx *module.Context, kv module.KV, from, action string, payload json.RawMessage) (json.RawMessage, error) {
	if from != "gov" {
		return nil, ErrNotPermitted.Wrapf("contract takes actions from governance only, not %s", from)
	}
	if action != "set_type" {
		return nil, ErrInvalidRequest.Wrapf("contract takes no %q action", action)
	}
	var st SetType
	if err := tx.StrictUnmarshal(payload, &st); err != nil {
		return nil, ErrInvalidRequest.Wrapf("set_type: %v", err)
	}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	out, err := storeType(ctx, kv, &st)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}
