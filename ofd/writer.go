package ofd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Writer writes a data file: the header with its field list and record count, fixed-width GBK records
// and OFDCFEND, every line ending in CRLF. Values are validated as the Reader validates them, so a file
// the Writer accepts is a file the Reader accepts; nothing is ever truncated or rounded.
//
// The record count precedes the records. NewWriter takes it from Header.Count and writes as it goes
// (memory: one record); Close refuses a different number of records written. NewSpooledWriter does not
// need it: it spools the records to a temporary file and writes everything at Close (memory: one
// record; disk: the records).
type Writer struct {
	dst     io.Writer
	out     *bufio.Writer
	h       Header
	s       *schema
	biz     bool
	n       int
	spool   *os.File
	closed  bool
	err     error
	line    []byte
	lineOff int // line number of the first record
}

// NewWriter validates the header and writes it; h.Count records must follow.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	wr, err := newWriter(w, h)
	if err != nil {
		return nil, err
	}
	wr.out = bufio.NewWriterSize(w, 64<<10)
	if err := wr.writeHeader(wr.out, h.Count); err != nil {
		return nil, err
	}
	return wr, nil
}

// NewSpooledWriter validates the header; records go to a temporary file in dir ("" = os.TempDir) and
// the whole file is written to w at Close with the count of records written (h.Count is ignored).
func NewSpooledWriter(w io.Writer, h Header, dir string) (*Writer, error) {
	wr, err := newWriter(w, h)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "ofd-spool-*")
	if err != nil {
		return nil, &Error{Code: CodeIO, Msg: err.Error()}
	}
	wr.spool = f
	wr.out = bufio.NewWriterSize(f, 64<<10)
	return wr, nil
}

func newWriter(w io.Writer, h Header) (*Writer, error) {
	h.Fields = append([]string(nil), h.Fields...)
	if h.SummaryNo == "" {
		h.SummaryNo = "001"
	}
	if h.Sender == "" {
		h.Sender = h.Creator
	}
	if h.Recipient == "" {
		h.Recipient = h.Receiver
	}
	if err := checkHeaderValues(&h); err != nil {
		return nil, err
	}
	d, err := Lookup(h.Version, h.FileType)
	if err != nil {
		return nil, err
	}
	s, err := newSchema(d, h.Fields, 0)
	if err != nil {
		return nil, err
	}
	if h.Count < 0 {
		return nil, errf(0, "", CodeRecordCount, "negative record count %d", h.Count)
	}
	ws := headerWidths(h.Version)
	if len(strconv.Itoa(len(h.Fields))) > ws.nfields {
		return nil, errf(0, "", CodeFieldList, "%d fields do not fit the %d-digit field count", len(h.Fields), ws.nfields)
	}
	return &Writer{dst: w, h: h, s: s, biz: h.FileType == "01" || h.FileType == "03", lineOff: 12 + len(h.Fields)}, nil
}

// Header returns the header as written (defaults filled in).
func (w *Writer) Header() Header {
	h := w.h
	h.Fields = append([]string(nil), w.h.Fields...)
	return h
}

func (w *Writer) writeHeader(out *bufio.Writer, count int) error {
	ws := headerWidths(w.h.Version)
	cs := strconv.Itoa(count)
	if len(cs) > ws.count {
		return errf(11+len(w.h.Fields), "", CodeRecordCount, "%d records do not fit the %d-digit record count", count, ws.count)
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }
	zero := func(s string, n int) string { return strings.Repeat("0", n-len(s)) + s }
	lines := []string{markerData, pad(w.h.Version, ws.version), pad(w.h.Creator, ws.code), pad(w.h.Receiver, ws.code), w.h.Date,
		zero(w.h.SummaryNo, ws.summary), pad(w.h.FileType, ws.ftype), pad(w.h.Sender, ws.party), pad(w.h.Recipient, ws.party),
		zero(strconv.Itoa(len(w.h.Fields)), ws.nfields)}
	lines = append(lines, w.h.Fields...)
	lines = append(lines, zero(cs, ws.count))
	for _, l := range lines {
		out.WriteString(l)
		out.WriteString("\r\n")
	}
	return nil
}

// Write writes one record; values are in the header's field order. Text values are UTF-8 (encoded to
// GBK, padded right with spaces); N values are decimal notation ("10.01", "1001", "" for zero; at most
// the field's decimals after the point unless the extra digits are zeros; no sign: N fields are
// unsigned, signs travel in separate flag fields such as v22 NewIncomeFlag).
func (w *Writer) Write(values []string) error {
	if w.closed {
		return errf(0, "", CodeUsage, "write after Close")
	}
	if w.err != nil {
		return w.err
	}
	line := w.lineOff + w.n
	if len(values) != len(w.s.fields) {
		return errf(line, "", CodeUsage, "%d values for %d fields", len(values), len(w.s.fields))
	}
	b := w.line[:0]
	for i, f := range w.s.fields {
		var err *Error
		b, err = appendValue(b, f, values[i])
		if err == nil {
			err = checkValue(f, b[len(b)-f.Length:], w.s.isDate[i])
		}
		if err == nil && i == w.s.biz && w.biz && !IsApplicationCode(strings.TrimRight(values[i], " ")) {
			err = &Error{Field: f.Name, Code: CodeBusinessCode, Msg: fmt.Sprintf("business code %q is not a known application code", values[i])}
		}
		if err != nil {
			err.Line, err.Field = line, f.Name
			if err.Offset > 0 {
				err.Offset += w.s.offs[i]
			}
			return err
		}
	}
	w.line = b
	w.out.Write(b)
	if _, err := w.out.WriteString("\r\n"); err != nil {
		w.err = &Error{Line: line, Code: CodeIO, Msg: err.Error()}
		return w.err
	}
	w.n++
	return nil
}

// WriteMap writes one record from values by field name; fields not in the map are blank (text) or
// zero (N); a name not in the header is refused.
func (w *Writer) WriteMap(values map[string]string) error {
	row := make([]string, len(w.s.fields))
	for k, v := range values {
		i, ok := w.s.find(k)
		if !ok {
			return errf(w.lineOff+w.n, k, CodeUsage, "field is not in the header's field list")
		}
		row[i] = v
	}
	return w.Write(row)
}

// Close writes the trailer (and, for a spooled writer, the whole file) and flushes. It does not close
// the underlying writer. For NewWriter it refuses a record count different from Header.Count (the
// output is then incomplete and must be discarded).
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.spool != nil {
		defer func() { w.spool.Close(); os.Remove(w.spool.Name()) }()
	}
	if w.err != nil {
		return w.err
	}
	if w.spool == nil && w.n != w.h.Count {
		w.err = errf(w.lineOff+w.n, "", CodeRecordCount, "header declares %d records, %d were written", w.h.Count, w.n)
		return w.err
	}
	if w.spool != nil {
		if err := w.out.Flush(); err != nil {
			w.err = &Error{Code: CodeIO, Msg: err.Error()}
			return w.err
		}
		out := bufio.NewWriterSize(w.dst, 64<<10)
		if err := w.writeHeader(out, w.n); err != nil {
			w.err = err
			return err
		}
		if _, err := w.spool.Seek(0, io.SeekStart); err != nil {
			w.err = &Error{Code: CodeIO, Msg: err.Error()}
			return w.err
		}
		if _, err := io.Copy(out, w.spool); err != nil {
			w.err = &Error{Code: CodeIO, Msg: err.Error()}
			return w.err
		}
		w.out = out
	}
	w.out.WriteString(markerEnd + "\r\n")
	if err := w.out.Flush(); err != nil {
		w.err = &Error{Code: CodeIO, Msg: err.Error()}
	}
	return w.err
}

// appendValue appends a field's fixed-width bytes.
func appendValue(b []byte, f Field, v string) ([]byte, *Error) {
	if f.Type == TypeN {
		digits, err := numberDigits(f, v)
		if err != nil {
			return b, err
		}
		for i := len(digits); i < f.Length; i++ {
			b = append(b, '0')
		}
		return append(b, digits...), nil
	}
	if isASCIIString(v) {
		if len(v) > f.Length {
			return b, &Error{Code: CodeTooLong, Msg: fmt.Sprintf("%q is %d bytes, the field holds %d", clip(v), len(v), f.Length)}
		}
		b = append(b, v...)
		for i := len(v); i < f.Length; i++ {
			b = append(b, ' ')
		}
		return b, nil
	}
	enc, ok := gbkEncode(v)
	if !ok {
		return b, &Error{Code: CodeEncoding, Msg: fmt.Sprintf("%q has a character GBK cannot encode", clip(v))}
	}
	if len(enc) > f.Length {
		return b, &Error{Code: CodeTooLong, Msg: fmt.Sprintf("%q is %d GBK bytes, the field holds %d", clip(v), len(enc), f.Length)}
	}
	b = append(b, enc...)
	for i := len(enc); i < f.Length; i++ {
		b = append(b, ' ')
	}
	return b, nil
}

// numberDigits turns decimal notation into the implied-decimal digits (without left padding).
func numberDigits(f Field, v string) (string, *Error) {
	s := strings.TrimSpace(v)
	if s == "" {
		return "", nil
	}
	if s[0] == '-' || s[0] == '+' {
		return "", &Error{Code: CodeNumber, Msg: fmt.Sprintf("%q: N fields are unsigned (signs travel in separate flag fields)", clip(v))}
	}
	ip, fp, dot := strings.Cut(s, ".")
	if ip == "" || !allDigits(ip) || (dot && fp != "" && !allDigits(fp)) {
		return "", &Error{Code: CodeNumber, Msg: fmt.Sprintf("%q is not a decimal number", clip(v))}
	}
	if len(fp) > f.Decimals {
		if strings.Trim(fp[f.Decimals:], "0") != "" {
			return "", &Error{Code: CodeNumber, Msg: fmt.Sprintf("%q has more than %d decimals (never rounded)", clip(v), f.Decimals)}
		}
		fp = fp[:f.Decimals]
	}
	fp += strings.Repeat("0", f.Decimals-len(fp))
	ip = strings.TrimLeft(ip, "0")
	d := ip + fp
	if len(d) > f.Length {
		return "", &Error{Code: CodeNumber, Msg: fmt.Sprintf("%q does not fit N%d(%d)", clip(v), f.Length, f.Decimals)}
	}
	return d, nil
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
