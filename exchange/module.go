package exchange

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Module is the exchange module.
type Module struct{}

// New returns the exchange module.
func New() *Module { return &Module{} }

var _ module.Module = (*Module)(nil)

// Name implements module.Module.
func (*Module) Name() string { return "exchange" }

// Codes implements module.Module.
func (*Module) Codes() *module.Codes { return Codes }

// senders are the organisations' people (investors do not exchange files).
var senders = []module.Role{module.RoleReseller, module.RoleFundManager, module.RoleCustodian, module.RoleRegulator, module.RoleAdmin}

// Msgs implements module.Module.
func (m *Module) Msgs() []module.MsgSpec {
	return []module.MsgSpec{
		{Type: TypeSend, Roles: senders, Batchable: true, New: func() module.Msg { return &Send{} },
			Handle: func(ctx *module.Context, kv module.KV, msg module.Msg) (json.RawMessage, error) {
				return marshal(send(ctx, kv, msg.(*Send)))
			}},
		{Type: TypeAck, Roles: senders, Batchable: true, New: func() module.Msg { return &AckMsg{} },
			Handle: func(ctx *module.Context, kv module.KV, msg module.Msg) (json.RawMessage, error) {
				return marshal(ack(ctx, kv, msg.(*AckMsg)))
			}},
	}
}

func marshal(v any, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// InitGenesis implements module.Module (nothing to load).
func (m *Module) InitGenesis(*module.Context, module.KV, json.RawMessage) error { return nil }

// FileStatement is what the sender signs: the record id, the plaintext hash
// and size, and the file name.
func FileStatement(chainID, id, hashAlg, hash string, size int64, name string) []byte {
	return []byte("otcchain/exchange/file/v1\n" + chainID + "\n" + id + "\n" + hashAlg + "\n" + hash + "\n" + strconv.FormatInt(size, 10) + "\n" + name)
}

// AckStatement is what a recipient signs: the record, the plaintext hash it
// checked and its verdict.
func AckStatement(chainID, id, hash string, accepted bool, reason string) []byte {
	return []byte("otcchain/exchange/ack/v1\n" + chainID + "\n" + id + "\n" + hash + "\n" + strconv.FormatBool(accepted) + "\n" + reason)
}

// ContentAAD binds a record's encrypted content and its key envelope to the
// record id.
func ContentAAD(id string) []byte { return []byte("otcchain/exchange/content/v1\n" + id) }

// Send records a file sent to recipients.
type Send struct {
	ID         string           `json:"id"`
	Recipients []string         `json:"recipients"`
	Category   string           `json:"category"`
	Name       string           `json:"name"`
	Size       int64            `json:"size"`
	Hash       string           `json:"hash"`
	HashAlg    string           `json:"hash_alg"`
	Signature  string           `json:"signature"`
	Parents    []string         `json:"parents,omitempty"`
	Key        *crypto.Envelope `json:"key"`
	Inline     []byte           `json:"inline,omitempty"`
	Blob       *Blob            `json:"blob,omitempty"`
}

// Validate implements module.Msg.
func (m *Send) Validate() error {
	switch {
	case !validID(m.ID):
		return ErrInvalidRequest.Wrapf("id must be 1 to 64 of a-z A-Z 0-9 - _ .")
	case len(m.Recipients) < 1 || len(m.Recipients) > MaxRecipients:
		return ErrInvalidRequest.Wrapf("1 to %d recipients", MaxRecipients)
	case !slices.Contains(categories, m.Category):
		return ErrInvalidRequest.Wrapf("category %q: want one of %s", m.Category, strings.Join(categories, ", "))
	case m.Name == "" || !validText(m.Name) || strings.ContainsAny(m.Name, "/\\"):
		return ErrInvalidRequest.Wrapf("a file name of 1 to %d bytes without a path is required", MaxTextLen)
	case m.Size < 0:
		return ErrInvalidRequest.Wrapf("size must not be negative")
	case m.HashAlg != "sha256" && m.HashAlg != "sm3":
		return ErrInvalidRequest.Wrapf("hash_alg must be sha256 or sm3")
	case !validHash(m.Hash):
		return ErrInvalidRequest.Wrapf("hash must be 64 lowercase hex characters")
	case !validSig(m.Signature):
		return ErrInvalidRequest.Wrapf("signature (hex) is required")
	case len(m.Parents) > MaxParents:
		return ErrInvalidRequest.Wrapf("at most %d parents", MaxParents)
	case m.Key == nil:
		return ErrRecipients.Wrapf("key (the content key wrapped for the readers) is required")
	case (m.Inline == nil) == (m.Blob == nil):
		return ErrContent.Wrapf("give the encrypted content inline or a blob reference, exactly one")
	}
	for i, r := range m.Recipients {
		if r == "" || !validText(r) || slices.Contains(m.Recipients[:i], r) {
			return ErrInvalidRequest.Wrapf("recipient %d is empty or repeated", i)
		}
	}
	for i, p := range m.Parents {
		if !validID(p) || slices.Contains(m.Parents[:i], p) || p == m.ID {
			return ErrInvalidRequest.Wrapf("parent %d is invalid or repeated", i)
		}
	}
	if err := m.Key.Validate(); err != nil {
		return ErrRecipients.Wrapf("key: %v", err)
	}
	if len(m.Key.Ciphertext) > 1024 {
		return ErrRecipients.Wrapf("key: the wrapped content key is too large")
	}
	if m.Inline != nil && (len(m.Inline) == 0 || len(m.Inline) > MaxInlineBytes) {
		return ErrContent.Wrapf("inline content is 1 to %d bytes; larger files go to the blob store", MaxInlineBytes)
	}
	if b := m.Blob; b != nil && (!validHash(b.Hash) || b.Size <= 0 || b.Size > MaxBlobBytes || !validNodeURL(b.Node)) {
		return ErrContent.Wrapf("a blob needs its SHA-256 hash, a size of 1 to %d bytes and the sender node's URL", int64(MaxBlobBytes))
	}
	return nil
}

// AckMsg acknowledges a record: accepted, or rejected with a reason.
type AckMsg struct {
	Record    string `json:"record"`
	Target    string `json:"target,omitempty"` // the recipient acknowledged for (default: the signer's organisation, else the signer)
	Accepted  bool   `json:"accepted"`
	Reason    string `json:"reason,omitempty"`
	Signature string `json:"signature"`
}

// Validate implements module.Msg.
func (m *AckMsg) Validate() error {
	if !validID(m.Record) || !validSig(m.Signature) || !validText(m.Reason) || !validText(m.Target) {
		return ErrInvalidRequest.Wrapf("record and signature (hex) are required")
	}
	if !m.Accepted && strings.TrimSpace(m.Reason) == "" {
		return ErrInvalidRequest.Wrapf("a rejection needs a reason")
	}
	return nil
}

// Key layout inside "exchange/":
//
//	r/<id>                 -> Record
//	ack/<id>/<target>      -> Ack
//	in/<org>/<seq>         -> record id (inbox of an organisation: sent to it or to one of its identities)
//	out/<org>/<seq>        -> record id (outbox)
//	child/<parent>/<child> -> empty (provenance edges)
//	hash/<alg>/<hash>/<id> -> empty (records by plaintext hash)
//	blob/<hash>/<id>       -> empty (records by blob address)
//	seq                    -> counter
func recordKey(id string) []byte      { return []byte("r/" + id) }
func ackKey(id, target string) []byte { return []byte("ack/" + id + "/" + target) }
func ackPrefix(id string) []byte      { return []byte("ack/" + id + "/") }
func childPrefix(id string) []byte    { return []byte("child/" + id + "/") }
func hashPrefix(alg, h string) []byte { return []byte("hash/" + alg + "/" + h + "/") }
func blobPrefix(h string) []byte      { return []byte("blob/" + h + "/") }
func boxKey(box, org string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(box+"/"+org+"/"), seq)
}

// GetRecord reads a record.
func GetRecord(kv module.KVReader, id string) (*Record, error) {
	var r Record
	if ok, err := module.GetJSON(kv, recordKey(id), &r); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknown.Wrapf("no record %s", id)
	}
	return &r, nil
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

func validText(s string) bool {
	return len(s) <= MaxTextLen && utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\r\n")
}

// validNodeURL accepts an http(s) URL with a host and no credentials, query
// or fragment: the API base URL of the node that serves a blob.
func validNodeURL(s string) bool {
	if !validText(s) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && u.RawQuery == "" && u.Fragment == ""
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

// isRegulator says whether who acts for the regulator.
func isRegulator(kv module.KVReader, who module.Identity) bool {
	ok, err := member.IsRegulator(kv, who)
	return err == nil && ok
}
