package contract

import (
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// Codes of the contract codespace. Appended only.
var (
	Codes = module.NewCodes("contract")

	ErrInvalidRequest = Codes.Register(1, "invalid_request", "the message is malformed")
	ErrNotPermitted   = Codes.Register(2, "not_permitted", "the signer may not do this")
	ErrUnknownType    = Codes.Register(3, "unknown_type", "no such contract type")
	ErrUnknownID      = Codes.Register(4, "unknown_contract", "no such contract")
	ErrExists         = Codes.Register(5, "contract_exists", "a contract with this id already exists")
	ErrParties        = Codes.Register(6, "parties", "the parties do not match the contract type")
	ErrDocument       = Codes.Register(7, "document", "the document is not acceptable")
	ErrStatus         = Codes.Register(8, "status", "the contract's status does not allow this")
	ErrVersion        = Codes.Register(9, "version", "not the contract's current version")
	ErrStage          = Codes.Register(10, "review_stage", "not the review stage due, or not a reviewer of it")
	ErrAlreadySigned  = Codes.Register(11, "already_signed", "this party has already signed this version")
	ErrBadSignature   = Codes.Register(12, "bad_signature", "the signature over the document hash does not verify")
	ErrSeal           = Codes.Register(13, "seal", "the seal is not registered, revoked, or of another organisation")
	ErrHashMismatch   = Codes.Register(14, "hash_mismatch", "the hash signed is not the version's document hash")
	ErrUnknownSeal    = Codes.Register(15, "unknown_seal", "no such seal")
	ErrSealExists     = Codes.Register(16, "seal_exists", "the seal is already registered")
	ErrNotFound       = Codes.Register(17, "not_found", "no contract version has this document hash")
)

// Message types.
const (
	TypeSetType       = "contract/set_type"
	TypeRegisterSeal  = "contract/register_seal"
	TypeCreate        = "contract/create"
	TypeUploadVersion = "contract/upload_version"
	TypeReview        = "contract/review"
	TypeSign          = "contract/sign"
	TypeTerminate     = "contract/terminate"
	TypeArchive       = "contract/archive"
	TypeRecordView    = "contract/record_view"
)

// Party kinds a contract type lists: organisation types, "channel" (a
// reseller or a fund manager's direct sales), "investor" (an investor's own
// identity) and "any" (any member organisation).
const (
	KindChannel  = "channel"
	KindInvestor = "investor"
	KindAny      = "any"
)

// Reviewer organisation selectors of a stage: the creating party's
// organisation, another party's, the regulator, or a named organisation.
const (
	OrgCreator    = "creator"
	OrgOtherParty = "other_party"
	OrgRegulator  = "regulator"
)

// Termination rules.
const (
	TerminateAllParties = "all_parties"
	TerminateAnyParty   = "any_party"
)

// Contract statuses.
const (
	StatusDrafting   = "drafting"   // a version awaits its first review, or was rejected
	StatusReview     = "review"     // stages are being approved
	StatusSigning    = "signing"    // every stage passed: parties sign
	StatusEffective  = "effective"  // every party signed the version in force
	StatusAmending   = "amending"   // effective, with a new version in review or signing
	StatusTerminated = "terminated" // ended by its parties
	StatusExpired    = "expired"    // past its expiry date (computed from block time)
	StatusArchived   = "archived"   // terminated or expired, then archived; kept for the retention period and beyond
)

// Stage is one review stage of a type.
type Stage struct {
	Name string      `json:"name"`
	Role module.Role `json:"role"`
	Org  string      `json:"org"` // creator, other_party, regulator, or an organisation id
}

// Type is a contract type (合同类型).
type Type struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Parties        []string `json:"parties"` // kind of each party, in order
	Stages         []Stage  `json:"stages"`
	RetentionYears int      `json:"retention_years"`
	Termination    string   `json:"termination"`
	Seal           bool     `json:"seal"`              // organisations sign with a registered seal
	Subject        string   `json:"subject,omitempty"` // "fund": the contract names a fund (and investor)
	Updated        int64    `json:"updated"`
}

// Party is one party of a contract: an organisation, or for an investor
// party, the investor's identity (and its organisation, the channel that
// issued it).
type Party struct {
	Org      string `json:"org"`
	Identity string `json:"identity,omitempty"`
}

// Document is a version's file: its hash, and the file encrypted for the
// parties and the regulator.
type Document struct {
	Name     string           `json:"name"`
	Size     int64            `json:"size"`
	Hash     string           `json:"hash"`     // lowercase hex of the plaintext's hash
	HashAlg  string           `json:"hash_alg"` // sha256 or sm3
	Envelope *crypto.Envelope `json:"envelope"`
}

// Contract is a contract and its state.
type Contract struct {
	ID           string  `json:"id"`
	Type         string  `json:"type"`
	Title        string  `json:"title"`
	Parties      []Party `json:"parties"`
	Creator      string  `json:"creator"` // identity
	CreatorOrg   string  `json:"creator_org"`
	Status       string  `json:"status"`
	Version      int     `json:"version"`               // latest version
	InForce      int     `json:"in_force,omitempty"`    // the effective version (0: none yet)
	Stage        int     `json:"stage"`                 // next review stage of the latest version
	Expires      string  `json:"expires,omitempty"`     // YYYY-MM-DD (China date), optional
	Fund         string  `json:"fund,omitempty"`        // subject fund (risk disclosure, fund contract…)
	Investor     string  `json:"investor,omitempty"`    // subject investor (risk disclosure, subscription)
	Terminating  []int   `json:"terminating,omitempty"` // parties that asked to terminate
	Reason       string  `json:"reason,omitempty"`
	Created      int64   `json:"created"`
	Updated      int64   `json:"updated"`
	EffectiveAt  int64   `json:"effective_at,omitempty"`
	RetainUntil  string  `json:"retain_until,omitempty"` // set when it ends
	HistoryCount uint64  `json:"history"`
}

// Version is one version of a contract's document with its reviews and
// signatures.
type Version struct {
	Contract   string      `json:"contract"`
	N          int         `json:"n"`
	Replaces   int         `json:"replaces,omitempty"`
	Document   Document    `json:"document"`
	UploadedBy string      `json:"uploaded_by"`
	Height     int64       `json:"height"`
	Time       string      `json:"time"`                 // business time
	BlockTime  string      `json:"block_time,omitempty"` // header time, when a simulated clock made it differ
	Reviews    []Review    `json:"reviews"`
	Signatures []Signature `json:"signatures"`
	Status     string      `json:"status"` // drafting, review, rejected, signing, signed, superseded
}

// Review is a stage decision.
type Review struct {
	Stage     string `json:"stage"`
	Reviewer  string `json:"reviewer"`
	Org       string `json:"org"`
	Approve   bool   `json:"approve"`
	Comment   string `json:"comment,omitempty"`
	Height    int64  `json:"height"`
	Time      string `json:"time"`                 // business time
	BlockTime string `json:"block_time,omitempty"` // header time, when a simulated clock made it differ
	Tx        string `json:"tx"`
}

// Signature is a party's signature of a version.
type Signature struct {
	Party       int    `json:"party"`
	Signer      string `json:"signer"` // identity id (= SHA-256 of its certificate)
	Org         string `json:"org"`
	Name        string `json:"name"`
	Algorithm   string `json:"algorithm"`
	Signature   string `json:"signature"` // hex, over SignStatement
	Seal        string `json:"seal,omitempty"`
	SealSig     string `json:"seal_signature,omitempty"`
	Biometric   string `json:"biometric_hash,omitempty"` // hash of a face/fingerprint verification record
	Height      int64  `json:"height"`
	Time        string `json:"time"`                 // business time
	BlockTime   string `json:"block_time,omitempty"` // header time, when a simulated clock made it differ
	Tx          string `json:"tx"`                   // hex hash of the signing tx (its receipt proves it offline)
	CertExpires string `json:"cert_not_after,omitempty"`
}

// Seal is a registered electronic seal.
type Seal struct {
	ID         string `json:"id"` // the seal certificate's identity id
	Org        string `json:"org"`
	Name       string `json:"name"`
	ImageHash  string `json:"image_hash"` // hex SHA-256/SM3 of the seal image
	Registered int64  `json:"registered"`
	By         string `json:"by"`
}

// Event is one entry of a contract's operation evidence (操作存证).
type Event struct {
	Seq       uint64            `json:"seq"`
	Action    string            `json:"action"` // create, upload_version, review, sign, effective, terminate, archive, view
	Actor     string            `json:"actor"`
	Org       string            `json:"org"`
	Version   int               `json:"version,omitempty"`
	Height    int64             `json:"height"`
	Time      string            `json:"time"`                 // business time
	BlockTime string            `json:"block_time,omitempty"` // header time, when a simulated clock made it differ
	Tx        string            `json:"tx,omitempty"`
	Detail    map[string]string `json:"detail,omitempty"`
}
