package gov

import (
	"encoding/json"
	"time"
)

// Proposal statuses.
const (
	StatusOpen      = "open"
	StatusPassed    = "passed"    // passed and every action executed
	StatusFailed    = "failed"    // passed, but an action was refused: nothing applied
	StatusRejected  = "rejected"  // passing became impossible
	StatusExpired   = "expired"   // the voting period ended undecided
	StatusWithdrawn = "withdrawn" // withdrawn by the proposer organisation
)

// Votes.
const (
	VoteYes     = "yes"
	VoteNo      = "no"
	VoteAbstain = "abstain"
)

// Action is one change a proposal makes: an action of a module with its
// JSON payload (see Allowed).
type Action struct {
	Module  string          `json:"module"`
	Action  string          `json:"action"`
	Payload json.RawMessage `json:"payload"`
}

// Name is "module/action".
func (a Action) Name() string { return a.Module + "/" + a.Action }

// Vote is an organisation's vote, cast by one of its admins.
type Vote struct {
	Org    string `json:"org"`
	Admin  string `json:"admin"` // identity id of the admin who voted
	Vote   string `json:"vote"`
	Height int64  `json:"height"`
	Time   string `json:"time"`
}

// Proposal is a governance proposal and its record.
type Proposal struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Actions     []Action `json:"actions"`
	Proposer    string   `json:"proposer"` // identity id
	ProposerOrg string   `json:"proposer_org"`
	// Electorate are the organisations active when the proposal was made
	// (sorted); Needed is the yes votes that pass it (more than 2/3).
	Electorate []string `json:"electorate"`
	Needed     int      `json:"needed"`
	// Regulators are the regulator organisations of the electorate; when
	// RegulatorRequired, each of them must vote yes.
	RegulatorRequired bool     `json:"regulator_required"`
	Regulators        []string `json:"regulators,omitempty"`
	Votes             []Vote   `json:"votes"`
	Status            string   `json:"status"`
	Submitted         int64    `json:"submitted"`      // height
	SubmittedTime     string   `json:"submitted_time"` // block time, RFC 3339
	Expires           string   `json:"expires"`        // block time from which it is expired
	Decided           int64    `json:"decided,omitempty"`
	DecidedTime       string   `json:"decided_time,omitempty"` // block time of the decision, RFC 3339
	Executed          int64    `json:"executed,omitempty"`
	// Results are the executed actions' results, in order (passed).
	Results []json.RawMessage `json:"results,omitempty"`
	// Reason says why it failed (the refusal of the failing action) or was
	// withdrawn.
	Reason string `json:"reason,omitempty"`
}

// Validator is a consensus validator as governance keeps it. Power 0:
// removed (kept for the record).
type Validator struct {
	Address    string `json:"address"` // CometBFT address, upper-case hex
	Org        string `json:"org"`
	Power      int64  `json:"power"`
	PubKeyType string `json:"pub_key_type"`
	PubKey     []byte `json:"pub_key"` // base64 in JSON
	Since      int64  `json:"since"`   // height of the last change
}

// Evidence is a recorded misbehaviour and what the chain did about it.
type Evidence struct {
	Type          string `json:"type"` // duplicate_vote, light_client_attack
	Validator     string `json:"validator"`
	Org           string `json:"org"`
	Height        int64  `json:"height"`   // height of the offence
	Time          string `json:"time"`     // time of the offence
	Recorded      int64  `json:"recorded"` // height of the block that reported it
	PowerRemoved  int64  `json:"power_removed"`
	Debited       int64  `json:"debited"`
	FloorBreached bool   `json:"floor_breached"`
}

// Bond is an organisation's insurance account (bookkeeping units).
type Bond struct {
	Org        string `json:"org"`
	Bond       int64  `json:"bond"`
	PremiumDue int64  `json:"premium_due"`
	Paid       int64  `json:"paid"`    // premiums paid, in total
	Posted     int64  `json:"posted"`  // bonds posted, in total
	Debited    int64  `json:"debited"` // debited for misbehaviour, in total
}

// Insurance is the insurance query's answer.
type Insurance struct {
	Pool  int64  `json:"pool"`
	Bonds []Bond `json:"bonds"`
}

// Claim statuses.
const (
	ClaimOpen     = "open"
	ClaimPaid     = "paid"
	ClaimRejected = "rejected"
)

// EvidenceRef is one piece of evidence of a claim: kind (tx, evidence,
// document, ...) and reference (a tx hash, an evidence key, a document
// hash).
type EvidenceRef struct {
	Kind string `json:"kind"`
	Ref  string `json:"ref"`
}

// Claim is an insurance claim.
type Claim struct {
	ID          string        `json:"id"`
	Org         string        `json:"org"`
	Amount      int64         `json:"amount"`
	Description string        `json:"description"`
	Evidence    []EvidenceRef `json:"evidence"`
	Status      string        `json:"status"`
	Filed       int64         `json:"filed"`
	FiledTime   string        `json:"filed_time"` // block time, RFC 3339
	FiledBy     string        `json:"filed_by"`
	Paid        int64         `json:"paid,omitempty"`     // height
	Proposal    string        `json:"proposal,omitempty"` // the proposal that paid it
	Rejected    int64         `json:"rejected,omitempty"` // height
	RejectedBy  string        `json:"rejected_by,omitempty"`
	Reason      string        `json:"reason,omitempty"`
	ClosedTime  string        `json:"closed_time,omitempty"` // block time it was paid or rejected
}

// Params are governance's parameters (changed by gov/set_params).
type Params struct {
	// VotingPeriod is the voting period in seconds of block time.
	VotingPeriod int64 `json:"voting_period"`
	// MinBond is the bond an organisation posts on joining.
	MinBond int64 `json:"min_bond"`
	// SlashAmount is debited from the bond of a misbehaving validator's
	// organisation (at most the bond).
	SlashAmount int64 `json:"slash_amount"`
	// Premium is added to each active organisation's premium due at every
	// period boundary (0: no premiums).
	Premium           int64 `json:"premium"`
	PremiumPeriodDays int64 `json:"premium_period_days"`
}

// DefaultParams are the parameters of a genesis that gives none.
func DefaultParams() Params {
	return Params{VotingPeriod: 7 * 24 * 3600, MinBond: 1_000_000, SlashAmount: 500_000, Premium: 10_000, PremiumPeriodDays: 30}
}

// MaxAmount bounds every amount (bookkeeping units), so sums never overflow.
const MaxAmount int64 = 1e15

// Validate checks the parameters.
func (p Params) Validate() error {
	switch {
	case p.VotingPeriod < 60 || p.VotingPeriod > 366*24*3600:
		return ErrInvalidRequest.Wrapf("voting_period must be 60 seconds to a year (in seconds)")
	case p.MinBond < 0 || p.MinBond > MaxAmount, p.SlashAmount < 0 || p.SlashAmount > MaxAmount, p.Premium < 0 || p.Premium > MaxAmount:
		return ErrInvalidRequest.Wrapf("min_bond, slash_amount and premium must be 0 to %d", MaxAmount)
	case p.PremiumPeriodDays < 1 || p.PremiumPeriodDays > 3660:
		return ErrInvalidRequest.Wrapf("premium_period_days must be 1 to 3660")
	}
	return nil
}

func (p Params) votingPeriod() time.Duration { return time.Duration(p.VotingPeriod) * time.Second }

// Genesis is the module's genesis section.
type Genesis struct {
	Params *Params       `json:"params,omitempty"`
	Bonds  []GenesisBond `json:"bonds,omitempty"`
}

// GenesisBond is an organisation's bond at genesis (default: MinBond).
type GenesisBond struct {
	Org    string `json:"org"`
	Amount int64  `json:"amount"`
}
