package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/client"
)

// FuzzRequestBodies feeds arbitrary bodies to the routes that decode JSON,
// on a real node: the answer is always JSON, errors always have the API's
// shape, and nothing is an internal error.
func FuzzRequestBodies(f *testing.F) {
	env := apitest.NewEnv(f, func(c *api.Config) {
		c.TxWait = 100 * time.Millisecond
		c.MaxTxWait = 200 * time.Millisecond
	})
	h := env.Server.Handler()
	for _, s := range []string{
		`{"tx":"YT0x"}`, `{"tx":"YT0x","wait":true,"timeout_ms":50}`, `{"tx":"cmVqZWN0PTE="}`,
		`{"tx":"ZHJvcD0x","wait":true}`, `{"tx":null}`, `{"tx":""}`, `{"tx":"YT0x","timeout_ms":1e3}`,
		`{"tx":"YT0x","timeout_ms":99999999999999999999}`, `{"TX":"YT0x"}`, `{"tx":"YT0x"}garbage`,
		`{"identity":"a","challenge":"b","signature":"AAAA"}`, `{"identity":"","challenge":"","signature":""}`,
		`{}`, `[]`, `null`, `"x"`, `{`, ``, "\xff\xfe", `{"tx":"\u0000"}`, `{"a":{"b":{"c":[[[[[]]]]]}}}`,
	} {
		for route := range uint8(3) {
			f.Add(route, []byte(s))
		}
	}
	paths := []string{"/v1/txs", "/v1/auth/token", "/v1/auth/challenge"}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req := httptest.NewRequest("POST", paths[int(route)%len(paths)], bytes.NewReader(body)).WithContext(ctx)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("internal error for %q: %s", body, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%d: not JSON: %q", rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var eb client.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error == nil || !codeRE.MatchString(eb.Error.Code) {
				t.Fatalf("%d: not the error shape: %s", rec.Code, rec.Body)
			}
		}
	})
}
