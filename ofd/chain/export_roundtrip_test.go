package chain

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/tx"
)

// The 01 -> 02 and 03 -> 04 round trips: a distributor's application files
// are written with ofd.Writer, parsed, and submitted as the equivalent fund
// messages directly (TestImportExportRoundTrip in roundtrip_test.go does the
// same through the importer); the TA's answer files exported from the chain then carry one confirmation
// per application with the same AppSheetSerialNo, and the chain's values.

var (
	exFields01 = []string{"AppSheetSerialNo", "TransactionDate", "TransactionTime", "TransactionAccountID", "DistributorCode",
		"BusinessCode", "IndividualOrInstitution", "InvestorName", "CertificateType", "CertificateNo"}
	exFields03 = []string{"AppSheetSerialNo", "FundCode", "TransactionDate", "TransactionTime", "TransactionAccountID",
		"DistributorCode", "ApplicationVol", "ApplicationAmount", "BusinessCode", "CurrencyType"}
)

// exWriteOFD writes an application file from value rows.
func exWriteOFD(t *testing.T, typ, date string, fields []string, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := ofd.NewWriter(&b, ofd.Header{Version: "21", Creator: "996", Receiver: "H0", Date: date, FileType: typ, Fields: fields, Count: len(rows)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exportOne exports one file type of a date as the TA and returns its bytes.
func exportOne(t *testing.T, h *exChain, typ, date string) []byte {
	t.Helper()
	files, err := Export(h.source("fm-alpha/operator"), ExportOptions{Date: exDate(date), Distributor: "rs-bank", TA: "fm-alpha", Codes: exCodes}, typ)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := files[0].Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exCanonical checks that a file re-written from its parsed header and values
// is byte-identical (the export is the exCanonical form of what it says).
func exCanonical(t *testing.T, b []byte) {
	t.Helper()
	hd, recs := exParseOFD(t, bytes.NewReader(b))
	var out bytes.Buffer
	w, err := ofd.NewWriter(&out, *hd)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r.Values()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), b) {
		t.Fatalf("%s file does not re-write byte for byte", hd.FileType)
	}
}

func TestRoundTrip0102(t *testing.T) {
	h := newExChain(t, 0)
	in := exWriteOFD(t, "01", "20260302", exFields01, [][]string{
		{"OA20260302000000000001", "20260302", "093000", "20000000000000001", "996", "001", "1", "张三", "0", "110101199001011234"},
		{"OA20260302000000000002", "20260302", "093100", "20000000000000002", "996", "001", "0", "某某投资有限公司", "0", "91110000MA00000000"},
		{"OA20260302000000000003", "20260302", "093200", "20000000000000003", "996", "001", "1", "李四", "0", "110101199202021234"},
	})
	_, apps := exParseOFD(t, bytes.NewReader(in))
	h.at("2026-03-02 09:30")
	for _, r := range apps {
		typ := fund.InvestorIndividual
		if r.Value("IndividualOrInstitution") == "0" {
			typ = fund.InvestorInstitution
		}
		h.investor("rs-bank/operator", r.Value("TransactionAccountID"), typ, "fm-alpha", r.Value("AppSheetSerialNo"))
	}
	out := exportOne(t, h, "02", "2026-03-02")
	exCanonical(t, out)
	hd, cfs := exParseOFD(t, bytes.NewReader(out))
	if hd.FileType != "02" || hd.Creator != "H0" || hd.Receiver != "996" || len(cfs) != len(apps) {
		t.Fatalf("02: %+v, %d confirmations for %d applications", hd, len(cfs), len(apps))
	}
	byNo := map[string]int{}
	for _, c := range cfs {
		byNo[c.Value("AppSheetSerialNo")]++
	}
	for i, a := range apps {
		c := cfs[i]
		if byNo[a.Value("AppSheetSerialNo")] != 1 || c.Value("AppSheetSerialNo") != a.Value("AppSheetSerialNo") ||
			c.Value("TransactionAccountID") != a.Value("TransactionAccountID") || c.Value("ReturnCode") != "0000" ||
			c.Value("BusinessCode") != "101" || c.Value("IndividualOrInstitution") != a.Value("IndividualOrInstitution") ||
			len(c.Value("TAAccountID")) != 12 {
			t.Fatalf("application %v: confirmation %v", a.Values(), c.Values())
		}
	}
}

func TestRoundTrip0304(t *testing.T) {
	h := newExChain(t, 0)
	h.at("2026-03-01 09:00")
	h.registerFund("000001", "fm-alpha", "2026-03-02", "2026-03-06")
	invs := []string{"20000000000000001", "20000000000000002", "20000000000000003"}
	for i, id := range invs {
		h.investor("rs-bank/operator", id, fund.InvestorIndividual, "fm-alpha", fmt.Sprintf("OA%d", i))
	}
	// Day 1: subscriptions (020), confirmed at par when the fund opens.
	sub := exWriteOFD(t, "03", "20260302", exFields03, [][]string{
		{"TA20260302000000000001", "000001", "20260302", "100000", invs[0], "996", "", "10000.00", "020", "156"},
		{"TA20260302000000000002", "000001", "20260302", "100000", invs[1], "996", "", "250000.00", "020", "156"},
	})
	// Day 2: purchases (022) and a redemption (024), confirmed at the NAV.
	trade := exWriteOFD(t, "03", "20260310", exFields03, [][]string{
		{"TA20260310000000000001", "000001", "20260310", "100000", invs[0], "996", "", "10000.00", "022", "156"},
		{"TA20260310000000000002", "000001", "20260310", "100000", invs[2], "996", "", "6000000.00", "022", "156"},
		{"TA20260310000000000003", "000001", "20260310", "100000", invs[1], "996", "1000.50", "", "024", "156"},
		{"TA20260310000000000004", "000001", "20260310", "100000", invs[2], "996", "", "99.00", "022", "156"},
	})
	submit := func(file []byte) []*ofd.Record {
		_, recs := exParseOFD(t, bytes.NewReader(file))
		var items []tx.Any
		for _, r := range recs {
			m := map[string]string{"app_no": r.Value("AppSheetSerialNo"), "investor": r.Value("TransactionAccountID"), "fund": r.Value("FundCode")}
			typ := map[string]string{"020": fund.TypeSubscribe, "022": fund.TypePurchase, "024": fund.TypeRedeem}[r.Value("BusinessCode")]
			if typ == fund.TypeRedeem {
				m["shares"], _ = r.Decimal("ApplicationVol")
			} else {
				m["amount"], _ = r.Decimal("ApplicationAmount")
			}
			items = append(items, exMsg(typ, m))
		}
		h.batch("rs-bank/operator", items)
		return recs
	}
	h.at("2026-03-02 10:00")
	subs := submit(sub)
	h.at("2026-03-09 09:00")
	h.must("fm-alpha/operator", fund.TypeSetFundStatus, map[string]string{"fund": "000001", "status": "open"})
	h.at("2026-03-10 10:00")
	trades := submit(trade)
	h.at("2026-03-10 18:00")
	h.nav("000001", "fm-alpha", "2026-03-10", "1.2345")

	for _, day := range []struct {
		date string
		apps []*ofd.Record
	}{{"2026-03-09", subs}, {"2026-03-11", trades}} {
		out := exportOne(t, h, "04", day.date)
		exCanonical(t, out)
		_, cfs := exParseOFD(t, bytes.NewReader(out))
		got := map[string]*ofd.Record{}
		for _, c := range cfs {
			if got[c.Value("AppSheetSerialNo")] != nil {
				t.Fatalf("%s: two confirmations of %s", day.date, c.Value("AppSheetSerialNo"))
			}
			got[c.Value("AppSheetSerialNo")] = c
		}
		// The 099.00 purchase is below the minimum: refused at submission,
		// it never reaches the chain and has no confirmation.
		want := 0
		for _, a := range day.apps {
			no := a.Value("AppSheetSerialNo")
			c := got[no]
			if a.Value("ApplicationAmount") == "99.00" {
				if c != nil {
					t.Fatalf("a refused application is confirmed: %v", c.Values())
				}
				continue
			}
			want++
			if c == nil {
				t.Fatalf("%s: no confirmation of %s", day.date, no)
			}
			exCheckConfirmation(t, h, c)
			if c.Value("TransactionAccountID") != a.Value("TransactionAccountID") || c.Value("FundCode") != a.Value("FundCode") ||
				c.Value("BusinessCode") != map[string]string{"020": "130", "022": "122", "024": "124"}[a.Value("BusinessCode")] ||
				c.Value("ReturnCode") != "0000" || c.Value("ApplicationAmount") != a.Value("ApplicationAmount") ||
				c.Value("ApplicationVol") != a.Value("ApplicationVol") {
				t.Fatalf("application %v: confirmation %v", a.Values(), c.Values())
			}
		}
		if len(cfs) != want {
			t.Fatalf("%s: %d confirmations, %d applications on chain", day.date, len(cfs), want)
		}
	}
}
