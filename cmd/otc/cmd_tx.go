package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"crypto/sha256"
	"encoding/hex"
	"github.com/emmansun/gmsm/sm3"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/evidence"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/pki"
	"github.com/otcchain/otcchain/tx"
)

func init() { addCommands(newIdentityCmd, newAnchorCmd, newTxCmd) }

// signerFlags pick the identity that signs a transaction and the node that
// receives it: either --keystore DIR --key NAME --api URL, or, in a
// generated network, --home NET --as ORG/KEY (the API defaults to the
// organisation's node, else node 0).
type signerFlags struct {
	keystore, key, passFile string
	home, as                string
	api                     string
	timeout                 time.Duration
	noWait                  bool
}

func (s *signerFlags) register(f *pflag.FlagSet) {
	f.StringVar(&s.keystore, "keystore", "", "keystore directory holding the signing key and its certificate")
	f.StringVar(&s.key, "key", "", "name of the signing key in --keystore")
	f.StringVar(&s.home, "home", "", "generated network directory (holding consortium.json), with --as")
	f.StringVar(&s.as, "as", "", "signing identity ORG/KEY in --home, e.g. rs-bank/admin")
	f.StringVar(&s.passFile, "passphrase-file", "", "file holding the keystore passphrase (else $OTC_PASSPHRASE or a prompt)")
	f.StringVar(&s.api, "api", "", "node API URL (default with --home: the signer's organisation's node)")
	f.DurationVar(&s.timeout, "timeout", 30*time.Second, "how long to wait for the transaction to commit")
	f.BoolVar(&s.noWait, "no-wait", false, "return once the node accepted the transaction, without waiting for the block")
}

// signer is a loaded identity ready to sign.
type signer struct {
	id  [tx.SignerIDBytes]byte
	key crypto.PrivateKey
	api *client.Client
}

func (m *Main) loadSigner(s *signerFlags) (*signer, error) {
	dir, name, api, err := s.resolve()
	if err != nil {
		return nil, err
	}
	ks, err := openKeystore(dir)
	if err != nil {
		return nil, err
	}
	info, err := ks.Get(name)
	if err != nil {
		return nil, err
	}
	if info.IdentityID == "" {
		return nil, fmt.Errorf("key %q has no certificate: issue one (otc ca issue) and register it first", name)
	}
	key, err := m.loadKey(dir, name, s.passFile)
	if err != nil {
		return nil, err
	}
	id, err := tx.ParseSignerID(info.IdentityID)
	if err != nil {
		return nil, err
	}
	c, err := apiClient(api)
	if err != nil {
		return nil, err
	}
	return &signer{id: id, key: key, api: c}, nil
}

// resolve returns the signing key's keystore directory and name, and the API
// URL to use.
func (s *signerFlags) resolve() (dir, name, api string, err error) {
	dir, name, api = s.keystore, s.key, s.api
	if s.as != "" && s.home == "" {
		return "", "", "", fmt.Errorf("--as %s needs --home NET (the network directory holding consortium.json, e.g. ~/.otcchain-dev); with a keystore use --keystore DIR --key NAME instead", s.as)
	}
	if s.home != "" {
		if s.keystore != "" || s.key != "" {
			return "", "", "", errors.New("use either --home with --as, or --keystore with --key")
		}
		if s.as == "" {
			return "", "", "", fmt.Errorf("--home %s needs --as ORG/KEY to name the signer, e.g. --as rs-bank/operator (otc keys list --home %s lists them)", s.home, s.home)
		}
		org, key, ok := strings.Cut(s.as, "/")
		if !ok || org == "" || key == "" {
			return "", "", "", fmt.Errorf("--as must be ORG/KEY, e.g. rs-bank/admin, not %q", s.as)
		}
		c, err := node.ReadConsortium(s.home)
		if err != nil {
			return "", "", "", err
		}
		o, ok := c.Org(org)
		if !ok {
			return "", "", "", fmt.Errorf("no organisation %q in %s", org, s.home)
		}
		dir, name = o.Keystore, key
		if api == "" {
			for _, n := range c.Nodes {
				if n.Org == org || api == "" {
					api = n.APIURL
				}
			}
		}
	}
	if dir == "" || name == "" {
		return "", "", "", errors.New("no signer: use --home NET --as ORG/KEY, or --keystore DIR --key NAME")
	}
	return dir, name, api, nil
}

// submit signs msgs, sends them and prints the outcome.
func (m *Main) submit(cmd *cobra.Command, s *signerFlags, msgs ...tx.Any) (*client.TxResult, error) {
	sg, err := m.loadSigner(s)
	if err != nil {
		return nil, err
	}
	ctx, cancel := contextTimeout(cmd, s.timeout+10*time.Second)
	defer cancel()
	st, err := sg.api.Status(ctx)
	if err != nil {
		return nil, err
	}
	body := tx.NewBody(msgs, st.LatestHeight+100)
	b, err := body.Marshal()
	if err != nil {
		return nil, err
	}
	env, err := tx.Sign(st.ChainID, b, sg.id, tx.AlgCode(string(sg.key.Algorithm())), sg.key.Sign)
	if err != nil {
		return nil, err
	}
	raw := env.Encode()
	var res *client.TxResult
	if s.noWait {
		res, err = sg.api.BroadcastTx(ctx, raw, false)
	} else {
		res, err = sg.api.SubmitAndConfirm(ctx, raw, s.timeout)
	}
	if err != nil {
		return nil, err
	}
	if !res.Committed {
		fmt.Fprintf(m.Stdout, "accepted %s (not yet committed)\n", res.Hash)
		return res, nil
	}
	if res.Code != 0 {
		return res, fmt.Errorf("tx %s committed at height %d but failed: %s", res.Hash, res.Height, res.Log)
	}
	fmt.Fprintf(m.Stdout, "committed %s at height %d\n", res.Hash, res.Height)
	return res, nil
}

func newIdentityCmd(m *Main) *cobra.Command {
	c := &cobra.Command{Use: "identity", Short: "Register, revoke and show identities (certificates on chain)"}
	var reg signerFlags
	var certFile string
	register := &cobra.Command{
		Use:   "register --cert CERT.pem",
		Short: "Register a certificate on chain (signed by an admin of its organisation, or by its own key)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := os.ReadFile(certFile)
			if err != nil {
				return err
			}
			cert, err := pki.Parse(b)
			if err != nil {
				return err
			}
			if _, err := m.submit(cmd, &reg, tx.MustAny(member.TypeRegisterIdentity, member.RegisterIdentity{Cert: string(cert.PEM())})); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "identity %s (%s, %s)\n", cert.ID, cert.Org, cert.Role)
			return nil
		},
	}
	reg.register(register.Flags())
	register.Flags().StringVar(&certFile, "cert", "", "certificate PEM file")
	_ = register.MarkFlagRequired("cert")

	var rev signerFlags
	var reason string
	revoke := &cobra.Command{
		Use:   "revoke ID --reason TEXT",
		Short: "Revoke an identity (an admin of its organisation, or the regulator)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := m.submit(cmd, &rev, tx.MustAny(member.TypeRevokeIdentity, member.RevokeIdentity{ID: strings.ToLower(args[0]), Reason: reason}))
			return err
		},
	}
	rev.register(revoke.Flags())
	revoke.Flags().StringVar(&reason, "reason", "", "why (recorded on chain)")
	_ = revoke.MarkFlagRequired("reason")

	var enc signerFlags
	setEnc := &cobra.Command{
		Use:   "set-enc-key",
		Short: "Register the identity's encryption public key on chain (creating the key in its keystore if it has none)",
		Long: `set-enc-key registers the public part of the signing identity's encryption key
(member/set_encryption_key): X25519 for Ed25519 identities, P-256 ECDH for
P-256 identities, SM2 encryption for SM2 identities. Data sealed for the
identity (personal data, documents) is encrypted to this key. If the
identity's keystore holds no encryption key yet (NAME.enc), one is created
with the same passphrase; an existing one is registered again (rotation: run
with a new key after replacing NAME.enc).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, name, _, err := enc.resolve()
			if err != nil {
				return err
			}
			ks, err := openKeystore(dir)
			if err != nil {
				return err
			}
			info, err := ks.EncKey(name)
			if errors.Is(err, keystore.ErrNotFound) {
				pass, perr := m.passphrase(enc.passFile, false)
				if perr != nil {
					return perr
				}
				if info, err = ks.CreateEncKey(name, []byte(pass)); err == nil {
					fmt.Fprintf(m.Stdout, "created %s encryption key %s%s\n", info.Algorithm, name, keystore.EncSuffix)
				}
			}
			if err != nil {
				return err
			}
			pub, err := hex.DecodeString(info.PublicKey)
			if err != nil {
				return err
			}
			if cur, err := currentEncKey(cmd, ks, name, &enc); err == nil && cur != nil &&
				cur.Algorithm == string(info.Algorithm) && bytes.Equal(cur.PublicKey, pub) {
				fmt.Fprintf(m.Stdout, "the %s encryption key %s%s is already registered (since height %d)\n", info.Algorithm, name, keystore.EncSuffix, cur.Since)
				return nil
			}
			_, err = m.submit(cmd, &enc, tx.MustAny(member.TypeSetEncryptionKey, member.SetEncryptionKey{Algorithm: string(info.Algorithm), PublicKey: pub}))
			return err
		},
	}
	enc.register(setEnc.Flags())

	var api string
	show := &cobra.Command{
		Use:   "show ID --api URL",
		Short: "Show a registered identity",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := apiClient(api)
			if err != nil {
				return err
			}
			ctx, cancel := contextTimeout(cmd, 15*time.Second)
			defer cancel()
			raw, err := c.Identity(ctx, strings.ToLower(args[0]))
			if err != nil {
				return err
			}
			return printJSON(m, raw)
		},
	}
	show.Flags().StringVar(&api, "api", "", "node API URL")
	c.AddCommand(register, revoke, setEnc, show)
	return c
}

// fileHash returns the hex hash of b with the algorithm an identity of alg
// uses: SM3 for SM2 keys, SHA-256 otherwise.
func fileHash(alg crypto.Algorithm, b []byte) (hashAlg, hexHash string) {
	if alg == crypto.SM2 {
		h := sm3.Sum(b)
		return evidence.SM3, hex.EncodeToString(h[:])
	}
	h := sha256.Sum256(b)
	return evidence.SHA256, hex.EncodeToString(h[:])
}

func newAnchorCmd(m *Main) *cobra.Command {
	var s signerFlags
	var note, name string
	c := &cobra.Command{
		Use:   "anchor FILE",
		Short: "Record a file's hash on chain (SHA-256, or SM3 for SM2 identities); get a receipt for it with otc receipt",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			sg, err := m.loadSigner(&s)
			if err != nil {
				return err
			}
			alg, h := fileHash(sg.key.Algorithm(), b)
			if name == "" {
				name = baseName(args[0])
			}
			res, err := m.submit(cmd, &s, tx.MustAny(evidence.TypeAnchor, evidence.Anchor{Hash: h, HashAlg: alg, Name: name, Size: int64(len(b)), Note: note}))
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%s %s %s\nreceipt: otc receipt %s --api %s > receipt.json\n", alg, h, name, res.Hash, sg.api.BaseURL())
			return nil
		},
	}
	s.register(c.Flags())
	c.Flags().StringVar(&note, "note", "", "a note recorded with the hash")
	c.Flags().StringVar(&name, "name", "", "the document name recorded (default: the file's base name)")
	return c
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func newTxCmd(m *Main) *cobra.Command {
	var api string
	c := &cobra.Command{
		Use:   "tx HASH --api URL",
		Short: "Show a committed transaction: body, signer, height, result",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := apiClient(api)
			if err != nil {
				return err
			}
			ctx, cancel := contextTimeout(cmd, 15*time.Second)
			defer cancel()
			t, err := cl.Tx(ctx, args[0])
			if err != nil {
				return err
			}
			b, err := json.Marshal(t)
			if err != nil {
				return err
			}
			return printJSON(m, b)
		},
	}
	c.Flags().StringVar(&api, "api", "", "node API URL")
	return c
}

func printJSON(m *Main, raw []byte) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, string(out))
	return nil
}

// currentEncKey reads the identity's current encryption key from the chain
// (nil if it has none).
func currentEncKey(cmd *cobra.Command, ks *keystore.Store, name string, f *signerFlags) (*member.EncKey, error) {
	info, err := ks.Get(name)
	if err != nil || info.IdentityID == "" {
		return nil, err
	}
	_, _, api, err := f.resolve()
	if err != nil {
		return nil, err
	}
	c, err := apiClient(api)
	if err != nil {
		return nil, err
	}
	ctx, cancel := contextTimeout(cmd, 15*time.Second)
	defer cancel()
	raw, err := c.Identity(ctx, info.IdentityID)
	if err != nil {
		return nil, err
	}
	var rec member.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	return rec.CurrentEncKey(), nil
}
