package schema

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Validate checks v, a JSON value decoded by encoding/json into any (maps,
// slices, float64, string, bool, nil), against schema s whose $refs name
// comps. It returns the first mismatch, located by a JSON-path-like at.
// It knows the keywords this package writes and those a Declarer may
// use; any other keyword is an error, so a typo cannot pass unnoticed.
func Validate(comps map[string]map[string]any, s map[string]any, v any) error {
	return validate(comps, s, v, "$")
}

var known = map[string]bool{
	"$ref": true, "type": true, "format": true, "nullable": true, "description": true, "properties": true,
	"required": true, "additionalProperties": true, "items": true, "allOf": true, "anyOf": true, "oneOf": true,
	"enum": true, "pattern": true, "minimum": true, "maximum": true, "minItems": true, "maxItems": true,
	"minLength": true, "maxLength": true, "example": true,
}

func validate(comps map[string]map[string]any, s map[string]any, v any, at string) error {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			return fmt.Errorf("%s: unknown schema keyword %q", at, k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		c, ok := comps[strings.TrimPrefix(ref, RefPrefix)]
		if !ok || !strings.HasPrefix(ref, RefPrefix) {
			return fmt.Errorf("%s: unresolved $ref %s", at, ref)
		}
		return validate(comps, c, v, at)
	}
	if v == nil {
		if s["nullable"] == true || len(s) == 0 || onlyDoc(s) {
			return nil
		}
		return fmt.Errorf("%s: null, and the schema is not nullable", at)
	}
	for _, sub := range subs(s["allOf"]) {
		if err := validate(comps, sub, v, at); err != nil {
			return err
		}
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		alts := subs(s[kw])
		if len(alts) == 0 {
			continue
		}
		n := 0
		var first error
		for _, sub := range alts {
			if err := validate(comps, sub, v, at); err == nil {
				n++
			} else if first == nil {
				first = err
			}
		}
		if n == 0 {
			return fmt.Errorf("%s: matches none of the %s alternatives: %w", at, kw, first)
		}
		if kw == "oneOf" && n > 1 {
			return fmt.Errorf("%s: matches %d oneOf alternatives", at, n)
		}
	}
	if enum, ok := s["enum"]; ok {
		found := false
		for _, e := range list(enum) {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
		}
	}
	typ, _ := s["type"].(string)
	switch typ {
	case "":
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s, want an object", at, kind(v))
		}
		for _, r := range list(s["required"]) {
			if _, ok := m[fmt.Sprint(r)]; !ok {
				return fmt.Errorf("%s: required field %q is missing", at, r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			sub, ok := props[k].(map[string]any)
			if !ok {
				switch ap := s["additionalProperties"].(type) {
				case bool:
					if !ap {
						return fmt.Errorf("%s: field %q is not in the schema", at, k)
					}
					continue
				case map[string]any:
					sub = ap
				default:
					continue
				}
			}
			if err := validate(comps, sub, m[k], at+"."+k); err != nil {
				return err
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %s, want an array", at, kind(v))
		}
		if n, ok := number(s["minItems"]); ok && float64(len(a)) < n {
			return fmt.Errorf("%s: %d items, want at least %v", at, len(a), n)
		}
		if n, ok := number(s["maxItems"]); ok && float64(len(a)) > n {
			return fmt.Errorf("%s: %d items, want at most %v", at, len(a), n)
		}
		items, _ := s["items"].(map[string]any)
		for i, e := range a {
			if err := validate(comps, items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: %s, want a string", at, kind(v))
		}
		if p, ok := s["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				return fmt.Errorf("%s: pattern %q: %v", at, p, err)
			}
			if !re.MatchString(str) {
				return fmt.Errorf("%s: %q does not match %s", at, str, p)
			}
		}
		if n, ok := number(s["minLength"]); ok && float64(len([]rune(str))) < n {
			return fmt.Errorf("%s: %q is shorter than %v", at, str, n)
		}
		if n, ok := number(s["maxLength"]); ok && float64(len([]rune(str))) > n {
			return fmt.Errorf("%s: %q is longer than %v", at, str, n)
		}
		switch s["format"] {
		case "byte":
			if _, err := base64.StdEncoding.DecodeString(str); err != nil {
				return fmt.Errorf("%s: not base64: %v", at, err)
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return fmt.Errorf("%s: not a date-time: %v", at, err)
			}
		case "date":
			if _, err := time.Parse(time.DateOnly, str); err != nil {
				return fmt.Errorf("%s: not a date: %v", at, err)
			}
		}
	case "integer", "number":
		f, ok := v.(float64)
		if !ok {
			return fmt.Errorf("%s: %s, want %s", at, kind(v), typ)
		}
		if typ == "integer" && f != math.Trunc(f) {
			return fmt.Errorf("%s: %v is not an integer", at, f)
		}
		if n, ok := number(s["minimum"]); ok && f < n {
			return fmt.Errorf("%s: %v is below %v", at, f, n)
		}
		if n, ok := number(s["maximum"]); ok && f > n {
			return fmt.Errorf("%s: %v is above %v", at, f, n)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %s, want a boolean", at, kind(v))
		}
	default:
		return fmt.Errorf("%s: unknown type %q", at, typ)
	}
	return nil
}

// onlyDoc says s has no constraint (only a description).
func onlyDoc(s map[string]any) bool {
	for k := range s {
		if k != "description" && k != "example" {
			return false
		}
	}
	return true
}

// subs reads a list of schemas ([]any of maps, or []map[string]any).
func subs(v any) []map[string]any {
	var out []map[string]any
	for _, e := range list(v) {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// list reads any slice as []any.
func list(v any) []any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice {
		return nil
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

func number(v any) (float64, bool) {
	rv := reflect.ValueOf(v)
	switch {
	case !rv.IsValid():
		return 0, false
	case rv.CanInt():
		return float64(rv.Int()), true
	case rv.CanUint():
		return float64(rv.Uint()), true
	case rv.CanFloat():
		return rv.Float(), true
	}
	return 0, false
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
