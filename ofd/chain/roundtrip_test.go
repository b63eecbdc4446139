package chain_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"testing"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/ofd/chain"
)

// The round trips of the issue, through the real importer and exporter: a
// distributor's 01 file imported, the TA's 02 exported; a 03 file imported,
// the NAV published and co-signed, the 04 exported. Each answer file parses
// with the validating reader and carries one confirmation per accepted
// application, with its AppSheetSerialNo and the chain's values exactly.
func TestImportExportRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.fund("000198")
	ids := []string{"20000000000000101", "20000000000000102", "20000000000000103"}

	// 01 -> chain -> 02.
	h.at("2017-04-10 10:00")
	rep, err := h.importBytes("rs-bank/operator", "OFD_996_H0_20170410_01.TXT", accountFile(t, "20170410", ids), chain.MapOptions{}, false)
	if err != nil || rep.Summary.Accepted != len(ids) {
		t.Fatalf("01 import: %+v, %v", rep, err)
	}
	apps01 := parse(t, accountFile(t, "20170410", ids))
	cfs02 := parse(t, exportAs(t, h, "02", "2017-04-10"))
	if len(cfs02) != len(apps01) {
		t.Fatalf("02: %d confirmations for %d applications", len(cfs02), len(apps01))
	}
	for i, a := range apps01 {
		c := cfs02[i]
		if c.Value("AppSheetSerialNo") != a.Value("AppSheetSerialNo") || c.Value("TransactionAccountID") != a.Value("TransactionAccountID") ||
			c.Value("BusinessCode") != "101" || c.Value("ReturnCode") != "0000" || len(c.Value("TAAccountID")) != 12 {
			t.Fatalf("01 %v -> 02 %v", a.Values(), c.Values())
		}
	}

	// The day's NAV (the NAVs of a fund are published day after day).
	h.at("2017-04-10 18:00")
	publishNAV(t, h, "000198", "2017-04-10", "1.0000")

	// 03 -> chain -> 04 (purchases on T = 2017-04-11, NAV of T, confirmed T+1).
	h.at("2017-04-11 10:00")
	var recs []map[string]string
	for i, id := range ids {
		recs = append(recs, map[string]string{"AppSheetSerialNo": fmt.Sprintf("T2017041100%02d", i+1), "FundCode": "000198",
			"TransactionAccountID": id, "BusinessCode": "022", "ApplicationAmount": fmt.Sprintf("%d0000.00", i+1)})
	}
	file03 := tradeFile(t, "20170411", recs)
	rep, err = h.importBytes("rs-bank/operator", "OFD_996_H0_20170411_03.TXT", file03, chain.MapOptions{}, false)
	if err != nil || rep.Summary.Accepted != len(recs) {
		t.Fatalf("03 import: %+v, %v", rep, err)
	}
	h.at("2017-04-11 18:00")
	publishNAV(t, h, "000198", "2017-04-11", "1.2345")
	h.block() // the confirmation job, if the co-sign block left any

	apps03 := parse(t, file03)
	cfs04 := parse(t, exportAs(t, h, "04", "2017-04-12"))
	if len(cfs04) != len(apps03) {
		t.Fatalf("04: %d confirmations for %d applications", len(cfs04), len(apps03))
	}
	bySerial := map[string]*ofd.Record{}
	for _, c := range cfs04 {
		bySerial[c.Value("AppSheetSerialNo")] = c
	}
	for _, a := range apps03 {
		c := bySerial[a.Value("AppSheetSerialNo")]
		if c == nil {
			t.Fatalf("no 04 confirmation of %s", a.Value("AppSheetSerialNo"))
		}
		var o fund.Order
		if ok, err := h.read("rs-bank/operator", "fund/orders/rs-bank:"+a.Value("AppSheetSerialNo"), nil, &o); !ok || err != nil {
			t.Fatalf("order of %s: %v", a.Value("AppSheetSerialNo"), err)
		}
		if o.Confirmation == nil {
			t.Fatalf("order %s is not confirmed: %+v", o.ID, o)
		}
		cf := o.Confirmation
		if c.Value("BusinessCode") != "122" || c.Value("ReturnCode") != "0000" || c.Value("ApplicationAmount") != a.Value("ApplicationAmount") ||
			c.Value("TransactionAccountID") != a.Value("TransactionAccountID") || c.Value("NAV") != cf.NAV.String() ||
			c.Value("ConfirmedVol") != cf.Shares.String() || c.Value("ConfirmedAmount") != cf.Amount.String() || c.Value("Charge") != cf.Fee.String() {
			t.Fatalf("03 %v -> 04 %v; chain confirmation %+v", a.Values(), c.Values(), cf)
		}
	}
}

// exportAs exports one file type of date as the TA (fm-alpha) for rs-bank
// (distributor code 996, TA code H0) and returns the file's bytes.
func exportAs(t *testing.T, h *harness, typ, date string) []byte {
	t.Helper()
	files, err := chain.Export(querySource{h, "fm-alpha/operator"}, chain.ExportOptions{Date: sdate(date), Distributor: "rs-bank", TA: "fm-alpha", Codes: sampleCodes()}, typ)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := files[0].Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// parse reads every record of a file with the validating reader.
func parse(t *testing.T, b []byte) []*ofd.Record {
	t.Helper()
	r := ofd.NewReader(bytes.NewReader(b))
	if _, err := r.Header(); err != nil {
		t.Fatal(err)
	}
	var out []*ofd.Record
	for {
		rec, err := r.Next()
		if err != nil {
			if err == io.EOF {
				return out
			}
			t.Fatalf("%v", err)
		}
		out = append(out, rec)
	}
}

// querySource is chain.ExportSource over the harness's reads.
type querySource struct {
	h    *harness
	user string
}

func (s querySource) Query(path string, p map[string]string, out any) error {
	ok, err := s.h.read(s.user, "fund/"+path, p, out) // the exporter reads fund queries
	if err == nil && !ok {
		return fmt.Errorf("read %s refused", path)
	}
	return err
}

// publishNAV publishes the NAV of date as the manager and co-signs it as the
// custodian: the chain confirms the day's orders.
func publishNAV(t *testing.T, h *harness, code, date, value string) {
	t.Helper()
	nav, err := fund.ParseNAV(value)
	if err != nil {
		t.Fatal(err)
	}
	d := sdate(date)
	sign := func(user string) string {
		sig, err := h.c.User(user).Key.Sign(fund.NAVStatement(h.c.ChainID, code, d, nav))
		if err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(sig)
	}
	h.must("fm-alpha/operator", fund.TypePublishNAV, fund.PublishNAV{Fund: code, Date: d, NAV: nav, Signature: sign("fm-alpha/operator")})
	h.must("cust-trust/operator", fund.TypeCosignNAV, fund.CosignNAV{Fund: code, Date: d, NAV: nav, Signature: sign("cust-trust/operator")})
}
