package main

import (
	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/supervision"
	"github.com/otcchain/otcchain/tx"
)

func init() { addCommands(newSuperviseCmd) }

// newSuperviseCmd is `otc supervise`: regulator interventions (supervision
// module). Every intervention takes effect when a second officer approves.
func newSuperviseCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "supervise",
		Short: "Regulator interventions: propose, approve (a second officer), withdraw; list and freezes",
		Long: `otc supervise is for regulator officers. A freeze or an unfreeze of an
investor account, a holding, a fund (purchase, redemption or both) or an
organisation is proposed by one officer and takes effect when another
approves it (k of n, 2 by default). See docs/supervision.md.`,
	}
	var t supervision.Target
	var id, action, reason string
	var ps signerFlags
	propose := &cobra.Command{
		Use:   "propose --id ID --action freeze|unfreeze --kind account|holding|fund|org [target flags] --reason R",
		Short: "Propose an intervention (counts as your approval)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return m.superviseSend(cmd, &ps, supervision.TypePropose, &supervision.Propose{ID: id, Action: action, Target: t, Reason: reason})
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
			return m.superviseSend(cmd, &as, supervision.TypeApprove, &supervision.Approve{ID: args[0]})
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
			return m.superviseSend(cmd, &ws, supervision.TypeWithdraw, &supervision.Withdraw{ID: args[0], Reason: wreason})
		},
	}
	ws.register(withdraw.Flags())
	withdraw.Flags().StringVar(&wreason, "reason", "", "reason, recorded on chain")
	_ = withdraw.MarkFlagRequired("reason")

	c.AddCommand(propose, approve, withdraw,
		m.superviseRead("list", "Every intervention", "interventions"),
		m.superviseRead("freezes", "The freezes in force", "freezes"),
		m.superviseRead("show ID", "One intervention with its approvals", "interventions/{0}"))
	return c
}

func (m *Main) superviseSend(cmd *cobra.Command, s *signerFlags, typ string, msg interface{ Validate() error }) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	fs, cancel, err := m.openFund(cmd, s, true)
	if err != nil {
		return err
	}
	defer cancel()
	a, err := tx.NewAny(typ, msg)
	if err != nil {
		return err
	}
	hash, items, err := fs.send(a)
	if err != nil {
		return err
	}
	return fs.printResult(hash, items)
}

func (m *Main) superviseRead(use, short, path string) *cobra.Command {
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
				p = "interventions/" + args[0]
			}
			raw, err := fs.query("supervision/"+p, nil, nil)
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
