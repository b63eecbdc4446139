package fund

import (
	"bytes"
	"encoding/json"

	"github.com/otcchain/otcchain/module"
)

var _ module.Receiver = (*Module)(nil)

// Receive implements module.Receiver: the actions other modules may ask of
// the fund module.
//
//	"set_calendar" from "gov": the JSON body of a fund/set_calendar message;
//	               replaces the trading calendar (a passed governance
//	               proposal).
func (m *Module) Receive(ctx *module.Context, kv module.KV, from, action string, payload json.RawMessage) (json.RawMessage, error) {
	if action != "set_calendar" {
		return nil, ErrInvalidRequest.Wrapf("the fund module takes no action %q", action)
	}
	if from != "gov" {
		return nil, ErrNotPermitted.Wrapf("the fund module takes set_calendar from gov only, not from %s", from)
	}
	var sc SetCalendar
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil || dec.More() {
		return nil, ErrInvalidRequest.Wrapf("set_calendar: the payload is not a fund/set_calendar body")
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	out, err := putCalendar(ctx, kv, &sc)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}
