package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/certificate"
)

func init() { addCommands(newEvidenceCmd) }

func newEvidenceCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "evidence",
		Short: "Evidence documents made from receipts (otc evidence pdf)",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(newEvidencePDFCmd(m))
	return c
}

func newEvidencePDFCmd(m *Main) *cobra.Command {
	var genesisFile, headerFile, out, node string
	var orgs, idents, investors, funds, contracts []string
	c := &cobra.Command{
		Use:   "pdf RECEIPT.json --out cert.pdf [--genesis genesis.json | --trusted-header FILE] [--org ID=NAME]...",
		Short: "Make the evidence certificate PDF of a receipt, after verifying it offline",
		Long: `pdf verifies the receipt exactly as "otc verify" does (same trust-root
flags) and, only if it verifies, writes its evidence certificate: for a
contract signature the Electronic Signature Law Art. 13 report, for an
exchanged file the send or acknowledgement, for a fund order confirmation
its figures, otherwise the transaction record; with a QR code naming the
receipt and the receipt itself attached as receipt.json. Names are printed
as given here (--org, --identity, ...): no proof covers them.
See docs/certificate.md.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("--out is required")
			}
			if node != "" {
				if u, err := url.Parse(node); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return fmt.Errorf("--node %q: want the http(s) URL of a node's API", node)
				}
			}
			var names certificate.Names
			var err error
			if names.Orgs, err = pairs("--org", orgs); err != nil {
				return err
			}
			if names.Investors, err = pairs("--investor", investors); err != nil {
				return err
			}
			if names.Funds, err = pairs("--fund", funds); err != nil {
				return err
			}
			if names.Contracts, err = pairs("--contract", contracts); err != nil {
				return err
			}
			ids, err := pairs("--identity", idents)
			if err != nil {
				return err
			}
			for id, v := range ids {
				if names.Identities == nil {
					names.Identities = map[string]certificate.Identity{}
				}
				name, org, _ := strings.Cut(v, "@")
				names.Identities[id] = certificate.Identity{Name: name, Org: org}
			}
			b, _, rep, _, err := verifyReceiptFile(args[0], genesisFile, headerFile)
			if err != nil {
				return fmt.Errorf("%w\nno certificate written: a certificate is made only of a receipt that verifies", err)
			}
			cert, err := certificate.Make(certificate.Input{Receipt: b, Report: rep, Names: names, Node: node})
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, cert.PDF, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%s certificate written to %s (%d bytes)\n  receipt    %s, SHA-256 %s\n  trust root %s\n",
				cert.Kind, out, len(cert.PDF), args[0], cert.Ref.SHA256, rep.TrustRoot)
			return nil
		},
	}
	trustFlags(c, &genesisFile, &headerFile)
	f := c.Flags()
	f.StringVar(&out, "out", "", "the PDF file to write")
	f.StringVar(&node, "node", "", "API URL of a node the receipt can be fetched from, for the QR code (default: the API path alone)")
	f.StringArrayVar(&orgs, "org", nil, "ORG_ID=NAME: an organisation's name; repeat")
	f.StringArrayVar(&idents, "identity", nil, "IDENTITY_ID=NAME[@ORG_ID]: an identity's display name and organisation; repeat")
	f.StringArrayVar(&investors, "investor", nil, "INVESTOR_NO=NAME: an investor's name; repeat")
	f.StringArrayVar(&funds, "fund", nil, "FUND_CODE=NAME: a fund's name; repeat")
	f.StringArrayVar(&contracts, "contract", nil, "CONTRACT_ID=TITLE: a contract's title; repeat")
	return c
}

// pairs parses repeated KEY=VALUE flags.
func pairs(flag string, vs []string) (map[string]string, error) {
	if len(vs) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(vs))
	for _, v := range vs {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" || val == "" {
			return nil, fmt.Errorf("%s %q: want KEY=VALUE", flag, v)
		}
		out[k] = val
	}
	return out, nil
}
