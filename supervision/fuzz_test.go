package supervision_test

import (
	"encoding/json"
	"testing"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/supervision"
	"github.com/otcchain/otcchain/tx"
)

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
