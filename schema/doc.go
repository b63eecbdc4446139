// Package schema describes Go types as the JSON Schema of their
// encoding/json form, in the dialect of OpenAPI 3.0 (nullable, $ref to
// #/components/schemas/...), and validates decoded JSON against such a
// schema. The API's OpenAPI document describes each module query's answer
// with it.
//
// Struct fields follow encoding/json: the json tag names them, "-" drops
// them, embedded structs are flattened with its rules of dominance,
// omitempty and omitzero fields are optional and all others required. A
// field that can encode as null (a pointer, slice, map or interface without
// omitempty) is nullable. Named structs become components named
// "<package>.<Type>" and are referenced; module.List[*fund.Order] becomes
// "fund.OrderList".
//
// A type with its own encoding (json.Marshaler or encoding.TextMarshaler)
// must say what it writes with a method JSONSchema() map[string]any (see
// Declarer); the generator refuses such a type without one, so that nothing
// is described wrong. time.Time and json.RawMessage are known.
//
// This package uses the standard library only; it must never import the
// modules, the app or the API.
package schema
