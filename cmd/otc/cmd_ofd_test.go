package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/ofd"
)

// TestOfdImportCLI imports a generated 01 file and an 03 file dated on the
// chain's trade date through a one-validator network in this process, then
// imports both again (all duplicates, nothing sent), and a broken file
// (refused whole, nothing sent).
func TestOfdImportCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	tn := startTestNet(t, "otc-ofd-cli", "ofd-cli-pass", time.Now().Add(-30*24*time.Hour))
	dir, ctx := tn.dir, context.Background()
	api := tn.api
	env := tn.env()
	as := func(args ...string) (string, error) {
		return run(t, ctx, env, append(args, "--home", dir, "--as", "rs-bank/operator")...)
	}
	var cal fund.Calendar
	calJSON, err := run(t, ctx, nil, "fund", "calendar", "show", "--api", api)
	if err != nil || json.Unmarshal([]byte(calJSON), &cal) != nil {
		t.Fatalf("calendar show: %v\n%s", err, calJSON)
	}
	td, err := fund.TradeDate(time.Now(), cal)
	if err != nil {
		t.Fatal(err)
	}
	day := strings.ReplaceAll(td.String(), "-", "")
	tmp := t.TempDir()
	write := func(name, ft string, fields []string, recs []map[string]string) string {
		t.Helper()
		var buf bytes.Buffer
		w, err := ofd.NewWriter(&buf, ofd.Header{Version: "21", Creator: "rs-bank", Receiver: "fm-alpha", Date: day, FileType: ft, Fields: fields, Count: len(recs)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := w.WriteMap(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ids := []string{"10000000000000001", "10000000000000002"}
	var accs, trades []map[string]string
	for i, id := range ids {
		accs = append(accs, map[string]string{"AppSheetSerialNo": fmt.Sprintf("A%d", i), "TransactionDate": day, "IndividualOrInstitution": "1",
			"TransactionAccountID": id, "DistributorCode": "rs-bank", "BusinessCode": "001", "InvestorName": "王五" + id[16:],
			"CertificateType": "0", "CertificateNo": "11010519491231002" + id[16:], "MobileTelNo": "13900000000", "ClientRiskRate": "5"})
		trades = append(trades, map[string]string{"AppSheetSerialNo": fmt.Sprintf("OFD%dP", i), "FundCode": "000001", "TransactionDate": day,
			"TransactionAccountID": id, "DistributorCode": "rs-bank", "BusinessCode": "022", "ApplicationAmount": "2000.00"})
	}
	trades = append(trades, map[string]string{"AppSheetSerialNo": "OFD9C", "FundCode": "000001", "TransactionDate": day,
		"TransactionAccountID": ids[1], "DistributorCode": "rs-bank", "BusinessCode": "052", "OriginalAppSheetNo": "OFD1P"})
	acc := write("A_01.TXT", "01", []string{"AppSheetSerialNo", "TransactionDate", "IndividualOrInstitution", "TransactionAccountID", "DistributorCode",
		"BusinessCode", "InvestorName", "CertificateType", "CertificateNo", "MobileTelNo", "ClientRiskRate"}, accs)
	tradeFields := []string{"AppSheetSerialNo", "FundCode", "TransactionDate", "TransactionAccountID", "DistributorCode", "ApplicationAmount",
		"BusinessCode", "OriginalAppSheetNo"}
	trd := write("T_03.TXT", "03", tradeFields, trades)

	out, err := as("ofd", "import", acc)
	if err != nil || !strings.Contains(out, "records 2, accepted 2, refused 0, duplicates 0") {
		t.Fatalf("import 01: %v\n%s", err, out)
	}
	if out, err := as("fund", "investor", "show", ids[0], "--decrypt"); err != nil || !strings.Contains(out, "王五1") || !strings.Contains(out, `"risk": "C5"`) {
		t.Fatalf("investor show: %v\n%s", err, out)
	}
	report := filepath.Join(tmp, "report.jsonl")
	out, err = as("ofd", "import", trd, "--report", report, "--batch", "2")
	if err != nil || !strings.Contains(out, "records 3, accepted 3, refused 0, duplicates 0 (T_03.TXT, 2 transactions)") {
		t.Fatalf("import 03: %v\n%s", err, out)
	}
	b, err := os.ReadFile(report)
	if err != nil || !strings.Contains(string(b), `"status":"accepted","id":"rs-bank:OFD0P"`) || !strings.Contains(string(b), `"summary":{`) {
		t.Fatalf("report: %v\n%s", err, b)
	}
	if out, err := as("fund", "order", "rs-bank:OFD1P"); err != nil || !strings.Contains(out, `"status": "cancelled"`) {
		t.Fatalf("the cancelled order: %v\n%s", err, out)
	}

	// Again: every record is a duplicate, and nothing is sent.
	for _, f := range []string{acc, trd} {
		out, err := as("ofd", "import", f)
		if err != nil || !strings.Contains(out, "refused 0, duplicates") || !strings.Contains(out, "accepted 0,") || !strings.Contains(out, ", 0 transactions)") {
			t.Fatalf("import %s again: %v\n%s", f, err, out)
		}
	}

	// A broken file is refused whole with its line; nothing of it is sent.
	trades[0]["AppSheetSerialNo"], trades[1]["AppSheetSerialNo"] = "OFD5P", "OFD6P"
	bad := write("B_03.TXT", "03", tradeFields, trades[:2])
	raw, _ := os.ReadFile(bad)
	raw = bytes.Replace(raw, []byte("\r\n00000002\r\n"), []byte("\r\n00000003\r\n"), 1)
	_ = os.WriteFile(bad, raw, 0o644)
	out, err = as("ofd", "import", bad)
	if err == nil || !strings.Contains(err.Error(), "B_03.TXT refused, nothing submitted") || !strings.Contains(err.Error(), "record_count") {
		t.Fatalf("broken file: %v\n%s", err, out)
	}
	if out, err := as("fund", "orders", ids[0]); err != nil || strings.Contains(out, "OFD5P") || !strings.Contains(out, "OFD0P") {
		t.Fatalf("orders after the broken file: %v\n%s", err, out)
	}
	// A dry run maps without sending; a refused record fails the command.
	trades[1]["BusinessCode"] = "036"
	dry := write("D_03.TXT", "03", tradeFields, trades[:2])
	out, err = as("ofd", "import", dry, "--dry-run")
	if err == nil || !strings.Contains(out, "mapped 1 (dry run") || !strings.Contains(out, "business 036 (基金转换) is not supported") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
}
