package member_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
)

// TestReceive: membership actions come from governance only; add_org needs
// a real CA certificate of the new organisation and an unused id;
// remove_org makes the organisation's identities fail authentication;
// rotate_ca keeps the old CA in the history.
func TestReceive(t *testing.T) {
	c, _, blk := setup(t)
	kv := module.Prefixed(blk, "member/")
	if err := member.New().InitGenesis(ctxAt(0, t0, module.Identity{}), kv, genesis(t, c)); err != nil {
		t.Fatal(err)
	}
	m := member.New()
	ctx := ctxAt(5, t0, module.Identity{})
	call := func(from, action string, v any) error {
		b, _ := json.Marshal(v)
		_, err := m.Receive(ctx, kv, from, action, b)
		return err
	}
	key, err := crypto.GenerateKey(crypto.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pki.NewCA("fm-gamma", "fm-gamma CA", key, t0.AddDate(0, 0, -1), t0.AddDate(5, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	add := member.AddOrg{ID: "fm-gamma", Name: "Gamma", Type: "fund_manager", CACert: string(ca.PEM())}
	if err := call("fund", "add_org", add); !errors.Is(err, member.ErrNotPermitted) {
		t.Fatalf("a call from fund: %v", err)
	}
	user := c.User("fm-alpha/admin").Cert.PEM()
	bad := add
	bad.CACert = string(user)
	if err := call("gov", "add_org", bad); !errors.Is(err, member.ErrInvalidCertificate) {
		t.Fatalf("a user certificate as CA: %v", err)
	}
	bad = add
	bad.Type = "bank"
	if err := call("gov", "add_org", bad); !errors.Is(err, member.ErrInvalidRequest) {
		t.Fatalf("bad type: %v", err)
	}
	if err := call("gov", "add_org", map[string]any{"id": "fm-gamma", "extra": 1}); !errors.Is(err, member.ErrInvalidRequest) {
		t.Fatalf("unknown field: %v", err)
	}
	if err := call("gov", "add_org", add); err != nil {
		t.Fatal(err)
	}
	if err := call("gov", "add_org", add); !errors.Is(err, member.ErrInvalidRequest) {
		t.Fatalf("id reused: %v", err)
	}
	o, err := member.GetOrg(kv, "fm-gamma")
	if err != nil || o.Status != member.StatusActive || o.Since != 5 {
		t.Fatalf("added org: %+v %v", o, err)
	}

	// Rotation: fm-gamma's CA becomes a new one, the old one is history.
	key2, _ := crypto.GenerateKey(crypto.Ed25519)
	ca2, _ := pki.NewCA("fm-gamma", "fm-gamma CA 2", key2, t0.AddDate(0, 0, -1), t0.AddDate(5, 0, 0))
	if err := call("gov", "rotate_ca", member.RotateCA{ID: "fm-gamma", CACert: string(c.Org("fm-alpha").CA.PEM())}); !errors.Is(err, member.ErrInvalidCertificate) {
		t.Fatalf("another organisation's CA: %v", err)
	}
	if err := call("gov", "rotate_ca", member.RotateCA{ID: "fm-gamma", CACert: string(ca2.PEM())}); err != nil {
		t.Fatal(err)
	}
	o, _ = member.GetOrg(kv, "fm-gamma")
	if o.CACert != string(ca2.PEM()) || len(o.CAHistory) != 1 || o.CAHistory[0].CACert != string(ca.PEM()) || o.CAHistory[0].Until != 5 {
		t.Fatalf("rotated: %+v", o)
	}

	// Removal: fm-alpha's identities no longer authenticate.
	admin := c.User("fm-alpha/admin").ID()
	if _, err := member.Authenticate(kv, admin, t0); err != nil {
		t.Fatal(err)
	}
	if err := call("gov", "remove_org", member.RemoveOrg{ID: "fm-alpha", Reason: "licence withdrawn"}); err != nil {
		t.Fatal(err)
	}
	if _, err := member.Authenticate(kv, admin, t0); !errors.Is(err, member.ErrOrgInactive) {
		t.Fatalf("identity of a removed org: %v", err)
	}
	if err := call("gov", "remove_org", member.RemoveOrg{ID: "fm-alpha", Reason: "again"}); !errors.Is(err, member.ErrOrgInactive) {
		t.Fatalf("removed twice: %v", err)
	}
	if err := call("gov", "remove_org", member.RemoveOrg{ID: "regulator", Reason: "x"}); !errors.Is(err, member.ErrNotPermitted) {
		t.Fatalf("the last regulator removed: %v", err)
	}
	if err := call("gov", "merge_org", add); !errors.Is(err, member.ErrInvalidRequest) {
		t.Fatalf("unknown action: %v", err)
	}
}
