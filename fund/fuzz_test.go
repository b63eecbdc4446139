package fund_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"testing"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

var fuzzSeeds = []string{
	`{"app_no":"1","investor":"A","fund":"000001","amount":"1000.00"}`,
	`{"app_no":"1","investor":"A","fund":"000001","shares":"10.00","investor_sig":"00ff"}`,
	`{"id":"X","type":"individual","risk":"C3","risk_assessed":"2026-01-05","risk_expires":"2027-01-05","personal":{"cipher":"aes-256-gcm","nonce":"AAAAAAAAAAAAAAAA","ciphertext":"AAAAAAAAAAAAAAAAAAAAAA==","recipients":[]},"commitment":"00","commit_alg":"sha256"}`,
	`{"fund":"000001","date":"2026-03-10","nav":"1.2345","signature":"00"}`,
	`{"code":"000002","name":"x","type":"bond","share_class":"A","risk":"R1","manager":"fm-alpha","custodian":"cust-trust","offering_start":"2026-03-02","offering_end":"2026-03-06","rounding":"truncate","terms":{"min_first":"1000.00","min_additional":"100.00","min_redemption":"100.00","min_holding":"0.00","purchase_fees":[{"rate":"1.50%"}],"redemption_fees":[{"min_days":0,"rate":"1.50%"}],"dividend_method":"cash"}}`,
	`{"calendar":{"from":"2026-01-01","to":"2026-12-31","days":["2026-01-05"]}}`,
	`{"investor":"A","fund":"000001","shares":"1.00","reason":"r"}`,
	`{"fund":"000001","per_share":"0.0500","record_date":"2026-03-17","ex_date":"2026-03-18","pay_date":"2026-03-19"}`,
	`{"app_no":"2","original":"1"}`,
	`{}`, `null`, `[]`, `{"app_no":1e400}`,
}

// FuzzMsgs decodes arbitrary bytes as every fund message the way the app
// does (strict JSON, then Validate): no panic, and a message that validates
// survives a round trip through its JSON form.
func FuzzMsgs(f *testing.F) {
	specs := fund.New().Msgs()
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
	})
}

// FuzzFundTx sends arbitrary fund messages through the real app as a channel
// operator (on a chain with a fund, investors and accounts): a refused tx
// changes nothing (same app hash), and nothing panics or halts the chain.
func FuzzFundTx(f *testing.F) {
	specs := fund.New().Msgs()
	for i, s := range fuzzSeeds {
		f.Add(uint8(i), uint8(0), []byte(s))
	}
	h := newChain(f, nil)
	r := &runner{h: h}
	for _, l := range []string{
		"fund fm-alpha/operator 000001",
		"investor rs-bank/operator A individual C5",
	} {
		if out := r.run([]string{l}); !bytes.HasPrefix([]byte(out), []byte("ok")) {
			f.Fatalf("%s: %s", l, out)
		}
	}
	users := []string{"rs-bank/operator", "fm-alpha/operator", "cust-trust/operator", "regulator/operator", "rs-bank/investor"}
	f.Fuzz(func(t *testing.T, which, who uint8, data []byte) {
		s := specs[int(which)%len(specs)]
		if !json.Valid(data) {
			return // a tx body is JSON: the envelope decoder's fuzz covers the rest
		}
		h.t = t
		before := fundState(h)
		res, _ := h.block(h.signed(users[int(who)%len(users)], tx.Any{Type: s.Type, Value: data}))
		if res[0].Code == 0 {
			return
		}
		if res[0].Codespace == "" || res[0].Log == "" {
			t.Fatalf("refusal without a code and message: %+v", res[0])
		}
		if after := fundState(h); !bytes.Equal(before, after) {
			t.Fatalf("%s refused (%s) but the fund state changed", s.Type, res[0].Log)
		}
	})
}

// fundState is a digest of everything under the fund module's prefix.
func fundState(h *chain) []byte {
	d := sha256.New()
	_ = h.db.Committed().Iterate([]byte("fund/"), []byte("fund0"), func(k, v []byte) bool {
		d.Write(k)
		d.Write([]byte{0})
		d.Write(v)
		d.Write([]byte{0})
		return true
	})
	return d.Sum(nil)
}
