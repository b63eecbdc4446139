package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/pki"
)

// syncBuffer is a bytes.Buffer safe for a command writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testMain is a Main with captured output and a fixed environment.
func testMain(env map[string]string) (*Main, *syncBuffer, *syncBuffer) {
	out, errOut := &syncBuffer{}, &syncBuffer{}
	m := &Main{
		Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut,
		Getenv: func(k string) string { return env[k] },
	}
	return m, out, errOut
}

// run parses and runs one command line.
func run(t *testing.T, ctx context.Context, env map[string]string, args ...string) (string, error) {
	t.Helper()
	m, out, _ := testMain(env)
	if err := m.ParseFlags(ctx, args); err != nil {
		return out.String(), err
	}
	err := m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), err
}

func mustRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	out, err := run(t, context.Background(), env, args...)
	if err != nil {
		t.Fatalf("otc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func passFile(t *testing.T, pass string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(f, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// freeBasePort finds a free range of ports for n nodes below 32768.
func freeBasePort(t *testing.T, n int) int {
	t.Helper()
	for try := 0; try < 200; try++ {
		base := 20000 + 10*rand.IntN(1100)
		ok := true
		for p := base; p < base+10*(n-1)+4 && ok; p++ {
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				ok = false
				continue
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free ports")
	return 0
}

func TestTestnetCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	pf := passFile(t, "s3cret passphrase")
	args := []string{"testnet", "--validators", "2", "--out", dir, "--chain-id", "otc-cli",
		"--passphrase-file", pf, "--base-port", "23000", "--scrypt-n", "1024"}
	out := mustRun(t, nil, args...)
	for _, want := range []string{"otc-cli", "2 validators", "6 organisations", "25 identities", "node0", "fm-alpha", "node1", "fm-beta", "otc start --home"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	cons, err := node.ReadConsortium(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cons.ChainID != "otc-cli" || len(cons.Nodes) != 2 || cons.Nodes[1].P2PPort != 23010 {
		t.Errorf("consortium: chain %s, %d nodes", cons.ChainID, len(cons.Nodes))
	}
	admin, _ := cons.Identity("rs-bank", "admin")
	ks, err := keystore.Open(admin.Keystore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Load("admin", []byte("s3cret passphrase")); err != nil {
		t.Errorf("generated key does not open with the passphrase file: %v", err)
	}
	// Keys of a generated network, by organisation.
	out = mustRun(t, nil, "keys", "list", "--home", dir)
	for _, want := range []string{"ORG", "regulator", "cust-trust", "investor-2", admin.ID} {
		if !strings.Contains(out, want) {
			t.Errorf("keys list --home lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, nil, "keys", "show", "--home", dir, "--org", "rs-bank", "admin")
	if !strings.Contains(out, admin.ID) || !strings.Contains(out, "Example Commercial Bank Administrator") {
		t.Errorf("keys show --home:\n%s", out)
	}
	for _, args := range [][]string{
		{"keys", "show", "--home", dir, "admin"},
		{"keys", "list", "--home", dir, "--org", "nope"},
	} {
		if _, err := run(t, context.Background(), nil, args...); err == nil {
			t.Errorf("otc %q succeeded", args)
		}
	}

	// A second run refuses to overwrite.
	if _, err := run(t, context.Background(), nil, args...); err == nil {
		t.Error("testnet overwrote its output")
	}
	// --hosts: one per node.
	dir2 := filepath.Join(t.TempDir(), "net2")
	mustRun(t, map[string]string{PassphraseEnv: "x"}, "testnet", "--validators", "2", "--out", dir2,
		"--hosts", "10.1.0.1,10.1.0.2", "--scrypt-n", "1024")
	cons2, err := node.ReadConsortium(dir2)
	if err != nil {
		t.Fatal(err)
	}
	if cons2.Nodes[1].Host != "10.1.0.2" {
		t.Errorf("hosts: %+v", cons2.Nodes[1])
	}
}

func TestParseFlagsErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", []string{"status", "--nope"}, "unknown flag"},
		{"testnet without out", []string{"testnet"}, "out"},
		{"testnet extra argument", []string{"testnet", "--out", "x", "extra"}, "unknown command"},
		{"start without home", []string{"start"}, "home"},
		{"keys new without name", []string{"keys", "new", "--keystore", "ks"}, "accepts 1 arg"},
		{"keys without keystore", []string{"keys", "list"}, "keystore"},
		{"keys with keystore and home", []string{"keys", "list", "--keystore", "a", "--home", "b"}, "none of the others"},
		{"ca issue both keys", []string{"ca", "issue", "--keystore", "k", "--role", "investor", "--name", "n",
			"--pubkey-from", "a", "--pubkey", "00", "--alg", "ed25519"}, "none of the others"},
		{"ca issue no key", []string{"ca", "issue", "--keystore", "k", "--role", "investor", "--name", "n"}, "at least one"},
		{"ca issue pubkey without alg", []string{"ca", "issue", "--keystore", "k", "--role", "investor", "--name", "n", "--pubkey", "00"}, "alg"},
		{"ca init without org", []string{"ca", "init", "--name", "n", "--keystore", "k"}, "org"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _, _ := testMain(nil)
			err := m.ParseFlags(context.Background(), tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseFlags(%q) = %v, want an error mentioning %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{nil, {"--help"}, {"keys"}, {"ca", "--help"}, {"dev", "-h"}} {
		out := mustRun(t, nil, args...)
		if !strings.Contains(out, "Usage:") {
			t.Errorf("otc %q printed no usage:\n%s", args, out)
		}
	}
	out := mustRun(t, nil)
	for _, c := range []string{"dev", "testnet", "start", "keys", "ca", "status"} {
		if !strings.Contains(out, "\n  "+c+" ") {
			t.Errorf("help does not list %s:\n%s", c, out)
		}
	}
}

func TestKeysAndCA(t *testing.T) {
	dir := t.TempDir()
	caKS := filepath.Join(dir, "ca-keys")
	userKS := filepath.Join(dir, "user-keys")
	caPEM := filepath.Join(dir, "ca.pem")
	env := map[string]string{PassphraseEnv: "pw-from-env"}

	// Without any passphrase source, and no terminal, key creation fails.
	if _, err := run(t, context.Background(), nil, "keys", "new", "--keystore", userKS, "bob"); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("keys new without passphrase: %v", err)
	}

	out := mustRun(t, env, "ca", "init", "--org", "acme-bank", "--name", "Acme Bank CA", "--alg", "sm2", "--keystore", caKS, "--out", caPEM)
	if !strings.Contains(out, "acme-bank") {
		t.Errorf("ca init output: %s", out)
	}
	out = mustRun(t, env, "keys", "new", "--keystore", userKS, "--alg", "p256", "alice")
	if !strings.Contains(out, "p256") || !strings.Contains(out, "alice") {
		t.Errorf("keys new output: %s", out)
	}
	alicePEM := filepath.Join(dir, "alice.pem")
	out = mustRun(t, env, "ca", "issue", "--ca", caPEM, "--ca-key", "ca", "--keystore", caKS, "--role", "investor",
		"--name", "Alice Zhang", "--pubkey-from", "alice", "--pubkey-keystore", userKS, "--days", "30", "--out", alicePEM)

	ca := parseCertFile(t, caPEM)
	alice := parseCertFile(t, alicePEM)
	if err := alice.VerifyIssuedBy(ca, time.Now()); err != nil {
		t.Fatalf("issued certificate does not verify: %v", err)
	}
	if alice.Org != "acme-bank" || alice.Role != "investor" || alice.Name != "Alice Zhang" || alice.PublicKey.Algorithm() != crypto.P256 {
		t.Errorf("certificate %+v", alice)
	}
	if !strings.Contains(out, alice.ID) {
		t.Errorf("ca issue does not print the identity id:\n%s", out)
	}
	if d := alice.NotAfter.Sub(time.Now()); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Errorf("validity ends in %s, want 30 days", d)
	}

	// The certificate is stored beside alice's key: list and show say so.
	out = mustRun(t, nil, "keys", "list", "--keystore", userKS)
	if !strings.Contains(out, "alice") || !strings.Contains(out, alice.ID) {
		t.Errorf("keys list:\n%s", out)
	}
	out = mustRun(t, nil, "keys", "show", "--keystore", userKS, "alice")
	for _, want := range []string{alice.ID, "acme-bank", "investor", "Alice Zhang"} {
		if !strings.Contains(out, want) {
			t.Errorf("keys show lacks %q:\n%s", want, out)
		}
	}

	// --pubkey HEX, and a wrong passphrase from a file.
	k, err := crypto.GenerateKey(crypto.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	bobPEM := filepath.Join(dir, "bob.pem")
	issue := []string{"ca", "issue", "--ca", caPEM, "--keystore", caKS, "--role", "admin", "--name", "Bob Li",
		"--pubkey", hex.EncodeToString(k.Public().Bytes()), "--alg", "ed25519", "--out", bobPEM}
	if _, err := run(t, context.Background(), nil, append(issue, "--passphrase-file", passFile(t, "wrong"))...); err == nil {
		t.Fatal("ca issue accepted a wrong passphrase")
	}
	mustRun(t, env, issue...)
	bob := parseCertFile(t, bobPEM)
	if err := bob.VerifyIssuedBy(ca, time.Now()); err != nil || !bob.PublicKey.Equal(k.Public()) {
		t.Errorf("bob's certificate: %v", err)
	}
	// Existing output files are not replaced.
	if _, err := run(t, context.Background(), env, issue...); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("ca issue over an existing file: %v", err)
	}
}

func parseCertFile(t *testing.T, path string) *pki.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStartAndStatus generates a one-node network, runs otc start until
// its context ends, and queries it with otc status meanwhile.
func TestStartAndStatus(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	base := freeBasePort(t, 1)
	mustRun(t, map[string]string{PassphraseEnv: "pw"}, "testnet", "--validators", "1", "--out", dir,
		"--base-port", strconv.Itoa(base), "--scrypt-n", "1024", "--chain-id", "otc-start")
	// Keep the node's logs out of the test output.
	settings := filepath.Join(dir, "node0", "config", "otc.toml")
	s, err := node.LoadSettings(settings)
	if err != nil {
		t.Fatal(err)
	}
	s.Log.Level, s.Log.EngineLevel = "error", "none"
	if err := node.WriteSettings(settings, *s); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, startOut, _ := testMain(nil)
	if err := m.ParseFlags(ctx, []string{"start", "--home", filepath.Join(dir, "node0")}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	api := "http://127.0.0.1:" + strconv.Itoa(base+2)
	deadline := time.Now().Add(60 * time.Second)
	var out string
	for {
		out, err = run(t, ctx, nil, "status", "--api", api, "--timeout", "2s")
		if err == nil && regexp.MustCompile(`(?m)^height +1$`).MatchString(out) {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("start ended early: %v\n%s", err, startOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no status with a block: %v\n%s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(out, "otc-start") || !strings.Contains(out, "fm-alpha-node0") {
		t.Errorf("status output:\n%s", out)
	}
	if !strings.Contains(startOut.String(), api) {
		t.Errorf("start output lacks the API URL:\n%s", startOut.String())
	}
	// The evidence flow through the CLI: anchor a file, fetch its receipt,
	// take a checkpoint of an earlier header, and verify the receipt offline
	// from the genesis file and from the checkpoint, with the file.
	doc := filepath.Join(t.TempDir(), "nav.txt")
	if err := os.WriteFile(doc, []byte("NAV 000001 1.0234"), 0o644); err != nil {
		t.Fatal(err)
	}
	checkpoint := filepath.Join(t.TempDir(), "checkpoint.json")
	mustRun(t, nil, "checkpoint", "--rpc", "http://127.0.0.1:"+strconv.Itoa(base+1), "--height", "1", "--out", checkpoint)
	anchorOut := mustRun(t, map[string]string{PassphraseEnv: "pw"}, "anchor", doc, "--home", dir, "--as", "fm-alpha/operator")
	txHash := strings.Fields(anchorOut)[1]
	receipt := filepath.Join(t.TempDir(), "receipt.json")
	mustRun(t, nil, "receipt", txHash, "--api", api, "--out", receipt)
	genesis := filepath.Join(dir, "node0", "config", "genesis.json")
	for _, trust := range [][]string{{"--genesis", genesis}, {"--trusted-header", checkpoint}} {
		v := mustRun(t, nil, append([]string{"verify", receipt, "--file", doc}, trust...)...)
		if !strings.Contains(v, "receipt verifies") || !strings.Contains(v, "matches hash") {
			t.Errorf("verify %v:\n%s", trust, v)
		}
	}
	if err := os.WriteFile(doc, []byte("NAV 000001 9.9999"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, ctx, nil, "verify", receipt, "--genesis", genesis, "--file", doc); err == nil || !strings.Contains(err.Error(), "not in the committed transaction") {
		t.Errorf("a changed file verified: %v", err)
	}

	// Demo identities have an encryption key from genesis; set-enc-key says
	// so. After the key file is replaced (rotation), it registers the new one.
	env := map[string]string{PassphraseEnv: "pw"}
	encOut := mustRun(t, env, "identity", "set-enc-key", "--home", dir, "--as", "fm-alpha/operator")
	if !strings.Contains(encOut, "already registered (since height 0)") {
		t.Errorf("set-enc-key with the genesis key:\n%s", encOut)
	}
	c, err := node.ReadConsortium(dir)
	if err != nil {
		t.Fatal(err)
	}
	op, _ := c.Identity("fm-alpha", "operator")
	if err := os.Remove(filepath.Join(op.Keystore, "operator.enc")); err != nil {
		t.Fatal(err)
	}
	encOut = mustRun(t, env, "identity", "set-enc-key", "--home", dir, "--as", "fm-alpha/operator")
	if !strings.Contains(encOut, "created x25519 encryption key") || !strings.Contains(encOut, "committed") {
		t.Errorf("set-enc-key after rotation:\n%s", encOut)
	}
	shown := mustRun(t, nil, "identity", "show", op.ID, "--api", api)
	if strings.Count(shown, `"algorithm": "x25519"`) != 2 {
		t.Errorf("identity show after rotation should list two x25519 keys:\n%s", shown)
	}

	jsonOut := mustRun(t, nil, "status", "--api", api, "--json")
	if !strings.Contains(jsonOut, `"chain_id": "otc-start"`) {
		t.Errorf("status --json:\n%s", jsonOut)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("start: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("start did not stop after its context ended")
	}
	if _, err := run(t, context.Background(), nil, "status", "--api", api, "--timeout", "2s"); err == nil {
		t.Error("node still answers after start returned")
	}
}
