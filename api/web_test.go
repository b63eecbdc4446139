package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/api/apitest"
)

// TestWeb: with a Web handler the API serves it at /console/ and /verify/
// and sends / to the console; without one all are the API's JSON 404.
func TestWeb(t *testing.T) {
	node := apitest.StartNode(t, apitest.NewApp())
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "console at "+r.URL.Path) })
	for _, withWeb := range []bool{true, false} {
		cfg := api.Config{RPC: node.RPC, App: apitest.NewApp(), TokenTTL: time.Minute}
		if withWeb {
			cfg.Web = page
		}
		s, err := api.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		do := func(path string) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			return rec
		}
		c, root, status, v, v0 := do("/console/funds"), do("/"), do("/v1/status"), do("/verify/"), do("/verify")
		if status.Code != 200 {
			t.Fatalf("web %t: /v1/status %d", withWeb, status.Code)
		}
		if withWeb {
			if c.Code != 200 || c.Body.String() != "console at /console/funds" {
				t.Errorf("/console/funds: %d %q", c.Code, c.Body)
			}
			if root.Code != http.StatusFound || root.Header().Get("Location") != "/console/" {
				t.Errorf("/: %d %q", root.Code, root.Header().Get("Location"))
			}
			if v.Body.String() != "console at /verify/" || v0.Body.String() != "console at /verify" {
				t.Errorf("/verify/: %d %q; /verify: %d %q", v.Code, v.Body, v0.Code, v0.Body)
			}
			continue
		}
		for _, r := range []*httptest.ResponseRecorder{c, root, v, v0} {
			if r.Code != 404 || !strings.Contains(r.Body.String(), `"code":"not_found"`) {
				t.Errorf("without web: %d %s", r.Code, r.Body)
			}
		}
	}
}
