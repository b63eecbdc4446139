package ofd_test

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/ofd"
)

// TestLayoutsSelfConsistent: in the embedded v20/21 layouts each field starts where the previous one
// ends, so the standard field order gives the published positions.
func TestLayoutsSelfConsistent(t *testing.T) {
	f, err := os.Open("dict/layouts-v21.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	end := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		length, _ := strconv.Atoi(c[4])
		start, _ := strconv.Atoi(c[6])
		stop, _ := strconv.Atoi(c[7])
		if start != end[c[0]]+1 || stop-start+1 != length {
			t.Errorf("%s %s: start %d end %d length %d after %d", c[0], c[2], start, stop, length, end[c[0]])
		}
		end[c[0]] = stop
	}
	for _, ft := range ofd.FileTypes() {
		for _, v := range []string{"20", "21"} {
			d, err := ofd.Lookup(v, ft)
			if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, f := range d.Fields() {
				sum += f.Length
			}
			if sum != end[ft] {
				t.Errorf("%s/%s: %d bytes, layout ends at %d", v, ft, sum, end[ft])
			}
		}
	}
}

func TestDictionaryFacts(t *testing.T) {
	d03, _ := ofd.Lookup("20", "03")
	if f, _ := d03.Field("ApplicationAmount"); f.Type != ofd.TypeN || f.Length != 16 || f.Decimals != 2 || f.Unverified != "" {
		t.Fatalf("%+v", f)
	}
	// Sources disagree on A versus C: both accepted, reported unverified.
	d07, _ := ofd.Lookup("21", "07")
	if f, _ := d07.Field("CustodianCode"); !f.AcceptC || f.Unverified == "" {
		t.Fatalf("%+v", f)
	}
	d04, _ := ofd.Lookup("21", "04")
	if f, _ := d04.Field("TAAccountID"); !f.AcceptC {
		t.Fatalf("%+v", f)
	}
	if f, _ := d04.Field("TotalFrozenVol"); f.Unverified != "single source (ofbdep) only" {
		t.Fatalf("%+v", f)
	}
	for _, v := range []string{"21", "22"} {
		for _, ft := range []string{"01", "03", "04", "07"} {
			d, _ := ofd.Lookup(v, ft)
			t.Logf("v%s/%s: %d fields, %d unverified", v, ft, len(d.Fields()), len(d.Unverified()))
		}
	}
	for _, f := range d04.Unverified() {
		t.Logf("v21/04 unverified: %s: %s", f.Name, f.Unverified)
	}
	// Version 22: widened lengths, all unverified; self-contradicting entries excluded.
	d22, err := ofd.Lookup("22", "03")
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := d22.Field("Charge"); f.Length != 16 || f.Decimals != 2 || f.Unverified == "" {
		t.Fatalf("%+v", f)
	}
	if f, _ := d22.Field("BusinessCode"); f.Type != ofd.TypeC || !f.AcceptC {
		t.Fatalf("%+v", f)
	}
	if len(d22.Unverified()) != len(d22.Fields()) {
		t.Fatal("v22 fields must all be unverified")
	}
	ex := d22.Excluded()
	for _, name := range []string{"AnnContent", "InvestorProCode"} {
		if ex[name] == "" {
			t.Errorf("%s not excluded", name)
		}
	}
	for name, why := range ex {
		t.Logf("v22 excluded: %s: %s", name, why)
	}
	if _, err := ofd.Lookup("19", "03"); err == nil {
		t.Fatal("version 19")
	}
}

// TestVersion22 writes and reads a v22 file with widened header fields and v22 lengths.
func TestVersion22(t *testing.T) {
	h := ofd.Header{Version: "22", Creator: "DIST00000000000001", Receiver: "TA01", Date: "20240105", FileType: "03",
		Fields: []string{"AppSheetSerialNo", "BusinessCode", "ApplicationAmount", "Charge", "Specification", "IPAddress"}}
	var buf bytes.Buffer
	w, err := ofd.NewSpooledWriter(&buf, h, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"A1", "022", "100", "12345678901234.56", "张三", "10.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\r\n")
	if lines[1] != "22      " || len(lines[2]) != 20 || lines[9] != "00000006" || lines[16] != "0000000000000001" {
		t.Fatalf("%q", lines[:17])
	}
	_, recs := readAll(t, buf.Bytes())
	if len(recs) != 1 || recs[0].Value("Charge") != "12345678901234.56" || recs[0].Value("Specification") != "张三" {
		t.Fatal(recs[0].Values())
	}
	if err := firstError([]byte(strings.Replace(buf.String(), "Specification", "AnnContent", 1))); !isCode(err, ofd.CodeFieldList) || !strings.Contains(err.Error(), "not supported in version 22") {
		t.Fatal(err)
	}
}
