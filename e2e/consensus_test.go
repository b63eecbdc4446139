package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/tx"
)

// TestFourValidators runs a generated four-validator consortium as four otc
// start processes and checks, in order:
//
//  1. signed txs of identities from the testnet's keystores commit (an
//     evidence anchor; a member/register_identity of a certificate freshly
//     issued by an organisation CA, then a tx of that new identity);
//  2. a receipt fetched from one node verifies offline against node0's
//     genesis file (otc verify, and proof.Verify), and a tampered one does
//     not;
//  3. under continuous load, one validator SIGKILLed: the other three keep
//     committing; restarted with the same home it catches up to the same
//     blocks and app state;
//  4. two of four stopped (one SIGTERM, one SIGKILL): the chain stops and a
//     tx sent does not commit; one restarted: the chain resumes and the
//     pending tx commits; the other restarted too: all four agree on every
//     block hash (no fork) and on the app state.
func TestFourValidators(t *testing.T) {
	began := time.Now()
	step := func(format string, args ...any) {
		t.Helper()
		t.Logf("[%5.1fs] "+format, append([]any{time.Since(began).Seconds()}, args...)...)
	}
	ps := newProcs(t)
	net := newNetwork(t, ps, 4)
	net.startAll() // may generate the network again (port clash): read net.cons after it
	cons, chainID := net.cons, net.cons.ChainID
	step("four validators answer /v1/status at height >= 1")

	// 1. Transactions commit.
	operator := loadSigner(t, cons, "fm-alpha", "operator", testPassphrase)  // ed25519
	fmBeta := loadSigner(t, cons, "fm-beta", "operator", testPassphrase)     // p256
	bank := loadSigner(t, cons, "rs-bank", "operator", testPassphrase)       // sm2
	brokerAdmin := loadSigner(t, cons, "rs-broker", "admin", testPassphrase) // ed25519
	h := net.maxHeight(all(4))
	anchorTx := operator.sign(t, chainID, expiryAfter(h), anchorMsg("e2e first anchor"))
	anchorRes := submit(t, net.apis[0], anchorTx)
	if anchorRes.Height < 2 {
		t.Fatalf("first tx committed at height %d, want >= 2", anchorRes.Height)
	}
	net.waitAppHeight(all(4), anchorRes.Height, commitTimeout)
	step("anchor %.12s committed at height %d, all nodes there", anchorRes.Hash, anchorRes.Height)

	newcomer := issueIdentity(t, net, "rs-broker", module.RoleReseller, "E2E Newcomer")
	regRes := submit(t, net.apis[1], brokerAdmin.sign(t, chainID, expiryAfter(anchorRes.Height),
		tx.MustAny(member.TypeRegisterIdentity, member.RegisterIdentity{Cert: string(newcomer.cert.PEM())})))
	net.waitAppHeight(all(4), regRes.Height, commitTimeout) // node2 answers, node3 accepts the newcomer's tx
	ctx, cancel := callCtx()
	raw, err := net.apis[2].Identity(ctx, newcomer.id)
	cancel()
	if err != nil {
		t.Fatalf("registered identity %s not found on node2: %v", newcomer.id, err)
	}
	var ident module.Identity
	if err := json.Unmarshal(raw, &ident); err != nil {
		t.Fatalf("identity %s: %v", raw, err)
	}
	if ident.ID != newcomer.id || ident.Org != "rs-broker" || ident.Role != module.RoleReseller {
		t.Fatalf("identity on node2: %s", raw)
	}
	submit(t, net.apis[3], newcomer.sign(t, chainID, expiryAfter(regRes.Height), anchorMsg("anchored by a newcomer")))
	step("identity %.12s registered at height %d and transacting", newcomer.id, regRes.Height)

	// 2. A receipt from node2 verifies offline with node0's genesis.
	verifyReceipt(t, net, ps, anchorRes)
	step("receipt of %.12s verified offline", anchorRes.Hash)

	// 3. Kill one validator under load; the rest go on; it catches up.
	const victim = 2
	survivors := []int{0, 1, 3}
	ld := startLoad(net, []*signer{operator, fmBeta, bank}, survivors, net.maxHeight(all(4)))
	ld.waitCommitted(6, commitTimeout)
	net.kill(victim)
	atKill, hKill := ld.committed.Load(), net.maxHeight(survivors)
	step("node%d SIGKILLed at height %d after %d load txs", victim, hKill, atKill)
	ld.waitCommitted(atKill+15, 2*commitTimeout)
	net.waitHeight(survivors, hKill+4, commitTimeout)
	step("three validators committed %d more txs, height %d", ld.committed.Load()-atKill, net.maxHeight(survivors))

	net.start(victim, nil)
	target := net.maxHeight(survivors)
	net.waitHeight([]int{victim}, target, syncTimeout)
	common := net.maxHeight(all(4))
	net.waitHeight(all(4), common, syncTimeout)
	net.sameBlockAt(all(4), common)
	step("node%d restarted and caught up: same block and app hash at height %d", victim, common)
	ld.stop()
	ld.checkNoFailures(t)
	hIdle, app := net.waitConverged(all(4), syncTimeout)
	step("load stopped after %d txs, no failures; all four at app height %d, app hash %.12s", ld.committed.Load(), hIdle, app)

	// 4. Without a quorum the chain stops; with it back, it resumes.
	net.stop(1)
	net.kill(2)
	alive := []int{0, 3}
	// Empty blocks kept coming until the stops: the halt is measured from here.
	hStopped := net.maxHeight(alive)
	pending := operator.sign(t, chainID, expiryAfter(hIdle), anchorMsg("sent without a quorum"))
	pendingHash := client.TxHash(pending)
	ctx, cancel = callCtx()
	acc, err := net.apis[0].BroadcastTx(ctx, pending, false)
	cancel()
	if err != nil {
		t.Fatalf("tx without a quorum: CheckTx should accept it: %v", err)
	}
	if acc.Committed || acc.Code != 0 {
		t.Fatalf("tx without a quorum: %+v", acc)
	}
	// A wait for the commit through node3 that must time out. It also lets
	// a block that was already voted before the stops land (at most one).
	ctx, cancel = context.WithTimeout(context.Background(), 4*time.Second)
	res, err := net.apis[3].BroadcastTx(ctx, pending, true)
	cancel()
	if err == nil && res.Committed {
		t.Fatalf("tx committed at height %d with two of four validators down", res.Height)
	}
	// Then a bounded window in which nothing may move.
	hHalt := net.heights(alive)
	if hHalt[0] < hStopped-1 || hHalt[0] > hStopped+1 || hHalt[1] != hHalt[0] {
		t.Fatalf("heights without a quorum: %v (at most %d when the validators stopped)", hHalt, hStopped)
	}
	holds(t, 3*time.Second, "a chain without a quorum to stand still", func() (bool, string) {
		net.checkAlive()
		if got := net.heights(alive); got[0] != hHalt[0] || got[1] != hHalt[1] {
			return false, fmt.Sprintf("heights moved from %v to %v", hHalt, got)
		}
		for _, i := range alive {
			if _, err := txOf(net, i, pendingHash); !client.IsCode(err, client.CodeTxNotFound) {
				return false, fmt.Sprintf("node%d: pending tx: want %s, got %v", i, client.CodeTxNotFound, err)
			}
		}
		return true, ""
	})
	step("two validators down: height stays %v, tx %.12s pending", hHalt, pendingHash)

	net.start(1, nil)
	var committed *client.Tx
	net.poll(syncTimeout, "the pending tx to commit once three validators run", func() (bool, string) {
		got, err := txOf(net, 0, pendingHash)
		if err != nil {
			return false, err.Error()
		}
		committed = got
		return true, ""
	})
	if committed.Result.Code != 0 {
		t.Fatalf("pending tx committed with code %d: %s", committed.Result.Code, committed.Result.Log)
	}
	step("node1 restarted: chain resumed, pending tx committed at height %d", committed.Height)
	submit(t, net.apis[1], fmBeta.sign(t, chainID, expiryAfter(committed.Height), anchorMsg("after the halt")))

	net.start(2, nil)
	hEnd, appEnd := net.waitConverged(all(4), syncTimeout)
	top := net.checkNoFork(all(4))
	step("node2 restarted: all four agree on %d blocks and on app state %d/%.12s", top, hEnd, appEnd)
}

// identity is a newly issued certificate with its key.
type identity struct {
	cert *pki.Certificate
	id   string
	key  crypto.PrivateKey
}

func (i *identity) sign(t *testing.T, chainID string, expiry int64, msgs ...tx.Any) []byte {
	t.Helper()
	return (&signer{name: i.cert.Name, id: i.id, key: i.key}).sign(t, chainID, expiry, msgs...)
}

// issueIdentity issues a certificate for a new key with org's CA, whose key
// it takes from the organisation's keystore (as otc ca issue would).
func issueIdentity(t *testing.T, net *network, org string, role module.Role, name string) *identity {
	t.Helper()
	o, ok := net.cons.Org(org)
	if !ok {
		t.Fatalf("no organisation %s", org)
	}
	pemCA, err := os.ReadFile(o.CACert)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pki.Parse(pemCA)
	if err != nil {
		t.Fatal(err)
	}
	caKey := loadKey(t, o.Keystore, o.CAKey, testPassphrase)
	alg, err := crypto.ParseAlgorithm(o.Alg)
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	nb := now.Add(-10 * time.Minute) // block time may trail the clock
	if nb.Before(ca.NotBefore) {
		nb = ca.NotBefore
	}
	cert, err := pki.Issue(ca, caKey, pki.IssueRequest{
		Org: org, Role: role, Name: name, PublicKey: key.Public(), NotBefore: nb, NotAfter: now.Add(24 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &identity{cert: cert, id: cert.ID, key: key}
}

// txOf fetches a committed tx from node i.
func txOf(net *network, i int, hash string) (*client.Tx, error) {
	ctx, cancel := callCtx()
	defer cancel()
	return net.apis[i].Tx(ctx, hash)
}

// verifyReceipt fetches the receipt of a committed tx from node2, stores
// it in a file and verifies it offline against node0's genesis file: with
// otc verify when the binary has it, and in this process with package proof.
func verifyReceipt(t *testing.T, net *network, ps *procs, res *client.TxResult) {
	t.Helper()
	var body []byte
	net.poll(commitTimeout, "the receipt of "+res.Hash, func() (bool, string) {
		ctx, cancel := callCtx()
		defer cancel()
		b, err := net.apis[2].ReceiptJSON(ctx, res.Hash)
		if err != nil {
			return false, err.Error() // receipt_not_ready until the next block
		}
		body = b
		return true, ""
	})
	file := filepath.Join(ps.dir, "receipt.json")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}

	if hasCommand(t, "verify") {
		out := ps.run(time.Minute, "verify", file, "--genesis", net.genesisFile())
		if !strings.Contains(strings.ToLower(out), strings.ToLower(res.Hash)) {
			t.Errorf("otc verify output does not name the tx %s:\n%s", res.Hash, out)
		}
		bad := filepath.Join(ps.dir, "receipt-tampered.json")
		if err := os.WriteFile(bad, tamper(t, body), 0o644); err != nil {
			t.Fatal(err)
		}
		if p, ok := ps.try(nil, time.Minute, "verify", bad, "--genesis", net.genesisFile()); ok {
			t.Errorf("otc verify accepted a tampered receipt:\n%s", p.tail(20))
		}
	} else {
		// TODO(e2e): otc verify is not in the binary yet; once it is, the
		// branch above runs it. Until then only package proof checks.
		t.Log("otc verify is not available in this build: verifying in process only")
	}

	doc, err := cmttypes.GenesisDocFromFile(net.genesisFile())
	if err != nil {
		t.Fatal(err)
	}
	trust, err := proof.TrustFromGenesis(doc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := proof.Unmarshal(body)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := proof.Verify(r, trust)
	if err != nil {
		t.Fatalf("receipt of %s does not verify: %v", res.Hash, err)
	}
	if rep.Height != res.Height || rep.Index != res.Index || !hashEqual(rep.TxHash, res.Hash) || rep.Code != 0 {
		t.Fatalf("receipt proves height %d index %d tx %s code %d; the tx committed at %d/%d as %s",
			rep.Height, rep.Index, rep.TxHash, rep.Code, res.Height, res.Index, res.Hash)
	}
	if rep.SignedPower*3 <= rep.TotalPower*2 {
		t.Fatalf("receipt signed by %d of %d power", rep.SignedPower, rep.TotalPower)
	}
	bad, err := proof.Unmarshal(tamper(t, body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := proof.Verify(bad, trust); err == nil {
		t.Fatal("a receipt with a changed result verifies")
	}
}

// tamper returns the receipt JSON with its result code changed.
func tamper(t *testing.T, body []byte) []byte {
	t.Helper()
	r, err := proof.Unmarshal(body)
	if err != nil {
		t.Fatal(err)
	}
	r.Result.Code++
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hasCommand reports whether the otc binary has the subcommand name: its
// --help succeeds (an unknown command exits non-zero).
func hasCommand(t *testing.T, name ...string) bool {
	t.Helper()
	return helpOf(t, name...) != ""
}

// helpOf returns the --help text of an otc subcommand, "" if it has none.
func helpOf(t *testing.T, name ...string) string {
	t.Helper()
	ps := &procs{t: t, dir: t.TempDir(), count: map[string]int{}}
	p := ps.start("help", nil, append(name, "--help")...)
	st, ok := p.wait(time.Minute)
	if !ok {
		p.kill()
		t.Fatalf("otc %s --help hangs", strings.Join(name, " "))
	}
	if !st.Success() {
		return ""
	}
	return p.stdout()
}
