package supervision_test

import (
	"encoding/json"
	"testing"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/supervision"
	"github.com/otcchain/otcchain/tx"
)

// FuzzReceive feeds arbitrary payloads to the actions other modules call
// (set_rules and set_params from gov, order facts from fund): no panic,
// only coded refusals, and a refused action writes nothing.
func FuzzReceive(f *testing.F) {
	rules, _ := json.Marshal(supervision.DefaultRules())
	for i, s := range []string{string(rules), `{"approvals":3}`,
		`{"order":"rs:1","channel":"rs","manager":"fm","fund":"000001","private":true,"investor":"A","investor_type":"individual","kind":"purchase","amount":"49000.00","value":"49000.00"}`,
		`{"order":"rs:2","channel":"rs","fund":"000001","investor":"A","kind":"redeem","shares":"10.00","value":"99999999999999.99"}`,
		`{}`, `null`, `[]`} {
		f.Add(uint8(i), []byte(s))
	}
	actions := []struct{ from, action string }{{"gov", "set_rules"}, {"gov", "set_params"}, {"fund", "order"}}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		m, ctx, kv := newFuzzState(t)
		a := actions[int(which)%len(actions)]
		before := len(kv)
		_, err := m.Receive(ctx, kv, a.from, a.action, data)
		if err != nil {
			if module.AsError(err) == nil {
				t.Fatalf("%s: uncoded error %v", a.action, err)
			}
			if len(kv) != before {
				t.Fatalf("%s: refused but wrote", a.action)
			}
		}
	})
}

func newFuzzState(t *testing.T) (*supervision.Module, *module.Context, memKV) { return newState(t) }

// FuzzMsgs decodes arbitrary bytes as every supervision message the way the
// app does (strict JSON, then Validate): no panic, only coded refusals, and
// a valid message survives a round trip. The handlers run through the app
// in fund/testdata/scenarios/interventions.txt (and its determinism replay).
func FuzzMsgs(f *testing.F) {
	specs := supervision.New().Msgs()
	for i, s := range []string{
		`{"id":"IV-1","action":"freeze","target":{"kind":"account","investor":"A","manager":"fm-alpha"},"reason":"AML"}`,
		`{"id":"IV-2","action":"unfreeze","target":{"kind":"fund","fund":"000001","scope":"both"},"reason":"r"}`,
		`{"id":"IV-3","action":"freeze","target":{"kind":"holding","fund":"000001","investor":"A","shares":"10.00"},"reason":"r"}`,
		`{"id":"IV-1"}`, `{"id":"IV-1","reason":"x"}`, `{}`, `null`,
		`{"id":"A-000001","status":"closed","note":"no finding"}`,
		`{"id":"SB-1","kind":"fund","fund":"000001","max_investors":2,"max_subscription":"150000.00","investor_types":["individual"],"end_date":"2026-03-20"}`,
		`{"id":"SB-1","outcome":"graduated","reason":"r"}`,
		`{"id":"A-000001","status":"investigating"}`, `{"id":"SB-1","kind":"org","org":"rs","max_investors":1,"max_subscription":"1","end_date":"2026-02-30"}`,
	} {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		s := specs[int(which)%len(specs)]
		m := s.New()
		if err := tx.StrictUnmarshal(data, m); err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			if module.AsError(err) == nil {
				t.Fatalf("%s: uncoded error %v", s.Type, err)
			}
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		m2 := s.New()
		if err := tx.StrictUnmarshal(b, m2); err != nil || m2.Validate() != nil {
			t.Fatalf("%s: round trip of %s: %v", s.Type, b, err)
		}
	})
}
