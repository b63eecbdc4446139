package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/ofd/chain"
	"github.com/otcchain/otcchain/tx"
)

func init() {
	addCommands(newOfdCmd)
	addOfdCommands((*Main).ofdImportCmd)
}

// ofdCommands are the constructors of the `otc ofd` subcommands: each file
// adds its own in init (import here, export in cmd_ofd_export.go).
var ofdCommands []func(*Main) *cobra.Command

func addOfdCommands(fs ...func(*Main) *cobra.Command) { ofdCommands = append(ofdCommands, fs...) }

func newOfdCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "ofd",
		Short: "GB/T 39595 (OFD) files: import a reseller's 01/03 applications, export the TA's answer files",
		Long: `otc ofd reads and writes the fixed-width files of the open-end fund data
exchange protocol (GB/T 39595, formerly JR/T 0017). See docs/ofd.md for the
format, docs/ofd-import.md and docs/ofd-export.md for the mapping to the chain.`,
	}
	for _, f := range ofdCommands {
		c.AddCommand(f(m))
	}
	return c
}

func (m *Main) ofdImportCmd() *cobra.Command {
	var s signerFlags
	var codesFile, reportFile string
	var batch, inFlight, kycYears int
	var dry, anyDate bool
	c := &cobra.Command{
		Use:   "import FILE [--codes F] [--batch N] [--report F] [--dry-run]",
		Short: "Import an 01 (account) or 03 (trade) application file as a reseller; report each record",
		Long: `import reads an 01 or 03 file completely first: a wrong header, field list,
record count, record length, encoding, date, number or business code refuses
the whole file with the lines concerned, and nothing is sent. Then it maps
each record to the fund module's messages (01: 001/008 register the investor
the first time and open its TA account with the file's TA; 03: 020 subscribe,
022 purchase, 024 redeem, 029 dividend method, 052 cancel), skips the
records already on chain (the application sheet serial number is the
idempotency key; for 01 the TA account), and sends the others in batch
transactions of --batch items, waiting for each block.

Orders whose TransactionDate is not the chain's current trade date are
refused (--any-date sends them with a warning: the chain dates them by
block time). Codes in the file map to organisations by --codes, a JSON file
{"distributors":{"996":"rs-bank"},"tas":{"H0":"fm-alpha"}} (every
organisation is also its own code). The report has one row per record:
line, serial number, business, status (accepted, refused, duplicate), code,
id or reason; --report FILE writes it as CSV (.csv) or JSON lines. It ends
with "records N, accepted A, refused R, duplicates D". The command fails when
a record was refused. See docs/ofd-import.md.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if s.noWait {
				return errors.New("--no-wait: an import waits for each block to report each record")
			}
			if batch < 1 || batch > tx.MaxBatchItems {
				return fmt.Errorf("--batch must be 1 to %d", tx.MaxBatchItems)
			}
			fs := &fundSession{m: m, ctx: cmd.Context(), flags: &s}
			if err := fs.load(); err != nil {
				return err
			}
			if err := fs.needSigner(); err != nil {
				return err
			}
			opts, err := fs.ofdOptions(codesFile)
			if err != nil {
				return err
			}
			if inFlight < 1 || inFlight > 64 {
				return fmt.Errorf("--in-flight must be 1 to 64")
			}
			opts.AnyDate, opts.KYCYears = anyDate, kycYears
			path := args[0]
			fs.quiet = true // the progress display reports commits
			im := &chain.Importer{Options: *opts, Chain: &cliChain{fs: fs}, Batch: batch, InFlight: inFlight, DryRun: dry, Progress: newProgress(m.Stderr)}
			rep, err := im.Import(filepath.Base(path), func() (io.ReadCloser, error) { return os.Open(path) })
			if err != nil {
				return err
			}
			if reportFile != "" {
				if err := writeReportFile(reportFile, rep); err != nil {
					return err
				}
			} else if err := writeReportTable(m.Stdout, rep); err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, summaryLine(rep.Summary))
			if rep.Summary.Refused > 0 {
				return fmt.Errorf("%d of %d records refused", rep.Summary.Refused, rep.Summary.Records)
			}
			return nil
		},
	}
	s.register(c.Flags())
	f := c.Flags()
	f.StringVar(&codesFile, "codes", "", `JSON codes file: {"distributors":{CODE:ORG},"tas":{CODE:FUND-MANAGER}}`)
	f.IntVar(&batch, "batch", 500, "items (messages) per transaction")
	f.IntVar(&inFlight, "in-flight", 4, "batches sent ahead before waiting for the oldest one's block (1: one at a time)")
	f.StringVar(&reportFile, "report", "", "write the per-record report to this file: CSV when it ends in .csv, else JSON lines")
	f.BoolVar(&dry, "dry-run", false, "validate, map and look for duplicates; send nothing (status mapped)")
	f.BoolVar(&anyDate, "any-date", false, "send orders whose TransactionDate is not the chain's trade date (with a warning)")
	f.IntVar(&kycYears, "kyc-years", 1, "validity of an imported risk assessment, in years from the 01 record's TransactionDate")
	return c
}

// ofdOptions are the mapper's options for the signer: its organisation, the
// codes (every organisation's own id, then the codes file) and the trade
// date an order sent now gets (the chain's calendar, this machine's clock).
func (fs *fundSession) ofdOptions(codesFile string) (*chain.MapOptions, error) {
	var orgs []member.Org
	if _, err := fs.query("member/orgs", nil, &orgs); err != nil {
		return nil, err
	}
	codes := chain.DefaultCodes(orgs)
	if codesFile != "" {
		over, err := chain.LoadCodes(codesFile)
		if err != nil {
			return nil, err
		}
		codes = codes.Merge(over)
	}
	var cal fund.Calendar
	if _, err := fs.query("fund/calendar", nil, &cal); err != nil {
		return nil, err
	}
	td, err := fund.TradeDate(time.Now(), cal)
	if err != nil {
		return nil, fmt.Errorf("the chain's trade date: %w", err)
	}
	return &chain.MapOptions{Channel: fs.cert.Org, Codes: codes, TradeDate: td}, nil
}

// cliChain is chain.Chain over the API as the signer.
type cliChain struct {
	fs     *fundSession
	recips []crypto.Recipient
}

// notFound reports whether err is the fund module's refusal code.
func notFound(err error, code uint32) bool {
	var ae *client.Error
	return errors.As(err, &ae) && ae.Codespace == fund.Codes.Codespace && ae.ABCICode == code
}

func (c *cliChain) Investor(id string) (*fund.Investor, error) {
	var inv fund.Investor
	if _, err := c.fs.query("fund/investors/"+id, nil, &inv); err != nil {
		if notFound(err, fund.ErrUnknownInvestor.Code) {
			return nil, nil
		}
		return nil, err
	}
	return &inv, nil
}

func (c *cliChain) OrderExists(appNo string) (bool, error) {
	if _, err := c.fs.query("fund/orders/"+c.fs.cert.Org+":"+appNo, nil, nil); err != nil {
		if notFound(err, fund.ErrUnknownOrder.Code) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// OrdersOn lists the channel's application numbers of trade date d in one
// read (chain.OrderLister).
func (c *cliChain) OrdersOn(d fund.Date) (map[string]bool, bool, error) {
	var list module.List[fund.Order]
	if _, err := c.fs.query("fund/channel-orders/"+c.fs.cert.Org+"/"+d.String(), map[string]string{"limit": strconv.Itoa(fund.MaxLimit)}, &list); err != nil {
		return nil, false, err
	}
	orders := list.Items
	set := make(map[string]bool, len(orders))
	for _, o := range orders {
		set[o.AppNo] = true
	}
	return set, !list.Truncated, nil
}

// Seal seals as otc fund investor register does: for the signer and every
// regulator officer with an encryption key (regulatorOfficers).
func (c *cliChain) Seal(reg *fund.RegisterInvestor, data fund.PersonalData) error {
	if c.recips == nil {
		own, err := c.fs.ownEncKey()
		if err != nil {
			return err
		}
		regs, err := c.fs.regulatorOfficers()
		if err != nil {
			return err
		}
		c.recips = crypto.UniqueRecipients(append([]crypto.Recipient{{ID: c.fs.id, Key: own.Public()}}, regs...))
	}
	var err error
	reg.Personal, reg.Commitment, reg.CommitAlg, err = fund.SealPersonal(c.fs.key.Algorithm(), reg.ID, data, c.recips)
	return err
}

func (c *cliChain) Submit(items []tx.Any) ([]tx.ItemResult, error) {
	st, err := c.fs.api.Status(c.fs.ctx)
	if err != nil {
		return nil, err
	}
	c.fs.height = st.LatestHeight // the expiry counts from here
	a, err := tx.NewAny(tx.BatchMsgType, tx.Batch{Items: items})
	if err != nil {
		return nil, err
	}
	hash, res, err := c.fs.send(a)
	var re *refusedError
	if errors.As(err, &re) {
		code, reason, _ := strings.Cut(strings.TrimPrefix(re.msg, "refused: "), ": ")
		return nil, &chain.TxRefused{Code: code, Reason: reason}
	}
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("tx %s: not committed", hash)
	}
	var d struct {
		Items []tx.ItemResult `json:"items"`
	}
	if err := json.Unmarshal(res[0].Data, &d); err != nil {
		return nil, fmt.Errorf("tx %s: batch result: %w", hash, err)
	}
	return d.Items, nil
}

// Send signs one batch transaction and hands it to the node (chain.Sender):
// it returns once the node's CheckTx accepted it into the mempool (or
// refused it); wait follows it to its block, resubmitting if the node
// dropped it.
func (c *cliChain) Send(items []tx.Any) (func() ([]tx.ItemResult, error), error) {
	st, err := c.fs.api.Status(c.fs.ctx)
	if err != nil {
		return nil, err
	}
	c.fs.height = st.LatestHeight // the expiry counts from here
	a, err := tx.NewAny(tx.BatchMsgType, tx.Batch{Items: items})
	if err != nil {
		return nil, err
	}
	raw, err := c.fs.sign(a)
	if err != nil {
		return nil, err
	}
	if _, err := c.fs.api.BroadcastTx(c.fs.ctx, raw, false); err != nil {
		return nil, txRefused(err)
	}
	return func() ([]tx.ItemResult, error) {
		res, err := c.fs.api.SubmitAndConfirm(c.fs.ctx, raw, c.fs.flags.timeout)
		if err != nil {
			return nil, txRefused(err)
		}
		if res.Code != 0 {
			return nil, &chain.TxRefused{Code: fmt.Sprintf("%s/%d", res.Codespace, res.Code), Reason: res.Log}
		}
		return batchItems(res.Hash, res.Data)
	}, nil
}

// txRefused turns the node's refusal of a tx into chain.TxRefused (other
// errors pass).
func txRefused(err error) error {
	var re *refusedError
	if errors.As(refusal(err), &re) {
		code, reason, _ := strings.Cut(strings.TrimPrefix(re.msg, "refused: "), ": ")
		return &chain.TxRefused{Code: code, Reason: reason}
	}
	return err
}

// batchItems decodes the item results of a committed batch transaction.
func batchItems(hash string, data []byte) ([]tx.ItemResult, error) {
	var d struct {
		Msgs []tx.ItemResult `json:"msgs"`
	}
	if err := json.Unmarshal(data, &d); err != nil || len(d.Msgs) == 0 {
		return nil, fmt.Errorf("tx %s: result data: %v", hash, err)
	}
	var b struct {
		Items []tx.ItemResult `json:"items"`
	}
	if err := json.Unmarshal(d.Msgs[0].Data, &b); err != nil {
		return nil, fmt.Errorf("tx %s: batch result: %w", hash, err)
	}
	return b.Items, nil
}

// ---- progress and reports

// newProgress reports on w: one rewritten line on a terminal, else a line
// per stage every tenth of the file.
func newProgress(w io.Writer) chain.Progress {
	term := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			term = true
		}
	}
	var last time.Time
	printed := map[string]int{}
	return func(stage string, done, total int) {
		if total <= 0 {
			return
		}
		if term {
			if time.Since(last) < 100*time.Millisecond && done < total {
				return
			}
			last = time.Now()
			fmt.Fprintf(w, "\r%-9s %d/%d records (%d%%)   ", stage, done, total, done*100/total)
			if stage == "committed" && done == total {
				fmt.Fprintln(w)
			}
			return
		}
		tenth := done * 10 / total
		if p, ok := printed[stage]; ok && p >= tenth {
			return
		}
		printed[stage] = tenth
		fmt.Fprintf(w, "%s %d/%d records\n", stage, done, total)
	}
}

func summaryLine(s chain.Summary) string {
	line := fmt.Sprintf("records %d, accepted %d, refused %d, duplicates %d", s.Records, s.Accepted, s.Refused, s.Duplicates)
	if s.Mapped > 0 {
		line += fmt.Sprintf(", mapped %d (dry run: nothing sent)", s.Mapped)
	}
	return line + fmt.Sprintf(" (%s, %d transactions)", s.File, s.Txs)
}

func writeReportTable(w io.Writer, rep *chain.Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tSERIAL\tBUSINESS\tSTATUS\tCODE\tID / REASON")
	for _, r := range rep.Results {
		detail := r.ID
		if r.Reason != "" {
			detail = strings.TrimSpace(detail + " " + r.Reason)
		}
		if r.Warning != "" {
			detail = strings.TrimSpace(detail + " warning: " + r.Warning)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Line, r.Serial, r.Business, r.Status, dash(r.Code), detail)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeReportFile writes the report as CSV (a header row, one row per
// record, a final "summary" row) or as JSON lines (one object per record,
// then {"summary": {...}}).
func writeReportFile(path string, rep *chain.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		w := csv.NewWriter(f)
		_ = w.Write([]string{"line", "serial", "business", "status", "code", "reason", "id", "warning"})
		for _, r := range rep.Results {
			_ = w.Write([]string{strconv.Itoa(r.Line), r.Serial, r.Business, r.Status, r.Code, r.Reason, r.ID, r.Warning})
		}
		s := rep.Summary
		_ = w.Write([]string{"summary", s.File, s.Type, fmt.Sprintf("records=%d accepted=%d refused=%d duplicates=%d mapped=%d", s.Records, s.Accepted, s.Refused, s.Duplicates, s.Mapped), "", "", "", ""})
		w.Flush()
		err = w.Error()
	} else {
		enc := json.NewEncoder(f)
		for _, r := range rep.Results {
			if err = enc.Encode(r); err != nil {
				break
			}
		}
		if err == nil {
			err = enc.Encode(map[string]any{"summary": rep.Summary})
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
