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
	return []module.QuerySpec{
		module.Query("proposals", list[Proposal]("p/")).WithRoles(readers...),
		module.Query("proposals/{id}", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*Proposal, error) {
			return getProposal(kv, p["id"])
		}).WithRoles(readers...),
		module.Query("validators", func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) ([]Validator, error) {
			vals, err := loadValidators(kv)
			if vals == nil {
				vals = []Validator{}
			}
			return vals, err
		}).WithPublic(),
		module.Query("evidence", list[Evidence]("ev/")).WithPublic(),
		module.Query("insurance", func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) (*Insurance, error) {
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
		}).WithRoles(readers...),
		module.Query("payments", list[Payment]("log/")).WithRoles(readers...),
		module.Query("claims", list[Claim]("claim/")).WithRoles(readers...),
		module.Query("claims/{id}", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*Claim, error) {
			var c Claim
			if ok, err := module.GetJSON(kv, claimKey(p["id"]), &c); err != nil {
				return nil, err
			} else if !ok {
				return nil, ErrUnknownClaim.Wrapf("no claim %q", p["id"])
			}
			return &c, nil
		}).WithRoles(readers...),
		module.Query("params", func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) (Params, error) {
			return getParams(kv)
		}).WithPublic(),
	}
}

// list answers every record under pre, in key order.
func list[T any](pre string) func(*module.QueryContext, module.KVReader, map[string]string) ([]*T, error) {
	return func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) ([]*T, error) {
		out := []*T{}
		return out, iterate(kv, []byte(pre), func(_, v []byte) error {
			x := new(T)
			if err := json.Unmarshal(v, x); err != nil {
				return err
			}
			out = append(out, x)
			return nil
		})
	}
}
