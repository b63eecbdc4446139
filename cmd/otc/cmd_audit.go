package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/client"
)

func init() { addCommands(newAuditCmd) }

func newAuditCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "audit",
		Short: "Export and verify a node's hash-chained audit log",
		Long: `A node's audit log records what never reaches the chain: transactions it
refused, reads of personal data and documents through its API, blob
transfers and refused reads (docs/audit.md). Each line is chained to the one
before by SHA-256.

  otc audit export   download a node's log (a regulator's identity)
  otc audit verify   check a log or an export offline, entry by entry
  otc audit repair   cut a torn last line left by a crash (the node refuses
                     to start with one)`,
	}
	c.AddCommand(m.newAuditExportCmd(), m.newAuditVerifyCmd(), m.newAuditRepairCmd())
	return c
}

func (m *Main) newAuditExportCmd() *cobra.Command {
	var s signerFlags
	var out string
	var from uint64
	var limit int
	c := &cobra.Command{
		Use:   "export --out FILE (--home NET --as ORG/KEY | --keystore DIR --key NAME --api URL)",
		Short: "Download a node's audit log (regulators only) and verify it",
		Long: `export logs in to the node's API as a regulator identity, streams its audit
log (GET /v1/audit) into FILE, verifies the chain and checks that it ends at
the head the node named when the export began (X-Otc-Audit-Hash). --from
starts at a seq (the file is then anchored at that entry's prev, not at the
genesis); --limit bounds the entries.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return m.auditExport(cmd, &s, out, from, limit)
		},
	}
	f := c.Flags()
	f.StringVar(&s.keystore, "keystore", "", "keystore directory holding the regulator's key and its certificate")
	f.StringVar(&s.key, "key", "", "name of the key in --keystore")
	f.StringVar(&s.home, "home", "", "generated network directory (holding consortium.json), with --as")
	f.StringVar(&s.as, "as", "", "identity ORG/KEY in --home, e.g. regulator/operator")
	f.StringVar(&s.passFile, "passphrase-file", "", "file holding the keystore passphrase (else $OTC_PASSPHRASE or a prompt)")
	f.StringVar(&s.api, "api", "", "node API URL (default with --home: the identity's organisation's node)")
	f.DurationVar(&s.timeout, "timeout", 10*time.Minute, "how long the export may take")
	f.StringVar(&out, "out", "", "file to write (replaced only when the download is complete)")
	f.Uint64Var(&from, "from", 0, "first seq (0: from the genesis entry)")
	f.IntVar(&limit, "limit", 0, "at most this many lines (0: up to the node's head)")
	_ = c.MarkFlagRequired("out")
	return c
}

func (m *Main) auditExport(cmd *cobra.Command, s *signerFlags, out string, from uint64, limit int) error {
	if limit < 0 {
		return errors.New("--limit must not be negative")
	}
	fs, cancel, err := m.openFund(cmd, s, true)
	if err != nil {
		return err
	}
	defer cancel()
	if err := fs.login(); err != nil {
		return err
	}
	q := url.Values{}
	q.Set("from", strconv.FormatUint(from, 10))
	q.Set("limit", strconv.Itoa(limit))
	req, err := http.NewRequestWithContext(fs.ctx, http.MethodGet, fs.api.BaseURL()+"/v1/audit?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+fs.api.Token())
	req.Header.Set("User-Agent", "otc")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		var eb client.ErrorBody
		if json.Unmarshal(b, &eb) == nil && eb.Error != nil {
			return fmt.Errorf("export: %d %s: %s", res.StatusCode, eb.Error.Code, eb.Error.Message)
		}
		return fmt.Errorf("export: %s", res.Status)
	}
	headSeq, headHash := res.Header.Get(api.HeaderAuditSeq), res.Header.Get(api.HeaderAuditHash)

	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".part-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing
	n, err := io.Copy(tmp, res.Body)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export: download cut after %d bytes: %w", n, err)
	}
	f, err := os.Open(tmp.Name())
	if err != nil {
		return err
	}
	rep, verr := audit.Verify(f)
	f.Close()
	if verr != nil {
		return fmt.Errorf("export: the downloaded log does not verify (kept nothing): %w", verr)
	}
	if limit == 0 && (strconv.FormatUint(rep.Last, 10) != headSeq || rep.Head != headHash) {
		return fmt.Errorf("export: the file ends at entry %d %s, but the node's head was %s %s", rep.Last, rep.Head, headSeq, headHash)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	node, chain := "", ""
	if rep.Genesis != nil {
		node, chain = rep.Genesis.Node, rep.Genesis.ChainID
	}
	fmt.Fprintf(m.Stdout, "exported %d lines (seq %d to %d) of node %s (chain %s) to %s\n", rep.Lines, rep.First, rep.Last, node, chain, out)
	fmt.Fprintf(m.Stdout, "the chain verifies; head %d %s (the node's head when the export began: %s %s)\n", rep.Last, rep.Head, headSeq, headHash)
	return nil
}

func (m *Main) newAuditVerifyCmd() *cobra.Command {
	var quiet bool
	var head string
	c := &cobra.Command{
		Use:   "verify FILE",
		Short: "Check an audit log or an export offline: every entry, every link",
		Long: `verify reads FILE (a node's HOME/data/audit.log or an otc audit export),
prints its entries and checks each line's canonical form and hash, that seqs
follow one another and that each prev is the hash of the line before. It
names the first broken link and exits non-zero on any break. --head compares
the last entry's hash with a node's head (GET /v1/audit/head): a log cut
short verifies, only the head tells.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return m.auditVerify(args[0], quiet, head)
		},
	}
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print the summary only")
	c.Flags().StringVar(&head, "head", "", "expected hash of the last entry")
	return c
}

func (m *Main) auditVerify(path string, quiet bool, head string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	each := func(e audit.Entry) {
		if !quiet {
			fmt.Fprintln(m.Stdout, formatEntry(e))
		}
	}
	rep, err := audit.VerifyEach(f, each)
	var be *audit.BrokenError
	if errors.As(err, &be) {
		fmt.Fprintf(m.Stdout, "BROKEN at seq %d (line %d): %s\n", be.Seq, be.Line, be.Reason)
		if rep.Lines > 1 {
			fmt.Fprintf(m.Stdout, "entries %d to %d verify (head %s)\n", rep.First, rep.Last, rep.Head)
		}
		return fmt.Errorf("%s: the chain is broken at seq %d", path, be.Seq)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if rep.Genesis != nil {
		fmt.Fprintf(m.Stdout, "OK: %d entries after the genesis of node %s (chain %s, genesis %s); head %d %s\n",
			rep.Last, rep.Genesis.Node, rep.Genesis.ChainID, rep.Genesis.Hash, rep.Last, rep.Head)
	} else {
		fmt.Fprintf(m.Stdout, "OK: entries %d to %d (a partial export anchored at prev %s); head %d %s\n", rep.First, rep.Last, rep.Anchor, rep.Last, rep.Head)
	}
	if head != "" && !strings.EqualFold(head, rep.Head) {
		return fmt.Errorf("%s ends at %s, not at the expected head %s: entries are missing at the end (or the node appended since)", path, rep.Head, head)
	}
	return nil
}

// formatEntry is one entry on one line for people.
func formatEntry(e audit.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%6d %s %-18s", e.Seq, e.Time, e.Kind)
	if e.Kind == audit.KindGenesis {
		fmt.Fprintf(&b, " node %s chain %s", e.Node, e.ChainID)
		return b.String()
	}
	fmt.Fprintf(&b, " %-8s", e.Outcome)
	who := e.Identity
	if who == "" {
		who = "anonymous"
	}
	if e.Org != "" || e.Role != "" {
		who += " (" + e.Org + "/" + e.Role + ")"
	}
	fmt.Fprintf(&b, " %s %s", who, e.Subject)
	if e.Record != "" {
		fmt.Fprintf(&b, " record=%s", e.Record)
	}
	if e.Codespace != "" || e.Code != 0 {
		fmt.Fprintf(&b, " code=%s/%d", e.Codespace, e.Code)
	}
	if e.Reason != "" {
		fmt.Fprintf(&b, " reason=%q", e.Reason)
	}
	if e.Remote != "" {
		fmt.Fprintf(&b, " from %s", e.Remote)
	}
	return b.String()
}

func (m *Main) newAuditRepairCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "repair FILE",
		Short: "Cut a torn last line of a node's audit log (with the node stopped)",
		Long: `repair cuts a partial last line, which a crash or a power loss while the node
was writing can leave (the node then refuses to start). It changes nothing
else: a log whose genesis or last complete entry does not verify is refused
(run otc audit verify to find the break). Stop the node first.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			n, err := audit.Repair(args[0])
			if err != nil {
				return err
			}
			if n == 0 {
				fmt.Fprintf(m.Stdout, "%s: intact, nothing cut\n", args[0])
			} else {
				fmt.Fprintf(m.Stdout, "%s: cut a torn last line of %d bytes\n", args[0], n)
			}
			return nil
		},
	}
}
