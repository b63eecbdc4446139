package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/evidence"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

func register(cert string) tx.Any {
	return tx.MustAny(member.TypeRegisterIdentity, member.RegisterIdentity{Cert: cert})
}

func revoke(id, reason string) tx.Any {
	return tx.MustAny(member.TypeRevokeIdentity, member.RevokeIdentity{ID: id, Reason: reason})
}

func wantCode(t *testing.T, what string, gotSpace string, got uint32, log string, want *module.Error) {
	t.Helper()
	if want == nil {
		if got != 0 {
			t.Fatalf("%s: want success, got %s/%d: %s", what, gotSpace, got, log)
		}
		return
	}
	if gotSpace != want.Codespace || got != want.Code {
		t.Fatalf("%s: want %s/%d (%s), got %s/%d: %s", what, want.Codespace, want.Code, want.Name, gotSpace, got, log)
	}
}

func TestRegisterAndRevokeThroughBlocks(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	admin := c.User("rs-bank/admin")
	org := c.Org("rs-bank")
	newUser, err := c.Issue(org, "investor2", module.RoleInvestor, crypto.SM2, genesisTime.Add(-time.Hour), genesisTime.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	// Unknown before registration.
	ping := c.Tx(newUser, h.expiry(), revoke(strings.Repeat("0", 64), "x"))
	r := h.check(ping)
	wantCode(t, "unregistered signer", r.Codespace, r.Code, r.Log, app.ErrUnknownSigner)

	res := h.block(c.Tx(admin, h.expiry(), register(string(newUser.Cert.PEM()))))
	wantCode(t, "register", res[0].Codespace, res[0].Code, res[0].Log, nil)
	got, err := h.app.Read("member/identities/"+newUser.ID(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec := got.(*member.Record); rec.Status != member.StatusActive || rec.Role != module.RoleInvestor || rec.RegisteredBy != admin.ID() {
		t.Fatalf("record after registration: %+v", rec)
	}
	// Registering twice fails with its own code, and changes nothing.
	before := h.appHash()
	res = h.block(c.Tx(admin, h.expiry(), register(string(newUser.Cert.PEM()))))
	wantCode(t, "second registration", res[0].Codespace, res[0].Code, res[0].Log, member.ErrAlreadyRegistered)
	_ = before

	// Another org's admin cannot revoke; the regulator can.
	res = h.block(c.Tx(c.User("rs-broker/admin"), h.expiry(), revoke(newUser.ID(), "not mine")))
	wantCode(t, "foreign admin revokes", res[0].Codespace, res[0].Code, res[0].Log, member.ErrNotPermitted)
	res = h.block(c.Tx(c.User("regulator/admin"), h.expiry(), revoke(newUser.ID(), "suspicious activity")))
	wantCode(t, "regulator revokes", res[0].Codespace, res[0].Code, res[0].Log, nil)

	// From the next block on every transaction of the revoked identity fails.
	self := c.Tx(newUser, h.expiry(), register(string(newUser.Cert.PEM())))
	r = h.check(self)
	wantCode(t, "revoked signer in CheckTx", r.Codespace, r.Code, r.Log, app.ErrRevokedSigner)
	before = h.appHash()
	res = h.block(self)
	wantCode(t, "revoked signer in block", res[0].Codespace, res[0].Code, res[0].Log, app.ErrRevokedSigner)
	if !bytes.Equal(before, h.appHash()) {
		t.Fatal("a refused tx changed the app hash")
	}
}

func TestSelfRegistration(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	u, err := c.Issue(c.Org("fm-beta"), "ops2", module.RoleFundManager, crypto.P256, genesisTime.Add(-time.Hour), genesisTime.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	txb := c.Tx(u, h.expiry(), register(string(u.Cert.PEM())))
	if r := h.check(txb); r.Code != 0 {
		t.Fatalf("self-registration CheckTx: %s", r.Log)
	}
	res := h.block(txb)
	wantCode(t, "self-registration", res[0].Codespace, res[0].Code, res[0].Log, nil)
	// A key cannot self-register someone else's certificate.
	other, _ := c.Issue(c.Org("fm-beta"), "ops3", module.RoleFundManager, crypto.P256, genesisTime.Add(-time.Hour), genesisTime.AddDate(1, 0, 0))
	r := h.check(c.Tx(u, h.expiry(), register(string(other.Cert.PEM()))))
	wantCode(t, "register someone else", r.Codespace, r.Code, r.Log, nil) // passes CheckTx (role ok) ...
	res = h.block(c.Tx(u, h.expiry(), register(string(other.Cert.PEM()))))
	wantCode(t, "register someone else", res[0].Codespace, res[0].Code, res[0].Log, member.ErrNotPermitted) // ... refused by the handler
}

func TestCheckTxRefusals(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	h.block() // height 1
	admin := c.User("fm-alpha/admin")
	inv := c.User("rs-bank/investor")
	good := func() []byte { return c.Tx(admin, h.expiry(), revoke(inv.ID(), "test")) }

	// Replay: commit one tx, then resend it.
	spent := c.Tx(admin, h.expiry(), revoke(c.User("fm-alpha/operator").ID(), "rotate"))
	if res := h.block(spent); res[0].Code != 0 {
		t.Fatalf("setup: %s", res[0].Log)
	}

	env, _ := tx.Decode(good())
	badSig := *env
	badSig.Signature = append([]byte(nil), env.Signature...)
	badSig.Signature[len(badSig.Signature)-1] ^= 1
	wrongAlg := *env
	wrongAlg.Alg = tx.AlgP256
	otherChain := fixture.SignTx("other-chain", admin, tx.NewBody([]tx.Any{revoke(inv.ID(), "x")}, h.expiry()))
	unknown := *env
	unknown.Signer[0] ^= 0xff

	cases := []struct {
		name string
		tx   []byte
		want *module.Error
	}{
		{"good", good(), nil},
		{"garbage", []byte("hello"), app.ErrMalformedTx},
		{"empty", nil, app.ErrMalformedTx},
		{"truncated", good()[:20], app.ErrMalformedTx},
		{"bad signature", badSig.Encode(), app.ErrBadSignature},
		{"signed for another chain", otherChain, app.ErrBadSignature},
		{"algorithm mismatch", wrongAlg.Encode(), app.ErrAlgMismatch},
		{"unknown signer", unknown.Encode(), app.ErrUnknownSigner},
		{"expired", c.Tx(admin, h.height, revoke(inv.ID(), "x")), app.ErrExpiredTx},
		{"expiry too far", c.Tx(admin, h.height+1000, revoke(inv.ID(), "x")), app.ErrExpiryTooFar},
		{"replay", spent, app.ErrReplay},
		{"unknown message", c.Tx(admin, h.expiry(), tx.Any{Type: "fund/nothing", Value: json.RawMessage(`{}`)}), app.ErrUnknownMsg},
		{"wrong role", c.Tx(inv, h.expiry(), revoke(admin.ID(), "x")), app.ErrRoleNotPermitted},
		{"unknown field", c.Tx(admin, h.expiry(), tx.Any{Type: member.TypeRevokeIdentity, Value: json.RawMessage(`{"id":"` + inv.ID() + `","reason":"x","extra":1}`)}), app.ErrInvalidMsg},
		{"invalid value", c.Tx(admin, h.expiry(), revoke("nothex", "x")), member.ErrInvalidRequest},
		{"batch with wrong role", c.Tx(inv, h.expiry(), batch(revoke(admin.ID(), "x"))), app.ErrRoleNotPermitted},
		{"not batchable", c.Tx(admin, h.expiry(), batch(tx.Any{Type: member.TypeSetEncryptionKey, Value: json.RawMessage(`{}`)})), app.ErrNotBatchable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.check(tc.tx)
			wantCode(t, tc.name, r.Codespace, r.Code, r.Log, tc.want)
			if tc.want != nil && !strings.Contains(r.Log, tc.want.Name) {
				t.Errorf("log %q does not name %s", r.Log, tc.want.Name)
			}
		})
	}
	// The same refusals inside a block change nothing (but the good tx).
	before := h.appHash()
	var txs [][]byte
	for _, tc := range cases[1:] {
		txs = append(txs, tc.tx)
	}
	res := h.block(txs...)
	for i, tc := range cases[1:] {
		wantCode(t, "in block: "+tc.name, res[i].Codespace, res[i].Code, res[i].Log, tc.want)
	}
	if !bytes.Equal(before, h.appHash()) {
		t.Fatal("a block of refused txs changed the app hash")
	}
}

func batch(items ...tx.Any) tx.Any {
	return tx.MustAny(tx.BatchMsgType, tx.Batch{Items: items})
}

// A recheck (after each block) drops mempool txs whose signer was revoked,
// whose nonce got used, or that expired, without re-verifying signatures.
func TestRecheckDropsStaleTxs(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	h.block()
	op := c.User("rs-bank/operator")
	admin := c.User("fm-alpha/admin")
	recheck := func(b []byte) *abci.ResponseCheckTx {
		r, err := h.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: b, Type: abci.CheckTxType_Recheck})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	anchorBy := func(u *fixture.User, expiry int64) []byte {
		return c.Tx(u, expiry, tx.MustAny(evidence.TypeAnchor, evidence.Anchor{Hash: strings.Repeat("ab", 32), HashAlg: evidence.SHA256}))
	}
	fromOp := anchorBy(op, h.expiry())
	expiring := anchorBy(admin, h.height+2)
	spent := anchorBy(admin, h.expiry())
	for _, b := range [][]byte{fromOp, expiring, spent} {
		if r := h.check(b); r.Code != 0 {
			t.Fatalf("first check: %s", r.Log)
		}
	}
	// Block: the operator is revoked, and `spent` is included.
	res := h.block(c.Tx(c.User("regulator/operator"), h.expiry(), revoke(op.ID(), "fraud")), spent)
	for _, r := range res {
		if r.Code != 0 {
			t.Fatalf("setup block: %s", r.Log)
		}
	}
	h.block()
	h.block()
	r := recheck(fromOp)
	wantCode(t, "revoked signer on recheck", r.Codespace, r.Code, r.Log, app.ErrRevokedSigner)
	r = recheck(spent)
	wantCode(t, "spent nonce on recheck", r.Codespace, r.Code, r.Log, app.ErrReplay)
	r = recheck(expiring)
	wantCode(t, "expired on recheck", r.Codespace, r.Code, r.Log, app.ErrExpiredTx)
}
