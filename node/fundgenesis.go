package node

import (
	"fmt"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
)

// DevCalendar is the trading calendar of a generated network: from January
// 1 of the year before genesis (China date) to December 31 two years after
// it, the official SSE/SZSE calendar for the years shipped with the fund
// module (fund.ChinaExchangeYears: 2025 and 2026, sources in
// fund/calendars/cn-exchange.json) and plain weekdays for the years whose
// holidays are not published yet. It is a starting point: the regulator
// replaces or extends it by a two-officer intervention (otc supervise
// calendar set|extend).
func DevCalendar(genesis time.Time) (fund.Calendar, error) {
	today, err := fund.ChinaDate(genesis)
	if err != nil {
		return fund.Calendar{}, fmt.Errorf("node: calendar: %w", err)
	}
	from, err := fund.NewDate(today.Year()-1, time.January, 1)
	if err != nil {
		return fund.Calendar{}, fmt.Errorf("node: calendar: %w", err)
	}
	to, err := fund.NewDate(today.Year()+2, time.December, 31)
	if err != nil {
		return fund.Calendar{}, fmt.Errorf("node: calendar: %w", err)
	}
	var hol []fund.Date
	for _, y := range fund.ChinaExchangeYears() {
		c, err := fund.ChinaExchangeClosures(y)
		if err != nil {
			return fund.Calendar{}, fmt.Errorf("node: calendar: %w", err)
		}
		hol = append(hol, c...)
	}
	cal, err := fund.WeekdayCalendar(from, to, hol, nil)
	if err != nil {
		return fund.Calendar{}, fmt.Errorf("node: calendar: %w", err)
	}
	return cal, nil
}

// DemoTerms are the demo funds' terms: the fee schedule of the worked
// examples (purchase 1.50% below 1,000,000.00, 1.00% below 5,000,000.00, a
// fixed 1,000.00 above; redemption 1.50% under 7 days, 0.50% from 7, 0.25%
// from 365, nothing from 730), minimum first purchase 1,000.00, additional
// 100.00, redemption 100.00 shares, holding 100.00 shares, cash dividends.
func DemoTerms() fund.Terms {
	amt := func(s string) fund.Amount { a, _ := fund.ParseAmount(s); return a }
	sh := func(s string) fund.Shares { a, _ := fund.ParseShares(s); return a }
	rate := func(s string) fund.Rate { r, _ := fund.ParseRate(s); return r }
	r150, r100, fixed := rate("1.50%"), rate("1.00%"), amt("1000.00")
	return fund.Terms{
		MinFirst: amt("1000.00"), MinAdditional: amt("100.00"),
		MinRedemption: sh("100.00"), MinHolding: sh("100.00"),
		PurchaseFees: []fund.PurchaseTier{
			{UpTo: amt("1000000.00"), Rate: &r150},
			{UpTo: amt("5000000.00"), Rate: &r100},
			{Fixed: &fixed},
		},
		RedemptionFees: []fund.RedemptionTier{
			{MinDays: 0, Rate: rate("1.50%")}, {MinDays: 7, Rate: rate("0.50%")},
			{MinDays: 365, Rate: rate("0.25%")}, {MinDays: 730, Rate: 0},
		},
		DividendMethod: fund.DividendCash,
	}
}

// Demo fund codes of a generated network.
const (
	DemoOpenFund     = "000001" // fm-alpha, hybrid, R3, open
	DemoOfferingFund = "000002" // fm-beta, bond, R2, in its offering period
)

// DevFundGenesis is the fund module's genesis section of a generated
// network: DevCalendar and, when the organisations are there, two demo
// funds kept by cust-trust and sold by every reseller: 000001 of fm-alpha
// (hybrid, R3), already open with NAV 1.0000 final on the trading day
// before genesis; and 000002 of fm-beta (bond, R2), offering for ten days
// from the genesis date.
func DevFundGenesis(genesis time.Time, orgs []OrgSpec) (*fund.Genesis, error) {
	cal, err := DevCalendar(genesis)
	if err != nil {
		return nil, err
	}
	g := &fund.Genesis{Calendar: &cal}
	today, _ := fund.ChinaDate(genesis)
	prev, err := previousTradingDay(cal, today)
	if err != nil {
		return nil, err
	}
	has := map[string]module.OrgType{}
	var resellers []string
	for _, o := range orgs {
		has[o.ID] = o.Type
		if o.Type == module.OrgReseller {
			resellers = append(resellers, o.ID)
		}
	}
	if has["cust-trust"] != module.OrgCustodian {
		return g, nil
	}
	day := func(d fund.Date, n int) fund.Date { x, _ := d.AddDays(n); return x }
	if has["fm-alpha"] == module.OrgFundManager {
		g.Funds = append(g.Funds, fund.GenesisFun{
			RegisterFund: fund.RegisterFund{
				Product: fund.Product{Code: DemoOpenFund, Name: "Alpha Balanced Hybrid Fund A", Type: "hybrid", ShareClass: "A", Risk: 3,
					Manager: "fm-alpha", Custodian: "cust-trust", OfferingStart: day(prev, -30), OfferingEnd: day(prev, -1), Rounding: fund.Truncate},
				Terms: DemoTerms(), Resellers: resellers,
			},
			Status: fund.StatusOpen, Established: prev, NAV: fund.Par, NAVDate: prev,
		})
	}
	if has["fm-beta"] == module.OrgFundManager {
		g.Funds = append(g.Funds, fund.GenesisFun{
			RegisterFund: fund.RegisterFund{
				Product: fund.Product{Code: DemoOfferingFund, Name: "Beta Steady Bond Fund A", Type: "bond", ShareClass: "A", Risk: 2,
					Manager: "fm-beta", Custodian: "cust-trust", OfferingStart: today, OfferingEnd: day(today, 9), Rounding: fund.Truncate},
				Terms: DemoTerms(), Resellers: resellers,
			},
		})
	}
	return g, nil
}

// previousTradingDay is the last trading day before d.
func previousTradingDay(cal fund.Calendar, d fund.Date) (fund.Date, error) {
	for i := 0; i < 60; i++ {
		p, err := d.AddDays(-1)
		if err != nil {
			return 0, fmt.Errorf("node: calendar: %w", err)
		}
		d = p
		if ok, err := cal.IsTradingDay(d); err != nil {
			return 0, fmt.Errorf("node: calendar: %w", err)
		} else if ok {
			return d, nil
		}
	}
	return 0, fmt.Errorf("node: calendar: no trading day in the 60 days before %s", d)
}
