package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/fund"
)

// TestSuperviseCLI: on a real node, one officer's proposal freezes nothing,
// the same officer cannot approve it, a second officer's approval puts the
// freeze in force (listed by `freezes`), and a non-officer is refused.
func TestSuperviseCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	tn := startTestNet(t, "otc-supervise-cli", "supervise-cli-pass", time.Time{})
	dir, ctx := tn.dir, context.Background()
	env := tn.env()
	// as runs `otc supervise ARGS` as who; "!" first runs `otc ARGS`.
	as := func(who string, args ...string) (string, error) {
		if len(args) > 0 && args[0] == "!" {
			args = args[1:]
		} else {
			args = append([]string{"supervise"}, args...)
		}
		return run(t, ctx, env, append(args, "--home", dir, "--as", who)...)
	}
	propose := []string{"propose", "--id", "IV-1", "--action", "freeze", "--kind", "org", "--org", "rs-broker", "--reason", "licence suspended"}
	o, err := as("fm-alpha/operator", propose...)
	if err == nil || !strings.Contains(err.Error()+o, "role_not_permitted") {
		t.Fatalf("a fund manager proposed: %v\n%s", err, o)
	}
	if o, err := as("regulator/operator", propose...); err != nil || !strings.Contains(o, `"proposed"`) {
		t.Fatalf("propose: %v\n%s", err, o)
	}
	if o, err := as("regulator/operator", "freezes"); err != nil || strings.Contains(o, "rs-broker") {
		t.Fatalf("one officer froze: %v\n%s", err, o)
	}
	if o, err := as("regulator/operator", "approve", "IV-1"); err == nil || !strings.Contains(err.Error()+o, "same_officer") {
		t.Fatalf("the proposer approved: %v\n%s", err, o)
	}
	if o, err := as("regulator/officer-2", "approve", "IV-1"); err != nil || !strings.Contains(o, `"effective"`) {
		t.Fatalf("second officer: %v\n%s", err, o)
	}
	if o, err := as("regulator/operator", "freezes"); err != nil || !strings.Contains(o, "rs-broker") || !strings.Contains(o, "IV-1") {
		t.Fatalf("freezes: %v\n%s", err, o)
	}
	if o, err := as("regulator/officer-2", "show", "IV-1"); err != nil || strings.Count(o, `"officer"`) != 2 {
		t.Fatalf("show: %v\n%s", err, o)
	}
	superviseCompliance(t, as)
	superviseCalendar(t, as)
}

// superviseCalendar: one regulator officer's fund/freeze is refused with
// use_intervention; a calendar extension proposed by one officer changes
// nothing until a second approves it; a year not shipped needs its
// holidays.
func superviseCalendar(t *testing.T, as func(who string, args ...string) (string, error)) {
	must := func(who string, args ...string) string {
		t.Helper()
		o, err := as(who, args...)
		if err != nil {
			t.Fatalf("otc supervise %s as %s: %v\n%s", strings.Join(args, " "), who, err, o)
		}
		return o
	}
	if o, err := as("regulator/operator", "!", "fund", "freeze", "--investor", "INV-L", "--manager", "fm-alpha", "--reason", "AML case"); err == nil ||
		!strings.Contains(err.Error()+o, "use_intervention") || !strings.Contains(err.Error()+o, "otc supervise propose") {
		t.Fatalf("a regulator officer's fund freeze: %v\n%s", err, o)
	}
	end := func() fund.Date {
		t.Helper()
		var c fund.Calendar
		if err := json.Unmarshal([]byte(must("regulator/operator", "!", "fund", "calendar", "show")), &c); err != nil {
			t.Fatal(err)
		}
		return c.To()
	}
	// Replace the generated calendar with the official years shipped, when
	// they cover today; within 30 days of their end the regulator gets the
	// calendar_expiry alert.
	today, _ := fund.ChinaDate(time.Now())
	years := fund.ChinaExchangeYears()
	if last := years[len(years)-1]; today.Year() >= years[0] && today.Year() <= last {
		span := fmt.Sprintf("%d..%d", years[0], last)
		must("regulator/operator", "calendar", "set", "--id", "CAL-0", "--official", span, "--reason", "the official calendars")
		if o := must("regulator/officer-2", "approve", "CAL-0"); !strings.Contains(o, `"effective"`) {
			t.Fatalf("approve CAL-0:\n%s", o)
		}
		if got := end(); got.String() != fmt.Sprintf("%d-12-31", last) {
			t.Fatalf("after CAL-0 the calendar ends %s", got)
		}
		left, _ := fund.DaysBetween(today, end())
		o := must("regulator/operator", "alerts", "--rule", "calendar_expiry")
		if alerted := strings.Contains(o, `"calendar_expiry"`); alerted != (left <= fund.CalendarWarnDays) {
			t.Fatalf("%d days left, alert %v:\n%s", left, alerted, o)
		}
	}
	to := end()
	year := fmt.Sprint(to.Year() + 1)
	if o, err := as("regulator/operator", "calendar", "extend", "--id", "CAL-1", "--year", year, "--reason", "next year"); err == nil ||
		!strings.Contains(err.Error()+o, "--holiday") {
		t.Fatalf("a year not shipped without holidays: %v\n%s", err, o)
	}
	if o := must("regulator/operator", "calendar", "extend", "--id", "CAL-1", "--year", year, "--holiday", year+"-01-01",
		"--holiday", year+"-10-01.."+year+"-10-07", "--reason", "next year, State Council notice"); !strings.Contains(o, `"proposed"`) || !strings.Contains(o, `"added"`) {
		t.Fatalf("extend:\n%s", o)
	}
	if got := end(); got != to {
		t.Fatalf("one officer's proposal moved the calendar's end to %s", got)
	}
	if o := must("regulator/officer-2", "approve", "CAL-1"); !strings.Contains(o, `"effective"`) {
		t.Fatalf("approve:\n%s", o)
	}
	if got := end(); got.String() != year+"-12-31" {
		t.Fatalf("after the approval the calendar ends %s", got)
	}
	if o := must("regulator/operator", "calendar", "official"); !strings.Contains(o, "2025") || !strings.Contains(o, "2026") {
		t.Fatalf("official:\n%s", o)
	}
}

// superviseCompliance: a large purchase raises an alert (default rules);
// only regulator officers move it, closing needs findings; the sandbox
// admits a fund; the report of the day has the purchase, the alert, the
// intervention and the sandbox entry, as JSON and as CSV.
func superviseCompliance(t *testing.T, as func(who string, args ...string) (string, error)) {
	must := func(who string, args ...string) string {
		t.Helper()
		o, err := as(who, args...)
		if err != nil {
			t.Fatalf("otc supervise %s as %s: %v\n%s", strings.Join(args, " "), who, err, o)
		}
		return o
	}
	refused := func(want, who string, args ...string) {
		t.Helper()
		o, err := as(who, args...)
		if err == nil || !strings.Contains(err.Error()+o, want) {
			t.Fatalf("otc supervise %s as %s: want %q, got %v\n%s", strings.Join(args, " "), who, want, err, o)
		}
	}
	today, _ := fund.ChinaDate(time.Now())
	expires, _ := today.AddDays(365)
	for _, args := range [][]string{
		{"fund", "investor", "register", "--id", "INV-L", "--type", "individual", "--risk", "C5", "--assessed", today.String(), "--expires", expires.String(),
			"--name", "Li Si", "--id-type", "resident_id", "--id-number", "11010519491231002X", "--phone", "13800000000"},
		{"fund", "account", "open", "--investor", "INV-L", "--manager", "fm-alpha"},
		{"fund", "purchase", "--investor", "INV-L", "--fund", "000001", "--amount", "600000.00", "--app-no", "L0001"},
	} {
		if o, err := as("rs-bank/operator", append([]string{"!"}, args...)...); err != nil {
			t.Fatalf("otc %s: %v\n%s", strings.Join(args, " "), err, o)
		}
	}
	if o := must("regulator/operator", "alerts", "--status", "open"); !strings.Contains(o, `"A-000001"`) || !strings.Contains(o, `"large_transaction"`) {
		t.Fatalf("alerts:\n%s", o)
	}
	refused("role_not_permitted", "fm-alpha/operator", "alert-update", "A-000001", "--status", "investigating")
	refused("findings", "regulator/operator", "alert-update", "A-000001", "--status", "closed")
	must("regulator/operator", "alert-update", "A-000001", "--status", "investigating", "--note", "source of funds asked")
	if o := must("regulator/officer-2", "alert-update", "A-000001", "--status", "closed", "--note", "inheritance, documented"); !strings.Contains(o, `"closed"`) {
		t.Fatalf("close:\n%s", o)
	}
	refused("alert_status", "regulator/operator", "alert-update", "A-000001", "--status", "investigating")
	if o := must("regulator/operator", "alerts", "--status", "open"); strings.TrimSpace(o) != "[]" {
		t.Fatalf("open alerts after closing:\n%s", o)
	}
	end, _ := today.AddDays(30)
	must("regulator/operator", "sandbox", "admit", "--id", "SB-1", "--fund", "000001", "--max-investors", "100", "--max-subscription", "10000000.00",
		"--investor-types", "individual,professional", "--end-date", end.String())
	if o := must("regulator/operator", "sandbox", "show", "SB-1"); !strings.Contains(o, `"active"`) {
		t.Fatalf("sandbox show:\n%s", o)
	}

	// An insurance claim (gov module) shows in the report's gov sections.
	if o, err := as("rs-bank/admin", "!", "gov", "file-claim", "--id", "CL-1", "--amount", "1000", "--description", "orders lost in an outage",
		"--evidence", "tx:ab12"); err != nil {
		t.Fatalf("otc gov file-claim: %v\n%s", err, o)
	}

	from, _ := today.AddDays(-1)
	to, _ := today.AddDays(1)
	o := must("regulator/operator", "report", "--from", from.String(), "--to", to.String())
	var rep struct {
		ByFund        []map[string]any `json:"volumes_by_fund"`
		Alerts        []map[string]any `json:"alerts"`
		Interventions []map[string]any `json:"interventions"`
		Sandbox       []map[string]any `json:"sandbox"`
		Sections      []reportSection  `json:"sections"`
	}
	if err := json.Unmarshal([]byte(o), &rep); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, o)
	}
	if len(rep.ByFund) != 1 || rep.ByFund[0]["amount"] != "600000.00" || len(rep.Alerts) != 1 || rep.Alerts[0]["status"] != "closed" ||
		len(rep.Interventions) != 1 || len(rep.Sandbox) != 1 {
		t.Fatalf("report:\n%s", o)
	}
	secs := map[string]reportSection{}
	for _, s := range rep.Sections {
		secs[s.Name] = s
	}
	if c := secs["claims"]; len(c.Rows) != 1 || c.Rows[0][0] != "CL-1" || c.Rows[0][1] != "rs-bank" || c.Rows[0][3] != "open" {
		t.Fatalf("claims section %+v\n%s", c, o)
	}
	if g, m, ins := secs["governance"], secs["misbehaviour"], secs["insurance_now"]; g.Name == "" || m.Name == "" || len(ins.Rows) < 2 || ins.Rows[0][0] != "(pool)" {
		t.Fatalf("gov sections missing:\n%s", o)
	}
	out := filepath.Join(t.TempDir(), "report.csv")
	must("regulator/operator", "report", "--from", from.String(), "--to", to.String(), "--format", "csv", "--out", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#section,volumes_by_fund\nfund,kind,orders,amount,shares\n000001,purchase,1,600000.00,0.00\n\n",
		"#section,alerts_by_rule\nrule,action,status,count\nlarge_transaction,alert,closed,1\n",
		"#section,interventions\n", "IV-1,freeze,org,rs-broker,effective,licence suspended,", "#section,sandbox\n", "SB-1,fund,000001,active,",
		"#section,claims\nclaim,org,amount,status,filed_time,closed_time,proposal,reason\nCL-1,rs-bank,1000,open,", "#section,insurance_now\n"} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("CSV has no %q:\n%s", want, b)
		}
	}
	refused("not_permitted", "fm-alpha/operator", "report", "--from", from.String(), "--to", to.String())
	refused("invalid_request", "regulator/operator", "report", "--from", to.String(), "--to", from.String())
}
