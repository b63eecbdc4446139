package exchange

import (
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// Codes of the exchange codespace. Appended only.
var (
	Codes = module.NewCodes("exchange")

	ErrInvalidRequest = Codes.Register(1, "invalid_request", "the message is malformed")
	ErrNotPermitted   = Codes.Register(2, "not_permitted", "the signer may not do this")
	ErrExists         = Codes.Register(3, "record_exists", "a record with this id already exists")
	ErrUnknown        = Codes.Register(4, "unknown_record", "no such record")
	ErrRecipients     = Codes.Register(5, "recipients", "the recipients or the key wraps are not acceptable")
	ErrBadSignature   = Codes.Register(6, "bad_signature", "the sender's or recipient's signature does not verify")
	ErrParent         = Codes.Register(7, "parent", "a parent record is unknown or not visible to the sender")
	ErrAlreadyAcked   = Codes.Register(8, "already_acknowledged", "this recipient has already acknowledged the record")
	ErrContent        = Codes.Register(9, "content", "the content or blob reference is not acceptable")
)

// Message types.
const (
	TypeSend = "exchange/send"
	TypeAck  = "exchange/ack"
)

// Categories of files.
var categories = []string{"nav", "ta-confirmation", "reconciliation", "product-document", "other"}

// Limits.
const (
	// MaxInlineBytes bounds content carried inside the transaction (the
	// encrypted stream); larger files go to the sender node's blob store.
	MaxInlineBytes = 256 << 10
	// MaxBlobBytes bounds a blob a record may reference (the encrypted
	// stream); nodes may set a lower limit for what they store.
	MaxBlobBytes  = 4 << 30
	MaxRecipients = 16
	MaxParents    = 16
	MaxTextLen    = 256
)

// Blob is a reference to encrypted content kept off chain.
type Blob struct {
	Hash string `json:"hash"` // lowercase hex SHA-256 of the encrypted stream (its address)
	Size int64  `json:"size"` // bytes of the encrypted stream
	Node string `json:"node"` // the sender node's API base URL, as the sender declares it
}

// Record is a sent file.
type Record struct {
	ID         string           `json:"id"`
	Sender     string           `json:"sender"` // identity id
	SenderOrg  string           `json:"sender_org"`
	Recipients []string         `json:"recipients"` // organisation ids or identity ids, as sent
	Category   string           `json:"category"`
	Name       string           `json:"name"`
	Size       int64            `json:"size"`      // plaintext bytes
	Hash       string           `json:"hash"`      // plaintext hash, lowercase hex
	HashAlg    string           `json:"hash_alg"`  // sha256 or sm3
	Signature  string           `json:"signature"` // sender's, over FileStatement
	Parents    []string         `json:"parents,omitempty"`
	Key        *crypto.Envelope `json:"key"`              // the content key, wrapped for the readers
	Inline     []byte           `json:"inline,omitempty"` // the encrypted stream, when small
	Blob       *Blob            `json:"blob,omitempty"`
	Height     int64            `json:"height"`
	Time       string           `json:"time"`                 // business time
	BlockTime  string           `json:"block_time,omitempty"` // header time, when a simulated clock made it differ
	Tx         string           `json:"tx"`
	Seq        uint64           `json:"seq"`
}

// Ack is a recipient's acknowledgement.
type Ack struct {
	Record    string `json:"record"`
	Target    string `json:"target"` // the recipient as listed (organisation or identity)
	By        string `json:"by"`     // identity that acknowledged
	Org       string `json:"org"`
	Accepted  bool   `json:"accepted"`
	Reason    string `json:"reason,omitempty"`
	Signature string `json:"signature"` // over AckStatement
	Height    int64  `json:"height"`
	Time      string `json:"time"`                 // business time
	BlockTime string `json:"block_time,omitempty"` // header time, when a simulated clock made it differ
	Tx        string `json:"tx"`
}
