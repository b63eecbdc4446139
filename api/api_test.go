package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

// The real application satisfies the interface the API declares.
var _ api.AppReader = (*app.App)(nil)

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkError asserts that a response is the API's error shape with status
// and code, and returns the error.
func checkError(t *testing.T, status int, hdr http.Header, body []byte, wantStatus int, wantCode string) *client.Error {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d; body %s", status, wantStatus, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content type %q; body %s", ct, body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || len(raw) != 1 || raw["error"] == nil {
		t.Fatalf("not the error shape: %s", body)
	}
	dec := json.NewDecoder(bytes.NewReader(raw["error"]))
	dec.DisallowUnknownFields()
	var e client.Error
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error object %s: %v", raw["error"], err)
	}
	if !codeRE.MatchString(e.Code) || e.Code != wantCode {
		t.Fatalf("code %q, want %q (%s)", e.Code, wantCode, e.Message)
	}
	return &e
}

func do(t *testing.T, method, url string, body io.Reader, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func TestErrorShapes(t *testing.T) {
	env := apitest.NewEnv(t)
	regID, regKey := env.App.AddIdentity(t, "reg", module.RoleRegulator, crypto.Ed25519)
	rc := client.New(env.URL)
	if _, err := rc.Login(context.Background(), regID, regKey.Sign); err != nil {
		t.Fatal(err)
	}
	bearer := map[string]string{"Authorization": "Bearer " + rc.Token()}
	hash := strings.Repeat("0a", 32)
	bigTx := base64.StdEncoding.EncodeToString(make([]byte, tx.MaxTxBytes+1))

	for _, c := range []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		code                     string
	}{
		{"unknown route", "GET", "/nope", "", nil, 404, client.CodeNotFound},
		{"unknown v1 route", "GET", "/v1/nope", "", nil, 404, client.CodeNotFound},
		{"root", "GET", "/", "", nil, 404, client.CodeNotFound},
		{"wrong method", "DELETE", "/v1/status", "", nil, 405, client.CodeMethodNotAllowed},
		{"wrong method on txs", "PUT", "/v1/txs", "{}", nil, 405, client.CodeMethodNotAllowed},
		{"empty body", "POST", "/v1/txs", "", nil, 400, client.CodeMalformedJSON},
		{"truncated JSON", "POST", "/v1/txs", `{"tx":`, nil, 400, client.CodeMalformedJSON},
		{"not an object", "POST", "/v1/txs", `[1,2]`, nil, 400, client.CodeMalformedJSON},
		{"wrong type", "POST", "/v1/txs", `{"tx":5}`, nil, 400, client.CodeMalformedJSON},
		{"wrong wait type", "POST", "/v1/txs", `{"tx":"YT0x","wait":"yes"}`, nil, 400, client.CodeMalformedJSON},
		{"unknown field", "POST", "/v1/txs", `{"tx":"YT0x","sync":true}`, nil, 400, client.CodeMalformedJSON},
		{"trailing data", "POST", "/v1/txs", `{"tx":"YT0x"} {}`, nil, 400, client.CodeMalformedJSON},
		{"bad base64", "POST", "/v1/txs", `{"tx":"!!!"}`, nil, 400, client.CodeInvalidBase64},
		{"no tx", "POST", "/v1/txs", `{"wait":true}`, nil, 400, client.CodeInvalidRequest},
		{"negative timeout", "POST", "/v1/txs", `{"tx":"YT0x","timeout_ms":-1}`, nil, 400, client.CodeInvalidRequest},
		{"tx too large", "POST", "/v1/txs", `{"tx":"` + bigTx + `"}`, nil, 413, client.CodeTxTooLarge},
		{"body too large", "POST", "/v1/txs", `{"tx":"` + bigTx + bigTx + `"}`, nil, 413, client.CodeBodyTooLarge},
		{"small body too large", "POST", "/v1/auth/token", `{"identity":"` + strings.Repeat("a", 20000) + `"}`, nil, 413, client.CodeBodyTooLarge},
		{"bad hash", "GET", "/v1/txs/zz", "", nil, 400, client.CodeInvalidHash},
		{"short hash", "GET", "/v1/txs/abcd", "", nil, 400, client.CodeInvalidHash},
		{"unknown tx", "GET", "/v1/txs/" + hash, "", nil, 404, client.CodeTxNotFound},
		{"bad receipt hash", "GET", "/v1/receipts/" + hash + "00", "", nil, 400, client.CodeInvalidHash},
		{"unknown receipt", "GET", "/v1/receipts/" + hash, "", nil, 404, client.CodeTxNotFound},
		{"events anonymous", "GET", "/v1/events", "", nil, 401, client.CodeInvalidToken},
		{"events bad token", "GET", "/v1/events", "", map[string]string{"Authorization": "Bearer nope"}, 401, client.CodeInvalidToken},
		{"events from 0", "GET", "/v1/events?from=0", "", bearer, 400, client.CodeInvalidRequest},
		{"events from text", "GET", "/v1/events?from=abc", "", bearer, 400, client.CodeInvalidRequest},
		{"bad last event id", "GET", "/v1/events", "", map[string]string{"Last-Event-ID": "12", "Authorization": bearer["Authorization"]}, 400, client.CodeInvalidRequest},
		{"bad module", "GET", "/v1/q/Bad-Mod/x", "", nil, 400, client.CodeInvalidRequest},
		{"empty query path", "GET", "/v1/q/member/", "", nil, 400, client.CodeInvalidRequest},
		{"repeated param", "GET", "/v1/q/test/echo/a/b?k=1&k=2", "", bearer, 400, client.CodeInvalidRequest},
		{"unknown query", "GET", "/v1/q/member/nothing", "", nil, 404, "unknown_query"},
		{"auth required", "GET", "/v1/q/test/secret", "", nil, 401, "auth_required"},
		{"panic in the app", "GET", "/v1/q/test/panic", "", nil, 500, client.CodeInternal},
		{"storage failure", "GET", "/v1/q/test/fail", "", nil, 500, client.CodeInternal},
		{"challenge with fields", "POST", "/v1/auth/challenge", `{"x":1}`, nil, 400, client.CodeMalformedJSON},
		{"challenge not an object", "POST", "/v1/auth/challenge", `[]`, nil, 400, client.CodeMalformedJSON},
		{"token garbage", "POST", "/v1/auth/token", `garbage`, nil, 400, client.CodeMalformedJSON},
		{"token bad signature base64", "POST", "/v1/auth/token", `{"identity":"a","challenge":"b","signature":"%%"}`, nil, 400, client.CodeInvalidBase64},
		{"token unknown challenge", "POST", "/v1/auth/token", `{"identity":"a","challenge":"b","signature":"AAAA"}`, nil, 401, client.CodeInvalidChallenge},
		{"basic auth", "GET", "/v1/orgs", "", map[string]string{"Authorization": "Basic YTpi"}, 401, client.CodeInvalidToken},
		{"empty bearer", "GET", "/v1/orgs", "", map[string]string{"Authorization": "Bearer "}, 401, client.CodeInvalidToken},
		{"unknown bearer", "GET", "/v1/identities/x", "", map[string]string{"Authorization": "Bearer abc"}, 401, client.CodeInvalidToken},
		{"logout without token", "DELETE", "/v1/auth/token", "", nil, 401, client.CodeInvalidToken},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			status, hdr, b := do(t, c.method, env.URL+c.path, body, c.hdr)
			e := checkError(t, status, hdr, b, c.status, c.code)
			if status == 405 && hdr.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
			if status == 401 && !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
				t.Error("401 without WWW-Authenticate: Bearer")
			}
			if status == 500 && strings.Contains(e.Message, "purpose") {
				t.Errorf("internal error leaks detail: %q", e.Message)
			}
		})
	}

	t.Run("redirects", func(t *testing.T) {
		for path, loc := range map[string]string{"/v1//status": "/v1/status", "/v1/q/member": "/v1/q/member/"} {
			status, hdr, b := do(t, "GET", env.URL+path, nil, nil)
			if status/100 != 3 || hdr.Get("Location") != loc || len(b) != 0 || strings.Contains(hdr.Get("Content-Type"), "html") {
				t.Fatalf("%s: %d %v %q", path, status, hdr, b)
			}
		}
	})

	t.Run("the server still works after a panic", func(t *testing.T) {
		if _, err := env.Client.Status(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConfig(t *testing.T) {
	node := apitest.StartNode(t, apitest.NewApp())
	good := api.Config{RPC: node.RPC, App: apitest.NewApp(), TokenTTL: time.Minute}
	for _, c := range []struct {
		name string
		edit func(*api.Config)
	}{
		{"no rpc", func(c *api.Config) { c.RPC = nil }},
		{"no app", func(c *api.Config) { c.App = nil }},
		{"no token ttl", func(c *api.Config) { c.TokenTTL = 0 }},
		{"negative wait", func(c *api.Config) { c.TxWait = -1 }},
		{"genesis of another chain", func(c *api.Config) {
			g := *node.Genesis
			g.ChainID = "other"
			c.Genesis = &g
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.edit(&cfg)
			if _, err := api.New(cfg); err == nil {
				t.Fatal("accepted")
			}
		})
	}

	// Without Start: Handler serves, Start needs an address, no genesis is 404.
	s, err := api.New(good)
	if err != nil {
		t.Fatal(err)
	}
	if s.Addr() != "" {
		t.Fatal("address before Start")
	}
	if err := s.Start(); err == nil {
		t.Fatal("Start without an address")
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/genesis", nil))
	checkError(t, rec.Code, rec.Header(), rec.Body.Bytes(), 404, client.CodeNotFound)
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/status", nil))
	if rec.Code != 200 {
		t.Fatalf("status via Handler: %d %s", rec.Code, rec.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// Two servers may share a registry; Start twice fails.
	good.Listen = fmt.Sprintf("127.0.0.1:%d", apitest.FreePort(t))
	good.Registry = prometheus.NewRegistry()
	a, err := api.New(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.New(good); err != nil {
		t.Fatalf("second server on the same registry: %v", err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err == nil {
		t.Fatal("started twice")
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOpenAPI(t *testing.T) {
	env := apitest.NewEnv(t)
	raw, err := env.Client.OpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, api.OpenAPI()) {
		t.Fatal("served document differs from api.OpenAPI()")
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			OperationID string                     `json:"operationId"`
			Responses   map[string]json.RawMessage `json:"responses"`
			Parameters  []struct {
				Name string `json:"name"`
				In   string `json:"in"`
				Ref  string `json:"$ref"`
			} `json:"parameters"`
		} `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type   string `json:"type"`
				Scheme string `json:"scheme"`
			} `json:"securitySchemes"`
			Schemas    map[string]json.RawMessage `json:"schemas"`
			Parameters map[string]json.RawMessage `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Fatalf("security scheme %+v", s)
	}
	for _, name := range []string{"Error", "ErrorBody", "Status", "TxResult", "Tx", "TxEvent", "BlockEvent", "Challenge", "TokenRequest", "Token", "Receipt"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}
	// Every $ref resolves.
	for _, ref := range regexp.MustCompile(`"\$ref":"#/components/(\w+)/([\w.\-]+)"`).FindAllSubmatch(raw, -1) {
		var section map[string]json.RawMessage
		switch string(ref[1]) {
		case "schemas":
			section = doc.Components.Schemas
		case "parameters":
			section = doc.Components.Parameters
		case "responses":
			section = map[string]json.RawMessage{"Error": nil}
			if !strings.Contains(string(raw), `"responses":{"Error":`) {
				t.Error("components.responses.Error missing")
			}
		default:
			t.Errorf("ref to %s", ref[1])
			continue
		}
		if _, ok := section[string(ref[2])]; !ok {
			t.Errorf("dangling $ref %s/%s", ref[1], ref[2])
		}
	}

	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	pathParam := regexp.MustCompile(`\{(\w+)(\.\.\.)?\}`)
	for _, rt := range api.Routes() {
		p := pathParam.ReplaceAllString(rt.Pattern, "{$1}")
		key := rt.Method + " " + p
		if !documented[key] {
			t.Errorf("route %s %s is not in the OpenAPI document", rt.Method, rt.Pattern)
			continue
		}
		delete(documented, key)
		op := doc.Paths[p][strings.ToLower(rt.Method)]
		if op.OperationID != rt.OperationID {
			t.Errorf("%s: operationId %q, want %q", key, op.OperationID, rt.OperationID)
		}
		if op.Responses["default"] == nil {
			t.Errorf("%s: no default (error) response", key)
		}
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			found := false
			for _, prm := range op.Parameters {
				found = found || (prm.Name == m[1] && prm.In == "path") || strings.HasSuffix(prm.Ref, "/"+strings.ToUpper(m[1][:1])+m[1][1:]) || (m[1] == "id" && strings.HasSuffix(prm.Ref, "/ID"))
			}
			if !found {
				t.Errorf("%s: path parameter %s undocumented", key, m[1])
			}
		}

		// The route is registered: a request reaches a handler, not the
		// router's 404 or 405.
		path := pathParam.ReplaceAllStringFunc(rt.Pattern, func(string) string { return "x" })
		if rt.Pattern == "/v1/events" {
			continue // a stream; covered by TestEventStream
		}
		status, _, b := do(t, rt.Method, env.URL+path, strings.NewReader("{}"), nil)
		if status == 405 || (status == 404 && strings.Contains(string(b), "no route")) {
			t.Errorf("%s is not registered: %d %s", key, status, b)
		}
	}
	for key := range documented {
		// The module queries are described one by one; the query
		// route serves them all.
		if strings.HasPrefix(key, "GET /v1/q/") {
			if op := doc.Paths[strings.TrimPrefix(key, "GET ")]["get"]; op.OperationID == "" || op.Responses["200"] == nil || op.Responses["default"] == nil {
				t.Errorf("%s: no operationId, 200 or default response", key)
			}
			continue
		}
		t.Errorf("the OpenAPI document describes %s, which is not a route", key)
	}
}

func TestMetrics(t *testing.T) {
	extra := prometheus.NewRegistry()
	extraCounter := prometheus.NewCounter(prometheus.CounterOpts{Name: "cometbft_like_total", Help: "x"})
	extra.MustRegister(extraCounter)
	env := apitest.NewEnv(t, func(c *api.Config) { c.Gatherers = []prometheus.Gatherer{extra} })
	appCounter := prometheus.NewCounter(prometheus.CounterOpts{Name: "otcchain_app_test_total", Help: "x"})
	env.Registry.MustRegister(appCounter)
	appCounter.Add(3)
	ctx := context.Background()
	if _, err := env.Client.Status(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := env.Client.Tx(ctx, "zz")
	if !client.IsCode(err, client.CodeInvalidHash) {
		t.Fatal(err)
	}
	do(t, "GET", env.URL+"/nope", nil, nil)
	text, err := env.Client.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`otcchain_api_requests_total{route="GET /v1/status",status="200"} 1`,
		`otcchain_api_requests_total{route="GET /v1/txs/{hash}",status="400"} 1`,
		`otcchain_api_requests_total{route="unmatched",status="404"} 1`,
		`otcchain_api_request_duration_seconds_bucket{route="GET /v1/status",status="200",le="+Inf"} 1`,
		`otcchain_api_request_duration_seconds_count{route="GET /v1/status",status="200"} 1`,
		"otcchain_api_event_streams 0",
		"otcchain_api_tx_waiters 0",
		"otcchain_app_test_total 3",
		"cometbft_like_total 0",
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestEventStream(t *testing.T) {
	env := apitest.NewEnv(t, func(c *api.Config) {
		c.Heartbeat = 50 * time.Millisecond
		c.MaxStreams = 2
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var res []*client.TxResult
	for i := range 3 {
		r, err := env.Client.BroadcastTx(ctx, fmt.Appendf(nil, "s%d=%d", i, i), true)
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, r)
	}

	type sse struct{ id, event, data string }
	rc, _ := env.Login(t, "reg", module.RoleRegulator)
	auth := "Bearer " + rc.Token()
	open := func(t *testing.T, query string, hdr map[string]string) (*bufio.Reader, func()) {
		t.Helper()
		sctx, scancel := context.WithCancel(ctx)
		req, _ := http.NewRequestWithContext(sctx, "GET", env.URL+"/v1/events"+query, nil)
		req.Header.Set("Authorization", auth)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		return bufio.NewReader(resp.Body), func() { scancel(); resp.Body.Close() }
	}
	// next reads the next tx event, counting heartbeats on the way.
	next := func(t *testing.T, r *bufio.Reader, heartbeats *int) sse {
		t.Helper()
		var ev sse
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == ": heartbeat":
				*heartbeats++
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			case line == "" && ev.event != "":
				return ev
			}
		}
	}

	t.Run("from a height", func(t *testing.T) {
		r, stop := open(t, fmt.Sprintf("?from=%d", res[0].Height), nil)
		defer stop()
		var hb int
		for i := range 3 {
			ev := next(t, r, &hb)
			var te client.TxEvent
			if err := json.Unmarshal([]byte(ev.data), &te); err != nil {
				t.Fatal(err)
			}
			wantID := fmt.Sprintf("%d:%d", res[i].Height, res[i].Index)
			if ev.event != "tx" || ev.id != wantID || te.ID != wantID || te.Hash != res[i].Hash || te.Height != res[i].Height {
				t.Fatalf("event %d: %+v %+v", i, ev, te)
			}
		}
	})

	t.Run("Last-Event-ID wins over from", func(t *testing.T) {
		id := fmt.Sprintf("%d:%d", res[0].Height, res[0].Index)
		r, stop := open(t, "?from=1", map[string]string{"Last-Event-ID": id})
		defer stop()
		var hb int
		ev := next(t, r, &hb)
		if ev.id != fmt.Sprintf("%d:%d", res[1].Height, res[1].Index) {
			t.Fatalf("resumed at %s, want the tx after %s", ev.id, id)
		}
	})

	t.Run("heartbeats and the stream bound", func(t *testing.T) {
		apitest.Eventually(t, 10*time.Second, func() bool {
			return gauge(t, env, "otcchain_api_event_streams") == 0
		}, "earlier streams closed")
		r1, stop1 := open(t, "", nil)
		defer stop1()
		_, stop2 := open(t, "", nil)
		status, hdr, b := do(t, "GET", env.URL+"/v1/events", nil, map[string]string{"Authorization": auth})
		checkError(t, status, hdr, b, 503, client.CodeOverCapacity)
		stop2()
		// Idle stream: heartbeats arrive, then a new tx.
		hb := 0
		for hb < 2 {
			line, err := r1.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if line == ": heartbeat\n" {
				hb++
			}
		}
		// The slot freed by the closed stream is reusable.
		apitest.Eventually(t, 10*time.Second, func() bool {
			req, _ := http.NewRequestWithContext(ctx, "GET", env.URL+"/v1/events", nil)
			req.Header.Set("Authorization", auth)
			sctx, c := context.WithCancel(ctx)
			defer c()
			resp, err := http.DefaultClient.Do(req.WithContext(sctx))
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			return resp.StatusCode == 200
		}, "stream slot freed")
		r, err := env.Client.BroadcastTx(ctx, []byte("later=1"), true)
		if err != nil {
			t.Fatal(err)
		}
		ev := next(t, r1, &hb)
		if !strings.Contains(ev.data, r.Hash) {
			t.Fatalf("live event %+v, want %s", ev, r.Hash)
		}
	})
}

// TestConcurrentWaits has many requests wait for their txs at once: the
// block feed must resolve each exactly once.
func TestConcurrentWaits(t *testing.T) {
	env := apitest.NewEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	heights := make(chan int64, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw := fmt.Appendf(nil, "c%d=%d", i, i)
			res, err := env.Client.BroadcastTx(ctx, raw, true)
			if err == nil && (!res.Committed || res.Hash != client.TxHash(raw)) {
				err = fmt.Errorf("result %+v", res)
			}
			if err != nil {
				errs <- err
				return
			}
			heights <- res.Height
		}()
	}
	wg.Wait()
	close(errs)
	close(heights)
	for err := range errs {
		t.Fatal(err)
	}
	if len(heights) != n {
		t.Fatalf("%d results", len(heights))
	}
}

// gauge reads an unlabelled metric from /metrics (-1 when absent).
func gauge(t *testing.T, env *apitest.Env, name string) float64 {
	t.Helper()
	text, err := env.Client.Metrics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil {
				return f
			}
		}
	}
	return -1
}
