package schema

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Declarer is implemented by a type with its own JSON encoding: JSONSchema
// returns the schema of what it writes (an OpenAPI 3.0 schema object). It
// is called on the zero value and must not depend on it.
type Declarer interface {
	JSONSchema() map[string]any
}

// RefPrefix is where components are referenced.
const RefPrefix = "#/components/schemas/"

var (
	timeType      = reflect.TypeFor[time.Time]()
	rawType       = reflect.TypeFor[json.RawMessage]()
	declarerType  = reflect.TypeFor[Declarer]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
	validName     = regexp.MustCompile(`^[a-zA-Z0-9.\-_]+$`)
)

// Generator builds schemas, collecting the components they reference. The
// zero value is not usable; use New.
type Generator struct {
	comps  map[string]map[string]any
	names  map[reflect.Type]string
	owners map[string]reflect.Type
}

// New returns an empty generator.
func New() *Generator {
	return &Generator{comps: map[string]map[string]any{}, names: map[reflect.Type]string{}, owners: map[string]reflect.Type{}}
}

// Schema returns the schema of t's encoding/json form, adding the named
// structs it meets to the components. A pointer answers its element's
// schema (not nullable: see Field for where nil is possible).
func (g *Generator) Schema(t reflect.Type) (map[string]any, error) {
	return g.schema(t, nil)
}

// Components returns the named schemas met so far, by name.
func (g *Generator) Components() map[string]map[string]any { return g.comps }

// Name is the component name of a named struct type: "<last element of
// the package path>.<type name>", a generic type's arguments folded in
// front of its name ("module.List[*fund.Order]" is "fund.OrderList").
func Name(t reflect.Type) string {
	pkg := t.PkgPath()
	pkg = pkg[strings.LastIndex(pkg, "/")+1:]
	name := t.Name()
	base, args, generic := strings.Cut(name, "[")
	if !generic {
		return pkg + "." + name
	}
	args = strings.TrimSuffix(args, "]")
	var argNames []string
	argPkg := ""
	for _, a := range splitArgs(args) {
		a = strings.TrimLeft(a, "*[]")
		p, n := "", a
		if i := strings.LastIndex(a, "."); i >= 0 {
			p, n = a[:i], a[i+1:]
			p = p[strings.LastIndex(p, "/")+1:]
		}
		if argPkg == "" {
			argPkg = p
		}
		argNames = append(argNames, exportName(n))
	}
	if argPkg == "" {
		argPkg = pkg
	}
	return argPkg + "." + strings.Join(argNames, "") + base
}

func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func exportName(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// schema describes t; path names where t was met, for errors.
func (g *Generator) schema(t reflect.Type, path []string) (map[string]any, error) {
	at := func() string {
		if len(path) == 0 {
			return t.String()
		}
		return strings.Join(path, ".") + " (" + t.String() + ")"
	}
	if t.Kind() == reflect.Pointer {
		return g.schema(t.Elem(), path)
	}
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case rawType:
		return map[string]any{}, nil
	}
	if t.Implements(declarerType) || reflect.PointerTo(t).Implements(declarerType) {
		d, ok := reflect.New(t).Elem().Interface().(Declarer)
		if !ok {
			d = reflect.New(t).Interface().(Declarer)
		}
		s := d.JSONSchema()
		if s == nil {
			return nil, fmt.Errorf("schema: %s declares a nil schema", at())
		}
		return copyMap(s), nil
	}
	for _, m := range []reflect.Type{marshalerType, textType} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return nil, fmt.Errorf("schema: %s has its own JSON encoding (%s) but declares no schema: give it a method JSONSchema() map[string]any", at(), m.Name())
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return map[string]any{"type": "integer", "format": "int32"}, nil
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}, nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer", "format": "int32", "minimum": 0}, nil
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		return map[string]any{"type": "integer", "format": "int64", "minimum": 0}, nil
	case reflect.Float32:
		return map[string]any{"type": "number", "format": "float"}, nil
	case reflect.Float64:
		return map[string]any{"type": "number", "format": "double"}, nil
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Interface:
		return map[string]any{}, nil
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 && !t.Elem().Implements(marshalerType) && !t.Elem().Implements(textType) {
			return map[string]any{"type": "string", "format": "byte"}, nil
		}
		items, err := g.schema(t.Elem(), append(path, "[]"))
		if err != nil {
			return nil, err
		}
		s := map[string]any{"type": "array", "items": items}
		if t.Kind() == reflect.Array {
			s["minItems"], s["maxItems"] = t.Len(), t.Len()
		}
		return s, nil
	case reflect.Map:
		k := t.Key()
		switch {
		case k.Kind() == reflect.String, k.Kind() >= reflect.Int && k.Kind() <= reflect.Uintptr:
		case k.Implements(textType):
		default:
			return nil, fmt.Errorf("schema: %s: encoding/json cannot encode a map keyed by %s", at(), k)
		}
		vs, err := g.schema(t.Elem(), append(path, "{}"))
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "object", "additionalProperties": vs}, nil
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t, path)
		}
		return g.ref(t, path)
	}
	return nil, fmt.Errorf("schema: %s: encoding/json cannot encode a %s", at(), t.Kind())
}

// ref adds named struct t to the components (once) and references it.
func (g *Generator) ref(t reflect.Type, path []string) (map[string]any, error) {
	name, ok := g.names[t]
	if !ok {
		name = Name(t)
		if !validName.MatchString(name) {
			return nil, fmt.Errorf("schema: %s: component name %q is not of [a-zA-Z0-9.-_]", t, name)
		}
		if other, dup := g.owners[name]; dup {
			return nil, fmt.Errorf("schema: %s and %s would both be component %q", other, t, name)
		}
		g.names[t], g.owners[name] = name, t
		g.comps[name] = nil // a placeholder: recursive types stop here
		s, err := g.object(t, path)
		if err != nil {
			delete(g.names, t)
			delete(g.owners, name)
			delete(g.comps, name)
			return nil, err
		}
		g.comps[name] = s
	}
	return map[string]any{"$ref": RefPrefix + name}, nil
}

// object describes a struct as encoding/json writes it.
func (g *Generator) object(t reflect.Type, path []string) (map[string]any, error) {
	props := map[string]any{}
	required := []string{}
	for _, f := range Fields(t) {
		s, err := g.schema(f.Type, append(path, f.Name))
		if err != nil {
			return nil, err
		}
		if f.Quoted {
			s = map[string]any{"type": "string", "description": "a " + fmt.Sprint(s["type"]) + " written as a JSON string"}
		}
		if f.Nullable {
			s = nullable(s)
		}
		props[f.Name] = s
		if !f.Optional {
			required = append(required, f.Name)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s, nil
}

// nullable returns s allowing null. A $ref cannot carry siblings in
// OpenAPI 3.0: it is wrapped in allOf beside "type": "object" (a
// referenced component is always a struct's object).
func nullable(s map[string]any) map[string]any {
	if ref, ok := s["$ref"]; ok {
		return map[string]any{"type": "object", "nullable": true, "allOf": []any{map[string]any{"$ref": ref}}}
	}
	if len(s) == 0 {
		return s // anything: null included
	}
	s = copyMap(s)
	s["nullable"] = true
	return s
}

// Field is a struct field as encoding/json writes it.
type Field struct {
	Name     string
	Type     reflect.Type
	Index    []int
	Optional bool // omitempty or omitzero: may be absent
	Nullable bool // may be written as null
	Quoted   bool // the ",string" option
	tagged   bool
}

// Fields returns the fields encoding/json writes for struct type t, in its
// order: exported fields and those of embedded structs (flattened), named
// by their json tag, a name met at several depths kept at the shallowest
// (a tagged one preferred), a name still ambiguous dropped.
func Fields(t reflect.Type) []Field {
	type item struct {
		typ   reflect.Type
		index []int
	}
	var fields []Field
	next := []item{{typ: t}}
	var count, nextCount map[reflect.Type]int
	nextCount = map[reflect.Type]int{}
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, it := range current {
			if visited[it.typ] {
				continue
			}
			visited[it.typ] = true
			for i := 0; i < it.typ.NumField(); i++ {
				sf := it.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTag(name) {
					name = ""
				}
				index := append(append([]int(nil), it.index...), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					f := Field{Name: name, Type: sf.Type, Index: index, tagged: name != ""}
					if f.Name == "" {
						f.Name = sf.Name
					}
					omitempty, omitzero := hasOpt(opts, "omitempty"), hasOpt(opts, "omitzero")
					k := sf.Type.Kind()
					f.Optional = omitzero || (omitempty && k != reflect.Struct && !(k == reflect.Array && sf.Type.Len() > 0))
					f.Nullable = !f.Optional && (k == reflect.Pointer || k == reflect.Slice || k == reflect.Map || k == reflect.Interface)
					switch ft.Kind() {
					case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64, reflect.String:
						f.Quoted = hasOpt(opts, "string")
					}
					fields = append(fields, f)
					if count[it.typ] > 1 {
						// Two embeddings of one type at one depth
						// annihilate each other's fields.
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, item{typ: ft, index: index})
				}
			}
		}
	}
	sort.SliceStable(fields, func(i, j int) bool {
		x, y := fields[i], fields[j]
		if x.Name != y.Name {
			return x.Name < y.Name
		}
		if len(x.Index) != len(y.Index) {
			return len(x.Index) < len(y.Index)
		}
		if x.tagged != y.tagged {
			return x.tagged
		}
		return lessIndex(x.Index, y.Index)
	})
	out := fields[:0:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].Name == fields[i].Name {
			j++
		}
		group := fields[i:j]
		i = j
		if len(group) > 1 && len(group[0].Index) == len(group[1].Index) && group[0].tagged == group[1].tagged {
			continue // ambiguous: encoding/json drops it
		}
		out = append(out, group[0])
	}
	sort.Slice(out, func(i, j int) bool { return lessIndex(out[i].Index, out[j].Index) })
	return out
}

func lessIndex(a, b []int) bool {
	for k := range a {
		if k >= len(b) {
			return false
		}
		if a[k] != b[k] {
			return a[k] < b[k]
		}
	}
	return len(a) < len(b)
}

func hasOpt(opts, o string) bool {
	for opts != "" {
		var x string
		x, opts, _ = strings.Cut(opts, ",")
		if x == o {
			return true
		}
	}
	return false
}

// validTag is encoding/json's isValidTag.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return copyMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	case []string:
		return append([]string(nil), x...)
	}
	return v
}
