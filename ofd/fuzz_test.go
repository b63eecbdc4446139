package ofd_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/ofd"
)

// FuzzReader: the reader never panics, and any input it accepts completely re-writes (Writer, same
// header) to a file that parses to the same header and the same record values.
func FuzzReader(f *testing.F) {
	f.Add([]byte(small03(f, nil)))
	f.Add([]byte(small03(f, put(f, "Specification", 59, 0, "\xb0\xa1"))))
	f.Add([]byte(small03(f, func(l []string) []string { l[86] = l[86][:600]; return l })))
	if b, err := os.ReadFile("testdata/OFD_H0_996_20240105_04.TXT"); err == nil {
		f.Add(b)
		f.Add(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")))
	}
	f.Add([]byte("OFDCFDAT\r\n22\r\nA\r\nB\r\n20240229\r\n1\r\n03\r\nA\r\nB\r\n2\r\nBusinessCode\r\nCharge\r\n1\r\n0220000000000000001\r\nOFDCFEND"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := ofd.NewReader(bytes.NewReader(data))
		h, err := r.Header()
		if err != nil {
			return
		}
		var rows [][]string
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var e *ofd.Error
				if !errors.As(err, &e) {
					t.Fatalf("not an *ofd.Error: %v", err)
				}
				return
			}
			rows = append(rows, rec.Values())
		}
		var buf bytes.Buffer
		w, err := ofd.NewWriter(&buf, *h)
		if err != nil {
			t.Fatalf("accepted header refused by the writer: %v", err)
		}
		for _, row := range rows {
			if err := w.Write(row); err != nil {
				t.Fatalf("accepted record refused by the writer: %v (%q)", err, row)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		h2, recs := readAll(t, buf.Bytes())
		if !reflect.DeepEqual(h, h2) {
			t.Fatalf("header %+v became %+v", h, h2)
		}
		if len(recs) != len(rows) {
			t.Fatalf("%d records became %d", len(rows), len(recs))
		}
		for i, rec := range recs {
			if got := rec.Values(); !reflect.DeepEqual(got, rows[i]) {
				t.Fatalf("record %d: %q became %q", i, rows[i], got)
			}
		}
	})
}

// bench100k writes a 100,000-record 03 file (the sample's 74 fields, its records cycled with fresh
// serial numbers) to dir and returns its path and the rows.
func bench100k(b *testing.B) (string, *ofd.Header, [][]string) {
	b.Helper()
	h, recs := readAll(b, readSample(b))
	rows := make([][]string, 0, 100000)
	for i := 0; i < 100000; i++ {
		row := recs[i%len(recs)].Values()
		s := strings.Repeat("0", 24) + itoa(i)
		row[0] = s[len(s)-24:]
		rows = append(rows, row)
	}
	hh := *h
	hh.Count = len(rows)
	path := b.TempDir() + "/" + ofd.FileName("996", "H0", "20170427", "03")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w, err := ofd.NewWriter(f, hh)
	if err != nil {
		b.Fatal(err)
	}
	for _, row := range rows {
		if err := w.Write(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path, &hh, rows
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

func BenchmarkRead100k(b *testing.B) {
	path, _, _ := bench100k(b)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r := ofd.NewReader(f)
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		f.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkWrite100k(b *testing.B) {
	_, h, rows := bench100k(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		w, err := ofd.NewWriter(io.Discard, *h)
		if err != nil {
			b.Fatal(err)
		}
		for _, row := range rows {
			if err := w.Write(row); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
