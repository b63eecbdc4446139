package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/ofd/chain"
)

// newOFDExportCmd is `otc ofd export`: the TA's answer files of a date
// (GB/T 39595 02, 04, 05, 06, 07) and their OFI index, from chain state.
func (m *Main) newOFDExportCmd() *cobra.Command {
	var s signerFlags
	var types, date, distributor, ta, out, codesFile, version string
	c := &cobra.Command{
		Use:   "export",
		Short: "Write the TA's answer files of a date (02, 04, 05, 06, 07) and the OFI index from chain state",
		Long: `otc ofd export reads the fund module as the signer (the TA's operator, the
distributor's, or a regulator) and writes, for one business date, the TA's
answer files to the distributor in the GB/T 39595 layout (version 21 or 20):
GBK, CRLF, header with the field list and record count, named
OFD_{TA code}_{distributor code}_{YYYYMMDD}_{type}.TXT, and the index
OFI_{TA code}_{distributor code}_{YYYYMMDD}.TXT listing them. Each file is
written to a temporary file in --out and renamed. Organisation codes come
from --codes (JSON {"distributors":{code:org},"tas":{code:org}}); an
organisation without one uses its id (at most 9 characters).

  02  accounts opened through the distributor with the TA on the date (101)
  04  the distributor's orders in the TA's funds confirmed, failed or
      cancelled on the date: confirmed volume, amount, NAV, charge and
      return code as the chain computed them
  05  the distributor's investors' positions in the TA's funds (the register now)
  06  payouts of the TA's dividends whose ex-date is the date (143)
  07  the TA's funds the distributor sells: NAV of the date (or the last
      before), status, terms (needs the TA's or the regulator's identity)

See docs/ofd-export.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := parseOFDDate(date)
			if err != nil {
				return err
			}
			var codes *chain.Codes
			if codesFile != "" {
				b, err := os.ReadFile(codesFile)
				if err != nil {
					return err
				}
				codes = &chain.Codes{}
				if err := json.Unmarshal(b, codes); err != nil {
					return fmt.Errorf("%s: %w", codesFile, err)
				}
			}
			var list []string
			for _, t := range strings.Split(types, ",") {
				if t = strings.TrimSpace(t); t != "" {
					if _, err := chain.FieldsOf(t); err != nil {
						return err
					}
					list = append(list, t)
				}
			}
			if st, err := os.Stat(out); err != nil || !st.IsDir() {
				return fmt.Errorf("--out %s: not a directory", out)
			}
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			if ta == "" {
				if fs.cert.Role != string(module.RoleFundManager) {
					return fmt.Errorf("--ta ORG is required when the signer (%s %s) is not a fund manager", fs.cert.Org, fs.cert.Role)
				}
				ta = fs.cert.Org
			}
			files, err := chain.Export(ofdSource{fs}, chain.ExportOptions{Date: d, Distributor: distributor, TA: ta, Codes: codes, Version: version}, list...)
			if err != nil {
				return err
			}
			written, err := chain.WriteExportDir(out, files)
			for _, w := range written {
				fmt.Fprintf(m.Stdout, "%-36s %-3s records=%d bytes=%d sha256=%s\n", w.Name, w.Type, w.Records, w.Bytes, w.SHA256)
			}
			return err
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	f := c.Flags()
	f.StringVar(&types, "type", strings.Join(chain.ExportTypes, ","), "file types, comma separated: 02, 04, 05, 06, 07")
	f.StringVar(&date, "date", "", "business date YYYY-MM-DD or YYYYMMDD")
	f.StringVar(&distributor, "distributor", "", "the distributor's organisation (the files' receiver)")
	f.StringVar(&ta, "ta", "", "the TA's (fund manager's) organisation (default: the signer's, when it is a fund manager)")
	f.StringVar(&out, "out", ".", "directory to write the files into")
	f.StringVar(&codesFile, "codes", "", `organisation codes file: {"distributors":{"996":"rs-bank"},"tas":{"H0":"fm-alpha"}}`)
	f.StringVar(&version, "version", "21", "layout version: 21 or 20")
	_ = c.MarkFlagRequired("date")
	_ = c.MarkFlagRequired("distributor")
	return c
}

func parseOFDDate(s string) (fund.Date, error) {
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		s = s[:4] + "-" + s[4:6] + "-" + s[6:]
	}
	d, err := fund.ParseDate(s)
	if err != nil {
		return 0, fmt.Errorf("--date: %w", err)
	}
	return d, nil
}

// ofdSource reads the fund module through the API as the session's signer.
type ofdSource struct{ fs *fundSession }

func (o ofdSource) Query(path string, params map[string]string, out any) error {
	_, err := o.fs.query("fund/"+path, params, out)
	return err
}

func init() { addOfdCommands((*Main).newOFDExportCmd) }
