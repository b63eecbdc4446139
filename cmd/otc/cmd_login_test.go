package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLoginEventsCLI: otc login prints a bearer token that curl-like tools
// use as is; otc events prints one line per event of the stream.
func TestLoginEventsCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nodes")
	}
	tn := startTestNet(t, "otc-login-cli", "login-cli-pass", time.Time{})
	ctx, env := context.Background(), tn.env()

	tok, err := run(t, ctx, env, "login", "--home", tn.dir, "--as", "rs-bank/operator")
	if err != nil {
		t.Fatalf("login: %v\n%s", err, tok)
	}
	tok = strings.TrimSpace(tok)
	if strings.ContainsAny(tok, " \n") || len(tok) < 20 {
		t.Fatalf("stdout is not the token alone: %q", tok)
	}
	get := func(bearer string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, tn.api+"/v1/q/fund/jobs", nil)
		if err != nil {
			t.Fatal(err)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(""); code != http.StatusUnauthorized {
		t.Fatalf("without the token: %d %s", code, body)
	}
	if code, body := get(tok); code != http.StatusOK {
		t.Fatalf("with the printed token: %d %s", code, body)
	}

	o, err := run(t, ctx, env, "login", "--home", tn.dir, "--as", "rs-bank/operator", "--json")
	var j struct {
		Token, Identity, API string
		Expires              time.Time
	}
	if err != nil || json.Unmarshal([]byte(o), &j) != nil || j.Token == "" || j.API != tn.api || !j.Expires.After(time.Now()) {
		t.Fatalf("login --json: %v\n%s", err, o)
	}
	if o, err := run(t, ctx, env, "login", "--api", tn.api); err == nil || !strings.Contains(err.Error(), "this command signs") {
		t.Fatalf("login without an identity: %v\n%s", err, o)
	}

	// An anchor gives the stream an event that rs-bank may see.
	doc := filepath.Join(t.TempDir(), "doc.txt")
	if err := os.WriteFile(doc, []byte("a document"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, "anchor", doc, "--home", tn.dir, "--as", "rs-bank/operator")
	o, err = run(t, ctx, env, "events", "--api", tn.api, "--home", tn.dir, "--as", "rs-bank/operator", "--from", "1", "--count", "1", "--type", "document_anchored")
	line := regexp.MustCompile(`^\d+:\d+\s+evidence/document_anchored\s+.*\(tx [0-9a-f]{64}\)\n$`)
	if err != nil || !line.MatchString(o) {
		t.Fatalf("events: %v\n%q", err, o)
	}
	o, err = run(t, ctx, env, "events", "--home", tn.dir, "--as", "rs-bank/operator", "--from", "1", "--count", "1", "--json", "--type", "document_anchored")
	var ev streamedEvent
	if err != nil || json.Unmarshal([]byte(o), &ev) != nil || ev.Type != "document_anchored" || ev.Tx == "" {
		t.Fatalf("events --json: %v\n%s", err, o)
	}
	if o, err := run(t, ctx, env, "events", "--api", tn.api, "--attr", "novalue"); err == nil || !strings.Contains(err.Error(), "KEY=VALUE") {
		t.Fatalf("bad --attr: %v\n%s", err, o)
	}
}
