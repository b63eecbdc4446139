package contract

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Queries implements module.Module. Paths (GET /v1/q/contract/...):
//
//	types, types/{id}, seals/{org}           public
//	contracts/{id}                           the parties, the regulator: the contract and its versions
//	contracts/{id}/versions/{n}              same: one version (with its encrypted document)
//	contracts/{id}/history                   same: the operation evidence
//	org-contracts/{org}                      that organisation's people, the regulator
//	verify/{alg}/{hash}                      any member identity: the verification report of a file
func (m *Module) Queries() []module.QuerySpec {
	acting := module.ActingRoles()
	return []module.QuerySpec{
		module.Query("types", func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) ([]*Type, error) {
			out := []*Type{}
			return out, iterate(kv, []byte("type/"), func(_, v []byte) error {
				var t Type
				if err := decode(v, &t); err != nil {
					return err
				}
				out = append(out, &t)
				return nil
			})
		}).WithPublic(),
		module.Query("types/{id}", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*Type, error) {
			return getType(kv, p["id"])
		}).WithPublic(),
		module.Query("seals/{org}", func(qc *module.QueryContext, kv module.KVReader, p map[string]string) ([]SealView, error) {
			out := []SealView{}
			return out, iterate(kv, []byte("seal/"), func(_, v []byte) error {
				var s Seal
				if err := decode(v, &s); err != nil {
					return err
				}
				if s.Org == p["org"] {
					status := "unknown"
					if rec, err := member.GetRecord(qc.Peer("member"), s.ID); err == nil {
						status = rec.Status
					}
					out = append(out, SealView{&s, status})
				}
				return nil
			})
		}).WithPublic(),
		module.Query("contracts/{id}", queryContract).WithRoles(acting...),
		module.Query("contracts/{id}/versions/{n}", queryVersion).WithRoles(acting...),
		module.Query("contracts/{id}/history", queryHistory).WithRoles(acting...),
		module.Query("org-contracts/{org}", queryOrgContracts).WithRoles(acting...),
		module.Query("verify/{alg}/{hash}", func(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*Report, error) {
			return Verify(kv, qc.Peer("member"), qc.ChainID(), chinaDate(qc.Time), p["alg"], p["hash"])
		}).WithRoles(acting...),
	}
}

// SealView is a seal of seals/{org} with its certificate's status.
type SealView struct {
	*Seal
	Status string `json:"status"` // the seal certificate's: active or revoked
}

// View is the answer of contracts/{id}: the contract and its versions
// (without their encrypted documents).
type View struct {
	*Contract
	Versions []*Version `json:"versions"`
}

// readable returns a contract the caller may read: a party's people, the
// investor party itself, or the regulator.
func readable(qc *module.QueryContext, kv module.KVReader, id string) (*Contract, error) {
	c, err := getContract(kv, id)
	if err != nil {
		return nil, err
	}
	if isRegulator(qc.Peer("member"), *qc.Caller) || partyOf(c, *qc.Caller, nil) >= 0 {
		return c, nil
	}
	return nil, ErrNotPermitted.Wrapf("%s %s is not a party of contract %s", qc.Caller.Org, qc.Caller.Role, id)
}

func queryContract(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*View, error) {
	c, err := readable(qc, kv, p["id"])
	if err != nil {
		return nil, err
	}
	c.Status = statusAt(c, chinaDate(qc.Time))
	out := &View{Contract: c}
	for n := 1; n <= c.Version; n++ {
		v, err := getVersion(kv, c.ID, n)
		if err != nil {
			return nil, err
		}
		v.Document.Envelope = nil // GET .../versions/{n} carries the encrypted document
		out.Versions = append(out.Versions, v)
	}
	return out, nil
}

func queryVersion(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*Version, error) {
	c, err := readable(qc, kv, p["id"])
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(p["n"])
	if err != nil {
		return nil, ErrInvalidRequest.Wrapf("version must be a number")
	}
	return getVersion(kv, c.ID, n)
}

func queryHistory(qc *module.QueryContext, kv module.KVReader, p map[string]string) ([]*Event, error) {
	c, err := readable(qc, kv, p["id"])
	if err != nil {
		return nil, err
	}
	out := []*Event{}
	return out, iterate(kv, historyPrefix(c.ID), func(_, v []byte) error {
		var e Event
		if err := decode(v, &e); err != nil {
			return err
		}
		out = append(out, &e)
		return nil
	})
}

func queryOrgContracts(qc *module.QueryContext, kv module.KVReader, p map[string]string) ([]*Contract, error) {
	org := p["org"]
	if !isRegulator(qc.Peer("member"), *qc.Caller) && (qc.Caller.Org != org || qc.Caller.Role == module.RoleInvestor) {
		return nil, ErrNotPermitted.Wrapf("only %s's people and the regulator list its contracts", org)
	}
	var ids []string
	pre := []byte("org/" + org + "/")
	if err := iterate(kv, pre, func(k, _ []byte) error {
		ids = append(ids, string(k[len(pre):]))
		return nil
	}); err != nil {
		return nil, err
	}
	out := []*Contract{}
	for _, id := range ids {
		c, err := getContract(kv, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func iterate(kv module.KVReader, pre []byte, fn func(k, v []byte) error) error {
	var err error
	if ierr := kv.Iterate(pre, module.PrefixEnd(pre), func(k, v []byte) bool {
		err = fn(k, v)
		return err == nil
	}); ierr != nil {
		return ierr
	}
	return err
}

// decode reads a stored record.
func decode(v []byte, out any) error {
	if err := json.Unmarshal(v, out); err != nil {
		return fmt.Errorf("contract: corrupt record: %w", err)
	}
	return nil
}

// RiskDisclosureSigned says whether investor (an id of the fund module,
// whose own identity is identity) has an effective risk-disclosure contract
// for fund signed by that identity: the fund module's suitability check
// accepts it in place of an acknowledgement message.
func RiskDisclosureSigned(kv module.KVReader, investor, identity, fund, today string) (bool, error) {
	if identity == "" {
		return false, nil
	}
	return anyEffective(kv, riskDisclosurePrefix(investor, fund), today, func(c *Contract) bool {
		for _, p := range c.Parties {
			if p.Identity == identity {
				return true
			}
		}
		return false
	})
}

// DistributionAgreement says whether manager and reseller have an effective
// distribution agreement.
func DistributionAgreement(kv module.KVReader, manager, reseller, today string) (bool, error) {
	return anyEffective(kv, distributionPrefix(manager, reseller), today, nil)
}

func anyEffective(kv module.KVReader, pre []byte, today string, accept func(*Contract) bool) (bool, error) {
	var ids []string
	if err := iterate(kv, pre, func(k, _ []byte) error {
		ids = append(ids, string(k[len(pre):]))
		return nil
	}); err != nil {
		return false, err
	}
	for _, id := range ids {
		c, err := getContract(kv, id)
		if err != nil {
			return false, err
		}
		if s := statusAt(c, today); (s == StatusEffective || s == StatusAmending) && (accept == nil || accept(c)) {
			return true, nil
		}
	}
	return false, nil
}
