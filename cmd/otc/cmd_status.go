package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func (m *Main) newStatusCmd() *cobra.Command {
	var (
		apiURL  string
		asJSON  bool
		timeout time.Duration
	)
	c := &cobra.Command{
		Use:   "status",
		Short: "Show a node's chain id, height, block and business time, and validators",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := apiClient(apiURL)
			if err != nil {
				return err
			}
			ctx, cancel := contextTimeout(cmd, timeout)
			defer cancel()
			st, err := cl.Status(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(m.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "chain id\t%s\n", st.ChainID)
			fmt.Fprintf(tw, "node\t%s (%s)\n", st.Moniker, st.NodeID)
			fmt.Fprintf(tw, "height\t%d\n", st.LatestHeight)
			fmt.Fprintf(tw, "block time\t%s\n", st.LatestBlockTime.Format(time.RFC3339))
			if st.ClockSimulated {
				fmt.Fprintf(tw, "business time\t%s (%d s ahead of block time; otc clock show)\n",
					clockLabel(st.BusinessTime.Format(time.RFC3339), true), st.ClockOffset)
			} else {
				fmt.Fprintf(tw, "business time\t%s (not simulated: block time)\n", clockLabel(st.BusinessTime.Format(time.RFC3339), false))
			}
			fmt.Fprintf(tw, "block hash\t%s\n", st.LatestBlockHash)
			fmt.Fprintf(tw, "app hash\t%s\n", st.LatestAppHash)
			fmt.Fprintf(tw, "catching up\t%t\n", st.CatchingUp)
			fmt.Fprintf(tw, "validators\t%d\n", len(st.Validators))
			for _, v := range st.Validators {
				fmt.Fprintf(tw, "\t%s power %d\n", v.Address, v.Power)
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&apiURL, "api", "http://127.0.0.1:26602", "base URL of the node API")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "request timeout")
	return c
}
