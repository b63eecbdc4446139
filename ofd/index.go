package ofd

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Index is an OFI_ index file: the list of data files sent together. Layout (as implemented; only the
// OFDCFIDX marker and the OFI_ name are in the shared README, the rest follows the data file header and
// is UNVERIFIED): OFDCFIDX, version (4), creator code (9), receiver code (9), date YYYYMMDD, file count
// (3 digits), one data file name per line, OFDCFEND; CRLF line endings. v22 uses the v22 header widths
// (file count 8, unverified).
type Index struct {
	Version  string
	Creator  string
	Receiver string
	Date     string
	Files    []string
}

// WriteIndex writes an index file.
func WriteIndex(w io.Writer, idx Index) error {
	if err := checkIndex(&idx); err != nil {
		return err
	}
	ws := headerWidths(idx.Version)
	n := strconv.Itoa(len(idx.Files))
	pad := func(s string, k int) string { return s + strings.Repeat(" ", k-len(s)) }
	bw := bufio.NewWriter(w)
	for _, l := range append([]string{markerIndex, pad(idx.Version, ws.version), pad(idx.Creator, ws.code), pad(idx.Receiver, ws.code), idx.Date,
		strings.Repeat("0", ws.nfields-len(n)) + n}, append(idx.Files, markerEnd)...) {
		bw.WriteString(l)
		bw.WriteString("\r\n")
	}
	if err := bw.Flush(); err != nil {
		return &Error{Code: CodeIO, Msg: err.Error()}
	}
	return nil
}

func checkIndex(idx *Index) error {
	h := Header{Version: idx.Version, Creator: idx.Creator, Receiver: idx.Receiver, Date: idx.Date, SummaryNo: "0", FileType: "00", Sender: "x", Recipient: "x"}
	if err := checkHeaderValues(&h); err != nil {
		e := err.(*Error)
		if e.Line >= 5 {
			e.Line = 5
		}
		return e
	}
	ws := headerWidths(idx.Version)
	if len(strconv.Itoa(len(idx.Files))) > ws.nfields {
		return errf(6, "", CodeRecordCount, "%d files do not fit the %d-digit count", len(idx.Files), ws.nfields)
	}
	for i, f := range idx.Files {
		if err := checkCode(7+i, "file name", f, 255); err != nil {
			return err
		}
		if f == markerEnd {
			return errf(7+i, "", CodeHeader, "file name %q", f)
		}
	}
	return nil
}

// ReadIndex reads and validates an index file (same CRLF and padding rules as data files).
func ReadIndex(r io.Reader) (*Index, error) {
	rd := NewReader(r)
	first, err := rd.headerLine("OFDCFIDX")
	if err != nil {
		return nil, err
	}
	if first != markerIndex {
		return nil, errf(1, "", CodeHeader, "first line is %q, want OFDCFIDX", clip(first))
	}
	vals := make([]string, 5)
	for i, what := range []string{"version", "creator code", "receiver code", "date", "file count"} {
		if vals[i], err = rd.headerLine(what); err != nil {
			return nil, err
		}
	}
	idx := &Index{Version: vals[0], Creator: vals[1], Receiver: vals[2], Date: vals[3]}
	ws := headerWidths(idx.Version)
	if !allDigits(vals[4]) || len(vals[4]) > ws.nfields {
		return nil, errf(6, "", CodeRecordCount, "file count %q is not 1 to %d digits", clip(vals[4]), ws.nfields)
	}
	n, _ := strconv.Atoi(vals[4])
	for i := 0; i < n; i++ {
		name, err := rd.headerLine("file name")
		if err != nil {
			return nil, err
		}
		if name == markerEnd {
			return nil, errf(rd.line, "", CodeRecordCount, "file count is %d, found %d names before OFDCFEND", n, i)
		}
		idx.Files = append(idx.Files, name)
	}
	if err := checkIndex(idx); err != nil {
		return nil, err
	}
	l, err := rd.next()
	if err != nil {
		return nil, err
	}
	if l.eof || strings.TrimRight(string(l.b), " ") != markerEnd {
		return nil, errf(rd.line, "", CodeTrailer, "expected OFDCFEND after %d file names", n)
	}
	if l.eol == "lf" {
		return nil, l.endingErr()
	}
	if more, err := rd.next(); err != nil || !more.eof {
		return nil, errf(rd.line, "", CodeTrailer, "data after OFDCFEND")
	}
	return idx, nil
}

// String renders the index for logs.
func (idx Index) String() string {
	return fmt.Sprintf("OFI v%s %s->%s %s: %s", idx.Version, idx.Creator, idx.Receiver, idx.Date, strings.Join(idx.Files, ", "))
}
