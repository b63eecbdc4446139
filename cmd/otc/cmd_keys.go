package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/pki"
)

func (m *Main) newKeysCmd() *cobra.Command {
	var ksDir, netHome, org string
	c := &cobra.Command{
		Use:   "keys",
		Short: "Manage the encrypted keys of a keystore directory",
		Long: `Manage the encrypted keys of a keystore directory: --keystore DIR, or the
keystore of organisation --org in a generated network --home (otc testnet
--out, otc dev --home). keys list --home without --org lists every
organisation's keys.`,
	}
	pf := c.PersistentFlags()
	pf.StringVar(&ksDir, "keystore", "", "keystore directory")
	pf.StringVar(&netHome, "home", "", "generated network directory (holding consortium.json)")
	pf.StringVar(&org, "org", "", "organisation whose keystore in --home to use")
	c.MarkFlagsOneRequired("keystore", "home")
	c.MarkFlagsMutuallyExclusive("keystore", "home")
	c.MarkFlagsMutuallyExclusive("keystore", "org")
	// keystores resolves the flags to (organisation, directory) pairs; all
	// says whether --home without --org means every organisation.
	keystores := func(all bool) ([][2]string, error) {
		if ksDir != "" {
			return [][2]string{{"", ksDir}}, nil
		}
		cons, err := node.ReadConsortium(netHome)
		if err != nil {
			return nil, err
		}
		var out [][2]string
		for _, o := range cons.Orgs {
			if o.ID == org || (org == "" && all) {
				out = append(out, [2]string{o.ID, o.Keystore})
			}
		}
		if len(out) == 0 {
			if org == "" {
				return nil, errors.New("--home needs --org for this command")
			}
			return nil, fmt.Errorf("no organisation %q in %s", org, netHome)
		}
		return out, nil
	}
	one := func() (string, error) {
		ks, err := keystores(false)
		if err != nil {
			return "", err
		}
		return ks[0][1], nil
	}

	var alg, passFile string
	newCmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a key, encrypted with a passphrase",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := crypto.ParseAlgorithm(alg)
			if err != nil {
				return err
			}
			dir, err := one()
			if err != nil {
				return err
			}
			ks, err := openKeystore(dir)
			if err != nil {
				return err
			}
			pass, err := m.passphrase(passFile, true)
			if err != nil {
				return err
			}
			info, err := ks.Create(args[0], a, []byte(pass))
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "created %s key %q in %s\npublic key %s\n", info.Algorithm, info.Name, dir, info.PublicKey)
			return nil
		},
	}
	newCmd.Flags().StringVar(&alg, "alg", "ed25519", "algorithm: ed25519, p256 or sm2")
	newCmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the passphrase (else $"+PassphraseEnv+" or a prompt)")

	listCmd := &cobra.Command{
		Use:   "list",
		Short: "List the keys (public information only)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dirs, err := keystores(true)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
			if netHome != "" {
				fmt.Fprint(tw, "ORG\t")
			}
			fmt.Fprintln(tw, "NAME\tALG\tIDENTITY\tPUBLIC KEY")
			for _, d := range dirs {
				ks, err := openKeystore(d[1])
				if err != nil {
					return err
				}
				infos, err := ks.List()
				if err != nil {
					return err
				}
				for _, in := range infos {
					id := "-"
					if in.HasCert {
						id = in.IdentityID
					}
					if netHome != "" {
						fmt.Fprintf(tw, "%s\t", d[0])
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.Name, in.Algorithm, id, in.PublicKey)
				}
			}
			return tw.Flush()
		},
	}

	showCmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a key's public information and certificate",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := one()
			if err != nil {
				return err
			}
			ks, err := openKeystore(dir)
			if err != nil {
				return err
			}
			in, err := ks.Get(args[0])
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "name\t%s\n", in.Name)
			fmt.Fprintf(tw, "algorithm\t%s\n", in.Algorithm)
			fmt.Fprintf(tw, "public key\t%s\n", in.PublicKey)
			fmt.Fprintf(tw, "created\t%s\n", in.Created.Format(time.RFC3339))
			if in.HasCert {
				pem, err := ks.Certificate(in.Name)
				if err != nil {
					return err
				}
				cert, err := pki.Parse(pem)
				if err != nil {
					return err
				}
				role := cert.Role
				if cert.IsCA {
					role = "ca"
				}
				fmt.Fprintf(tw, "identity id\t%s\n", cert.ID)
				fmt.Fprintf(tw, "organisation\t%s\n", cert.Org)
				fmt.Fprintf(tw, "role\t%s\n", role)
				fmt.Fprintf(tw, "holder\t%s\n", cert.Name)
				fmt.Fprintf(tw, "valid\t%s to %s\n", cert.NotBefore.Format(time.RFC3339), cert.NotAfter.Format(time.RFC3339))
			} else {
				fmt.Fprintf(tw, "certificate\tnone (issue one with otc ca issue --pubkey-from %s)\n", in.Name)
			}
			return tw.Flush()
		},
	}
	c.AddCommand(newCmd, listCmd, showCmd)
	return c
}

// keyInfoPublic returns the public key a keystore entry describes.
func keyInfoPublic(in keystore.Info) (crypto.PublicKey, error) {
	a, err := crypto.ParseAlgorithm(string(in.Algorithm))
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(in.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("key %s: public key: %w", in.Name, err)
	}
	return crypto.PublicKeyFromBytes(a, b)
}
