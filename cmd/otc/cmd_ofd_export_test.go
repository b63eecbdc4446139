package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/ofd"
)

// TestOFDExportCLI exports the TA's answer files from a real node: an
// account opened today (02), a purchase cancelled before its cut-off (04:
// the order with 0409 and the cancellation 152 0000), the positions (05) and
// the fund's NAV and status (07); every file parses with ofd's validating
// reader and the index lists them.
func TestOFDExportCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	tn := startTestNet(t, "otc-ofd-cli", "ofd-export-pass", time.Now().Add(-30*24*time.Hour))
	dir, ctx := tn.dir, context.Background()
	env := tn.env()
	as := func(who string, args ...string) (string, error) {
		t.Helper()
		return run(t, ctx, env, append(args, "--home", dir, "--as", who)...)
	}
	must := func(who string, args ...string) string {
		t.Helper()
		out, err := as(who, args...)
		if err != nil {
			t.Fatalf("otc %s as %s: %v\n%s", strings.Join(args, " "), who, err, out)
		}
		return out
	}
	today, _ := fund.ChinaDate(time.Now())
	expires, _ := today.AddDays(365)
	must("rs-bank/operator", "fund", "investor", "register", "--id", "INV001", "--type", "individual", "--risk", "C4",
		"--assessed", today.String(), "--expires", expires.String(), "--name", "Zhang San", "--id-type", "resident_id",
		"--id-number", "11010519491231002X", "--phone", "13800000000")
	must("rs-bank/operator", "fund", "account", "open", "--investor", "INV001", "--manager", "fm-alpha", "--app-no", "A0001")
	var o struct {
		Result struct {
			TradeDate fund.Date `json:"trade_date"`
		} `json:"result"`
	}
	out := must("rs-bank/operator", "fund", "purchase", "--investor", "INV001", "--fund", "000001", "--amount", "10000", "--app-no", "P0001")
	if err := json.Unmarshal([]byte(out), &o); err != nil || o.Result.TradeDate == 0 {
		t.Fatalf("purchase: %v\n%s", err, out)
	}
	must("rs-bank/operator", "fund", "cancel", "--app-no", "C0001", "--original", "P0001")

	outDir := t.TempDir()
	export := func(who string, args ...string) (string, error) {
		return as(who, append([]string{"ofd", "export", "--distributor", "rs-bank", "--out", outDir}, args...)...)
	}
	// The account opened today (China date), the trade date's business.
	if out, err := export("fm-alpha/operator", "--type", "02", "--date", today.String()); err != nil || !strings.Contains(out, "records=1") {
		t.Fatalf("export 02: %v\n%s", err, out)
	}
	out, err := export("fm-alpha/operator", "--type", "04,05,07", "--date", strings.ReplaceAll(o.Result.TradeDate.String(), "-", ""))
	if err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	d := strings.ReplaceAll(o.Result.TradeDate.String(), "-", "")
	for _, typ := range []string{"04", "05", "07"} {
		if !strings.Contains(out, ofd.FileName("fm-alpha", "rs-bank", d, typ)) {
			t.Fatalf("export summary lacks %s:\n%s", typ, out)
		}
	}
	if !strings.Contains(out, ofd.IndexFileName("fm-alpha", "rs-bank", d)) || !strings.Contains(out, "sha256=") {
		t.Fatalf("export summary:\n%s", out)
	}
	recsOf := func(d, typ string) []*ofd.Record {
		f, err := os.Open(filepath.Join(outDir, ofd.FileName("fm-alpha", "rs-bank", d, typ)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := ofd.NewReader(f)
		r.CheckBusinessCodes(true)
		h, err := r.Header()
		if err != nil {
			t.Fatal(err)
		}
		var out []*ofd.Record
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			out = append(out, rec)
		}
		if len(out) != h.Count {
			t.Fatalf("%s: %d records, header %d", typ, len(out), h.Count)
		}
		return out
	}
	recs := func(typ string) []*ofd.Record { return recsOf(d, typ) }
	if acc := recsOf(strings.ReplaceAll(today.String(), "-", ""), "02"); len(acc) != 1 || acc[0].Value("AppSheetSerialNo") != "A0001" ||
		acc[0].Value("BusinessCode") != "101" || acc[0].Value("ReturnCode") != "0000" {
		t.Fatalf("02: %d records", len(acc))
	}
	cf := recs("04")
	if len(cf) != 2 || cf[0].Value("AppSheetSerialNo") != "P0001" || cf[0].Value("ReturnCode") != "0409" ||
		cf[1].Value("AppSheetSerialNo") != "C0001" || cf[1].Value("BusinessCode") != "152" || cf[1].Value("OriginalAppSheetNo") != "P0001" {
		var got []string
		for _, r := range cf {
			got = append(got, strings.Join(r.Values(), "|"))
		}
		t.Fatalf("04 records:\n%s", strings.Join(got, "\n"))
	}
	recs("05")
	if nav := recs("07"); len(nav) == 0 || nav[0].Value("FundCode") != "000001" || nav[0].Value("FundStatus") != "0" {
		t.Fatalf("07: %d records", len(nav))
	}
	idx, err := os.Open(filepath.Join(outDir, ofd.IndexFileName("fm-alpha", "rs-bank", d)))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if ix, err := ofd.ReadIndex(idx); err != nil || len(ix.Files) != 3 {
		t.Fatalf("index: %+v %v", ix, err)
	}
	// The distributor reads its own business but must name the TA, and may
	// not read the fund's totals (07).
	if _, err := export("rs-bank/operator", "--type", "04", "--date", d); err == nil || !strings.Contains(err.Error(), "--ta") {
		t.Fatalf("export as the distributor without --ta: %v", err)
	}
	if out, err := export("rs-bank/operator", "--type", "04", "--date", d, "--ta", "fm-alpha"); err != nil || !strings.Contains(out, "records=2") {
		t.Fatalf("export as the distributor: %v\n%s", err, out)
	}
	if _, err := export("rs-bank/operator", "--type", "07", "--date", d, "--ta", "fm-alpha"); err == nil || !strings.Contains(err.Error(), "not_permitted") {
		t.Fatalf("07 as the distributor: %v", err)
	}
	if _, err := export("rs-broker/operator", "--type", "04", "--date", d, "--ta", "fm-alpha"); err == nil || !strings.Contains(err.Error(), "not_permitted") {
		t.Fatalf("another reseller: %v", err)
	}
}
