package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/node"
)

// TestContractCLI runs otc contract commands against a one-validator
// network in this process, as docs/contract-cli.md shows them: fm-alpha
// drafts a distribution agreement with rs-bank, both legal stages approve,
// both operators sign with their organisation's seal, a party downloads it
// (recorded), a stranger cannot, and the file verifies with its receipts
// from the genesis file while an altered copy is not found.
func TestContractCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	tn := startTestNet(t, "otc-contract-cli", "contract-cli-pass", time.Time{})
	dir, ctx := tn.dir, context.Background()
	res := tn.res
	api := res.Consortium.Nodes[0].APIURL
	deadline := time.Now().Add(time.Minute)
	for {
		if out, err := run(t, ctx, nil, "contract", "type", "distribution_agreement", "--api", api); err == nil {
			if !strings.Contains(out, `"counterparty_legal"`) {
				t.Fatalf("contract type distribution_agreement:\n%s", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the node did not answer")
		}
		time.Sleep(100 * time.Millisecond)
	}

	env := tn.env()
	as := func(who string, args ...string) (string, error) {
		t.Helper()
		return run(t, ctx, env, append(args, "--home", dir, "--as", who)...)
	}
	must := func(who string, args ...string) string {
		t.Helper()
		out, err := as(who, args...)
		if err != nil {
			t.Fatalf("otc %s as %s: %v\n%s", strings.Join(args, " "), who, err, out)
		}
		return out
	}
	refused := func(want, who string, args ...string) string {
		t.Helper()
		out, err := as(who, args...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("otc %s as %s: want an error with %q, got %v\n%s", strings.Join(args, " "), who, want, err, out)
		}
		return out
	}

	// Genesis registered every organisation's seal.
	alphaSeal, _ := res.Consortium.Identity("fm-alpha", node.SealKey)
	bankSeal, _ := res.Consortium.Identity("rs-bank", node.SealKey)
	if out := mustRun(t, nil, "contract", "seals", "rs-bank", "--api", api); !strings.Contains(out, bankSeal.ID) || !strings.Contains(out, "合同专用章") {
		t.Errorf("seals rs-bank:\n%s", out)
	}

	tmp := t.TempDir()
	doc := filepath.Join(tmp, "distribution-agreement.txt")
	text := []byte("Distribution agreement 基金销售代理协议\nfm-alpha appoints rs-bank to sell fund 000001.\n")
	if err := os.WriteFile(doc, text, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(tmp, "big.pdf")
	if err := os.WriteFile(big, make([]byte, contract.MaxDocumentBytes), 0o644); err != nil {
		t.Fatal(err)
	}
	const id = "DA-2026-001"
	create := []string{"contract", "create", "--id", id, "--type", "distribution_agreement", "--title", "Distribution agreement 000001",
		"--party", "fm-alpha", "--party", "rs-bank"}
	refused("data-exchange store", "fm-alpha/operator", append(create, "--file", big)...)
	out := must("fm-alpha/operator", append(create, "--file", doc)...)
	if !strings.Contains(out, `"status": "review"`) {
		t.Errorf("create:\n%s", out)
	}

	// Review: the creator's legal stage, then the counterparty's.
	refused("contract/10 review_stage", "rs-bank/admin", "contract", "review", "--contract", id, "--version", "1", "--stage", "counterparty_legal", "--approve")
	refused("contract/8 status", "fm-alpha/operator", "contract", "sign", "--contract", id, "--version", "1")
	must("fm-alpha/admin", "contract", "review", "--contract", id, "--version", "1", "--stage", "legal", "--approve", "--comment", "ok")
	if out := must("rs-bank/admin", "contract", "review", "--contract", id, "--version", "1", "--stage", "counterparty_legal", "--approve"); !strings.Contains(out, `"status": "signing"`) {
		t.Errorf("second review:\n%s", out)
	}

	// Signing: each operator with its organisation's seal; the bank with a
	// biometric verification record (only its hash goes on chain).
	bio := filepath.Join(tmp, "face-check.json")
	if err := os.WriteFile(bio, []byte(`{"result":"match","score":0.97}`), 0o600); err != nil {
		t.Fatal(err)
	}
	must("fm-alpha/operator", "contract", "sign", "--contract", id, "--version", "1")
	refused("contract/11 already_signed", "fm-alpha/operator", "contract", "sign", "--contract", id, "--version", "1")
	if out := must("rs-bank/operator", "contract", "sign", "--contract", id, "--version", "1", "--biometric-record", bio); !strings.Contains(out, `"status": "effective"`) {
		t.Errorf("second signature:\n%s", out)
	}
	out = must("regulator/operator", "contract", "show", id)
	for _, want := range []string{`"status": "effective"`, `"in_force": 1`, alphaSeal.ID, bankSeal.ID, `"biometric_hash"`} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %s:\n%s", want, out)
		}
	}

	// Download: a party decrypts it (recorded on chain); a stranger may not.
	got := filepath.Join(tmp, "got.txt")
	must("rs-bank/operator", "contract", "download", id, "--version", "1", "--out", got)
	if b, err := os.ReadFile(got); err != nil || !bytes.Equal(b, text) {
		t.Errorf("downloaded %q, %v", b, err)
	}
	var hist []contract.Event
	if err := json.Unmarshal([]byte(must("fm-alpha/operator", "contract", "history", id)), &hist); err != nil {
		t.Fatal(err)
	}
	actions := []string{}
	for _, e := range hist {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, " ") != "create review review sign sign effective download" {
		t.Errorf("history: %v", actions)
	}
	refused("not_permitted", "fm-beta/operator", "contract", "download", id, "--out", filepath.Join(tmp, "stolen.txt"))
	if _, err := os.Stat(filepath.Join(tmp, "stolen.txt")); err == nil {
		t.Error("a non-party's download wrote a file")
	}

	// Verification by any member, with the receipts checked offline from
	// the genesis file.
	genesis := filepath.Join(dir, "node0", "config", "genesis.json")
	out = must("cust-trust/operator", "contract", "verify", doc, "--genesis", genesis)
	for _, want := range []string{"contract " + id, "document matches the signed hash: yes", "all signed: yes", "seal " + alphaSeal.ID,
		"biometric record hash", "[met    ] (4)", "valid: yes", "RESULT: verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify lacks %q:\n%s", want, out)
		}
	}
	if c := strings.Count(out, "receipt verifies (2/3+ of the validators signed block"); c != 2 {
		t.Errorf("verify: %d receipts verified, want 2:\n%s", c, out)
	}
	var rep contractVerification
	if err := json.Unmarshal([]byte(must("cust-trust/operator", "contract", "verify", doc, "--genesis", genesis, "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.OK || !rep.Found || len(rep.Matches) != 1 || len(rep.Matches[0].Receipts) != 2 || !rep.Matches[0].Receipts[1].OK || rep.TrustRoot == "" {
		t.Errorf("verify --json: %+v", rep)
	}

	// One byte changed: not found, non-zero exit.
	altered := filepath.Join(tmp, "altered.txt")
	if err := os.WriteFile(altered, append(bytes.Clone(text[:len(text)-1]), '!'), 0o644); err != nil {
		t.Fatal(err)
	}
	out = refused("matches no contract version", "cust-trust/operator", "contract", "verify", altered, "--genesis", genesis)
	if !strings.Contains(out, "NOT FOUND") {
		t.Errorf("verify altered:\n%s", out)
	}
}
