package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/ofd"
)

// BenchmarkOfdImportNode measures `otc ofd import` end to end against a real
// node (one validator in this process, CometBFT consensus, the HTTP API):
// an 03 file of OFD_BENCH_RECORDS purchases (default 20,000) by 1,000
// investors, whose 01 file is imported first (not timed). One iteration is
// one whole file: validation, mapping, the duplicate listing, signing,
// batches of 500 sent and committed, the report.
//
//	go test ./cmd/otc -run '^$' -bench OfdImportNode -benchtime 1x
func BenchmarkOfdImportNode(b *testing.B) {
	records := 20000
	if s := os.Getenv("OFD_BENCH_RECORDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("OFD_BENCH_RECORDS=%q", s)
		}
		records = n
	}
	tn := startTestNet(b, "otc-ofd-bench", "ofd-bench-pass", time.Now().Add(-30*24*time.Hour))
	dir, pass, ctx := tn.dir, tn.pass, context.Background()
	cli := func(env map[string]string, args ...string) (string, error) {
		m, out, _ := testMain(env)
		if err := m.ParseFlags(ctx, args); err != nil {
			return out.String(), err
		}
		err := m.Run(ctx)
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		return out.String(), err
	}
	api := tn.api
	var err error
	var calJSON string
	for deadline := time.Now().Add(time.Minute); ; {
		if calJSON, err = cli(nil, "fund", "calendar", "show", "--api", api); err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the node did not answer")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var cal fund.Calendar
	if err := json.Unmarshal([]byte(calJSON), &cal); err != nil {
		b.Fatal(err)
	}
	td, err := fund.TradeDate(time.Now(), cal)
	if err != nil {
		b.Fatal(err)
	}
	day := strings.ReplaceAll(td.String(), "-", "")
	write := func(name, ft string, fields []string, n int, rec func(i int) map[string]string) string {
		var buf bytes.Buffer
		w, err := ofd.NewWriter(&buf, ofd.Header{Version: "21", Creator: "rs-bank", Receiver: "fm-alpha", Date: day, FileType: ft, Fields: fields, Count: n})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if err := w.WriteMap(rec(i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		return p
	}
	const investors = 1000
	inv := func(i int) string { return fmt.Sprintf("3%016d", i%investors) }
	acc := write("A_01.TXT", "01", []string{"AppSheetSerialNo", "TransactionDate", "IndividualOrInstitution", "TransactionAccountID", "DistributorCode",
		"BusinessCode", "InvestorName", "CertificateType", "CertificateNo", "MobileTelNo", "ClientRiskRate"}, investors, func(i int) map[string]string {
		return map[string]string{"AppSheetSerialNo": fmt.Sprintf("BA%06d", i), "TransactionDate": day, "IndividualOrInstitution": "1",
			"TransactionAccountID": inv(i), "DistributorCode": "rs-bank", "BusinessCode": "001", "InvestorName": fmt.Sprintf("投资者%04d", i),
			"CertificateType": "0", "CertificateNo": fmt.Sprintf("1101051949123%05d", i), "MobileTelNo": "13900000000", "ClientRiskRate": "5"}
	})
	env := map[string]string{PassphraseEnv: pass}
	as := func(args ...string) (string, error) {
		return cli(env, append(args, "--home", dir, "--as", "rs-bank/operator")...)
	}
	if out, err := as("ofd", "import", acc); err != nil {
		b.Fatalf("01: %v\n%s", err, out)
	}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		trd := write(fmt.Sprintf("T%d_03.TXT", it), "03", []string{"AppSheetSerialNo", "FundCode", "TransactionDate", "TransactionAccountID",
			"DistributorCode", "ApplicationAmount", "BusinessCode"}, records, func(i int) map[string]string {
			return map[string]string{"AppSheetSerialNo": fmt.Sprintf("B%dP%07d", it, i), "FundCode": "000001", "TransactionDate": day,
				"TransactionAccountID": inv(i), "DistributorCode": "rs-bank", "ApplicationAmount": "2000.00", "BusinessCode": "022"}
		})
		b.StartTimer()
		out, err := as("ofd", "import", trd)
		if err != nil || !strings.Contains(out, fmt.Sprintf("records %d, accepted %d, refused 0", records, records)) {
			b.Fatalf("03: %v\n%s", err, tail(out, 400))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
