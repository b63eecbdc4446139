package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/supervision"
)

func init() { addCommands(newSuperviseCmd) }

// newSuperviseCmd is `otc supervise`: regulator interventions (supervision
// module). Every intervention takes effect when a second officer approves.
func newSuperviseCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "supervise",
		Short: "Regulator: interventions, compliance alerts, the sandbox and the supervisory report",
		Long: `otc supervise is for regulator officers. A freeze or an unfreeze of an
investor account, a holding, a fund (purchase, redemption or both) or an
organisation is proposed by one officer and takes effect when another
approves it (k of n, 2 by default); so is a change of the trading calendar
(calendar set, calendar extend): one regulator officer never acts alone, and
fund/freeze or fund/set_calendar from a regulator is refused with
use_intervention. The compliance rules raise alerts that
officers investigate and close (alerts, alert-update); the sandbox admits a
fund or an organisation under caps (sandbox); report writes the supervisory
report of a period as JSON or CSV. See docs/supervision.md.`,
	}
	var t supervision.Target
	var id, action, reason string
	var ps signerFlags
	propose := &cobra.Command{
		Use:   "propose --id ID --action freeze|unfreeze --kind account|holding|fund|org [target flags] --reason R",
		Short: "Propose a freeze or an unfreeze (counts as your approval; a second officer approves); calendar changes: otc supervise calendar",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return m.sendAs(cmd, &ps, supervision.TypePropose, &supervision.Propose{ID: id, Action: action, Target: t, Reason: reason})
		},
	}
	ps.register(propose.Flags())
	f := propose.Flags()
	f.StringVar(&id, "id", "", "intervention id (unique)")
	f.StringVar(&action, "action", "freeze", "freeze or unfreeze")
	f.StringVar(&t.Kind, "kind", "", "account, holding, fund or org")
	f.StringVar(&t.Investor, "investor", "", "investor id (account, holding)")
	f.StringVar(&t.Manager, "manager", "", "fund manager organisation (account)")
	f.StringVar(&t.Fund, "fund", "", "fund code (holding, fund)")
	f.StringVar(&t.Shares, "shares", "", "shares of a holding to freeze (default: the whole holding)")
	f.StringVar(&t.Scope, "scope", "", "purchase, redemption or both (fund)")
	f.StringVar(&t.Org, "org", "", "organisation (org)")
	f.StringVar(&reason, "reason", "", "reason, recorded on chain")
	_ = propose.MarkFlagRequired("id")
	_ = propose.MarkFlagRequired("kind")
	_ = propose.MarkFlagRequired("reason")

	var as signerFlags
	approve := &cobra.Command{
		Use:   "approve ID",
		Short: "Approve another officer's intervention; with enough approvals it takes effect",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.sendAs(cmd, &as, supervision.TypeApprove, &supervision.Approve{ID: args[0]})
		},
	}
	as.register(approve.Flags())

	var ws signerFlags
	var wreason string
	withdraw := &cobra.Command{
		Use:   "withdraw ID --reason R",
		Short: "Withdraw an intervention that has not taken effect",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.sendAs(cmd, &ws, supervision.TypeWithdraw, &supervision.Withdraw{ID: args[0], Reason: wreason})
		},
	}
	ws.register(withdraw.Flags())
	withdraw.Flags().StringVar(&wreason, "reason", "", "reason, recorded on chain")
	_ = withdraw.MarkFlagRequired("reason")

	var us signerFlags
	var ustatus, unote string
	alertUpdate := &cobra.Command{
		Use:   "alert-update ID --status investigating|closed [--note N]",
		Short: "Move a compliance alert: investigating (optional note) or closed (findings required); closed is final",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.sendAs(cmd, &us, supervision.TypeUpdateAlert, &supervision.UpdateAlert{ID: args[0], Status: ustatus, Note: unote})
		},
	}
	us.register(alertUpdate.Flags())
	alertUpdate.Flags().StringVar(&ustatus, "status", "", "investigating or closed")
	alertUpdate.Flags().StringVar(&unote, "note", "", "note; the findings when closing (recorded on chain)")
	_ = alertUpdate.MarkFlagRequired("status")

	var astatus, arule string
	alerts := m.superviseRead("alerts", "The compliance alerts (--status, --rule filter)", "alerts", func() map[string]string {
		return map[string]string{"status": astatus, "rule": arule}
	})
	alerts.Flags().StringVar(&astatus, "status", "", "only alerts in this status: open, investigating or closed")
	alerts.Flags().StringVar(&arule, "rule", "", "only alerts of this rule")

	c.AddCommand(propose, approve, withdraw,
		m.superviseRead("list", "Every intervention", "interventions"),
		m.superviseRead("freezes", "The freezes in force", "freezes"),
		m.superviseRead("show ID", "One intervention with its approvals", "interventions/{0}"),
		alerts, alertUpdate,
		m.superviseRead("alert ID", "One compliance alert with its history", "alerts/{0}"),
		m.superviseRead("rules", "The compliance rule set (changed by governance only)", "rules"),
		m.newSandboxCmd(), m.newReportCmd(), m.newCalendarCmd())
	return c
}

// newSandboxCmd is `otc supervise sandbox`: admit, end, list, show.
func (m *Main) newSandboxCmd() *cobra.Command {
	c := &cobra.Command{Use: "sandbox", Short: "The regulatory sandbox: admit a fund or an organisation under caps, graduate or end it"}
	var as signerFlags
	var a supervision.SandboxAdmit
	var maxSub string
	admit := &cobra.Command{
		Use:   "admit --id ID (--fund CODE | --org ORG) --max-investors N --max-subscription AMOUNT --end-date YYYY-MM-DD",
		Short: "Admit a fund product or an organisation to the sandbox",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.Kind = supervision.KindFund
			if a.Org != "" {
				a.Kind = supervision.KindOrg
			}
			v, err := supervision.ParseAmount(maxSub)
			if err != nil {
				return err
			}
			a.MaxSubscription = v
			return m.sendAs(cmd, &as, supervision.TypeSandboxAdmit, &a)
		},
	}
	as.register(admit.Flags())
	f := admit.Flags()
	f.StringVar(&a.ID, "id", "", "sandbox entry id (unique)")
	f.StringVar(&a.Fund, "fund", "", "fund code (a fund product)")
	f.StringVar(&a.Org, "org", "", "organisation (its sales as channel and its funds as manager)")
	f.Int64Var(&a.MaxInvestors, "max-investors", 0, "most distinct investors")
	f.StringVar(&maxSub, "max-subscription", "", "most money in subscriptions and purchases, e.g. 5000000.00")
	f.StringSliceVar(&a.InvestorTypes, "investor-types", nil, "allowed investor types (individual, institution, professional); default all")
	f.StringVar(&a.EndDate, "end-date", "", "last day of the test period (YYYY-MM-DD, China date)")
	f.StringVar(&a.Note, "note", "", "note, recorded on chain")
	for _, n := range []string{"id", "max-investors", "max-subscription", "end-date"} {
		_ = admit.MarkFlagRequired(n)
	}

	var es signerFlags
	var e supervision.SandboxEnd
	end := &cobra.Command{
		Use:   "end ID --outcome graduated|ended --reason R",
		Short: "Graduate (caps lifted) or end (no new money) a sandbox entry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e.ID = args[0]
			return m.sendAs(cmd, &es, supervision.TypeSandboxEnd, &e)
		},
	}
	es.register(end.Flags())
	end.Flags().StringVar(&e.Outcome, "outcome", "", "graduated or ended")
	end.Flags().StringVar(&e.Reason, "reason", "", "reason, recorded on chain")
	_ = end.MarkFlagRequired("outcome")
	_ = end.MarkFlagRequired("reason")

	c.AddCommand(admit, end,
		m.superviseRead("list", "Every sandbox entry with its activity", "sandbox"),
		m.superviseRead("show ID", "One sandbox entry with its activity", "sandbox/{0}"))
	return c
}

// superviseRead is a read command of supervision/PATH ("{0}" is the
// command's argument); params, if given, returns the query parameters (empty
// values are left out).
func (m *Main) superviseRead(use, short, path string, params ...func() map[string]string) *cobra.Command {
	var s signerFlags
	c := &cobra.Command{
		Use:   use,
		Short: short + " (regulator officers)",
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			p := path
			if len(args) > 0 {
				p = strings.Replace(path, "{0}", args[0], 1)
			}
			q := map[string]string{}
			for _, fn := range params {
				for k, v := range fn() {
					if v != "" {
						q[k] = v
					}
				}
			}
			raw, err := fs.query("supervision/"+p, q, nil)
			if err != nil {
				return err
			}
			return printJSON(m, raw)
		},
	}
	if len(use) > 5 && use[len(use)-3:] == " ID" {
		c.Args = cobra.ExactArgs(1)
	} else {
		c.Args = cobra.NoArgs
	}
	s.register(c.Flags())
	return c
}
