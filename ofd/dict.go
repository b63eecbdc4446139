package ofd

import (
	"embed"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed dict/*.tsv dict/*.txt
var dictFS embed.FS

// Field types of the protocol.
const (
	TypeC = 'C' // text: any GBK, space-padded right
	TypeA = 'A' // alphanumeric: printable ASCII, space-padded right
	TypeN = 'N' // number: digits, zero-padded left, implied decimals
)

// Field is one field's definition for a file type and version.
type Field struct {
	Name     string
	Type     byte // TypeC, TypeA or TypeN (the type the primary source gives)
	Length   int  // bytes (GBK bytes for C)
	Decimals int  // implied decimals of an N field
	// AcceptC is set when sources disagree on A versus C for this field: the reader and writer then
	// accept any GBK text (the C rule) instead of printable ASCII only.
	AcceptC bool
	// Unverified says why the definition is not confirmed by agreeing sources ("" when it is).
	Unverified string
}

// Text reports whether the field holds text (C or A).
func (f Field) Text() bool { return f.Type != TypeN }

// Dictionary is the field dictionary of one file type in one protocol version.
type Dictionary struct {
	Version  string
	FileType string
	fields   []Field // standard order
	byName   map[string]int
	byLower  map[string]int
	excluded map[string]string // v22: names left out because the source contradicts itself, with why
}

// Versions supported: 20 and 21 fully, 22 where the unconfirmed dictionary is consistent.
var Versions = []string{"20", "21", "22"}

// Lookup returns the dictionary of a file type ("01".."26" as listed in the layouts) in a version.
func Lookup(version, fileType string) (*Dictionary, error) {
	loadDicts()
	if dictErr != nil {
		return nil, dictErr
	}
	d := dicts[version+"/"+fileType]
	if d == nil {
		if !isVersion(version) {
			return nil, errf(0, "", CodeHeader, "unsupported protocol version %q (supported: %s)", version, strings.Join(Versions, ", "))
		}
		return nil, errf(0, "", CodeHeader, "no field layout for file type %q in version %s (known: %s)", fileType, version, strings.Join(FileTypes(), ", "))
	}
	return d, nil
}

// FileTypes lists the data file types that have a field layout.
func FileTypes() []string {
	loadDicts()
	return append([]string(nil), fileTypes...)
}

func isVersion(v string) bool {
	for _, s := range Versions {
		if s == v {
			return true
		}
	}
	return false
}

// Field returns the definition of a field. Names match exactly, else case-insensitively (sources spell
// e.g. TASerialNO and TASerialNo).
func (d *Dictionary) Field(name string) (Field, bool) {
	if i, ok := d.byName[name]; ok {
		return d.fields[i], true
	}
	if i, ok := d.byLower[strings.ToLower(name)]; ok {
		return d.fields[i], true
	}
	return Field{}, false
}

// Fields returns all fields in the standard order.
func (d *Dictionary) Fields() []Field { return append([]Field(nil), d.fields...) }

// Names returns all field names in the standard order.
func (d *Dictionary) Names() []string {
	out := make([]string, len(d.fields))
	for i, f := range d.fields {
		out[i] = f.Name
	}
	return out
}

// Unverified returns the fields whose definition is not confirmed by agreeing sources, with the reason
// in Field.Unverified. For version 22 that is every field.
func (d *Dictionary) Unverified() []Field {
	var out []Field
	for _, f := range d.fields {
		if f.Unverified != "" {
			out = append(out, f)
		}
	}
	return out
}

// Excluded returns the names left out of this dictionary because the source contradicts itself
// (version 22 only), with the reason.
func (d *Dictionary) Excluded() map[string]string {
	out := make(map[string]string, len(d.excluded))
	for k, v := range d.excluded {
		out[k] = v
	}
	return out
}

// Unknown explains why a name is not in the dictionary.
func (d *Dictionary) unknown(name string) string {
	if why, ok := d.excluded[name]; ok {
		return fmt.Sprintf("field %s is not supported in version %s: %s", name, d.Version, why)
	}
	msg := fmt.Sprintf("unknown field name %q for file type %s version %s", name, d.FileType, d.Version)
	var in []string
	for _, ft := range fileTypes {
		if o := dicts[d.Version+"/"+ft]; o != nil {
			if _, ok := o.Field(name); ok {
				in = append(in, ft)
			}
		}
	}
	if len(in) > 0 {
		msg += " (it is a field of file type " + strings.Join(in, ", ") + ")"
	}
	return msg
}

var (
	dictOnce  sync.Once
	dicts     map[string]*Dictionary
	fileTypes []string
	dictErr   error
)

func loadDicts() { dictOnce.Do(func() { dictErr = buildDicts() }) }

var altDef = regexp.MustCompile(`^([CAN]),?(\d+)\((\d+)\)$`)

type v22Entry struct {
	typ           byte
	length, dec   int
	v21           bool
	v21typ        byte
	v21len, v21dc int
}

func buildDicts() error {
	dicts = map[string]*Dictionary{}
	raw, err := dictFS.ReadFile("dict/layouts-v21.tsv")
	if err != nil {
		return err
	}
	byType := map[string][]Field{}
	typesOf := map[string]map[byte]bool{} // name -> types seen across files
	for i, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		if i == 0 {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 11 {
			return fmt.Errorf("ofd: layouts-v21.tsv line %d: %d columns", i+1, len(c))
		}
		length, err1 := strconv.Atoi(c[4])
		dec, err2 := strconv.Atoi(c[5])
		if err1 != nil || err2 != nil || len(c[3]) != 1 || !strings.Contains("CAN", c[3]) {
			return fmt.Errorf("ofd: layouts-v21.tsv line %d: bad definition", i+1)
		}
		f := Field{Name: c[2], Type: c[3][0], Length: length, Decimals: dec}
		leeoo, ofbdep := c[8], c[9]
		switch {
		case leeoo == "-" && ofbdep == "ofbdep-only":
			f.Unverified = "single source (ofbdep) only"
		case ofbdep != "=" && ofbdep != "-":
			m := altDef.FindStringSubmatch(ofbdep)
			if m == nil {
				f.Unverified = "sources disagree: " + ofbdep
			} else if m[1][0] != f.Type || m[2] != c[4] || m[3] != c[5] {
				f.Unverified = fmt.Sprintf("sources disagree: %c%d(%d) versus %s%s(%s)", f.Type, length, dec, m[1], m[2], m[3])
				if m[1][0] != f.Type && m[1] != "N" && f.Type != TypeN {
					f.AcceptC = true
				}
			}
		}
		if typesOf[f.Name] == nil {
			typesOf[f.Name] = map[byte]bool{}
		}
		typesOf[f.Name][f.Type] = true
		byType[c[0]] = append(byType[c[0]], f)
	}
	for ft, fs := range byType {
		for i := range fs {
			ts := typesOf[fs[i].Name]
			if ts[TypeA] && ts[TypeC] && !fs[i].AcceptC {
				fs[i].AcceptC = true
				why := "type A in some file layouts, C in others: both accepted"
				if fs[i].Unverified == "" {
					fs[i].Unverified = why
				} else {
					fs[i].Unverified += "; " + why
				}
			}
		}
		fileTypes = append(fileTypes, ft)
		for _, v := range []string{"20", "21"} {
			dicts[v+"/"+ft] = newDict(v, ft, fs, nil)
		}
	}
	sort.Strings(fileTypes)

	// Version 22: lengths from the unconfirmed dictionary, where it is consistent.
	raw, err = dictFS.ReadFile("dict/dictionary-v22-unconfirmed.tsv")
	if err != nil {
		return err
	}
	v22 := map[string]v22Entry{}
	excluded := map[string]string{}
	inV21 := map[string]Field{}
	for _, fs := range byType {
		for _, f := range fs {
			inV21[f.Name] = f
		}
	}
	for i, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		if i == 0 {
			continue
		}
		c := strings.Split(line, "\t")
		for len(c) < 7 {
			c = append(c, "")
		}
		name := c[0]
		if why := v22Consistent(c, inV21); why != "" {
			excluded[name] = why
			continue
		}
		e := v22Entry{typ: c[1][0]}
		e.length, _ = strconv.Atoi(c[2])
		e.dec, _ = strconv.Atoi(c[3])
		if c[4] != "" {
			e.v21 = true
			e.v21typ = c[4][0]
			e.v21len, _ = strconv.Atoi(c[5])
			e.v21dc, _ = strconv.Atoi(c[6])
		}
		if _, dup := v22[name]; dup {
			excluded[name] = "defined twice in the v22 dictionary"
			delete(v22, name)
			continue
		}
		v22[name] = e
	}
	// Fields of the v22 dictionary that no v20/21 layout places in a file: file membership unknown.
	var extra []string
	for name := range v22 {
		if _, ok := inV21[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, ft := range fileTypes {
		var fs []Field
		for _, f := range byType[ft] {
			e, ok := v22[f.Name]
			if !ok {
				continue // excluded (reason recorded)
			}
			fs = append(fs, v22Field(f.Name, e, "v22 definition from the single unconfirmed dictionary"))
		}
		for _, name := range extra {
			fs = append(fs, v22Field(name, v22[name], "v22 definition from the single unconfirmed dictionary; not in any v20/21 layout, so its file type is unknown (accepted in every file type)"))
		}
		dicts["22/"+ft] = newDict("22", ft, fs, excluded)
	}
	return nil
}

func v22Field(name string, e v22Entry, why string) Field {
	f := Field{Name: name, Type: e.typ, Length: e.length, Decimals: e.dec, Unverified: why}
	if f.Type != TypeN && (f.Type == TypeC || (e.v21 && e.v21typ == TypeC)) {
		f.AcceptC = true
	}
	if e.v21 && e.v21typ != e.typ {
		f.Unverified += fmt.Sprintf("; type %c in v21, %c in v22: both accepted", e.v21typ, e.typ)
	}
	return f
}

// v22Consistent returns why a v22 dictionary row cannot be used, or "".
func v22Consistent(c []string, inV21 map[string]Field) string {
	typ, ls, ds := c[1], c[2], c[3]
	if typ != "C" && typ != "A" && typ != "N" {
		return fmt.Sprintf("type %q is not C, A or N", typ)
	}
	l, err1 := strconv.Atoi(ls)
	d, err2 := strconv.Atoi(ds)
	if err1 != nil || err2 != nil || l <= 0 || d < 0 {
		return fmt.Sprintf("length %q / decimals %q are not usable", ls, ds)
	}
	if typ != "N" && d != 0 {
		return fmt.Sprintf("text type %s with %d decimals", typ, d)
	}
	if typ == "N" && d >= l {
		return fmt.Sprintf("N%d with %d decimals leaves no integer digit", l, d)
	}
	if c[4] == "" {
		return ""
	}
	vt, vl, vd := c[4], c[5], c[6]
	if f, ok := inV21[c[0]]; ok {
		if vl != strconv.Itoa(f.Length) || vd != strconv.Itoa(f.Decimals) {
			return fmt.Sprintf("its v21 columns %s%s(%s) contradict the v20/21 layouts %c%d(%d)", vt, vl, vd, f.Type, f.Length, f.Decimals)
		}
	}
	if (vt == "N") != (typ == "N") {
		return fmt.Sprintf("type changes from %s (v21) to %s (v22): number versus text", vt, typ)
	}
	if n, err := strconv.Atoi(vl); err == nil && l < n {
		return fmt.Sprintf("v22 length %d is shorter than the v21 length %d", l, n)
	}
	return ""
}

func newDict(version, ft string, fs []Field, excluded map[string]string) *Dictionary {
	d := &Dictionary{Version: version, FileType: ft, fields: fs, byName: map[string]int{}, byLower: map[string]int{}, excluded: excluded}
	for i, f := range fs {
		d.byName[f.Name] = i
		d.byLower[strings.ToLower(f.Name)] = i
	}
	return d
}
