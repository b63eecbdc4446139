package fund

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// The official trading calendars of the China exchanges (SSE, SZSE) that are
// published, shipped with the module: calendars/cn-exchange.json lists each
// year's public holidays as the State Council's notice and the exchanges'
// closure notices publish them, with the source of each year. A year is
// added there when its notice is published (each November for the next
// year); a running network then extends its calendar by a supervision
// intervention (otc supervise calendar extend --year N), never by editing
// state.
//
//go:embed calendars/cn-exchange.json
var cnExchangeJSON []byte

// ExchangeYear is one year of the shipped exchange calendar data.
type ExchangeYear struct {
	Year     int    `json:"year"`
	Source   string `json:"source"`
	Holidays []struct {
		Name string `json:"name"`
		From Date   `json:"from"`
		To   Date   `json:"to"`
	} `json:"holidays"`
	// TradingDays is the count the exchanges announce, checked against
	// the days the holidays leave.
	TradingDays int `json:"trading_days"`
}

var cnExchange = func() map[int]ExchangeYear {
	var f struct {
		Years []ExchangeYear `json:"years"`
	}
	if err := json.Unmarshal(cnExchangeJSON, &f); err != nil {
		panic(fmt.Sprintf("fund: calendars/cn-exchange.json: %v", err))
	}
	m := map[int]ExchangeYear{}
	for _, y := range f.Years {
		m[y.Year] = y
	}
	return m
}()

// ChinaExchangeYears returns the years of the shipped official calendars,
// ascending.
func ChinaExchangeYears() []int {
	var ys []int
	for y := range cnExchange {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// ChinaExchangeSource returns where the shipped calendar of a year comes
// from ("" when the year is not shipped).
func ChinaExchangeSource(year int) string { return cnExchange[year].Source }

// ChinaExchangeClosures returns the weekdays of a shipped year on which the
// exchanges are closed (its public holidays that fall on weekdays),
// ascending; ErrOutsideCalendar when the year is not shipped.
func ChinaExchangeClosures(year int) ([]Date, error) {
	y, ok := cnExchange[year]
	if !ok {
		return nil, fmt.Errorf("%w: no official exchange calendar of %d is shipped (have %v)", ErrOutsideCalendar, year, ChinaExchangeYears())
	}
	var out []Date
	for _, h := range y.Holidays {
		for d := h.From; d <= h.To; {
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				out = append(out, d)
			}
			n, err := d.AddDays(1)
			if err != nil {
				return nil, err
			}
			d = n
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ChinaExchangeCalendar returns the official SSE/SZSE trading calendar of
// the years from to to (January 1 of from to December 31 of to): weekdays
// that are not public holidays. Every year must be shipped
// (ChinaExchangeYears), else ErrOutsideCalendar.
func ChinaExchangeCalendar(from, to int) (Calendar, error) {
	var hol []Date
	for y := from; y <= to; y++ {
		c, err := ChinaExchangeClosures(y)
		if err != nil {
			return Calendar{}, err
		}
		hol = append(hol, c...)
	}
	start, err := NewDate(from, time.January, 1)
	if err != nil {
		return Calendar{}, err
	}
	end, err := NewDate(to, time.December, 31)
	if err != nil {
		return Calendar{}, err
	}
	return WeekdayCalendar(start, end, hol, nil)
}
