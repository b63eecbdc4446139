package fund

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Errors of dates and the calendar, wrapped with detail; compare with
// errors.Is.
var (
	ErrInvalidDate     = errors.New("fund: invalid date")
	ErrInvalidCalendar = errors.New("fund: invalid calendar")
	ErrOutsideCalendar = errors.New("fund: date outside the calendar")
	ErrNoTradingDay    = errors.New("fund: no next trading day in the calendar")
	ErrNotTradingDay   = errors.New("fund: not a trading day")
)

// Date is a civil date (no time, no zone) held as the integer YYYYMMDD, the
// form of the industry's data files: 2025-01-02 is 20250102. Integer order is
// date order, so dates compare with < and ==, and a big-endian encoding sorts.
// Valid dates are 0001-01-01 to 9999-12-31 of the proleptic Gregorian
// calendar. The zero Date means "no date".
//
// Its text (and JSON) form is "YYYY-MM-DD" (ISO 8601), exactly 10 characters;
// the zero Date is the empty string.
type Date int32

// NewDate returns the date, or ErrInvalidDate if it does not exist.
func NewDate(year int, month time.Month, day int) (Date, error) {
	if year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return 0, fmt.Errorf("%w: %04d-%02d-%02d", ErrInvalidDate, year, int(month), day)
	}
	return Date(year*10000 + int(month)*100 + day), nil
}

// ParseDate reads "YYYY-MM-DD": four, two and two digits, a real date.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("%w: %s, want YYYY-MM-DD", ErrInvalidDate, quote(s))
	}
	num := func(p string) int {
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return -1
			}
			n = n*10 + int(p[i]-'0')
		}
		return n
	}
	y, m, d := num(s[0:4]), num(s[5:7]), num(s[8:10])
	if y < 0 || m < 0 || d < 0 {
		return 0, fmt.Errorf("%w: %s, want YYYY-MM-DD", ErrInvalidDate, quote(s))
	}
	return NewDate(y, time.Month(m), d)
}

func (d Date) parts() (y int, m time.Month, day int) {
	v := int(d)
	return v / 10000, time.Month(v / 100 % 100), v % 100
}

// Valid says whether d is a real date in the range.
func (d Date) Valid() bool {
	y, m, day := d.parts()
	return d > 0 && y >= 1 && y <= 9999 && m >= 1 && m <= 12 && day >= 1 && day <= daysIn(y, m)
}

// Year returns the year of a valid date.
func (d Date) Year() int { y, _, _ := d.parts(); return y }

// Month returns the month of a valid date.
func (d Date) Month() time.Month { _, m, _ := d.parts(); return m }

// Day returns the day of the month of a valid date.
func (d Date) Day() int { _, _, day := d.parts(); return day }

// Weekday returns the day of the week of a valid date.
func (d Date) Weekday() time.Weekday {
	n := d.days() + 4 // 1970-01-01 was a Thursday
	return time.Weekday((n%7 + 7) % 7)
}

// String writes "YYYY-MM-DD"; the zero Date is "" and any other invalid value
// "Date(n)".
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	if !d.Valid() {
		return fmt.Sprintf("Date(%d)", int32(d))
	}
	y, m, day := d.parts()
	b := make([]byte, 0, 10)
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append(b, byte('0'+int(m)/10), byte('0'+int(m)%10), '-')
	b = append(b, byte('0'+day/10), byte('0'+day%10))
	return string(b)
}

// MarshalText writes "YYYY-MM-DD", or "" for the zero Date; another invalid
// value is an error.
func (d Date) MarshalText() ([]byte, error) {
	if d != 0 && !d.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrInvalidDate, int32(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads "YYYY-MM-DD", or "" as the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = 0
		return nil
	}
	v, err := ParseDate(string(b))
	if err == nil {
		*d = v
	}
	return err
}

// AddDays returns the date n calendar days after d (before, if n < 0), or
// ErrInvalidDate if d is invalid or the result is outside the range.
func (d Date) AddDays(n int) (Date, error) {
	if !d.Valid() {
		return 0, fmt.Errorf("%w: %s", ErrInvalidDate, d)
	}
	z := d.days()
	if n > maxDays-z || n < minDays-z {
		return 0, fmt.Errorf("%w: %s %+d days is out of range", ErrInvalidDate, d, n)
	}
	return fromDays(z + n), nil
}

// DaysBetween returns the calendar days from a to b: b − a, negative when b
// is before a. A holding period is DaysBetween(start, trade date): shares
// registered on Monday and redeemed on Saturday were held 5 days.
func DaysBetween(a, b Date) (int, error) {
	if !a.Valid() || !b.Valid() {
		return 0, fmt.Errorf("%w: days between %s and %s", ErrInvalidDate, a, b)
	}
	return b.days() - a.days(), nil
}

// days returns the days since 1970-01-01 (negative before) of a valid date,
// by H. Hinnant's days_from_civil.
func (d Date) days() int {
	y, mm, day := d.parts()
	m := int(mm)
	if m <= 2 {
		y--
	}
	era := y / 400 // y ≥ 0 in the valid range
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// fromDays is the inverse of days (civil_from_days) for the valid range.
func fromDays(z int) Date {
	z += 719468
	era := z / 146097 // z ≥ 0 in the valid range
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date(y*10000 + m*100 + day)
}

// The day numbers of 0001-01-01 and 9999-12-31.
var (
	minDays = Date(10101).days()
	maxDays = Date(99991231).days()
)

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// chinaZone is China Standard Time, UTC+8, as a fixed offset: China has had
// no daylight saving time since 1991, and a fixed zone keeps every node
// independent of its time zone database and local setting.
var chinaZone = time.FixedZone("UTC+8", 8*60*60)

// CutOffHour is the daily order cut-off, 15:00 China time.
const CutOffHour = 15

// ChinaDate returns the civil date in China (UTC+8) at the instant t, or
// ErrInvalidDate when that is outside years 1 to 9999.
func ChinaDate(t time.Time) (Date, error) {
	y, m, d := t.In(chinaZone).Date()
	return NewDate(y, m, d)
}

// TradeDate returns the trading day T an order placed at blockTime belongs
// to. blockTime is the business time (module.Context.Time: the block
// header's time, plus the offset of a simulated business clock), in any
// location; it is read in
// China time (UTC+8). An order before 15:00:00 on a trading day belongs to that
// day; at or after 15:00:00, or on a non-trading day, it belongs to the next
// trading day. It returns ErrOutsideCalendar when the China date is not
// covered by cal, and ErrNoTradingDay when cal has no later trading day.
func TradeDate(blockTime time.Time, cal Calendar) (Date, error) {
	d, err := ChinaDate(blockTime)
	if err != nil {
		return 0, fmt.Errorf("%w: block time %s", ErrOutsideCalendar, blockTime.UTC().Format(time.RFC3339Nano))
	}
	trading, err := cal.IsTradingDay(d)
	if err != nil {
		return 0, err
	}
	if trading && blockTime.In(chinaZone).Hour() < CutOffHour {
		return d, nil
	}
	return cal.NextTradingDay(d)
}

// Calendar is the trading calendar: the set of trading days within a range
// of covered dates [From, To]. A covered date is a trading day if and only
// if it is in the set; a date outside the range is unknown, and asking about
// it is ErrOutsideCalendar rather than a guess. The zero Calendar covers
// nothing. Build one with NewCalendar or from JSON, both validated:
//
//	{"from":"2025-01-01","to":"2025-12-31","days":["2025-01-02","2025-01-03",...]}
type Calendar struct {
	from, to Date
	days     []Date // strictly ascending, within [from, to]
}

// MaxCalendarSpan bounds the range of a calendar: To − From is at most this
// many days (20 years). A longer history is not needed to place orders and
// would make the calendar a large state value.
const MaxCalendarSpan = 20*365 + 5

// NewCalendar returns the calendar of the trading days within [from, to].
// days must be strictly ascending (no duplicates), within the range, and not
// empty; the range must be at most MaxCalendarSpan days. It returns an error
// wrapping ErrInvalidCalendar. The calendar keeps its own copy of days.
func NewCalendar(from, to Date, days []Date) (Calendar, error) {
	if !from.Valid() || !to.Valid() {
		return Calendar{}, fmt.Errorf("%w: range %s to %s: %w", ErrInvalidCalendar, from, to, ErrInvalidDate)
	}
	span, _ := DaysBetween(from, to)
	if span < 0 || span > MaxCalendarSpan {
		return Calendar{}, fmt.Errorf("%w: range %s to %s must be 0 to %d days", ErrInvalidCalendar, from, to, MaxCalendarSpan)
	}
	if len(days) == 0 {
		return Calendar{}, fmt.Errorf("%w: no trading days", ErrInvalidCalendar)
	}
	for i, d := range days {
		switch {
		case !d.Valid():
			return Calendar{}, fmt.Errorf("%w: day %d: %w: %s", ErrInvalidCalendar, i, ErrInvalidDate, d)
		case d < from || d > to:
			return Calendar{}, fmt.Errorf("%w: day %d (%s) outside %s to %s", ErrInvalidCalendar, i, d, from, to)
		case i > 0 && d == days[i-1]:
			return Calendar{}, fmt.Errorf("%w: day %d (%s) is a duplicate", ErrInvalidCalendar, i, d)
		case i > 0 && d < days[i-1]:
			return Calendar{}, fmt.Errorf("%w: day %d (%s) is before day %d (%s): days must be ascending", ErrInvalidCalendar, i, d, i-1, days[i-1])
		}
	}
	return Calendar{from: from, to: to, days: slices.Clone(days)}, nil
}

// From returns the first covered date (zero for the zero Calendar).
func (c Calendar) From() Date { return c.from }

// To returns the last covered date (zero for the zero Calendar).
func (c Calendar) To() Date { return c.to }

// Days returns a copy of the trading days, ascending.
func (c Calendar) Days() []Date { return slices.Clone(c.days) }

// Covers says whether d is within the calendar's range.
func (c Calendar) Covers(d Date) bool { return len(c.days) > 0 && d >= c.from && d <= c.to }

func (c Calendar) check(d Date) error {
	if !d.Valid() {
		return fmt.Errorf("%w: %s", ErrInvalidDate, d)
	}
	if !c.Covers(d) {
		if len(c.days) == 0 {
			return fmt.Errorf("%w: %s: the calendar is empty", ErrOutsideCalendar, d)
		}
		return fmt.Errorf("%w: %s not in %s to %s", ErrOutsideCalendar, d, c.from, c.to)
	}
	return nil
}

// IsTradingDay says whether d is a trading day; ErrOutsideCalendar when d is
// not covered.
func (c Calendar) IsTradingDay(d Date) (bool, error) {
	if err := c.check(d); err != nil {
		return false, err
	}
	_, found := slices.BinarySearch(c.days, d)
	return found, nil
}

// NextTradingDay returns the first trading day after d (d excluded). It
// returns ErrOutsideCalendar when d is not covered and ErrNoTradingDay when
// no trading day follows d in the calendar.
func (c Calendar) NextTradingDay(d Date) (Date, error) {
	if err := c.check(d); err != nil {
		return 0, err
	}
	i, found := slices.BinarySearch(c.days, d)
	if found {
		i++
	}
	if i >= len(c.days) {
		return 0, fmt.Errorf("%w: after %s (the calendar ends %s)", ErrNoTradingDay, d, c.to)
	}
	return c.days[i], nil
}

// AddTradingDays returns T+n: the n-th trading day after the trading day d
// (n = 0 is d itself; n = 1 is the confirmation day of an order of T). It
// returns ErrNotTradingDay when d is not a trading day, ErrOutsideCalendar
// when d is not covered, and ErrNoTradingDay when the calendar ends first.
func (c Calendar) AddTradingDays(d Date, n int) (Date, error) {
	if n < 0 {
		return 0, fmt.Errorf("%w: T%+d: n must not be negative", ErrInvalidDate, n)
	}
	if err := c.check(d); err != nil {
		return 0, err
	}
	i, found := slices.BinarySearch(c.days, d)
	if !found {
		return 0, fmt.Errorf("%w: %s", ErrNotTradingDay, d)
	}
	if n >= len(c.days)-i {
		return 0, fmt.Errorf("%w: %s T+%d (the calendar ends %s)", ErrNoTradingDay, d, n, c.to)
	}
	return c.days[i+n], nil
}

type calendarJSON struct {
	From Date   `json:"from"`
	To   Date   `json:"to"`
	Days []Date `json:"days"`
}

// MarshalJSON writes {"from":…,"to":…,"days":[…]}; the zero Calendar writes
// empty dates and no days.
func (c Calendar) MarshalJSON() ([]byte, error) {
	days := c.days
	if days == nil {
		days = []Date{}
	}
	return json.Marshal(calendarJSON{From: c.from, To: c.to, Days: days})
}

// UnmarshalJSON reads what MarshalJSON writes and validates it as
// NewCalendar does; the zero Calendar's form reads back as the zero Calendar.
func (c *Calendar) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil // encoding/json's convention: null leaves the value alone
	}
	var j calendarJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCalendar, err)
	}
	if j.From == 0 && j.To == 0 && len(j.Days) == 0 {
		*c = Calendar{}
		return nil
	}
	v, err := NewCalendar(j.From, j.To, j.Days)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// ChinaZone returns China Standard Time (UTC+8), the fixed zone the calendar
// reads dates and the cut-off in.
func ChinaZone() *time.Location { return chinaZone }
