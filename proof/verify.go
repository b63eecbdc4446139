package proof

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cometbft/cometbft/types"
)

// Report is what a verified receipt proves.
type Report struct {
	ChainID string `json:"chain_id"`
	Height  int64  `json:"height"`
	Index   uint32 `json:"index"`
	// TxHash is CometBFT's tx hash: upper-case hex SHA-256 of the tx bytes.
	TxHash string `json:"tx_hash"`
	// BlockHash is the hash of the block at Height (upper-case hex).
	BlockHash string    `json:"block_hash"`
	BlockTime time.Time `json:"block_time"`
	// AppHash is the application state hash after the block at Height
	// (header Height+1's app hash, upper-case hex).
	AppHash   string `json:"app_hash"`
	Code      uint32 `json:"code"`
	Data      []byte `json:"data"`
	GasWanted int64  `json:"gas_wanted"`
	GasUsed   int64  `json:"gas_used"`
	// Codespace and Log are copied from the receipt but NOT covered by any
	// proof: CometBFT does not hash them into LastResultsHash.
	Codespace string `json:"codespace_unverified"`
	Log       string `json:"log_unverified"`
	// Signers are the validators whose signatures on the block at Height were
	// checked, in validator-set order; SignedPower of TotalPower signed.
	Signers     []Signer `json:"signers"`
	SignedPower int64    `json:"signed_power"`
	TotalPower  int64    `json:"total_power"`
	// TrustRoot is "genesis" or "header N"; TrustPath the heights of the
	// trust path walked from it (those at or below a header root are skipped).
	TrustRoot string  `json:"trust_root"`
	TrustPath []int64 `json:"trust_path"`
	// OutcomeKey is set for an outcome receipt; Data is then the outcome's
	// value (proven under the app hash) and the tx fields are empty.
	OutcomeKey string `json:"outcome_key,omitempty"`
}

// Step names the check of Verify that failed (see Error).
type Step string

// The steps of Verify, in the order it runs them.
const (
	// StepReceipt: the receipt itself is unusable (version, kind, height).
	StepReceipt Step = "receipt"
	// StepTrustRoot: no trust root, a root of another chain, or a receipt
	// below the root's height.
	StepTrustRoot Step = "trust_root"
	// StepCommit: a signed header of the receipt is invalid, its validator
	// set does not match it, or its commit signatures do not verify.
	StepCommit Step = "commit"
	// StepTrustPath: the validators who signed are not reached from the
	// trust root (a different validator set, or a broken trust path).
	StepTrustPath Step = "trust_path"
	// StepTx: the tx is not proven under its block's data hash.
	StepTx Step = "tx_proof"
	// StepResult: the result is not proven under the next block's results hash.
	StepResult Step = "result_proof"
	// StepOutcome: the end-block outcome is not proven under the app hash.
	StepOutcome Step = "outcome_proof"
)

// Error is a failed verification: the step that failed and why. Every error
// Verify returns is an *Error; its message is the cause's.
type Error struct {
	Step Step
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// StepOf returns the step of a Verify error, or "" for another error.
func StepOf(err error) Step {
	var e *Error
	if errors.As(err, &e) {
		return e.Step
	}
	return ""
}

// stepError wraps err as a failure of step s, unless it already names one.
func stepError(s Step, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Step: s, Err: err}
}

// Signer is one validator that signed the block at the receipt's height.
type Signer struct {
	Address     string `json:"address"` // upper-case hex, as in CometBFT
	Name        string `json:"name,omitempty"`
	VotingPower int64  `json:"voting_power"`
}

// Verify checks a receipt offline against a trust root, with CometBFT's own
// functions, and returns what it proves. It checks, in order:
//
//   - version, chain id (receipt vs trust root), height;
//   - for the blocks at Height and Height+1 (and each trust path entry):
//     SignedHeader.ValidateBasic, the validator set hashes to the header's
//     ValidatorsHash, and the commit is signed by more than 2/3 of that set's
//     power (VerifyCommitLight, in its variant that checks every signature);
//   - the trust path, from the root up: each light block must be signed by
//     more than 2/3 of the power of the set trusted before it
//     (VerifyCommitLightTrusting at 2/3, see trustLevel) unless its validator
//     set is the trusted one; a light block directly after a trusted header
//     is accepted, as in CometBFT's sequential verification, when its
//     validators hash is the trusted header's next validators hash and it
//     links to it by last block id; the block at Height is reached the same
//     way, and Height+1 is adjacent to Height;
//   - the tx equals the tx proof's data, the proof is for Index and matches
//     header(Height).DataHash (TxProof.Validate);
//   - the result's Code, Data, GasWanted and GasUsed, as CometBFT hashes them,
//     are proven for Index under header(Height+1).LastResultsHash.
//
// No trusting period is applied (there is no trustworthy clock offline); header
// times must only increase along the path. Every failure is an error naming the
// height and what failed; it is an *Error naming the step (StepOf).
func Verify(r *Receipt, trust Trust) (*Report, error) {
	if r == nil {
		return nil, stepError(StepReceipt, errors.New("proof: no receipt"))
	}
	if r.Version != Version && r.Version != OutcomeVersion {
		return nil, stepError(StepReceipt, fmt.Errorf("proof: unsupported receipt version %q (this verifier reads %q and %q)", r.Version, Version, OutcomeVersion))
	}
	if (r.Version == OutcomeVersion) != (r.Outcome != nil) {
		return nil, stepError(StepReceipt, fmt.Errorf("proof: a %q receipt must carry an outcome, and only it", OutcomeVersion))
	}
	if trust.vals == nil {
		return nil, stepError(StepTrustRoot, errors.New("proof: no trust root (use TrustFromGenesis or TrustFromHeader)"))
	}
	if r.ChainID != trust.chainID {
		return nil, stepError(StepTrustRoot, fmt.Errorf("proof: receipt is for chain id %q, the trust root is for chain id %q", r.ChainID, trust.chainID))
	}
	if r.Height < 1 {
		return nil, stepError(StepReceipt, fmt.Errorf("proof: receipt height %d is not positive", r.Height))
	}

	blockVals, err := checkLightBlock(r.ChainID, r.Block, r.Height)
	if err != nil {
		return nil, stepError(StepCommit, err)
	}
	nextVals, err := checkLightBlock(r.ChainID, r.Next, r.Height+1)
	if err != nil {
		return nil, stepError(StepCommit, err)
	}

	prev := int64(0)
	for i, lb := range r.TrustPath {
		if lb.SignedHeader == nil || lb.SignedHeader.Header == nil {
			return nil, stepError(StepTrustPath, fmt.Errorf("proof: trust path entry %d has no signed header", i))
		}
		h := lb.SignedHeader.Height
		if h <= prev {
			return nil, stepError(StepTrustPath, fmt.Errorf("proof: trust path heights must ascend: %d after %d", h, prev))
		}
		if h >= r.Height {
			return nil, stepError(StepTrustPath, fmt.Errorf("proof: trust path height %d is not below the receipt height %d", h, r.Height))
		}
		prev = h
	}
	w := walker{chainID: r.ChainID, vals: trust.vals, header: trust.header, height: trust.height}
	walked := []int64{}
	for _, lb := range r.TrustPath {
		h := lb.SignedHeader.Height
		if w.header != nil && h <= w.header.Height {
			continue // before a header root: nothing to prove
		}
		vals, err := checkLightBlock(r.ChainID, lb, h)
		if err != nil {
			return nil, stepError(StepTrustPath, fmt.Errorf("%w (trust path)", err))
		}
		if err := w.advance(lb.SignedHeader, vals); err != nil {
			return nil, stepError(StepTrustPath, err)
		}
		walked = append(walked, h)
	}
	if err := w.advance(r.Block.SignedHeader, blockVals); err != nil {
		return nil, stepError(StepTrustPath, err)
	}
	if err := w.advance(r.Next.SignedHeader, nextVals); err != nil {
		return nil, stepError(StepTrustPath, err)
	}

	header, next := r.Block.SignedHeader.Header, r.Next.SignedHeader.Header
	if r.Outcome != nil {
		if err := checkOutcome(r, next.AppHash); err != nil {
			return nil, stepError(StepOutcome, err)
		}
	} else {
		if err := checkTx(r, header); err != nil {
			return nil, stepError(StepTx, err)
		}
		if err := checkResult(r, next); err != nil {
			return nil, stepError(StepResult, err)
		}
	}

	rep := &Report{
		ChainID:    r.ChainID,
		Height:     r.Height,
		Index:      r.Index,
		TxHash:     txHashOf(r),
		BlockHash:  header.Hash().String(),
		BlockTime:  header.Time,
		AppHash:    next.AppHash.String(),
		Code:       r.Result.Code,
		Data:       r.Result.Data,
		GasWanted:  r.Result.GasWanted,
		GasUsed:    r.Result.GasUsed,
		Codespace:  r.Result.Codespace,
		Log:        r.Result.Log,
		TotalPower: blockVals.TotalVotingPower(),
		TrustRoot:  trust.String(),
		TrustPath:  walked,
		Signers:    []Signer{},
	}
	if r.Outcome != nil {
		rep.OutcomeKey, rep.Data = r.Outcome.Key, r.Outcome.Value
	}
	for idx, cs := range r.Block.SignedHeader.Commit.Signatures {
		if cs.BlockIDFlag != types.BlockIDFlagCommit {
			continue
		}
		v := blockVals.Validators[idx] // same order, checked by VerifyCommitLight
		rep.Signers = append(rep.Signers, Signer{
			Address:     v.Address.String(),
			Name:        trust.names[v.Address.String()],
			VotingPower: v.VotingPower,
		})
		rep.SignedPower += v.VotingPower
	}
	return rep, nil
}

// checkLightBlock checks a light block on its own: signed header valid for
// the chain and at the expected height, validator set matching the header,
// commit signed by more than 2/3 of the set. Every commit signature for the
// block is verified (VerifyCommitLightAllSignatures: a receipt carrying a
// bad signature is refused even when the others reach 2/3, and the signers
// Verify reports are all proven). It returns the rebuilt validator set.
func checkLightBlock(chainID string, lb LightBlock, height int64) (*types.ValidatorSet, error) {
	sh := lb.SignedHeader
	if sh == nil || sh.Header == nil || sh.Commit == nil {
		return nil, fmt.Errorf("proof: no signed header and commit for height %d", height)
	}
	if sh.Height != height {
		return nil, fmt.Errorf("proof: signed header is for height %d, expected %d", sh.Height, height)
	}
	if err := sh.ValidateBasic(chainID); err != nil {
		return nil, fmt.Errorf("proof: signed header at height %d is invalid: %w", height, err)
	}
	// Commit.ValidateBasic leaves the block id alone, and a malformed one
	// makes CometBFT panic when it computes vote sign bytes.
	if err := sh.Commit.BlockID.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("proof: commit for height %d has an invalid block id: %w", height, err)
	}
	vals, err := validatorSet(lb.Validators)
	if err != nil {
		return nil, fmt.Errorf("proof: validator set for height %d is invalid: %w", height, err)
	}
	if !bytes.Equal(vals.Hash(), sh.ValidatorsHash) {
		return nil, fmt.Errorf("proof: validator set for height %d does not match the header's validators hash", height)
	}
	if err := vals.VerifyCommitLightAllSignatures(chainID, sh.Commit.BlockID, sh.Height, sh.Commit); err != nil {
		return nil, commitError(height, vals, err, "")
	}
	return vals, nil
}

// commitError names a failed commit check.
func commitError(height int64, vals *types.ValidatorSet, err error, whose string) error {
	var short types.ErrNotEnoughVotingPowerSigned
	if errors.As(err, &short) {
		return fmt.Errorf("proof: commit for height %d signed by %d/%d of %svoting power, more than 2/3 needed",
			height, short.Got, vals.TotalVotingPower(), whose)
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "wrong signature") {
		// CometBFT prints the whole CommitSig; keep the index only.
		if i := strings.Index(msg, ":"); i > 0 {
			msg = msg[:i]
		}
		return fmt.Errorf("proof: commit for height %d has an invalid signature: %s", height, msg)
	}
	return fmt.Errorf("proof: commit for height %d does not verify against the %svalidator set: %w", height, whose, err)
}

// walker carries trust from the root up to the receipt's blocks.
type walker struct {
	chainID string
	vals    *types.ValidatorSet // trusted set
	header  *types.Header       // trusted header (nil at a genesis root)
	height  int64               // height of vals
}

// advance moves trust to a light block already checked on its own.
func (w *walker) advance(sh *types.SignedHeader, vals *types.ValidatorSet) error {
	h := sh.Height
	switch {
	case w.header != nil && h == w.header.Height:
		if !bytes.Equal(sh.Hash(), w.header.Hash()) {
			return fmt.Errorf("proof: header %d differs from the trusted header at that height", h)
		}
	case w.header != nil && h < w.header.Height, w.header == nil && h < w.height:
		return stepError(StepTrustRoot, fmt.Errorf("proof: height %d is below the trust root height %d; use an earlier trust root", h, w.height))
	case w.header != nil && h == w.header.Height+1:
		if !sh.Time.After(w.header.Time) {
			return fmt.Errorf("proof: header %d time %s is not after header %d time %s", h, sh.Time, w.header.Height, w.header.Time)
		}
		if !bytes.Equal(sh.LastBlockID.Hash, w.header.Hash()) {
			return fmt.Errorf("proof: header %d does not follow header %d (last block id mismatch)", h, w.header.Height)
		}
		if !bytes.Equal(sh.ValidatorsHash, w.header.NextValidatorsHash) {
			return fmt.Errorf("proof: validators of header %d are not the next validators named by header %d", h, w.header.Height)
		}
	default:
		if w.header != nil && !sh.Time.After(w.header.Time) {
			return fmt.Errorf("proof: header %d time %s is not after header %d time %s", h, sh.Time, w.header.Height, w.header.Time)
		}
		if !bytes.Equal(vals.Hash(), w.vals.Hash()) {
			if err := w.vals.VerifyCommitLightTrusting(w.chainID, sh.Commit, trustLevel); err != nil {
				return commitError(h, w.vals, err, fmt.Sprintf("the trusted (height %d) ", w.height))
			}
		}
	}
	w.vals, w.header, w.height = vals, sh.Header, h
	return nil
}

func checkTx(r *Receipt, header *types.Header) error {
	if !bytes.Equal(r.Tx, r.TxProof.Data) {
		return errors.New("proof: tx differs from the data of its tx proof")
	}
	p := &r.TxProof.Proof
	if err := p.ValidateBasic(); err != nil {
		return fmt.Errorf("proof: tx proof at height %d is malformed: %w", r.Height, err)
	}
	if p.Index != int64(r.Index) {
		return fmt.Errorf("proof: tx proof is for index %d, the receipt for index %d", p.Index, r.Index)
	}
	if err := r.TxProof.Validate(header.DataHash); err != nil {
		return fmt.Errorf("proof: tx proof does not match header data hash at height %d: %w", r.Height, err)
	}
	return nil
}

func checkResult(r *Receipt, next *types.Header) error {
	p := &r.ResultProof
	if err := p.ValidateBasic(); err != nil {
		return fmt.Errorf("proof: result proof at height %d is malformed: %w", r.Height, err)
	}
	if p.Index != int64(r.Index) || p.Total != r.TxProof.Proof.Total {
		return fmt.Errorf("proof: result proof is for result %d of %d, the tx proof for tx %d of %d",
			p.Index, p.Total, r.TxProof.Proof.Index, r.TxProof.Proof.Total)
	}
	bz, err := r.Result.hashedBytes()
	if err != nil {
		return fmt.Errorf("proof: encode result: %w", err)
	}
	if err := p.Verify(next.LastResultsHash, bz); err != nil {
		return fmt.Errorf("proof: result proof does not match last results hash of header %d (result of tx %d at height %d): %w",
			next.Height, r.Index, r.Height, err)
	}
	return nil
}

func txHashOf(r *Receipt) string {
	if r.Outcome != nil {
		return ""
	}
	return fmt.Sprintf("%X", r.Tx.Hash())
}

// CheckLightBlock checks a light block on its own, without a trust root:
// the signed header is valid for chainID and at height, the validator set
// matches the header's validators hash, and every commit signature verifies
// with more than 2/3 of the set's power signing. It returns the rebuilt
// validator set. Builders of receipts use it to refuse an inconsistent
// source; a reader calls Verify.
func CheckLightBlock(chainID string, lb LightBlock, height int64) (*types.ValidatorSet, error) {
	return checkLightBlock(chainID, lb, height)
}

// Consistent checks what can be checked in a receipt without a trust root:
// each light block on its own (CheckLightBlock) and the tx and result proofs
// (or, for an outcome receipt, the outcome proof) against the receipt's own
// headers. It proves nothing about which chain signed them (call Verify);
// a builder calls it so that a misbehaving source is reported at once.
func Consistent(r *Receipt) error {
	if r == nil {
		return errors.New("proof: no receipt")
	}
	for _, lb := range r.TrustPath {
		if lb.SignedHeader == nil {
			return errors.New("proof: trust path entry without a signed header")
		}
		if _, err := checkLightBlock(r.ChainID, lb, lb.SignedHeader.Height); err != nil {
			return err
		}
	}
	if _, err := checkLightBlock(r.ChainID, r.Block, r.Height); err != nil {
		return err
	}
	if _, err := checkLightBlock(r.ChainID, r.Next, r.Height+1); err != nil {
		return err
	}
	if r.Outcome != nil {
		return checkOutcome(r, r.Next.SignedHeader.AppHash)
	}
	if err := checkTx(r, r.Block.SignedHeader.Header); err != nil {
		return err
	}
	return checkResult(r, r.Next.SignedHeader.Header)
}
