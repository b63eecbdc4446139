package gov

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Message types.
const (
	TypePropose     = "gov/propose"
	TypeVote        = "gov/vote"
	TypeWithdraw    = "gov/withdraw"
	TypePostBond    = "gov/post_bond"
	TypePayPremium  = "gov/pay_premium"
	TypeFileClaim   = "gov/file_claim"
	TypeRejectClaim = "gov/reject_claim"
)

// Limits.
const (
	MaxActions     = 16
	MaxTitleLen    = 200
	MaxTextLen     = 4096
	MaxPayload     = 256 << 10
	MaxEvidence    = 32
	MaxReasonLen   = 512
	MaxValidatorPw = 1_000_000
)

// Propose makes a proposal (an organisation admin).
type Propose struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Actions     []Action `json:"actions"`
}

// Validate implements module.Msg: shapes only; each action's payload is
// checked against state by the handler.
func (m *Propose) Validate() error {
	if !validID(m.ID) {
		return ErrInvalidRequest.Wrapf("id must be 1 to 64 of A-Z a-z 0-9 - _ .")
	}
	if !oneLine(m.Title, MaxTitleLen) || strings.TrimSpace(m.Title) == "" {
		return ErrInvalidRequest.Wrapf("a one-line title of at most %d bytes is required", MaxTitleLen)
	}
	if len(m.Description) > MaxTextLen || !utf8.ValidString(m.Description) || strings.ContainsRune(m.Description, 0) {
		return ErrInvalidRequest.Wrapf("description: valid UTF-8 of at most %d bytes", MaxTextLen)
	}
	if len(m.Actions) < 1 || len(m.Actions) > MaxActions {
		return ErrInvalidRequest.Wrapf("a proposal has 1 to %d actions", MaxActions)
	}
	for i, a := range m.Actions {
		if _, ok := allowed[a.Name()]; !ok {
			return ErrUnknownAction.Wrapf("action %d: %s is not a governance action (want one of %s)", i, a.Name(), strings.Join(AllowedActions(), ", "))
		}
		p := bytes.TrimSpace(a.Payload)
		if len(p) == 0 || p[0] != '{' || len(p) > MaxPayload || !json.Valid(p) {
			return ErrInvalidRequest.Wrapf("action %d: the payload must be a JSON object of at most %d bytes", i, MaxPayload)
		}
	}
	return nil
}

// Ballot is an organisation's vote on a proposal, cast by one of its admins
// (once per organisation: final).
type Ballot struct {
	ID   string `json:"id"`
	Vote string `json:"vote"`
}

// Validate implements module.Msg.
func (m *Ballot) Validate() error {
	if !validID(m.ID) {
		return ErrInvalidRequest.Wrapf("id is required")
	}
	if m.Vote != VoteYes && m.Vote != VoteNo && m.Vote != VoteAbstain {
		return ErrInvalidRequest.Wrapf("vote must be yes, no or abstain")
	}
	return nil
}

// Withdraw withdraws an open proposal (an admin of the proposer
// organisation).
type Withdraw struct {
	ID     string `json:"id"`
	Reason string `json:"reason,omitempty"`
}

// Validate implements module.Msg.
func (m *Withdraw) Validate() error {
	if !validID(m.ID) || !oneLine(m.Reason, MaxReasonLen) {
		return ErrInvalidRequest.Wrapf("an id (and optionally a one-line reason) is required")
	}
	return nil
}

// PostBond posts (or tops up) the signer organisation's bond.
type PostBond struct {
	Amount int64 `json:"amount"`
}

// Validate implements module.Msg.
func (m *PostBond) Validate() error { return positive(m.Amount) }

// PayPremium pays premium due into the insurance pool.
type PayPremium struct {
	Amount int64 `json:"amount"`
}

// Validate implements module.Msg.
func (m *PayPremium) Validate() error { return positive(m.Amount) }

// FileClaim files an insurance claim for the signer's organisation.
type FileClaim struct {
	ID          string        `json:"id"`
	Amount      int64         `json:"amount"`
	Description string        `json:"description"`
	Evidence    []EvidenceRef `json:"evidence"`
}

// Validate implements module.Msg.
func (m *FileClaim) Validate() error {
	if !validID(m.ID) {
		return ErrInvalidRequest.Wrapf("id must be 1 to 64 of A-Z a-z 0-9 - _ .")
	}
	if err := positive(m.Amount); err != nil {
		return err
	}
	if strings.TrimSpace(m.Description) == "" || len(m.Description) > MaxTextLen || !utf8.ValidString(m.Description) || strings.ContainsRune(m.Description, 0) {
		return ErrInvalidRequest.Wrapf("a description of at most %d bytes is required", MaxTextLen)
	}
	if len(m.Evidence) < 1 || len(m.Evidence) > MaxEvidence {
		return ErrInvalidRequest.Wrapf("a claim cites 1 to %d pieces of evidence", MaxEvidence)
	}
	for i, e := range m.Evidence {
		if !validID(e.Kind) || !oneLine(e.Ref, 256) || e.Ref == "" {
			return ErrInvalidRequest.Wrapf("evidence %d needs a kind (tx, evidence, document, ...) and a reference", i)
		}
	}
	return nil
}

// RejectClaim closes an open claim without payment (the regulator).
type RejectClaim struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Validate implements module.Msg.
func (m *RejectClaim) Validate() error {
	if !validID(m.ID) || strings.TrimSpace(m.Reason) == "" || !oneLine(m.Reason, MaxReasonLen) {
		return ErrInvalidRequest.Wrapf("an id and a one-line reason are required")
	}
	return nil
}

// ---- action payloads

// ValidatorChange is the payload of gov/validator.
type ValidatorChange struct {
	Op      string `json:"op"` // add, remove, set_power
	Address string `json:"address,omitempty"`
	PubKey  []byte `json:"pub_key,omitempty"` // ed25519, base64 in JSON
	Org     string `json:"org,omitempty"`
	Power   int64  `json:"power,omitempty"`
}

// PayClaim is the payload of gov/pay_claim.
type PayClaim struct {
	Claim string `json:"claim"`
}

// AddOrg is the payload of member/add_org as governance takes it: the
// member module's fields plus the bond the new organisation posts.
type AddOrg struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	CACert     string   `json:"ca_cert"`
	Validators []string `json:"validators,omitempty"`
	Bond       int64    `json:"bond"`
}

// RemoveOrg is the payload of member/remove_org.
type RemoveOrg struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// RotateCA is the payload of member/rotate_ca.
type RotateCA struct {
	ID     string `json:"id"`
	CACert string `json:"ca_cert"`
}

func positive(a int64) error {
	if a <= 0 || a > MaxAmount {
		return ErrAmount.Wrapf("amount must be 1 to %d units", MaxAmount)
	}
	return nil
}

func oneLine(s string, max int) bool {
	return len(s) <= max && utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\r\n")
}

func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
