package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
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
	signOut := must("rs-bank/operator", "contract", "sign", "--contract", id, "--version", "1", "--biometric-record", bio)
	if !strings.Contains(signOut, `"status": "effective"`) {
		t.Errorf("second signature:\n%s", signOut)
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

	// The evidence certificate of the second signature (the Art. 13
	// report), offline and from the node, read back with independent tools.
	var signed struct {
		Tx string `json:"tx"`
	}
	if err := json.Unmarshal([]byte(signOut), &signed); err != nil || signed.Tx == "" {
		t.Fatalf("sign output %q: %v", signOut, err)
	}
	receipt := filepath.Join(tmp, "sign-receipt.json")
	mustRun(t, nil, "receipt", signed.Tx, "--api", api, "--out", receipt)
	certPDF := filepath.Join(tmp, "sign-certificate.pdf")
	bankOp, _ := res.Consortium.Identity("rs-bank", "operator")
	mustRun(t, nil, "evidence", "pdf", receipt, "--genesis", genesis, "--out", certPDF,
		"--org", "rs-bank=示例商业银行股份有限公司", "--identity", bankOp.ID+"=王芳@rs-bank", "--contract", id+"=基金销售代理协议")
	nodePDF := filepath.Join(tmp, "sign-certificate-node.pdf")
	resp, err := http.Get(api + "/v1/receipts/" + signed.Tx + "/certificate.pdf")
	if err != nil {
		t.Fatal(err)
	}
	nodeCert, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET certificate.pdf: %d %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	if err := os.WriteFile(nodePDF, nodeCert, 0o644); err != nil {
		t.Fatal(err)
	}
	if tools := pdfToolsIfAny(t); tools != nil {
		ref, _ := readBack(t, tools, certPDF, genesis, "电子签名验证报告", "Electronic signature verification report", "Art. 13",
			"示例商业银行股份有限公司 (rs-bank)", "王芳", "基金销售代理协议", id, "sm2", "2 of 2 parties have signed", "the contract is effective",
			"（四）签署后对数据电文内容和形式的", "(4) any alteration to the content and", strings.ToUpper(signed.Tx))
		if ref.TxHash != strings.ToUpper(signed.Tx) || ref.Fetch != "/v1/receipts/"+ref.TxHash {
			t.Errorf("QR payload %+v", ref)
		}
		// The node names the organisation as its state does.
		ref, _ = readBack(t, tools, nodePDF, genesis, "电子签名验证报告", "Example Commercial Bank (rs-bank)")
		if ref.Fetch != api+"/v1/receipts/"+strings.ToUpper(signed.Tx) {
			t.Errorf("node's QR payload %+v", ref)
		}
		if dir := os.Getenv("OTC_CERTIFICATE_OUT"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, "contract-signature.pdf"), nodeCert, 0o644)
		}
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
