package exchange_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

const h64 = "0000000000000000000000000000000000000000000000000000000000000001"

// fuzzEnvelope is a well-formed key envelope for two fresh recipients.
func fuzzEnvelope(tb testing.TB) string {
	var rs []crypto.Recipient
	for i, alg := range []crypto.EncAlgorithm{crypto.X25519, crypto.SM2Enc} {
		k, err := crypto.GenerateEncKey(alg)
		if err != nil {
			tb.Fatal(err)
		}
		rs = append(rs, crypto.Recipient{ID: strings.Repeat(string(rune('a'+i)), 64), Key: k.Public()})
	}
	env, err := crypto.Seal(crypto.ContentAES256GCM, make([]byte, 32), exchange.ContentAAD("F1"), rs)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := json.Marshal(env)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func fuzzSeeds(env string) []string {
	return []string{
		`{"id":"F1","recipients":["rs-bank"],"category":"nav","name":"a.csv","size":3,"hash":"` + h64 + `","hash_alg":"sha256","signature":"00ff","key":` + env + `,"inline":"AAEC"}`,
		`{"id":"F1","recipients":["rs-bank","` + h64 + `"],"category":"other","name":"b","size":0,"hash":"` + h64 + `","hash_alg":"sm3","signature":"01","parents":["P1","P2"],"key":` + env + `,"blob":{"hash":"` + h64 + `","size":10,"node":"http://127.0.0.1:1"}}`,
		`{"id":"F1","recipients":["rs-bank"],"category":"nav","name":"a.csv","size":3,"hash":"` + h64 + `","hash_alg":"sha256","signature":"00ff","key":` + env + `,"inline":"AAEC","blob":{"hash":"` + h64 + `","size":1,"node":"x"}}`,
		`{"id":"F1","recipients":[],"category":"nav","name":"a/b","size":-1,"hash":"` + h64 + `","hash_alg":"md5","signature":"","key":null,"inline":""}`,
		`{"record":"F1","accepted":true,"signature":"00ff"}`,
		`{"record":"F1","target":"rs-bank","accepted":false,"reason":"totals differ","signature":"00"}`,
		`{"record":"F1","accepted":false,"reason":" ","signature":"00"}`,
		`{}`, `null`, `[]`, `{"size":1e400}`, `{"record":"F1\n","signature":"zz"}`,
	}
}

// FuzzMsgs decodes arbitrary bytes as both exchange messages the way the
// app does (strict JSON, then Validate): no panic, a refusal is a coded
// error, and a message that validates survives a round trip through its
// JSON form.
func FuzzMsgs(f *testing.F) {
	specs := exchange.New().Msgs()
	for i, s := range fuzzSeeds(fuzzEnvelope(f)) {
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

// FuzzExchangeTx sends arbitrary exchange messages through the real app (on
// a chain holding an inline record and a blob record) from the sender, a
// recipient, an outsider, the regulator, an investor and a seal: a refused
// tx changes nothing in the exchange module's state, and nothing panics or
// halts the chain.
func FuzzExchangeTx(f *testing.F) {
	specs := exchange.New().Msgs()
	h := newChain(f)
	r := newRunner(h)
	for _, l := range []string{
		"send fm-alpha/operator R1 --to rs-bank content=NAV file for the fuzzer",
		"send cust-trust/operator B1 --to fm-alpha,rs-bank/operator --blob content=TA confirmation for the fuzzer",
	} {
		if out := r.run([]string{l}); !strings.HasPrefix(out, "ok") {
			f.Fatalf("%s: %s", l, out)
		}
	}
	for i, s := range fuzzSeeds(fuzzEnvelope(f)) {
		f.Add(uint8(i), uint8(i), []byte(s))
	}
	// Well-signed messages for the fuzzer to start from: a new record (a
	// child of R1) and an acknowledgement of R1.
	s, err := h.seal("fm-alpha/operator", "R2", "R2.csv", "nav", []byte("NAV correction for the fuzzer"), []string{"rs-bank"},
		h.readersOf("fm-alpha/operator", []string{"rs-bank"}), false)
	if err != nil {
		f.Fatal(err)
	}
	s.Msg.Parents = []string{"R1"}
	send, _ := json.Marshal(s.Msg)
	f.Add(uint8(0), uint8(0), send)
	var rec exchange.Record
	if err := h.read("exchange/records/R1", &rec); err != nil {
		f.Fatal(err)
	}
	ack, _ := json.Marshal(exchange.AckMsg{Record: "R1", Accepted: true,
		Signature: h.signHex("rs-bank/operator", exchange.AckStatement(h.c.ChainID, "R1", rec.Hash, true, ""))})
	f.Add(uint8(1), uint8(1), ack)
	users := []string{"fm-alpha/operator", "rs-bank/operator", "rs-broker/operator", "regulator/operator", "rs-bank/investor", "fm-alpha/seal", "rs-bank/admin"}
	f.Fuzz(func(t *testing.T, which, who uint8, data []byte) {
		s := specs[int(which)%len(specs)]
		if !json.Valid(data) {
			return // a tx body is JSON: the envelope decoder's fuzz covers the rest
		}
		h.t = t
		before := exchangeState(h)
		res := h.block(h.signed(users[int(who)%len(users)], tx.Any{Type: s.Type, Value: data}))
		if res[0].Code == 0 {
			return
		}
		if res[0].Codespace == "" || res[0].Log == "" {
			t.Fatalf("refusal without a code and message: %+v", res[0])
		}
		if after := exchangeState(h); !bytes.Equal(before, after) {
			t.Fatalf("%s refused (%s) but the exchange state changed", s.Type, res[0].Log)
		}
	})
}

// exchangeState is a digest of everything under the exchange module's
// prefix.
func exchangeState(h *chain) []byte {
	d := sha256.New()
	_ = h.db.Committed().Iterate([]byte("exchange/"), []byte("exchange0"), func(k, v []byte) bool {
		d.Write(k)
		d.Write([]byte{0})
		d.Write(v)
		d.Write([]byte{0})
		return true
	})
	return d.Sum(nil)
}
