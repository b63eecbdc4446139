package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
)

// certBackdate lets a new certificate be valid on nodes whose clocks lag.
const certBackdate = 5 * time.Minute

func (m *Main) newCACmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "ca",
		Short: "Run an organisation's certificate authority",
	}
	c.AddCommand(m.newCAInitCmd(), m.newCAIssueCmd())
	return c
}

func (m *Main) newCAInitCmd() *cobra.Command {
	var (
		org, name, alg, ksDir, out, keyName, passFile string
		days                                          int
	)
	c := &cobra.Command{
		Use:   "init",
		Short: "Create an organisation CA: a new key in the keystore and a self-signed certificate",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := crypto.ParseAlgorithm(alg)
			if err != nil {
				return err
			}
			if days < 1 {
				return errors.New("--days must be positive")
			}
			if err := refuseOverwrite(out); err != nil {
				return err
			}
			ks, err := openKeystore(ksDir)
			if err != nil {
				return err
			}
			if _, err := ks.Get(keyName); err == nil {
				return fmt.Errorf("key %q already exists in %s", keyName, ksDir)
			}
			pass, err := m.passphrase(passFile, true)
			if err != nil {
				return err
			}
			key, err := crypto.GenerateKey(a)
			if err != nil {
				return err
			}
			now := time.Now()
			ca, err := pki.NewCA(org, name, key, now.Add(-certBackdate), now.AddDate(0, 0, days))
			if err != nil {
				return err
			}
			if _, err := ks.Import(keyName, key, []byte(pass)); err != nil {
				return err
			}
			if err := ks.SetCertificate(keyName, ca.PEM()); err != nil {
				return err
			}
			if err := os.WriteFile(out, ca.PEM(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "CA of %s (%s, %s): key %q in %s, certificate %s, valid until %s\n",
				ca.Org, ca.Name, a, keyName, ksDir, out, ca.NotAfter.Format(time.DateOnly))
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&org, "org", "", "organisation id ([a-z0-9-]{2,32})")
	f.StringVar(&name, "name", "", "CA display name (certificate CN)")
	f.StringVar(&alg, "alg", "ed25519", "key algorithm: ed25519, p256 or sm2")
	f.StringVar(&ksDir, "keystore", "", "keystore directory receiving the CA key")
	f.StringVar(&keyName, "key-name", "ca", "name of the CA key in the keystore")
	f.StringVar(&out, "out", "ca.pem", "file receiving the CA certificate (PEM)")
	f.IntVar(&days, "days", 3650, "validity in days")
	f.StringVar(&passFile, "passphrase-file", "", "file holding the keystore passphrase (else $"+PassphraseEnv+" or a prompt)")
	for _, r := range []string{"org", "name", "keystore"} {
		_ = c.MarkFlagRequired(r)
	}
	return c
}

func (m *Main) newCAIssueCmd() *cobra.Command {
	var (
		caFile, caKey, ksDir, role, name, pubFrom, pubKS, pubHex, alg, out, passFile string
		days                                                                         int
	)
	c := &cobra.Command{
		Use:   "issue",
		Short: "Issue a certificate for a public key with the organisation CA",
		Long: `Issue a certificate signed by the CA whose certificate is --ca and whose key is
--ca-key in --keystore. The certificate's organisation is the CA's. The public
key comes from a keystore key (--pubkey-from NAME, from --pubkey-keystore or
--keystore; the certificate is also stored beside that key) or from --pubkey
HEX with --alg. Register it on chain afterwards (genesis or a
member/register_identity transaction).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := module.ParseRole(role)
			if err != nil {
				return err
			}
			if days < 1 {
				return errors.New("--days must be positive")
			}
			if err := refuseOverwrite(out); err != nil {
				return err
			}
			caPEM, err := os.ReadFile(caFile)
			if err != nil {
				return err
			}
			ca, err := pki.Parse(caPEM)
			if err != nil {
				return fmt.Errorf("%s: %w", caFile, err)
			}
			if !ca.IsCA {
				return fmt.Errorf("%s is not a CA certificate", caFile)
			}
			var pub crypto.PublicKey
			if pubKS == "" {
				pubKS = ksDir
			}
			if pubFrom != "" {
				ks, err := openKeystore(pubKS)
				if err != nil {
					return err
				}
				info, err := ks.Get(pubFrom)
				if err != nil {
					return err
				}
				if pub, err = keyInfoPublic(info); err != nil {
					return err
				}
			} else {
				a, err := crypto.ParseAlgorithm(alg)
				if err != nil {
					return err
				}
				b, err := hex.DecodeString(pubHex)
				if err != nil {
					return fmt.Errorf("--pubkey: %w", err)
				}
				if pub, err = crypto.PublicKeyFromBytes(a, b); err != nil {
					return fmt.Errorf("--pubkey: %w", err)
				}
			}
			key, err := m.loadKey(ksDir, caKey, passFile)
			if err != nil {
				return err
			}
			now := time.Now()
			nb, na := now.Add(-certBackdate), now.AddDate(0, 0, days)
			if nb.Before(ca.NotBefore) {
				nb = ca.NotBefore
			}
			if na.After(ca.NotAfter) {
				na = ca.NotAfter
				fmt.Fprintf(m.Stderr, "note: validity cut to the CA's, until %s\n", na.Format(time.DateOnly))
			}
			cert, err := pki.Issue(ca, key, pki.IssueRequest{Org: ca.Org, Role: r, Name: name, PublicKey: pub, NotBefore: nb, NotAfter: na})
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, cert.PEM(), 0o644); err != nil {
				return err
			}
			if pubFrom != "" {
				ks, err := openKeystore(pubKS)
				if err != nil {
					return err
				}
				if err := ks.SetCertificate(pubFrom, cert.PEM()); err != nil {
					return err
				}
			}
			fmt.Fprintf(m.Stdout, "issued %s certificate of %s for %q (%s), valid until %s\nidentity id %s\ncertificate %s\n",
				r, ca.Org, name, pub.Algorithm(), cert.NotAfter.Format(time.DateOnly), cert.ID, out)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&caFile, "ca", "ca.pem", "CA certificate (PEM)")
	f.StringVar(&caKey, "ca-key", "ca", "name of the CA key in --keystore")
	f.StringVar(&ksDir, "keystore", "", "keystore holding the CA key")
	f.StringVar(&role, "role", "", "role: investor, reseller, fund_manager, custodian, regulator, admin or seal (an electronic seal)")
	f.StringVar(&name, "name", "", "holder's display name (certificate CN)")
	f.StringVar(&pubFrom, "pubkey-from", "", "certify the public key of this keystore key")
	f.StringVar(&pubKS, "pubkey-keystore", "", "keystore of --pubkey-from (default --keystore)")
	f.StringVar(&pubHex, "pubkey", "", "certify this public key (hex: 32-byte ed25519, 65-byte uncompressed p256/sm2)")
	f.StringVar(&alg, "alg", "", "algorithm of --pubkey: ed25519, p256 or sm2")
	f.IntVar(&days, "days", 365, "validity in days (cut to the CA's)")
	f.StringVar(&out, "out", "cert.pem", "file receiving the certificate (PEM)")
	f.StringVar(&passFile, "passphrase-file", "", "file holding the keystore passphrase (else $"+PassphraseEnv+" or a prompt)")
	for _, r := range []string{"keystore", "role", "name"} {
		_ = c.MarkFlagRequired(r)
	}
	c.MarkFlagsMutuallyExclusive("pubkey-from", "pubkey")
	c.MarkFlagsOneRequired("pubkey-from", "pubkey")
	c.MarkFlagsRequiredTogether("pubkey", "alg")
	return c
}

// refuseOverwrite fails when path exists: certificates are not replaced
// silently.
func refuseOverwrite(path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists; remove it first or choose another --out", path)
	}
	return nil
}
