package member

import (
	"time"

	"github.com/otcchain/otcchain/module"
)

// Org is a member organisation.
type Org struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Type       module.OrgType `json:"type"`
	CACert     string         `json:"ca_cert"` // PEM
	Validators []string       `json:"validators,omitempty"`
	Status     string         `json:"status"` // "active" or "removed"
	Since      int64          `json:"since"`  // height (0: genesis)
	// Removed and RemovedReason record a removal by governance.
	Removed       int64  `json:"removed,omitempty"`
	RemovedReason string `json:"removed_reason,omitempty"`
	// CAHistory lists the CA certificates replaced by rotations, oldest
	// first: identities they issued stay valid until revoked or expired.
	CAHistory []FormerCA `json:"ca_history,omitempty"`
}

// FormerCA is a CA certificate an organisation used until a rotation.
type FormerCA struct {
	CACert string `json:"ca_cert"` // PEM
	Until  int64  `json:"until"`   // height of the rotation
}

// Identity statuses.
const (
	StatusActive  = "active"
	StatusRevoked = "revoked"
	// StatusRemoved is an organisation removed by governance: its
	// identities no longer authenticate.
	StatusRemoved = "removed"
)

// Record is a registered certificate and its state.
type Record struct {
	ID            string      `json:"id"`
	Org           string      `json:"org"`
	Role          module.Role `json:"role"`
	Name          string      `json:"name"`
	Algorithm     string      `json:"algorithm"`
	PublicKey     []byte      `json:"public_key"`
	Cert          string      `json:"cert"` // PEM
	NotBefore     time.Time   `json:"not_before"`
	NotAfter      time.Time   `json:"not_after"`
	Status        string      `json:"status"`
	RegisteredAt  int64       `json:"registered_at"`
	RegisteredBy  string      `json:"registered_by,omitempty"` // "" for genesis and self-registration
	RevokedAt     int64       `json:"revoked_at,omitempty"`
	RevokedBy     string      `json:"revoked_by,omitempty"`
	RevokedReason string      `json:"revoked_reason,omitempty"`
	// EncKeys are the identity's encryption public keys, oldest first; the
	// last is current. Earlier ones stay so that data sealed to them can
	// still be attributed and opened by their holder.
	EncKeys []EncKey `json:"enc_keys,omitempty"`
}

// EncKey is an encryption public key of an identity (package crypto's
// envelope encryption: X25519 or P-256 ECDH for Ed25519 and P-256
// identities, SM2 encryption for SM2 identities).
type EncKey struct {
	Algorithm string `json:"algorithm"`
	PublicKey []byte `json:"public_key"`
	Since     int64  `json:"since"` // height at which it was set
}

// CurrentEncKey returns the identity's current encryption key, or nil.
func (r *Record) CurrentEncKey() *EncKey {
	if len(r.EncKeys) == 0 {
		return nil
	}
	k := r.EncKeys[len(r.EncKeys)-1]
	return &k
}

// Identity returns the authenticated view of the record.
func (r *Record) Identity() module.Identity {
	return module.Identity{ID: r.ID, Org: r.Org, Role: r.Role, Name: r.Name, Algorithm: r.Algorithm, PublicKey: r.PublicKey}
}

// Genesis is the module's genesis section.
type Genesis struct {
	Orgs       []GenesisOrg      `json:"orgs"`
	Identities []GenesisIdentity `json:"identities"`
}

// GenesisOrg is an organisation in genesis.
type GenesisOrg struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	CACert     string   `json:"ca_cert"`
	Validators []string `json:"validators,omitempty"`
}

// GenesisIdentity is a certificate registered at genesis, optionally with
// its encryption public key.
type GenesisIdentity struct {
	Cert   string            `json:"cert"`
	EncKey *SetEncryptionKey `json:"enc_key,omitempty"`
}
