package ofd_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/ofd"
)

const samplePath = "testdata/OFD_996_H0_20170427_03.TXT"

func readSample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll reads a whole file, failing on the first error.
func readAll(t testing.TB, b []byte) (*ofd.Header, []*ofd.Record) {
	t.Helper()
	r := ofd.NewReader(bytes.NewReader(b))
	h, err := r.Header()
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	var recs []*ofd.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return h, recs
		}
		if err != nil {
			t.Fatalf("record %d: %v", len(recs)+1, err)
		}
		recs = append(recs, rec)
	}
}

func TestSampleParsesCompletely(t *testing.T) {
	b := readSample(t)
	h, recs := readAll(t, b)
	if h.Version != "20" || h.Creator != "996" || h.Receiver != "H0" || h.Date != "20170427" || h.FileType != "03" || h.SummaryNo != "001" || h.Sender != "996" || h.Recipient != "H0" {
		t.Fatalf("header %+v", h)
	}
	if len(h.Fields) != 74 || h.Count != 1006 || len(recs) != 1006 {
		t.Fatalf("fields %d count %d records %d", len(h.Fields), h.Count, len(recs))
	}
	// Every record accounted for: the records' bytes are exactly the file's record lines, in order.
	lines := bytes.Split(b, []byte("\r\n"))
	for i, rec := range recs {
		if rec.Line != 86+i || !bytes.Equal(rec.Bytes(), lines[85+i]) {
			t.Fatalf("record %d: line %d, bytes differ", i, rec.Line)
		}
	}
	byBiz := map[string]int{}
	var cents int64
	serials := map[string]bool{}
	specs := map[string]int{}
	for _, rec := range recs {
		if len(rec.Values()) != 74 {
			t.Fatal("values")
		}
		byBiz[rec.Value("BusinessCode")]++
		amt, err := rec.Decimal("ApplicationAmount")
		if err != nil {
			t.Fatal(err)
		}
		ip, fp, _ := strings.Cut(amt, ".")
		for _, c := range ip + fp {
			_ = c
		}
		cents += atoi(t, ip)*100 + atoi(t, fp)
		serials[rec.Value("AppSheetSerialNo")] = true
		specs[rec.Value("Specification")]++
		if d, err := rec.Date("TransactionDate"); err != nil || d.Format("20060102") != "20170427" {
			t.Fatalf("date %v %v", d, err)
		}
		if d, err := rec.Date("OriginalSubsDate"); err != nil || !d.IsZero() {
			t.Fatalf("blank date %v %v", d, err)
		}
	}
	if len(serials) != 1006 {
		t.Fatalf("%d distinct AppSheetSerialNo, want 1006", len(serials))
	}
	if byBiz["022"] != 1006 {
		t.Fatalf("by business code %v", byBiz)
	}
	var keys []string
	for k := range specs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("sample: %d records, by business code %v (%s), ApplicationAmount total %d.%02d, %d distinct Specification values, first %q",
		len(recs), byBiz, ofd.BusinessName("022"), cents/100, cents%100, len(specs), keys[0])
	r0 := recs[0]
	if got := r0.Value("ApplicationAmount"); got != "10.01" {
		t.Fatalf("ApplicationAmount %q", got)
	}
	if got := r0.Value("Specification"); got != "基金赎回|天弘沪深300|000961" {
		t.Fatalf("Specification %q", got)
	}
	if got := r0.Value("tasERIALno"); got != "" {
		t.Fatalf("TASerialNO %q", got)
	}
	if _, ok := r0.Lookup("TASerialNo"); !ok {
		t.Fatal("case-insensitive lookup")
	}
	if _, ok := r0.Lookup("NoSuchField"); ok {
		t.Fatal("unknown field found")
	}
	if got, _ := r0.Decimal("DiscountRateOfCommission"); got != "0.0000" {
		t.Fatalf("N5(4) %q", got)
	}
	if got, _ := r0.Decimal("ValidPeriod"); got != "0" {
		t.Fatalf("N2(0) %q", got)
	}
	if _, err := r0.Decimal("FundCode"); err == nil {
		t.Fatal("Decimal of a C field")
	}
}

func atoi(t testing.TB, s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not digits %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// TestSampleRoundTrip: parse → write (values in decimal notation) → byte-identical.
func TestSampleRoundTrip(t *testing.T) {
	b := readSample(t)
	h, recs := readAll(t, b)
	var out bytes.Buffer
	w, err := ofd.NewWriter(&out, *h)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if err := w.Write(rec.Values()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), b) {
		t.Fatalf("round trip differs: %d bytes vs %d (first difference at %d)", out.Len(), len(b), firstDiff(out.Bytes(), b))
	}
	// The spooled writer (count unknown up front) gives the same bytes.
	var sp bytes.Buffer
	h2 := *h
	h2.Count = 0
	sw, err := ofd.NewSpooledWriter(&sp, h2, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if err := sw.Write(rec.Values()); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sp.Bytes(), b) {
		t.Fatalf("spooled round trip differs at %d", firstDiff(sp.Bytes(), b))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestPaddedHeaderAndFieldOrder: padded header lines are trimmed; any order and subset of fields is a
// valid schema.
func TestPaddedHeaderAndFieldOrder(t *testing.T) {
	f := "OFDCFDAT  \r\n 21 \r\nH0\r\n996         \r\n20240229\r\n1\r\n04\r\nH0\r\n996\r\n3  \r\n" +
		"  ReturnCode\r\nConfirmedVol\r\nBusinessCode \r\n2\r\n" +
		"0000" + "0000000000012345" + "122" + "\r\n" +
		"0001" + "0000000000000000" + "124" + "\r\n" + "OFDCFEND"
	h, recs := readAll(t, []byte(f))
	if h.Version != "21" || h.Receiver != "996" || strings.Join(h.Fields, ",") != "ReturnCode,ConfirmedVol,BusinessCode" || len(recs) != 2 {
		t.Fatalf("%+v %d", h, len(recs))
	}
	if recs[0].Value("ConfirmedVol") != "123.45" || ofd.ReturnName(recs[1].Value("ReturnCode")) != "份数余额不足" || ofd.BusinessName(recs[1].Value("BusinessCode")) != "赎回" {
		t.Fatalf("%v %v", recs[0].Values(), recs[1].Values())
	}
}

type refusal struct {
	name  string
	file  string
	code  string
	line  int
	field string
	msg   string // substring of the message
}

// sampleHead returns the sample's header lines (through the record count) with n records, as text.
func small03(t testing.TB, mutate func(lines []string) []string) string {
	b := readSample(t)
	lines := strings.Split(string(b), "\r\n")
	lines = append(lines[:85+3:85+3], "OFDCFEND", "")
	lines[84] = "00000003"
	if mutate != nil {
		lines = mutate(lines)
	}
	return strings.Join(lines, "\r\n")
}

// pos returns the 0-based byte offset of a field in the sample's records.
func pos(t testing.TB, name string) int {
	h, _ := readAll(t, []byte(small03(t, nil)))
	d, err := ofd.Lookup(h.Version, h.FileType)
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for _, n := range h.Fields {
		if n == name {
			return off
		}
		f, _ := d.Field(n)
		off += f.Length
	}
	t.Fatalf("no field %s", name)
	return 0
}

// put overwrites bytes of record i (0-based) at the start of a field plus delta.
func put(t testing.TB, field string, delta, i int, v string) func([]string) []string {
	at := pos(t, field) + delta
	return func(l []string) []string {
		b := []byte(l[85+i])
		copy(b[at:], v)
		l[85+i] = string(b)
		return l
	}
}

func TestRefusals(t *testing.T) {
	set := func(i int, s string) func([]string) []string {
		return func(l []string) []string { l[i] = s; return l }
	}
	cases := []refusal{
		{"wrong record count", small03(t, set(84, "00000004")), ofd.CodeRecordCount, 89, "", "declares 4 records, found 3 before OFDCFEND"},
		{"more records than declared", small03(t, set(84, "00000002")), ofd.CodeRecordCount, 88, "", "found more"},
		{"record count not digits", small03(t, set(84, "0000000x")), ofd.CodeRecordCount, 85, "", "not digits"},
		{"short record", small03(t, func(l []string) []string { l[86] = l[86][:600]; return l }), ofd.CodeRecordLength, 87, "", "record is 600 bytes, the 74 listed fields need 665 (it ends inside field BatchNumOfPeSubs at bytes 592-607)"},
		{"long record", small03(t, func(l []string) []string { l[86] += " "; return l }), ofd.CodeRecordLength, 87, "", "666 bytes"},
		{"bad date", small03(t, put(t, "OriginalSubsDate", 0, 0, "20170230")), ofd.CodeDate, 86, "OriginalSubsDate", "\"20170230\""},
		{"bad header date", small03(t, set(4, "20171301")), ofd.CodeDate, 5, "", "file date"},
		{"non-GBK byte", small03(t, put(t, "Specification", 2, 1, "\xff")), ofd.CodeEncoding, 87, "Specification", "byte 0xFF"},
		{"unknown business code", small03(t, put(t, "BusinessCode", 0, 2, "999")), ofd.CodeBusinessCode, 88, "BusinessCode", "\"999\" is not a known application code"},
		{"confirmation code in an application file", small03(t, put(t, "BusinessCode", 0, 2, "122")), ofd.CodeBusinessCode, 88, "BusinessCode", "application"},
		{"unknown field name", small03(t, set(20, "NoSuchField")), ofd.CodeFieldList, 21, "NoSuchField", "unknown field name"},
		{"field from another file type", small03(t, set(20, "ConfirmedVol")), ofd.CodeFieldList, 21, "ConfirmedVol", "file type 03 version 20"},
		{"duplicate field", small03(t, set(20, "FundCode")), ofd.CodeFieldList, 21, "FundCode", "listed twice"},
		{"field count too high", small03(t, set(9, "075")), ofd.CodeFieldList, 85, "", "field count is 75 but only 74 names"},
		{"field count too low", small03(t, set(9, "073")), ofd.CodeFieldList, 84, "", "field count is 73 but more names"},
		{"missing trailer", strings.TrimSuffix(small03(t, nil), "OFDCFEND\r\n"), ofd.CodeTrailer, 88, "", "without OFDCFEND"},
		{"truncated", strings.Join(strings.Split(small03(t, nil), "\r\n")[:87], "\r\n") + "\r\n", ofd.CodeRecordCount, 87, "", "ends after 2 records"},
		{"data after trailer", small03(t, nil) + "X\r\n", ofd.CodeTrailer, 90, "", "data after OFDCFEND"},
		{"bad header marker", small03(t, set(0, "OFDCFDAX")), ofd.CodeHeader, 1, "", "want OFDCFDAT"},
		{"bad version", small03(t, set(1, "19  ")), ofd.CodeHeader, 2, "", "unsupported protocol version"},
		{"creator too long", small03(t, set(2, "1234567890")), ofd.CodeHeader, 3, "", "longer than 9"},
		{"unknown file type", small03(t, set(6, "99")), ofd.CodeHeader, 7, "", "no field layout"},
		{"empty header", "", ofd.CodeHeader, 1, "", "file ends before the OFDCFDAT line"},
		{"bare LF", strings.Replace(small03(t, nil), "H0       \r\n", "H0       \n", 1), ofd.CodeLineEnding, 4, "", "bare LF"},
		{"bare LF in a record", small03(t, func(l []string) []string { l[85] += "\n" + l[86]; return append(l[:86], l[87:]...) }), ofd.CodeLineEnding, 86, "", "bare LF"},
		{"letter in number", small03(t, put(t, "ApplicationAmount", 3, 0, "x")), ofd.CodeNumber, 86, "ApplicationAmount", "digits only"},
		{"blank number", small03(t, put(t, "ApplicationAmount", 3, 0, " ")), ofd.CodeNumber, 86, "ApplicationAmount", "digits only"},
		{"GBK in an A field", small03(t, put(t, "TransactionTime", 0, 0, "\xd6\xd0")), ofd.CodeText, 86, "TransactionTime", "printable ASCII"},
		{"split GBK character", small03(t, put(t, "Specification", 59, 0, "\xb0\xa1")), ofd.CodeEncoding, 86, "Specification", "cut by the field boundary"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := firstError([]byte(c.file))
			var e *ofd.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *ofd.Error %s", err, c.code)
			}
			if e.Code != c.code || e.Line != c.line || e.Field != c.field || !strings.Contains(e.Msg, c.msg) {
				t.Fatalf("got %v (code %s line %d field %q), want code %s line %d field %q msg ~ %q", e, e.Code, e.Line, e.Field, c.code, c.line, c.field, c.msg)
			}
			t.Log(e)
		})
	}
}

// firstError reads a file and returns its first error (nil if the file is accepted).
func firstError(b []byte) error {
	r := ofd.NewReader(bytes.NewReader(b))
	for {
		_, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// TestRecordErrorsAreNotFatal: a bad record is reported and reading goes on; the count still holds.
func TestRecordErrorsAreNotFatal(t *testing.T) {
	f := small03(t, func(l []string) []string { l[86] = l[86][:600]; return l })
	r := ofd.NewReader(strings.NewReader(f))
	var good, bad int
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		var e *ofd.Error
		if !errors.As(err, &e) {
			if err != nil {
				t.Fatal(err)
			}
			good++
			continue
		}
		if e.Fatal() {
			t.Fatalf("fatal: %v", e)
		}
		bad++
	}
	if good != 2 || bad != 1 {
		t.Fatalf("good %d bad %d", good, bad)
	}
}

func TestBusinessCodeCheckOptional(t *testing.T) {
	f := small03(t, put(t, "BusinessCode", 0, 2, "999"))
	r := ofd.NewReader(strings.NewReader(f))
	r.CheckBusinessCodes(false)
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 3 {
		t.Fatal(n)
	}
}

func TestCodes(t *testing.T) {
	for code, want := range map[string]string{"022": "申购", "122": "申购", "191": "ETF基金申购", "192": "ETF基金申购", "070": "地区编号变更通知", "130": "认购结果", "999": ""} {
		if got := ofd.BusinessName(code); got != want {
			t.Errorf("BusinessName(%s) = %q, want %q", code, got, want)
		}
	}
	if !ofd.IsApplicationCode("052") || ofd.IsApplicationCode("152") || !ofd.IsConfirmationCode("152") || ofd.IsConfirmationCode("052") || ofd.IsApplicationCode("") {
		t.Error("application/confirmation split")
	}
	if ofd.ReturnName("0000") != "成功" || ofd.ReturnName("0002") != "账户已冻结" || ofd.ReturnName("zzzz") != "" {
		t.Error("return codes")
	}
}

func TestFileNames(t *testing.T) {
	if got := ofd.FileName("996", "H0", "20170427", "03"); got != "OFD_996_H0_20170427_03.TXT" {
		t.Fatal(got)
	}
	if got := ofd.IndexFileName("H0", "996", "20170427"); got != "OFI_H0_996_20170427.TXT" {
		t.Fatal(got)
	}
	c, r, d, ft, err := ofd.ParseFileName("/x/OFD_996_H0_20170427_03.TXT")
	if err != nil || c != "996" || r != "H0" || d != "20170427" || ft != "03" {
		t.Fatal(c, r, d, ft, err)
	}
	if _, _, _, _, err := ofd.ParseFileName("OFD_996_H0_20170432_03.TXT"); err == nil {
		t.Fatal("bad date accepted")
	}
}
