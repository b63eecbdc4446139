package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/keystore"
)

// TestAuditCLI: reads through a node's API land in its audit log; only the
// regulator exports it; the export verifies offline, a tampered copy does
// not, and a torn tail is repaired only on request.
func TestAuditCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	tn := startTestNet(t, "otc-audit-cli", "audit-cli-pass", time.Time{})
	dir, ctx, tmp := tn.dir, context.Background(), t.TempDir()
	res := tn.res
	apiURL := res.Consortium.Nodes[0].APIURL

	// A reseller's read of an investor record (unknown here) and an
	// anonymous one, both recorded.
	o, _ := res.Consortium.Org("rs-bank")
	ks, err := keystore.Open(o.Keystore)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ks.Load("operator", []byte(tn.pass))
	if err != nil {
		t.Fatal(err)
	}
	bankID, _ := res.Consortium.Identity("rs-bank", "operator")
	bank := client.New(apiURL)
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err = bank.Login(ctx, bankID.ID, key.Sign); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bank.Query(ctx, "fund/investors/INV404", nil); err == nil {
		t.Fatal("read of an unknown investor")
	}
	if _, err := client.New(apiURL).Query(ctx, "fund/investors/INV404", nil); err == nil {
		t.Fatal("anonymous read of an investor")
	}

	env := tn.env()
	out := filepath.Join(tmp, "audit.jsonl")
	if o, err := run(t, ctx, env, "audit", "export", "--home", dir, "--as", "rs-bank/operator", "--out", out); err == nil || !strings.Contains(err.Error(), "not_permitted") {
		t.Fatalf("a reseller exported: %v\n%s", err, o)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a refused export left a file")
	}
	o2, err := run(t, ctx, env, "audit", "export", "--home", dir, "--as", "regulator/operator", "--api", apiURL, "--out", out)
	if err != nil || !strings.Contains(o2, "the chain verifies") {
		t.Fatalf("regulator export: %v\n%s", err, o2)
	}
	v := mustRun(t, nil, "audit", "verify", out)
	for _, want := range []string{"genesis", "node " + res.Consortium.Nodes[0].NodeID, "personal_data_read", "fund/investors/INV404", bankID.ID + " (rs-bank/reseller)", "anonymous", "audit_export", "OK: "} {
		if !strings.Contains(v, want) {
			t.Errorf("verify output lacks %q:\n%s", want, v)
		}
	}

	// A tampered copy: the first broken seq is named and the exit is an error.
	raw, _ := os.ReadFile(out)
	bad := filepath.Join(tmp, "tampered.jsonl")
	os.WriteFile(bad, bytes.Replace(raw, []byte("INV404"), []byte("INV405"), 1), 0o600)
	if o, err := run(t, ctx, nil, "audit", "verify", "--quiet", bad); err == nil || !strings.Contains(o, "BROKEN at seq 1 ") {
		t.Fatalf("tampered copy: %v\n%s", err, o)
	}
	// A torn tail: verify fails; repair cuts it; verify passes.
	torn := filepath.Join(tmp, "torn.jsonl")
	os.WriteFile(torn, append(bytes.Clone(raw), `{"seq":99,"ti`...), 0o600)
	if _, err := run(t, ctx, nil, "audit", "verify", "-q", torn); err == nil {
		t.Fatal("a torn copy verified")
	}
	if o := mustRun(t, nil, "audit", "repair", torn); !strings.Contains(o, "cut a torn last line of 13 bytes") {
		t.Fatalf("repair: %s", o)
	}
	mustRun(t, nil, "audit", "verify", "-q", torn)
	// --head: an export compared with a later head fails.
	if _, err := run(t, ctx, nil, "audit", "verify", "-q", "--head", strings.Repeat("0", 64), out); err == nil {
		t.Fatal("verify --head with another head")
	}
}
