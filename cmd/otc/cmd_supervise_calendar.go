package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/supervision"
)

// newCalendarCmd is `otc supervise calendar`: trading calendar changes as
// interventions (one officer proposes, another approves with otc supervise
// approve ID), and the official exchange calendars shipped with otc.
func (m *Main) newCalendarCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "calendar",
		Short: "The trading calendar: replace or extend it (two officers), see the shipped official calendars",
		Long: `A change of the trading calendar is an intervention: one regulator officer
proposes it here, the fund module checks it (the result must cover today and
must not remove a trading day that has pending orders: calendar_pending_orders),
and it takes effect when a second officer approves it with
otc supervise approve ID. Thirty days before the calendar ends the regulator
gets a calendar_expiry alert (otc supervise alerts --rule calendar_expiry).`,
	}
	var ss signerFlags
	var sid, sfile, sofficial, sreason string
	set := &cobra.Command{
		Use:   "set --id ID (--file CAL.json | --official FROM..TO) --reason R",
		Short: "Propose a replacement calendar: a file ({\"from\",\"to\",\"days\"} as otc fund calendar show prints it) or the shipped official years",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var cal fund.Calendar
			var err error
			switch {
			case (sfile == "") == (sofficial == ""):
				return fmt.Errorf("give --file CAL.json or --official FROM..TO (e.g. 2025..2026), one of them")
			case sfile != "":
				err = readJSONFile(sfile, &cal)
			default:
				var from, to int
				if n, _ := fmt.Sscanf(sofficial, "%d..%d", &from, &to); n != 2 {
					return fmt.Errorf("--official %s: want FROM..TO, e.g. 2025..2026", sofficial)
				}
				cal, err = fund.ChinaExchangeCalendar(from, to)
			}
			if err != nil {
				return err
			}
			return m.proposeCalendar(cmd, &ss, sid, supervision.ActionSetCalendar, cal, sreason)
		},
	}
	ss.register(set.Flags())
	set.Flags().StringVar(&sid, "id", "", "intervention id (unique)")
	set.Flags().StringVar(&sfile, "file", "", "the calendar JSON")
	set.Flags().StringVar(&sofficial, "official", "", "the shipped official SSE/SZSE calendars of these years, FROM..TO (otc supervise calendar official)")
	set.Flags().StringVar(&sreason, "reason", "", "reason, recorded on chain")
	for _, n := range []string{"id", "reason"} {
		_ = set.MarkFlagRequired(n)
	}

	var es signerFlags
	var eid, efile, ereason string
	var year int
	var holidays []string
	extend := &cobra.Command{
		Use:   "extend --id ID (--year YYYY [--holiday DATE[..DATE] ...] | --file EXT.json) --reason R",
		Short: "Propose days after the calendar's end: a year (official if shipped, else weekdays minus --holiday) or a file",
		Long: `extend proposes the days that follow the calendar in force: the extension
starts the day after it ends. With --year, the year's official SSE/SZSE
calendar when it is shipped with otc (otc supervise calendar official); for a
year not shipped, its weekdays minus the holidays of the State Council's
notice, each given with --holiday (a date or FROM..TO; weekends are never
trading days, make-up working days included). With --file, any calendar JSON.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var cal fund.Calendar
			var err error
			switch {
			case efile != "" && year != 0:
				return fmt.Errorf("give --year or --file, not both")
			case efile != "":
				err = readJSONFile(efile, &cal)
			case year != 0:
				cal, err = yearCalendar(year, holidays)
			default:
				return fmt.Errorf("give --year YYYY or --file EXT.json")
			}
			if err != nil {
				return err
			}
			return m.proposeCalendar(cmd, &es, eid, supervision.ActionExtendCalendar, cal, ereason)
		},
	}
	es.register(extend.Flags())
	extend.Flags().StringVar(&eid, "id", "", "intervention id (unique)")
	extend.Flags().IntVar(&year, "year", 0, "the year to add (January 1 to December 31)")
	extend.Flags().StringSliceVar(&holidays, "holiday", nil, "a holiday of a year not shipped: YYYY-MM-DD or FROM..TO (repeat, or comma-separate)")
	extend.Flags().StringVar(&efile, "file", "", "the extension as calendar JSON")
	extend.Flags().StringVar(&ereason, "reason", "", "reason, recorded on chain")
	for _, n := range []string{"id", "reason"} {
		_ = extend.MarkFlagRequired(n)
	}

	var oyear int
	official := &cobra.Command{
		Use:   "official [--year YYYY]",
		Short: "The official exchange calendars shipped with otc: the years and their sources, or one year's calendar JSON",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if oyear == 0 {
				for _, y := range fund.ChinaExchangeYears() {
					fmt.Fprintf(m.Stdout, "%d  %s\n", y, fund.ChinaExchangeSource(y))
				}
				return nil
			}
			cal, err := fund.ChinaExchangeCalendar(oyear, oyear)
			if err != nil {
				return err
			}
			raw, err := json.Marshal(cal)
			if err != nil {
				return err
			}
			return printJSON(m, raw)
		},
	}
	official.Flags().IntVar(&oyear, "year", 0, "print this year's calendar JSON")
	var ofl signerFlags // accepted like every supervise command's, not needed: the data ships with otc
	ofl.register(official.Flags())

	c.AddCommand(set, extend, official)
	return c
}

// yearCalendar is the calendar of a year: the shipped official one, or,
// for a year not shipped, its weekdays minus the holidays given.
func yearCalendar(year int, holidays []string) (fund.Calendar, error) {
	shipped := false
	for _, y := range fund.ChinaExchangeYears() {
		shipped = shipped || y == year
	}
	if shipped && len(holidays) == 0 {
		return fund.ChinaExchangeCalendar(year, year)
	}
	if !shipped && len(holidays) == 0 {
		return fund.Calendar{}, fmt.Errorf("no official calendar of %d is shipped (have %v): give its holidays with --holiday, as the State Council's notice lists them", year, fund.ChinaExchangeYears())
	}
	var hol []fund.Date
	for _, h := range holidays {
		a, b, isRange := strings.Cut(h, "..")
		from, err := fund.ParseDate(a)
		if err != nil {
			return fund.Calendar{}, fmt.Errorf("--holiday %s: %w", h, err)
		}
		to := from
		if isRange {
			if to, err = fund.ParseDate(b); err != nil || to < from {
				return fund.Calendar{}, fmt.Errorf("--holiday %s: want YYYY-MM-DD..YYYY-MM-DD in order", h)
			}
		}
		for d := from; d <= to; d, _ = d.AddDays(1) {
			if d.Year() != year {
				return fund.Calendar{}, fmt.Errorf("--holiday %s: %s is not in %d", h, d, year)
			}
			hol = append(hol, d)
		}
	}
	start, err := fund.NewDate(year, time.January, 1)
	if err != nil {
		return fund.Calendar{}, err
	}
	end, _ := fund.NewDate(year, time.December, 31)
	return fund.WeekdayCalendar(start, end, hol, nil)
}

// proposeCalendar sends the supervision/propose of a calendar change.
func (m *Main) proposeCalendar(cmd *cobra.Command, s *signerFlags, id, action string, cal fund.Calendar, reason string) error {
	raw, err := json.Marshal(cal)
	if err != nil {
		return err
	}
	return m.sendAs(cmd, s, supervision.TypePropose, &supervision.Propose{ID: id, Action: action,
		Target: supervision.Target{Kind: supervision.KindCalendar}, Reason: reason, Calendar: raw})
}
