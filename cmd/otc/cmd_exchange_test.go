package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/internal/ports"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/node"
)

// TestExchangeCLI runs otc exchange between organisations' nodes in this
// process (four validators): fm-alpha (node 0) sends a small file (inline) and a 5 MiB
// file (a blob on its node) to cust-trust (node 1). cust-trust receives
// both on its own node: the large one fetched from the sender's node, hash
// checked, a copy kept. A tampered blob is detected and nothing is written;
// with the sender's node down the fetch fails clearly and works after the
// restart; one file is accepted, the other rejected with a reason and the
// outbox shows both. rs-broker, no recipient, is refused and the attempt is
// in the sender node's audit log. Provenance over three versions and a
// derived report; verify with the receipt checked offline from genesis.
func TestExchangeCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two nodes")
	}
	base, err := ports.FreeBase(4)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "net")
	const pass = "exchange-cli-pass"
	orgs := node.DefaultOrgs()
	byID := map[string]node.OrgSpec{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	// Validator i belongs to organisation i: fm-alpha (0), cust-trust (1),
	// rs-broker (2) and the regulator (3) run nodes, so that the chain goes
	// on (3 of 4) while the sender's node is down.
	orgs = []node.OrgSpec{byID["fm-alpha"], byID["cust-trust"], byID["rs-broker"], byID["regulator"], byID["rs-bank"], byID["fm-beta"]}
	res, err := node.Testnet(node.TestnetConfig{OutDir: dir, ChainID: "otc-exchange-cli", Validators: 4, BasePort: base,
		Passphrase: pass, ScryptN: 1 << 10, Orgs: orgs})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := func(i int) *node.Node {
		t.Helper()
		var w io.Writer = io.Discard
		lvl := "none"
		if os.Getenv("EXCHANGE_DEBUG") != "" {
			f, _ := os.Create(filepath.Join(os.TempDir(), "exchange-node"+string(rune('0'+i))+".log"))
			w, lvl = f, "info"
		}
		n, err := node.Start(ctx, res.Homes[i], node.StartOptions{
			Logger: slog.New(slog.NewTextHandler(w, nil)), EngineLogLevel: lvl, NoEngineMetrics: true, NoMetricsServer: true})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	nodes := []*node.Node{start(0), start(1), start(2), start(3)}
	t.Cleanup(func() {
		for _, n := range nodes {
			if n != nil {
				if err := n.Stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			}
		}
	})
	alphaAPI, custAPI := res.Consortium.Nodes[0].APIURL, res.Consortium.Nodes[1].APIURL

	env := map[string]string{PassphraseEnv: pass}
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
	refused := func(want, who string, args ...string) {
		t.Helper()
		out, err := as(who, args...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("otc %s as %s: want an error with %q, got %v\n%s", strings.Join(args, " "), who, want, err, out)
		}
	}
	// Every user of the test logs in to its own organisation's node: wait
	// until each of those nodes has committed the genesis identities (a node
	// that has not yet committed its first block answers not_registered).
	deadline := time.Now().Add(time.Minute)
	for _, who := range []string{"cust-trust/operator", "fm-alpha/operator"} {
		for {
			if _, err := as(who, "exchange", "inbox"); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the node of %s did not answer", who)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	tmp := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	navText := []byte("fund,date,nav\n000001,2026-03-18,1.0234\n")
	nav1 := write("nav-20260318.csv", navText)
	bigData := make([]byte, 5<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range bigData {
		bigData[i] = byte(rng.Uint32())
	}
	big := write("reconciliation-2026Q1.bin", bigData)

	out := must("fm-alpha/operator", "exchange", "send", nav1, "--to", "cust-trust", "--category", "nav", "--id", "NAV-1")
	if !strings.Contains(out, `"inline_bytes"`) || strings.Contains(out, `"blob"`) {
		t.Fatalf("small send not inline:\n%s", out)
	}
	out = must("fm-alpha/operator", "exchange", "send", big, "--to", "cust-trust", "--category", "reconciliation", "--id", "REC-1")
	var sent struct {
		Blob struct {
			Hash string `json:"hash"`
			Size int64  `json:"size"`
			Node string `json:"node"`
		} `json:"blob"`
	}
	if err := json.Unmarshal([]byte(out), &sent); err != nil || sent.Blob.Node != alphaAPI || sent.Blob.Size <= 5<<20 {
		t.Fatalf("large send: %v\n%s", err, out)
	}
	blobPath := func(home, h string) string { return filepath.Join(home, "data", "blobs", h[:2], h) }
	if _, err := os.Stat(blobPath(res.Homes[0], sent.Blob.Hash)); err != nil {
		t.Fatalf("the sender's node does not keep the blob: %v", err)
	}

	// The small file: received and accepted.
	got1 := filepath.Join(tmp, "recv-nav.csv")
	out = must("cust-trust/operator", "exchange", "receive", "NAV-1", "--out", got1, "--api", custAPI)
	if b, err := os.ReadFile(got1); err != nil || !bytes.Equal(b, navText) || !strings.Contains(out, `"verified": true`) || !strings.Contains(out, `"ack_tx"`) {
		t.Fatalf("receive NAV-1: %v\n%s", err, out)
	}

	// A tampered blob on the sender's node: detected by its hash, nothing written.
	got2 := filepath.Join(tmp, "recv-rec.bin")
	orig, err := os.ReadFile(blobPath(res.Homes[0], sent.Blob.Hash))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(orig)
	bad[len(bad)/2] ^= 0x40
	if err := os.WriteFile(blobPath(res.Homes[0], sent.Blob.Hash), bad, 0o600); err != nil {
		t.Fatal(err)
	}
	refused("TAMPERED", "cust-trust/operator", "exchange", "receive", "REC-1", "--out", got2, "--api", custAPI, "--no-ack")
	assertNothing := func() {
		t.Helper()
		if _, err := os.Stat(got2); err == nil {
			t.Fatal("a file was written")
		}
		if m, _ := filepath.Glob(filepath.Join(tmp, ".recv-rec.bin.partial-*")); len(m) > 0 {
			t.Fatalf("temporary files left: %v", m)
		}
		if _, err := os.Stat(blobPath(res.Homes[1], sent.Blob.Hash)); err == nil {
			t.Fatal("the recipient's node kept a copy")
		}
	}
	assertNothing()
	if err := os.WriteFile(blobPath(res.Homes[0], sent.Blob.Hash), orig, 0o600); err != nil {
		t.Fatal(err)
	}

	// The sender's node down: a clear error; after the restart the retry works.
	if err := nodes[0].Stop(); err != nil {
		t.Fatal(err)
	}
	nodes[0] = nil
	refused("the sender's node at "+alphaAPI+" is unreachable", "cust-trust/operator", "exchange", "receive", "REC-1", "--out", got2, "--api", custAPI, "--no-ack")
	assertNothing()
	nodes[0] = start(0)
	deadline = time.Now().Add(time.Minute)
	for {
		out, err = as("cust-trust/operator", "exchange", "receive", "REC-1", "--out", got2, "--api", custAPI, "--no-ack")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("receive after the restart: %v\n%s", err, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if b, err := os.ReadFile(got2); err != nil || !bytes.Equal(b, bigData) {
		t.Fatalf("received large file differs: %v", err)
	}
	kept, err := os.ReadFile(blobPath(res.Homes[1], sent.Blob.Hash))
	if sum := sha256.Sum256(kept); err != nil || hex.EncodeToString(sum[:]) != sent.Blob.Hash {
		t.Fatalf("the recipient's node has no good copy: %v", err)
	}
	ackOut := must("cust-trust/operator", "exchange", "ack", "REC-1", "--reject", "--reason", "totals differ from our records", "--api", custAPI)
	refused("exchange/8", "cust-trust/admin", "exchange", "ack", "REC-1", "--api", custAPI)

	// From here fm-alpha reads and sends through cust-trust's node: the
	// restarted node 0 serves its blobs at once but may take a while to
	// rejoin consensus (an embedded CometBFT restarted in the same process
	// can meet its peers' stale connections: "duplicate ID").
	out = must("fm-alpha/operator", "exchange", "outbox", "--api", custAPI)
	if !strings.Contains(out, "NAV-1") || !strings.Contains(out, "accepted") || !strings.Contains(out, "rejected: totals differ from our records") {
		t.Fatalf("outbox:\n%s", out)
	}
	out = must("cust-trust/admin", "exchange", "inbox", "--status", "rejected", "--api", custAPI)
	if !strings.Contains(out, "REC-1") || strings.Contains(out, "NAV-1") {
		t.Fatalf("inbox --status rejected:\n%s", out)
	}

	// A wrong recipient: refused, and the attempts are in the audit log.
	broker := filepath.Join(tmp, "broker.bin")
	refused("not_permitted", "rs-broker/operator", "exchange", "receive", "REC-1", "--out", broker, "--api", alphaAPI)
	cons, err := node.ReadConsortium(dir)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := cons.Org("rs-broker")
	ks, err := keystore.Open(o.Keystore)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ks.Load("operator", []byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	brokerID, _ := cons.Identity("rs-broker", "operator")
	bc := client.New(alphaAPI)
	if _, err := bc.Login(ctx, brokerID.ID, key.Sign); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := bc.GetBlob(ctx, sent.Blob.Hash); !client.IsCode(err, "not_permitted") {
		t.Fatalf("broker blob fetch: %v", err)
	}
	if _, err := os.Stat(broker); err == nil {
		t.Fatal("the broker got a file")
	}
	auditRaw, err := os.ReadFile(filepath.Join(res.Homes[0], "data", "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	refusals := map[string]bool{}
	if _, err := audit.VerifyEach(bytes.NewReader(auditRaw), func(e audit.Entry) {
		if e.Outcome == "refused" && e.Identity == brokerID.ID && e.Org == "rs-broker" {
			refusals[e.Kind] = true
		}
	}); err != nil {
		t.Fatalf("the audit log does not verify: %v", err)
	}
	if !refusals[audit.KindDocumentRead] || !refusals[audit.KindBlobRefused] {
		t.Fatalf("the broker's attempts are not in the audit log (%v):\n%s", refusals, auditRaw)
	}

	// Provenance: three versions of the NAV file and a report derived from the last.
	must("fm-alpha/operator", "exchange", "send", write("nav-v2.csv", append(navText, "corrected\n"...)), "--to", "cust-trust", "--category", "nav", "--id", "NAV-2", "--parent", "NAV-1", "--api", custAPI)
	must("fm-alpha/operator", "exchange", "send", write("nav-v3.csv", append(navText, "final\n"...)), "--to", "cust-trust", "--category", "nav", "--id", "NAV-3", "--parent", "NAV-2", "--api", custAPI)
	must("cust-trust/operator", "exchange", "send", write("check.txt", []byte("NAV-3 checked against custody records\n")), "--to", "fm-alpha", "--category", "reconciliation", "--id", "CHK-1", "--parent", "NAV-3", "--api", custAPI)
	out = must("fm-alpha/operator", "exchange", "trace", "NAV-2", "--api", custAPI)
	var tr struct {
		Nodes []struct {
			ID       string   `json:"id"`
			Parents  []string `json:"parents"`
			Children []string `json:"children"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatal(err)
	}
	graph := map[string]string{}
	for _, n := range tr.Nodes {
		graph[n.ID] = strings.Join(n.Parents, ",") + "|" + strings.Join(n.Children, ",")
	}
	want := map[string]string{"NAV-1": "|NAV-2", "NAV-2": "NAV-1|NAV-3", "NAV-3": "NAV-2|CHK-1", "CHK-1": "NAV-3|"}
	for id, w := range want {
		if graph[id] != w {
			t.Errorf("trace NAV-2: %s is %q, want %q\n%s", id, graph[id], w, out)
		}
	}

	// Verification by hash, with the send tx's receipt verified offline.
	out = must("cust-trust/operator", "exchange", "verify", got1, "--genesis", filepath.Join(res.Homes[0], "config", "genesis.json"), "--api", custAPI)
	if !strings.Contains(out, "record NAV-1") || !strings.Contains(out, "receipt verifies") || !strings.Contains(out, "RESULT: verified") {
		t.Fatalf("verify:\n%s", out)
	}
	refused("matches no record", "cust-trust/operator", "exchange", "verify", write("altered.csv", append(navText, ' ')), "--api", custAPI)

	// The certificate of the rejection, from the node (four validators),
	// read back with independent tools.
	var acked struct {
		Tx string `json:"tx"`
	}
	if err := json.Unmarshal([]byte(ackOut), &acked); err != nil || acked.Tx == "" {
		t.Fatalf("ack output %q: %v", ackOut, err)
	}
	resp, err := http.Get(custAPI + "/v1/receipts/" + acked.Tx + "/certificate.pdf")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET certificate.pdf: %d %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	certFile := write("ack-certificate.pdf", cert)
	if tools := pdfToolsIfAny(t); tools != nil {
		readBack(t, tools, certFile, filepath.Join(res.Homes[0], "config", "genesis.json"),
			"数据交换存证证明（确认接收）", "file acknowledged", "REC-1", "rejected: totals differ from our records", "of 4 validators", strings.ToUpper(acked.Tx))
	}
	if dir := os.Getenv("OTC_CERTIFICATE_OUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "exchange-ack.pdf"), cert, 0o644)
	}
}
