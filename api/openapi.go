package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
)

// openAPIDoc is the OpenAPI 3 document served at /v1/openapi.json. It is
// written by hand but for the module queries (the paths /v1/q/<module>/...
// and the schemas named "<package>.<Type>"), which WithQueries generates
// from the modules' query specs (go test ./app -run TestOpenAPIQueries
// -update); tests check that it describes every route and is up to date.
//
//go:embed openapi.json
var openAPIRaw []byte

var openAPIDoc = compactJSON(openAPIRaw)

func compactJSON(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		panic("api: openapi.json is not valid JSON: " + err.Error())
	}
	return buf.Bytes()
}

// OpenAPI returns the OpenAPI document (JSON).
func OpenAPI() []byte { return append([]byte(nil), openAPIDoc...) }
