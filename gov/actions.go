package gov

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
	"github.com/otcchain/otcchain/tx"
)

// allowed are the actions a proposal may take; regulatorRequired those
// that need the regulator's yes vote (membership, supervision rules and
// parameters, insurance claims).
var (
	allowed = map[string]bool{
		"member/add_org": true, "member/remove_org": true, "member/rotate_ca": true,
		"supervision/set_rules": true, "supervision/set_params": true,
		"fund/set_calendar": true, "contract/set_type": true,
		"gov/validator": true, "gov/set_params": true, "gov/pay_claim": true,
	}
	regulatorRequired = map[string]bool{
		"member/add_org": true, "member/remove_org": true, "member/rotate_ca": true,
		"supervision/set_rules": true, "supervision/set_params": true,
		"gov/pay_claim": true,
	}
)

// AllowedActions lists the governance actions ("module/action"), sorted.
func AllowedActions() []string {
	out := make([]string, 0, len(allowed))
	for k := range allowed {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RegulatorRequired says whether an action needs the regulator's vote.
func RegulatorRequired(action string) bool { return regulatorRequired[action] }

// Validator ops.
const (
	OpAdd      = "add"
	OpRemove   = "remove"
	OpSetPower = "set_power"
)

const actionExecute = "execute"

type execute struct {
	ID string `json:"id"`
}

// plan is the state a proposal's actions see while they are checked or
// run: the validator set as the earlier actions leave it, and the
// organisations added or removed so far.
type plan struct {
	vals    []Validator // sorted by address
	added   map[string]bool
	removed map[string]bool
}

func newPlan(kv module.KVReader) (*plan, error) {
	vals, err := loadValidators(kv)
	if err != nil {
		return nil, err
	}
	return &plan{vals: vals, added: map[string]bool{}, removed: map[string]bool{}}, nil
}

// orgActive says whether org is (or will be, by this proposal) an active
// member.
func (pl *plan) orgActive(mkv module.KVReader, org string) (bool, error) {
	if pl.removed[org] {
		return false, nil
	}
	if pl.added[org] {
		return true, nil
	}
	o, err := member.GetOrg(mkv, org)
	if err != nil {
		if module.AsError(err) != nil {
			return false, nil
		}
		return false, err
	}
	return o.Status == member.StatusActive, nil
}

// checkActions checks a proposal's actions in order against state (at
// propose time); nothing is written.
func checkActions(ctx *module.Context, kv module.KV, actions []Action) error {
	pl, err := newPlan(kv)
	if err != nil {
		return err
	}
	for i, a := range actions {
		if _, err := prepare(ctx, kv, pl, a); err != nil {
			if e := module.AsError(err); e != nil {
				return e.Wrapf("action %d (%s): %s", i, a.Name(), e.Message)
			}
			return err
		}
	}
	return nil
}

// prepared is an action checked against the plan, ready to run.
type prepared struct {
	changed []Validator // validators whose power changes
	payload json.RawMessage
	addOrg  *AddOrg
	params  *Params
	claim   string
}

// prepare checks one action and applies its effect on the plan.
func prepare(ctx *module.Context, kv module.KVReader, pl *plan, a Action) (*prepared, error) {
	mkv := ctx.Peer("member")
	out := &prepared{payload: a.Payload}
	strict := func(v any) error {
		if err := tx.StrictUnmarshal(a.Payload, v); err != nil {
			return ErrAction.Wrapf("payload: %v", err)
		}
		return nil
	}
	switch a.Name() {
	case "gov/validator":
		var c ValidatorChange
		if err := strict(&c); err != nil {
			return nil, err
		}
		v, err := pl.change(ctx, mkv, &c)
		if err != nil {
			return nil, err
		}
		out.changed = []Validator{*v}
	case "gov/set_params":
		var p Params
		if err := strict(&p); err != nil {
			return nil, err
		}
		if err := p.Validate(); err != nil {
			return nil, ErrAction.Wrapf("%v", module.AsError(err).Message)
		}
		out.params = &p
	case "gov/pay_claim":
		var p PayClaim
		if err := strict(&p); err != nil {
			return nil, err
		}
		var c Claim
		if ok, err := module.GetJSON(kv, claimKey(p.Claim), &c); err != nil {
			return nil, err
		} else if !ok {
			return nil, ErrUnknownClaim.Wrapf("no claim %q", p.Claim)
		}
		if c.Status != ClaimOpen {
			return nil, ErrClaimStatus.Wrapf("claim %s is %s", c.ID, c.Status)
		}
		out.claim = p.Claim
	case "member/add_org":
		var o AddOrg
		if err := strict(&o); err != nil {
			return nil, err
		}
		if !member.ValidOrgID(o.ID) {
			return nil, ErrAction.Wrapf("invalid organisation id %q", o.ID)
		}
		if _, err := module.ParseOrgType(o.Type); err != nil {
			return nil, ErrAction.Wrapf("%v", err)
		}
		if _, err := member.GetOrg(mkv, o.ID); err == nil || pl.added[o.ID] {
			return nil, ErrAction.Wrapf("organisation %s already exists", o.ID)
		} else if module.AsError(err) == nil {
			return nil, err
		}
		ca, err := pki.Parse([]byte(o.CACert))
		if err != nil || !ca.IsCA || ca.Org != o.ID {
			return nil, ErrAction.Wrapf("ca_cert must be a CA certificate of organisation %q", o.ID)
		}
		params, err := getParams(kv)
		if err != nil {
			return nil, err
		}
		if o.Bond < params.MinBond || o.Bond > MaxAmount {
			return nil, ErrAction.Wrapf("the new organisation posts a bond of at least %d units (min_bond), not %d", params.MinBond, o.Bond)
		}
		pl.added[o.ID] = true
		bond := o.Bond
		o.Bond = 0
		b, err := json.Marshal(struct {
			ID         string   `json:"id"`
			Name       string   `json:"name"`
			Type       string   `json:"type"`
			CACert     string   `json:"ca_cert"`
			Validators []string `json:"validators,omitempty"`
		}{o.ID, o.Name, o.Type, o.CACert, o.Validators})
		if err != nil {
			return nil, err
		}
		o.Bond = bond
		out.payload, out.addOrg = b, &o
	case "member/remove_org":
		var r RemoveOrg
		if err := strict(&r); err != nil {
			return nil, err
		}
		if ok, err := pl.orgActive(mkv, r.ID); err != nil {
			return nil, err
		} else if !ok {
			return nil, ErrAction.Wrapf("%q is not an active organisation", r.ID)
		}
		if strings.TrimSpace(r.Reason) == "" || !oneLine(r.Reason, MaxReasonLen) {
			return nil, ErrAction.Wrapf("a one-line reason is required")
		}
		pl.removed[r.ID] = true
		for i := range pl.vals {
			if pl.vals[i].Org == r.ID && pl.vals[i].Power > 0 {
				pl.vals[i].Power, pl.vals[i].Since = 0, ctx.Height
				out.changed = append(out.changed, pl.vals[i])
			}
		}
		if len(out.changed) > 0 {
			if err := checkSafety(pl.vals); err != nil {
				return nil, err
			}
		}
	case "member/rotate_ca":
		var r RotateCA
		if err := strict(&r); err != nil {
			return nil, err
		}
		if ok, err := pl.orgActive(mkv, r.ID); err != nil {
			return nil, err
		} else if !ok {
			return nil, ErrAction.Wrapf("%q is not an active organisation", r.ID)
		}
		ca, err := pki.Parse([]byte(r.CACert))
		if err != nil || !ca.IsCA || ca.Org != r.ID {
			return nil, ErrAction.Wrapf("ca_cert must be a CA certificate of organisation %q", r.ID)
		}
	case "contract/set_type":
		var m contract.SetType
		if err := strict(&m); err != nil {
			return nil, err
		}
		if err := m.Validate(); err != nil {
			return nil, ErrAction.Wrapf("%v", err)
		}
	case "fund/set_calendar":
		var m fund.SetCalendar
		if err := strict(&m); err != nil {
			return nil, err
		}
		if err := m.Validate(); err != nil {
			return nil, ErrAction.Wrapf("%v", err)
		}
	case "supervision/set_rules", "supervision/set_params":
		// The supervision module validates its own payload when the
		// action runs; a refusal fails the proposal.
	default:
		return nil, ErrUnknownAction.Wrapf("%s is not a governance action", a.Name())
	}
	return out, nil
}

// change applies a validator change to the plan and checks the safety
// floor; it returns the changed validator.
func (pl *plan) change(ctx *module.Context, mkv module.KVReader, c *ValidatorChange) (*Validator, error) {
	find := func() int {
		return slices.IndexFunc(pl.vals, func(v Validator) bool { return v.Address == c.Address })
	}
	if len(c.PubKey) > 0 {
		if len(c.PubKey) != 32 {
			return nil, ErrAction.Wrapf("pub_key must be a 32-byte ed25519 key (base64)")
		}
		addr := Address(c.PubKey)
		if c.Address != "" && c.Address != addr {
			return nil, ErrAction.Wrapf("address %s is not the address of pub_key (%s)", c.Address, addr)
		}
		c.Address = addr
	}
	if !validAddress(c.Address) {
		return nil, ErrAction.Wrapf("a validator is named by its address (40 upper-case hex) or pub_key")
	}
	i := find()
	var v Validator
	switch c.Op {
	case OpAdd:
		if len(c.PubKey) == 0 {
			return nil, ErrAction.Wrapf("adding a validator needs its ed25519 pub_key")
		}
		if i >= 0 && pl.vals[i].Power > 0 {
			return nil, ErrAction.Wrapf("validator %s already has power %d (use set_power)", c.Address, pl.vals[i].Power)
		}
		if c.Power < 1 || c.Power > MaxValidatorPw {
			return nil, ErrAction.Wrapf("power must be 1 to %d", MaxValidatorPw)
		}
		if ok, err := pl.orgActive(mkv, c.Org); err != nil {
			return nil, err
		} else if !ok {
			return nil, ErrAction.Wrapf("a validator belongs to an active organisation, not %q", c.Org)
		}
		v = Validator{Address: c.Address, Org: c.Org, Power: c.Power, PubKeyType: "ed25519", PubKey: c.PubKey, Since: ctx.Height}
		if i < 0 {
			pl.vals = append(pl.vals, v)
			slices.SortFunc(pl.vals, func(a, b Validator) int { return strings.Compare(a.Address, b.Address) })
		} else {
			pl.vals[i] = v
		}
	case OpRemove, OpSetPower:
		if i < 0 || pl.vals[i].Power == 0 {
			return nil, ErrUnknownVal.Wrapf("no validator %s with power", c.Address)
		}
		if c.Org != "" && c.Org != pl.vals[i].Org {
			return nil, ErrAction.Wrapf("validator %s belongs to %q, not %q", c.Address, pl.vals[i].Org, c.Org)
		}
		if len(c.PubKey) > 0 && !bytes.Equal(c.PubKey, pl.vals[i].PubKey) {
			return nil, ErrAction.Wrapf("pub_key does not match validator %s", c.Address)
		}
		power := int64(0)
		if c.Op == OpSetPower {
			if c.Power < 1 || c.Power > MaxValidatorPw {
				return nil, ErrAction.Wrapf("power must be 1 to %d (remove takes a validator out)", MaxValidatorPw)
			}
			power = c.Power
		} else if c.Power != 0 {
			return nil, ErrAction.Wrapf("remove takes no power")
		}
		pl.vals[i].Power, pl.vals[i].Since = power, ctx.Height
		v = pl.vals[i]
	default:
		return nil, ErrAction.Wrapf("op must be add, remove or set_power")
	}
	if err := checkSafety(pl.vals); err != nil {
		return nil, err
	}
	return &v, nil
}

// MinValidators is the safety floor: fewer validators with power tolerate
// no faulty one.
const MinValidators = 4

// checkSafety refuses a validator set with fewer than MinValidators
// validators with power, or in which one organisation holds a third of the
// total power or more (it could then stop the chain alone). Validators no
// organisation owns count one by one.
func checkSafety(vals []Validator) error {
	n, total := 0, int64(0)
	by := map[string]int64{}
	for _, v := range vals {
		if v.Power <= 0 {
			continue
		}
		n++
		total += v.Power
		owner := v.Org
		if owner == "" {
			owner = "validator " + v.Address
		}
		by[owner] += v.Power
	}
	if n < MinValidators {
		return ErrValidatorFloor.Wrapf("the change leaves %d validators with power; at least %d are needed", n, MinValidators)
	}
	owners := make([]string, 0, len(by))
	for o := range by {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		if by[o]*3 >= total {
			return ErrValidatorCap.Wrapf("%s would hold %d of %d voting power (a third or more)", o, by[o], total)
		}
	}
	return nil
}

// Address returns the CometBFT address of an ed25519 public key: the first
// 20 bytes of its SHA-256, upper-case hex.
func Address(pub []byte) string {
	h := sha256.Sum256(pub)
	return strings.ToUpper(hex.EncodeToString(h[:20]))
}

func validAddress(s string) bool {
	if len(s) != 40 || strings.ToUpper(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func loadValidators(kv module.KVReader) ([]Validator, error) {
	var out []Validator
	return out, iterate(kv, []byte("val/"), func(_, v []byte) error {
		var val Validator
		if err := json.Unmarshal(v, &val); err != nil {
			return err
		}
		out = append(out, val)
		return nil
	})
}

// queued is a validator update waiting for the end of the block; Was is
// the power CometBFT knew before the block's first change of it.
type queued struct {
	Validator
	Was int64 `json:"was"`
}

// setValidator records a validator's new power and queues the update for
// the end of the block.
func setValidator(kv module.KV, v Validator) error {
	q := queued{Validator: v}
	if ok, err := module.GetJSON(kv, queueKey(v.Address), &q); err != nil {
		return err
	} else if !ok {
		var old Validator
		if _, err := module.GetJSON(kv, valKey(v.Address), &old); err != nil {
			return err
		}
		q.Was = old.Power
	}
	q.Validator = v
	if err := module.PutJSON(kv, valKey(v.Address), &v); err != nil {
		return err
	}
	return module.PutJSON(kv, queueKey(v.Address), &q)
}

// Receive implements module.Receiver: only governance itself calls it, to
// run a passed proposal's actions on a branch (so that a refused action
// leaves nothing of the others behind).
func (m *Module) Receive(ctx *module.Context, kv module.KV, from, action string, payload json.RawMessage) (json.RawMessage, error) {
	if from != "gov" || action != actionExecute {
		return nil, ErrNotPermitted.Wrapf("gov takes no %s call from %s", action, from)
	}
	var x execute
	if err := json.Unmarshal(payload, &x); err != nil {
		return nil, ErrInvalidRequest.Wrapf("%v", err)
	}
	p, err := getProposal(kv, x.ID)
	if err != nil {
		return nil, err
	}
	pl, err := newPlan(kv)
	if err != nil {
		return nil, err
	}
	results := make([]json.RawMessage, 0, len(p.Actions))
	for i, a := range p.Actions {
		res, err := run(ctx, kv, pl, p, a)
		if err != nil {
			if e := module.AsError(err); e != nil {
				return nil, e.Wrapf("action %d (%s): %s", i, a.Name(), e.Message)
			}
			return nil, err
		}
		if res == nil {
			res = json.RawMessage("{}")
		}
		results = append(results, res)
	}
	return json.Marshal(results)
}

// run re-checks one action against the state as it is now and applies it.
func run(ctx *module.Context, kv module.KV, pl *plan, p *Proposal, a Action) (json.RawMessage, error) {
	pr, err := prepare(ctx, kv, pl, a)
	if err != nil {
		return nil, err
	}
	for _, v := range pr.changed {
		if err := setValidator(kv, v); err != nil {
			return nil, err
		}
		ctx.Emit("validator_changed", module.A("validator", v.Address), module.A("org", v.Org), module.A("power", itoa(v.Power)))
	}
	switch a.Name() {
	case "gov/validator":
		return json.Marshal(pr.changed[0])
	case "gov/set_params":
		if err := module.PutJSON(kv, keyParams, pr.params); err != nil {
			return nil, err
		}
		ctx.Emit("gov_params_set")
		return json.Marshal(pr.params)
	case "gov/pay_claim":
		return payClaim(ctx, kv, p, pr.claim)
	}
	var res json.RawMessage
	if err := ctx.Call(a.Module, a.Action, pr.payload, &res); err != nil {
		return nil, err
	}
	if pr.addOrg != nil {
		b := Bond{Org: pr.addOrg.ID, Bond: pr.addOrg.Bond, Posted: pr.addOrg.Bond}
		if err := module.PutJSON(kv, bondKey(b.Org), &b); err != nil {
			return nil, err
		}
		ctx.Emit("bond_posted", module.A("org", b.Org), module.A("amount", itoa(b.Bond)))
	}
	return res, nil
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
