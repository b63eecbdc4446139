package evidence

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otcchain/otcchain/module"
)

// Codes of the evidence codespace. Appended only.
var (
	Codes = module.NewCodes("evidence")

	ErrInvalidRequest  = Codes.Register(1, "invalid_request", "the message is malformed")
	ErrAlreadyAnchored = Codes.Register(2, "already_anchored", "this signer already anchored this hash")
	ErrNotFound        = Codes.Register(3, "not_found", "no anchor of this hash")
)

// TypeAnchor is the anchoring message.
const TypeAnchor = "evidence/anchor"

// Hash algorithms.
const (
	SHA256 = "sha256"
	SM3    = "sm3"
)

// Anchor records a document hash.
type Anchor struct {
	Hash    string `json:"hash"`     // lowercase hex, 32 bytes
	HashAlg string `json:"hash_alg"` // "sha256" or "sm3"
	Name    string `json:"name,omitempty"`
	Size    int64  `json:"size,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Limits of the text fields.
const (
	MaxNameLen = 256
	MaxNoteLen = 1024
)

// Validate checks the message without state.
func (m *Anchor) Validate() error {
	if len(m.Hash) != 64 || strings.ToLower(m.Hash) != m.Hash {
		return ErrInvalidRequest.Wrapf("hash must be 64 lowercase hex characters")
	}
	if _, err := hex.DecodeString(m.Hash); err != nil {
		return ErrInvalidRequest.Wrapf("hash must be 64 lowercase hex characters")
	}
	if m.HashAlg != SHA256 && m.HashAlg != SM3 {
		return ErrInvalidRequest.Wrapf("hash_alg must be sha256 or sm3, got %q", m.HashAlg)
	}
	if len(m.Name) > MaxNameLen || !utf8.ValidString(m.Name) {
		return ErrInvalidRequest.Wrapf("name must be valid UTF-8 of at most %d bytes", MaxNameLen)
	}
	if len(m.Note) > MaxNoteLen || !utf8.ValidString(m.Note) {
		return ErrInvalidRequest.Wrapf("note must be valid UTF-8 of at most %d bytes", MaxNoteLen)
	}
	if m.Size < 0 {
		return ErrInvalidRequest.Wrapf("size must not be negative")
	}
	return nil
}

// Record is a stored anchor.
type Record struct {
	Anchor
	Signer string    `json:"signer"`
	Org    string    `json:"org"`
	Height int64     `json:"height"`
	Time   time.Time `json:"time"`
	TxHash string    `json:"tx_hash"`
}

// Module is the evidence module.
type Module struct{}

// New returns the evidence module.
func New() *Module { return &Module{} }

var _ module.Module = (*Module)(nil)

// Name implements module.Module.
func (*Module) Name() string { return "evidence" }

// Codes implements module.Module.
func (*Module) Codes() *module.Codes { return Codes }

// InitGenesis implements module.Module (nothing to load).
func (*Module) InitGenesis(_ *module.Context, _ module.KV, raw json.RawMessage) error {
	if s := strings.TrimSpace(string(raw)); s != "{}" && s != "" && s != "null" {
		return ErrInvalidRequest.Wrapf("the evidence module takes no genesis state")
	}
	return nil
}

// Organisations' people anchor documents; investors do not.
var anchorRoles = []module.Role{module.RoleReseller, module.RoleFundManager, module.RoleCustodian, module.RoleRegulator, module.RoleAdmin}

// Msgs implements module.Module.
func (*Module) Msgs() []module.MsgSpec {
	return []module.MsgSpec{{
		Type: TypeAnchor, Roles: anchorRoles, Batchable: true,
		New: func() module.Msg { return &Anchor{} },
		Handle: func(ctx *module.Context, kv module.KV, msg module.Msg) (json.RawMessage, error) {
			return anchor(ctx, kv, msg.(*Anchor))
		},
	}}
}

// Key layout: a/<hash_alg>/<hash>/<signer> -> Record JSON.
func anchorKey(alg, hash, signer string) []byte {
	return []byte("a/" + alg + "/" + hash + "/" + signer)
}
func hashPrefix(alg, hash string) []byte { return []byte("a/" + alg + "/" + hash + "/") }

func anchor(ctx *module.Context, kv module.KV, m *Anchor) (json.RawMessage, error) {
	key := anchorKey(m.HashAlg, m.Hash, ctx.Signer.ID)
	old, err := kv.Get(key)
	if err != nil {
		return nil, err
	}
	if old != nil {
		return nil, ErrAlreadyAnchored.Wrapf("%s %s was already anchored by %s", m.HashAlg, m.Hash, ctx.Signer.ID)
	}
	rec := Record{Anchor: *m, Signer: ctx.Signer.ID, Org: ctx.Signer.Org, Height: ctx.Height, Time: ctx.Time, TxHash: hex.EncodeToString(ctx.TxHash)}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("evidence: encode: %w", err)
	}
	if err := kv.Set(key, b); err != nil {
		return nil, err
	}
	ctx.Emit("document_anchored", module.A("hash", m.Hash), module.A("hash_alg", m.HashAlg), module.A("signer", ctx.Signer.ID))
	return json.Marshal(map[string]string{"hash": m.Hash, "hash_alg": m.HashAlg})
}

// Queries implements module.Module.
//
//	anchors/{alg}/{hash}   every anchor of a hash (any registered identity)
func (*Module) Queries() []module.QuerySpec {
	return []module.QuerySpec{
		module.Query("anchors/{alg}/{hash}", func(_ *module.QueryContext, kv module.KVReader, p map[string]string) ([]Record, error) {
			return Lookup(kv, p["alg"], p["hash"])
		}).WithRoles(module.AllRoles()...),
	}
}

// Lookup returns every anchor of a hash, in signer order.
func Lookup(kv module.KVReader, alg, hash string) ([]Record, error) {
	probe := Anchor{Hash: hash, HashAlg: alg}
	if err := probe.Validate(); err != nil {
		return nil, err
	}
	var out []Record
	var derr error
	p := hashPrefix(alg, hash)
	if err := kv.Iterate(p, module.PrefixEnd(p), func(_, v []byte) bool {
		var r Record
		if derr = json.Unmarshal(v, &r); derr != nil {
			return false
		}
		out = append(out, r)
		return true
	}); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, fmt.Errorf("evidence: corrupt record: %w", derr)
	}
	if len(out) == 0 {
		return nil, ErrNotFound.Wrapf("no anchor of %s %s", alg, hash)
	}
	return out, nil
}
