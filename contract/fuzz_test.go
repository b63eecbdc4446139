package contract_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

const h64 = "0000000000000000000000000000000000000000000000000000000000000001"

var fuzzSeeds = []string{
	`{"id":"t1","name":"T","parties":["fund_manager","custodian"],"stages":[{"name":"legal","role":"admin","org":"creator"}],"retention_years":20,"termination":"all_parties","seal":true,"subject":"fund"}`,
	`{"seal":"` + h64 + `","name":"seal","image_hash":"` + h64 + `"}`,
	`{"id":"C1","type":"fund_contract","title":"t","parties":[{"org":"fm-alpha"},{"org":"cust-trust"}],"fund":"000001","document":{"name":"a.pdf","size":1,"hash":"` + h64 + `","hash_alg":"sha256","envelope":{"cipher":"aes-256-gcm","nonce":"AAAAAAAAAAAAAAAA","ciphertext":"AAAAAAAAAAAAAAAAAAAAAAA=","recipients":[]}}}`,
	`{"contract":"C1","replaces":1,"document":{"name":"a.pdf","size":0,"hash":"` + h64 + `","hash_alg":"sm3","envelope":null}}`,
	`{"contract":"C1","version":1,"stage":"legal","approve":false,"comment":"no"}`,
	`{"contract":"C1","version":1,"hash":"` + h64 + `","signature":"00ff","seal":"` + h64 + `","seal_signature":"01"}`,
	`{"contract":"C1","reason":"done"}`,
	`{"contract":"C1"}`,
	`{"contract":"C1","version":1,"action":"view"}`,
	`{}`, `null`, `[]`, `{"version":1e400}`, `{"contract":"C1","version":-1,"action":"download"}`,
}

// FuzzMsgs decodes arbitrary bytes as every contract message the way the
// app does (strict JSON, then Validate): no panic, a refusal is a coded
// error, and a message that validates survives a round trip through its
// JSON form.
func FuzzMsgs(f *testing.F) {
	specs := contract.New().Msgs()
	for i, s := range fuzzSeeds {
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
				t.Fatalf("%s: Validate returned an uncoded error: %v", s.Type, err)
			}
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("%s: a valid message does not encode: %v", s.Type, err)
		}
		m2 := s.New()
		if err := tx.StrictUnmarshal(b, m2); err != nil {
			t.Fatalf("%s: round trip %s: %v", s.Type, b, err)
		}
		if err := m2.Validate(); err != nil {
			t.Fatalf("%s: round trip no longer validates: %v", s.Type, err)
		}
		if b2, _ := json.Marshal(m2); !bytes.Equal(b, b2) {
			t.Fatalf("%s: round trip changed the message:\n%s\n%s", s.Type, b, b2)
		}
	})
}

// FuzzContractTx sends arbitrary contract messages through the real app
// (on a chain with seals and a contract in signing) from a party, a
// non-party, the regulator, an investor and an admin: a refused tx changes
// nothing in the contract module's state, and nothing panics or halts the
// chain.
func FuzzContractTx(f *testing.F) {
	specs := contract.New().Msgs()
	for i, s := range fuzzSeeds {
		f.Add(uint8(i), uint8(0), []byte(s))
	}
	f.Add(uint8(5), uint8(1), []byte(`{"contract":"D1","version":1,"hash":"`+h64+`","signature":"00"}`))
	f.Add(uint8(4), uint8(3), []byte(`{"contract":"D1","version":1,"stage":"legal","approve":true}`))
	h := newChain(f)
	r := &runner{h: h}
	for _, l := range []string{
		"register-seal fm-alpha/admin fm-alpha/seal",
		"register-seal rs-bank/admin rs-bank/seal",
		"create fm-alpha/operator D1 distribution_agreement fm-alpha rs-bank content=Distribution agreement",
		"review fm-alpha/admin D1 1 legal approve",
	} {
		if out := r.run([]string{l}); !strings.HasPrefix(out, "ok") {
			f.Fatalf("%s: %s", l, out)
		}
	}
	users := []string{"fm-alpha/operator", "rs-broker/operator", "regulator/operator", "rs-bank/admin", "rs-bank/investor", "fm-alpha/admin"}
	f.Fuzz(func(t *testing.T, which, who uint8, data []byte) {
		s := specs[int(which)%len(specs)]
		if !json.Valid(data) {
			return // a tx body is JSON: the envelope decoder's fuzz covers the rest
		}
		h.t = t
		before := contractState(h)
		res, _ := h.block(h.signed(users[int(who)%len(users)], tx.Any{Type: s.Type, Value: data}))
		if res[0].Code == 0 {
			return
		}
		if res[0].Codespace == "" || res[0].Log == "" {
			t.Fatalf("refusal without a code and message: %+v", res[0])
		}
		if after := contractState(h); !bytes.Equal(before, after) {
			t.Fatalf("%s refused (%s) but the contract state changed", s.Type, res[0].Log)
		}
	})
}

// contractState is a digest of everything under the contract module's
// prefix.
func contractState(h *chain) []byte {
	d := sha256.New()
	_ = h.db.Committed().Iterate([]byte("contract/"), []byte("contract0"), func(k, v []byte) bool {
		d.Write(k)
		d.Write([]byte{0})
		d.Write(v)
		d.Write([]byte{0})
		return true
	})
	return d.Sum(nil)
}
