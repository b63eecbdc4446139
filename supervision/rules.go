package supervision

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/otcchain/otcchain/module"
)

// Amount is a fixed-point number with two decimals as the fund package
// writes money (fen) and shares (0.01 share): "500000.00". Its grammar is
// the fund package's: digits without leading zeros, then optionally "." and
// one or two digits; no sign, no exponent.
type Amount int64

// ParseAmount reads an Amount.
func ParseAmount(s string) (Amount, error) {
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i+1:]
			if frac == "" {
				return 0, fmt.Errorf("amount %q: no decimals after the point", s)
			}
			break
		}
	}
	if intPart == "" || len(intPart) > 17 || len(frac) > 2 || (len(intPart) > 1 && intPart[0] == '0') {
		return 0, fmt.Errorf("amount %q: want digits with at most two decimals", s)
	}
	for _, p := range []string{intPart, frac} {
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return 0, fmt.Errorf("amount %q: want digits with at most two decimals", s)
			}
		}
	}
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || n > (math.MaxInt64-99)/100 {
		return 0, fmt.Errorf("amount %q: out of range", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return Amount(n*100 + f), nil
}

// String writes the canonical form, "1234.50".
func (a Amount) String() string {
	sign := ""
	v := int64(a)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// MarshalText implements encoding.TextMarshaler.
func (a Amount) MarshalText() ([]byte, error) {
	if a < 0 {
		return nil, fmt.Errorf("supervision: negative amount %d", int64(a))
	}
	return []byte(a.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := ParseAmount(string(b))
	*a = v
	return err
}

// Rule modes.
const (
	ModeBlock = "block" // the order is refused (supervision/rule_blocked) and a "blocked" alert recorded
	ModeAlert = "alert" // the order passes and an alert is raised
	ModeOff   = "off"
)

// Rule names (alert "rule" field).
const (
	RuleLargeTransaction   = "large_transaction"
	RuleStructuring        = "structuring"
	RuleRapidRedeem        = "rapid_redeem"
	RulePrivateFundCap     = "private_fund_cap"
	RuleUnsuitableAttempts = "unsuitable_attempts"
	RuleDormant            = "dormant"
	// RuleCalendarExpiry is not a compliance rule of the rule set: the
	// fund module reports that the trading calendar ends within 30 days
	// (Receive "calendar_expiring"); subject calendar/trading.
	RuleCalendarExpiry = "calendar_expiry"
)

var ruleNames = []string{RuleLargeTransaction, RuleStructuring, RuleRapidRedeem, RulePrivateFundCap, RuleUnsuitableAttempts, RuleDormant}

// Thresholds are amounts per fund investor type.
type Thresholds struct {
	Individual   Amount `json:"individual"`
	Institution  Amount `json:"institution"`
	Professional Amount `json:"professional"`
}

// For returns the threshold of an investor type (the highest for an unknown
// type, which the fund module never sends).
func (t Thresholds) For(typ string) Amount {
	switch typ {
	case "individual":
		return t.Individual
	case "institution":
		return t.Institution
	case "professional":
		return t.Professional
	}
	return max(t.Individual, t.Institution, t.Professional)
}

// LargeTransaction: one order whose value reaches the investor type's
// threshold.
type LargeTransaction struct {
	Mode       string     `json:"mode"`
	Thresholds Thresholds `json:"thresholds"`
}

// Structuring: Count or more orders of one investor, each just under the
// large-transaction threshold (value in [threshold*(100-MarginPct)/100,
// threshold)), within WindowDays calendar days.
type Structuring struct {
	Mode       string `json:"mode"`
	Count      int    `json:"count"`
	MarginPct  int    `json:"margin_pct"`
	WindowDays int    `json:"window_days"`
}

// RapidRedeem: a redemption of a fund within Days calendar days of the
// investor's last subscription or purchase of it.
type RapidRedeem struct {
	Mode string `json:"mode"`
	Days int    `json:"days"`
}

// PrivateFundCap: a private fund's distinct investors may not exceed
// MaxInvestors (the 200 qualified investors of the illegal fund-raising
// guard).
type PrivateFundCap struct {
	Mode         string `json:"mode"`
	MaxInvestors int64  `json:"max_investors"`
}

// UnsuitableAttempts: Count or more purchases or subscriptions of one
// investor refused as unsuitable (fund/unsuitable) within WindowDays.
type UnsuitableAttempts struct {
	Mode       string `json:"mode"`
	Count      int    `json:"count"`
	WindowDays int    `json:"window_days"`
}

// Dormant: an investor with no order for Days calendar days orders again.
type Dormant struct {
	Mode string `json:"mode"`
	Days int    `json:"days"`
}

// Rules is the compliance rule set, held in chain state and replaced only
// by governance (Receive "set_rules" from "gov"). docs/supervision.md
// describes each rule and its defaults.
type Rules struct {
	LargeTransaction   LargeTransaction   `json:"large_transaction"`
	Structuring        Structuring        `json:"structuring"`
	RapidRedeem        RapidRedeem        `json:"rapid_redeem"`
	PrivateFundCap     PrivateFundCap     `json:"private_fund_cap"`
	UnsuitableAttempts UnsuitableAttempts `json:"unsuitable_attempts"`
	Dormant            Dormant            `json:"dormant"`
}

// DefaultRules are the rules of a genesis that sets none: the large-value
// thresholds of PBOC Order 2016 No. 3 (500,000.00 for a natural person,
// 2,000,000.00 for an institution), structuring at 3 orders within 10% under
// the threshold in 7 days, redemption within 7 days of a purchase (the
// punitive short-holding fee period), the private-fund cap of 200 investors
// (blocking), 3 unsuitable attempts in 30 days, and 365 days of dormancy.
func DefaultRules() Rules {
	return Rules{
		LargeTransaction:   LargeTransaction{Mode: ModeAlert, Thresholds: Thresholds{Individual: 500000_00, Institution: 2000000_00, Professional: 2000000_00}},
		Structuring:        Structuring{Mode: ModeAlert, Count: 3, MarginPct: 10, WindowDays: 7},
		RapidRedeem:        RapidRedeem{Mode: ModeAlert, Days: 7},
		PrivateFundCap:     PrivateFundCap{Mode: ModeBlock, MaxInvestors: 200},
		UnsuitableAttempts: UnsuitableAttempts{Mode: ModeAlert, Count: 3, WindowDays: 30},
		Dormant:            Dormant{Mode: ModeAlert, Days: 365},
	}
}

// Validate checks every rule: a mode, and (unless off) parameters in range.
func (r *Rules) Validate() error {
	bad := func(rule, format string, args ...any) error {
		return ErrInvalidRules.Wrapf("%s: %s", rule, fmt.Sprintf(format, args...))
	}
	mode := func(rule, m string) (bool, error) {
		switch m {
		case ModeBlock, ModeAlert:
			return true, nil
		case ModeOff:
			return false, nil
		}
		return false, bad(rule, "mode %q: want block, alert or off", m)
	}
	days := func(n int) bool { return n >= 1 && n <= 3660 }
	on, err := mode(RuleLargeTransaction, r.LargeTransaction.Mode)
	if err != nil {
		return err
	}
	t := r.LargeTransaction.Thresholds
	on2, err := mode(RuleStructuring, r.Structuring.Mode)
	if err != nil {
		return err
	}
	if (on || on2) && (t.Individual <= 0 || t.Institution <= 0 || t.Professional <= 0) {
		return bad(RuleLargeTransaction, "a positive threshold for individual, institution and professional investors is required")
	}
	if s := r.Structuring; on2 && (s.Count < 2 || s.Count > 100 || s.MarginPct < 1 || s.MarginPct > 50 || !days(s.WindowDays)) {
		return bad(RuleStructuring, "count 2 to 100, margin_pct 1 to 50 and window_days 1 to 3660 are required")
	}
	if on, err = mode(RuleRapidRedeem, r.RapidRedeem.Mode); err != nil {
		return err
	} else if on && !days(r.RapidRedeem.Days) {
		return bad(RuleRapidRedeem, "days must be 1 to 3660")
	}
	if on, err = mode(RulePrivateFundCap, r.PrivateFundCap.Mode); err != nil {
		return err
	} else if on && (r.PrivateFundCap.MaxInvestors < 1 || r.PrivateFundCap.MaxInvestors > 1000000) {
		return bad(RulePrivateFundCap, "max_investors must be 1 to 1000000")
	}
	if on, err = mode(RuleUnsuitableAttempts, r.UnsuitableAttempts.Mode); err != nil {
		return err
	} else if u := r.UnsuitableAttempts; on && (u.Count < 1 || u.Count > 100 || !days(u.WindowDays)) {
		return bad(RuleUnsuitableAttempts, "count 1 to 100 and window_days 1 to 3660 are required")
	}
	if on, err = mode(RuleDormant, r.Dormant.Mode); err != nil {
		return err
	} else if on && !days(r.Dormant.Days) {
		return bad(RuleDormant, "days must be 1 to 3660")
	}
	return nil
}

var rulesKey = []byte("rules")

// rulesMemo remembers the decoding of the stored rule set: every order
// reads it. A hit needs byte-identical stored bytes, so it cannot change an
// outcome.
var rulesMemo struct {
	mu    sync.Mutex
	raw   []byte
	rules Rules
}

func loadRules(kv module.KVReader) (Rules, error) {
	raw, err := kv.Get(rulesKey)
	if err != nil {
		return Rules{}, err
	}
	if raw == nil {
		return DefaultRules(), nil
	}
	rulesMemo.mu.Lock()
	if bytes.Equal(rulesMemo.raw, raw) {
		r := rulesMemo.rules
		rulesMemo.mu.Unlock()
		return r, nil
	}
	rulesMemo.mu.Unlock()
	var r Rules
	if err := json.Unmarshal(raw, &r); err != nil {
		return Rules{}, fmt.Errorf("supervision: corrupt rules: %w", err)
	}
	rulesMemo.mu.Lock()
	rulesMemo.raw, rulesMemo.rules = bytes.Clone(raw), r
	rulesMemo.mu.Unlock()
	return r, nil
}

// ---- calendar days (China time, from the block time: never the wall clock)

var china = time.FixedZone("UTC+8", 8*3600)

// dayOf is the China calendar day of t, counted from 1970-01-01.
func dayOf(t time.Time) int64 {
	s := t.Unix() + 8*3600
	d := s / 86400
	if s < 0 && s%86400 != 0 {
		d--
	}
	return d
}

// dateOf writes a day number as YYYY-MM-DD.
func dateOf(day int64) string { return time.Unix(day*86400, 0).UTC().Format("2006-01-02") }

// parseDay reads YYYY-MM-DD as a day number.
func parseDay(s string) (int64, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil || len(s) != 10 {
		return 0, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return t.Unix() / 86400, nil
}

// JSONSchema implements schema.Declarer (the API's OpenAPI document).
func (Amount) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "pattern": `^[0-9]+\.[0-9]{2}$`, "description": "an amount of CNY, e.g. 1234.50"}
}
