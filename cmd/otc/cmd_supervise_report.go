package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/supervision"
)

// superviseReport is what `otc supervise report` writes: the supervision
// module's report of the period and the sections other modules add.
type superviseReport struct {
	*supervision.Report
	// Sections are further tables of the report, each read by one of
	// reportSections. Governance changes, misbehaviour and node claims (the
	// gov module) belong here: the integrator appends their hooks.
	Sections []reportSection `json:"sections,omitempty"`
}

// reportSection is one table: a name, a header row and rows (CSV as is).
type reportSection struct {
	Name   string     `json:"name"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// reportSections are the hooks that add sections to the supervisory report
// of the period from..to (YYYY-MM-DD), reading other modules' queries
// through fs. Each hook appends its sections in order; an error fails the
// report.
var reportSections []func(fs *fundSession, from, to string) ([]reportSection, error)

func (m *Main) newReportCmd() *cobra.Command {
	var s signerFlags
	var from, to, format, out string
	c := &cobra.Command{
		Use:   "report --from YYYY-MM-DD --to YYYY-MM-DD [--format json|csv] [--out FILE]",
		Short: "The supervisory report of a period: volumes, alerts, interventions, sandbox (regulator officers)",
		Long: `report reads the supervisory report of a period (China dates, both
included) as the regulator: accepted orders by fund and by channel, the
alerts raised and their status, the interventions, the sandbox entries and
their business, and the sections other modules add. CSV writes one section
per table: a "#section" line with its name, a header row, the rows, and a
blank line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "json" && format != "csv" {
				return fmt.Errorf("--format must be json or csv")
			}
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			rep := &superviseReport{Report: &supervision.Report{}}
			if _, err := fs.query("supervision/report", map[string]string{"from": from, "to": to}, rep.Report); err != nil {
				return err
			}
			for _, hook := range reportSections {
				secs, err := hook(fs, from, to)
				if err != nil {
					return err
				}
				rep.Sections = append(rep.Sections, secs...)
			}
			var b []byte
			if format == "csv" {
				b, err = rep.csv()
			} else {
				b, err = json.MarshalIndent(rep, "", "  ")
				b = append(b, '\n')
			}
			if err != nil {
				return err
			}
			if out != "" {
				return os.WriteFile(out, b, 0o644)
			}
			_, err = m.Stdout.Write(b)
			return err
		},
	}
	s.register(c.Flags())
	c.Flags().StringVar(&from, "from", "", "first day of the period (YYYY-MM-DD)")
	c.Flags().StringVar(&to, "to", "", "last day of the period (YYYY-MM-DD)")
	c.Flags().StringVar(&format, "format", "json", "json or csv")
	c.Flags().StringVar(&out, "out", "", "write to this file instead of standard output")
	_ = c.MarkFlagRequired("from")
	_ = c.MarkFlagRequired("to")
	return c
}

// tables are the report's sections in CSV order.
func (r *superviseReport) tables() []reportSection {
	vol := func(name, key string, rows []supervision.VolumeRow) reportSection {
		s := reportSection{Name: name, Header: []string{key, "kind", "orders", "amount", "shares"}, Rows: [][]string{}}
		for _, v := range rows {
			s.Rows = append(s.Rows, []string{v.Key, v.Kind, strconv.FormatInt(v.Orders, 10), v.Amount.String(), v.Shares.String()})
		}
		return s
	}
	out := []reportSection{
		{Name: "period", Header: []string{"from", "to", "height"}, Rows: [][]string{{r.From, r.To, strconv.FormatInt(r.Height, 10)}}},
		vol("volumes_by_fund", "fund", r.ByFund),
		vol("volumes_by_channel", "channel", r.ByChannel),
	}
	al := reportSection{Name: "alerts", Header: []string{"id", "rule", "action", "subject_kind", "subject", "status", "occurrences", "date", "height", "detail", "findings"}, Rows: [][]string{}}
	for _, a := range r.Alerts {
		al.Rows = append(al.Rows, []string{a.ID, a.Rule, a.Action, a.Subject.Kind, a.Subject.ID, a.Status, strconv.Itoa(a.Occurrences), a.Date, strconv.FormatInt(a.Height, 10), a.Detail, a.Findings})
	}
	ac := reportSection{Name: "alerts_by_rule", Header: []string{"rule", "action", "status", "count"}, Rows: [][]string{}}
	for _, c := range r.AlertsByRule {
		ac.Rows = append(ac.Rows, []string{c.Rule, c.Action, c.Status, strconv.Itoa(c.Count)})
	}
	iv := reportSection{Name: "interventions", Header: []string{"id", "action", "target_kind", "target", "status", "reason", "proposed", "effective"}, Rows: [][]string{}}
	for _, x := range r.Interventions {
		t := x.Target
		target := strings.Trim(strings.Join([]string{t.Org, t.Fund, t.Manager, t.Investor, t.Scope, t.Shares}, " "), " ")
		target = strings.Join(strings.Fields(target), " ")
		iv.Rows = append(iv.Rows, []string{x.ID, x.Action, t.Kind, target, x.Status, x.Reason, strconv.FormatInt(x.Proposed, 10), strconv.FormatInt(x.Effective, 10)})
	}
	sb := reportSection{Name: "sandbox", Header: []string{"id", "kind", "subject", "status", "expired", "max_investors", "max_subscription", "investor_types", "end_date",
		"investors", "subscribed", "redeemed_shares", "orders", "refusals", "reason"}, Rows: [][]string{}}
	for _, e := range r.Sandbox {
		a := e.Activity
		sb.Rows = append(sb.Rows, []string{e.ID, e.Kind, e.Fund + e.Org, e.Status, strconv.FormatBool(e.Expired), strconv.FormatInt(e.MaxInvestors, 10), e.MaxSubscription.String(),
			strings.Join(e.InvestorTypes, " "), e.EndDate, strconv.FormatInt(a.Investors, 10), a.Subscribed.String(), a.Redeemed.String(),
			strconv.FormatInt(a.Orders, 10), strconv.FormatInt(a.Refusals, 10), e.Reason})
	}
	out = append(out, al, ac, iv, sb, vol("sandbox_volumes", "entry", r.SandboxVolumes))
	return append(out, r.Sections...)
}

func (r *superviseReport) csv() ([]byte, error) {
	var b bytes.Buffer
	for _, s := range r.tables() {
		w := csv.NewWriter(&b)
		_ = w.Write([]string{"#section", s.Name})
		_ = w.Write(s.Header)
		for _, row := range s.Rows {
			_ = w.Write(row)
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return nil, err
		}
		b.WriteString("\n")
	}
	return b.Bytes(), nil
}
