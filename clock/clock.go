package clock

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
)

// TypeAdvance is the message that moves the business clock forward.
const TypeAdvance = "clock/advance"

// The named targets of Advance.Next.
const (
	NextCutoff     = "cutoff"      // the next 15:00:00 China time on a trading day
	NextTradingDay = "trading_day" // 09:00 China time of the next trading day
)

// OpenHour is the China-time hour a trading day starts at for
// NextTradingDay.
const OpenHour = 9

// MaxAhead bounds how far business time may run ahead of block time (the
// offset): 50 years, far beyond any test day and far below the int64
// nanoseconds the offset is held in.
const MaxAhead = 50 * 366 * 24 * time.Hour

// Module is the clock module.
type Module struct{}

// New returns the clock module.
func New() *Module { return &Module{} }

var _ module.Module = (*Module)(nil)

// Name implements module.Module.
func (*Module) Name() string { return "clock" }

// Codes implements module.Module.
func (*Module) Codes() *module.Codes { return Codes }

// Genesis is the module's genesis section. Absent, {} or simulated false:
// production, no clock. Roles name who may advance the clock.
type Genesis struct {
	Simulated bool          `json:"simulated"`
	Roles     []module.Role `json:"roles,omitempty"`
}

// Config is the stored genesis of a simulated network.
type Config struct {
	Simulated bool          `json:"simulated"`
	Roles     []module.Role `json:"roles"`
}

// Record is one advance of the clock.
type Record struct {
	N         uint64      `json:"n"`
	By        string      `json:"by"` // identity id
	Org       string      `json:"org"`
	Role      module.Role `json:"role"`
	Height    int64       `json:"height"`
	From      string      `json:"from"` // business time before, RFC 3339 UTC
	To        string      `json:"to"`   // business time after
	BlockTime string      `json:"block_time"`
	Tx        string      `json:"tx"`
}

// Key layout inside the module's prefix ("clock/"):
//
//	cfg          -> Config JSON (only on a simulated network)
//	offset       -> int64 nanoseconds, 8 bytes big-endian (absent: 0)
//	adv/<seq>    -> Record JSON, seq 8 bytes big-endian from 1
//	seq          -> uint64, the number of advances
var (
	keyCfg    = []byte("cfg")
	keyOffset = []byte("offset")
	keySeq    = []byte("seq")
)

func advKey(n uint64) []byte { return binary.BigEndian.AppendUint64([]byte("adv/"), n) }

// InitGenesis implements module.Module. A production genesis writes nothing,
// so adding the module changes no existing app hash.
func (*Module) InitGenesis(_ *module.Context, kv module.KV, raw json.RawMessage) error {
	g, err := ParseGenesis(raw)
	if err != nil {
		return err
	}
	if !g.Simulated {
		return nil
	}
	return module.PutJSON(kv, keyCfg, &Config{Simulated: true, Roles: g.Roles})
}

// ParseGenesis reads and checks a genesis section (strict JSON): roles only
// with simulated, each an operator role (not investor or seal), no repeats,
// at least one when simulated. It returns ErrInvalidGenesis.
func ParseGenesis(raw json.RawMessage) (Genesis, error) {
	var g Genesis
	if s := strings.TrimSpace(string(raw)); s == "" || s == "null" {
		return g, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return g, ErrInvalidGenesis.Wrapf("%v", err)
	}
	if dec.More() {
		return g, ErrInvalidGenesis.Wrapf("trailing data after the clock section")
	}
	if !g.Simulated {
		if len(g.Roles) > 0 {
			return g, ErrInvalidGenesis.Wrapf("roles are given but simulated is false")
		}
		return g, nil
	}
	if len(g.Roles) == 0 {
		return g, ErrInvalidGenesis.Wrapf("a simulated clock needs at least one role that may advance it")
	}
	for i, r := range g.Roles {
		if !slices.Contains(advanceRoles, r) {
			return g, ErrInvalidGenesis.Wrapf("role %q may not advance the clock (want regulator, fund_manager, reseller, custodian or admin)", r)
		}
		if slices.Contains(g.Roles[:i], r) {
			return g, ErrInvalidGenesis.Wrapf("role %q is listed twice", r)
		}
	}
	return g, nil
}

// advanceRoles are the roles a genesis may name: operators, never investors
// or seals. The genesis narrows them (ErrRole refuses the others).
var advanceRoles = []module.Role{module.RoleRegulator, module.RoleFundManager, module.RoleReseller, module.RoleCustodian, module.RoleAdmin}

// Msgs implements module.Module.
func (*Module) Msgs() []module.MsgSpec {
	return []module.MsgSpec{module.Spec(TypeAdvance, advanceRoles, false, advance)}
}

// Advance moves the business clock forward: exactly one of To (an RFC 3339
// time with a zone, e.g. 2026-12-08T15:05:00+08:00) or Next (NextCutoff,
// NextTradingDay).
type Advance struct {
	To   string `json:"to,omitempty"`
	Next string `json:"next,omitempty"`
}

// Validate implements module.Msg: ErrInvalidRequest unless exactly one of
// to and next; ErrInvalidTarget for a bad time or name.
func (m *Advance) Validate() error {
	if (m.To == "") == (m.Next == "") {
		return ErrInvalidRequest.Wrapf("give exactly one of to and next")
	}
	if m.To != "" {
		_, err := ParseTarget(m.To)
		return err
	}
	if m.Next != NextCutoff && m.Next != NextTradingDay {
		return ErrInvalidTarget.Wrapf("next must be %q or %q, got %q", NextCutoff, NextTradingDay, truncate(m.Next))
	}
	return nil
}

// ParseTarget reads an RFC 3339 time with a zone (Z or ±hh:mm) and returns
// it in UTC, or ErrInvalidTarget.
func ParseTarget(s string) (time.Time, error) {
	if len(s) > 40 {
		return time.Time{}, ErrInvalidTarget.Wrapf("to is longer than 40 characters")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, ErrInvalidTarget.Wrapf("to %q is not an RFC 3339 time with a zone (e.g. 2026-12-08T15:05:00+08:00)", s)
	}
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, ErrInvalidTarget.Wrapf("to %q is outside years 1 to 9999", s)
	}
	return t.UTC(), nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Result is what clock/advance returns.
type Result struct {
	From          string `json:"from"` // business time before, RFC 3339 UTC
	To            string `json:"to"`   // business time after
	OffsetSeconds int64  `json:"offset_seconds"`
	N             uint64 `json:"n"` // the advance's number
}

// State reads the clock from the module's state: whether the network is
// simulated and the current offset (zero on a network without the clock).
// The app adds the offset to every block's header time.
func State(kv module.KVReader) (simulated bool, offset time.Duration, err error) {
	var c Config
	ok, err := module.GetJSON(kv, keyCfg, &c)
	if err != nil || !ok || !c.Simulated {
		return false, 0, err
	}
	b, err := kv.Get(keyOffset)
	if err != nil {
		return false, 0, err
	}
	if len(b) == 8 {
		offset = time.Duration(binary.BigEndian.Uint64(b))
	}
	return true, offset, nil
}

func advance(ctx *module.Context, kv module.KV, m *Advance) (any, error) {
	var c Config
	ok, err := module.GetJSON(kv, keyCfg, &c)
	if err != nil {
		return nil, err
	}
	if !ok || !c.Simulated {
		return nil, ErrNotSimulated.Wrapf("this network's genesis has no business clock (simulated is false): business time is block time and cannot be moved")
	}
	if !slices.Contains(c.Roles, ctx.Signer.Role) {
		return nil, ErrRole.Wrapf("role %s may not advance the clock (this network allows %s)", ctx.Signer.Role, joinRoles(c.Roles))
	}
	block := ctx.BlockTime
	if block.IsZero() {
		block = ctx.Time
	}
	from := ctx.Time
	var to time.Time
	switch {
	case m.To != "":
		if to, err = ParseTarget(m.To); err != nil {
			return nil, err
		}
	default:
		cal, err := fund.CalendarOf(ctx.Peer("fund"))
		if err != nil {
			if module.AsError(err) == nil {
				return nil, err
			}
			return nil, ErrNoTradingDay.Wrapf("no trading calendar is set")
		}
		if m.Next == NextCutoff {
			to, err = NextCutoffAfter(from, cal)
		} else {
			to, err = NextTradingDayAfter(from, cal)
		}
		if err != nil {
			return nil, ErrNoTradingDay.Wrapf("%v", err)
		}
	}
	if !to.After(from) {
		return nil, ErrBackwards.Wrapf("target %s is not after the business time %s", stamp(to), stamp(from))
	}
	offset := to.Sub(block) // > 0: to > from >= block
	if offset > MaxAhead {
		return nil, ErrInvalidTarget.Wrapf("target %s is more than %d days after the block time %s", stamp(to), int64(MaxAhead/(24*time.Hour)), stamp(block))
	}
	n, err := nextSeq(kv)
	if err != nil {
		return nil, err
	}
	if err := kv.Set(keyOffset, binary.BigEndian.AppendUint64(nil, uint64(offset))); err != nil {
		return nil, err
	}
	rec := Record{N: n, By: ctx.Signer.ID, Org: ctx.Signer.Org, Role: ctx.Signer.Role, Height: ctx.Height,
		From: stamp(from), To: stamp(to), BlockTime: stamp(block), Tx: fmt.Sprintf("%x", ctx.TxHash)}
	if err := module.PutJSON(kv, advKey(n), &rec); err != nil {
		return nil, err
	}
	ctx.Emit("clock_advanced", module.A("from", rec.From), module.A("to", rec.To), module.A("by", rec.By))
	return Result{From: rec.From, To: rec.To, OffsetSeconds: int64(offset / time.Second), N: n}, nil
}

func nextSeq(kv module.KV) (uint64, error) {
	b, err := kv.Get(keySeq)
	if err != nil {
		return 0, err
	}
	var n uint64
	if len(b) == 8 {
		n = binary.BigEndian.Uint64(b)
	}
	n++
	return n, kv.Set(keySeq, binary.BigEndian.AppendUint64(nil, n))
}

func joinRoles(rs []module.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// stamp is the form times take in records: RFC 3339 UTC, nanoseconds when
// there are any.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func chinaAt(d fund.Date, hour int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, fund.ChinaZone()).UTC()
}

// NextCutoffAfter returns the first 15:00:00 China time (fund.CutOffHour) on
// a trading day of cal strictly after now.
func NextCutoffAfter(now time.Time, cal fund.Calendar) (time.Time, error) {
	d, err := fund.ChinaDate(now)
	if err != nil {
		return time.Time{}, err
	}
	trading, err := cal.IsTradingDay(d)
	if err != nil {
		return time.Time{}, err
	}
	if cut := chinaAt(d, fund.CutOffHour); trading && now.Before(cut) {
		return cut, nil
	}
	next, err := cal.NextTradingDay(d)
	if err != nil {
		return time.Time{}, err
	}
	return chinaAt(next, fund.CutOffHour), nil
}

// NextTradingDayAfter returns 09:00 China time (OpenHour) of the first
// trading day of cal after now's China date.
func NextTradingDayAfter(now time.Time, cal fund.Calendar) (time.Time, error) {
	d, err := fund.ChinaDate(now)
	if err != nil {
		return time.Time{}, err
	}
	next, err := cal.NextTradingDay(d)
	if err != nil {
		return time.Time{}, err
	}
	return chinaAt(next, OpenHour), nil
}

// MaxAdvancesShown bounds the advances clock/now lists (the latest ones).
const MaxAdvancesShown = 100

// Now is the answer of the clock/now query.
type Now struct {
	BusinessTime  string        `json:"business_time"` // RFC 3339 UTC
	BlockTime     string        `json:"block_time"`
	Simulated     bool          `json:"simulated"`
	OffsetSeconds int64         `json:"offset_seconds"`
	OffsetNanos   int64         `json:"offset_ns"`
	Roles         []module.Role `json:"roles,omitempty"`
	Advances      []Record      `json:"advances"`
	// AdvancesTotal counts every advance; Truncated says Advances holds
	// only the latest MaxAdvancesShown of them.
	AdvancesTotal uint64 `json:"advances_total"`
	Truncated     bool   `json:"truncated"`
}

// Queries implements module.Module.
func (*Module) Queries() []module.QuerySpec {
	return []module.QuerySpec{module.Query("now", queryNow).WithPublic()}
}

func queryNow(qc *module.QueryContext, kv module.KVReader, _ map[string]string) (Now, error) {
	var c Config
	if _, err := module.GetJSON(kv, keyCfg, &c); err != nil {
		return Now{}, err
	}
	sim, offset, err := State(kv)
	if err != nil {
		return Now{}, err
	}
	out := Now{Simulated: sim, OffsetSeconds: int64(offset / time.Second), OffsetNanos: int64(offset), Roles: c.Roles, Advances: []Record{}}
	if !qc.BlockTime.IsZero() {
		out.BlockTime = stamp(qc.BlockTime)
		out.BusinessTime = stamp(qc.BlockTime.Add(offset))
	}
	b, err := kv.Get(keySeq)
	if err != nil {
		return Now{}, err
	}
	if len(b) == 8 {
		out.AdvancesTotal = binary.BigEndian.Uint64(b)
	}
	first := uint64(1)
	if out.AdvancesTotal > MaxAdvancesShown {
		first, out.Truncated = out.AdvancesTotal-MaxAdvancesShown+1, true
	}
	var bad error
	err = kv.Iterate(advKey(first), module.PrefixEnd([]byte("adv/")), func(_, v []byte) bool {
		var r Record
		if err := json.Unmarshal(v, &r); err != nil {
			bad = err
			return false
		}
		out.Advances = append(out.Advances, r)
		return true
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return Now{}, errors.Join(errors.New("clock: read advances"), err)
	}
	return out, nil
}
