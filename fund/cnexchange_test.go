package fund_test

import (
	"errors"
	"testing"

	"github.com/otcchain/otcchain/fund"
)

// TestChinaExchangeCalendar checks the shipped SSE/SZSE calendars against
// known dates of each year: the holidays of the State Council's notices,
// the days around them, and the make-up working weekends, on which the
// exchanges stay closed.
func TestChinaExchangeCalendar(t *testing.T) {
	cal, err := fund.ChinaExchangeCalendar(2025, 2026)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		date    string
		trading bool
	}{
		{"2025-01-01", false}, {"2025-01-02", true},
		{"2025-01-26", false}, // Sunday, make-up working day: closed
		{"2025-01-27", true}, {"2025-01-28", false}, {"2025-01-31", false}, {"2025-02-04", false}, {"2025-02-05", true},
		{"2025-02-08", false}, // Saturday, make-up working day
		{"2025-04-03", true}, {"2025-04-04", false}, {"2025-04-07", true},
		{"2025-04-27", false}, // Sunday, make-up working day
		{"2025-04-30", true}, {"2025-05-01", false}, {"2025-05-02", false}, {"2025-05-05", false}, {"2025-05-06", true},
		{"2025-05-30", true}, {"2025-06-02", false}, {"2025-06-03", true},
		{"2025-09-28", false}, // Sunday, make-up working day
		{"2025-09-30", true}, {"2025-10-01", false}, {"2025-10-06", false}, {"2025-10-08", false}, {"2025-10-09", true},
		{"2025-10-11", false}, // Saturday, make-up working day
		{"2025-12-31", true},
		{"2026-01-01", false}, {"2026-01-02", false},
		{"2026-01-04", false}, // Sunday, make-up working day
		{"2026-01-05", true},
		{"2026-02-13", true},
		{"2026-02-14", false}, // Saturday, make-up working day
		{"2026-02-16", false}, {"2026-02-20", false}, {"2026-02-23", false}, {"2026-02-24", true},
		{"2026-02-28", false}, // Saturday, make-up working day
		{"2026-04-03", true}, {"2026-04-06", false}, {"2026-04-07", true},
		{"2026-04-30", true}, {"2026-05-01", false}, {"2026-05-04", false}, {"2026-05-05", false}, {"2026-05-06", true},
		{"2026-05-09", false}, // Saturday, make-up working day
		{"2026-06-18", true}, {"2026-06-19", false}, {"2026-06-22", true},
		{"2026-09-20", false}, // Sunday, make-up working day
		{"2026-09-24", true}, {"2026-09-25", false}, {"2026-09-28", true},
		{"2026-09-30", true}, {"2026-10-01", false}, {"2026-10-07", false}, {"2026-10-08", true},
		{"2026-10-10", false}, // Saturday, make-up working day
		{"2026-12-31", true},
	} {
		d, err := fund.ParseDate(c.date)
		if err != nil {
			t.Fatal(err)
		}
		got, err := cal.IsTradingDay(d)
		if err != nil || got != c.trading {
			t.Errorf("%s (%s): trading %v, %v; want %v", c.date, d.Weekday(), got, err, c.trading)
		}
	}
	// The counts the exchanges announce: 243 trading days in 2025, 242 in
	// 2026.
	for y, want := range map[int]int{2025: 243, 2026: 242} {
		c, err := fund.ChinaExchangeCalendar(y, y)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(c.Days()); n != want {
			t.Errorf("%d: %d trading days, want %d", y, n, want)
		}
		if fund.ChinaExchangeSource(y) == "" {
			t.Errorf("%d: no source", y)
		}
	}
	if _, err := fund.ChinaExchangeCalendar(2026, 2027); !errors.Is(err, fund.ErrOutsideCalendar) {
		t.Errorf("2027 is not published: %v, want ErrOutsideCalendar", err)
	}
}
