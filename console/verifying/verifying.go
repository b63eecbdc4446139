// Package verifying is what the public proof page (/verify/) does, as plain
// Go: it reads a receipt, a trust root the user chose (a genesis document or
// a saved checkpoint) and optionally the document the receipt is for, checks
// them with package proof (the same code as `otc verify`), and says exactly
// what is proven or exactly which step failed. console/verifier compiles it
// to WebAssembly for the page; tests run it natively.
//
// Check never fails with a Go error: every outcome is a Result, which the
// page shows as it is.
//
// This package must never import CometBFT's RPC client, p2p or databases,
// pebble, net/http server code of ours, the app, the API or the node: it is
// compiled for the browser.
package verifying

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/otcchain/otcchain/certificate/attachment"
	"strings"
	"time"
	"unicode/utf8"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/types"
	"github.com/emmansun/gmsm/sm3"

	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/tx"
)

// Version names the verifier's interface; the page checks it.
const Version = "otcchain-verifier/1"

// MaxFileBytes bounds the document the page hashes in browser memory.
const MaxFileBytes = 512 << 20

// MaxTrustBytes bounds a genesis or checkpoint file.
const MaxTrustBytes = 32 << 20

// Steps of a failure besides proof.Step's values (trust_root also names a
// trust root file that does not decode).
const (
	StepReceiptFormat = "receipt_format" // the receipt does not decode
	StepFile          = "file_hash"      // the document's hash is not the one the transaction committed
)

// Input is one verification: the receipt's bytes (from a file today; a QR
// code or a certificate PDF carries the same JSON and only needs a reader
// that yields these bytes), the trust root's bytes, and the document, if
// any (HasFile false: no document was given).
type Input struct {
	Receipt  []byte
	Trust    []byte
	File     []byte
	HasFile  bool
	FileName string
}

// Result is what the page shows: OK and what is proven, or the failure.
// A Result with a Failure may still carry a Proven (the receipt verified,
// the document did not match).
type Result struct {
	OK      bool     `json:"ok"`
	Proven  *Proven  `json:"proven,omitempty"`
	Failure *Failure `json:"failure,omitempty"`
}

// Failure names the step that failed, in plain words, with what to do.
type Failure struct {
	Step    string `json:"step"`
	Title   string `json:"title"`   // one line, e.g. "The document does not match the receipt"
	Detail  string `json:"detail"`  // the verifier's exact error
	Advice  string `json:"advice"`  // what the user can do
	Message string `json:"message"` // Title + ": " + Detail
}

// Proven is what a verified receipt proves.
type Proven struct {
	ChainID string `json:"chain_id"`
	Height  int64  `json:"height"`
	Index   uint32 `json:"index"`
	TxHash  string `json:"tx_hash,omitempty"`
	// OutcomeKey is set for an end-block outcome receipt (no tx).
	OutcomeKey string `json:"outcome_key,omitempty"`
	BlockHash  string `json:"block_hash"`
	AppHash    string `json:"app_hash"`
	// FromCertificate: the receipt was the one attached to an evidence
	// certificate PDF (what the certificate's text says is not checked;
	// the receipt is the evidence).
	FromCertificate bool `json:"from_certificate,omitempty"`
	// BlockTime is the block's time (signed by the validators), RFC 3339
	// UTC; BlockTimeUTC and BlockTimeChina the same instant for people.
	BlockTime      string `json:"block_time"`
	BlockTimeUTC   string `json:"block_time_utc"`   // "2006-01-02 15:04:05 UTC"
	BlockTimeChina string `json:"block_time_china"` // "2006-01-02 15:04:05 China time (UTC+8)"
	Code           uint32 `json:"code"`
	// Data is the committed result data (the outcome's value for an outcome
	// receipt): text when it is UTF-8, else hex (DataHex true).
	Data    string `json:"data"`
	DataHex bool   `json:"data_hex,omitempty"`
	// Record is the committed transaction's messages (type and JSON value).
	Record []Message `json:"record,omitempty"`
	Memo   string    `json:"memo,omitempty"`
	// Signer is the identity that signed the transaction, as the tx names it.
	Signer *TxSigner `json:"signer,omitempty"`
	// Validators who signed the block, with SignedPower of TotalPower.
	Validators  []Validator `json:"validators"`
	SignedPower int64       `json:"signed_power"`
	TotalPower  int64       `json:"total_power"`
	TrustRoot   string      `json:"trust_root"` // "genesis" or "header N"
	TrustPath   []int64     `json:"trust_path"`
	// Unverified notes carried by the receipt that no proof covers.
	Log          string `json:"log_unverified,omitempty"`
	BusinessTime string `json:"business_time_unverified,omitempty"` // simulated clock of a dev/sandbox network
	Simulated    bool   `json:"simulated_clock,omitempty"`
	// File is set when a document was checked and matched.
	File *File `json:"file,omitempty"`
}

// Message is one message of the committed transaction.
type Message struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// TxSigner is the transaction's signer as the tx names it.
type TxSigner struct {
	ID  string `json:"id"`  // identity id, lower-case hex
	Alg string `json:"alg"` // signature algorithm
}

// Validator is one validator whose signature on the block was checked.
type Validator struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
	Power   int64  `json:"power"`
}

// File is the document checked against the transaction.
type File struct {
	Name      string `json:"name,omitempty"`
	Size      int    `json:"size"`
	Algorithm string `json:"algorithm"` // "sha256" or "sm3": the hash the transaction committed
	Hash      string `json:"hash"`      // lower-case hex
	SHA256    string `json:"sha256"`
	SM3       string `json:"sm3"`
}

// Check verifies in and returns what the page shows.
func Check(in Input) Result {
	if len(bytes.TrimSpace(in.Receipt)) == 0 {
		return failed(nil, StepReceiptFormat, errors.New("no receipt was given"))
	}
	receipt, fromPDF := in.Receipt, false
	if attachment.IsPDF(receipt) {
		b, err := attachment.Receipt(receipt)
		if err != nil {
			return failed(nil, StepReceiptFormat, fmt.Errorf("the certificate PDF: %w", err))
		}
		receipt, fromPDF = b, true
	}
	r, err := proof.Unmarshal(receipt)
	if err != nil {
		return failed(nil, StepReceiptFormat, err)
	}
	trust, err := ParseTrust(in.Trust)
	if err != nil {
		return failed(nil, string(proof.StepTrustRoot), err)
	}
	rep, err := proof.Verify(r, trust)
	if err != nil {
		step := string(proof.StepOf(err))
		if step == "" {
			step = string(proof.StepReceipt)
		}
		return failed(nil, step, err)
	}
	p := proven(r, rep)
	p.FromCertificate = fromPDF
	if in.HasFile {
		f, err := checkFile(r, in)
		if err != nil {
			return failed(p, StepFile, err)
		}
		p.File = f
	}
	return Result{OK: true, Proven: p}
}

// ParseTrust reads a trust root: a genesis document (genesis.json, or the
// body of GET /v1/genesis) or a checkpoint written by `otc checkpoint`
// ({"signed_header", "validator_set"}).
func ParseTrust(b []byte) (proof.Trust, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return proof.Trust{}, errors.New("no trust root was given: choose the chain's genesis.json or a checkpoint file")
	}
	if len(b) > MaxTrustBytes {
		return proof.Trust{}, fmt.Errorf("the trust root file has %d bytes, more than the %d a genesis or checkpoint can have", len(b), MaxTrustBytes)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return proof.Trust{}, fmt.Errorf("the trust root is not a JSON object: %w", err)
	}
	if _, ok := keys["signed_header"]; ok {
		var cp struct {
			SignedHeader *types.SignedHeader `json:"signed_header"`
			Validators   *types.ValidatorSet `json:"validator_set"`
		}
		if err := cmtjson.Unmarshal(b, &cp); err != nil {
			return proof.Trust{}, fmt.Errorf("checkpoint: %w", err)
		}
		return proof.TrustFromHeader(cp.SignedHeader, cp.Validators)
	}
	if _, ok := keys["validators"]; !ok {
		if _, ok := keys["genesis_time"]; !ok {
			return proof.Trust{}, errors.New("the trust root is neither a genesis document (genesis.json) nor a checkpoint (otc checkpoint)")
		}
	}
	doc, err := types.GenesisDocFromJSON(b)
	if err != nil {
		return proof.Trust{}, fmt.Errorf("genesis: %w", err)
	}
	return proof.TrustFromGenesis(doc)
}

var chinaZone = time.FixedZone("UTC+8", 8*3600)

const stamp = "2006-01-02 15:04:05"

func proven(r *proof.Receipt, rep *proof.Report) *Proven {
	t := rep.BlockTime.UTC()
	p := &Proven{
		ChainID:        rep.ChainID,
		Height:         rep.Height,
		Index:          rep.Index,
		TxHash:         rep.TxHash,
		OutcomeKey:     rep.OutcomeKey,
		BlockHash:      rep.BlockHash,
		AppHash:        rep.AppHash,
		BlockTime:      t.Format(time.RFC3339Nano),
		BlockTimeUTC:   t.Format(stamp) + " UTC",
		BlockTimeChina: t.In(chinaZone).Format(stamp) + " China time (UTC+8)",
		Code:           rep.Code,
		SignedPower:    rep.SignedPower,
		TotalPower:     rep.TotalPower,
		TrustRoot:      rep.TrustRoot,
		TrustPath:      rep.TrustPath,
		Log:            rep.Log,
		Validators:     []Validator{},
	}
	if utf8.Valid(rep.Data) {
		p.Data = string(rep.Data)
	} else {
		p.Data, p.DataHex = hex.EncodeToString(rep.Data), true
	}
	for _, s := range rep.Signers {
		p.Validators = append(p.Validators, Validator{Name: s.Name, Address: s.Address, Power: s.VotingPower})
	}
	if r.Clock != nil && r.Clock.Simulated {
		p.Simulated, p.BusinessTime = true, r.Clock.BusinessTime
	}
	if r.Outcome == nil {
		// The tx bytes are proven; what they say is read from them.
		if env, err := tx.Decode(r.Tx); err == nil {
			p.Signer = &TxSigner{ID: env.SignerID(), Alg: tx.AlgName(env.Alg)}
			if body, err := tx.DecodeBody(env.Body); err == nil {
				p.Memo = body.Memo
				for _, m := range body.Msgs {
					p.Record = append(p.Record, Message{Type: m.Type, Value: m.Value})
				}
			}
		}
	}
	return p
}

func checkFile(r *proof.Receipt, in Input) (*File, error) {
	if r.Outcome != nil {
		return nil, errors.New("this receipt proves an end-block outcome, which commits to no document: verify it without a document")
	}
	if len(in.File) > MaxFileBytes {
		return nil, fmt.Errorf("the document has %d bytes, more than the %d this page hashes", len(in.File), MaxFileBytes)
	}
	s, m := sha256.Sum256(in.File), sm3.Sum(in.File)
	f := &File{Name: in.FileName, Size: len(in.File), SHA256: hex.EncodeToString(s[:]), SM3: hex.EncodeToString(m[:])}
	h, err := proof.CheckFile(r, in.File)
	if err != nil {
		return nil, err
	}
	f.Hash, f.Algorithm = h, "sha256"
	if h == f.SM3 {
		f.Algorithm = "sm3"
	}
	return f, nil
}

// failure texts by step: title and advice.
var failures = map[string][2]string{
	StepReceiptFormat: {"The receipt could not be read",
		"Choose the receipt JSON exactly as the node gave it (GET /v1/receipts/{hash}, or otc receipt). This file is damaged, altered or not a receipt."},
	string(proof.StepReceipt): {"The receipt is not a valid receipt",
		"Get the receipt again from a node (otc receipt, or GET /v1/receipts/{hash})."},
	string(proof.StepTrustRoot): {"The trust root cannot be used for this receipt",
		"Choose this chain's genesis.json, or a checkpoint (otc checkpoint) of the same chain at or below the receipt's height, obtained from a member you trust."},
	string(proof.StepCommit): {"The validators' signatures on the block do not verify",
		"A block header, a validator set or a signature in the receipt was altered or is incomplete. Do not rely on this receipt; get it again from a node."},
	string(proof.StepTrustPath): {"The block was not signed by the validators of your trust root",
		"The receipt was signed by validators your trust root does not vouch for: check that you chose the right chain's genesis or checkpoint. Otherwise the receipt is forged."},
	string(proof.StepTx): {"The transaction is not proven to be in the block",
		"The transaction bytes or their Merkle proof in the receipt were altered. Do not rely on this receipt; get it again from a node."},
	string(proof.StepResult): {"The transaction's result is not proven",
		"The result (code or data) or its Merkle proof in the receipt were altered. Do not rely on this receipt; get it again from a node."},
	string(proof.StepOutcome): {"The end-block outcome is not proven",
		"The outcome or its Merkle proof in the receipt were altered. Do not rely on this receipt; get it again from a node."},
	StepFile: {"The document does not match the receipt",
		"The transaction is proven, but it committed another document's hash: this file was changed since it was recorded, or it is another file. Choose the original document."},
}

func failed(p *Proven, step string, err error) Result {
	ta, ok := failures[step]
	if !ok {
		ta = [2]string{"Verification failed", "Get the receipt again from a node."}
	}
	detail := strings.TrimPrefix(err.Error(), "proof: ")
	return Result{Proven: p, Failure: &Failure{Step: step, Title: ta[0], Detail: detail, Advice: ta[1], Message: ta[0] + ": " + detail}}
}

// CheckJSON is Check with its result as JSON (the page's interface).
func CheckJSON(in Input) string {
	b, err := json.Marshal(Check(in))
	if err != nil {
		b, _ = json.Marshal(Result{Failure: &Failure{Step: "internal", Title: "Internal error", Detail: err.Error(), Message: err.Error()}})
	}
	return string(b)
}
