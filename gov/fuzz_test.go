package gov_test

import (
	"encoding/json"
	"testing"

	"github.com/otcchain/otcchain/gov"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

// FuzzMsgs decodes arbitrary bytes as every gov message the way the app
// does (strict JSON, then Validate): no panic, only coded refusals, and a
// valid message survives a round trip. The handlers run through the app in
// testdata/scenarios (and their determinism replay).
func FuzzMsgs(f *testing.F) {
	specs := gov.New().Msgs()
	for i, s := range []string{
		`{"id":"P1","title":"t","actions":[{"module":"gov","action":"set_params","payload":{"voting_period":60}}]}`,
		`{"id":"P1","vote":"yes"}`,
		`{"id":"P1","reason":"r"}`,
		`{"amount":10}`,
		`{"amount":-1}`,
		`{"id":"C1","amount":5,"description":"d","evidence":[{"kind":"tx","ref":"ab"}]}`,
		`{"id":"C1","reason":"no"}`,
		`{}`, `null`, `{"id":"P1","title":"t","actions":[{"module":"x","action":"y","payload":[]}]}`,
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

// FuzzActions decodes arbitrary bytes as a governance action payload of
// each kind (the payloads a proposal carries): no panic.
func FuzzActions(f *testing.F) {
	for _, s := range []string{
		`{"op":"add","pub_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","org":"fm-alpha","power":5}`,
		`{"claim":"C1"}`, `{"id":"x","name":"n","type":"custodian","ca_cert":"-----","bond":5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range []any{&gov.ValidatorChange{}, &gov.PayClaim{}, &gov.AddOrg{}, &gov.RemoveOrg{}, &gov.RotateCA{}, &gov.Params{}} {
			if tx.StrictUnmarshal(data, v) == nil {
				if p, ok := v.(*gov.Params); ok {
					if err := p.Validate(); err != nil && module.AsError(err) == nil {
						t.Fatalf("uncoded error %v", err)
					}
				}
			}
		}
	})
}
