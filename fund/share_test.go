package fund_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

func TestMayHoldPersonal(t *testing.T) {
	allowed := map[module.OrgType]module.Role{
		module.OrgFundManager: module.RoleFundManager,
		module.OrgCustodian:   module.RoleCustodian,
		module.OrgRegulator:   module.RoleRegulator,
		module.OrgReseller:    module.RoleReseller,
	}
	for _, org := range module.AllOrgTypes() {
		for _, role := range module.AllRoles() {
			for _, own := range []bool{false, true} {
				want := allowed[org] == role && (org != module.OrgReseller || own)
				if got := fund.MayHoldPersonal(org, role, own); got != want {
					t.Errorf("MayHoldPersonal(%s, %s, own channel %v) = %v, want %v", org, role, own, got, want)
				}
			}
		}
	}
}

// shareChain is a consortium with more identities than the default: two
// operators and two investors at fm-alpha, three investors at rs-bank and
// two at rs-broker, and three investors of rs-bank registered: A, B and C.
func shareChain(t *testing.T) *chain {
	t.Helper()
	c, err := fixture.New("fund-share-test", genesisTime, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		org, name string
		role      module.Role
	}{
		{"fm-alpha", "operator2", module.RoleFundManager},
		{"fm-alpha", "investor", module.RoleInvestor},
		{"fm-alpha", "investor2", module.RoleInvestor},
		{"rs-bank", "investor2", module.RoleInvestor},
		{"rs-bank", "investor3", module.RoleInvestor},
		{"rs-broker", "investor2", module.RoleInvestor},
		{"cust-trust", "operator2", module.RoleCustodian},
	} {
		if _, err := c.Add(u.org, u.name, u.role); err != nil {
			t.Fatal(err)
		}
	}
	h := newChainOf(t, c, nil)
	for _, inv := range []struct{ id, identity, name string }{
		{"A", "rs-bank/investor", "Investor A"},
		{"B", "rs-bank/investor2", "Investor B"},
		{"C", "rs-bank/investor3", "Investor C"},
	} {
		m := h.registerInvestorMsg("rs-bank/operator", inv.id, fund.InvestorIndividual, "C3", inv.identity,
			fund.PersonalData{Name: inv.name, IDType: "resident_id", IDNumber: "ID-" + inv.id, Phone: "138", Address: "Beijing"})
		if _, err := h.send("rs-bank/operator", fund.TypeRegisterInvestor, m); err != nil {
			t.Fatalf("register %s: %v", inv.id, err)
		}
	}
	return h
}

func (h *chain) investor(id string) (*fund.Investor, []byte) {
	h.t.Helper()
	v, err := querycheck.Read(h.t, h.app, "fund/investors/"+id, nil, h.identity("regulator/operator"))
	if err != nil {
		h.t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		h.t.Fatal(err)
	}
	var inv fund.Investor
	if err := json.Unmarshal(b, &inv); err != nil {
		h.t.Fatal(err)
	}
	return &inv, b
}

// decrypts says whether user opens investor id's personal data with its own
// encryption key, and checks what it reads.
func (h *chain) decrypts(user, id string) bool {
	h.t.Helper()
	inv, _ := h.investor(id)
	u := h.user(user)
	d, err := fund.OpenPersonal(inv, u.ID(), u.EncKey)
	if err != nil {
		if !errors.Is(err, crypto.ErrNotRecipient) {
			h.t.Fatalf("%s opening %s: %v", user, id, err)
		}
		return false
	}
	if d.IDNumber != "ID-"+id {
		h.t.Fatalf("%s read %s as %+v", user, id, d)
	}
	return true
}

// orgKeys is what the public query member/orgs/{org}/encryption-keys says.
func (h *chain) orgKeys(org string) (*member.Org, []member.OrgEncKey) {
	h.t.Helper()
	read := func(path string, out any) {
		v, err := querycheck.Read(h.t, h.app, path, nil, nil)
		if err != nil {
			h.t.Fatal(err)
		}
		b, _ := json.Marshal(v)
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatal(err)
		}
	}
	var o member.Org
	var keys []member.OrgEncKey
	read("member/orgs/"+org, &o)
	read("member/orgs/"+org+"/encryption-keys", &keys)
	return &o, keys
}

// shareMsg rewraps investor id's envelope, as the channel user, for keys.
func (h *chain) shareMsg(user, id, with string, keys []member.OrgEncKey) *fund.SharePersonal {
	h.t.Helper()
	inv, _ := h.investor(id)
	var rs []crypto.Recipient
	for _, k := range keys {
		pub, err := crypto.EncPublicKeyFromBytes(crypto.EncAlgorithm(k.Algorithm), k.PublicKey)
		if err != nil {
			h.t.Fatal(err)
		}
		rs = append(rs, crypto.Recipient{ID: k.ID, Key: pub})
	}
	u := h.user(user)
	env, err := crypto.Rewrap(inv.Personal, fund.PersonalAAD(id), u.ID(), u.EncKey, rs)
	if err != nil {
		h.t.Fatal(err)
	}
	return &fund.SharePersonal{Investor: id, With: with, Personal: env}
}

func userKey(h *chain, name string) member.OrgEncKey {
	u := h.user(name)
	return member.OrgEncKey{ID: u.ID(), Role: module.Role(u.Cert.Role), Algorithm: string(u.EncKey.Algorithm()), PublicKey: u.EncKey.Public().Bytes()}
}

func TestShareReachesOnlyEntitledIdentities(t *testing.T) {
	h := shareChain(t)
	fmAlpha := []string{"fm-alpha/operator", "fm-alpha/operator2", "fm-alpha/admin", "fm-alpha/seal", "fm-alpha/investor", "fm-alpha/investor2"}
	for _, u := range fmAlpha {
		if h.decrypts(u, "A") {
			t.Fatalf("%s opens A before any share", u)
		}
	}

	// The client's choice: of fm-alpha's six identities with a key, its two
	// operators.
	org, keys := h.orgKeys("fm-alpha")
	if len(keys) != 6 {
		t.Fatalf("fm-alpha has %d identities with a key, want 6", len(keys))
	}
	picked := fund.ShareRecipients(org, "rs-bank", keys)
	var names []string
	for _, k := range picked {
		names = append(names, string(k.Role))
	}
	if strings.Join(names, ",") != "fund_manager,fund_manager" {
		t.Fatalf("ShareRecipients picked roles %v, want the two fund_manager operators", names)
	}
	if _, err := h.send("rs-bank/operator", fund.TypeSharePersonal, h.shareMsg("rs-bank/operator", "A", "fm-alpha", picked)); err != nil {
		t.Fatalf("share A with fm-alpha: %v", err)
	}

	want := map[string]bool{
		"fm-alpha/operator": true, "fm-alpha/operator2": true, // the TA's operators
		"fm-alpha/admin": false, "fm-alpha/seal": false, "fm-alpha/investor": false, "fm-alpha/investor2": false,
		"rs-bank/operator": true, "rs-bank/investor": true, // the channel and A itself
		"rs-bank/investor2": false, "rs-bank/investor3": false, "rs-bank/admin": false, // B, C: other investors of the same reseller
		"rs-broker/operator": false, "rs-broker/investor": false, "rs-broker/investor2": false,
		"cust-trust/operator": false, "regulator/operator": true, // look-through
	}
	for u, w := range want {
		if got := h.decrypts(u, "A"); got != w {
			t.Errorf("after sharing A with fm-alpha: %s opens A = %v, want %v", u, got, w)
		}
	}
	// Nobody gains B or C: only their channel, themselves and the regulator.
	for _, id := range []string{"B", "C"} {
		for _, u := range append(fmAlpha, "rs-bank/investor", "cust-trust/operator") {
			if h.decrypts(u, id) {
				t.Errorf("after sharing A: %s opens %s", u, id)
			}
		}
		if !h.decrypts("regulator/operator", id) || !h.decrypts("rs-bank/operator", id) {
			t.Errorf("%s: the regulator or the channel lost access", id)
		}
	}
	if !h.decrypts("rs-bank/investor2", "B") || !h.decrypts("rs-bank/investor3", "C") {
		t.Error("an investor lost access to its own data")
	}

	// The custodian's operators, likewise.
	org, keys = h.orgKeys("cust-trust")
	if _, err := h.send("rs-bank/operator", fund.TypeSharePersonal, h.shareMsg("rs-bank/operator", "B", "cust-trust", fund.ShareRecipients(org, "rs-bank", keys))); err != nil {
		t.Fatalf("share B with cust-trust: %v", err)
	}
	for u, w := range map[string]bool{"cust-trust/operator": true, "cust-trust/operator2": true, "cust-trust/admin": false, "cust-trust/seal": false, "fm-alpha/operator": false} {
		if got := h.decrypts(u, "B"); got != w {
			t.Errorf("after sharing B with cust-trust: %s opens B = %v, want %v", u, got, w)
		}
	}
}

func TestShareRefusesForbiddenRecipients(t *testing.T) {
	h := shareChain(t)
	_, all := h.orgKeys("fm-alpha")
	rogue, err := crypto.GenerateEncKey(crypto.X25519)
	if err != nil {
		t.Fatal(err)
	}
	unknown := member.OrgEncKey{ID: strings.Repeat("ab", 32), Role: module.RoleFundManager, Algorithm: string(crypto.X25519), PublicKey: rogue.Public().Bytes()}
	op := userKey(h, "fm-alpha/operator")
	for _, c := range []struct {
		name string
		with string
		keys []member.OrgEncKey
		want string
	}{
		{"every identity of the organisation (the old client)", "fm-alpha", all, "may not hold"},
		{"an investor of the organisation", "fm-alpha", []member.OrgEncKey{op, userKey(h, "fm-alpha/investor")}, "role investor"},
		{"its admin", "fm-alpha", []member.OrgEncKey{userKey(h, "fm-alpha/admin")}, "role admin"},
		{"its seal", "fm-alpha", []member.OrgEncKey{userKey(h, "fm-alpha/seal")}, "role seal"},
		{"another investor of the same channel", "rs-bank", []member.OrgEncKey{userKey(h, "rs-bank/investor2")}, "role investor"},
		{"an operator of another organisation", "fm-alpha", []member.OrgEncKey{op, userKey(h, "fm-beta/operator")}, "not of fm-alpha"},
		{"another reseller's operator", "rs-broker", []member.OrgEncKey{userKey(h, "rs-broker/operator")}, "role reseller"},
		{"an unknown identity", "fm-alpha", []member.OrgEncKey{unknown}, "not a registered identity"},
		{"an unknown organisation", "fm-gamma", []member.OrgEncKey{op}, "no organisation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, before := h.investor("A")
			_, err := h.send("rs-bank/operator", fund.TypeSharePersonal, h.shareMsg("rs-bank/operator", "A", c.with, c.keys))
			var e *module.Error
			if !errors.As(err, &e) || e.Codespace != "fund" || e.Code != fund.ErrShareRecipient.Code || !strings.Contains(e.Message, c.want) {
				t.Fatalf("share: %v, want fund/%d share_recipient naming %q", err, fund.ErrShareRecipient.Code, c.want)
			}
			if _, after := h.investor("A"); !bytes.Equal(before, after) {
				t.Fatal("a refused share changed the investor")
			}
			for _, k := range c.keys {
				if k.ID != op.ID && k.ID != unknown.ID {
					for name, u := range h.c.Users {
						if u.ID() == k.ID && h.decrypts(name, "A") {
							t.Fatalf("%s opens A after a refused share", name)
						}
					}
				}
			}
		})
	}

	// A revoked operator cannot be shared with either.
	op2 := userKey(h, "fm-alpha/operator2")
	if _, err := h.send("fm-alpha/admin", member.TypeRevokeIdentity, member.RevokeIdentity{ID: op2.ID, Reason: "left the company"}); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	_, err = h.send("rs-bank/operator", fund.TypeSharePersonal, h.shareMsg("rs-bank/operator", "A", "fm-alpha", []member.OrgEncKey{op2}))
	if e := module.AsError(err); e == nil || e.Code != fund.ErrShareRecipient.Code || !strings.Contains(e.Message, "revoked") {
		t.Fatalf("share with a revoked operator: %v, want share_recipient ... revoked", err)
	}
}

// Registration and update apply the same table to every recipient besides
// the signer and the investor's own identity: they cannot be used to give
// the data to a role that may not hold it.
func TestSealRefusesForbiddenRecipients(t *testing.T) {
	h := shareChain(t)
	for _, who := range []string{"fm-alpha/investor", "rs-bank/investor2", "regulator/admin", "fm-alpha/seal"} {
		m := h.registerInvestorMsg("rs-bank/operator", "D", fund.InvestorIndividual, "C3", "",
			fund.PersonalData{Name: "Investor D", IDType: "resident_id", IDNumber: "ID-D"})
		env, commit, alg, err := fund.SealPersonal(h.user("rs-bank/operator").Key.Algorithm(), "D", fund.PersonalData{Name: "Investor D", IDNumber: "ID-D"},
			[]crypto.Recipient{h.recipient("rs-bank/operator"), h.recipient("regulator/operator"), h.recipient(who)})
		if err != nil {
			t.Fatal(err)
		}
		m.Personal, m.Commitment, m.CommitAlg = env, commit, alg
		_, err = h.send("rs-bank/operator", fund.TypeRegisterInvestor, m)
		if e := module.AsError(err); e == nil || e.Code != fund.ErrPersonalData.Code || !strings.Contains(e.Message, "may not hold") {
			t.Errorf("register sealed for %s: %v, want personal_data ... may not hold", who, err)
		}
		upd := &fund.UpdateInvestor{ID: "A", Risk: 3, RiskAssessed: sdate("2026-01-05"), RiskExpires: sdate("2027-01-05")}
		env, commit, alg, err = fund.SealPersonal(h.user("rs-bank/operator").Key.Algorithm(), "A", fund.PersonalData{Name: "Investor A", IDNumber: "ID-A"},
			[]crypto.Recipient{h.recipient("rs-bank/operator"), h.recipient("regulator/operator"), h.recipient("rs-bank/investor"), h.recipient(who)})
		if err != nil {
			t.Fatal(err)
		}
		upd.Personal, upd.Commitment, upd.CommitAlg = env, commit, alg
		_, before := h.investor("A")
		_, err = h.send("rs-bank/operator", fund.TypeUpdateInvestor, upd)
		if e := module.AsError(err); e == nil || e.Code != fund.ErrPersonalData.Code || !strings.Contains(e.Message, "may not hold") {
			t.Errorf("update sealed for %s: %v, want personal_data ... may not hold", who, err)
		}
		if _, after := h.investor("A"); !bytes.Equal(before, after) {
			t.Errorf("a refused update (for %s) changed the investor", who)
		}
	}
}
