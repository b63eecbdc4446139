package supervision

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/otcchain/otcchain/module"
)

// Order kinds of OrderFacts.
const (
	OrderSubscribe = "subscribe"
	OrderPurchase  = "purchase"
	OrderRedeem    = "redeem"
)

// UnsuitableRefusal is the fund module's refusal of an unsuitable purchase
// (codespace/name): the unsuitable_attempts rule counts them.
const UnsuitableRefusal = "fund/unsuitable"

// OrderFacts is what the fund module reports of an order it is about to
// accept (Receive "order" from "fund"), after all its own checks passed.
type OrderFacts struct {
	Order        string `json:"order"` // channel:app_no
	Channel      string `json:"channel"`
	Manager      string `json:"manager"`
	Fund         string `json:"fund"`
	Private      bool   `json:"private,omitempty"`
	Investor     string `json:"investor"`
	InvestorType string `json:"investor_type"`           // individual, institution, professional
	InvestorRisk string `json:"investor_risk,omitempty"` // C1..C5
	FundRisk     string `json:"fund_risk,omitempty"`     // R1..R5
	Kind         string `json:"kind"`                    // subscribe, purchase, redeem
	Amount       Amount `json:"amount,omitempty"`        // subscribe, purchase
	Shares       Amount `json:"shares,omitempty"`        // redeem
	Value        Amount `json:"value"`                   // the amount, or the shares at the fund's last NAV (par before one)
	TradeDate    string `json:"trade_date,omitempty"`
}

func (f *OrderFacts) buy() bool { return f.Kind != OrderRedeem }

// Receive implements module.Receiver:
//
//	"order"      from "fund": OrderFacts; evaluates the sandbox caps and the
//	             compliance rules, raises alerts, counts volumes; refuses the
//	             order with a supervision code.
//	"calendar_expiring" from "fund": {"to","date","days_left"}; raises
//	             the calendar_expiry alert (the fund module asks once per
//	             calendar end, 30 days before it).
//	"set_rules"  from "gov": a full Rules (replaces the rule set, validated).
//	"set_params" from "gov": {"approvals": k}.
func (m *Module) Receive(ctx *module.Context, kv module.KV, from, action string, payload json.RawMessage) (json.RawMessage, error) {
	want := map[string]string{"order": "fund", "calendar_expiring": "fund", "set_rules": "gov", "set_params": "gov"}[action]
	if want == "" {
		return nil, ErrInvalidRequest.Wrapf("supervision takes no action %q", action)
	}
	if from != want {
		return nil, ErrCaller.Wrapf("supervision takes %q from %s only, not from %s", action, want, from)
	}
	switch action {
	case "order":
		var f OrderFacts
		if err := json.Unmarshal(payload, &f); err != nil {
			return nil, ErrInvalidRequest.Wrapf("order facts: %v", err)
		}
		return evaluateOrder(ctx, kv, &f)
	case "calendar_expiring":
		var c struct {
			To       string `json:"to"`
			Date     string `json:"date"`
			DaysLeft int    `json:"days_left"`
		}
		if err := strictJSON(payload, &c); err != nil {
			return nil, ErrInvalidRequest.Wrapf("calendar_expiring: %v", err)
		}
		a, err := raise(ctx, kv, RuleCalendarExpiry, ActionAlert, Subject{Kind: KindCalendar, ID: "trading"}, nil,
			fmt.Sprintf("the trading calendar ends %s, %d days after %s: extend it (otc supervise calendar extend, approved by a second officer)", c.To, c.DaysLeft, c.Date))
		if err != nil {
			return nil, err
		}
		return json.Marshal(a)
	case "set_rules":
		var r Rules
		if err := strictJSON(payload, &r); err != nil {
			return nil, ErrInvalidRules.Wrapf("%v", err)
		}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		if err := module.PutJSON(kv, rulesKey, &r); err != nil {
			return nil, err
		}
		ctx.Emit("rules_set", module.A("by", from))
		return json.Marshal(&r)
	default:
		var g struct {
			Approvals int `json:"approvals"`
		}
		if err := strictJSON(payload, &g); err != nil {
			return nil, ErrInvalidRequest.Wrapf("params: %v", err)
		}
		if g.Approvals < 2 || g.Approvals > 16 {
			return nil, ErrInvalidRequest.Wrapf("approvals must be 2 to 16 (one officer never acts alone)")
		}
		var p Genesis
		if _, err := module.GetJSON(kv, []byte("params"), &p); err != nil {
			return nil, err
		}
		p.Approvals = g.Approvals
		p.Rules = nil
		if err := module.PutJSON(kv, []byte("params"), &p); err != nil {
			return nil, err
		}
		ctx.Emit("supervision_params_set", module.A("approvals", fmt.Sprint(g.Approvals)))
		return json.Marshal(&p)
	}
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// hit is a rule that fired on an event.
type hit struct {
	rule, mode string
	subject    Subject
	detail     string
}

// state keys of the rules' indexes (all under the supervision prefix)
func lastOrderKey(inv string) []byte     { return []byte("act/last/" + inv) }
func lastBuyKey(inv, fund string) []byte { return []byte("act/buy/" + inv + "/" + fund) }
func nearKey(inv string) []byte          { return []byte("act/near/" + inv) }
func unsuitableKey(inv string) []byte    { return []byte("act/unsuitable/" + inv) }
func fundInvestorKey(fund, inv string) []byte {
	return []byte("pf/inv/" + fund + "/" + inv)
}
func fundInvestorsKey(fund string) []byte { return []byte("pf/count/" + fund) }
func volumeKey(day int64, fund, channel, kind string) []byte {
	return []byte("vol/" + dateOf(day) + "/" + fund + "/" + channel + "/" + kind)
}

func getInt(kv module.KVReader, key []byte) (int64, bool, error) {
	b, err := kv.Get(key)
	if err != nil || len(b) != 8 {
		return 0, false, err
	}
	return int64(binary.BigEndian.Uint64(b)), true, nil
}

func setInt(kv module.KV, key []byte, v int64) error {
	return kv.Set(key, binary.BigEndian.AppendUint64(nil, uint64(v)))
}

// getDays reads a list of day numbers kept within a window.
func getDays(kv module.KVReader, key []byte, from int64) ([]int64, error) {
	b, err := kv.Get(key)
	if err != nil {
		return nil, err
	}
	var out []int64
	for i := 0; i+8 <= len(b); i += 8 {
		if d := int64(binary.BigEndian.Uint64(b[i:])); d >= from {
			out = append(out, d)
		}
	}
	return out, nil
}

func setDays(kv module.KV, key []byte, days []int64) error {
	var b []byte
	for _, d := range days {
		b = binary.BigEndian.AppendUint64(b, uint64(d))
	}
	return kv.Set(key, b)
}

func evaluateOrder(ctx *module.Context, kv module.KV, f *OrderFacts) (json.RawMessage, error) {
	day := dayOf(ctx.Time)
	// The regulatory sandbox first: its caps are hard limits.
	entries, err := sandboxesOf(kv, f)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := e.admits(kv, f, day); err != nil {
			return nil, err
		}
	}
	r, err := loadRules(kv)
	if err != nil {
		return nil, err
	}
	inv := Subject{Kind: KindInvestor, ID: f.Investor}
	var hits []hit
	fire := func(rule, mode string, s Subject, format string, args ...any) {
		hits = append(hits, hit{rule: rule, mode: mode, subject: s, detail: fmt.Sprintf(format, args...)})
	}
	// private_fund_cap: distinct investors of a private fund.
	var newPrivate bool
	var privateCount int64
	if c := r.PrivateFundCap; c.Mode != ModeOff && f.Private && f.buy() {
		b, err := kv.Get(fundInvestorKey(f.Fund, f.Investor))
		if err != nil {
			return nil, err
		}
		if b == nil {
			newPrivate = true
			if privateCount, _, err = getInt(kv, fundInvestorsKey(f.Fund)); err != nil {
				return nil, err
			}
			if privateCount+1 > c.MaxInvestors {
				fire(RulePrivateFundCap, c.Mode, Subject{Kind: KindFund, ID: f.Fund}, "private fund %s would have %d investors (cap %d)", f.Fund, privateCount+1, c.MaxInvestors)
			}
		}
	}
	// unsuitable_attempts (block mode stops further buying; the alert is
	// raised by the refusal observer when the attempts reach the count).
	if u := r.UnsuitableAttempts; u.Mode == ModeBlock && f.buy() {
		ds, err := getDays(kv, unsuitableKey(f.Investor), day-int64(u.WindowDays)+1)
		if err != nil {
			return nil, err
		}
		if len(ds) >= u.Count {
			fire(RuleUnsuitableAttempts, u.Mode, inv, "investor %s had %d unsuitable purchase attempts within %d days", f.Investor, len(ds), u.WindowDays)
		}
	}
	thr := r.LargeTransaction.Thresholds.For(f.InvestorType)
	if l := r.LargeTransaction; l.Mode != ModeOff && f.Value >= thr {
		fire(RuleLargeTransaction, l.Mode, inv, "%s of %s by %s investor %s reaches the threshold %s", f.Kind, f.Value, f.InvestorType, f.Investor, thr)
	}
	var near []int64
	s := r.Structuring
	keep := Amount(100 - s.MarginPct)
	lower := thr/100*keep + thr%100*keep/100 // thr*(100-margin)/100 without overflow
	isNear := s.Mode != ModeOff && f.Value < thr && f.Value >= lower
	if isNear {
		if near, err = getDays(kv, nearKey(f.Investor), day-int64(s.WindowDays)+1); err != nil {
			return nil, err
		}
		near = append(near, day)
		if len(near) >= s.Count {
			fire(RuleStructuring, s.Mode, inv, "investor %s placed %d orders within %d%% under the threshold %s in %d days", f.Investor, len(near), s.MarginPct, thr, s.WindowDays)
		}
	}
	if rr := r.RapidRedeem; rr.Mode != ModeOff && !f.buy() {
		last, ok, err := getInt(kv, lastBuyKey(f.Investor, f.Fund))
		if err != nil {
			return nil, err
		}
		if ok && day-last <= int64(rr.Days) {
			fire(RuleRapidRedeem, rr.Mode, inv, "investor %s redeems fund %s %d days after buying it (rule: %d days)", f.Investor, f.Fund, day-last, rr.Days)
		}
	}
	last, seen, err := getInt(kv, lastOrderKey(f.Investor))
	if err != nil {
		return nil, err
	}
	if d := r.Dormant; d.Mode != ModeOff && seen && day-last >= int64(d.Days) {
		fire(RuleDormant, d.Mode, inv, "investor %s orders again after %d days without an order (since %s)", f.Investor, day-last, dateOf(last))
	}
	for _, h := range hits {
		if h.mode == ModeBlock {
			return nil, ErrRuleBlocked.Wrapf("rule %s: %s", h.rule, h.detail)
		}
	}

	// Accepted: record the activity (only what changed), the volumes and
	// the alerts.
	if !seen || last != day {
		if err := setInt(kv, lastOrderKey(f.Investor), day); err != nil {
			return nil, err
		}
	}
	if f.buy() {
		if err := setInt(kv, lastBuyKey(f.Investor, f.Fund), day); err != nil {
			return nil, err
		}
	}
	if isNear {
		if err := setDays(kv, nearKey(f.Investor), near); err != nil {
			return nil, err
		}
	}
	if newPrivate {
		if err := kv.Set(fundInvestorKey(f.Fund, f.Investor), []byte{1}); err != nil {
			return nil, err
		}
		if err := setInt(kv, fundInvestorsKey(f.Fund), privateCount+1); err != nil {
			return nil, err
		}
	}
	if err := addVolume(kv, volumeKey(day, f.Fund, f.Channel, f.Kind), f); err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := e.record(kv, f, day); err != nil {
			return nil, err
		}
	}
	if len(hits) == 0 {
		return nil, nil
	}
	var ids []string
	for _, h := range hits {
		a, err := raise(ctx, kv, h.rule, ActionAlert, h.subject, f, h.detail)
		if err != nil {
			return nil, err
		}
		ids = append(ids, a.ID)
	}
	return json.Marshal(map[string]any{"alerts": ids})
}

// Volume is what the report sums: accepted orders, their amounts and
// shares.
type Volume struct {
	Orders int64  `json:"orders"`
	Amount Amount `json:"amount"`
	Shares Amount `json:"shares"`
}

func getVolume(b []byte) Volume {
	if len(b) != 24 {
		return Volume{}
	}
	return Volume{Orders: int64(binary.BigEndian.Uint64(b)), Amount: Amount(binary.BigEndian.Uint64(b[8:])), Shares: Amount(binary.BigEndian.Uint64(b[16:]))}
}

func addVolume(kv module.KV, key []byte, f *OrderFacts) error {
	b, err := kv.Get(key)
	if err != nil {
		return err
	}
	v := getVolume(b)
	v.Orders++
	v.Amount += f.Amount
	v.Shares += f.Shares
	out := binary.BigEndian.AppendUint64(nil, uint64(v.Orders))
	out = binary.BigEndian.AppendUint64(out, uint64(v.Amount))
	return kv.Set(key, binary.BigEndian.AppendUint64(out, uint64(v.Shares)))
}

// ---- refusal observer

var _ module.RefusalObserver = (*Module)(nil)
var _ module.Receiver = (*Module)(nil)

// refusedOrder is what the observer reads of a refused fund order.
type refusedOrder struct {
	AppNo    string `json:"app_no"`
	Investor string `json:"investor"`
	Fund     string `json:"fund"`
	Amount   string `json:"amount"`
	Shares   string `json:"shares"`
}

var orderKinds = map[string]string{"fund/subscribe": OrderSubscribe, "fund/purchase": OrderPurchase, "fund/redeem": OrderRedeem}

// ObserveRefusal implements module.RefusalObserver. A refused order's writes
// are gone, so what its refusal means is recorded here: a "blocked" alert
// for an order a blocking rule refused, a refusal counted on the sandbox
// entry that refused it, and an unsuitable purchase attempt (raising the
// unsuitable_attempts alert when they reach the rule's count).
func (m *Module) ObserveRefusal(ctx *module.Context, kv module.KV, msgType string, msg module.Msg, refusal *module.Error) error {
	kind, ok := orderKinds[msgType]
	if !ok {
		return nil
	}
	name := refusal.Codespace + "/" + refusal.Name
	isRule := refusal.Codespace == Codes.Codespace && refusal.Code == ErrRuleBlocked.Code
	isSandbox := refusal.Codespace == Codes.Codespace && strings.HasPrefix(refusal.Name, "sandbox_")
	if !isRule && !isSandbox && name != UnsuitableRefusal {
		return nil
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return nil
	}
	var o refusedOrder
	if json.Unmarshal(b, &o) != nil || o.Investor == "" {
		return nil
	}
	f := &OrderFacts{Order: ctx.Signer.Org + ":" + o.AppNo, Channel: ctx.Signer.Org, Fund: o.Fund, Investor: o.Investor, Kind: kind}
	f.Amount, _ = ParseAmount(o.Amount)
	f.Shares, _ = ParseAmount(o.Shares)
	day := dayOf(ctx.Time)
	switch {
	case isRule:
		rule, detail, _ := strings.Cut(strings.TrimPrefix(refusal.Message, "rule "), ": ")
		s := Subject{Kind: KindInvestor, ID: o.Investor}
		if rule == RulePrivateFundCap {
			s = Subject{Kind: KindFund, ID: o.Fund}
		}
		_, err := raise(ctx, kv, rule, ActionBlocked, s, f, detail)
		return err
	case isSandbox:
		id, _, ok := strings.Cut(strings.TrimPrefix(refusal.Message, "sandbox entry "), ": ")
		if !ok {
			return nil
		}
		var e SandboxEntry
		if found, err := module.GetJSON(kv, sandboxKey(id), &e); err != nil || !found {
			return err
		}
		e.Activity.Refusals++
		return module.PutJSON(kv, sandboxKey(id), &e)
	}
	r, err := loadRules(kv)
	if err != nil {
		return err
	}
	u := r.UnsuitableAttempts
	if u.Mode == ModeOff {
		return nil
	}
	ds, err := getDays(kv, unsuitableKey(o.Investor), day-int64(u.WindowDays)+1)
	if err != nil {
		return err
	}
	ds = append(ds, day)
	if err := setDays(kv, unsuitableKey(o.Investor), ds); err != nil {
		return err
	}
	if len(ds) >= u.Count {
		_, err := raise(ctx, kv, RuleUnsuitableAttempts, ActionAlert, Subject{Kind: KindInvestor, ID: o.Investor}, f,
			fmt.Sprintf("investor %s: %d purchases refused as unsuitable within %d days (last: %s)", o.Investor, len(ds), u.WindowDays, refusal.Message))
		return err
	}
	return nil
}
