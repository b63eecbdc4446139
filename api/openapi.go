package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
)

// openAPIDoc is the OpenAPI 3 document served at /v1/openapi.json. It is
// written by hand; a test checks that it describes every route.
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
