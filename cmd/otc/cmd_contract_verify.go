package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/tx"
)

// contractVerification is what otc contract verify reports (--json).
type contractVerification struct {
	File    string          `json:"file"`
	Size    int64           `json:"size"`
	SHA256  string          `json:"sha256"`
	SM3     string          `json:"sm3"`
	Found   bool            `json:"found"`
	Matches []contractMatch `json:"matches"`
	// TrustRoot is the receipts' trust root ("" when receipts were not
	// checked: no --genesis or --trusted-header).
	TrustRoot string `json:"trust_root,omitempty"`
	OK        bool   `json:"ok"`
}

// contractMatch is one version whose document has the file's hash, as the
// node reports it, with its signatures' receipts verified here.
type contractMatch struct {
	contract.VersionReport
	Receipts []receiptCheck `json:"receipts,omitempty"`
}

// receiptCheck is the offline verification of a signing tx's receipt.
type receiptCheck struct {
	Tx          string `json:"tx"`
	Signer      string `json:"signer"`
	OK          bool   `json:"ok"`
	Height      int64  `json:"height,omitempty"`
	BlockTime   string `json:"block_time,omitempty"`
	SignedPower int64  `json:"signed_power,omitempty"`
	TotalPower  int64  `json:"total_power,omitempty"`
	Error       string `json:"error,omitempty"`
}

func (m *Main) contractVerifyCmd() *cobra.Command {
	var s signerFlags
	var genesisFile, headerFile string
	var asJSON bool
	c := &cobra.Command{
		Use:   "verify FILE [--genesis genesis.json | --trusted-header F] [--api URL]",
		Short: "Verify a contract file: which version it is, its signatures, seals and certificates, and (with a trust root) each signing tx's receipt offline",
		Long: `verify hashes FILE with SHA-256 and SM3 and asks the node for the
verification report of every contract version whose document has either hash
(GET /v1/q/contract/verify/{alg}/{hash}, any logged-in member: use the signer
flags). The report gives the contract, the version and its status, whether the
file matches, and for each signature the signer, its organisation, the time,
the certificate checks (issued by the organisation's CA, valid and unrevoked
at signing), the seal checks and the biometric record's hash; and the four
conditions of the Electronic Signature Law article 13 and how each is met.

With --genesis or --trusted-header it also fetches the receipt of every
signing transaction and verifies it offline (proof.Verify): the tx is in a
block signed by more than 2/3 of the validators' power, was sent by the
signer, and carries that signature of that version.

Exit status 0 only when the file matches a contract version and every check
holds; otherwise 1, saying what failed. --json prints the report as JSON.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var trust *proof.Trust
			if genesisFile != "" || headerFile != "" {
				t, err := loadTrust(genesisFile, headerFile)
				if err != nil {
					return err
				}
				trust = &t
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			fs, cancel, err := m.openFund(cmd, &s, false)
			if err != nil {
				return err
			}
			defer cancel()
			if fs.key == nil {
				return errors.New("the verification report is read by a member: log in with --home NET --as ORG/KEY, or --keystore DIR --key NAME")
			}
			v := &contractVerification{File: args[0], Size: int64(len(b)), Matches: []contractMatch{},
				SHA256: hex.EncodeToString(crypto.Hash(crypto.Ed25519, b)), SM3: hex.EncodeToString(crypto.Hash(crypto.SM2, b))}
			for _, h := range []struct{ alg, hash string }{{"sha256", v.SHA256}, {"sm3", v.SM3}} {
				var r contract.Report
				if _, err := fs.query("contract/verify/"+h.alg+"/"+h.hash, nil, &r); err != nil {
					return err
				}
				for _, vr := range r.Matches {
					v.Matches = append(v.Matches, contractMatch{VersionReport: vr})
				}
			}
			v.Found = len(v.Matches) > 0
			v.OK = v.Found
			if trust != nil {
				v.TrustRoot = trust.String()
			}
			for i := range v.Matches {
				mt := &v.Matches[i]
				v.OK = v.OK && mt.Valid
				if trust == nil {
					continue
				}
				for _, sg := range mt.Signatures {
					rc := fs.checkSignReceipt(*trust, mt.Contract, mt.Version, sg.Signature)
					v.OK = v.OK && rc.OK
					mt.Receipts = append(mt.Receipts, rc)
				}
			}
			if asJSON {
				out, err := json.MarshalIndent(v, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintln(m.Stdout, string(out))
			} else {
				printContractVerification(m.Stdout, v)
			}
			switch {
			case !v.Found:
				return fmt.Errorf("%s matches no contract version (sha256 %s, sm3 %s): not a document signed on this chain, or altered", v.File, v.SHA256, v.SM3)
			case !v.OK:
				return fmt.Errorf("%s: verification FAILED (see above)", v.File)
			}
			return nil
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	c.Flags().StringVar(&genesisFile, "genesis", "", "the chain's genesis.json: verify each signing tx's receipt from the genesis validators")
	c.Flags().StringVar(&headerFile, "trusted-header", "", "a trusted signed header + validator set (otc checkpoint) as the receipts' trust root")
	c.Flags().BoolVar(&asJSON, "json", false, "print the report (with the receipt results) as JSON")
	return c
}

// checkSignReceipt fetches the receipt of a signing tx and verifies it
// offline: committed in a block signed by more than 2/3 of the voting power
// reached from the trust root, with result code 0, sent by the signer and
// carrying this signature of this version.
func (fs *fundSession) checkSignReceipt(trust proof.Trust, contractID string, version int, s contract.Signature) receiptCheck {
	return fs.checkTxReceipt(trust, txClaim{tx: s.Tx, signer: s.Signer, height: s.Height, who: "signer", source: "the signature",
		carries: func(msgs []tx.Any) bool { return carriesSign(msgs, contractID, version, s.Signature) },
		missing: fmt.Sprintf("the tx carries no contract/sign of version %d of %s with this signature", version, contractID)})
}

// txClaim is what a record says of the tx that made it, for checkTxReceipt.
type txClaim struct {
	tx, signer string
	height     int64
	who        string // "signer", "sender": how the messages name the signer
	source     string // "the signature", "the record": what claims the height
	carries    func(msgs []tx.Any) bool
	missing    string // the failure when carries is false
}

// checkTxReceipt fetches the receipt of a claimed tx (waiting while it is not
// ready) and verifies it offline against trust, then checks it is the tx, in
// the block, sent by the signer and carrying the message the claim names.
func (fs *fundSession) checkTxReceipt(trust proof.Trust, c txClaim) receiptCheck {
	rc := receiptCheck{Tx: c.tx, Signer: c.signer}
	fail := func(format string, a ...any) receiptCheck {
		rc.OK, rc.Error = false, fmt.Sprintf(format, a...)
		return rc
	}
	var b []byte
	var err error
	for {
		b, err = fs.api.ReceiptJSON(fs.ctx, c.tx)
		if err == nil || !client.IsCode(err, client.CodeReceiptNotReady) {
			break
		}
		select {
		case <-fs.ctx.Done():
			return fail("receipt not ready: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	if err != nil {
		return fail("fetch the receipt: %v", err)
	}
	r, err := proof.Unmarshal(b)
	if err != nil {
		return fail("receipt: %v", err)
	}
	rep, err := proof.Verify(r, trust)
	if err != nil {
		return fail("receipt does NOT verify: %v", err)
	}
	rc.Height, rc.SignedPower, rc.TotalPower = rep.Height, rep.SignedPower, rep.TotalPower
	rc.BlockTime = rep.BlockTime.UTC().Format(time.RFC3339Nano)
	switch {
	case !strings.EqualFold(rep.TxHash, c.tx):
		return fail("the receipt is of tx %s, not %s", rep.TxHash, c.tx)
	case rep.Code != 0:
		return fail("the tx was refused (code %d)", rep.Code)
	case rep.Height != c.height:
		return fail("the tx is in block %d, %s says %d", rep.Height, c.source, c.height)
	}
	env, err := tx.Decode(r.Tx)
	if err != nil {
		return fail("the receipt's tx: %v", err)
	}
	if env.SignerID() != c.signer {
		return fail("the tx was sent by %s, not by the %s %s", env.SignerID(), c.who, c.signer)
	}
	body, err := tx.DecodeBody(env.Body)
	if err != nil {
		return fail("the receipt's tx: %v", err)
	}
	if !c.carries(body.Msgs) {
		return fail("%s", c.missing)
	}
	rc.OK = true
	return rc
}

// carriesSign says whether msgs (or a batch among them) hold the
// contract/sign message of a version with signature sig.
func carriesSign(msgs []tx.Any, id string, version int, sig string) bool {
	for _, a := range msgs {
		switch a.Type {
		case tx.BatchMsgType:
			var b tx.Batch
			if json.Unmarshal(a.Value, &b) == nil && carriesSign(b.Items, id, version, sig) {
				return true
			}
		case contract.TypeSign:
			var s contract.Sign
			if json.Unmarshal(a.Value, &s) == nil && s.Contract == id && s.Version == version && s.Signature == sig {
				return true
			}
		}
	}
	return false
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

func printContractVerification(w io.Writer, v *contractVerification) {
	fmt.Fprintf(w, "file %s (%d bytes)\n  sha256 %s\n  sm3    %s\n", v.File, v.Size, v.SHA256, v.SM3)
	if !v.Found {
		fmt.Fprintln(w, "NOT FOUND: no contract version on this chain has this document (an altered file, or one never signed here)")
		return
	}
	for _, mt := range v.Matches {
		inForce := ""
		if mt.InForce {
			inForce = ", in force"
		}
		fmt.Fprintf(w, "\ncontract %s %q (%s)\n  version %d: version %s, contract %s%s\n", mt.Contract, mt.Title, mt.Type, mt.Version, mt.VersionStatus, mt.ContractStatus, inForce)
		fmt.Fprintf(w, "  document matches the signed hash: %s\n", yesNo(mt.DocumentMatches))
		parties := make([]string, len(mt.Parties))
		for i, p := range mt.Parties {
			parties[i] = p.Org
			if p.Identity != "" {
				parties[i] += ":" + p.Identity
			}
		}
		fmt.Fprintf(w, "  parties %s; all signed: %s\n", strings.Join(parties, ", "), yesNo(mt.AllSigned))
		for i, s := range mt.Signatures {
			fmt.Fprintf(w, "  signature %d: party %d %s, %s (%s)\n", i+1, s.Party, s.Org, s.Name, s.Signer)
			fmt.Fprintf(w, "    time %s, block %d, tx %s, %s\n", s.Time, s.Height, s.Tx, s.Algorithm)
			fmt.Fprintf(w, "    certificate: signature valid %s, issued by the organisation's CA %s, valid at signing %s, unrevoked at signing %s",
				yesNo(s.SignatureValid), yesNo(s.CertIssuedByOrgCA), yesNo(s.CertValidAtSigning), yesNo(s.UnrevokedAtSigning))
			if s.RevokedLater != "" {
				fmt.Fprintf(w, " (revoked later: %s)", s.RevokedLater)
			}
			fmt.Fprintln(w)
			if s.Seal != "" {
				fmt.Fprintf(w, "    seal %s: registered at signing %s, unrevoked %s, signature valid %s, image hash %s\n",
					s.Seal, yesNo(s.SealRegistered), yesNo(s.SealUnrevoked), yesNo(s.SealSignatureValid), s.SealImageHash)
			} else {
				fmt.Fprintln(w, "    seal: none")
			}
			if s.Biometric != "" {
				fmt.Fprintf(w, "    biometric record hash %s\n", s.Biometric)
			}
			if i < len(mt.Receipts) {
				r := mt.Receipts[i]
				if r.OK {
					fmt.Fprintf(w, "    receipt verifies (2/3+ of the validators signed block %d: %d/%d voting power)\n", r.Height, r.SignedPower, r.TotalPower)
				} else {
					fmt.Fprintf(w, "    receipt FAILS: %s\n", r.Error)
				}
			}
			if s.Problem != "" {
				fmt.Fprintf(w, "    PROBLEM: %s\n", s.Problem)
			}
		}
		fmt.Fprintln(w, "  Electronic Signature Law art. 13:")
		for _, c := range mt.Article13 {
			met := "met    "
			if !c.Met {
				met = "NOT MET"
			}
			fmt.Fprintf(w, "    [%s] %s\n              %s\n", met, c.Condition, c.How)
		}
		fmt.Fprintf(w, "  valid: %s\n", yesNo(mt.Valid))
	}
	if v.TrustRoot == "" {
		fmt.Fprintln(w, "\nreceipts not checked (give --genesis genesis.json or --trusted-header F to verify them offline)")
	} else {
		fmt.Fprintf(w, "\nreceipts checked from %s\n", v.TrustRoot)
	}
	if v.OK {
		fmt.Fprintln(w, "RESULT: verified")
	} else {
		fmt.Fprintln(w, "RESULT: FAILED")
	}
}
