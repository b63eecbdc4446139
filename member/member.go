package member

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
)

// Module is the member module.
type Module struct{}

// New returns the member module.
func New() *Module { return &Module{} }

var _ module.Module = (*Module)(nil)

// Name implements module.Module.
func (*Module) Name() string { return "member" }

// Codes implements module.Module.
func (*Module) Codes() *module.Codes { return Codes }

// AllRoles lists every role (registration is open to any role: admins register
// others, anyone may register their own certificate).
var allRoles = module.ActingRoles()

// Msgs implements module.Module.
func (m *Module) Msgs() []module.MsgSpec {
	return []module.MsgSpec{
		{
			Type: TypeRegisterIdentity, Roles: allRoles, Batchable: true,
			New: func() module.Msg { return &RegisterIdentity{} },
			Handle: func(ctx *module.Context, kv module.KV, msg module.Msg) (json.RawMessage, error) {
				return register(ctx, kv, msg.(*RegisterIdentity))
			},
		},
		{
			Type: TypeRevokeIdentity, Roles: []module.Role{module.RoleAdmin, module.RoleRegulator}, Batchable: true,
			New: func() module.Msg { return &RevokeIdentity{} },
			Handle: func(ctx *module.Context, kv module.KV, msg module.Msg) (json.RawMessage, error) {
				return revoke(ctx, kv, msg.(*RevokeIdentity))
			},
		},
		{
			// Sent by the identity itself; not batchable (one key at a time).
			Type: TypeSetEncryptionKey, Roles: allRoles,
			New: func() module.Msg { return &SetEncryptionKey{} },
			Handle: func(ctx *module.Context, kv module.KV, msg module.Msg) (json.RawMessage, error) {
				return setEncKey(ctx, kv, msg.(*SetEncryptionKey))
			},
		},
	}
}

// InitGenesis implements module.Module: it stores the organisations and
// registers the genesis identities, verifying each against its CA at genesis
// time.
func (m *Module) InitGenesis(ctx *module.Context, kv module.KV, raw json.RawMessage) error {
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("decode: %v", err)
	}
	if len(g.Orgs) == 0 {
		return ErrInvalidGenesis.Wrapf("no organisations")
	}
	for i, o := range g.Orgs {
		if !ValidOrgID(o.ID) {
			return ErrInvalidGenesis.Wrapf("org %d: invalid id %q", i, o.ID)
		}
		typ, err := module.ParseOrgType(o.Type)
		if err != nil {
			return ErrInvalidGenesis.Wrapf("org %s: %v", o.ID, err)
		}
		ca, err := pki.Parse([]byte(o.CACert))
		if err != nil {
			return ErrInvalidGenesis.Wrapf("org %s: CA certificate: %v", o.ID, err)
		}
		if !ca.IsCA || ca.Org != o.ID {
			return ErrInvalidGenesis.Wrapf("org %s: CA certificate is not a CA of organisation %q", o.ID, o.ID)
		}
		if old, err := kv.Get(orgKey(o.ID)); err != nil {
			return err
		} else if old != nil {
			return ErrInvalidGenesis.Wrapf("org %s listed twice", o.ID)
		}
		org := Org{ID: o.ID, Name: o.Name, Type: typ, CACert: string(ca.PEM()), Validators: o.Validators, Status: StatusActive}
		if err := module.PutJSON(kv, orgKey(o.ID), &org); err != nil {
			return err
		}
	}
	for i, gi := range g.Identities {
		rec, err := registerCert(ctx, kv, gi.Cert, "")
		if err != nil {
			return ErrInvalidGenesis.Wrapf("identity %d: %v", i, err)
		}
		if gi.EncKey != nil {
			if err := gi.EncKey.Validate(); err != nil {
				return ErrInvalidGenesis.Wrapf("identity %d: encryption key: %v", i, err)
			}
			if err := addEncKey(kv, rec, gi.EncKey, ctx.Height); err != nil {
				return ErrInvalidGenesis.Wrapf("identity %d: encryption key: %v", i, err)
			}
		}
	}
	return nil
}

func register(ctx *module.Context, kv module.KV, m *RegisterIdentity) (json.RawMessage, error) {
	cert, err := pki.Parse([]byte(m.Cert))
	if err != nil {
		return nil, ErrInvalidCertificate.Wrapf("%v", err)
	}
	by := ctx.Signer.ID
	if cert.ID == ctx.Signer.ID {
		by = "" // self-registration
	} else if ctx.Signer.Role != module.RoleAdmin || ctx.Signer.Org != cert.Org {
		return nil, ErrNotPermitted.Wrapf("only an admin of %q or the certificate's own key may register it", cert.Org)
	}
	rec, err := registerCert(ctx, kv, m.Cert, by)
	if err != nil {
		return nil, err
	}
	ctx.Emit("identity_registered", module.A("id", rec.ID), module.A("org", rec.Org), module.A("role", string(rec.Role)))
	return json.Marshal(map[string]string{"id": rec.ID})
}

// registerCert verifies a certificate against its organisation's CA at block
// time and stores it.
func registerCert(ctx *module.Context, kv module.KV, certPEM, by string) (*Record, error) {
	cert, err := pki.Parse([]byte(certPEM))
	if err != nil {
		return nil, ErrInvalidCertificate.Wrapf("%v", err)
	}
	if cert.IsCA {
		return nil, ErrInvalidCertificate.Wrapf("a CA certificate cannot be registered as an identity")
	}
	role, err := module.ParseRole(cert.Role)
	if err != nil {
		return nil, ErrInvalidCertificate.Wrapf("%v", err)
	}
	org, err := GetOrg(kv, cert.Org)
	if err != nil {
		return nil, err
	}
	if org.Status != StatusActive {
		return nil, ErrOrgInactive.Wrapf("organisation %q is %s", org.ID, org.Status)
	}
	if !module.RoleAllowedForOrg(org.Type, role) {
		return nil, ErrRoleNotAllowed.Wrapf("a %s organisation may not issue %s certificates", org.Type, role)
	}
	ca, err := pki.Parse([]byte(org.CACert))
	if err != nil {
		return nil, fmt.Errorf("member: stored CA of %s does not parse: %w", org.ID, err)
	}
	if err := cert.VerifyIssuedBy(ca, ctx.BlockTime); err != nil {
		if errors.Is(err, pki.ErrExpired) || errors.Is(err, pki.ErrNotYetValid) {
			return nil, ErrCertExpired.Wrapf("%v", err)
		}
		return nil, ErrUntrusted.Wrapf("%v", err)
	}
	if old, err := kv.Get(idKey(cert.ID)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrAlreadyRegistered.Wrapf("identity %s is already registered", cert.ID)
	}
	rec := &Record{
		ID: cert.ID, Org: cert.Org, Role: role, Name: cert.Name,
		Algorithm: string(cert.PublicKey.Algorithm()), PublicKey: cert.PublicKey.Bytes(),
		Cert: string(cert.PEM()), NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC(),
		Status: StatusActive, RegisteredAt: ctx.Height, RegisteredBy: by,
	}
	if err := module.PutJSON(kv, idKey(rec.ID), rec); err != nil {
		return nil, err
	}
	if err := kv.Set(orgIDKey(rec.Org, rec.ID), []byte{}); err != nil {
		return nil, err
	}
	return rec, nil
}

func revoke(ctx *module.Context, kv module.KV, m *RevokeIdentity) (json.RawMessage, error) {
	rec, err := GetRecord(kv, m.ID)
	if err != nil {
		return nil, err
	}
	regulator, err := isRegulator(kv, ctx.Signer)
	if err != nil {
		return nil, err
	}
	switch {
	case regulator:
	case ctx.Signer.Role == module.RoleAdmin && ctx.Signer.Org == rec.Org:
	default:
		return nil, ErrNotPermitted.Wrapf("only an admin of %q or a regulator may revoke this identity", rec.Org)
	}
	if rec.Status == StatusRevoked {
		return nil, ErrAlreadyRevoked.Wrapf("identity %s was revoked at height %d", rec.ID, rec.RevokedAt)
	}
	rec.Status = StatusRevoked
	rec.RevokedAt = ctx.Height
	rec.RevokedBy = ctx.Signer.ID
	rec.RevokedReason = m.Reason
	if err := module.PutJSON(kv, idKey(rec.ID), rec); err != nil {
		return nil, err
	}
	ctx.Emit("identity_revoked", module.A("id", rec.ID), module.A("org", rec.Org), module.A("by", ctx.Signer.ID))
	return json.Marshal(map[string]string{"id": rec.ID, "status": rec.Status})
}

func setEncKey(ctx *module.Context, kv module.KV, m *SetEncryptionKey) (json.RawMessage, error) {
	rec, err := GetRecord(kv, ctx.Signer.ID)
	if err != nil {
		return nil, err
	}
	if err := addEncKey(kv, rec, m, ctx.Height); err != nil {
		return nil, err
	}
	ctx.Emit("encryption_key_set", module.A("id", rec.ID), module.A("algorithm", m.Algorithm))
	return json.Marshal(map[string]any{"id": rec.ID, "keys": len(rec.EncKeys)})
}

// addEncKey appends a validated encryption key to an identity's history.
func addEncKey(kv module.KV, rec *Record, m *SetEncryptionKey, height int64) error {
	want := crypto.EncAlgorithmFor(crypto.Algorithm(rec.Algorithm))
	if string(want) != m.Algorithm {
		return ErrInvalidRequest.Wrapf("a %s identity uses %s encryption keys, not %s", rec.Algorithm, want, m.Algorithm)
	}
	if cur := rec.CurrentEncKey(); cur != nil && cur.Algorithm == m.Algorithm && bytes.Equal(cur.PublicKey, m.PublicKey) {
		return ErrInvalidRequest.Wrapf("this encryption key is already the current one")
	}
	if len(rec.EncKeys) >= MaxEncKeys {
		return ErrInvalidRequest.Wrapf("an identity keeps at most %d encryption keys", MaxEncKeys)
	}
	// The record is shared with the decode memo: copy before changing.
	rec.EncKeys = append(append([]EncKey(nil), rec.EncKeys...), EncKey{Algorithm: m.Algorithm, PublicKey: bytes.Clone(m.PublicKey), Since: height})
	return module.PutJSON(kv, idKey(rec.ID), rec)
}

// isRegulator says whether the signer acts for the regulator: a regulator
// officer, or an admin of a regulator organisation.
func isRegulator(kv module.KVReader, who module.Identity) (bool, error) {
	if who.Role == module.RoleRegulator {
		return true, nil
	}
	if who.Role != module.RoleAdmin {
		return false, nil
	}
	org, err := GetOrg(kv, who.Org)
	if err != nil {
		if module.AsError(err) != nil {
			return false, nil
		}
		return false, err
	}
	return org.Type == module.OrgRegulator, nil
}

// GetOrg reads an organisation.
func GetOrg(kv module.KVReader, id string) (*Org, error) {
	k := orgKey(id)
	raw, err := kv.Get(k)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, ErrUnknownOrg.Wrapf("no organisation %q", id)
	}
	o, err := orgMemo.decode(k, raw)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// GetRecord reads an identity record, whatever its status.
func GetRecord(kv module.KVReader, id string) (*Record, error) {
	k := idKey(id)
	raw, err := kv.Get(k)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, ErrNotRegistered.Wrapf("no identity %s", id)
	}
	r, err := recordMemo.decode(k, raw)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Authenticate returns the identity that may sign at block time `at`: it must
// be registered, active, within its certificate's validity, and its
// organisation active. Refusals are *module.Error values of this codespace.
func Authenticate(kv module.KVReader, id string, at time.Time) (*Record, error) {
	rec, err := GetRecord(kv, id)
	if err != nil {
		return nil, err
	}
	if rec.Status == StatusRevoked {
		return nil, ErrRevoked.Wrapf("identity %s was revoked at height %d: %s", rec.ID, rec.RevokedAt, rec.RevokedReason)
	}
	if at.Before(rec.NotBefore) || at.After(rec.NotAfter) {
		return nil, ErrCertExpired.Wrapf("certificate of %s is valid from %s to %s; block time is %s",
			rec.ID, rec.NotBefore.Format(time.RFC3339), rec.NotAfter.Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	org, err := GetOrg(kv, rec.Org)
	if err != nil {
		return nil, err
	}
	if org.Status != StatusActive {
		return nil, ErrOrgInactive.Wrapf("organisation %q is %s", org.ID, org.Status)
	}
	return rec, nil
}

// SelfRegistration returns the identity a self-registering signer claims:
// the certificate of a register_identity message. The handler still verifies
// the certificate against its CA.
func SelfRegistration(value json.RawMessage) (*pki.Certificate, error) {
	var m RegisterIdentity
	if err := json.Unmarshal(value, &m); err != nil {
		return nil, ErrInvalidRequest.Wrapf("%v", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	cert, err := pki.Parse([]byte(m.Cert))
	if err != nil {
		return nil, ErrInvalidCertificate.Wrapf("%v", err)
	}
	return cert, nil
}

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("member: corrupt record: %w", err)
	}
	return nil
}
