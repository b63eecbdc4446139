package gov

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Module is the gov module.
type Module struct{}

// New returns the module.
func New() *Module { return &Module{} }

var (
	_ module.Module     = (*Module)(nil)
	_ module.EndBlocker = (*Module)(nil)
	_ module.Receiver   = (*Module)(nil)
)

// Name implements module.Module.
func (*Module) Name() string { return "gov" }

// Codes implements module.Module.
func (*Module) Codes() *module.Codes { return Codes }

var (
	admins     = []module.Role{module.RoleAdmin}
	regulators = []module.Role{module.RoleRegulator}
	// readers are the members' people (not investors).
	readers = []module.Role{module.RoleAdmin, module.RoleRegulator, module.RoleFundManager, module.RoleReseller, module.RoleCustodian}
)

// Msgs implements module.Module.
func (m *Module) Msgs() []module.MsgSpec {
	return []module.MsgSpec{
		module.Spec(TypePropose, admins, false, propose),
		module.Spec(TypeVote, admins, false, vote),
		module.Spec(TypeWithdraw, admins, false, withdraw),
		module.Spec(TypePostBond, admins, false, postBond),
		module.Spec(TypePayPremium, admins, false, payPremium),
		module.Spec(TypeFileClaim, admins, false, fileClaim),
		module.Spec(TypeRejectClaim, regulators, false, rejectClaim),
	}
}

// Key layout inside the module's prefix ("gov/"):
//
//	params                          -> Params
//	p/<proposal id>                 -> Proposal
//	exp/<expiry unix ns, 8 bytes>/<id> -> empty (open proposals by expiry)
//	val/<address>                   -> Validator
//	vq/<address>                    -> Validator (update to emit at end of block)
//	ev/<type>/<address>/<height, 8 bytes> -> Evidence
//	bond/<org>                      -> Bond
//	pool                            -> int64 (JSON)
//	premium-next                    -> unix ns of the next premium boundary (8 bytes)
//	claim/<id>                      -> Claim
//	log/<height 8><msg 4>           -> Payment (bond posted, premium paid)
var (
	keyParams      = []byte("params")
	keyPool        = []byte("pool")
	keyPremiumNext = []byte("premium-next")
)

func proposalKey(id string) []byte { return []byte("p/" + id) }
func valKey(addr string) []byte    { return []byte("val/" + addr) }
func queueKey(addr string) []byte  { return []byte("vq/" + addr) }
func bondKey(org string) []byte    { return []byte("bond/" + org) }
func claimKey(id string) []byte    { return []byte("claim/" + id) }
func expKey(at time.Time, id string) []byte {
	return append(binary.BigEndian.AppendUint64([]byte("exp/"), uint64(at.UnixNano())), "/"+id...)
}
func evKey(typ, addr string, h int64) []byte {
	return binary.BigEndian.AppendUint64([]byte("ev/"+typ+"/"+addr+"/"), uint64(h))
}

// InitGenesis implements module.Module: parameters, the validator set (the
// genesis validators, each owned by the member organisation that lists its
// address) and every organisation's bond.
func (m *Module) InitGenesis(ctx *module.Context, kv module.KV, raw json.RawMessage) error {
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("decode: %v", err)
	}
	p := DefaultParams()
	if g.Params != nil {
		p = *g.Params
	}
	if err := p.Validate(); err != nil {
		return ErrInvalidGenesis.Wrapf("params: %v", err)
	}
	if err := module.PutJSON(kv, keyParams, &p); err != nil {
		return err
	}
	orgs, err := memberOrgs(ctx.Peer("member"))
	if err != nil {
		return err
	}
	owner := map[string]string{}
	for _, o := range orgs {
		for _, a := range o.Validators {
			owner[a] = o.ID
		}
	}
	for _, v := range ctx.GenesisValidators {
		val := Validator{Address: v.Address, Org: owner[v.Address], Power: v.Power, PubKeyType: v.PubKeyType, PubKey: v.PubKey, Since: ctx.Height}
		if err := module.PutJSON(kv, valKey(val.Address), &val); err != nil {
			return err
		}
	}
	listed := map[string]bool{}
	for i, b := range g.Bonds {
		if _, err := member.GetOrg(ctx.Peer("member"), b.Org); err != nil {
			return ErrInvalidGenesis.Wrapf("bond %d: %v", i, err)
		}
		if listed[b.Org] || b.Amount < 0 || b.Amount > MaxAmount {
			return ErrInvalidGenesis.Wrapf("bond %d: %s listed twice or amount out of range", i, b.Org)
		}
		listed[b.Org] = true
		if err := module.PutJSON(kv, bondKey(b.Org), &Bond{Org: b.Org, Bond: b.Amount, Posted: b.Amount}); err != nil {
			return err
		}
	}
	for _, o := range orgs {
		if !listed[o.ID] {
			if err := module.PutJSON(kv, bondKey(o.ID), &Bond{Org: o.ID, Bond: p.MinBond, Posted: p.MinBond}); err != nil {
				return err
			}
		}
	}
	if err := module.PutJSON(kv, keyPool, int64(0)); err != nil {
		return err
	}
	next := ctx.BlockTime.Add(time.Duration(p.PremiumPeriodDays) * 24 * time.Hour)
	return kv.Set(keyPremiumNext, binary.BigEndian.AppendUint64(nil, uint64(next.UnixNano())))
}

// ---- proposals

func propose(ctx *module.Context, kv module.KV, m *Propose) (any, error) {
	if old, err := kv.Get(proposalKey(m.ID)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrExists.Wrapf("proposal %s already exists", m.ID)
	}
	orgs, err := memberOrgs(ctx.Peer("member"))
	if err != nil {
		return nil, err
	}
	p := &Proposal{ID: m.ID, Title: m.Title, Description: m.Description, Actions: m.Actions,
		Proposer: ctx.Signer.ID, ProposerOrg: ctx.Signer.Org, Votes: []Vote{}, Status: StatusOpen,
		Submitted: ctx.Height, SubmittedTime: stamp(ctx.BlockTime)}
	for _, o := range orgs {
		if o.Status != member.StatusActive {
			continue
		}
		p.Electorate = append(p.Electorate, o.ID)
		if o.Type == module.OrgRegulator {
			p.Regulators = append(p.Regulators, o.ID)
		}
	}
	if !slices.Contains(p.Electorate, ctx.Signer.Org) {
		return nil, ErrNotPermitted.Wrapf("%s is not an active member organisation", ctx.Signer.Org)
	}
	p.Needed = 2*len(p.Electorate)/3 + 1
	for i := range m.Actions {
		if regulatorRequired[m.Actions[i].Name()] {
			p.RegulatorRequired = true
		}
	}
	if p.RegulatorRequired && len(p.Regulators) == 0 {
		return nil, ErrAction.Wrapf("the proposal needs the regulator's vote and no regulator organisation is active")
	}
	// Check every action against the state as the earlier actions would
	// leave it (validators: the whole proposal's effect on the set).
	if err := checkActions(ctx, kv, m.Actions); err != nil {
		return nil, err
	}
	params, err := getParams(kv)
	if err != nil {
		return nil, err
	}
	exp := ctx.BlockTime.Add(params.votingPeriod())
	p.Expires = stamp(exp)
	if err := kv.Set(expKey(exp, p.ID), []byte{}); err != nil {
		return nil, err
	}
	ctx.Emit("proposal_submitted", module.A("proposal", p.ID), module.A("org", p.ProposerOrg), module.A("by", ctx.Signer.ID))
	return p, module.PutJSON(kv, proposalKey(p.ID), p)
}

func getProposal(kv module.KVReader, id string) (*Proposal, error) {
	var p Proposal
	if ok, err := module.GetJSON(kv, proposalKey(id), &p); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknown.Wrapf("no proposal %s", id)
	}
	return &p, nil
}

func vote(ctx *module.Context, kv module.KV, m *Ballot) (any, error) {
	p, err := getProposal(kv, m.ID)
	if err != nil {
		return nil, err
	}
	if p.Status != StatusOpen {
		return nil, ErrStatus.Wrapf("proposal %s is %s", p.ID, p.Status)
	}
	exp, err := time.Parse(time.RFC3339Nano, p.Expires)
	if err != nil {
		return nil, fmt.Errorf("gov: proposal %s: corrupt expiry: %w", p.ID, err)
	}
	if !ctx.BlockTime.Before(exp) {
		return nil, ErrExpired.Wrapf("proposal %s expired at %s", p.ID, p.Expires)
	}
	if !slices.Contains(p.Electorate, ctx.Signer.Org) {
		return nil, ErrNotElector.Wrapf("%s was not an active member when proposal %s was made", ctx.Signer.Org, p.ID)
	}
	if i := slices.IndexFunc(p.Votes, func(v Vote) bool { return v.Org == ctx.Signer.Org }); i >= 0 {
		return nil, ErrAlreadyVoted.Wrapf("%s voted %s on proposal %s at height %d", ctx.Signer.Org, p.Votes[i].Vote, p.ID, p.Votes[i].Height)
	}
	p.Votes = append(p.Votes, Vote{Org: ctx.Signer.Org, Admin: ctx.Signer.ID, Vote: m.Vote, Height: ctx.Height, Time: stamp(ctx.BlockTime)})
	ctx.Emit("proposal_vote", module.A("proposal", p.ID), module.A("org", ctx.Signer.Org), module.A("vote", m.Vote))
	switch tallyOf(p) {
	case StatusPassed:
		if err := decide(kv, p, ctx.Height, ctx.BlockTime); err != nil {
			return nil, err
		}
		// Execute on the branch Call gives: a refused action leaves
		// nothing of any action behind.
		if err := module.PutJSON(kv, proposalKey(p.ID), p); err != nil {
			return nil, err
		}
		var results []json.RawMessage
		err := ctx.Call("gov", actionExecute, &execute{ID: p.ID}, &results)
		if e := module.AsError(err); e != nil {
			p.Status, p.Reason = StatusFailed, e.Error()
			ctx.Emit("proposal_failed", module.A("proposal", p.ID), module.A("reason", e.Error()))
		} else if err != nil {
			return nil, err
		} else {
			p.Status, p.Executed, p.Results = StatusPassed, ctx.Height, results
			ctx.Emit("proposal_passed", module.A("proposal", p.ID))
		}
	case StatusRejected:
		if err := decide(kv, p, ctx.Height, ctx.BlockTime); err != nil {
			return nil, err
		}
		p.Status = StatusRejected
		ctx.Emit("proposal_rejected", module.A("proposal", p.ID))
	}
	return p, module.PutJSON(kv, proposalKey(p.ID), p)
}

// tallyOf says whether p passes (StatusPassed), can no longer pass
// (StatusRejected) or stays open.
func tallyOf(p *Proposal) string {
	yes, voted := 0, 0
	regYes, regAgainst := 0, false
	for _, v := range p.Votes {
		voted++
		if v.Vote == VoteYes {
			yes++
		}
		if slices.Contains(p.Regulators, v.Org) {
			if v.Vote == VoteYes {
				regYes++
			} else {
				regAgainst = true
			}
		}
	}
	regOK := !p.RegulatorRequired || regYes == len(p.Regulators)
	switch {
	case yes >= p.Needed && regOK:
		return StatusPassed
	case yes+len(p.Electorate)-voted < p.Needed, p.RegulatorRequired && regAgainst:
		return StatusRejected
	}
	return StatusOpen
}

// decide closes an open proposal's expiry entry.
func decide(kv module.KV, p *Proposal, h int64, at time.Time) error {
	exp, err := time.Parse(time.RFC3339Nano, p.Expires)
	if err != nil {
		return fmt.Errorf("gov: proposal %s: corrupt expiry: %w", p.ID, err)
	}
	p.Decided, p.DecidedTime = h, stamp(at)
	return kv.Delete(expKey(exp, p.ID))
}

func withdraw(ctx *module.Context, kv module.KV, m *Withdraw) (any, error) {
	p, err := getProposal(kv, m.ID)
	if err != nil {
		return nil, err
	}
	if ctx.Signer.Org != p.ProposerOrg {
		return nil, ErrNotPermitted.Wrapf("only admins of %s withdraw proposal %s", p.ProposerOrg, p.ID)
	}
	if p.Status != StatusOpen {
		return nil, ErrStatus.Wrapf("proposal %s is %s", p.ID, p.Status)
	}
	if err := decide(kv, p, ctx.Height, ctx.BlockTime); err != nil {
		return nil, err
	}
	p.Status, p.Reason = StatusWithdrawn, m.Reason
	ctx.Emit("proposal_withdrawn", module.A("proposal", p.ID), module.A("by", ctx.Signer.ID))
	return p, module.PutJSON(kv, proposalKey(p.ID), p)
}

// ---- storage helpers

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

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

func getParams(kv module.KVReader) (Params, error) {
	p := DefaultParams()
	_, err := module.GetJSON(kv, keyParams, &p)
	return p, err
}

func getPool(kv module.KVReader) (int64, error) {
	var n int64
	_, err := module.GetJSON(kv, keyPool, &n)
	return n, err
}

func getBond(kv module.KVReader, org string) (*Bond, error) {
	b := Bond{Org: org}
	_, err := module.GetJSON(kv, bondKey(org), &b)
	return &b, err
}

// memberOrgs lists the member organisations in id order.
func memberOrgs(mkv module.KVReader) ([]member.Org, error) {
	var out []member.Org
	return out, iterate(mkv, []byte("org/"), func(_, v []byte) error {
		var o member.Org
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("gov: corrupt member org: %w", err)
		}
		out = append(out, o)
		return nil
	})
}
