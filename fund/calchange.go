package fund

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/otcchain/otcchain/module"
)

// Calendar change modes (Receive "calendar" from "supervision").
const (
	CalendarSet    = "set"    // replace the calendar
	CalendarExtend = "extend" // append days after the calendar's end
)

// CalendarChange is the payload of Receive "calendar": a replacement
// calendar (mode set) or an extension (mode extend: a calendar starting the
// day after the one in force ends). Check asks what the change would do
// without writing it (the supervision module checks a proposal with it).
type CalendarChange struct {
	Mode     string   `json:"mode"`
	Calendar Calendar `json:"calendar"`
	Check    bool     `json:"check,omitempty"`
}

// CalendarEffect is what a calendar change does: the resulting range and
// the trading days it adds and removes relative to the calendar in force.
type CalendarEffect struct {
	Mode        string `json:"mode"`
	From        Date   `json:"from"`
	To          Date   `json:"to"`
	TradingDays int    `json:"trading_days"`
	Added       int    `json:"added"`
	Removed     int    `json:"removed"`
	Applied     bool   `json:"applied"`
}

// changeCalendar applies (or, with Check, only checks) a calendar change.
// Errors:
//   - calendar: the result does not cover today (China date of the business
//     time), an extension does not start the day after the calendar ends,
//     or the result spans more than MaxCalendarSpan;
//   - calendar_pending_orders: a trading day the change removes has orders
//     waiting for its NAV, or a fund's last NAV date is no longer covered
//     (its next NAV date could not be found). Such orders are never moved:
//     cancel or confirm them first, or keep the day.
func changeCalendar(ctx *module.Context, kv module.KV, c *CalendarChange) (*CalendarEffect, error) {
	if len(c.Calendar.days) == 0 {
		return nil, ErrInvalidRequest.Wrapf("the calendar has no trading days")
	}
	cur, ok, err := calendarMemo.get(kv, calKey())
	if err != nil {
		return nil, err
	}
	next := c.Calendar
	switch c.Mode {
	case CalendarSet:
	case CalendarExtend:
		if !ok {
			return nil, ErrCalendar.Wrapf("no trading calendar is set: set one, not extend")
		}
		start, err := cur.To().AddDays(1)
		if err != nil || c.Calendar.From() != start {
			return nil, ErrCalendar.Wrapf("an extension starts the day after the calendar ends (%s), not %s", start, c.Calendar.From())
		}
		next, err = NewCalendar(cur.From(), c.Calendar.To(), append(cur.Days(), c.Calendar.days...))
		if err != nil {
			return nil, ErrCalendar.Wrapf("extended calendar: %v (replace it with a shorter one instead)", err)
		}
	default:
		return nil, ErrInvalidRequest.Wrapf("calendar change mode %q: want set or extend", c.Mode)
	}
	today, err := ChinaDate(ctx.Time)
	if err != nil || !next.Covers(today) {
		return nil, ErrCalendar.Wrapf("the new calendar (%s to %s) does not cover today %s", next.From(), next.To(), today)
	}
	removed, added := calendarDiff(cur, next)
	if err := checkRemovable(kv, next, removed); err != nil {
		return nil, err
	}
	eff := &CalendarEffect{Mode: c.Mode, From: next.From(), To: next.To(), TradingDays: len(next.days), Added: added, Removed: len(removed), Applied: !c.Check}
	if c.Check {
		return eff, nil
	}
	if err := module.PutJSON(kv, calKey(), &next); err != nil {
		return nil, err
	}
	ctx.Emit("calendar_set", module.A("mode", c.Mode), module.A("from", next.From().String()), module.A("to", next.To().String()),
		module.A("added", fmt.Sprint(added)), module.A("removed", fmt.Sprint(len(removed))))
	return eff, nil
}

// calendarDiff returns the trading days of cur that next does not have as
// trading days, and how many trading days next has that cur has not.
func calendarDiff(cur, next Calendar) (removed []Date, added int) {
	for _, d := range cur.days {
		if _, found := slices.BinarySearch(next.days, d); !found {
			removed = append(removed, d)
		}
	}
	for _, d := range next.days {
		if _, found := slices.BinarySearch(cur.days, d); !found {
			added++
		}
	}
	return removed, added
}

// checkRemovable refuses a calendar that would strand orders: a removed
// trading day with pending orders of some fund, or a fund whose last final
// NAV date the new calendar does not cover.
func checkRemovable(kv module.KV, next Calendar, removed []Date) error {
	var funds []Fund
	if err := kv.Iterate(fundPrefix(), module.PrefixEnd(fundPrefix()), func(_, v []byte) bool {
		var f Fund
		if jsonUnmarshal(v, &f) == nil {
			funds = append(funds, f)
		}
		return true
	}); err != nil {
		return err
	}
	for _, f := range funds {
		if f.LastNAVDate != 0 && f.Status != StatusLiquidated && !next.Covers(f.LastNAVDate) {
			return ErrCalendarPending.Wrapf("fund %s: its last NAV date %s is outside the new calendar (%s to %s): its next NAV date could not be found", f.Code, f.LastNAVDate, next.From(), next.To())
		}
		for _, d := range removed {
			n := 0
			pre := queuePrefix(f.Code, d)
			if err := kv.Iterate(pre, module.PrefixEnd(pre), func(_, _ []byte) bool { n++; return false }); err != nil {
				return err
			}
			if n > 0 {
				return ErrCalendarPending.Wrapf("fund %s has pending orders of trade date %s, which the change removes: keep the day, or cancel or confirm the orders first", f.Code, d)
			}
		}
	}
	return nil
}

// CalendarWarnDays is how many days before the calendar's last covered date
// the fund module asks the supervision module to raise its
// calendar_expiry alert.
const CalendarWarnDays = 30

func calWarnKey() []byte { return []byte("calwarn") }

// watchCalendar runs at every end-block: once the China date of the block's
// business time (ctx.Time) is CalendarWarnDays or fewer days before the
// calendar's end, it emits calendar_expiring and asks the supervision module
// (Receive "calendar_expiring") for an alert, once per calendar end: the
// end date it warned about is kept under calwarn, so an extension arms the
// warning again for the new end. Deterministic: it reads only state and the
// block's time.
func watchCalendar(ctx *module.Context, kv module.KV) error {
	cal, ok, err := calendarMemo.get(kv, calKey())
	if err != nil || !ok {
		return err
	}
	today, err := ChinaDate(ctx.Time)
	if err != nil {
		return nil
	}
	left, err := DaysBetween(today, cal.To())
	if err != nil || left > CalendarWarnDays {
		return nil
	}
	mark := []byte(cal.To().String())
	old, err := kv.Get(calWarnKey())
	if err != nil || bytes.Equal(old, mark) {
		return err
	}
	if err := kv.Set(calWarnKey(), mark); err != nil {
		return err
	}
	ctx.Emit("calendar_expiring", module.A("to", cal.To().String()), module.A("days_left", fmt.Sprint(left)))
	in := map[string]any{"to": cal.To().String(), "date": today.String(), "days_left": left}
	if err := ctx.Call("supervision", "calendar_expiring", in, nil); err != nil && module.AsError(err) == nil {
		return err // a refusal (no supervision module) leaves the event only
	}
	return nil
}
