package chain

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/tx"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata/golden")

// exCodes are the organisation codes of the golden files.
var exCodes = &Codes{TAs: map[string]string{"H0": "fm-alpha"}, Distributors: map[string]string{"996": "rs-bank"}}

// exInv1 is an investor whose id is a 17-digit transaction account (as
// imported from an 01 file); INV002 is not, so the chain's transaction
// account is written.
const exInv1 = "10000000000000001"

// exBuildDay builds a small fortnight on a real app: accounts opened on
// 03-02, subscriptions confirmed at par when the fund opens on 03-09,
// purchases, a redemption and a dividend-method change of 03-10 confirmed
// on 03-11 at the NAV of 03-10, a purchase cancelled on 03-11 (0409), a
// failed offering (149, 0373), and a dividend with ex-date 03-11 (cash for
// one investor, reinvested for the other).
func exBuildDay(t testing.TB) *exChain {
	h := newExChain(t, 0)
	h.at("2026-03-01 09:00")
	h.registerFund("000001", "fm-alpha", "2026-03-02", "2026-03-06")
	h.registerFund("000002", "fm-alpha", "2026-03-09", "2026-03-13")
	h.at("2026-03-02 09:00")
	h.investor("rs-bank/operator", exInv1, fund.InvestorIndividual, "fm-alpha", "A0000001")
	h.investor("rs-bank/operator", "INV002", fund.InvestorInstitution, "fm-alpha", "A0000002")
	h.must("rs-bank/operator", fund.TypeOpenAccount, &fund.OpenAccount{Investor: "INV002", Manager: "fm-beta", AppNo: "A0000003"})
	h.at("2026-03-02 10:00")
	h.batch("rs-bank/operator", []tx.Any{
		exMsg(fund.TypeSubscribe, map[string]string{"app_no": "S1", "investor": exInv1, "fund": "000001", "amount": "10000.00"}),
		exMsg(fund.TypeSubscribe, map[string]string{"app_no": "S2", "investor": "INV002", "fund": "000001", "amount": "50000.00"}),
	})
	h.at("2026-03-09 09:00")
	h.must("fm-alpha/operator", fund.TypeSetFundStatus, map[string]string{"fund": "000001", "status": "open"})
	h.at("2026-03-10 10:00")
	h.batch("rs-bank/operator", []tx.Any{
		exMsg(fund.TypePurchase, map[string]string{"app_no": "P1", "investor": exInv1, "fund": "000001", "amount": "10000.00"}),
		exMsg(fund.TypePurchase, map[string]string{"app_no": "P2", "investor": "INV002", "fund": "000001", "amount": "6000000.00"}),
		exMsg(fund.TypeRedeem, map[string]string{"app_no": "R1", "investor": exInv1, "fund": "000001", "shares": "5000.00"}),
		exMsg(fund.TypeSetDividendMethod, map[string]string{"app_no": "D1", "investor": "INV002", "fund": "000001", "dividend_method": "reinvest"}),
		exMsg(fund.TypeSubscribe, map[string]string{"app_no": "S9", "investor": "INV002", "fund": "000002", "amount": "20000.00"}),
	})
	h.at("2026-03-10 18:00")
	h.nav("000001", "fm-alpha", "2026-03-10", "1.2345")
	h.must("fm-alpha/operator", fund.TypeDeclareDividend, map[string]string{"fund": "000001", "per_share": "0.0500",
		"record_date": "2026-03-11", "ex_date": "2026-03-11", "pay_date": "2026-03-12"})
	h.at("2026-03-11 10:00")
	h.must("rs-bank/operator", fund.TypePurchase, map[string]string{"app_no": "P3", "investor": "INV002", "fund": "000001", "amount": "1000.00"})
	h.must("rs-bank/operator", fund.TypeCancel, map[string]string{"app_no": "C3", "original": "P3"})
	h.must("fm-alpha/operator", fund.TypeSetFundStatus, map[string]string{"fund": "000002", "status": "liquidated", "reason": "too few holders"})
	h.at("2026-03-11 18:00")
	h.nav("000001", "fm-alpha", "2026-03-11", "1.2400")
	return h
}

// exGoldenExports are the files of the golden test: (type, date).
var exGoldenExports = []struct{ typ, date string }{
	{"02", "2026-03-02"}, {"04", "2026-03-09"}, {"04", "2026-03-11"}, {"05", "2026-03-11"}, {"06", "2026-03-11"}, {"07", "2026-03-11"},
}

func TestExportGolden(t *testing.T) {
	h := exBuildDay(t)
	dir := t.TempDir()
	byDate := map[string][]string{}
	for _, g := range exGoldenExports {
		byDate[g.date] = append(byDate[g.date], g.typ)
	}
	dates := make([]string, 0, len(byDate))
	for d := range byDate {
		dates = append(dates, d)
	}
	sort.Strings(dates)
	for _, d := range dates {
		files, err := Export(h.source("fm-alpha/operator"), ExportOptions{Date: exDate(d), Distributor: "rs-bank", TA: "fm-alpha", Codes: exCodes}, byDate[d]...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := WriteExportDir(dir, files); err != nil {
			t.Fatal(err)
		}
		// The distributor reads the same answer (07 needs the fund totals: the TA's).
		var mine []string
		for _, typ := range byDate[d] {
			if typ != "07" {
				mine = append(mine, typ)
			}
		}
		theirs, err := Export(h.source("rs-bank/operator"), ExportOptions{Date: exDate(d), Distributor: "rs-bank", TA: "fm-alpha", Codes: exCodes}, mine...)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range theirs {
			var a, b bytes.Buffer
			if err := f.Write(&a); err != nil {
				t.Fatal(err)
			}
			if err := files[i].Write(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("%s: the distributor's export differs from the TA's", f.Name())
			}
		}
	}
	got, err := filepath.Glob(filepath.Join(dir, "*.TXT"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(exGoldenExports)+len(dates) {
		t.Fatalf("%d files written, want %d data files and %d indexes", len(got), len(exGoldenExports), len(dates))
	}
	gdir := filepath.Join("testdata", "golden")
	for _, p := range got {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(p)
		if *rewrite {
			if err := os.MkdirAll(gdir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(gdir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(filepath.Join(gdir, name))
		if err != nil {
			t.Fatalf("%v (run with -rewrite)", err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s differs from the golden file (run with -rewrite and read the diff)", name)
		}
	}
	exCheckGoldens(t, h, gdir)
}

// exCheckGoldens parses every golden file with ofd's validating reader and
// checks the trade confirmations against the chain's orders.
func exCheckGoldens(t *testing.T, h *exChain, dir string) {
	names, err := filepath.Glob(filepath.Join(dir, "OFD_*.TXT"))
	if err != nil || len(names) != len(exGoldenExports) {
		t.Fatalf("%d golden data files (%v)", len(names), err)
	}
	for _, p := range names {
		hd, recs := exParseFile(t, p)
		if hd.Creator != "H0" || hd.Receiver != "996" || hd.Version != "21" || filepath.Base(p) != ofd.FileName(hd.Creator, hd.Receiver, hd.Date, hd.FileType) {
			t.Fatalf("%s: header %+v", p, hd)
		}
		want, _ := FieldsOf(hd.FileType)
		if strings.Join(hd.Fields, ",") != strings.Join(want, ",") || len(recs) == 0 {
			t.Fatalf("%s: fields %v, %d records", p, hd.Fields, len(recs))
		}
		if hd.FileType == "04" {
			for _, r := range recs {
				exCheckConfirmation(t, h, r)
			}
		}
	}
	idx, err := os.Open(filepath.Join(dir, ofd.IndexFileName("H0", "996", "20260311")))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	ix, err := ofd.ReadIndex(idx)
	if err != nil || len(ix.Files) != 4 {
		t.Fatalf("index: %+v %v", ix, err)
	}
}

// exParseFile reads an OFD file with the validating reader (business codes
// checked); any error fails the test.
func exParseFile(t *testing.T, path string) (*ofd.Header, []*ofd.Record) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return exParseOFD(t, f)
}

func exParseOFD(t *testing.T, in io.Reader) (*ofd.Header, []*ofd.Record) {
	t.Helper()
	r := ofd.NewReader(in)
	r.CheckBusinessCodes(true)
	hd, err := r.Header()
	if err != nil {
		t.Fatal(err)
	}
	var recs []*ofd.Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s line %v", hd.FileType, err)
		}
		recs = append(recs, rec)
	}
	if len(recs) != hd.Count {
		t.Fatalf("%d records, header says %d", len(recs), hd.Count)
	}
	return hd, recs
}

// exCheckConfirmation compares a 04 record with the chain's order: confirmed
// volume and amount, NAV, charge, return and business code, exactly.
func exCheckConfirmation(t *testing.T, h *exChain, r *ofd.Record) {
	t.Helper()
	o := h.order("rs-bank:" + r.Value("AppSheetSerialNo"))
	c := o.Confirmation
	dec := func(name string) string {
		v, err := r.Decimal(name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	amount := func(name string) fund.Amount {
		a, err := fund.ParseAmount(dec(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return a
	}
	shares, err := fund.ParseShares(dec("ConfirmedVol"))
	if err != nil {
		t.Fatal(err)
	}
	nav, err := fund.ParseNAV(dec("NAV"))
	if err != nil {
		t.Fatal(err)
	}
	if amount("ConfirmedAmount") != c.Amount || amount("Charge") != c.Fee || shares != c.Shares || nav != c.NAV ||
		r.Value("ReturnCode") != c.ReturnCode || r.Value("BusinessCode") != c.Business || r.Value("FundCode") != o.Fund ||
		r.Value("TAAccountID") != o.TAAccount || r.Value("TransactionCfmDate") != exYMD(c.Date) || amount("RefundAmount") != c.Refund {
		t.Fatalf("%s: record %v, chain %+v", o.ID, r.Values(), c)
	}
}
