package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// oaDoc is the part of an OpenAPI 3.0 document the doc-driven client reads.
type oaDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas   map[string]*oaSchema `json:"schemas"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema *oaSchema `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"components"`
}

type oaOp struct {
	OperationID string                `json:"operationId"`
	Description string                `json:"description"`
	Security    []map[string][]string `json:"security"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *oaSchema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Ref     string `json:"$ref"`
		Content map[string]struct {
			Schema *oaSchema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`

	method, path string
}

// oaSchema is the subset of the OpenAPI 3.0 schema object the checker
// enforces.
type oaSchema struct {
	Ref                  string               `json:"$ref"`
	Type                 string               `json:"type"`
	Nullable             bool                 `json:"nullable"`
	Required             []string             `json:"required"`
	Properties           map[string]*oaSchema `json:"properties"`
	AdditionalProperties json.RawMessage      `json:"additionalProperties"`
	Items                *oaSchema            `json:"items"`
	AllOf                []*oaSchema          `json:"allOf"`
	AnyOf                []*oaSchema          `json:"anyOf"`
	OneOf                []*oaSchema          `json:"oneOf"`
	Enum                 []any                `json:"enum"`
	Pattern              string               `json:"pattern"`
	Format               string               `json:"format"`
	MinLength            *int                 `json:"minLength"`
}

func (d *oaDoc) op(t *testing.T, id string) *oaOp {
	t.Helper()
	for path, ops := range d.Paths {
		for m, raw := range ops {
			if m == "parameters" {
				continue
			}
			var o oaOp
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatalf("%s %s: %v", m, path, err)
			}
			if o.OperationID == id {
				o.method, o.path = strings.ToUpper(m), path
				return &o
			}
		}
	}
	t.Fatalf("the document has no operation %s", id)
	return nil
}

// check validates v (decoded JSON) against s; it returns the first mismatch.
func (d *oaDoc) check(s *oaSchema, v any, at string) error {
	if s == nil {
		return nil
	}
	if s.Ref != "" {
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		ref, ok := d.Components.Schemas[name]
		if !ok {
			return fmt.Errorf("%s: unresolved $ref %s", at, s.Ref)
		}
		return d.check(ref, v, at)
	}
	if v == nil {
		if s.Nullable || (s.Type == "" && len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) == 0) {
			return nil
		}
		return fmt.Errorf("%s: null, schema %q is not nullable", at, s.Type)
	}
	for _, sub := range s.AllOf {
		if err := d.check(sub, v, at); err != nil {
			return err
		}
	}
	if len(s.AnyOf)+len(s.OneOf) > 0 {
		n := 0
		var first error
		for _, sub := range append(append([]*oaSchema(nil), s.AnyOf...), s.OneOf...) {
			if err := d.check(sub, v, at); err == nil {
				n++
			} else if first == nil {
				first = err
			}
		}
		if n == 0 {
			return fmt.Errorf("%s: matches none of the alternatives: %v", at, first)
		}
		if len(s.OneOf) > 0 && n > 1 {
			return fmt.Errorf("%s: matches %d oneOf alternatives", at, n)
		}
	}
	if len(s.Enum) > 0 {
		found := false
		for _, e := range s.Enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%s: %v is not in %v", at, v, s.Enum)
		}
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %T, want object", at, v)
		}
		for _, r := range s.Required {
			if _, ok := m[r]; !ok {
				return fmt.Errorf("%s: required field %q is missing", at, r)
			}
		}
		for k, fv := range m {
			ps, ok := s.Properties[k]
			if !ok {
				if string(s.AdditionalProperties) == "false" {
					return fmt.Errorf("%s: field %q is not in the schema", at, k)
				}
				continue
			}
			if err := d.check(ps, fv, at+"."+k); err != nil {
				return err
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %T, want array", at, v)
		}
		for i, e := range a {
			if err := d.check(s.Items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: %T, want string", at, v)
		}
		if s.MinLength != nil && len(str) < *s.MinLength {
			return fmt.Errorf("%s: shorter than %d", at, *s.MinLength)
		}
		if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(str) {
			return fmt.Errorf("%s: %q does not match %s", at, str, s.Pattern)
		}
		switch s.Format {
		case "byte":
			if _, err := base64.StdEncoding.DecodeString(str); err != nil {
				return fmt.Errorf("%s: not base64: %v", at, err)
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return fmt.Errorf("%s: not a date-time: %v", at, err)
			}
		}
	case "integer", "number":
		f, ok := v.(float64)
		if !ok {
			return fmt.Errorf("%s: %T, want %s", at, v, s.Type)
		}
		if s.Type == "integer" && f != float64(int64(f)) {
			return fmt.Errorf("%s: %v is not an integer", at, f)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %T, want boolean", at, v)
		}
	}
	return nil
}

// call sends body (nil: none) to op with the path parameters filled in and
// checks the answer against the schema the document declares for its
// status (an undeclared status fails the test). It returns status and the
// decoded body.
func (d *oaDoc) call(t *testing.T, base string, op *oaOp, params map[string]string, token string, body any) (int, any) {
	t.Helper()
	path := op.path
	for k, v := range params {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if op.RequestBody == nil {
			t.Fatalf("%s declares no request body", op.OperationID)
		}
		var bv any
		_ = json.Unmarshal(b, &bv)
		if err := d.check(op.RequestBody.Content["application/json"].Schema, bv, op.OperationID+" request"); err != nil {
			t.Fatalf("the request does not fit the document: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(op.method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := op.Responses[fmt.Sprint(resp.StatusCode)]
	if !ok {
		t.Fatalf("%s answered %d, which the document does not declare: %s", op.OperationID, resp.StatusCode, raw)
	}
	if len(raw) == 0 {
		return resp.StatusCode, nil
	}
	schema := (*oaSchema)(nil)
	if r.Ref != "" {
		schema = d.Components.Responses[strings.TrimPrefix(r.Ref, "#/components/responses/")].Content["application/json"].Schema
	} else if c, ok := r.Content["application/json"]; ok {
		schema = c.Schema
	} else {
		t.Fatalf("%s %d: the document declares no JSON body", op.OperationID, resp.StatusCode)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s %d: %v", op.OperationID, resp.StatusCode, err)
	}
	if err := d.check(schema, v, fmt.Sprintf("%s %d", op.OperationID, resp.StatusCode)); err != nil {
		t.Fatalf("the answer does not fit the document: %v\n%s", err, raw)
	}
	return resp.StatusCode, v
}

func hasBearer(op *oaOp) bool {
	for _, s := range op.Security {
		if _, ok := s["bearerAuth"]; ok {
			return true
		}
	}
	return false
}

// TestOpenAPIClient drives a node from its served OpenAPI document alone:
// it finds the login, tx and receipt operations there, builds the login
// message the challenge operation describes, logs in, submits a tx, fetches
// its receipt and logs out, validating each request and each answer against
// the schemas the document declares.
func TestOpenAPIClient(t *testing.T) {
	env := apitest.NewEnv(t)
	resp, err := http.Get(env.URL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc oaDoc
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}

	// Every operation says who may call it.
	for path, ops := range doc.Paths {
		for m, raw := range ops {
			var o struct {
				Security json.RawMessage `json:"security"`
			}
			_ = json.Unmarshal(raw, &o)
			if m != "parameters" && o.Security == nil {
				t.Errorf("%s %s has no security", m, path)
			}
		}
	}

	// Login, as the challenge operation describes it.
	chOp, tokOp := doc.op(t, "createChallenge"), doc.op(t, "createToken")
	m := regexp.MustCompile(`"(otcchain/auth/v[0-9]+)\\u0000" \+ chain_id \+ "\\u0000" \+ audience \+ "\\u0000" \+ challenge`).FindStringSubmatch(chOp.Description)
	if m == nil {
		t.Fatalf("the challenge operation does not describe the signed message: %q", chOp.Description)
	}
	id, key := env.App.AddIdentity(t, "bank", module.RoleFundManager, crypto.Ed25519)
	_, v := doc.call(t, env.URL, chOp, nil, "", map[string]any{})
	ch := v.(map[string]any)
	audience := strings.TrimPrefix(env.URL, "http://")
	msg := m[1] + "\x00" + ch["chain_id"].(string) + "\x00" + audience + "\x00" + ch["challenge"].(string)
	sig, err := key.Sign([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	st, v := doc.call(t, env.URL, tokOp, nil, "", map[string]any{
		"identity": id, "challenge": ch["challenge"], "audience": audience, "signature": sig})
	if st != http.StatusOK {
		t.Fatalf("login: %d %v", st, v)
	}
	token := v.(map[string]any)["token"].(string)

	// Submit a tx and wait for it.
	txOp := doc.op(t, "broadcastTx")
	st, v = doc.call(t, env.URL, txOp, nil, "", map[string]any{"tx": []byte("doc=1"), "wait": true})
	if st != http.StatusOK || v.(map[string]any)["committed"] != true {
		t.Fatalf("broadcast: %d %v", st, v)
	}
	hash := v.(map[string]any)["hash"].(string)

	// Its receipt, once the next block is there (503 receipt_not_ready before).
	rcOp := doc.op(t, "getReceipt")
	apitest.Eventually(t, 30*time.Second, func() bool {
		st, v = doc.call(t, env.URL, rcOp, map[string]string{"hash": hash}, "", nil)
		return st == http.StatusOK
	}, "receipt of %s", hash)
	for _, f := range []string{"tx_proof", "result", "result_proof", "block", "next_block"} {
		if _, ok := v.(map[string]any)[f]; !ok {
			t.Errorf("receipt lacks %s", f)
		}
	}
	if st, _ := doc.call(t, env.URL, rcOp, map[string]string{"hash": strings.Repeat("ab", 32)}, "", nil); st != http.StatusNotFound {
		t.Errorf("unknown receipt: %d", st)
	}
	doc.call(t, env.URL, doc.op(t, "getStatus"), nil, "", nil)

	// A module read: its refusals are declared (401 anonymous, 403 a role
	// that may not read), its answer fits the document.
	q := doc.op(t, "query")
	if !hasBearer(q) {
		t.Fatal("query does not declare bearerAuth")
	}
	if st, _ := doc.call(t, env.URL, q, map[string]string{"module": "test", "path": "secret"}, "", nil); st != http.StatusUnauthorized {
		t.Errorf("anonymous read: %d", st)
	}
	if st, _ := doc.call(t, env.URL, q, map[string]string{"module": "test", "path": "secret"}, token, nil); st != http.StatusForbidden {
		t.Errorf("fund manager read: %d", st)
	}
	if st, _ := doc.call(t, env.URL, q, map[string]string{"module": "member", "path": "orgs"}, token, nil); st != http.StatusOK {
		t.Errorf("member/orgs: %d", st)
	}

	// The token works where the document asks for it, and only once revoked.
	out := doc.op(t, "revokeToken")
	if !hasBearer(out) {
		t.Fatal("revokeToken does not declare bearerAuth")
	}
	if st, _ := doc.call(t, env.URL, out, nil, token, nil); st != http.StatusNoContent {
		t.Fatalf("logout: %d", st)
	}
	if st, _ := doc.call(t, env.URL, out, nil, token, nil); st != http.StatusUnauthorized {
		t.Fatalf("second logout: %d", st)
	}
}
