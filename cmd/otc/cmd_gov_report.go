package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/otcchain/otcchain/gov"
)

// The gov module's sections of the supervisory report (otc supervise
// report): governance changes, misbehaviour and insurance claims of the
// period, and the insurance accounts at the time of the report.
func init() { reportSections = append(reportSections, govReportSections) }

// chinaDay is the China (UTC+8) calendar day of an RFC 3339 block time, ""
// when t is empty or not a time.
func chinaDay(t string) string {
	if t == "" {
		return ""
	}
	at, err := time.Parse(time.RFC3339Nano, t)
	if err != nil {
		return ""
	}
	return at.In(time.FixedZone("UTC+8", 8*3600)).Format(time.DateOnly)
}

// inPeriod says whether any of the times falls on a China day in from..to.
func inPeriod(from, to string, times ...string) bool {
	for _, t := range times {
		if d := chinaDay(t); d != "" && d >= from && d <= to {
			return true
		}
	}
	return false
}

func govReportSections(fs *fundSession, from, to string) ([]reportSection, error) {
	var props []gov.Proposal
	if _, err := fs.query("gov/proposals", nil, &props); err != nil {
		return nil, err
	}
	govSec := reportSection{Name: "governance", Header: []string{"proposal", "title", "actions", "proposer_org", "status",
		"submitted_time", "decided_time", "yes_votes", "needed", "regulator_required", "reason"}}
	for _, p := range props {
		if !inPeriod(from, to, p.SubmittedTime, p.DecidedTime) {
			continue
		}
		names := make([]string, len(p.Actions))
		for i, a := range p.Actions {
			names[i] = a.Name()
		}
		yes := 0
		for _, v := range p.Votes {
			if v.Vote == gov.VoteYes {
				yes++
			}
		}
		govSec.Rows = append(govSec.Rows, []string{p.ID, p.Title, strings.Join(names, ";"), p.ProposerOrg, p.Status,
			p.SubmittedTime, p.DecidedTime, strconv.Itoa(yes), strconv.Itoa(p.Needed), strconv.FormatBool(p.RegulatorRequired), p.Reason})
	}

	var evs []gov.Evidence
	if _, err := fs.query("gov/evidence", nil, &evs); err != nil {
		return nil, err
	}
	misSec := reportSection{Name: "misbehaviour", Header: []string{"type", "validator", "org", "offence_height", "offence_time",
		"recorded_height", "power_removed", "debited", "floor_breached"}}
	for _, e := range evs {
		if !inPeriod(from, to, e.Time) {
			continue
		}
		misSec.Rows = append(misSec.Rows, []string{e.Type, e.Validator, e.Org, strconv.FormatInt(e.Height, 10), e.Time,
			strconv.FormatInt(e.Recorded, 10), strconv.FormatInt(e.PowerRemoved, 10), strconv.FormatInt(e.Debited, 10), strconv.FormatBool(e.FloorBreached)})
	}

	var claims []gov.Claim
	if _, err := fs.query("gov/claims", nil, &claims); err != nil {
		return nil, err
	}
	claimSec := reportSection{Name: "claims", Header: []string{"claim", "org", "amount", "status", "filed_time", "closed_time", "proposal", "reason"}}
	for _, c := range claims {
		if !inPeriod(from, to, c.FiledTime, c.ClosedTime) {
			continue
		}
		claimSec.Rows = append(claimSec.Rows, []string{c.ID, c.Org, strconv.FormatInt(c.Amount, 10), c.Status, c.FiledTime, c.ClosedTime, c.Proposal, c.Reason})
	}

	var ins gov.Insurance
	if _, err := fs.query("gov/insurance", nil, &ins); err != nil {
		return nil, err
	}
	insSec := reportSection{Name: "insurance_now", Header: []string{"org", "bond", "premium_due", "premiums_paid", "bonds_posted", "debited"}}
	insSec.Rows = append(insSec.Rows, []string{"(pool)", strconv.FormatInt(ins.Pool, 10), "", "", "", ""})
	for _, b := range ins.Bonds {
		insSec.Rows = append(insSec.Rows, []string{b.Org, strconv.FormatInt(b.Bond, 10), strconv.FormatInt(b.PremiumDue, 10),
			strconv.FormatInt(b.Paid, 10), strconv.FormatInt(b.Posted, 10), strconv.FormatInt(b.Debited, 10)})
	}
	return []reportSection{govSec, misSec, claimSec, insSec}, nil
}
