package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/tx"
)

func init() { addCommands(newClockCmd) }

func newClockCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "clock",
		Short: "The business clock of a development or sandbox network: show it, move it forward",
		Long: `A network whose genesis enables the business clock (otc dev always;
otc testnet --business-clock) reads business time — the time of cut-offs,
trade dates and records — as block time plus an offset that a signed
message moves forward only. A whole business day then runs at any hour:
a purchase before the 15:00 cut-off, one after it, the NAV, the
confirmation.

On any other network business time is block time, and clock advance is
refused with clock_not_simulated.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	c.AddCommand(m.clockShowCmd(), m.clockAdvanceCmd())
	return c
}

func (m *Main) clockShowCmd() *cobra.Command {
	var s signerFlags
	var asJSON bool
	c := &cobra.Command{
		Use:   "show [--api URL | --home NET --as ORG/KEY]",
		Short: "Show the business time, the block time, whether the clock is simulated and its advances",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fs, cancel, err := m.openFund(cmd, &s, false)
			if err != nil {
				return err
			}
			defer cancel()
			var now clock.Now
			raw, err := fs.query("clock/now", nil, &now)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(m, raw)
			}
			return printClock(m.Stdout, &now)
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	c.Flags().BoolVar(&asJSON, "json", false, "print the clock/now answer as JSON")
	return c
}

func printClock(w io.Writer, n *clock.Now) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "business time\t%s\n", clockLabel(n.BusinessTime, n.Simulated))
	fmt.Fprintf(tw, "block time\t%s\n", clockLabel(n.BlockTime, false))
	if !n.Simulated {
		fmt.Fprintf(tw, "clock\tnot simulated: this network's business time is its block time (no message can change that)\n")
		return tw.Flush()
	}
	fmt.Fprintf(tw, "offset\t%s ahead of block time (%d s)\n", time.Duration(n.OffsetNanos).Round(time.Second), n.OffsetSeconds)
	roles := make([]string, len(n.Roles))
	for i, r := range n.Roles {
		roles[i] = string(r)
	}
	fmt.Fprintf(tw, "advanced by\t%s\n", strings.Join(roles, ", "))
	fmt.Fprintf(tw, "advances\t%d\n", n.AdvancesTotal)
	for _, a := range n.Advances {
		fmt.Fprintf(tw, "\t#%d height %d by %s (%s, %s): %s -> %s\n", a.N, a.Height, short(a.By), a.Org, a.Role,
			chinaTime(a.From), chinaTime(a.To))
	}
	if n.Truncated {
		fmt.Fprintf(tw, "\t(only the latest %d advances shown)\n", len(n.Advances))
	}
	return tw.Flush()
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// chinaTime writes an RFC 3339 time as "2026-12-08 15:05:00" in China time,
// or the input as it is when it does not parse.
func chinaTime(rfc string) string {
	t, err := time.Parse(time.RFC3339Nano, rfc)
	if err != nil {
		return rfc
	}
	return t.In(fund.ChinaZone()).Format("2006-01-02 15:04:05")
}

// clockLabel writes a time as "2026-12-08 15:05:00 China time (UTC+8)",
// with ", simulated" on a network whose business clock is simulated.
func clockLabel(rfc string, simulated bool) string {
	if rfc == "" {
		return "(no block yet)"
	}
	s := chinaTime(rfc) + " China time (UTC+8)"
	if simulated {
		s += ", simulated"
	}
	return s
}

// simulatedLabel is clockLabel of a simulated business time.
func simulatedLabel(rfc string) string {
	if rfc == "" {
		return "simulated (business time not recorded)"
	}
	return clockLabel(rfc, true)
}

// targetLayouts are the forms --to accepts: RFC 3339 with or without
// seconds, a zone required.
var targetLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"}

// parseTarget reads --to and returns it as RFC 3339 for clock/advance.
func parseTarget(s string) (string, error) {
	for _, l := range targetLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format(time.RFC3339Nano), nil
		}
	}
	return "", fmt.Errorf("--to %q: want a time with a zone, e.g. 2026-12-08T15:05+08:00 or 2026-12-08T15:05:00Z", s)
}

func (m *Main) clockAdvanceCmd() *cobra.Command {
	var (
		s                  signerFlags
		to                 string
		nextCut, nextTrade bool
		asJSON             bool
	)
	c := &cobra.Command{
		Use:   "advance (--to TIME | --next-cutoff | --next-trading-day) --home NET --as ORG/KEY",
		Short: "Move the business clock forward (simulated networks only)",
		Long: `Move the business clock forward, never back:
  --to 2026-12-08T15:05+08:00   to that time (seconds optional, zone required)
  --next-cutoff                 to the next 15:00:00 China time on a trading day
  --next-trading-day            to 09:00 China time of the next trading day
The signer's role must be one the genesis allows (on otc dev any operator;
on otc testnet --business-clock the regulator). Prints the business time
before and after.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var msg clock.Advance
			n := 0
			if to != "" {
				n++
				t, err := parseTarget(to)
				if err != nil {
					return err
				}
				msg.To = t
			}
			if nextCut {
				n++
				msg.Next = clock.NextCutoff
			}
			if nextTrade {
				n++
				msg.Next = clock.NextTradingDay
			}
			if n != 1 {
				return errors.New("give exactly one of --to TIME, --next-cutoff and --next-trading-day")
			}
			if err := msg.Validate(); err != nil {
				return fmt.Errorf("not sent: %w", err)
			}
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			a, err := tx.NewAny(clock.TypeAdvance, &msg)
			if err != nil {
				return err
			}
			hash, items, err := fs.send(a)
			if err != nil {
				return err
			}
			if len(items) == 0 {
				fmt.Fprintf(m.Stdout, "sent %s (not waiting for the block)\n", hash)
				return nil
			}
			var r clock.Result
			if err := json.Unmarshal(items[0].Data, &r); err != nil {
				return fmt.Errorf("tx %s: result: %w", hash, err)
			}
			if asJSON {
				return fs.printResult(hash, items)
			}
			fmt.Fprintf(m.Stdout, "business clock advanced (advance #%d, tx %s)\n", r.N, hash)
			fmt.Fprintf(m.Stdout, "  before  %s\n", clockLabel(r.From, true))
			fmt.Fprintf(m.Stdout, "  after   %s\n", clockLabel(r.To, true))
			return nil
		},
	}
	s.register(c.Flags())
	f := c.Flags()
	f.StringVar(&to, "to", "", "target business time with a zone, e.g. 2026-12-08T15:05+08:00")
	f.BoolVar(&nextCut, "next-cutoff", false, "advance to the next 15:00 China time on a trading day")
	f.BoolVar(&nextTrade, "next-trading-day", false, "advance to 09:00 China time of the next trading day")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}
