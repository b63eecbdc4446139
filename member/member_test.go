package member_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func setup(t testing.TB) (*fixture.Consortium, *state.DB, *state.Block) {
	t.Helper()
	c, err := fixture.New("member-test", t0, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	db, err := state.Open(filepath.Join(t.TempDir(), "s"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return c, db, db.NewBlock()
}

func genesis(t testing.TB, c *fixture.Consortium) json.RawMessage {
	t.Helper()
	var all map[string]json.RawMessage
	if err := json.Unmarshal(c.AppState(), &all); err != nil {
		t.Fatal(err)
	}
	return all["member"]
}

func ctxAt(h int64, at time.Time, signer module.Identity) *module.Context {
	return &module.Context{ChainID: "member-test", Height: h, Time: at, BlockTime: at, Signer: signer}
}

func run(t *testing.T, kv module.KV, ctx *module.Context, typ string, msg any) error {
	t.Helper()
	m := member.New()
	for _, s := range m.Msgs() {
		if s.Type != typ {
			continue
		}
		raw, _ := json.Marshal(msg)
		v := s.New()
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatal(err)
		}
		if err := v.Validate(); err != nil {
			return err
		}
		_, err := s.Handle(ctx, kv, v)
		return err
	}
	t.Fatalf("no message %s", typ)
	return nil
}

func TestGenesisRefusals(t *testing.T) {
	c, _, blk := setup(t)
	kv := module.Prefixed(blk, "member/")
	m := member.New()
	good := genesis(t, c)
	var g member.Genesis
	_ = json.Unmarshal(good, &g)

	mutate := func(f func(g *member.Genesis)) json.RawMessage {
		var cp member.Genesis
		_ = json.Unmarshal(good, &cp)
		f(&cp)
		b, _ := json.Marshal(cp)
		return b
	}
	other, _ := fixture.New("x", t0, fixture.DefaultOrgs()[:1])
	cases := map[string]json.RawMessage{
		"not json":       json.RawMessage(`[`),
		"no orgs":        json.RawMessage(`{"orgs":[]}`),
		"bad org id":     mutate(func(g *member.Genesis) { g.Orgs[0].ID = "Bad ID" }),
		"bad org type":   mutate(func(g *member.Genesis) { g.Orgs[0].Type = "bank" }),
		"duplicate org":  mutate(func(g *member.Genesis) { g.Orgs = append(g.Orgs, g.Orgs[0]) }),
		"ca not a ca":    mutate(func(g *member.Genesis) { g.Orgs[0].CACert = g.Identities[0].Cert }),
		"ca of other id": mutate(func(g *member.Genesis) { g.Orgs[0].CACert = g.Orgs[1].CACert }),
		"foreign cert": mutate(func(g *member.Genesis) {
			g.Identities = append(g.Identities, member.GenesisIdentity{Cert: string(other.User("fm-alpha/admin").Cert.PEM())})
		}),
		"duplicate identity": mutate(func(g *member.Genesis) { g.Identities = append(g.Identities, g.Identities[0]) }),
	}
	for name, raw := range cases {
		err := m.InitGenesis(ctxAt(0, t0, module.Identity{}), module.Prefixed(blk.Branch(), "member/"), raw)
		if !errors.Is(err, member.ErrInvalidGenesis) {
			t.Errorf("%s: want invalid_genesis, got %v", name, err)
		}
	}
	if err := m.InitGenesis(ctxAt(0, t0, module.Identity{}), kv, good); err != nil {
		t.Fatal(err)
	}
}

func TestRegistrationRules(t *testing.T) {
	c, _, blk := setup(t)
	kv := module.Prefixed(blk, "member/")
	if err := member.New().InitGenesis(ctxAt(0, t0, module.Identity{}), kv, genesis(t, c)); err != nil {
		t.Fatal(err)
	}
	admin := func(org string) module.Identity {
		rec, err := member.GetRecord(kv, c.User(org+"/admin").ID())
		if err != nil {
			t.Fatal(err)
		}
		return rec.Identity()
	}
	now := t0.Add(time.Hour)
	issue := func(org string, role module.Role, nb, na time.Time) string {
		u, err := c.Issue(c.Org(org), "n", role, crypto.Ed25519, nb, na)
		if err != nil {
			t.Fatal(err)
		}
		return string(u.Cert.PEM())
	}
	valid := func(org string, role module.Role) string { return issue(org, role, t0, t0.AddDate(0, 6, 0)) }
	cases := []struct {
		name   string
		signer module.Identity
		cert   string
		at     time.Time
		want   error
	}{
		{"admin registers own org's investor", admin("rs-bank"), valid("rs-bank", module.RoleInvestor), now, nil},
		{"admin of another org", admin("rs-broker"), valid("rs-bank", module.RoleInvestor), now, member.ErrNotPermitted},
		{"custodian may not issue investors", admin("cust-trust"), valid("cust-trust", module.RoleInvestor), now, member.ErrRoleNotAllowed},
		{"expired at block time", admin("fm-alpha"), issue("fm-alpha", module.RoleFundManager, t0, t0.Add(time.Minute)), now, member.ErrCertExpired},
		{"not yet valid", admin("fm-alpha"), issue("fm-alpha", module.RoleFundManager, now.Add(time.Hour), now.AddDate(0, 1, 0)), now, member.ErrCertExpired},
		{"garbage", admin("fm-alpha"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", now, member.ErrInvalidCertificate},
		{"a CA certificate", admin("fm-alpha"), string(c.Org("fm-alpha").CA.PEM()), now, member.ErrInvalidCertificate},
	}
	for _, tc := range cases {
		br := blk.Branch()
		before := blk.AppHash()
		err := run(t, module.Prefixed(br, "member/"), ctxAt(1, tc.at, tc.signer), member.TypeRegisterIdentity, member.RegisterIdentity{Cert: tc.cert})
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: want %v, got %v", tc.name, tc.want, err)
		}
		if err != nil {
			br.Discard()
			if !bytes.Equal(before, blk.AppHash()) {
				t.Errorf("%s: refusal changed state", tc.name)
			}
		} else if err := br.Write(); err != nil {
			t.Fatal(err)
		}
	}
	// A certificate signed by another organisation's CA but claiming this one.
	forged, _ := fixture.New("forge", t0, []fixture.OrgSpec{{ID: "rs-bank", Type: module.OrgReseller, Alg: crypto.SM2}})
	err := run(t, kv, ctxAt(1, now, admin("rs-bank")), member.TypeRegisterIdentity, member.RegisterIdentity{Cert: string(forged.User("rs-bank/investor").Cert.PEM())})
	if !errors.Is(err, member.ErrUntrusted) {
		t.Fatalf("forged certificate: want certificate_untrusted, got %v", err)
	}
}

func TestAuthenticate(t *testing.T) {
	c, _, blk := setup(t)
	kv := module.Prefixed(blk, "member/")
	if err := member.New().InitGenesis(ctxAt(0, t0, module.Identity{}), kv, genesis(t, c)); err != nil {
		t.Fatal(err)
	}
	inv := c.User("rs-bank/investor").ID()
	if _, err := member.Authenticate(kv, inv, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := member.Authenticate(kv, inv, t0.AddDate(2, 0, 0)); !errors.Is(err, member.ErrCertExpired) {
		t.Fatalf("after notAfter: %v", err)
	}
	reg, _ := member.GetRecord(kv, c.User("regulator/operator").ID())
	if err := run(t, kv, ctxAt(2, t0.Add(time.Hour), reg.Identity()), member.TypeRevokeIdentity, member.RevokeIdentity{ID: inv, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := member.Authenticate(kv, inv, t0.Add(time.Hour)); !errors.Is(err, member.ErrRevoked) {
		t.Fatalf("after revocation: %v", err)
	}
	if err := run(t, kv, ctxAt(3, t0.Add(time.Hour), reg.Identity()), member.TypeRevokeIdentity, member.RevokeIdentity{ID: inv, Reason: "again"}); !errors.Is(err, member.ErrAlreadyRevoked) {
		t.Fatalf("second revocation: %v", err)
	}
	if _, err := member.Authenticate(kv, "00", t0); !errors.Is(err, member.ErrNotRegistered) {
		t.Fatalf("unknown: %v", err)
	}
}

// The member module is deterministic: the same genesis and messages on two
// fresh stores give the same app hash.
func TestMemberDeterminism(t *testing.T) {
	c, _, _ := setup(t)
	var hashes [][]byte
	for i := 0; i < 2; i++ {
		_, _, blk := setup(t)
		kv := module.Prefixed(blk, "member/")
		if err := member.New().InitGenesis(ctxAt(0, t0, module.Identity{}), kv, genesis(t, c)); err != nil {
			t.Fatal(err)
		}
		reg, _ := member.GetRecord(kv, c.User("regulator/admin").ID())
		for _, name := range []string{"rs-bank/investor", "fm-beta/operator"} {
			if err := run(t, kv, ctxAt(1, t0.Add(time.Hour), reg.Identity()), member.TypeRevokeIdentity, member.RevokeIdentity{ID: c.User(name).ID(), Reason: "r"}); err != nil {
				t.Fatal(err)
			}
		}
		hashes = append(hashes, blk.AppHash())
	}
	if !bytes.Equal(hashes[0], hashes[1]) {
		t.Fatal("member module is not deterministic")
	}
}

func FuzzRegisterIdentityValue(f *testing.F) {
	f.Add([]byte(`{"cert":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cert, err := member.SelfRegistration(b)
		if err == nil && cert == nil {
			t.Fatal("nil certificate without error")
		}
	})
}

func TestSetEncryptionKey(t *testing.T) {
	c, _, blk := setup(t)
	kv := module.Prefixed(blk, "member/")
	if err := member.New().InitGenesis(ctxAt(0, t0, module.Identity{}), kv, genesis(t, c)); err != nil {
		t.Fatal(err)
	}
	ident := func(name string) module.Identity {
		rec, err := member.GetRecord(kv, c.User(name).ID())
		if err != nil {
			t.Fatal(err)
		}
		return rec.Identity()
	}
	key := func(alg crypto.EncAlgorithm) []byte {
		k, err := crypto.GenerateEncKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		return k.Public().Bytes()
	}
	sm2User := ident("rs-bank/investor") // SM2 identity
	edUser := ident("fm-alpha/operator") // Ed25519 identity
	k1, k2 := key(crypto.SM2Enc), key(crypto.SM2Enc)
	set := func(who module.Identity, h int64, alg crypto.EncAlgorithm, pub []byte) error {
		return run(t, kv, ctxAt(h, t0.Add(time.Hour), who), member.TypeSetEncryptionKey, member.SetEncryptionKey{Algorithm: string(alg), PublicKey: pub})
	}
	if err := set(sm2User, 1, crypto.SM2Enc, k1); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		who  module.Identity
		alg  crypto.EncAlgorithm
		pub  []byte
	}{
		{"x25519 key for an SM2 identity", sm2User, crypto.X25519, key(crypto.X25519)},
		{"sm2 key for an Ed25519 identity", edUser, crypto.SM2Enc, key(crypto.SM2Enc)},
		{"not a point", sm2User, crypto.SM2Enc, bytes.Repeat([]byte{4}, 65)},
		{"unknown algorithm", sm2User, "rsa", k2},
		{"same key again", sm2User, crypto.SM2Enc, k1},
	}
	for _, tc := range cases {
		if err := set(tc.who, 2, tc.alg, tc.pub); !errors.Is(err, member.ErrInvalidRequest) {
			t.Errorf("%s: want invalid_request, got %v", tc.name, err)
		}
	}
	if err := set(sm2User, 3, crypto.SM2Enc, k2); err != nil {
		t.Fatal(err)
	}
	if err := set(edUser, 3, crypto.X25519, key(crypto.X25519)); err != nil {
		t.Fatal(err)
	}
	rec, _ := member.GetRecord(kv, sm2User.ID)
	// The fixture registers a key in genesis (height 0); the two set here follow.
	n := len(rec.EncKeys)
	if n < 2 || !bytes.Equal(rec.CurrentEncKey().PublicKey, k2) || rec.EncKeys[n-2].Since != 1 || rec.EncKeys[n-1].Since != 3 {
		t.Fatalf("key history: %+v", rec.EncKeys)
	}
}

func TestGenesisEncryptionKeys(t *testing.T) {
	c, _, blk := setup(t)
	var g member.Genesis
	if err := json.Unmarshal(genesis(t, c), &g); err != nil {
		t.Fatal(err)
	}
	sm2Key, _ := crypto.GenerateEncKey(crypto.SM2Enc)
	x, _ := crypto.GenerateEncKey(crypto.X25519)
	investor := c.User("rs-bank/investor") // SM2
	idx := -1
	for i, gi := range g.Identities {
		if gi.Cert == string(investor.Cert.PEM()) {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatal("investor not in genesis")
	}
	with := func(k crypto.EncPrivateKey) json.RawMessage {
		g2 := g
		g2.Identities = append([]member.GenesisIdentity(nil), g.Identities...)
		g2.Identities[idx].EncKey = &member.SetEncryptionKey{Algorithm: string(k.Public().Algorithm()), PublicKey: k.Public().Bytes()}
		b, _ := json.Marshal(g2)
		return b
	}
	// A key of the wrong kind for the identity is refused.
	if err := member.New().InitGenesis(ctxAt(0, t0, module.Identity{}), module.Prefixed(blk.Branch(), "member/"), with(x)); !errors.Is(err, member.ErrInvalidGenesis) {
		t.Fatalf("x25519 key for an SM2 identity in genesis: %v", err)
	}
	kv := module.Prefixed(blk, "member/")
	if err := member.New().InitGenesis(ctxAt(0, t0, module.Identity{}), kv, with(sm2Key)); err != nil {
		t.Fatal(err)
	}
	rec, err := member.GetRecord(kv, investor.ID())
	if err != nil {
		t.Fatal(err)
	}
	if k := rec.CurrentEncKey(); k == nil || !bytes.Equal(k.PublicKey, sm2Key.Public().Bytes()) || k.Since != 0 {
		t.Fatalf("genesis encryption key: %+v", rec.EncKeys)
	}
}

func TestOrgEncryptionKeys(t *testing.T) {
	c, _, blk := setup(t)
	kv := module.Prefixed(blk, "member/")
	if err := member.New().InitGenesis(ctxAt(0, t0, module.Identity{}), kv, genesis(t, c)); err != nil {
		t.Fatal(err)
	}
	query := func(org string) ([]member.OrgEncKey, error) {
		for _, q := range member.New().Queries() {
			if q.Path != "orgs/{id}/encryption-keys" {
				continue
			}
			if !q.Public {
				t.Fatal("orgs/{id}/encryption-keys must be public")
			}
			v, err := q.Handle(&module.QueryContext{}, kv, map[string]string{"id": org})
			if err != nil {
				return nil, err
			}
			return v.([]member.OrgEncKey), nil
		}
		t.Fatal("no query orgs/{id}/encryption-keys")
		return nil, nil
	}
	keys, err := query("regulator")
	if err != nil {
		t.Fatal(err)
	}
	op := c.User("regulator/operator")
	found := false
	for _, k := range keys {
		rec, err := member.GetRecord(kv, k.ID)
		if err != nil || rec.Org != "regulator" {
			t.Fatalf("key of %s: %v, org %q", k.ID, err, rec.Org)
		}
		cur := rec.CurrentEncKey()
		if cur == nil || k.Algorithm != cur.Algorithm || !bytes.Equal(k.PublicKey, cur.PublicKey) || k.Role != rec.Role || k.Name != rec.Name {
			t.Errorf("key %+v does not match the record %+v", k, rec)
		}
		if k.ID == op.ID() {
			found = true
			if k.Algorithm != string(crypto.SM2Enc) || k.Role != module.RoleRegulator {
				t.Errorf("regulator operator: %+v", k)
			}
		}
	}
	if !found {
		t.Fatalf("the regulator operator is not listed: %+v", keys)
	}
	// A revoked identity is left out.
	admin, _ := member.GetRecord(kv, c.User("regulator/admin").ID())
	if err := run(t, kv, ctxAt(1, t0.Add(time.Hour), admin.Identity()), member.TypeRevokeIdentity, member.RevokeIdentity{ID: op.ID(), Reason: "left"}); err != nil {
		t.Fatal(err)
	}
	after, err := query("regulator")
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(keys)-1 {
		t.Fatalf("after revoking the operator: %d keys, want %d", len(after), len(keys)-1)
	}
	for _, k := range after {
		if k.ID == op.ID() {
			t.Fatal("a revoked identity is still listed")
		}
	}
	if _, err := query("nope"); !errors.Is(err, member.ErrUnknownOrg) {
		t.Fatalf("unknown organisation: %v", err)
	}
}
