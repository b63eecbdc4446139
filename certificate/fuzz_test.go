package certificate_test

import (
	"encoding/json"
	"testing"

	"github.com/otcchain/otcchain/certificate"
	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/tx"
)

// FuzzMake: whatever a proven transaction's messages, its result data or
// an outcome's value hold, Make makes a certificate (or refuses) without
// panicking, and the QR payload it makes parses back.
func FuzzMake(f *testing.F) {
	f.Add(uint8(0), []byte(`{"contract":"C-1","version":1,"hash":"`+sum+`","signature":"00"}`), []byte(`{"msgs":[{"index":0,"data":{"party":0,"signed":1,"of":2}}]}`))
	f.Add(uint8(1), []byte(`{"id":"NAV-1","recipients":["fm-alpha"],"name":"净值.csv","size":-1,"hash":"x"}`), []byte(`{}`))
	f.Add(uint8(2), []byte(`{"record":"NAV-1","accepted":false,"reason":"格式错误"}`), []byte(`null`))
	f.Add(uint8(3), []byte(`{"items":[{"type":"contract/sign","value":{"contract":"C"}}]}`), []byte(`{"msgs":[{"index":0,"data":{"items":[{"index":0}]}}]}`))
	f.Add(uint8(4), []byte(`{"app_no":"P1","amount":"12.5","confirmation":{"date":"2026-03-03","amount":"1"}}`), []byte(``))
	f.Add(uint8(5), []byte(`"just a string"`), []byte(`[1,2]`))
	types := []string{contract.TypeSign, exchange.TypeSend, exchange.TypeAck, tx.BatchMsgType, "fund/confirmation/", "evidence/anchor"}
	f.Fuzz(func(t *testing.T, which uint8, value, data []byte) {
		typ := types[int(which)%len(types)]
		var receipt []byte
		var in certificate.Input
		if typ == "fund/confirmation/" {
			receipt, in.Report = synthOutcome(t, typ+"rs-bank:P1", json.RawMessage(validJSON(value)))
		} else {
			msg := tx.Any{Type: typ, Value: validJSON(value)}
			if _, err := tx.NewBody([]tx.Any{msg}, 100).Marshal(); err != nil {
				return // not a body a signer could send
			}
			receipt, in.Report = synthTx(t, string(data), msg)
		}
		in.Receipt, in.Names = receipt, names
		c, err := certificate.Make(in)
		if err != nil {
			return
		}
		if _, err := certificate.ParseQR(c.Ref.String()); err != nil {
			t.Fatalf("the certificate's QR payload %q: %v", c.Ref.String(), err)
		}
	})
}

// validJSON keeps v if it is JSON, else quotes it (the envelope needs JSON).
func validJSON(v []byte) json.RawMessage {
	if json.Valid(v) {
		return v
	}
	b, _ := json.Marshal(string(v))
	return b
}
