package ofd

import (
	"fmt"
	"strconv"
	"strings"
)

// Header is the header of a data file: the ten fixed lines, the field list and the record count.
type Header struct {
	Version   string   // "20", "21" or "22"
	Creator   string   // file creator code (9 wide in v20/21)
	Receiver  string   // file receiver code (9 wide)
	Date      string   // YYYYMMDD
	SummaryNo string   // summary table number (3 digits); the writer uses "001" when empty
	FileType  string   // "01".."26"
	Sender    string   // sender code (8 wide); the writer uses Creator when empty
	Recipient string   // recipient code (8 wide); the writer uses Receiver when empty
	Fields    []string // the field list: the schema of the records, in record order
	Count     int      // records declared (reader: from the file; Writer: must equal the records written)
}

// widths of the header lines: version, creator, receiver, summary, type, sender, recipient, field
// count, record count. v22 widths come from the README (unverified: sender/recipient assumed 20).
type widths struct{ version, code, summary, ftype, party, nfields, count int }

func headerWidths(version string) widths {
	if version == "22" {
		return widths{8, 20, 8, 8, 20, 8, 16}
	}
	return widths{4, 9, 3, 2, 8, 3, 8}
}

const (
	markerData  = "OFDCFDAT"
	markerIndex = "OFDCFIDX"
	markerEnd   = "OFDCFEND"
)

// schema is a validated header: each listed field's definition and byte offset.
type schema struct {
	dict    *Dictionary
	fields  []Field
	names   []string // as listed in the header
	offs    []int
	length  int
	isDate  []bool
	index   map[string]int
	biz     int // index of BusinessCode, -1 when absent
	bizMode string
}

func (s *schema) find(name string) (int, bool) {
	if i, ok := s.index[name]; ok {
		return i, true
	}
	i, ok := s.index[strings.ToLower(name)]
	return i, ok
}

// newSchema checks a field list against the dictionary of the version and file type. line is the line
// of the first name (0 for the writer).
func newSchema(d *Dictionary, names []string, line int) (*schema, error) {
	if len(names) == 0 {
		return nil, errf(line, "", CodeFieldList, "the field list is empty")
	}
	s := &schema{dict: d, names: names, index: map[string]int{}, biz: -1, bizMode: BusinessCheck(d.FileType)}
	seen := map[string]int{}
	for i, n := range names {
		l := line
		if line > 0 {
			l = line + i
		}
		f, ok := d.Field(n)
		if !ok {
			return nil, errf(l, n, CodeFieldList, "%s", d.unknown(n))
		}
		if j, dup := seen[f.Name]; dup {
			return nil, errf(l, n, CodeFieldList, "field %s is listed twice (also field %d)", n, j+1)
		}
		seen[f.Name] = i
		s.fields = append(s.fields, f)
		s.offs = append(s.offs, s.length)
		s.length += f.Length
		s.isDate = append(s.isDate, strings.HasSuffix(f.Name, "Date"))
		s.index[n] = i
		s.index[f.Name] = i
		s.index[strings.ToLower(f.Name)] = i
		if f.Name == "BusinessCode" {
			s.biz = i
		}
	}
	return s, nil
}

// checkHeaderValues validates the single-line header values; line numbers are those of the file.
func checkHeaderValues(h *Header) error {
	w := headerWidths(h.Version)
	if err := checkCode(2, "version", h.Version, w.version); err != nil {
		return err
	}
	if !isVersion(h.Version) {
		return errf(2, "", CodeHeader, "unsupported protocol version %q (supported: %s)", h.Version, strings.Join(Versions, ", "))
	}
	for _, c := range []struct {
		line        int
		what, value string
		width       int
	}{{3, "creator code", h.Creator, w.code}, {4, "receiver code", h.Receiver, w.code}, {8, "sender code", h.Sender, w.party}, {9, "recipient code", h.Recipient, w.party}} {
		if err := checkCode(c.line, c.what, c.value, c.width); err != nil {
			return err
		}
	}
	if !validDate(h.Date) {
		return errf(5, "", CodeDate, "file date %q is not a valid YYYYMMDD date", h.Date)
	}
	if !allDigits(h.SummaryNo) || len(h.SummaryNo) > w.summary {
		return errf(6, "", CodeHeader, "summary table number %q is not 1 to %d digits", h.SummaryNo, w.summary)
	}
	if err := checkCode(7, "file type", h.FileType, w.ftype); err != nil {
		return err
	}
	return nil
}

func checkCode(line int, what, v string, width int) error {
	if v == "" {
		return errf(line, "", CodeHeader, "%s is empty", what)
	}
	if len(v) > width {
		return errf(line, "", CodeHeader, "%s %q is longer than %d characters", what, v, width)
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= 0x20 || v[i] >= 0x7F {
			return errf(line, "", CodeHeader, "%s %q has a byte 0x%02X that is not printable ASCII", what, v, v[i])
		}
	}
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validDate(s string) bool {
	if len(s) != 8 || !allDigits(s) {
		return false
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:])
	if y < 1 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		days = 29
	}
	return d <= days
}

// FileName returns the data file name OFD_{creator}_{receiver}_{date}_{type}.TXT.
func FileName(creator, receiver, date, fileType string) string {
	return fmt.Sprintf("OFD_%s_%s_%s_%s.TXT", creator, receiver, date, fileType)
}

// IndexFileName returns the index file name OFI_{creator}_{receiver}_{date}.TXT.
func IndexFileName(creator, receiver, date string) string {
	return fmt.Sprintf("OFI_%s_%s_%s.TXT", creator, receiver, date)
}

// ParseFileName splits OFD_{creator}_{receiver}_{date}_{type}.TXT (case-insensitive extension).
func ParseFileName(name string) (creator, receiver, date, fileType string, err error) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	p := strings.Split(name, "_")
	if len(p) != 5 || p[0] != "OFD" || !strings.EqualFold(p[4][max(0, len(p[4])-4):], ".TXT") {
		return "", "", "", "", errf(0, "", CodeHeader, "file name %q is not OFD_{creator}_{receiver}_{date}_{type}.TXT", name)
	}
	fileType = p[4][:len(p[4])-4]
	if !validDate(p[3]) {
		return "", "", "", "", errf(0, "", CodeDate, "file name %q: date %q is not a valid YYYYMMDD date", name, p[3])
	}
	return p[1], p[2], p[3], fileType, nil
}
