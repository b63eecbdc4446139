package ofd

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Reader reads a data file record by record. Memory stays bounded by one record whatever the file size.
//
// Line endings: every line must end in CRLF. A bare LF (or a lone CR) is refused with code
// "line_ending" naming the line: the protocol requires CRLF and a file that lost its CRs has usually been
// through a text tool that may also have stripped the trailing spaces records depend on. Only the final
// OFDCFEND may lack its CRLF.
type Reader struct {
	br      *bufio.Reader
	line    int
	hdr     *Header
	s       *schema
	err     error // sticky: fatal error
	read    int
	done    bool
	bizOn   bool
	bizSet  bool
	started bool
	buf     []byte
}

// NewReader returns a reader of a data file. The header is read by the first Header or Next call.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10)}
}

// CheckBusinessCodes turns the BusinessCode check on or off. By default it is on for 01/03 files (the
// code must be a known application code) and off otherwise; turned on, 23 files need a known
// application code and 02/04/24 files a known confirmation code (other file types are never checked).
// Call it before the first Next.
func (r *Reader) CheckBusinessCodes(on bool) { r.bizOn, r.bizSet = on, true }

// Header reads and validates the header (once) and returns it.
func (r *Reader) Header() (*Header, error) {
	if r.hdr == nil && r.err == nil {
		r.err = r.readHeader()
	}
	if r.err != nil && r.hdr == nil {
		return nil, r.err
	}
	h := *r.hdr
	h.Fields = append([]string(nil), r.hdr.Fields...)
	return &h, nil
}

// Dictionary returns the dictionary the header selected (nil before a valid header).
func (r *Reader) Dictionary() *Dictionary {
	if r.s == nil {
		return nil
	}
	return r.s.dict
}

// RecordLength returns the byte length of a record (without CRLF) as the field list declares it.
func (r *Reader) RecordLength() int {
	if r.s == nil {
		return 0
	}
	return r.s.length
}

// line kinds
type rawLine struct {
	b     []byte // content without the terminator
	eol   string // "crlf", "lf", "cr" (a CR inside), "" (end of file without newline)
	eof   bool   // nothing at all
	start int    // line number
}

func (r *Reader) next() (rawLine, error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.buf = append(r.buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return rawLine{}, &Error{Line: r.line + 1, Code: CodeIO, Msg: err.Error()}
		}
		break
	}
	if len(r.buf) == 0 {
		return rawLine{eof: true}, nil
	}
	r.line++
	l := rawLine{b: r.buf, start: r.line}
	switch {
	case bytes.HasSuffix(l.b, []byte("\r\n")):
		l.b, l.eol = l.b[:len(l.b)-2], "crlf"
	case bytes.HasSuffix(l.b, []byte("\n")):
		l.b, l.eol = l.b[:len(l.b)-1], "lf"
	}
	return l, nil
}

func (l rawLine) endingErr() *Error {
	switch l.eol {
	case "lf":
		return &Error{Line: l.start, Code: CodeLineEnding, Offset: len(l.b) + 1, Msg: "line ends in a bare LF; the protocol requires CRLF"}
	case "":
		return &Error{Line: l.start, Code: CodeLineEnding, Offset: len(l.b) + 1, Msg: "last line has no CRLF (file truncated?)"}
	}
	return nil
}

// headerLine reads one header line, trims the padding and checks its ending and bytes.
func (r *Reader) headerLine(what string) (string, error) {
	l, err := r.next()
	if err != nil {
		return "", err
	}
	if l.eof {
		return "", errf(r.line+1, "", CodeHeader, "file ends before the %s line", what)
	}
	if e := l.endingErr(); e != nil {
		return "", e
	}
	for i, c := range l.b {
		if c < 0x20 || c >= 0x7F {
			return "", &Error{Line: l.start, Code: CodeHeader, Offset: i + 1, Msg: fmt.Sprintf("%s line has byte 0x%02X; header lines are printable ASCII", what, c)}
		}
	}
	return strings.Trim(string(l.b), " "), nil
}

func (r *Reader) readHeader() error {
	h := &Header{}
	v, err := r.headerLine("OFDCFDAT")
	if err != nil {
		return err
	}
	if v != markerData {
		if v == markerIndex {
			return errf(1, "", CodeHeader, "this is an index file (OFDCFIDX): use ReadIndex")
		}
		return errf(1, "", CodeHeader, "first line is %q, want OFDCFDAT", clip(v))
	}
	vals := make([]string, 9)
	for i, what := range []string{"version", "creator code", "receiver code", "date", "summary table number", "file type", "sender code", "recipient code", "field count"} {
		if vals[i], err = r.headerLine(what); err != nil {
			return err
		}
	}
	h.Version, h.Creator, h.Receiver, h.Date, h.SummaryNo, h.FileType, h.Sender, h.Recipient = vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7]
	if err := checkHeaderValues(h); err != nil {
		return err
	}
	d, err := Lookup(h.Version, h.FileType)
	if err != nil {
		e := err.(*Error)
		e.Line = 7
		return e
	}
	w := headerWidths(h.Version)
	h.SummaryNo = strings.Repeat("0", w.summary-len(h.SummaryNo)) + h.SummaryNo // canonical width
	if !allDigits(vals[8]) || len(vals[8]) > w.nfields {
		return errf(10, "", CodeFieldList, "field count %q is not 1 to %d digits", clip(vals[8]), w.nfields)
	}
	n, _ := strconv.Atoi(vals[8])
	if n == 0 {
		return errf(10, "", CodeFieldList, "field count is 0")
	}
	for i := 0; i < n; i++ {
		name, err := r.headerLine("field name")
		if err != nil {
			if e, ok := err.(*Error); ok && e.Code == CodeHeader {
				e.Code = CodeFieldList
			}
			return err
		}
		if allDigits(name) {
			return errf(r.line, "", CodeFieldList, "field count is %d but only %d names are listed before %q (the record count?)", n, i, name)
		}
		h.Fields = append(h.Fields, name)
	}
	s, err := newSchema(d, h.Fields, 11)
	if err != nil {
		return err
	}
	c, err := r.headerLine("record count")
	if err != nil {
		if e, ok := err.(*Error); ok && e.Code == CodeHeader {
			e.Code = CodeRecordCount
		}
		return err
	}
	if !allDigits(c) {
		if _, known := d.Field(c); known || (isName(c) && (c[0] < '0' || c[0] > '9')) {
			return errf(r.line, "", CodeFieldList, "field count is %d but more names are listed (%q)", n, c)
		}
		return errf(r.line, "", CodeRecordCount, "record count %q is not digits", clip(c))
	}
	if len(c) > w.count {
		return errf(r.line, "", CodeRecordCount, "record count %q is wider than %d digits", c, w.count)
	}
	h.Count, _ = strconv.Atoi(c)
	r.hdr, r.s = h, s
	if !r.bizSet {
		r.bizOn = h.FileType == "01" || h.FileType == "03"
	}
	return nil
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 40 {
		i := 40
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return s[:i] + "..."
	}
	return s
}

// Next returns the next record, or io.EOF after a valid OFDCFEND. A non-fatal *Error (see
// Error.Fatal) concerns one record: the record is counted and the next call goes on. After a fatal error
// every call returns it again.
func (r *Reader) Next() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.hdr == nil {
		if _, err := r.Header(); err != nil {
			return nil, err
		}
	}
	if r.done {
		return nil, io.EOF
	}
	rec, err := r.record()
	var e *Error
	if err != nil && (!errors.As(err, &e) || e.Fatal()) {
		r.err = err
	}
	return rec, err
}

func (r *Reader) record() (*Record, error) {
	l, err := r.next()
	if err != nil {
		return nil, err
	}
	if l.eof {
		if r.read < r.hdr.Count {
			return nil, errf(r.line, "", CodeRecordCount, "header declares %d records, the file ends after %d records without OFDCFEND", r.hdr.Count, r.read)
		}
		return nil, errf(r.line, "", CodeTrailer, "file ends after %d records without OFDCFEND", r.read)
	}
	isEnd := len(l.b) != r.s.length && string(bytes.TrimRight(l.b, " ")) == markerEnd
	if r.read == r.hdr.Count {
		if !isEnd && string(l.b) != markerEnd {
			if len(l.b) == r.s.length {
				return nil, errf(l.start, "", CodeRecordCount, "header declares %d records, found more (line %d is a record)", r.hdr.Count, l.start)
			}
			return nil, errf(l.start, "", CodeTrailer, "expected OFDCFEND after %d records, found %q", r.read, clip(string(l.b)))
		}
		if l.eol == "lf" {
			return nil, l.endingErr()
		}
		if l.eol != "" {
			more, err := r.next()
			if err != nil {
				return nil, err
			}
			if !more.eof {
				return nil, errf(more.start, "", CodeTrailer, "data after OFDCFEND: %q", clip(string(more.b)))
			}
		}
		r.done = true
		return nil, io.EOF
	}
	if isEnd {
		return nil, errf(l.start, "", CodeRecordCount, "header declares %d records, found %d before OFDCFEND", r.hdr.Count, r.read)
	}
	r.read++
	if e := l.endingErr(); e != nil {
		return nil, e
	}
	rec := &Record{Line: l.start, raw: append([]byte(nil), l.b...), s: r.s}
	if err := r.s.check(rec.raw, l.start, r.bizOn); err != nil {
		return nil, err
	}
	return rec, nil
}

// check validates one record's bytes against the schema.
func (s *schema) check(b []byte, line int, biz bool) *Error {
	if len(b) != s.length {
		msg := fmt.Sprintf("record is %d bytes, the %d listed fields need %d", len(b), len(s.fields), s.length)
		if len(b) < s.length {
			for i, off := range s.offs {
				if len(b) < off+s.fields[i].Length {
					msg += fmt.Sprintf(" (it ends inside field %s at bytes %d-%d)", s.fields[i].Name, off+1, off+s.fields[i].Length)
					break
				}
			}
		}
		return &Error{Line: line, Code: CodeRecordLength, Msg: msg}
	}
	if !isASCII(b) {
		if at := gbkCheck(b); at >= 0 {
			f := s.fieldAt(at)
			return &Error{Line: line, Field: f, Offset: at + 1, Code: CodeEncoding, Msg: fmt.Sprintf("byte 0x%02X does not start a GBK character", b[at])}
		}
	}
	for i, f := range s.fields {
		v := b[s.offs[i] : s.offs[i]+f.Length]
		if e := checkValue(f, v, s.isDate[i]); e != nil {
			e.Line = line
			if e.Offset > 0 {
				e.Offset += s.offs[i]
			}
			return e
		}
		if i == s.biz && biz && s.bizMode != "" {
			code := strings.TrimRight(string(v), " ")
			ok := IsApplicationCode(code)
			want := "application"
			if s.bizMode == "confirmation" {
				ok, want = IsConfirmationCode(code), "confirmation"
			}
			if !ok {
				return &Error{Line: line, Field: f.Name, Offset: s.offs[i] + 1, Code: CodeBusinessCode, Msg: fmt.Sprintf("business code %q is not a known %s code", code, want)}
			}
		}
	}
	return nil
}

func (s *schema) fieldAt(off int) string {
	for i, o := range s.offs {
		if off < o+s.fields[i].Length {
			return s.fields[i].Name
		}
	}
	return ""
}

// checkValue validates a field's bytes; Offset in the result is 1-based within the field.
func checkValue(f Field, v []byte, isDate bool) *Error {
	switch {
	case f.Type == TypeN:
		for i, c := range v {
			if c < '0' || c > '9' {
				return &Error{Field: f.Name, Offset: i + 1, Code: CodeNumber, Msg: fmt.Sprintf("byte %q in N%d(%d) field; numbers are digits only, zero-padded left", c, f.Length, f.Decimals)}
			}
		}
		return nil
	case f.Type == TypeA && !f.AcceptC:
		for i, c := range v {
			if c < 0x20 || c >= 0x7F {
				return &Error{Field: f.Name, Offset: i + 1, Code: CodeText, Msg: fmt.Sprintf("byte 0x%02X in A field; A is printable ASCII", c)}
			}
		}
	default:
		for i, c := range v {
			if c < 0x20 || c == 0x7F {
				return &Error{Field: f.Name, Offset: i + 1, Code: CodeText, Msg: fmt.Sprintf("control byte 0x%02X in text field", c)}
			}
		}
		if at := gbkCheck(v); at >= 0 {
			return &Error{Field: f.Name, Offset: at + 1, Code: CodeEncoding, Msg: "a GBK character is cut by the field boundary"}
		}
	}
	if isDate {
		t := bytes.TrimRight(v, " ")
		if len(t) > 0 && !validDate(string(t)) {
			return &Error{Field: f.Name, Offset: 1, Code: CodeDate, Msg: fmt.Sprintf("%q is not a valid YYYYMMDD date (blank is allowed)", t)}
		}
	}
	return nil
}

// Record is one validated record. Values are looked up by field name (as listed or as the dictionary
// spells it, case-insensitively).
type Record struct {
	Line int // line of the record in the file
	raw  []byte
	s    *schema
}

// Fields returns the field names in record order (the header's field list).
func (r *Record) Fields() []string { return append([]string(nil), r.s.names...) }

// Bytes returns the record's GBK bytes without the line ending.
func (r *Record) Bytes() []byte { return append([]byte(nil), r.raw...) }

func (r *Record) field(name string) (Field, []byte, bool) {
	i, ok := r.s.find(name)
	if !ok {
		return Field{}, nil, false
	}
	f := r.s.fields[i]
	return f, r.raw[r.s.offs[i] : r.s.offs[i]+f.Length], true
}

// Lookup returns a field's value: text decoded from GBK with the right padding removed (leading spaces
// are data and kept), numbers in decimal notation as Decimal gives them. ok is false when the field is
// not in the file.
func (r *Record) Lookup(name string) (string, bool) {
	f, v, ok := r.field(name)
	if !ok {
		return "", false
	}
	if f.Type == TypeN {
		return decimalString(v, f.Decimals), true
	}
	return gbkDecode(bytes.TrimRight(v, " ")), true
}

// Value returns Lookup's value, or "" when the field is not in the file.
func (r *Record) Value(name string) string {
	v, _ := r.Lookup(name)
	return v
}

// Raw returns a field exactly as in the file (decoded from GBK, padding kept).
func (r *Record) Raw(name string) (string, bool) {
	_, v, ok := r.field(name)
	if !ok {
		return "", false
	}
	return gbkDecode(v), true
}

// Values returns all values in record order, in the notation Writer.Write takes.
func (r *Record) Values() []string {
	out := make([]string, len(r.s.names))
	for i, n := range r.s.names {
		out[i] = r.Value(n)
	}
	return out
}

// Decimal returns an N field's value with its implied decimals made explicit and leading zeros
// removed: N16(2) "0000000000001001" → "10.01", N2(0) "00" → "0". No floating point is involved.
func (r *Record) Decimal(name string) (string, error) {
	f, v, ok := r.field(name)
	if !ok {
		return "", errf(r.Line, name, CodeUsage, "field is not in this file")
	}
	if f.Type != TypeN {
		return "", errf(r.Line, name, CodeUsage, "field is %c, not N", f.Type)
	}
	return decimalString(v, f.Decimals), nil
}

// Date returns a date field's value as a UTC midnight time, or the zero time when blank.
func (r *Record) Date(name string) (time.Time, error) {
	_, v, ok := r.field(name)
	if !ok {
		return time.Time{}, errf(r.Line, name, CodeUsage, "field is not in this file")
	}
	s := strings.TrimRight(string(v), " ")
	if s == "" {
		return time.Time{}, nil
	}
	if !validDate(s) {
		return time.Time{}, errf(r.Line, name, CodeDate, "%q is not a valid YYYYMMDD date", clip(s))
	}
	return time.Parse("20060102", s)
}

func decimalString(v []byte, dec int) string {
	ip, fp := v[:len(v)-dec], v[len(v)-dec:]
	i := 0
	for i < len(ip)-1 && ip[i] == '0' {
		i++
	}
	ip = ip[i:]
	if len(ip) == 0 {
		ip = []byte("0")
	}
	if dec == 0 {
		return string(ip)
	}
	return string(ip) + "." + string(fp)
}
