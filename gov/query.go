package gov

import (
	"encoding/json"

	"github.com/otcchain/otcchain/module"
)

// Queries implements module.Module.
//
//	proposals          members' people: every proposal
//	proposals/{id}     members' people: one proposal with its votes
//	validators         public: the validator set (power 0: removed)
//	evidence           public: recorded misbehaviour
//	insurance          members' people: the pool and every organisation's bond
//	payments           members' people: every bond posting and premium payment, in order
//	claims             members' people: every claim
//	claims/{id}        members' people: one claim
//	params             public: governance parameters
func (m *Module) Queries() []module.QuerySpec {
	list := func(pre string, mk func() any) func(*module.QueryContext, module.KVReader, map[string]string) (any, error) {
		return func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) (any, error) {
			out := []any{}
			return out, iterate(kv, []byte(pre), func(_, v []byte) error {
				x := mk()
				if err := json.Unmarshal(v, x); err != nil {
					return err
				}
				out = append(out, x)
				return nil
			})
		}
	}
	return []module.QuerySpec{
		{Path: "proposals", Roles: readers, Handle: list("p/", func() any { return &Proposal{} })},
		{Path: "proposals/{id}", Roles: readers, Handle: func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (any, error) {
			return getProposal(kv, p["id"])
		}},
		{Path: "validators", Public: true, Handle: func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) (any, error) {
			vals, err := loadValidators(kv)
			if vals == nil {
				vals = []Validator{}
			}
			return vals, err
		}},
		{Path: "evidence", Public: true, Handle: list("ev/", func() any { return &Evidence{} })},
		{Path: "insurance", Roles: readers, Handle: func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) (any, error) {
			pool, err := getPool(kv)
			if err != nil {
				return nil, err
			}
			out := Insurance{Pool: pool, Bonds: []Bond{}}
			return &out, iterate(kv, []byte("bond/"), func(_, v []byte) error {
				var b Bond
				if err := json.Unmarshal(v, &b); err != nil {
					return err
				}
				out.Bonds = append(out.Bonds, b)
				return nil
			})
		}},
		{Path: "payments", Roles: readers, Handle: list("log/", func() any { return &Payment{} })},
		{Path: "claims", Roles: readers, Handle: list("claim/", func() any { return &Claim{} })},
		{Path: "claims/{id}", Roles: readers, Handle: func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (any, error) {
			var c Claim
			if ok, err := module.GetJSON(kv, claimKey(p["id"]), &c); err != nil {
				return nil, err
			} else if !ok {
				return nil, ErrUnknownClaim.Wrapf("no claim %q", p["id"])
			}
			return &c, nil
		}},
		{Path: "params", Public: true, Handle: func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) (any, error) {
			return getParams(kv)
		}},
	}
}
