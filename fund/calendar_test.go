package fund_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/otcchain/otcchain/fund"
)

func TestParseDate(t *testing.T) {
	cases := []struct {
		in   string
		want fund.Date
		ok   bool
	}{
		{"2025-01-02", 20250102, true},
		{"2024-02-29", 20240229, true},
		{"2000-02-29", 20000229, true},
		{"0001-01-01", 10101, true},
		{"9999-12-31", 99991231, true},
		{"2025-02-29", 0, false},
		{"1900-02-29", 0, false},
		{"2025-04-31", 0, false},
		{"2025-13-01", 0, false},
		{"2025-00-10", 0, false},
		{"2025-01-00", 0, false},
		{"0000-01-01", 0, false},
		{"2025-1-02", 0, false},
		{"20250102", 0, false},
		{"2025/01/02", 0, false},
		{"2025-01-02T00:00:00Z", 0, false},
		{"+025-01-02", 0, false},
		{"-025-01-02", 0, false},
		{"２025-01-02", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, err := fund.ParseDate(c.in)
		if c.ok != (err == nil) || got != c.want || (err != nil && !errors.Is(err, fund.ErrInvalidDate)) {
			t.Errorf("ParseDate(%q) = %d, %v", c.in, got, err)
		}
		if c.ok && got.String() != c.in {
			t.Errorf("ParseDate(%q).String() = %q", c.in, got.String())
		}
	}
	if d, err := fund.NewDate(2025, time.January, 2); err != nil || d != 20250102 || d.Year() != 2025 || d.Month() != time.January || d.Day() != 2 {
		t.Errorf("NewDate: %d %v", d, err)
	}
	for _, d := range []fund.Date{0, -20250102, 20251301, 100000000} {
		if d.Valid() {
			t.Errorf("%d is valid", d)
		}
	}
	if fund.Date(0).String() != "" || fund.Date(20250230).String() != "Date(20250230)" {
		t.Error("String of invalid dates")
	}
}

// TestDaysAgainstTime checks the day arithmetic against the time package over
// every day from 1900 to 2100 and on random days of the whole range.
func TestDaysAgainstTime(t *testing.T) {
	base := fund.Date(19700101)
	check := func(tm time.Time) {
		t.Helper()
		d, err := fund.NewDate(tm.Date())
		if err != nil {
			t.Fatal(err)
		}
		want := int(tm.Unix() / 86400)
		if got, err := fund.DaysBetween(base, d); err != nil || got != want {
			t.Fatalf("DaysBetween(1970-01-01, %s) = %d, %v; want %d", d, got, err, want)
		}
		if back, err := base.AddDays(want); err != nil || back != d {
			t.Fatalf("1970-01-01 %+d days = %s, %v; want %s", want, back, err, d)
		}
		if d.Weekday() != tm.Weekday() {
			t.Fatalf("%s is a %s, not a %s", d, tm.Weekday(), d.Weekday())
		}
	}
	for tm := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() <= 2100; tm = tm.AddDate(0, 0, 1) {
		check(tm)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	lo := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
	hi := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).Unix() / 86400
	for range 100000 {
		check(time.Unix((lo+rng.Int64N(hi-lo+1))*86400, 0).UTC())
	}
	check(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	check(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
}

func TestAddDaysAndDaysBetween(t *testing.T) {
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2024-12-31", 1, "2025-01-01"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2025-02-28", 1, "2025-03-01"},
		{"2025-03-01", -1, "2025-02-28"},
		{"2025-03-03", 5, "2025-03-08"},
		{"9999-12-30", 1, "9999-12-31"},
		{"0001-01-02", -1, "0001-01-01"},
	}
	for _, c := range cases {
		got, err := date(t, c.from).AddDays(c.n)
		if err != nil || got.String() != c.want {
			t.Errorf("%s %+d = %s, %v; want %s", c.from, c.n, got, err, c.want)
		}
		if n, err := fund.DaysBetween(date(t, c.from), got); err != nil || n != c.n {
			t.Errorf("DaysBetween(%s, %s) = %d, %v", c.from, got, n, err)
		}
	}
	for _, c := range []struct {
		d fund.Date
		n int
	}{{99991231, 1}, {10101, -1}, {20250101, 1 << 40}, {20250101, -(1 << 40)}, {20250230, 0}} {
		if _, err := c.d.AddDays(c.n); !errors.Is(err, fund.ErrInvalidDate) {
			t.Errorf("%d %+d: %v", c.d, c.n, err)
		}
	}
	if _, err := fund.DaysBetween(0, 20250101); !errors.Is(err, fund.ErrInvalidDate) {
		t.Errorf("DaysBetween of the zero Date: %v", err)
	}
}

// testCalendar covers 2024-06-01 to 2025-01-03: weekdays except the
// exchanges' holidays of that time (Dragon Boat 06-10, Mid-Autumn 09-16 and
// 09-17, National Day 10-01 to 10-07, New Year 2025-01-01).
func testCalendar(t testing.TB) fund.Calendar {
	t.Helper()
	holidays := map[fund.Date]bool{}
	for _, s := range []string{"2024-06-10", "2024-09-16", "2024-09-17", "2024-10-01", "2024-10-02",
		"2024-10-03", "2024-10-04", "2024-10-07", "2025-01-01"} {
		holidays[date(t, s)] = true
	}
	from, to := date(t, "2024-06-01"), date(t, "2025-01-03")
	var days []fund.Date
	for d := from; d <= to; d, _ = d.AddDays(1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && !holidays[d] {
			days = append(days, d)
		}
	}
	cal, err := fund.NewCalendar(from, to, days)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func TestTradeDate(t *testing.T) {
	cal := testCalendar(t)
	cst := time.FixedZone("CST", 8*3600)
	newYork := time.FixedZone("EDT", -4*3600)
	china := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		name string
		at   time.Time
		want string
		err  error
	}{
		{"trading day morning", china("2024-06-05 09:30:00"), "2024-06-05", nil},
		{"one millisecond before the cut-off", china("2024-06-05 14:59:59.999"), "2024-06-05", nil},
		{"one nanosecond before the cut-off", china("2024-06-05 14:59:59.999999999"), "2024-06-05", nil},
		{"at the cut-off", china("2024-06-05 15:00:00"), "2024-06-06", nil},
		{"after the cut-off", china("2024-06-05 15:00:00.000000001"), "2024-06-06", nil},
		{"midnight China time", china("2024-06-05 00:00:00"), "2024-06-05", nil},
		{"last nanosecond of the day", china("2024-06-05 23:59:59.999999999"), "2024-06-06", nil},
		// Friday 2024-06-07 after the cut-off; Monday 06-10 is Dragon Boat.
		{"Friday after cut-off, Monday holiday", china("2024-06-07 15:00:00"), "2024-06-11", nil},
		{"Saturday", china("2024-06-08 10:00:00"), "2024-06-11", nil},
		{"holiday Monday morning", china("2024-06-10 09:00:00"), "2024-06-11", nil},
		// Friday 2024-09-13: Mid-Autumn Monday and Tuesday are closed.
		{"Friday before a two-day holiday", china("2024-09-13 16:00:00"), "2024-09-18", nil},
		{"before National Day", china("2024-09-30 15:30:00"), "2024-10-08", nil},
		// UTC times.
		{"UTC afternoon is next China morning", utc("2024-06-06T16:30:00Z"), "2024-06-07", nil},
		{"UTC 06:59:59.999 is 14:59:59.999", utc("2024-06-07T06:59:59.999Z"), "2024-06-07", nil},
		{"UTC 07:00 is the cut-off", utc("2024-06-07T07:00:00Z"), "2024-06-11", nil},
		{"other zone", utc("2024-06-07T07:00:00Z").In(newYork), "2024-06-11", nil},
		{"other zone, before cut-off", utc("2024-06-07T02:59:59.999Z").In(newYork), "2024-06-07", nil},
		// Year end.
		{"year end after cut-off", china("2024-12-31 15:00:00"), "2025-01-02", nil},
		{"new year's day in China, still 2024 in UTC", utc("2024-12-31T16:00:00Z"), "2025-01-02", nil},
		{"year end before cut-off", china("2024-12-31 14:59:59.999"), "2024-12-31", nil},
		// The calendar's end and range.
		{"last trading day after cut-off", china("2025-01-03 15:00:00"), "", fund.ErrNoTradingDay},
		{"after the calendar", china("2025-01-04 10:00:00"), "", fund.ErrOutsideCalendar},
		{"before the calendar", china("2024-05-31 10:00:00"), "", fund.ErrOutsideCalendar},
		{"last day of May in UTC is June in China", utc("2024-05-31T16:00:00Z"), "2024-06-03", nil},
		{"zero time", time.Time{}, "", fund.ErrOutsideCalendar},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "", fund.ErrOutsideCalendar},
	}
	for _, c := range cases {
		got, err := fund.TradeDate(c.at, cal)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: %s, %v; want %v", c.name, got, err, c.err)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("%s: %s, %v; want %s", c.name, got, err, c.want)
		}
	}
	if _, err := fund.TradeDate(china("2024-06-05 10:00:00"), fund.Calendar{}); !errors.Is(err, fund.ErrOutsideCalendar) {
		t.Errorf("empty calendar: %v", err)
	}
}

func TestCalendarSteps(t *testing.T) {
	cal := testCalendar(t)
	next := []struct{ from, want string }{
		{"2024-06-07", "2024-06-11"},
		{"2024-06-10", "2024-06-11"},
		{"2024-06-11", "2024-06-12"},
		{"2024-12-31", "2025-01-02"},
		{"2024-06-01", "2024-06-03"}, // the first covered date, a Saturday
	}
	for _, c := range next {
		if got, err := cal.NextTradingDay(date(t, c.from)); err != nil || got.String() != c.want {
			t.Errorf("NextTradingDay(%s) = %s, %v; want %s", c.from, got, err, c.want)
		}
	}
	add := []struct {
		from string
		n    int
		want string
		err  error
	}{
		{"2024-06-07", 0, "2024-06-07", nil},
		{"2024-06-07", 1, "2024-06-11", nil}, // T+1 over a holiday Monday
		{"2024-06-07", 2, "2024-06-12", nil},
		{"2024-09-30", 1, "2024-10-08", nil},
		{"2024-12-31", 1, "2025-01-02", nil},
		{"2025-01-02", 1, "2025-01-03", nil},
		{"2025-01-02", 2, "", fund.ErrNoTradingDay},
		{"2025-01-03", 1, "", fund.ErrNoTradingDay},
		{"2024-06-08", 1, "", fund.ErrNotTradingDay},
		{"2024-06-07", -1, "", fund.ErrInvalidDate},
		{"2025-01-06", 1, "", fund.ErrOutsideCalendar},
	}
	for _, c := range add {
		got, err := cal.AddTradingDays(date(t, c.from), c.n)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("AddTradingDays(%s, %d) = %s, %v; want %v", c.from, c.n, got, err, c.err)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("AddTradingDays(%s, %d) = %s, %v; want %s", c.from, c.n, got, err, c.want)
		}
	}
	if ok, err := cal.IsTradingDay(date(t, "2024-06-10")); ok || err != nil {
		t.Errorf("Dragon Boat is a trading day: %v", err)
	}
	if ok, err := cal.IsTradingDay(date(t, "2024-06-11")); !ok || err != nil {
		t.Errorf("2024-06-11 is not a trading day: %v", err)
	}
	for _, f := range []func() error{
		func() error { _, err := cal.IsTradingDay(0); return err },
		func() error { _, err := cal.NextTradingDay(20250230); return err },
	} {
		if err := f(); !errors.Is(err, fund.ErrInvalidDate) {
			t.Errorf("invalid date: %v", err)
		}
	}
	var empty fund.Calendar
	if _, err := empty.NextTradingDay(20250102); !errors.Is(err, fund.ErrOutsideCalendar) {
		t.Errorf("empty calendar: %v", err)
	}
	if _, err := empty.AddTradingDays(20250102, 1); !errors.Is(err, fund.ErrOutsideCalendar) {
		t.Errorf("empty calendar: %v", err)
	}
	if empty.Covers(0) || empty.Covers(20250102) {
		t.Error("the empty calendar covers something")
	}
}

func TestNewCalendar(t *testing.T) {
	cases := []struct {
		name     string
		from, to fund.Date
		days     []fund.Date
		ok       bool
	}{
		{"one day", 20250102, 20250102, []fund.Date{20250102}, true},
		{"20 years", 20250101, 20441231, []fund.Date{20250102}, true},
		{"empty", 20250101, 20251231, nil, false},
		{"exactly the maximum span", 20250101, 20450101, []fund.Date{20250102}, true},
		{"too long", 20250101, 20450102, []fund.Date{20250102}, false},
		{"reversed range", 20251231, 20250101, []fund.Date{20250102}, false},
		{"invalid from", 0, 20251231, []fund.Date{20250102}, false},
		{"invalid day", 20250101, 20251231, []fund.Date{20250230}, false},
		{"duplicate", 20250101, 20251231, []fund.Date{20250102, 20250103, 20250103}, false},
		{"unsorted", 20250101, 20251231, []fund.Date{20250103, 20250102}, false},
		{"day before range", 20250101, 20251231, []fund.Date{20241231, 20250102}, false},
		{"day after range", 20250101, 20251231, []fund.Date{20250102, 20260102}, false},
	}
	for _, c := range cases {
		_, err := fund.NewCalendar(c.from, c.to, c.days)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, fund.ErrInvalidCalendar)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// The calendar keeps its own copy.
	days := []fund.Date{20250102, 20250103}
	cal, err := fund.NewCalendar(20250101, 20250105, days)
	if err != nil {
		t.Fatal(err)
	}
	days[0] = 20250101
	cal.Days()[1] = 20250104
	if !reflect.DeepEqual(cal.Days(), []fund.Date{20250102, 20250103}) || cal.From() != 20250101 || cal.To() != 20250105 {
		t.Fatalf("calendar changed through a slice: %v", cal.Days())
	}
}

func TestCalendarJSON(t *testing.T) {
	cal, err := fund.NewCalendar(20241231, 20250103, []fund.Date{20241231, 20250102, 20250103})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cal)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"from":"2024-12-31","to":"2025-01-03","days":["2024-12-31","2025-01-02","2025-01-03"]}`
	if string(b) != want {
		t.Fatalf("got %s", b)
	}
	var back fund.Calendar
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, cal) {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	b, err = json.Marshal(fund.Calendar{})
	if err != nil || string(b) != `{"from":"","to":"","days":[]}` {
		t.Fatalf("zero calendar: %s %v", b, err)
	}
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, fund.Calendar{}) {
		t.Fatalf("zero calendar back: %+v %v", back, err)
	}
	for _, bad := range []string{
		`{"from":"2025-01-01","to":"2025-01-03","days":["2025-01-03","2025-01-02"]}`,
		`{"from":"2025-01-01","to":"2025-01-03","days":[20250102]}`,
		`{"from":"2025-01-01","to":"2025-01-03","days":[]}`,
		`{"from":"2025-01-01","days":["2025-01-02"]}`,
		`[]`,
	} {
		if err := json.Unmarshal([]byte(bad), &back); !errors.Is(err, fund.ErrInvalidCalendar) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-01-02", "2024-02-29", "2025-02-29", "0001-01-01", "9999-12-31", "0000-00-00", "2025-1-2", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := fund.ParseDate(s)
		if err != nil {
			if !errors.Is(err, fund.ErrInvalidDate) || d != 0 {
				t.Fatalf("ParseDate(%q) = %d, %v", s, d, err)
			}
			return
		}
		if !d.Valid() || d.String() != s {
			t.Fatalf("ParseDate(%q) = %d formats as %q", s, d, d.String())
		}
		b, err := d.MarshalText()
		if err != nil || string(b) != s {
			t.Fatalf("MarshalText of %q: %q %v", s, b, err)
		}
		if tm, err := time.Parse(time.DateOnly, s); err != nil || tm.Year() != d.Year() || tm.Month() != d.Month() || tm.Day() != d.Day() {
			t.Fatalf("time.Parse(%q) = %v, %v", s, tm, err)
		}
		n, err := fund.DaysBetween(20000101, d)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := fund.Date(20000101).AddDays(n); err != nil || back != d {
			t.Fatalf("%s: 2000-01-01 %+d days = %s, %v", s, n, back, err)
		}
	})
}

func FuzzCalendarJSON(f *testing.F) {
	f.Add([]byte(`{"from":"2024-12-31","to":"2025-01-03","days":["2024-12-31","2025-01-02","2025-01-03"]}`), int32(20250101), int64(1735714800))
	f.Add([]byte(`{"from":"","to":"","days":[]}`), int32(0), int64(0))
	f.Fuzz(func(t *testing.T, b []byte, d int32, unix int64) {
		var cal fund.Calendar
		if err := json.Unmarshal(b, &cal); err != nil {
			return
		}
		out, err := json.Marshal(cal)
		if err != nil {
			t.Fatalf("marshal %+v: %v", cal, err)
		}
		var back fund.Calendar
		if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(back, cal) {
			t.Fatalf("round trip of %s: %+v %v", out, back, err)
		}
		// The lookups never panic, whatever the date.
		_, _ = cal.IsTradingDay(fund.Date(d))
		_, _ = cal.NextTradingDay(fund.Date(d))
		_, _ = cal.AddTradingDays(fund.Date(d), int(d%7))
		if td, err := fund.TradeDate(time.Unix(unix, 0), cal); err == nil {
			if ok, err := cal.IsTradingDay(td); !ok || err != nil {
				t.Fatalf("trade date %s is not a trading day: %v", td, err)
			}
		}
	})
}
