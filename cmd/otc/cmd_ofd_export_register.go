package main

import "github.com/spf13/cobra"

// TEMPORARY (branch ofdout only): registers `otc ofd export` under a parent
// `ofd` command until helper IMPORT's cmd/otc/cmd_ofd.go is merged; the
// integrator replaces this file by adding m.newOFDExportCmd() to that parent.
func init() {
	addCommands(func(m *Main) *cobra.Command {
		c := &cobra.Command{Use: "ofd", Short: "GB/T 39595 (OFD) files: the TA's answer files from chain state"}
		c.AddCommand(m.newOFDExportCmd())
		return c
	})
}
