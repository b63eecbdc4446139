package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

// batchLine is one message of an orders file and its line number.
type batchLine struct {
	n   int
	msg tx.Any
}

// readBatchFile reads a JSON Lines file of fund messages
// ({"type":"fund/purchase","value":{...}} a line; blank lines are skipped)
// and checks every line as the chain's CheckTx would: a known batchable
// fund message whose value decodes strictly and validates. The first bad
// line is an error naming it; nothing is sent then.
func readBatchFile(path string) ([]batchLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	specs := map[string]module.MsgSpec{}
	for _, s := range fund.New().Msgs() {
		specs[s.Type] = s
	}
	var out []batchLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), tx.MaxTxBytes)
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var a tx.Any
		if err := tx.StrictUnmarshal(b, &a); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		spec, ok := specs[a.Type]
		if !ok || !spec.Batchable {
			return nil, fmt.Errorf("%s:%d: %q is not a batchable fund message", path, n, a.Type)
		}
		v := spec.New()
		if err := tx.StrictUnmarshal(a.Value, v); err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", path, n, a.Type, err)
		}
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, batchLine{n: n, msg: tx.Any{Type: a.Type, Value: json.RawMessage(bytes.Clone(a.Value))}})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no messages", path)
	}
	return out, nil
}

func (m *Main) fundBatchCmd() *cobra.Command {
	var s signerFlags
	var file string
	var perTx int
	c := &cobra.Command{
		Use:   "batch --file ORDERS.jsonl [--per-tx 500]",
		Short: "Send a day's messages as batch transactions; report each line accepted or refused",
		Long: `batch reads a JSON Lines file, one fund message a line:

  {"type":"fund/purchase","value":{"app_no":"P0001","investor":"INV001","fund":"000001","amount":"10000.00"}}

checks every line first (a malformed line stops everything before anything
is sent), then sends them --per-tx items to a transaction as batch messages:
each item runs on its own, so a refused line does not stop the others. It
prints one line per input line: "line N: accepted {result}" or
"line N: refused fund/12 below_minimum: ...", and progress on standard error.
It fails when any line was refused.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if perTx < 1 || perTx > tx.MaxBatchItems {
				return fmt.Errorf("--per-tx must be 1 to %d", tx.MaxBatchItems)
			}
			lines, err := readBatchFile(file)
			if err != nil {
				return err
			}
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			refused := 0
			for start := 0; start < len(lines); start += perTx {
				chunk := lines[start:min(start+perTx, len(lines))]
				n, err := fs.sendBatch(chunk)
				if err != nil {
					return err
				}
				refused += n
				fmt.Fprintf(m.Stderr, "%d/%d lines sent, %d refused\n", start+len(chunk), len(lines), refused)
			}
			if refused > 0 {
				return fmt.Errorf("%d of %d lines refused", refused, len(lines))
			}
			return nil
		},
	}
	s.register(c.Flags())
	c.Flags().StringVar(&file, "file", "", "JSON Lines file of fund messages")
	c.Flags().IntVar(&perTx, "per-tx", 500, "items per transaction")
	_ = c.MarkFlagRequired("file")
	return c
}

// sendBatch sends one batch tx and prints each line's outcome; it returns
// how many were refused. A tx refused whole refuses each of its lines.
func (fs *fundSession) sendBatch(chunk []batchLine) (int, error) {
	items := make([]tx.Any, len(chunk))
	for i, l := range chunk {
		items[i] = l.msg
	}
	a, err := tx.NewAny(tx.BatchMsgType, tx.Batch{Items: items})
	if err != nil {
		return 0, err
	}
	hash, res, err := fs.send(a)
	var re *refusedError
	if errors.As(err, &re) {
		for _, l := range chunk {
			fmt.Fprintf(fs.m.Stdout, "line %d: %v\n", l.n, re)
		}
		return len(chunk), nil
	}
	if err != nil {
		return 0, err
	}
	if len(res) == 0 {
		for _, l := range chunk {
			fmt.Fprintf(fs.m.Stdout, "line %d: sent in %s (not yet committed)\n", l.n, hash)
		}
		return 0, nil
	}
	var d struct {
		Items []tx.ItemResult `json:"items"`
	}
	if err := json.Unmarshal(res[0].Data, &d); err != nil || len(d.Items) != len(chunk) {
		return 0, fmt.Errorf("tx %s: batch result of %d items for %d lines: %v", hash, len(d.Items), len(chunk), err)
	}
	refused := 0
	for i, it := range d.Items {
		if it.Code != 0 {
			refused++
			fmt.Fprintf(fs.m.Stdout, "line %d: refused %s\n", chunk[i].n, codeLog(it.Codespace, it.Code, it.Log))
			continue
		}
		fmt.Fprintf(fs.m.Stdout, "line %d: accepted %s\n", chunk[i].n, it.Data)
	}
	return refused, nil
}
