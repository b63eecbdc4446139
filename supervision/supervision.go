// Package supervision is the regulator's module: interventions (freezing
// and unfreezing an investor account, a holding, a fund or an organisation,
// and replacing or extending the fund module's trading calendar) that take
// effect only when k regulator officers have approved them, each
// step recorded on chain with its reason and actors. Other modules consult
// the freezes in force (the fund module refuses frozen business with a
// clear code). It also holds the compliance rules the fund module's orders
// are checked against (rules.go, compliance.go), their alerts (alerts.go),
// the regulatory sandbox (sandbox.go) and the supervisory report
// (report.go). docs/supervision.md describes the rules.
//
// Like every module it sees state only through module.KV and must never
// import CometBFT, pebble, net/http or the app.
package supervision

import (
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Codes of the supervision codespace. Appended only.
var (
	Codes = module.NewCodes("supervision")

	ErrInvalidRequest = Codes.Register(1, "invalid_request", "the message is malformed")
	ErrNotPermitted   = Codes.Register(2, "not_permitted", "only regulator officers act here")
	ErrExists         = Codes.Register(3, "intervention_exists", "an intervention with this id already exists")
	ErrUnknown        = Codes.Register(4, "unknown_intervention", "no such intervention")
	ErrStatus         = Codes.Register(5, "status", "the intervention is no longer open")
	ErrSameOfficer    = Codes.Register(6, "same_officer", "an officer approves an intervention once; a second officer is needed")
	ErrTarget         = Codes.Register(7, "target", "the target is not in the state the action needs")

	ErrCaller              = Codes.Register(8, "unexpected_caller", "supervision does not take this action from that module")
	ErrRuleBlocked         = Codes.Register(9, "rule_blocked", "a compliance rule in block mode refuses the order")
	ErrInvalidRules        = Codes.Register(10, "invalid_rules", "the compliance rule set is not valid")
	ErrUnknownAlert        = Codes.Register(11, "unknown_alert", "no such alert")
	ErrAlertStatus         = Codes.Register(12, "alert_status", "the alert cannot move to that status")
	ErrSandboxExists       = Codes.Register(13, "sandbox_exists", "a sandbox entry with this id already exists")
	ErrUnknownSandbox      = Codes.Register(14, "unknown_sandbox", "no such sandbox entry")
	ErrSandboxStatus       = Codes.Register(15, "sandbox_status", "the sandbox entry is not in the status the action needs")
	ErrSandboxCap          = Codes.Register(16, "sandbox_cap", "the sandbox entry's investor or subscription cap would be exceeded")
	ErrSandboxInvestorType = Codes.Register(17, "sandbox_investor_type", "the sandbox entry does not admit this type of investor")
	ErrSandboxExpired      = Codes.Register(18, "sandbox_expired", "the sandbox entry's test period is over")
	ErrSandboxEnded        = Codes.Register(19, "sandbox_ended", "the sandbox entry was ended: no new business")
)

// Message types.
const (
	TypePropose  = "supervision/propose"
	TypeApprove  = "supervision/approve"
	TypeWithdraw = "supervision/withdraw"

	TypeUpdateAlert  = "supervision/alert_update"
	TypeSandboxAdmit = "supervision/sandbox_admit"
	TypeSandboxEnd   = "supervision/sandbox_end"
)

// Target kinds and actions.
const (
	KindAccount  = "account"  // an investor's TA account with a manager (fund module)
	KindHolding  = "holding"  // shares of one fund held by an investor
	KindFund     = "fund"     // a fund's purchases, redemptions or both
	KindOrg      = "org"      // an organisation's ability to transact
	KindCalendar = "calendar" // the fund module's trading calendar

	ActionFreeze   = "freeze"
	ActionUnfreeze = "unfreeze"
	// ActionSetCalendar replaces the trading calendar and
	// ActionExtendCalendar appends days after its end (Propose.Calendar,
	// target kind calendar); the fund module applies them (Receive
	// "calendar" from "supervision") when the last approval arrives.
	ActionSetCalendar    = "set_calendar"
	ActionExtendCalendar = "extend_calendar"

	ScopePurchase   = "purchase"
	ScopeRedemption = "redemption"
	ScopeBoth       = "both"
)

// Target names what an intervention acts on.
type Target struct {
	Kind     string `json:"kind"`
	Investor string `json:"investor,omitempty"` // account, holding
	Manager  string `json:"manager,omitempty"`  // account
	Fund     string `json:"fund,omitempty"`     // holding, fund
	Shares   string `json:"shares,omitempty"`   // holding: shares frozen, as the fund module writes them ("1000.00"); empty: all
	Scope    string `json:"scope,omitempty"`    // fund: purchase, redemption, both
	Org      string `json:"org,omitempty"`      // org
}

// key is the state key of the freeze a target sets.
func (t Target) key() []byte {
	switch t.Kind {
	case KindAccount:
		return []byte("frz/account/" + t.Manager + "/" + t.Investor)
	case KindHolding:
		return []byte("frz/holding/" + t.Fund + "/" + t.Investor)
	case KindFund:
		return []byte("frz/fund/" + t.Fund)
	}
	return []byte("frz/org/" + t.Org)
}

func (t Target) validate() error {
	id := func(s string) bool { return s != "" && len(s) <= 64 && !strings.ContainsAny(s, "/\x00\r\n") }
	switch t.Kind {
	case KindAccount:
		if !id(t.Investor) || !id(t.Manager) {
			return ErrInvalidRequest.Wrapf("an account target names the investor and the manager")
		}
	case KindHolding:
		if !id(t.Investor) || !id(t.Fund) || len(t.Shares) > 24 {
			return ErrInvalidRequest.Wrapf("a holding target names the investor and the fund (and optionally shares)")
		}
	case KindFund:
		if !id(t.Fund) || (t.Scope != ScopePurchase && t.Scope != ScopeRedemption && t.Scope != ScopeBoth) {
			return ErrInvalidRequest.Wrapf("a fund target names the fund and a scope: purchase, redemption or both")
		}
	case KindOrg:
		if !id(t.Org) {
			return ErrInvalidRequest.Wrapf("an org target names the organisation")
		}
	case KindCalendar:
		if t != (Target{Kind: KindCalendar}) {
			return ErrInvalidRequest.Wrapf("a calendar target names nothing else")
		}
	default:
		return ErrInvalidRequest.Wrapf("target kind %q: want account, holding, fund, org or calendar", t.Kind)
	}
	return nil
}

// Intervention is a proposed or effective intervention.
type Intervention struct {
	ID        string     `json:"id"`
	Action    string     `json:"action"`
	Target    Target     `json:"target"`
	Reason    string     `json:"reason"`
	Status    string     `json:"status"` // proposed, effective, withdrawn
	Proposer  string     `json:"proposer"`
	Approvals []Approval `json:"approvals"`
	Needed    int        `json:"needed"`
	Proposed  int64      `json:"proposed"`
	Effective int64      `json:"effective,omitempty"`
	Withdrawn string     `json:"withdrawn_reason,omitempty"`
	// Calendar is the calendar of a set_calendar or extend_calendar
	// intervention, and Effect what the fund module said it would do
	// (checked at the proposal) or did (at the last approval).
	Calendar json.RawMessage `json:"calendar,omitempty"`
	Effect   json.RawMessage `json:"effect,omitempty"`
}

// calendarAction says whether an action changes the trading calendar.
func calendarAction(a string) bool { return a == ActionSetCalendar || a == ActionExtendCalendar }

// MaxCalendarLen bounds the JSON of a proposed calendar.
const MaxCalendarLen = 256 << 10

// Approval is one officer's approval.
type Approval struct {
	Officer string `json:"officer"`
	Height  int64  `json:"height"`
	Time    string `json:"time"`
}

// Freeze is a freeze in force.
type Freeze struct {
	Target       Target `json:"target"`
	Intervention string `json:"intervention"`
	Since        int64  `json:"since"`
	Reason       string `json:"reason"`
}

// Propose proposes an intervention (counts as the proposer's approval).
// A calendar change (set_calendar, extend_calendar) has the target kind
// calendar and the calendar as the fund module reads it:
// {"from":…,"to":…,"days":[…]}.
type Propose struct {
	ID       string          `json:"id"`
	Action   string          `json:"action"`
	Target   Target          `json:"target"`
	Reason   string          `json:"reason"`
	Calendar json.RawMessage `json:"calendar,omitempty"`
}

// Validate implements module.Msg.
func (m *Propose) Validate() error {
	if !validID(m.ID) {
		return ErrInvalidRequest.Wrapf("id must be 1 to 64 of A-Z a-z 0-9 - _ .")
	}
	if m.Action != ActionFreeze && m.Action != ActionUnfreeze && !calendarAction(m.Action) {
		return ErrInvalidRequest.Wrapf("action must be freeze, unfreeze, set_calendar or extend_calendar")
	}
	if calendarAction(m.Action) != (m.Target.Kind == KindCalendar) {
		return ErrInvalidRequest.Wrapf("set_calendar and extend_calendar, and only they, take the target kind calendar")
	}
	if calendarAction(m.Action) != (len(m.Calendar) > 0) {
		return ErrInvalidRequest.Wrapf("a calendar change, and only it, carries a calendar")
	}
	if len(m.Calendar) > MaxCalendarLen {
		return ErrInvalidRequest.Wrapf("the calendar is %d bytes; at most %d", len(m.Calendar), MaxCalendarLen)
	}
	if m.Reason == "" || len(m.Reason) > 512 || !utf8.ValidString(m.Reason) || strings.ContainsAny(m.Reason, "\x00\r\n") {
		return ErrInvalidRequest.Wrapf("a one-line reason of at most 512 bytes is required")
	}
	return m.Target.validate()
}

// Approve approves an open intervention (another officer).
type Approve struct {
	ID string `json:"id"`
}

// Validate implements module.Msg.
func (m *Approve) Validate() error {
	if !validID(m.ID) {
		return ErrInvalidRequest.Wrapf("id is required")
	}
	return nil
}

// Withdraw withdraws an open intervention (any officer), with a reason.
type Withdraw struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Validate implements module.Msg.
func (m *Withdraw) Validate() error {
	if !validID(m.ID) || m.Reason == "" || len(m.Reason) > 512 || strings.ContainsAny(m.Reason, "\x00\r\n") {
		return ErrInvalidRequest.Wrapf("id and a one-line reason are required")
	}
	return nil
}

func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Module is the supervision module.
type Module struct{}

// New returns the module.
func New() *Module { return &Module{} }

var _ module.Module = (*Module)(nil)

// Name implements module.Module.
func (*Module) Name() string { return "supervision" }

// Codes implements module.Module.
func (*Module) Codes() *module.Codes { return Codes }

var officers = []module.Role{module.RoleRegulator}

// Msgs implements module.Module. Only regulator officers act: an
// intervention is split across several of them (JR/T 0184).
func (m *Module) Msgs() []module.MsgSpec {
	return []module.MsgSpec{
		{Type: TypePropose, Roles: officers, New: func() module.Msg { return &Propose{} },
			Handle: func(ctx *module.Context, kv module.KV, msg module.Msg) (json.RawMessage, error) {
				return marshal(propose(ctx, kv, msg.(*Propose)))
			}},
		{Type: TypeApprove, Roles: officers, New: func() module.Msg { return &Approve{} },
			Handle: func(ctx *module.Context, kv module.KV, msg module.Msg) (json.RawMessage, error) {
				return marshal(approve(ctx, kv, msg.(*Approve)))
			}},
		{Type: TypeWithdraw, Roles: officers, New: func() module.Msg { return &Withdraw{} },
			Handle: func(ctx *module.Context, kv module.KV, msg module.Msg) (json.RawMessage, error) {
				return marshal(withdraw(ctx, kv, msg.(*Withdraw)))
			}},
		module.Spec(TypeUpdateAlert, officers, false, updateAlert),
		module.Spec(TypeSandboxAdmit, officers, false, sandboxAdmit),
		module.Spec(TypeSandboxEnd, officers, false, sandboxEnd),
	}
}

func marshal(v any, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// Genesis is the module's genesis: how many officers an intervention needs
// and the compliance rules (DefaultRules when absent).
type Genesis struct {
	Approvals int    `json:"approvals,omitempty"` // k of the regulator's officers (default 2, at least 2)
	Rules     *Rules `json:"rules,omitempty"`
}

// InitGenesis implements module.Module.
func (m *Module) InitGenesis(ctx *module.Context, kv module.KV, raw json.RawMessage) error {
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return ErrInvalidRequest.Wrapf("supervision genesis: %v", err)
	}
	if g.Approvals == 0 {
		g.Approvals = 2
	}
	if g.Approvals < 2 || g.Approvals > 16 {
		return ErrInvalidRequest.Wrapf("supervision genesis: approvals must be 2 to 16 (one officer never acts alone)")
	}
	rules := DefaultRules()
	if g.Rules != nil {
		rules = *g.Rules
	}
	if err := rules.Validate(); err != nil {
		return ErrInvalidRequest.Wrapf("supervision genesis: %v", err)
	}
	if err := module.PutJSON(kv, rulesKey, &rules); err != nil {
		return err
	}
	g.Rules = nil
	return module.PutJSON(kv, []byte("params"), &g)
}

func interventionKey(id string) []byte { return []byte("iv/" + id) }

func officer(ctx *module.Context) error {
	if ctx.Signer.Role != module.RoleRegulator {
		return ErrNotPermitted.Wrapf("only regulator officers act on interventions")
	}
	org, err := member.GetOrg(ctx.Peer("member"), ctx.Signer.Org)
	if err != nil || org.Type != module.OrgRegulator {
		return ErrNotPermitted.Wrapf("%s is not a regulator organisation", ctx.Signer.Org)
	}
	return nil
}

func propose(ctx *module.Context, kv module.KV, m *Propose) (any, error) {
	if err := officer(ctx); err != nil {
		return nil, err
	}
	if old, err := kv.Get(interventionKey(m.ID)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrExists.Wrapf("intervention %s already exists", m.ID)
	}
	if m.Target.Kind == KindOrg {
		if _, err := member.GetOrg(ctx.Peer("member"), m.Target.Org); err != nil {
			return nil, ErrTarget.Wrapf("no organisation %q", m.Target.Org)
		}
	}
	var effect json.RawMessage
	if calendarAction(m.Action) {
		// The fund module checks the change now (nothing is written), so
		// the second officer approves what it will do.
		if err := ctx.Call("fund", "calendar", calendarChange(m.Action, m.Calendar, true), &effect); err != nil {
			return nil, err
		}
	} else {
		frozen, err := kv.Get(m.Target.key())
		if err != nil {
			return nil, err
		}
		if m.Action == ActionFreeze && frozen != nil {
			return nil, ErrTarget.Wrapf("the %s is already frozen", m.Target.Kind)
		}
		if m.Action == ActionUnfreeze && frozen == nil {
			return nil, ErrTarget.Wrapf("the %s is not frozen by an intervention", m.Target.Kind)
		}
	}
	var g Genesis
	if _, err := module.GetJSON(kv, []byte("params"), &g); err != nil {
		return nil, err
	}
	if g.Approvals == 0 {
		g.Approvals = 2
	}
	iv := &Intervention{ID: m.ID, Action: m.Action, Target: m.Target, Reason: m.Reason, Status: "proposed", Proposer: ctx.Signer.ID,
		Approvals: []Approval{{Officer: ctx.Signer.ID, Height: ctx.Height, Time: ctx.Time.UTC().Format("2006-01-02T15:04:05Z")}},
		Needed:    g.Approvals, Proposed: ctx.Height, Calendar: m.Calendar, Effect: effect}
	if err := module.PutJSON(kv, interventionKey(iv.ID), iv); err != nil {
		return nil, err
	}
	ctx.Emit("intervention_proposed", module.A("intervention", iv.ID), module.A("action", iv.Action), module.A("kind", iv.Target.Kind), module.A("officer", ctx.Signer.ID))
	return iv, nil
}

func approve(ctx *module.Context, kv module.KV, m *Approve) (any, error) {
	if err := officer(ctx); err != nil {
		return nil, err
	}
	var iv Intervention
	if ok, err := module.GetJSON(kv, interventionKey(m.ID), &iv); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknown.Wrapf("no intervention %s", m.ID)
	}
	if iv.Status != "proposed" {
		return nil, ErrStatus.Wrapf("intervention %s is %s", iv.ID, iv.Status)
	}
	if slices.ContainsFunc(iv.Approvals, func(a Approval) bool { return a.Officer == ctx.Signer.ID }) {
		return nil, ErrSameOfficer.Wrapf("%s already approved intervention %s: another officer must", ctx.Signer.ID, iv.ID)
	}
	iv.Approvals = append(iv.Approvals, Approval{Officer: ctx.Signer.ID, Height: ctx.Height, Time: ctx.Time.UTC().Format("2006-01-02T15:04:05Z")})
	if len(iv.Approvals) >= iv.Needed && calendarAction(iv.Action) {
		var effect json.RawMessage
		if err := ctx.Call("fund", "calendar", calendarChange(iv.Action, iv.Calendar, false), &effect); err != nil {
			return nil, err // the intervention stays proposed: withdraw it, or approve again once the refusal is resolved
		}
		iv.Status, iv.Effective, iv.Effect = "effective", ctx.Height, effect
		if err := kv.Set(binary.BigEndian.AppendUint64([]byte("log/"), uint64(ctx.Height)<<20|uint64(ctx.MsgIndex)), []byte(iv.ID)); err != nil {
			return nil, err
		}
		ctx.Emit("intervention_effective", module.A("intervention", iv.ID), module.A("action", iv.Action), module.A("kind", iv.Target.Kind))
	} else if len(iv.Approvals) >= iv.Needed {
		frozen, err := kv.Get(iv.Target.key())
		if err != nil {
			return nil, err
		}
		switch {
		case iv.Action == ActionFreeze && frozen != nil:
			return nil, ErrTarget.Wrapf("the %s was frozen meanwhile by another intervention", iv.Target.Kind)
		case iv.Action == ActionUnfreeze && frozen == nil:
			return nil, ErrTarget.Wrapf("the %s was unfrozen meanwhile", iv.Target.Kind)
		case iv.Action == ActionFreeze:
			if err := module.PutJSON(kv, iv.Target.key(), &Freeze{Target: iv.Target, Intervention: iv.ID, Since: ctx.Height, Reason: iv.Reason}); err != nil {
				return nil, err
			}
		default:
			if err := kv.Delete(iv.Target.key()); err != nil {
				return nil, err
			}
		}
		iv.Status, iv.Effective = "effective", ctx.Height
		if err := kv.Set(binary.BigEndian.AppendUint64([]byte("log/"), uint64(ctx.Height)<<20|uint64(ctx.MsgIndex)), []byte(iv.ID)); err != nil {
			return nil, err
		}
		ctx.Emit("intervention_effective", module.A("intervention", iv.ID), module.A("action", iv.Action), module.A("kind", iv.Target.Kind))
	} else {
		ctx.Emit("intervention_approved", module.A("intervention", iv.ID), module.A("officer", ctx.Signer.ID))
	}
	return &iv, module.PutJSON(kv, interventionKey(iv.ID), &iv)
}

// calendarChange is the fund module's CalendarChange payload (Receive
// "calendar"): supervision cannot import fund, so it writes the JSON.
func calendarChange(action string, cal json.RawMessage, check bool) map[string]any {
	mode := "set"
	if action == ActionExtendCalendar {
		mode = "extend"
	}
	return map[string]any{"mode": mode, "calendar": cal, "check": check}
}

func withdraw(ctx *module.Context, kv module.KV, m *Withdraw) (any, error) {
	if err := officer(ctx); err != nil {
		return nil, err
	}
	var iv Intervention
	if ok, err := module.GetJSON(kv, interventionKey(m.ID), &iv); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknown.Wrapf("no intervention %s", m.ID)
	}
	if iv.Status != "proposed" {
		return nil, ErrStatus.Wrapf("intervention %s is %s", iv.ID, iv.Status)
	}
	iv.Status, iv.Withdrawn = "withdrawn", m.Reason
	ctx.Emit("intervention_withdrawn", module.A("intervention", iv.ID), module.A("officer", ctx.Signer.ID))
	return &iv, module.PutJSON(kv, interventionKey(iv.ID), &iv)
}

// Queries implements module.Module (the regulator reads; every member may
// see the freezes in force that concern it through the refusals it gets).
//
//	interventions/{id}     the regulator
//	interventions          the regulator: every intervention
//	freezes                the regulator: the freezes in force
//	rules                  the regulator: the compliance rule set
//	alerts                 the regulator: every alert (?status=, ?rule=)
//	alerts/{id}            the regulator
//	sandbox                the regulator: every sandbox entry
//	sandbox/{id}           the regulator
//	report                 the regulator: the supervisory report (?from=&to=)
func (m *Module) Queries() []module.QuerySpec {
	return []module.QuerySpec{
		module.Query("rules", func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) (Rules, error) {
			return loadRules(kv)
		}).WithRoles(officers...),
		module.Query("alerts", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) ([]*Alert, error) {
			return listAlerts(kv, p)
		}).WithRoles(officers...).WithParams(module.QueryParam{Name: "status", Description: "only the alerts of this status: open, investigating or closed"}, module.QueryParam{Name: "rule", Description: "only the alerts of this rule"}),
		module.Query("alerts/{id}", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*Alert, error) {
			var a Alert
			if ok, err := module.GetJSON(kv, alertKey(p["id"]), &a); err != nil {
				return nil, err
			} else if !ok {
				return nil, ErrUnknownAlert.Wrapf("no alert %s", p["id"])
			}
			return &a, nil
		}).WithRoles(officers...),
		module.Query("sandbox", func(qc *module.QueryContext, kv module.KVReader, _ map[string]string) ([]*SandboxEntry, error) {
			return listSandbox(qc, kv)
		}).WithRoles(officers...),
		module.Query("sandbox/{id}", func(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*SandboxEntry, error) {
			var e SandboxEntry
			if ok, err := module.GetJSON(kv, sandboxKey(p["id"]), &e); err != nil {
				return nil, err
			} else if !ok {
				return nil, ErrUnknownSandbox.Wrapf("no sandbox entry %s", p["id"])
			}
			e.markExpired(qc)
			return &e, nil
		}).WithRoles(officers...),
		module.Query("report", func(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*Report, error) {
			return report(qc, kv, p)
		}).WithRoles(officers...).WithParams(module.QueryParam{Name: "from", Required: true, Description: "first day of the period, YYYY-MM-DD"}, module.QueryParam{Name: "to", Required: true, Description: "last day of the period, YYYY-MM-DD"}),
		module.Query("interventions/{id}", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) (*Intervention, error) {
			var iv Intervention
			if ok, err := module.GetJSON(kv, interventionKey(p["id"]), &iv); err != nil {
				return nil, err
			} else if !ok {
				return nil, ErrUnknown.Wrapf("no intervention %s", p["id"])
			}
			return &iv, nil
		}).WithRoles(officers...),
		module.Query("interventions", func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) ([]*Intervention, error) {
			out := []*Intervention{}
			return out, iterate(kv, []byte("iv/"), func(v []byte) error {
				var iv Intervention
				if err := json.Unmarshal(v, &iv); err != nil {
					return err
				}
				out = append(out, &iv)
				return nil
			})
		}).WithRoles(officers...),
		module.Query("freezes", func(_ *module.QueryContext, kv module.KVReader, _ map[string]string) ([]*Freeze, error) {
			out := []*Freeze{}
			return out, iterate(kv, []byte("frz/"), func(v []byte) error {
				var f Freeze
				if err := json.Unmarshal(v, &f); err != nil {
					return err
				}
				out = append(out, &f)
				return nil
			})
		}).WithRoles(officers...),
	}
}

func iterate(kv module.KVReader, pre []byte, fn func(v []byte) error) error {
	var err error
	if ierr := kv.Iterate(pre, module.PrefixEnd(pre), func(_, v []byte) bool {
		err = fn(v)
		return err == nil
	}); ierr != nil {
		return ierr
	}
	return err
}

// ---- what other modules consult (read-only, through ctx.Peer("supervision"))

func frozen(kv module.KVReader, t Target) (*Freeze, error) {
	var f Freeze
	ok, err := module.GetJSON(kv, t.key(), &f)
	if err != nil || !ok {
		return nil, err
	}
	return &f, nil
}

// AccountFrozen returns the freeze of an investor's account with a manager.
func AccountFrozen(kv module.KVReader, manager, investor string) (*Freeze, error) {
	return frozen(kv, Target{Kind: KindAccount, Manager: manager, Investor: investor})
}

// HoldingFrozen returns the freeze of an investor's holding of a fund.
func HoldingFrozen(kv module.KVReader, fund, investor string) (*Freeze, error) {
	return frozen(kv, Target{Kind: KindHolding, Fund: fund, Investor: investor})
}

// FundFrozen returns the freeze of a fund (its scope says what is frozen).
func FundFrozen(kv module.KVReader, fund string) (*Freeze, error) {
	return frozen(kv, Target{Kind: KindFund, Fund: fund})
}

// OrgFrozen returns the freeze of an organisation's ability to transact.
func OrgFrozen(kv module.KVReader, org string) (*Freeze, error) {
	return frozen(kv, Target{Kind: KindOrg, Org: org})
}
