package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/proof"
)

func init() { addCommands(newReceiptCmd, newVerifyCmd) }

func newReceiptCmd(m *Main) *cobra.Command {
	var api, out string
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
			// results hash): right after commit, wait for it.
			var b []byte
			for {
				b, err = cl.ReceiptJSON(ctx, args[0])
				if err == nil || !client.IsCode(err, client.CodeReceiptNotReady) {
					break
				}
				select {
				case <-ctx.Done():
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
			fmt.Fprintf(m.Stdout, "receipt written to %s (%d bytes)\n", out, len(b))
			return nil
		},
	}
	c.Flags().StringVar(&api, "api", "", "node API URL")
	c.Flags().StringVar(&out, "out", "", "write the receipt to this file (default: standard output)")
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
			trust, err := loadTrust(genesisFile, headerFile)
			if err != nil {
				return err
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			r, err := proof.Unmarshal(b)
			if err != nil {
				return fmt.Errorf("receipt %s: %w", args[0], err)
			}
			rep, err := proof.Verify(r, trust)
			if err != nil {
				return fmt.Errorf("receipt does NOT verify: %w", err)
			}
			w := m.Stdout
			fmt.Fprintf(w, "receipt verifies (trust root: %s)\n", trust)
			fmt.Fprintf(w, "  chain      %s\n  height     %d (tx %d)\n  tx hash    %s\n  block time %s\n",
				rep.ChainID, rep.Height, rep.Index, rep.TxHash, rep.BlockTime.UTC().Format(time.RFC3339Nano))
			fmt.Fprintf(w, "  result     code %d\n  data       %s\n", rep.Code, string(rep.Data))
			names := make([]string, 0, len(rep.Signers))
			for _, s := range rep.Signers {
				n := s.Name
				if n == "" {
					n = s.Address
				}
				names = append(names, n)
			}
			fmt.Fprintf(w, "  signed by  %d/%d voting power: %s\n", rep.SignedPower, rep.TotalPower, strings.Join(names, ", "))
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
	c.Flags().StringVar(&genesisFile, "genesis", "", "the chain's genesis.json (trust root: the genesis validators)")
	c.Flags().StringVar(&headerFile, "trusted-header", "", "a trusted signed header + validator set (JSON) as trust root")
	c.Flags().StringVar(&file, "file", "", "check that this file's hash is committed by the transaction")
	return c
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
