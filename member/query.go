package member

import (
	"github.com/otcchain/otcchain/module"
)

// Queries implements module.Module.
//
//	orgs                   public: every organisation
//	orgs/{id}              public: one organisation
//	identities/{id}        public: one identity (certificates are public material)
//	org-identities/{id}    an organisation's identities: its own admins, or a regulator
func (m *Module) Queries() []module.QuerySpec {
	return []module.QuerySpec{
		{Path: "orgs", Public: true, Handle: queryOrgs},
		{Path: "orgs/{id}", Public: true, Handle: func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (any, error) {
			return GetOrg(kv, p["id"])
		}},
		{Path: "identities/{id}", Public: true, Handle: func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (any, error) {
			return GetRecord(kv, p["id"])
		}},
		{Path: "org-identities/{id}", Roles: []module.Role{module.RoleAdmin}, Handle: queryOrgIdentities},
	}
}

func queryOrgs(_ *module.QueryContext, kv module.KVReader, _ map[string]string) (any, error) {
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

func queryOrgIdentities(ctx *module.QueryContext, kv module.KVReader, p map[string]string) (any, error) {
	org := p["id"]
	if ctx.Caller.Role != module.RoleRegulator && ctx.Caller.Org != org {
		return nil, ErrNotPermitted.Wrapf("only admins of %q and regulators may list its identities", org)
	}
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
