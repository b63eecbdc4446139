package contract

import (
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/otcchain/otcchain/module"
)

// Limits.
const (
	// MaxDocumentBytes bounds a version's encrypted document carried in a
	// transaction and kept in state (the ciphertext; the file is that size
	// less 16 bytes). Larger files belong in the data-exchange store.
	MaxDocumentBytes = 512 << 10
	MaxParties       = 8
	MaxStages        = 8
	MaxTextLen       = 512
	MaxIDLen         = 64
)

// SetType creates or replaces a contract type (by the regulator).
type SetType struct {
	Type
}

// Validate implements module.Msg.
func (m *SetType) Validate() error {
	t := &m.Type
	if !validID(t.ID) || t.Name == "" || !validText(t.Name) {
		return ErrInvalidRequest.Wrapf("a type needs an id (1 to %d of a-z A-Z 0-9 _ - .) and a name", MaxIDLen)
	}
	if len(t.Parties) < 1 || len(t.Parties) > MaxParties {
		return ErrInvalidRequest.Wrapf("a type has 1 to %d parties", MaxParties)
	}
	for _, k := range t.Parties {
		if !validKind(k) {
			return ErrInvalidRequest.Wrapf("party kind %q: want fund_manager, reseller, custodian, regulator, channel, investor or any", k)
		}
	}
	if len(t.Stages) > MaxStages {
		return ErrInvalidRequest.Wrapf("at most %d review stages", MaxStages)
	}
	for i, s := range t.Stages {
		if s.Name == "" || !validText(s.Name) || s.Org == "" || !validText(s.Org) {
			return ErrInvalidRequest.Wrapf("stage %d needs a name and an organisation selector", i)
		}
		if _, err := module.ParseRole(string(s.Role)); err != nil || s.Role == module.RoleSeal {
			return ErrInvalidRequest.Wrapf("stage %d: role %q is not a reviewing role", i, s.Role)
		}
		for _, o := range t.Stages[:i] {
			if o.Name == s.Name {
				return ErrInvalidRequest.Wrapf("stage %q listed twice", s.Name)
			}
		}
	}
	if t.RetentionYears < 1 || t.RetentionYears > 100 {
		return ErrInvalidRequest.Wrapf("retention_years must be 1 to 100")
	}
	if t.Termination != TerminateAllParties && t.Termination != TerminateAnyParty {
		return ErrInvalidRequest.Wrapf("termination must be all_parties or any_party")
	}
	if t.Subject != "" && t.Subject != "fund" {
		return ErrInvalidRequest.Wrapf("subject must be empty or fund")
	}
	return nil
}

func validKind(k string) bool {
	switch k {
	case KindChannel, KindInvestor, KindAny:
		return true
	}
	_, err := module.ParseOrgType(k)
	return err == nil
}

// RegisterSeal registers an organisation's seal (by its admin): the seal
// certificate must already be a registered identity of the organisation
// with the role seal.
type RegisterSeal struct {
	Seal      string `json:"seal"` // identity id of the seal certificate
	Name      string `json:"name"`
	ImageHash string `json:"image_hash"`
}

// Validate implements module.Msg.
func (m *RegisterSeal) Validate() error {
	if !validHash(m.Seal) || !validHash(m.ImageHash) {
		return ErrInvalidRequest.Wrapf("seal (an identity id) and image_hash are 64 lowercase hex characters")
	}
	if m.Name == "" || !validText(m.Name) {
		return ErrInvalidRequest.Wrapf("a seal needs a name (e.g. \"contract seal 合同专用章\")")
	}
	return nil
}

// Create drafts a contract with its first version (by a party).
type Create struct {
	ID       string   `json:"id"`
	Type     string   `json:"type"`
	Title    string   `json:"title"`
	Parties  []Party  `json:"parties"`
	Document Document `json:"document"`
	Expires  string   `json:"expires,omitempty"`
	Fund     string   `json:"fund,omitempty"`
	Investor string   `json:"investor,omitempty"`
}

// Validate implements module.Msg.
func (m *Create) Validate() error {
	if !validID(m.ID) || !validID(m.Type) {
		return ErrInvalidRequest.Wrapf("id and type are 1 to %d of a-z A-Z 0-9 _ - .", MaxIDLen)
	}
	if m.Title == "" || !validText(m.Title) {
		return ErrInvalidRequest.Wrapf("a title of 1 to %d bytes is required", MaxTextLen)
	}
	if len(m.Parties) < 1 || len(m.Parties) > MaxParties {
		return ErrInvalidRequest.Wrapf("1 to %d parties", MaxParties)
	}
	for i, p := range m.Parties {
		if p.Org == "" || !validText(p.Org) || (p.Identity != "" && !validHash(p.Identity)) {
			return ErrInvalidRequest.Wrapf("party %d needs an organisation (and, for an investor, its identity id)", i)
		}
		for _, q := range m.Parties[:i] {
			if q == p {
				return ErrInvalidRequest.Wrapf("party %d is listed twice", i)
			}
		}
	}
	if m.Expires != "" && !validDate(m.Expires) {
		return ErrInvalidRequest.Wrapf("expires must be YYYY-MM-DD")
	}
	if (m.Fund != "" && !validID(m.Fund)) || (m.Investor != "" && !validID(m.Investor)) {
		return ErrInvalidRequest.Wrapf("fund and investor are ids")
	}
	return validDocument(&m.Document)
}

func validDocument(d *Document) error {
	if d.Name == "" || !validText(d.Name) || d.Size < 0 {
		return ErrDocument.Wrapf("the document needs a name and a size")
	}
	if d.HashAlg != "sha256" && d.HashAlg != "sm3" {
		return ErrDocument.Wrapf("hash_alg must be sha256 or sm3")
	}
	if !validHash(d.Hash) {
		return ErrDocument.Wrapf("hash must be 64 lowercase hex characters")
	}
	if d.Envelope == nil {
		return ErrDocument.Wrapf("the document must be sealed (an envelope) for the parties and the regulator")
	}
	if err := d.Envelope.Validate(); err != nil {
		return ErrDocument.Wrapf("%v", err)
	}
	if len(d.Envelope.Ciphertext) > MaxDocumentBytes {
		return ErrDocument.Wrapf("the encrypted document is %d bytes; at most %d are kept on chain (use the data-exchange store for larger files)", len(d.Envelope.Ciphertext), MaxDocumentBytes)
	}
	if int64(len(d.Envelope.Ciphertext)) != d.Size+16 {
		return ErrDocument.Wrapf("size %d does not match the ciphertext (%d bytes = size + 16)", d.Size, len(d.Envelope.Ciphertext))
	}
	return nil
}

// UploadVersion adds a new version replacing the latest one (a re-draft
// after a rejection, or an amendment of an effective contract).
type UploadVersion struct {
	Contract string   `json:"contract"`
	Replaces int      `json:"replaces"`
	Document Document `json:"document"`
	Comment  string   `json:"comment,omitempty"`
}

// Validate implements module.Msg.
func (m *UploadVersion) Validate() error {
	if !validID(m.Contract) || m.Replaces < 1 || !validText(m.Comment) {
		return ErrInvalidRequest.Wrapf("contract and replaces (the version replaced) are required")
	}
	return validDocument(&m.Document)
}

// ReviewMsg approves or rejects the due stage of a version.
type ReviewMsg struct {
	Contract string `json:"contract"`
	Version  int    `json:"version"`
	Stage    string `json:"stage"`
	Approve  bool   `json:"approve"`
	Comment  string `json:"comment,omitempty"`
}

// Validate implements module.Msg.
func (m *ReviewMsg) Validate() error {
	if !validID(m.Contract) || m.Version < 1 || m.Stage == "" || !validText(m.Stage) || !validText(m.Comment) {
		return ErrInvalidRequest.Wrapf("contract, version and stage are required")
	}
	if !m.Approve && strings.TrimSpace(m.Comment) == "" {
		return ErrInvalidRequest.Wrapf("a rejection needs a comment")
	}
	return nil
}

// Sign is a party's signature of a version: the signer's signature over
// SignStatement and, for an organisation under a type with seals, the
// seal's signature over the same statement.
type Sign struct {
	Contract  string `json:"contract"`
	Version   int    `json:"version"`
	Hash      string `json:"hash"`
	Signature string `json:"signature"`
	Seal      string `json:"seal,omitempty"`
	SealSig   string `json:"seal_signature,omitempty"`
	Biometric string `json:"biometric_hash,omitempty"`
}

// Validate implements module.Msg.
func (m *Sign) Validate() error {
	if !validID(m.Contract) || m.Version < 1 || !validHash(m.Hash) {
		return ErrInvalidRequest.Wrapf("contract, version and the document hash are required")
	}
	if !validSig(m.Signature) || (m.Seal != "") != (m.SealSig != "") || (m.Seal != "" && (!validHash(m.Seal) || !validSig(m.SealSig))) {
		return ErrInvalidRequest.Wrapf("signature (hex), and seal with seal_signature together")
	}
	if m.Biometric != "" && !validHash(m.Biometric) {
		return ErrInvalidRequest.Wrapf("biometric_hash is the 64-hex hash of a verification record, never the biometric")
	}
	return nil
}

// Terminate asks to terminate an effective contract (a party).
type Terminate struct {
	Contract string `json:"contract"`
	Reason   string `json:"reason"`
}

// Validate implements module.Msg.
func (m *Terminate) Validate() error {
	if !validID(m.Contract) || m.Reason == "" || !validText(m.Reason) {
		return ErrInvalidRequest.Wrapf("contract and a reason are required")
	}
	return nil
}

// Archive archives a terminated or expired contract (a party). Nothing is
// deleted.
type Archive struct {
	Contract string `json:"contract"`
}

// Validate implements module.Msg.
func (m *Archive) Validate() error {
	if !validID(m.Contract) {
		return ErrInvalidRequest.Wrapf("contract is required")
	}
	return nil
}

// RecordView records that a party (or the regulator) viewed or downloaded a
// version: the client sends it when it fetches the document.
type RecordView struct {
	Contract string `json:"contract"`
	Version  int    `json:"version"`
	Action   string `json:"action"` // view or download
}

// Validate implements module.Msg.
func (m *RecordView) Validate() error {
	if !validID(m.Contract) || m.Version < 1 || (m.Action != "view" && m.Action != "download") {
		return ErrInvalidRequest.Wrapf("contract, version and action (view or download) are required")
	}
	return nil
}

func validID(s string) bool {
	if len(s) == 0 || len(s) > MaxIDLen {
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

func validText(s string) bool {
	return len(s) <= MaxTextLen && utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\r\n")
}

func validHash(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func validSig(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) > 0 && len(b) <= 128
}

func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	return strings.Trim(s[:4]+s[5:7]+s[8:], "0123456789") == ""
}
