package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

func init() { addCommands(newContractCmd) }

// The contract commands work with the fund commands' session (fundSession:
// the signer, its keystore and passphrase, the API client, the chain id).

func newContractCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "contract",
		Short: "Electronic contracts: types, seals, drafts sealed for the parties, review, signing with seals, download, verification",
		Long: `otc contract sends the contract module's messages and reads its state.

Signing commands take --home NET --as ORG/KEY (a generated network) or
--keystore DIR --key NAME --api URL; the passphrase comes from
--passphrase-file, $OTC_PASSPHRASE or a prompt and opens the signing key,
its encryption key (NAME.enc) and the seal key of the same keystore. They
wait for the block and print the result as JSON, or fail with the refusal's
code ("refused: contract/7 document: ..."). Documents are hashed and
encrypted on this machine: only their hash and the envelope sealed for the
parties and the regulator go on chain. See docs/contract-cli.md.`,
	}
	typ := m.contractRead("type ID", "A contract type: parties, review stages, retention, termination rule (public)", "types/{0}")
	typ.AddCommand(m.contractTypeSetCmd())
	seal := &cobra.Command{Use: "seal", Short: "Register an organisation's electronic seal (its admin)"}
	seal.AddCommand(m.contractSealRegisterCmd())
	c.AddCommand(
		m.contractRead("types", "The contract types (public)", "types"),
		typ,
		seal,
		m.contractRead("seals ORG", "An organisation's registered seals (public)", "seals/{0}"),
		m.contractCreateCmd(),
		m.contractUploadCmd(),
		m.contractReviewCmd(),
		m.contractSignCmd(),
		m.contractTerminateCmd(),
		m.contractArchiveCmd(),
		m.contractRead("show ID", "A contract and its versions with reviews and signatures (its parties, the regulator)", "contracts/{0}"),
		m.contractRead("history ID", "A contract's operation evidence, oldest first (its parties, the regulator)", "contracts/{0}/history"),
		m.contractRead("contracts ORG", "An organisation's contracts (its people, the regulator)", "org-contracts/{0}"),
		m.contractDownloadCmd(),
		m.contractVerifyCmd(),
	)
	return c
}

// contractRead is a read of GET /v1/q/contract/{path} ({i} is argument i).
func (m *Main) contractRead(use, short, path string) *cobra.Command {
	var s signerFlags
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(len(strings.Fields(use)) - 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, false)
			if err != nil {
				return err
			}
			defer cancel()
			p := path
			for i, a := range args {
				p = strings.ReplaceAll(p, "{"+strconv.Itoa(i)+"}", a)
			}
			raw, err := fs.query("contract/"+p, nil, nil)
			if err != nil {
				return err
			}
			return printJSON(m, raw)
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	return c
}

// contractMsg is a signing command: flags registers its flags (beside the
// signer's), build returns the message type and value.
func (m *Main) contractMsg(use, short string, flags func(f *pflag.FlagSet), required []string,
	build func(fs *fundSession, args []string) (string, any, error)) *cobra.Command {
	var s signerFlags
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(len(strings.Fields(strings.Split(use, " --")[0])) - 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			typ, v, err := build(fs, args)
			if err != nil {
				return err
			}
			return fs.sendMsg(typ, v)
		},
	}
	s.register(c.Flags())
	flags(c.Flags())
	for _, r := range required {
		_ = c.MarkFlagRequired(r)
	}
	return c
}

func (m *Main) contractTypeSetCmd() *cobra.Command {
	var file string
	return m.contractMsg("set --file TYPE.json", "Create or replace a contract type (the regulator); the file holds the type as otc contract type ID prints it",
		func(f *pflag.FlagSet) { f.StringVar(&file, "file", "", "JSON file of the type") }, []string{"file"},
		func(_ *fundSession, _ []string) (string, any, error) {
			var v contract.SetType
			if err := readJSONFile(file, &v); err != nil {
				return "", nil, err
			}
			return contract.TypeSetType, &v, nil
		})
}

func (m *Main) contractSealRegisterCmd() *cobra.Command {
	var seal, name, image string
	return m.contractMsg("register --seal IDENTITY-ID --name NAME --image FILE",
		"Register a seal certificate (an identity of the organisation with the role seal) as a contract seal, with the hash of its image (the organisation's admin)",
		func(f *pflag.FlagSet) {
			f.StringVar(&seal, "seal", "", "identity id of the seal certificate (registered with otc identity register)")
			f.StringVar(&name, "name", "", `the seal's name, e.g. "contract seal 合同专用章"`)
			f.StringVar(&image, "image", "", "the seal image file (its SHA-256, or SM3 for an SM2 organisation, goes on chain)")
		}, []string{"seal", "name", "image"},
		func(fs *fundSession, _ []string) (string, any, error) {
			b, err := os.ReadFile(image)
			if err != nil {
				return "", nil, err
			}
			return contract.TypeRegisterSeal, &contract.RegisterSeal{Seal: strings.ToLower(seal), Name: name,
				ImageHash: hex.EncodeToString(crypto.Hash(fs.key.Algorithm(), b))}, nil
		})
}

func (m *Main) contractCreateCmd() *cobra.Command {
	var v contract.Create
	var parties []string
	var file string
	return m.contractMsg("create --id ID --type TYPE --title TEXT --party ORG[:IDENTITY-ID]... --file DOC",
		"Draft a contract with its first version (a party): the document is hashed and sealed here for every party and the regulator",
		func(f *pflag.FlagSet) {
			f.StringVar(&v.ID, "id", "", "contract id (1 to 64 of A-Z a-z 0-9 . _ -)")
			f.StringVar(&v.Type, "type", "", "contract type (otc contract types)")
			f.StringVar(&v.Title, "title", "", "title")
			f.StringArrayVar(&parties, "party", nil, "a party in the type's order: ORG, or ORG:IDENTITY-ID for an investor (repeat)")
			f.StringVar(&file, "file", "", "the document (at most 512 KiB less 16 bytes; larger files belong in the data-exchange store)")
			f.StringVar(&v.Expires, "expires", "", "expiry date YYYY-MM-DD (China date)")
			f.StringVar(&v.Fund, "fund", "", "subject fund code (fund contracts, risk disclosures, subscriptions)")
			f.StringVar(&v.Investor, "investor", "", "subject investor id (risk disclosures, subscriptions)")
		}, []string{"id", "type", "title", "party", "file"},
		func(fs *fundSession, _ []string) (string, any, error) {
			for _, p := range parties {
				org, id, _ := strings.Cut(p, ":")
				v.Parties = append(v.Parties, contract.Party{Org: org, Identity: strings.ToLower(id)})
			}
			doc, err := fs.sealDocument(v.ID, file, v.Parties)
			if err != nil {
				return "", nil, err
			}
			v.Document = *doc
			return contract.TypeCreate, &v, nil
		})
}

func (m *Main) contractUploadCmd() *cobra.Command {
	var v contract.UploadVersion
	var file string
	return m.contractMsg("upload --contract ID --replaces N --file DOC",
		"Upload a new version replacing the latest (a re-draft after a rejection, or an amendment); sealed like create",
		func(f *pflag.FlagSet) {
			f.StringVar(&v.Contract, "contract", "", "contract id")
			f.IntVar(&v.Replaces, "replaces", 0, "the version replaced (the latest)")
			f.StringVar(&file, "file", "", "the new document")
			f.StringVar(&v.Comment, "comment", "", "what changed (recorded on chain)")
		}, []string{"contract", "replaces", "file"},
		func(fs *fundSession, _ []string) (string, any, error) {
			c, err := fs.readContract(v.Contract)
			if err != nil {
				return "", nil, err
			}
			doc, err := fs.sealDocument(c.ID, file, c.Parties)
			if err != nil {
				return "", nil, err
			}
			v.Document = *doc
			return contract.TypeUploadVersion, &v, nil
		})
}

func (m *Main) contractReviewCmd() *cobra.Command {
	var v contract.ReviewMsg
	var approve, reject bool
	return m.contractMsg("review --contract ID --version N --stage S (--approve | --reject --comment C)",
		"Approve or reject the review stage due (a reviewer of the stage: see otc contract type)",
		func(f *pflag.FlagSet) {
			f.StringVar(&v.Contract, "contract", "", "contract id")
			f.IntVar(&v.Version, "version", 0, "the version in review")
			f.StringVar(&v.Stage, "stage", "", "the stage due, e.g. legal")
			f.BoolVar(&approve, "approve", false, "approve the stage")
			f.BoolVar(&reject, "reject", false, "reject the version (needs --comment)")
			f.StringVar(&v.Comment, "comment", "", "comment (recorded on chain)")
		}, []string{"contract", "version", "stage"},
		func(_ *fundSession, _ []string) (string, any, error) {
			if approve == reject {
				return "", nil, errors.New("give either --approve or --reject")
			}
			v.Approve = approve
			return contract.TypeReview, &v, nil
		})
}

func (m *Main) contractTerminateCmd() *cobra.Command {
	var v contract.Terminate
	return m.contractMsg("terminate --contract ID --reason R",
		"Ask to terminate an effective contract (a party); under an all_parties type it ends once every party asked",
		func(f *pflag.FlagSet) {
			f.StringVar(&v.Contract, "contract", "", "contract id")
			f.StringVar(&v.Reason, "reason", "", "reason (recorded on chain)")
		}, []string{"contract", "reason"},
		func(_ *fundSession, _ []string) (string, any, error) { return contract.TypeTerminate, &v, nil })
}

func (m *Main) contractArchiveCmd() *cobra.Command {
	var v contract.Archive
	return m.contractMsg("archive --contract ID", "Archive a terminated or expired contract (a party); nothing is deleted",
		func(f *pflag.FlagSet) { f.StringVar(&v.Contract, "contract", "", "contract id") }, []string{"contract"},
		func(_ *fundSession, _ []string) (string, any, error) { return contract.TypeArchive, &v, nil })
}

func (m *Main) contractSignCmd() *cobra.Command {
	var v contract.Sign
	var sealKey, bio string
	return m.contractMsg("sign --contract ID --version N [--seal-key NAME] [--biometric-record FILE]",
		"Sign a version (a party): opens the document, checks its hash, signs with the identity key and, for an organisation, its seal",
		func(f *pflag.FlagSet) {
			f.StringVar(&v.Contract, "contract", "", "contract id")
			f.IntVar(&v.Version, "version", 0, "the version to sign")
			f.StringVar(&sealKey, "seal-key", "seal", "key name (same keystore) of the organisation's registered seal")
			f.StringVar(&bio, "biometric-record", "", "a face/fingerprint verification record: only its hash goes on chain")
		}, []string{"contract", "version"},
		func(fs *fundSession, _ []string) (string, any, error) {
			ver, _, err := fs.openVersion(v.Contract, v.Version)
			if err != nil {
				return "", nil, err
			}
			c, err := fs.readContract(v.Contract)
			if err != nil {
				return "", nil, err
			}
			var t contract.Type
			if _, err := fs.query("contract/types/"+c.Type, nil, &t); err != nil {
				return "", nil, err
			}
			st := contract.SignStatement(fs.chainID, c.ID, ver.N, ver.Document.HashAlg, ver.Document.Hash)
			sig, err := fs.key.Sign(st)
			if err != nil {
				return "", nil, fmt.Errorf("sign: %w", err)
			}
			v.Hash, v.Signature = ver.Document.Hash, hex.EncodeToString(sig)
			if t.Seal && fs.cert.Role != string(module.RoleInvestor) {
				info, err := fs.ks.Get(sealKey)
				if err != nil {
					return "", nil, fmt.Errorf("seal key: %w (a %s is signed with the organisation's registered seal: --seal-key NAME)", err, t.ID)
				}
				if info.IdentityID == "" {
					return "", nil, fmt.Errorf("seal key %q has no certificate", sealKey)
				}
				sk, err := fs.ks.Load(sealKey, []byte(fs.pass))
				if err != nil {
					return "", nil, fmt.Errorf("seal key: %w", err)
				}
				ssig, err := sk.Sign(st)
				if err != nil {
					return "", nil, fmt.Errorf("seal: %w", err)
				}
				v.Seal, v.SealSig = info.IdentityID, hex.EncodeToString(ssig)
			}
			if bio != "" {
				b, err := os.ReadFile(bio)
				if err != nil {
					return "", nil, err
				}
				v.Biometric = hex.EncodeToString(crypto.Hash(fs.key.Algorithm(), b))
			}
			return contract.TypeSign, &v, nil
		})
}

func (m *Main) contractDownloadCmd() *cobra.Command {
	var s signerFlags
	var version int
	var out string
	c := &cobra.Command{
		Use:   "download ID --version N --out FILE",
		Short: "Fetch a version's document, decrypt it with the caller's encryption key, check its hash, record the download on chain and write the file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			ver, plain, err := fs.openVersion(args[0], version)
			if err != nil {
				return err
			}
			// The operation evidence first: no copy leaves the chain unrecorded.
			a, err := tx.NewAny(contract.TypeRecordView, &contract.RecordView{Contract: ver.Contract, Version: ver.N, Action: "download"})
			if err != nil {
				return err
			}
			hash, _, err := fs.send(a)
			if err != nil {
				return fmt.Errorf("record the download: %w", err)
			}
			if err := os.WriteFile(out, plain, 0o600); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "version %d of %s (%s, %d bytes, %s %s) written to %s; download recorded in tx %s\n",
				ver.N, ver.Contract, ver.Document.Name, len(plain), ver.Document.HashAlg, ver.Document.Hash, out, hash)
			return nil
		},
	}
	s.register(c.Flags())
	c.Flags().IntVar(&version, "version", 0, "version (default: the latest)")
	c.Flags().StringVar(&out, "out", "", "file to write")
	_ = c.MarkFlagRequired("out")
	return c
}

// ---- documents

func (fs *fundSession) readContract(id string) (*contract.Contract, error) {
	var c contract.Contract
	if _, err := fs.query("contract/contracts/"+id, nil, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// sealDocument reads a document and seals it for every party's readers
// and every regulator identity (contract.SealDocument).
func (fs *fundSession) sealDocument(contractID, path string, parties []contract.Party) (*contract.Document, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if max := int64(contract.MaxDocumentBytes - 16); fi.Size() > max {
		return nil, fmt.Errorf("%s is %d bytes: at most %d bytes (512 KiB less 16) are kept on chain; keep a larger file in the data-exchange store and sign a document that references it by its hash", path, fi.Size(), max)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	targets := contract.ReaderTargets(parties)
	keys, err := fs.keySet(targets)
	if err != nil {
		return nil, err
	}
	readers, err := keys.Recipients(targets)
	if err != nil {
		return nil, fmt.Errorf("the document cannot be sealed: %w", err)
	}
	return contract.SealDocument(fs.key.Algorithm(), contractID, filepath.Base(path), b, readers)
}

// openVersion fetches a version (0: the latest) with its encrypted
// document, decrypts it with the caller's encryption key and checks that
// the plaintext has the recorded hash.
func (fs *fundSession) openVersion(id string, n int) (*contract.Version, []byte, error) {
	if n == 0 {
		c, err := fs.readContract(id)
		if err != nil {
			return nil, nil, err
		}
		n = c.Version
	}
	var v contract.Version
	if _, err := fs.query("contract/contracts/"+id+"/versions/"+strconv.Itoa(n), nil, &v); err != nil {
		return nil, nil, err
	}
	if v.Contract == "" {
		v.Contract = id
	}
	key, err := fs.ownEncKey()
	if err != nil {
		return nil, nil, fmt.Errorf("cannot decrypt: %w", err)
	}
	plain, err := contract.OpenDocument(&v, fs.id, key)
	if err != nil {
		return nil, nil, err
	}
	return &v, plain, nil
}
