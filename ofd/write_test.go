package ofd_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/ofd"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files")

func header04() ofd.Header {
	return ofd.Header{Version: "21", Creator: "H0", Receiver: "996", Date: "20240105", FileType: "04",
		Fields: []string{"AppSheetSerialNo", "TransactionCfmDate", "ConfirmedVol", "ConfirmedAmount", "FundCode", "ReturnCode",
			"TransactionAccountID", "BusinessCode", "TASerialNO", "Charge", "NAV", "Specification", "ErrorDetail"},
		Count: 2}
}

// TestGolden04 writes a small 04 trade confirmation file and compares it with testdata/golden_04.TXT
// (run with -rewrite to regenerate, then inspect it: GBK, CRLF).
func TestGolden04(t *testing.T) {
	var buf bytes.Buffer
	w, err := ofd.NewWriter(&buf, header04())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"20240104000001", "20240105", "1000.5", "1000.50", "000198", "0000", "91704220067000002", "122", "T20240105000001", "1.5", "1.0005", "天弘余额宝|申购", ""}); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteMap(map[string]string{"AppSheetSerialNo": "20240104000002", "TransactionCfmDate": "20240105", "FundCode": "000198", "ReturnCode": "0001",
		"BusinessCode": "124", "TASerialNO": "T20240105000002", "ErrorDetail": "份数余额不足"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	name := "testdata/" + ofd.FileName("H0", "996", "20240105", "04")
	if *rewrite {
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("golden differs:\n%q\nwant\n%q", buf.String(), want)
	}
	h, recs := readAll(t, buf.Bytes())
	if h.Count != 2 || recs[0].Value("ConfirmedVol") != "1000.50" || recs[0].Value("NAV") != "1.0005" || recs[0].Value("Specification") != "天弘余额宝|申购" ||
		recs[1].Value("ConfirmedAmount") != "0.00" || recs[1].Value("ErrorDetail") != "份数余额不足" || ofd.ReturnName(recs[1].Value("ReturnCode")) != "份数余额不足" {
		t.Fatalf("%v / %v", recs[0].Values(), recs[1].Values())
	}
}

// TestConfirmationCodes: on request the reader checks 04 business codes against the confirmation codes.
func TestConfirmationCodes(t *testing.T) {
	b, err := os.ReadFile("testdata/OFD_H0_996_20240105_04.TXT")
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(b, []byte("124T2024"), []byte("024T2024"), 1)
	if err := firstError(bad); err != nil {
		t.Fatalf("04 codes are not checked by default: %v", err)
	}
	r := ofd.NewReader(bytes.NewReader(bad))
	r.CheckBusinessCodes(true)
	var e *ofd.Error
	for {
		_, err := r.Next()
		if errors.As(err, &e) || err != nil {
			break
		}
	}
	if e == nil || e.Code != ofd.CodeBusinessCode || e.Line != 26 || !strings.Contains(e.Msg, "confirmation") {
		t.Fatalf("got %v", e)
	}
}

func TestWriterRefusals(t *testing.T) {
	base := []string{"20240104000001", "20240105", "1000.5", "1000.50", "000198", "0000", "91704220067000002", "122", "T1", "1.5", "1.0005", "", ""}
	with := func(i int, v string) []string {
		r := append([]string(nil), base...)
		r[i] = v
		return r
	}
	cases := []struct {
		name  string
		row   []string
		code  string
		field string
	}{
		{"negative", with(2, "-1"), ofd.CodeNumber, "ConfirmedVol"},
		{"too many decimals", with(3, "1.005"), ofd.CodeNumber, "ConfirmedAmount"},
		{"does not fit", with(10, "1000"), ofd.CodeNumber, "NAV"},
		{"not a number", with(9, "1,5"), ofd.CodeNumber, "Charge"},
		{"text too long", with(4, "0001981"), ofd.CodeTooLong, "FundCode"},
		{"GBK too long", with(11, strings.Repeat("中", 31)), ofd.CodeTooLong, "Specification"},
		{"not GBK", with(11, "😀"), ofd.CodeEncoding, "Specification"},
		{"euro sign", with(11, "€"), ofd.CodeEncoding, "Specification"},
		{"non-ASCII in A", with(8, "流水"), ofd.CodeText, "TASerialNO"},
		{"bad date", with(1, "20240231"), ofd.CodeDate, "TransactionCfmDate"},
		{"wrong value count", base[:3], ofd.CodeUsage, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := ofd.NewWriter(&bytes.Buffer{}, header04())
			if err != nil {
				t.Fatal(err)
			}
			err = w.Write(c.row)
			var e *ofd.Error
			if !errors.As(err, &e) || e.Code != c.code || e.Field != c.field {
				t.Fatalf("got %v, want %s on %s", err, c.code, c.field)
			}
			t.Log(e)
		})
	}
	// Business codes are checked when writing 01/03 files.
	h := ofd.Header{Version: "20", Creator: "996", Receiver: "H0", Date: "20240105", FileType: "03", Fields: []string{"AppSheetSerialNo", "BusinessCode"}, Count: 1}
	w, err := ofd.NewWriter(&bytes.Buffer{}, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"1", "999"}); !isCode(err, ofd.CodeBusinessCode) {
		t.Fatalf("got %v", err)
	}
	// Close refuses a record count different from the header's.
	if err := w.Close(); !isCode(err, ofd.CodeRecordCount) {
		t.Fatalf("got %v", err)
	}
	// Header refusals.
	for _, h := range []ofd.Header{
		{Version: "23", Creator: "996", Receiver: "H0", Date: "20240105", FileType: "03", Fields: []string{"FundCode"}},
		{Version: "20", Creator: "996", Receiver: "H0", Date: "2024010", FileType: "03", Fields: []string{"FundCode"}},
		{Version: "20", Creator: "996", Receiver: "H0", Date: "20240105", FileType: "03", Fields: []string{"NAV"}},
		{Version: "20", Creator: "996", Receiver: "H0", Date: "20240105", FileType: "03"},
		{Version: "20", Creator: "", Receiver: "H0", Date: "20240105", FileType: "03", Fields: []string{"FundCode"}},
	} {
		if _, err := ofd.NewWriter(&bytes.Buffer{}, h); err == nil {
			t.Errorf("header %+v accepted", h)
		} else {
			t.Log(err)
		}
	}
}

func isCode(err error, code string) bool {
	var e *ofd.Error
	return errors.As(err, &e) && e.Code == code
}

func TestIndexRoundTrip(t *testing.T) {
	idx := ofd.Index{Version: "21", Creator: "H0", Receiver: "996", Date: "20240105",
		Files: []string{ofd.FileName("H0", "996", "20240105", "02"), ofd.FileName("H0", "996", "20240105", "04")}}
	var buf bytes.Buffer
	if err := ofd.WriteIndex(&buf, idx); err != nil {
		t.Fatal(err)
	}
	want := "OFDCFIDX\r\n21  \r\nH0       \r\n996      \r\n20240105\r\n002\r\nOFD_H0_996_20240105_02.TXT\r\nOFD_H0_996_20240105_04.TXT\r\nOFDCFEND\r\n"
	if buf.String() != want {
		t.Fatalf("%q", buf.String())
	}
	got, err := ofd.ReadIndex(&buf)
	if err != nil || got.String() != idx.String() {
		t.Fatal(got, err)
	}
	if _, err := ofd.ReadIndex(strings.NewReader(strings.Replace(want, "002", "003", 1))); !isCode(err, ofd.CodeRecordCount) {
		t.Fatal(err)
	}
	if _, err := ofd.ReadIndex(strings.NewReader(strings.TrimSuffix(want, "OFDCFEND\r\n"))); !isCode(err, ofd.CodeTrailer) {
		t.Fatal(err)
	}
	if _, err := ofd.ReadIndex(strings.NewReader(strings.ReplaceAll(want, "\r\n", "\n"))); !isCode(err, ofd.CodeLineEnding) {
		t.Fatal(err)
	}
}
