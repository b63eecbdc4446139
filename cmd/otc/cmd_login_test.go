package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLoginAndEvents: otc login prints a bearer token that a plain HTTP
// client (as curl would) can use; otc events follows the stream with it and
// prints one line per event; a revoked token is refused.
func TestLoginAndEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nodes")
	}
	tn := startTestNet(t, "otc-login-cli", "login-cli-pass", time.Time{})
	ctx, env := context.Background(), tn.env()

	out := mustRun(t, env, "login", "--home", tn.dir, "--as", "fm-alpha/operator")
	token := strings.TrimSpace(out)
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{20,}$`).MatchString(token) {
		t.Fatalf("login printed %q, want the token alone", out)
	}
	var js struct {
		Token, Identity, API string
		Expires              time.Time
	}
	if err := json.Unmarshal([]byte(mustRun(t, env, "login", "--home", tn.dir, "--as", "fm-alpha/operator", "--json")), &js); err != nil ||
		js.Token == "" || js.Identity == "" || js.API != tn.api || js.Expires.IsZero() {
		t.Fatalf("login --json: %v %+v", err, js)
	}

	doc := filepath.Join(t.TempDir(), "doc.txt")
	if err := os.WriteFile(doc, []byte("login test"), 0o644); err != nil {
		t.Fatal(err)
	}
	anchor := mustRun(t, env, "anchor", doc, "--home", tn.dir, "--as", "fm-alpha/operator")
	hash := strings.Fields(anchor)[1]

	// The stream from height 1 with the token holds the anchor's tx.
	o, err := run(t, ctx, env, "events", "--api", tn.api, "--token", token, "--from", "1", "--count", "1")
	if err != nil || !strings.Contains(o, " tx "+hash+" code=0 ") || strings.Count(o, "\n") != 1 {
		t.Fatalf("events: %v\n%s", err, o)
	}
	o, err = run(t, ctx, env, "events", "--home", tn.dir, "--as", "fm-alpha/operator", "--from", "1", "--count", "1", "--json")
	var line eventLine
	if err != nil || json.Unmarshal([]byte(o), &line) != nil || line.Hash != hash || line.Kind != "tx" || line.Type == "" {
		t.Fatalf("events --json: %v\n%s", err, o)
	}

	// curl -X DELETE -H "Authorization: Bearer $TOKEN" .../v1/auth/token
	req, _ := http.NewRequest(http.MethodDelete, tn.api+"/v1/auth/token", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke with the printed token: %s", resp.Status)
	}
	if o, err := run(t, ctx, env, "events", "--api", tn.api, "--token", token, "--from", "1", "--count", "1"); err == nil || !strings.Contains(err.Error(), "invalid_token") {
		t.Fatalf("events with a revoked token: %v\n%s", err, o)
	}
}
