package member

import (
	"github.com/otcchain/otcchain/module"
)

// Queries implements module.Module.
//
//	orgs                   public: every organisation
//	orgs/{id}              public: one organisation
//	orgs/{id}/encryption-keys  public: the organisation's active identities with a current encryption key
//	identities/{id}        public: one identity (certificates are public material)
//	org-identities/{id}    an organisation's identities: its own admins, or a regulator
func (m *Module) Queries() []module.QuerySpec {
	return []module.QuerySpec{
		module.Query("orgs", queryOrgs).WithPublic(),
		module.Query("orgs/{id}", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*Org, error) {
			return GetOrg(kv, p["id"])
		}).WithPublic(),
		module.Query("orgs/{id}/encryption-keys", queryOrgEncKeys).WithPublic(),
		module.Query("identities/{id}", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*Record, error) {
			return GetRecord(kv, p["id"])
		}).WithPublic(),
		module.Query("org-identities/{id}", queryOrgIdentities).WithRoles(module.RoleAdmin),
	}
}

func queryOrgs(_ *module.QueryContext, kv module.KVReader, _ map[string]string) ([]*Org, error) {
	out := []*Org{}
	var err error
	p := orgPrefix()
	if ierr := kv.Iterate(p, module.PrefixEnd(p), func(_, v []byte) bool {
		var o Org
		if err = jsonUnmarshal(v, &o); err != nil {
			return false
		}
		out = append(out, &o)
		return true
	}); ierr != nil {
		return nil, ierr
	}
	return out, err
}

func queryOrgIdentities(ctx *module.QueryContext, kv module.KVReader, p map[string]string) ([]*Record, error) {
	org := p["id"]
	if ctx.Caller.Role != module.RoleRegulator && ctx.Caller.Org != org {
		return nil, ErrNotPermitted.Wrapf("only admins of %q and regulators may list its identities", org)
	}
	ids, err := orgIdentityIDs(kv, org)
	if err != nil {
		return nil, err
	}
	out := make([]*Record, 0, len(ids))
	for _, id := range ids {
		r, err := GetRecord(kv, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// OrgEncKey is an active identity of an organisation and its current
// encryption public key: whom to seal data for when it must reach the
// organisation (a channel seals investors' personal data for the
// regulator's identities).
type OrgEncKey struct {
	ID        string      `json:"id"`
	Role      module.Role `json:"role"`
	Name      string      `json:"name"`
	Algorithm string      `json:"algorithm"`  // encryption algorithm (x25519, p256-ecdh, sm2-enc)
	PublicKey []byte      `json:"public_key"` // base64 in JSON
	Since     int64       `json:"since"`
}

func queryOrgEncKeys(_ *module.QueryContext, kv module.KVReader, p map[string]string) ([]OrgEncKey, error) {
	org := p["id"]
	ids, err := orgIdentityIDs(kv, org)
	if err != nil {
		return nil, err
	}
	out := []OrgEncKey{}
	for _, id := range ids {
		r, err := GetRecord(kv, id)
		if err != nil {
			return nil, err
		}
		k := r.CurrentEncKey()
		if r.Status != StatusActive || k == nil {
			continue
		}
		out = append(out, OrgEncKey{ID: r.ID, Role: r.Role, Name: r.Name, Algorithm: k.Algorithm, PublicKey: k.PublicKey, Since: k.Since})
	}
	return out, nil
}

// orgIdentityIDs lists the ids of an organisation's identities.
func orgIdentityIDs(kv module.KVReader, org string) ([]string, error) {
	if _, err := GetOrg(kv, org); err != nil {
		return nil, err
	}
	var ids []string
	pre := orgIDPrefix(org)
	if err := kv.Iterate(pre, module.PrefixEnd(pre), func(k, _ []byte) bool {
		ids = append(ids, string(k[len(pre):]))
		return true
	}); err != nil {
		return nil, err
	}
	return ids, nil
}
