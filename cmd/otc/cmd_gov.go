package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/gov"
)

func init() { addCommands(newGovCmd) }

// newGovCmd is `otc gov`: consortium governance (gov module): proposals and
// votes by organisation admins, the validator set, misbehaviour evidence
// and node insurance.
func newGovCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "gov",
		Short: "Governance: proposals and votes, validators, evidence, insurance bonds, premiums and claims",
		Long: `otc gov is for organisation admins (and, to reject claims, regulator
officers). A proposal carries actions (module/action with a JSON payload);
it passes when more than 2/3 of the organisations active when it was made
vote yes, and for membership, supervision rules and claims also the
regulator. Its actions then run in the transaction of the deciding vote.
See docs/governance.md.`,
	}

	var ps signerFlags
	var p gov.Propose
	var actions []string
	propose := &cobra.Command{
		Use:   "propose --id ID --title T --action MODULE/ACTION=JSON|@FILE [--action ...]",
		Short: "Make a proposal (an organisation admin)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p.Actions = nil
			for _, a := range actions {
				act, err := parseAction(a)
				if err != nil {
					return err
				}
				p.Actions = append(p.Actions, act)
			}
			return m.sendAs(cmd, &ps, gov.TypePropose, &p)
		},
	}
	ps.register(propose.Flags())
	f := propose.Flags()
	f.StringVar(&p.ID, "id", "", "proposal id (unique)")
	f.StringVar(&p.Title, "title", "", "one-line title")
	f.StringVar(&p.Description, "description", "", "description")
	f.StringArrayVar(&actions, "action", nil, "an action: MODULE/ACTION=JSON or MODULE/ACTION=@FILE (repeat, in order); one of "+strings.Join(gov.AllowedActions(), ", "))
	_ = propose.MarkFlagRequired("id")
	_ = propose.MarkFlagRequired("title")
	_ = propose.MarkFlagRequired("action")

	var vs signerFlags
	vote := &cobra.Command{
		Use:   "vote ID yes|no|abstain",
		Short: "Cast your organisation's vote (once per organisation; final)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.sendAs(cmd, &vs, gov.TypeVote, &gov.Ballot{ID: args[0], Vote: args[1]})
		},
	}
	vs.register(vote.Flags())

	var ws signerFlags
	var wreason string
	withdraw := &cobra.Command{
		Use:   "withdraw ID [--reason R]",
		Short: "Withdraw an open proposal of your organisation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.sendAs(cmd, &ws, gov.TypeWithdraw, &gov.Withdraw{ID: args[0], Reason: wreason})
		},
	}
	ws.register(withdraw.Flags())
	withdraw.Flags().StringVar(&wreason, "reason", "", "reason, recorded on chain")

	var bs signerFlags
	var bond int64
	postBond := &cobra.Command{
		Use:   "post-bond --amount N",
		Short: "Post (top up) your organisation's insurance bond, in bookkeeping units",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return m.sendAs(cmd, &bs, gov.TypePostBond, &gov.PostBond{Amount: bond})
		},
	}
	bs.register(postBond.Flags())
	postBond.Flags().Int64Var(&bond, "amount", 0, "units")
	_ = postBond.MarkFlagRequired("amount")

	var prs signerFlags
	var premium int64
	payPremium := &cobra.Command{
		Use:   "pay-premium --amount N",
		Short: "Pay premium due into the insurance pool",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return m.sendAs(cmd, &prs, gov.TypePayPremium, &gov.PayPremium{Amount: premium})
		},
	}
	prs.register(payPremium.Flags())
	payPremium.Flags().Int64Var(&premium, "amount", 0, "units")
	_ = payPremium.MarkFlagRequired("amount")

	var cs signerFlags
	var claim gov.FileClaim
	var evidence []string
	fileClaim := &cobra.Command{
		Use:   "file-claim --id ID --amount N --description D --evidence KIND:REF [--evidence ...]",
		Short: "File an insurance claim for your organisation (paid by a gov/pay_claim proposal)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			claim.Evidence = nil
			for _, e := range evidence {
				k, r, ok := strings.Cut(e, ":")
				if !ok {
					return fmt.Errorf("evidence %q: want KIND:REF, e.g. tx:<hash> or document:<sha256>", e)
				}
				claim.Evidence = append(claim.Evidence, gov.EvidenceRef{Kind: k, Ref: r})
			}
			return m.sendAs(cmd, &cs, gov.TypeFileClaim, &claim)
		},
	}
	cs.register(fileClaim.Flags())
	f = fileClaim.Flags()
	f.StringVar(&claim.ID, "id", "", "claim id (unique)")
	f.Int64Var(&claim.Amount, "amount", 0, "units claimed")
	f.StringVar(&claim.Description, "description", "", "what was lost and how")
	f.StringArrayVar(&evidence, "evidence", nil, "KIND:REF (tx hash, evidence, document hash); repeat")
	for _, n := range []string{"id", "amount", "description", "evidence"} {
		_ = fileClaim.MarkFlagRequired(n)
	}

	var rs signerFlags
	var rreason string
	rejectClaim := &cobra.Command{
		Use:   "reject-claim ID --reason R",
		Short: "Close an open claim without payment (regulator officers)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.sendAs(cmd, &rs, gov.TypeRejectClaim, &gov.RejectClaim{ID: args[0], Reason: rreason})
		},
	}
	rs.register(rejectClaim.Flags())
	rejectClaim.Flags().StringVar(&rreason, "reason", "", "reason, recorded on chain")
	_ = rejectClaim.MarkFlagRequired("reason")

	c.AddCommand(propose, vote, withdraw, postBond, payPremium, fileClaim, rejectClaim,
		m.govRead("proposals", "Every proposal", "proposals", true),
		m.govRead("show ID", "One proposal with its votes and result", "proposals/", true),
		m.govRead("validators", "The validator set (public)", "validators", false),
		m.govRead("evidence", "Recorded misbehaviour (public)", "evidence", false),
		m.govRead("insurance", "The insurance pool and every organisation's bond and premium due", "insurance", true),
		m.govRead("payments", "Every bond posting and premium payment, in order", "payments", true),
		m.govRead("claims", "Every insurance claim", "claims", true),
		m.govRead("params", "Governance parameters (public)", "params", false))
	return c
}

// parseAction reads MODULE/ACTION=JSON or MODULE/ACTION=@FILE.
func parseAction(s string) (gov.Action, error) {
	name, payload, ok := strings.Cut(s, "=")
	mod, act, ok2 := strings.Cut(name, "/")
	if !ok || !ok2 {
		return gov.Action{}, fmt.Errorf("action %q: want MODULE/ACTION=JSON or MODULE/ACTION=@FILE", s)
	}
	if file, ok := strings.CutPrefix(payload, "@"); ok {
		b, err := os.ReadFile(file)
		if err != nil {
			return gov.Action{}, fmt.Errorf("action %s: %w", name, err)
		}
		payload = string(b)
	}
	if !json.Valid([]byte(payload)) {
		return gov.Action{}, fmt.Errorf("action %s: the payload is not valid JSON", name)
	}
	return gov.Action{Module: mod, Action: act, Payload: json.RawMessage(payload)}, nil
}

// govRead is a gov query; signed reads need an identity (members' people),
// public ones take one optionally.
func (m *Main) govRead(use, short, path string, signed bool) *cobra.Command {
	var s signerFlags
	c := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, signed)
			if err != nil {
				return err
			}
			defer cancel()
			p := path
			if len(args) > 0 {
				p += args[0]
			}
			raw, err := fs.query("gov/"+p, nil, nil)
			if err != nil {
				return err
			}
			return printJSON(m, raw)
		},
	}
	if strings.HasSuffix(use, " ID") {
		c.Args = cobra.ExactArgs(1)
	} else {
		c.Args = cobra.NoArgs
	}
	s.register(c.Flags())
	return c
}
