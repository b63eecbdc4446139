package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/proof"
)

func init() { addCommands(newReceiptCmd, newVerifyCmd, newCheckpointCmd) }

func newReceiptCmd(m *Main) *cobra.Command {
	var api, out string
	var wait time.Duration
	c := &cobra.Command{
		Use:   "receipt TXHASH --api URL [--out FILE]",
		Short: "Fetch the offline-verifiable receipt of a committed transaction",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := apiClient(api)
			if err != nil {
				return err
			}
			ctx, cancel := contextTimeout(cmd, 30*time.Second)
			defer cancel()
			// A receipt needs the block after the tx (its header carries the
			// results hash): right after commit, wait for it; a tx committed
			// through another node reaches this one's index a little later.
			b, err := waitReceipt(ctx, cl, args[0], wait)
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
			fmt.Fprintf(m.Stdout, "receipt written to %s (%d bytes)\n", out, len(b))
			return nil
		},
	}
	c.Flags().StringVar(&api, "api", "", "node API URL")
	c.Flags().StringVar(&out, "out", "", "write the receipt to this file (default: standard output)")
	c.Flags().DurationVar(&wait, "wait", DefaultReceiptWait, "how long to wait for the node to index a tx it does not know yet (committed through another node)")
	return c
}

// trustedHeader is the file format of --trusted-header: a signed header and
// the validator set that signed it, as CometBFT JSON.
type trustedHeader struct {
	SignedHeader *cmttypes.SignedHeader `json:"signed_header"`
	Validators   *cmttypes.ValidatorSet `json:"validator_set"`
}

func newVerifyCmd(m *Main) *cobra.Command {
	var genesisFile, headerFile, file string
	c := &cobra.Command{
		Use:   "verify RECEIPT [--genesis genesis.json | --trusted-header FILE] [--file DOCUMENT]",
		Short: "Verify a receipt offline, from the genesis file or a trusted header; optionally check a file against it",
		Long: `Verify checks, without contacting any node, that the receipt's transaction was
committed: the Merkle proof of the tx to its block header, the proof of its
result to the next header, and that both headers were signed by more than
2/3 of the voting power of a validator set reached from the trust root.
With --file it also checks that the file's SHA-256 or SM3 hash is one the
transaction committed to (e.g. an "otc anchor" of the file).
Exit status 0 when everything verifies; otherwise it says what failed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, r, rep, trust, err := verifyReceiptFile(args[0], genesisFile, headerFile)
			if err != nil {
				return err
			}
			w := m.Stdout
			fmt.Fprintf(w, "receipt verifies (trust root: %s)\n", trust)
			if rep.OutcomeKey != "" {
				fmt.Fprintf(w, "  chain      %s\n  height     %d (end-block outcome, under the app hash of header %d)\n  outcome    %s\n  block time %s\n",
					rep.ChainID, rep.Height, rep.Height+1, rep.OutcomeKey, rep.BlockTime.UTC().Format(time.RFC3339Nano))
				fmt.Fprintf(w, "  value      %s\n", string(rep.Data))
			} else {
				fmt.Fprintf(w, "  chain      %s\n  height     %d (tx %d)\n  tx hash    %s\n  block time %s\n",
					rep.ChainID, rep.Height, rep.Index, rep.TxHash, rep.BlockTime.UTC().Format(time.RFC3339Nano))
				fmt.Fprintf(w, "  result     code %d\n  data       %s\n", rep.Code, string(rep.Data))
			}
			if r.Clock != nil && r.Clock.Simulated {
				fmt.Fprintf(w, "  business   %s (not covered by the proof)\n", simulatedLabel(r.Clock.BusinessTime))
			}
			names := make([]string, 0, len(rep.Signers))
			for _, s := range rep.Signers {
				n := s.Name
				if n == "" {
					n = s.Address
				}
				names = append(names, n)
			}
			fmt.Fprintf(w, "  signed by  %d/%d voting power: %s\n", rep.SignedPower, rep.TotalPower, strings.Join(names, ", "))
			if file != "" && r.Outcome != nil {
				return errors.New("--file checks a document anchored by a transaction, not an outcome")
			}
			if file != "" {
				fb, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				h, err := proof.CheckFile(r, fb)
				if err != nil {
					return fmt.Errorf("file %s: %w", file, err)
				}
				fmt.Fprintf(w, "  file       %s matches hash %s committed by the transaction\n", file, h)
			}
			return nil
		},
	}
	trustFlags(c, &genesisFile, &headerFile)
	c.Flags().StringVar(&file, "file", "", "check that this file's hash is committed by the transaction")
	return c
}

// trustFlags adds the trust-root flags of otc verify (--genesis,
// --trusted-header) to a command that verifies a receipt.
func trustFlags(c *cobra.Command, genesisFile, headerFile *string) {
	c.Flags().StringVar(genesisFile, "genesis", "", "the chain's genesis.json (trust root: the genesis validators)")
	c.Flags().StringVar(headerFile, "trusted-header", "", "a trusted signed header + validator set (JSON) as trust root")
}

// verifyReceiptFile reads a receipt file and verifies it against the trust
// root of the flags (loadTrust): the file's bytes, the receipt, what it
// proves and the trust root used.
func verifyReceiptFile(path, genesisFile, headerFile string) ([]byte, *proof.Receipt, *proof.Report, proof.Trust, error) {
	trust, err := loadTrust(genesisFile, headerFile)
	if err != nil {
		return nil, nil, nil, trust, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, trust, err
	}
	r, err := proof.Unmarshal(b)
	if err != nil {
		return nil, nil, nil, trust, fmt.Errorf("receipt %s: %w", path, err)
	}
	rep, err := proof.Verify(r, trust)
	if err != nil {
		return nil, nil, nil, trust, fmt.Errorf("receipt does NOT verify: %w", err)
	}
	return b, r, rep, trust, nil
}

func loadTrust(genesisFile, headerFile string) (proof.Trust, error) {
	switch {
	case genesisFile != "" && headerFile != "":
		return proof.Trust{}, errors.New("use either --genesis or --trusted-header")
	case genesisFile != "":
		doc, err := cmttypes.GenesisDocFromFile(genesisFile)
		if err != nil {
			return proof.Trust{}, err
		}
		return proof.TrustFromGenesis(doc)
	case headerFile != "":
		b, err := os.ReadFile(headerFile)
		if err != nil {
			return proof.Trust{}, err
		}
		var th trustedHeader
		if err := cmtjson.Unmarshal(b, &th); err != nil {
			return proof.Trust{}, fmt.Errorf("trusted header %s: %w", headerFile, err)
		}
		return proof.TrustFromHeader(th.SignedHeader, th.Validators)
	}
	return proof.Trust{}, errors.New("no trust root: use --genesis genesis.json or --trusted-header FILE")
}

func newCheckpointCmd(m *Main) *cobra.Command {
	var rpc, out string
	var height int64
	c := &cobra.Command{
		Use:   "checkpoint --rpc URL [--height H] --out FILE",
		Short: "Save a signed header and its validator set from a node, as a trust root for otc verify --trusted-header",
		Long: `checkpoint fetches the signed header (header + commit) at --height (default:
the latest) and the validator set that signed it from a node's CometBFT RPC,
checks that the set's hash is the header's and that it signed the commit,
and writes them as JSON. Receipts at or above that height can then be
verified from this file instead of the genesis file (for example after the
validator set has changed many times). Only use a checkpoint from a node you
trust, or cross-check it against other members' nodes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := rpchttp.New(rpc, "/websocket")
			if err != nil {
				return err
			}
			ctx, cancel := contextTimeout(cmd, 30*time.Second)
			defer cancel()
			var hp *int64
			if height > 0 {
				hp = &height
			}
			cm, err := cl.Commit(ctx, hp)
			if err != nil {
				return fmt.Errorf("commit: %w", err)
			}
			h := cm.Header.Height
			var vals []*cmttypes.Validator
			for page := 1; ; page++ {
				p, pp := page, 100
				res, err := cl.Validators(ctx, &h, &p, &pp)
				if err != nil {
					return fmt.Errorf("validators: %w", err)
				}
				vals = append(vals, res.Validators...)
				if len(res.Validators) == 0 || len(vals) >= res.Total {
					break
				}
			}
			vs := cmttypes.NewValidatorSet(vals)
			if _, err := proof.TrustFromHeader(&cm.SignedHeader, vs); err != nil {
				return fmt.Errorf("the node's header at height %d does not check out: %w", h, err)
			}
			b, err := cmtjson.MarshalIndent(trustedHeader{SignedHeader: &cm.SignedHeader, Validators: vs}, "", "  ")
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "checkpoint at height %d (block %s, %d validators) written to %s\n", h, cm.Header.Hash(), len(vals), out)
			return nil
		},
	}
	c.Flags().StringVar(&rpc, "rpc", "", "node's CometBFT RPC URL")
	c.Flags().Int64Var(&height, "height", 0, "height (default: the latest)")
	c.Flags().StringVar(&out, "out", "", "file to write")
	_ = c.MarkFlagRequired("rpc")
	_ = c.MarkFlagRequired("out")
	return c
}
