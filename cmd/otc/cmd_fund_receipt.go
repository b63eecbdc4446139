package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/client"
)

// fundReceiptCmd fetches the outcome receipt of an automatic confirmation
// (or a dividend payout): no transaction carries it, so it is proven under
// the app hash (docs/receipts.md).
func (m *Main) fundReceiptCmd() *cobra.Command {
	var s signerFlags
	var out string
	c := &cobra.Command{
		Use:   "receipt ORDER-ID | payout/FUND/YYYYMMDD/INVESTOR [--out FILE]",
		Short: "The offline-verifiable receipt of an order's confirmation (or a payout); check it with otc verify",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			if err := fs.login(); err != nil {
				return err
			}
			key := "fund/confirmation/" + args[0]
			if strings.HasPrefix(args[0], "payout/") {
				key = "fund/" + args[0]
			}
			var b []byte
			for {
				b, err = fs.api.OutcomeReceiptJSON(fs.ctx, key)
				if err == nil || !client.IsCode(err, client.CodeReceiptNotReady) {
					break
				}
				select {
				case <-fs.ctx.Done():
					return fmt.Errorf("receipt not ready: %w", err)
				case <-time.After(200 * time.Millisecond):
				}
			}
			if err != nil {
				return err
			}
			if out == "" {
				_, err = m.Stdout.Write(append(b, '\n'))
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "receipt of %s written to %s (%d bytes); verify with: otc verify %s --genesis GENESIS.json\n", key, out, len(b), out)
			return nil
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	c.Flags().StringVar(&out, "out", "", "write the receipt to this file (default: standard output)")
	return c
}
