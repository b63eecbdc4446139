package member

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
	"github.com/otcchain/otcchain/tx"
)

var _ module.Receiver = (*Module)(nil)

// AddOrg is the payload of the "add_org" action (from governance).
type AddOrg struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	CACert     string   `json:"ca_cert"`
	Validators []string `json:"validators,omitempty"`
}

// RemoveOrg is the payload of the "remove_org" action.
type RemoveOrg struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// RotateCA is the payload of the "rotate_ca" action.
type RotateCA struct {
	ID     string `json:"id"`
	CACert string `json:"ca_cert"`
}

// Receive implements module.Receiver: membership changes of a passed
// governance proposal. Only "gov" may call.
func (m *Module) Receive(ctx *module.Context, kv module.KV, from, action string, payload json.RawMessage) (json.RawMessage, error) {
	if from != "gov" {
		return nil, ErrNotPermitted.Wrapf("membership changes come from governance, not %s", from)
	}
	var (
		out any
		err error
	)
	switch action {
	case "add_org":
		var a AddOrg
		if err := tx.StrictUnmarshal(payload, &a); err != nil {
			return nil, ErrInvalidRequest.Wrapf("add_org: %v", err)
		}
		out, err = addOrg(ctx, kv, &a)
	case "remove_org":
		var r RemoveOrg
		if err := tx.StrictUnmarshal(payload, &r); err != nil {
			return nil, ErrInvalidRequest.Wrapf("remove_org: %v", err)
		}
		out, err = removeOrg(ctx, kv, &r)
	case "rotate_ca":
		var r RotateCA
		if err := tx.StrictUnmarshal(payload, &r); err != nil {
			return nil, ErrInvalidRequest.Wrapf("rotate_ca: %v", err)
		}
		out, err = rotateCA(ctx, kv, &r)
	default:
		return nil, ErrInvalidRequest.Wrapf("member takes no %q action", action)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// parseCA checks that pem is a CA certificate of organisation org, as
// genesis does.
func parseCA(org, pem string) (*pki.Certificate, error) {
	if len(pem) > MaxCertBytes {
		return nil, ErrInvalidCertificate.Wrapf("ca_cert is %d bytes; the limit is %d", len(pem), MaxCertBytes)
	}
	ca, err := pki.Parse([]byte(pem))
	if err != nil {
		return nil, ErrInvalidCertificate.Wrapf("CA certificate: %v", err)
	}
	if !ca.IsCA || ca.Org != org {
		return nil, ErrInvalidCertificate.Wrapf("the certificate is not a CA of organisation %q", org)
	}
	return ca, nil
}

func addOrg(ctx *module.Context, kv module.KV, a *AddOrg) (any, error) {
	if !ValidOrgID(a.ID) {
		return nil, ErrInvalidRequest.Wrapf("invalid organisation id %q", a.ID)
	}
	if strings.TrimSpace(a.Name) == "" || len(a.Name) > 128 || !utf8.ValidString(a.Name) || strings.ContainsAny(a.Name, "\x00\r\n") {
		return nil, ErrInvalidRequest.Wrapf("a one-line name of at most 128 bytes is required")
	}
	typ, err := module.ParseOrgType(a.Type)
	if err != nil {
		return nil, ErrInvalidRequest.Wrapf("%v", err)
	}
	for _, v := range a.Validators {
		if _, err := hex.DecodeString(v); err != nil || len(v) != 40 || strings.ToUpper(v) != v {
			return nil, ErrInvalidRequest.Wrapf("validator address %q: want 40 upper-case hex", v)
		}
	}
	if old, err := kv.Get(orgKey(a.ID)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrInvalidRequest.Wrapf("organisation %s already exists", a.ID)
	}
	ca, err := parseCA(a.ID, a.CACert)
	if err != nil {
		return nil, err
	}
	org := Org{ID: a.ID, Name: a.Name, Type: typ, CACert: string(ca.PEM()), Validators: a.Validators, Status: StatusActive, Since: ctx.Height}
	if err := module.PutJSON(kv, orgKey(org.ID), &org); err != nil {
		return nil, err
	}
	ctx.Emit("org_added", module.A("org", org.ID), module.A("type", string(org.Type)))
	return &org, nil
}

func removeOrg(ctx *module.Context, kv module.KV, r *RemoveOrg) (any, error) {
	org, err := GetOrg(kv, r.ID)
	if err != nil {
		return nil, err
	}
	if org.Status != StatusActive {
		return nil, ErrOrgInactive.Wrapf("organisation %s is already %s", org.ID, org.Status)
	}
	if strings.TrimSpace(r.Reason) == "" || len(r.Reason) > MaxReasonLen || !utf8.ValidString(r.Reason) {
		return nil, ErrInvalidRequest.Wrapf("a reason of at most %d bytes is required", MaxReasonLen)
	}
	if org.Type == module.OrgRegulator {
		// The last regulator cannot go: supervision and governance need it.
		others := false
		p := orgPrefix()
		if err := kv.Iterate(p, module.PrefixEnd(p), func(_, v []byte) bool {
			var o Org
			if jsonUnmarshal(v, &o) == nil && o.ID != org.ID && o.Type == module.OrgRegulator && o.Status == StatusActive {
				others = true
			}
			return !others
		}); err != nil {
			return nil, err
		}
		if !others {
			return nil, ErrNotPermitted.Wrapf("%s is the only active regulator organisation", org.ID)
		}
	}
	org.Status, org.Removed, org.RemovedReason = StatusRemoved, ctx.Height, r.Reason
	if err := module.PutJSON(kv, orgKey(org.ID), org); err != nil {
		return nil, err
	}
	ctx.Emit("org_removed", module.A("org", org.ID))
	return org, nil
}

func rotateCA(ctx *module.Context, kv module.KV, r *RotateCA) (any, error) {
	org, err := GetOrg(kv, r.ID)
	if err != nil {
		return nil, err
	}
	if org.Status != StatusActive {
		return nil, ErrOrgInactive.Wrapf("organisation %s is %s", org.ID, org.Status)
	}
	ca, err := parseCA(org.ID, r.CACert)
	if err != nil {
		return nil, err
	}
	if string(ca.PEM()) == org.CACert {
		return nil, ErrInvalidRequest.Wrapf("this CA certificate is already the current one")
	}
	org.CAHistory = append(append([]FormerCA(nil), org.CAHistory...), FormerCA{CACert: org.CACert, Until: ctx.Height})
	org.CACert = string(ca.PEM())
	if err := module.PutJSON(kv, orgKey(org.ID), org); err != nil {
		return nil, err
	}
	ctx.Emit("org_ca_rotated", module.A("org", org.ID), module.A("ca", ca.ID))
	return org, nil
}
