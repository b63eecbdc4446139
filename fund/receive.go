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
//	               proposal), with the checks of changeCalendar.
//	"calendar"     from "supervision": a CalendarChange (an intervention
//	               approved by k regulator officers, or its check at
//	               proposal); returns the CalendarEffect.
func (m *Module) Receive(ctx *module.Context, kv module.KV, from, action string, payload json.RawMessage) (json.RawMessage, error) {
	want := map[string]string{"set_calendar": "gov", "calendar": "supervision"}[action]
	if want == "" {
		return nil, ErrInvalidRequest.Wrapf("the fund module takes no action %q", action)
	}
	if from != want {
		return nil, ErrNotPermitted.Wrapf("the fund module takes %s from %s only, not from %s", action, want, from)
	}
	var ch CalendarChange
	if action == "set_calendar" {
		var sc SetCalendar
		if err := strictDecode(payload, &sc); err != nil {
			return nil, ErrInvalidRequest.Wrapf("set_calendar: the payload is not a fund/set_calendar body")
		}
		if err := sc.Validate(); err != nil {
			return nil, err
		}
		ch = CalendarChange{Mode: CalendarSet, Calendar: sc.Calendar}
	} else if err := strictDecode(payload, &ch); err != nil {
		return nil, ErrInvalidRequest.Wrapf("calendar: the payload is not a calendar change: %v", err)
	}
	out, err := changeCalendar(ctx, kv, &ch)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

func strictDecode(payload []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return ErrInvalidRequest.Wrapf("trailing data")
	}
	return nil
}
