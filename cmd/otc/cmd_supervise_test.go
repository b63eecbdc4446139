package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/internal/ports"
	"github.com/otcchain/otcchain/node"
)

// TestSuperviseCLI: on a real node, one officer's proposal freezes nothing,
// the same officer cannot approve it, a second officer's approval puts the
// freeze in force (listed by `freezes`), and a non-officer is refused.
func TestSuperviseCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	base, err := ports.FreeBase(1)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "net")
	const pass = "supervise-cli-pass"
	res, err := node.Testnet(node.TestnetConfig{OutDir: dir, ChainID: "otc-supervise-cli", Validators: 1, BasePort: base, Passphrase: pass, ScryptN: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n, err := node.Start(ctx, res.Homes[0], node.StartOptions{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), EngineLogLevel: "none", NoEngineMetrics: true, NoMetricsServer: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	env := map[string]string{PassphraseEnv: pass}
	as := func(who string, args ...string) (string, error) {
		return run(t, ctx, env, append(append([]string{"supervise"}, args...), "--home", dir, "--as", who)...)
	}
	propose := []string{"propose", "--id", "IV-1", "--action", "freeze", "--kind", "org", "--org", "rs-broker", "--reason", "licence suspended"}
	// Until the genesis block is committed, CheckTx knows no identity.
	var o string
	deadline := time.Now().Add(time.Minute)
	for {
		o, err = as("fm-alpha/operator", propose...)
		if err == nil || !strings.Contains(err.Error(), "unknown_signer") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err == nil || !strings.Contains(err.Error()+o, "role_not_permitted") {
		t.Fatalf("a fund manager proposed: %v\n%s", err, o)
	}
	if o, err := as("regulator/operator", propose...); err != nil || !strings.Contains(o, `"proposed"`) {
		t.Fatalf("propose: %v\n%s", err, o)
	}
	if o, err := as("regulator/operator", "freezes"); err != nil || strings.Contains(o, "rs-broker") {
		t.Fatalf("one officer froze: %v\n%s", err, o)
	}
	if o, err := as("regulator/operator", "approve", "IV-1"); err == nil || !strings.Contains(err.Error()+o, "same_officer") {
		t.Fatalf("the proposer approved: %v\n%s", err, o)
	}
	if o, err := as("regulator/officer-2", "approve", "IV-1"); err != nil || !strings.Contains(o, `"effective"`) {
		t.Fatalf("second officer: %v\n%s", err, o)
	}
	if o, err := as("regulator/operator", "freezes"); err != nil || !strings.Contains(o, "rs-broker") || !strings.Contains(o, "IV-1") {
		t.Fatalf("freezes: %v\n%s", err, o)
	}
	if o, err := as("regulator/officer-2", "show", "IV-1"); err != nil || strings.Count(o, `"officer"`) != 2 {
		t.Fatalf("show: %v\n%s", err, o)
	}
}
