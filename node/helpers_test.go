package node_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/internal/ports"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/pki"
	"github.com/otcchain/otcchain/tx"
)

const (
	testPassphrase = "correct horse battery staple"
	testScryptN    = 1 << 10
)

// freeBasePort returns a free base port for n nodes (see package ports).
func freeBasePort(t *testing.T, n int) int {
	t.Helper()
	base, err := ports.FreeBase(n)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// registerInvestor issues a new investor certificate with org's CA and
// registers it on chain with a tx signed by the org's admin, through the
// API at apiURL. It returns the new identity id once the tx committed.
func registerInvestor(t *testing.T, cons *node.Consortium, org, passphrase, apiURL string, height int64) string {
	t.Helper()
	o, ok := cons.Org(org)
	if !ok {
		t.Fatalf("no org %s", org)
	}
	admin, ok := cons.Identity(org, "admin")
	if !ok {
		t.Fatalf("no admin in %s", org)
	}
	ks, err := keystore.Open(o.Keystore)
	if err != nil {
		t.Fatal(err)
	}
	caKey, err := ks.Load(o.CAKey, []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := ks.Certificate(o.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pki.Parse(caPEM)
	if err != nil {
		t.Fatal(err)
	}
	adminKey, err := ks.Load(admin.Key, []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.GenerateKey(crypto.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.Issue(ca, caKey, pki.IssueRequest{
		Org: org, Role: module.RoleInvestor, Name: fmt.Sprintf("Test Investor %d", rand.IntN(1e9)),
		PublicKey: key.Public(), NotBefore: ca.NotBefore, NotAfter: ca.NotAfter,
	})
	if err != nil {
		t.Fatal(err)
	}
	body := tx.NewBody([]tx.Any{tx.MustAny(member.TypeRegisterIdentity, member.RegisterIdentity{Cert: string(cert.PEM())})}, height+500)
	b, err := body.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := tx.ParseSignerID(admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	env, err := tx.Sign(cons.ChainID, b, signer, tx.AlgCode(admin.Alg), adminKey.Sign)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := client.New(apiURL).SubmitAndConfirm(ctx, env.Encode(), 50*time.Second)
	if err != nil {
		t.Fatalf("submit register_identity: %v", err)
	}
	if res.Code != 0 {
		t.Fatalf("register_identity failed: %+v", res)
	}
	return cert.ID
}
