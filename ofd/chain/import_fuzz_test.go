package chain_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/ofd/chain"
	"github.com/otcchain/otcchain/tx"
)

// FuzzMapper writes a record of fuzzed values into an 01 or 03 file, reads
// it back and maps it: the mapper never panics, a refusal has a code and a
// reason, and a mapped record's message decodes strictly and validates as
// the chain's CheckTx would.
func FuzzMapper(f *testing.F) {
	f.Add(false, "432017042600000000023002", "91704220067000002", "022", "10.01", "0", "20170427", "1", "", "4", "张三")
	f.Add(false, "S1", "INV1", "020", "1000", "0", "20170427", "1", "", "1", "")
	f.Add(false, "R1", "INV1", "024", "0", "100.5", "20170427", "1", "", "1", "")
	f.Add(false, "D1", "INV1", "029", "0", "0", "20170427", "0", "", "1", "")
	f.Add(false, "C1", "INV1", "052", "0", "0", "20170427", "1", "P1", "1", "")
	f.Add(false, "X1", "INV1", "036", "0", "0", "20170426", "1", "", "1", "")
	f.Add(true, "A1", "91704220067000002", "001", "0", "0", "20170427", "1", "", "4", "李四")
	f.Add(true, "A2", "91704220067000002", "008", "0", "0", "20160229", "0", "", "5", "某公司")
	f.Add(true, "A3", "bad id", "001", "0", "0", "", "9", "", "x", "")
	specs := map[string]module.MsgSpec{}
	for _, s := range fund.New().Msgs() {
		specs[s.Type] = s
	}
	codes := &chain.Codes{Distributors: map[string]string{"996": "rs-bank"}, TAs: map[string]string{"H0": "fm-alpha"}}
	f.Fuzz(func(t *testing.T, account bool, serial, investor, biz, amount, vol, date, flag, orig, risk, name string) {
		ft, fields := "03", tradeFields
		v := map[string]string{"AppSheetSerialNo": serial, "TransactionAccountID": investor, "BusinessCode": biz, "ApplicationAmount": amount,
			"ApplicationVol": vol, "TransactionDate": date, "DefDividendMethod": flag, "OriginalAppSheetNo": orig, "FundCode": "000198", "DistributorCode": "996"}
		if account {
			ft = "01"
			fields = []string{"AppSheetSerialNo", "TransactionDate", "IndividualOrInstitution", "TransactionAccountID", "DistributorCode",
				"BusinessCode", "InvestorName", "CertificateType", "CertificateNo", "ClientRiskRate"}
			v = map[string]string{"AppSheetSerialNo": serial, "TransactionAccountID": investor, "BusinessCode": biz, "TransactionDate": date,
				"IndividualOrInstitution": flag, "ClientRiskRate": risk, "InvestorName": name, "CertificateType": "0", "CertificateNo": orig + "X", "DistributorCode": "996"}
		}
		var buf bytes.Buffer
		w, err := ofd.NewWriter(&buf, ofd.Header{Version: "21", Creator: "996", Receiver: "H0", Date: "20170427", FileType: ft, Fields: fields, Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		if w.WriteMap(v) != nil || w.Close() != nil {
			return // not a writable record
		}
		r := ofd.NewReader(bytes.NewReader(buf.Bytes()))
		h, err := r.Header()
		if err != nil {
			t.Fatal(err)
		}
		rec, err := r.Next()
		if err != nil {
			return // the reader refuses it (e.g. an unknown business code or a bad date): the whole file is refused
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("second record: %v", err)
		}
		m, err := chain.NewMapper(h, chain.MapOptions{Channel: "rs-bank", Codes: codes, TradeDate: 20170427})
		if err != nil {
			t.Fatal(err)
		}
		mp := m.Map(rec)
		if mp.Line != rec.Line || mp.Serial != rec.Value("AppSheetSerialNo") || mp.Business != rec.Value("BusinessCode") {
			t.Fatalf("mapping %+v of line %d", mp, rec.Line)
		}
		switch mp.Status {
		case chain.StatusRefused:
			if mp.Code == "" || mp.Reason == "" || mp.Msg != nil || mp.Register != nil {
				t.Fatalf("refusal %+v", mp)
			}
			return
		case chain.StatusMapped:
		default:
			t.Fatalf("status %q", mp.Status)
		}
		check := func(a tx.Any) {
			spec, ok := specs[a.Type]
			if !ok || !spec.Batchable {
				t.Fatalf("message type %q", a.Type)
			}
			msg := spec.New()
			if err := tx.StrictUnmarshal(a.Value, msg); err != nil {
				t.Fatalf("%s %s: %v", a.Type, a.Value, err)
			}
			if err := msg.Validate(); err != nil {
				t.Fatalf("%s %s: %v", a.Type, a.Value, err)
			}
		}
		if mp.Msg == nil {
			t.Fatalf("mapped without a message: %+v", mp)
		}
		check(*mp.Msg)
		if account {
			if mp.Register == nil || mp.Register.ID != rec.Value("TransactionAccountID") || mp.Personal.Name == "" {
				t.Fatalf("account mapping %+v", mp)
			}
			reg := mp.Register.RegisterMsg()
			if err := reg.Validate(); err == nil {
				t.Fatal("an unsealed registration validated")
			}
			return
		}
		// Values as the file holds them: text fields lose their padding
		// (a fuzzed "0 " reads back as "0").
		if mp.OrderID != "rs-bank:"+rec.Value("AppSheetSerialNo") || (biz != "052" && mp.Investor != rec.Value("TransactionAccountID")) {
			t.Fatalf("order mapping %+v", mp)
		}
	})
}
