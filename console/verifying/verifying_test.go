package verifying_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/otcchain/otcchain/certificate"
	"github.com/otcchain/otcchain/console/verifying"
	"github.com/otcchain/otcchain/proof"
)

// testdata holds a real receipt from `otc dev` (one validator): contract.txt
// anchored by fm-alpha/operator at height 8, the dev chain's genesis
// (GET /v1/genesis), and checkpoints (otc checkpoint) at heights 3 and 12.

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit decodes JSON, changes it and encodes it again.
func edit(t testing.TB, b []byte, change func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

// flipB64 changes one byte of a base64 value.
func flipB64(t testing.TB, s string, at int) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	b[at%len(b)] ^= 0x01
	return base64.StdEncoding.EncodeToString(b)
}

func TestCheck(t *testing.T) {
	receipt, genesis, file := read(t, "receipt.json"), read(t, "genesis.json"), read(t, "contract.txt")
	early, late := read(t, "checkpoint.json"), read(t, "late-checkpoint.json")
	const txHash = "EE5CD95A30FB96A0A02532B8E81E2C732F283503321C02C092E24D20753F59AD"

	// The same tx byte changed in the tx and in its proof's data.
	txTampered := edit(t, receipt, func(m map[string]any) {
		v := flipB64(t, m["tx"].(string), 40)
		m["tx"] = v
		obj(m, "tx_proof")["data"] = v
	})
	txOnly := edit(t, receipt, func(m map[string]any) { m["tx"] = flipB64(t, m["tx"].(string), 40) })
	resultTampered := edit(t, receipt, func(m map[string]any) { obj(m, "result")["code"] = 7 })
	headerTampered := edit(t, receipt, func(m map[string]any) {
		obj(m, "block", "signed_header", "header")["time"] = "2026-12-07T21:06:53.943752599Z"
	})
	sigTampered := edit(t, receipt, func(m map[string]any) {
		sig := obj(m, "block", "signed_header", "commit")["signatures"].([]any)[0].(map[string]any)
		sig["signature"] = flipB64(t, sig["signature"].(string), 5)
	})
	otherChain := edit(t, genesis, func(m map[string]any) { m["chain_id"] = "otcchain-other" })
	otherValidators := edit(t, genesis, func(m map[string]any) {
		v := m["validators"].([]any)[0].(map[string]any)
		pk := ed25519.GenPrivKeyFromSecret([]byte("not a validator of this chain")).PubKey()
		v["pub_key"] = map[string]any{"type": "tendermint/PubKeyEd25519", "value": base64.StdEncoding.EncodeToString(pk.Bytes())}
		delete(v, "address")
	})
	changedFile := append([]byte(nil), file...)
	changedFile[0] ^= 0x20

	cases := []struct {
		name       string
		in         verifying.Input
		ok         bool
		step       string // failure step
		wantProven bool   // a failure that still proves the receipt
		root       string
	}{
		{name: "good receipt, genesis", in: verifying.Input{Receipt: receipt, Trust: genesis}, ok: true, root: "genesis"},
		{name: "good receipt and file, genesis", in: verifying.Input{Receipt: receipt, Trust: genesis, File: file, HasFile: true, FileName: "contract.txt"}, ok: true, root: "genesis"},
		{name: "good receipt and file, checkpoint", in: verifying.Input{Receipt: receipt, Trust: early, File: file, HasFile: true}, ok: true, root: "header 3"},
		{name: "changed file", in: verifying.Input{Receipt: receipt, Trust: genesis, File: changedFile, HasFile: true}, step: verifying.StepFile, wantProven: true},
		{name: "empty file", in: verifying.Input{Receipt: receipt, Trust: genesis, HasFile: true}, step: verifying.StepFile, wantProven: true},
		{name: "tx byte changed", in: verifying.Input{Receipt: txTampered, Trust: genesis}, step: "tx_proof"},
		{name: "tx differs from its proof", in: verifying.Input{Receipt: txOnly, Trust: genesis}, step: "tx_proof"},
		{name: "result code changed", in: verifying.Input{Receipt: resultTampered, Trust: genesis}, step: "result_proof"},
		{name: "header time changed", in: verifying.Input{Receipt: headerTampered, Trust: genesis}, step: "commit"},
		{name: "signature changed", in: verifying.Input{Receipt: sigTampered, Trust: genesis}, step: "commit"},
		{name: "truncated receipt", in: verifying.Input{Receipt: receipt[:len(receipt)/2], Trust: genesis}, step: verifying.StepReceiptFormat},
		{name: "no receipt", in: verifying.Input{Trust: genesis}, step: verifying.StepReceiptFormat},
		{name: "genesis given as receipt", in: verifying.Input{Receipt: genesis, Trust: genesis}, step: verifying.StepReceiptFormat},
		{name: "no trust root", in: verifying.Input{Receipt: receipt}, step: "trust_root"},
		{name: "receipt given as trust root", in: verifying.Input{Receipt: receipt, Trust: receipt}, step: "trust_root"},
		{name: "trust root not JSON", in: verifying.Input{Receipt: receipt, Trust: []byte("hello")}, step: "trust_root"},
		{name: "genesis of another chain", in: verifying.Input{Receipt: receipt, Trust: otherChain}, step: "trust_root"},
		{name: "genesis with other validators", in: verifying.Input{Receipt: receipt, Trust: otherValidators}, step: "trust_path"},
		{name: "checkpoint above the receipt", in: verifying.Input{Receipt: receipt, Trust: late}, step: "trust_root"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := verifying.Check(c.in)
			var back verifying.Result
			if err := json.Unmarshal([]byte(verifying.CheckJSON(c.in)), &back); err != nil {
				t.Fatalf("CheckJSON: %v", err)
			}
			if back.OK != res.OK {
				t.Fatalf("CheckJSON ok %v, Check ok %v", back.OK, res.OK)
			}
			if res.OK != c.ok {
				t.Fatalf("ok = %v, want %v (failure %+v)", res.OK, c.ok, res.Failure)
			}
			if !c.ok {
				f := res.Failure
				if f == nil || f.Step != c.step {
					t.Fatalf("failure %+v, want step %s", f, c.step)
				}
				if f.Title == "" || f.Advice == "" || f.Detail == "" || !strings.Contains(f.Message, f.Detail) {
					t.Fatalf("failure not explained: %+v", f)
				}
				if (res.Proven != nil) != c.wantProven {
					t.Fatalf("proven %+v with failure %s", res.Proven, f.Step)
				}
				t.Logf("%s: %s", f.Step, f.Message)
				return
			}
			p := res.Proven
			if p.ChainID != "otcchain-dev" || p.Height != 8 || p.Index != 0 || p.TxHash != txHash || p.Code != 0 {
				t.Fatalf("proven %+v", p)
			}
			if p.TrustRoot != c.root {
				t.Fatalf("trust root %q, want %q", p.TrustRoot, c.root)
			}
			if p.BlockTimeUTC != "2026-12-07 21:05:53 UTC" || p.BlockTimeChina != "2026-12-08 05:05:53 China time (UTC+8)" {
				t.Fatalf("block time %q / %q", p.BlockTimeUTC, p.BlockTimeChina)
			}
			if p.SignedPower != 10 || p.TotalPower != 10 || len(p.Validators) != 1 || (c.root == "genesis" && p.Validators[0].Name != "fm-alpha-node0") {
				t.Fatalf("validators %+v, %d/%d", p.Validators, p.SignedPower, p.TotalPower)
			}
			if p.Signer == nil || len(p.Signer.ID) != 64 || len(p.Record) != 1 || p.Record[0].Type != "evidence/anchor" {
				t.Fatalf("signer %+v, record %+v", p.Signer, p.Record)
			}
			if !strings.Contains(p.Data, "f3c97cd84023fe00cf5b7c2efae9e2608eea2ff31c3fc30671828affdf7a8971") || !p.Simulated {
				t.Fatalf("data %q, simulated %v", p.Data, p.Simulated)
			}
			if c.in.HasFile {
				f := p.File
				if f == nil || f.Algorithm != "sha256" || f.Hash != "f3c97cd84023fe00cf5b7c2efae9e2608eea2ff31c3fc30671828affdf7a8971" || f.Size != len(file) {
					t.Fatalf("file %+v", f)
				}
			} else if p.File != nil {
				t.Fatalf("file %+v without a file", p.File)
			}
		})
	}
}

// FuzzCheck: whatever the receipt, trust root and document bytes, Check
// answers with a Result (ok, or a failure with a step) and never panics.
func FuzzCheck(f *testing.F) {
	receipt, genesis, early, file := read(f, "receipt.json"), read(f, "genesis.json"), read(f, "checkpoint.json"), read(f, "contract.txt")
	f.Add(receipt, genesis, file)
	f.Add(receipt, early, file)
	f.Add(receipt[:100], genesis, []byte(nil))
	f.Add([]byte(`{"version":"otcchain-receipt/1"}`), []byte(`{"signed_header":{},"validator_set":{}}`), []byte("x"))
	f.Add([]byte(`{"version":"otcchain-outcome-receipt/1","outcome":{}}`), []byte(`{"genesis_time":"2026-01-01T00:00:00Z","chain_id":"c","validators":[]}`), []byte{})
	f.Add([]byte(`null`), []byte(`null`), []byte(nil))
	f.Fuzz(func(t *testing.T, receipt, trust, file []byte) {
		res := verifying.Check(verifying.Input{Receipt: receipt, Trust: trust, File: file, HasFile: len(file) > 0})
		if res.OK == (res.Failure != nil) || (res.OK && res.Proven == nil) {
			t.Fatalf("inconsistent result %+v", res)
		}
		if res.Failure != nil && (res.Failure.Step == "" || res.Failure.Title == "") {
			t.Fatalf("unnamed failure %+v", res.Failure)
		}
		if !json.Valid([]byte(verifying.CheckJSON(verifying.Input{Receipt: receipt, Trust: trust}))) {
			t.Fatal("CheckJSON is not JSON")
		}
	})
}

// TestCheckCertificate: an evidence certificate PDF in place of the
// receipt verifies by the receipt attached to it (and says so); a PDF
// without one is refused at the receipt step.
func TestCheckCertificate(t *testing.T) {
	receipt, genesis, file := read(t, "receipt.json"), read(t, "genesis.json"), read(t, "contract.txt")
	r, err := proof.Unmarshal(receipt)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := verifying.ParseTrust(genesis)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := proof.Verify(r, trust)
	if err != nil {
		t.Fatal(err)
	}
	c, err := certificate.Make(certificate.Input{Receipt: receipt, Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	res := verifying.Check(verifying.Input{Receipt: c.PDF, Trust: genesis, File: file, HasFile: true, FileName: "contract.txt"})
	if !res.OK || !res.Proven.FromCertificate || res.Proven.File == nil {
		t.Fatalf("certificate: %+v", res)
	}
	res = verifying.Check(verifying.Input{Receipt: []byte("%PDF-1.3\n%%EOF"), Trust: genesis})
	if res.OK || res.Failure == nil || res.Failure.Step != verifying.StepReceiptFormat || !strings.Contains(res.Failure.Detail, "no attached file") {
		t.Fatalf("a PDF without a receipt: %+v", res.Failure)
	}
}
