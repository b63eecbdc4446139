package member

import (
	"github.com/otcchain/otcchain/crypto"

	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// Message types.
const (
	TypeRegisterIdentity = "member/register_identity"
	TypeRevokeIdentity   = "member/revoke_identity"
	TypeSetEncryptionKey = "member/set_encryption_key"
)

// MaxEncKeys bounds an identity's key history.
const MaxEncKeys = 32

// SetEncryptionKey registers (or rotates) the signer's own encryption
// public key. The key kind must be the one for the identity's signature
// algorithm (crypto.EncAlgorithmFor).
type SetEncryptionKey struct {
	Algorithm string `json:"algorithm"`
	PublicKey []byte `json:"public_key"`
}

// Validate checks the message without state: the key must parse.
func (m *SetEncryptionKey) Validate() error {
	alg, err := crypto.ParseEncAlgorithm(m.Algorithm)
	if err != nil {
		return ErrInvalidRequest.Wrapf("%v", err)
	}
	if _, err := crypto.EncPublicKeyFromBytes(alg, m.PublicKey); err != nil {
		return ErrInvalidRequest.Wrapf("public_key: %v", err)
	}
	return nil
}

// MaxCertBytes bounds a certificate PEM in a message.
const MaxCertBytes = 16 << 10

// RegisterIdentity puts a certificate on chain. It is sent by an admin of the
// certificate's organisation, or by the certificate's own key
// (self-registration: the tx signer id is the certificate id).
type RegisterIdentity struct {
	Cert string `json:"cert"`
}

// Validate checks the message without state.
func (m *RegisterIdentity) Validate() error {
	if m.Cert == "" {
		return ErrInvalidRequest.Wrapf("cert is required")
	}
	if len(m.Cert) > MaxCertBytes {
		return ErrInvalidRequest.Wrapf("cert is %d bytes; the limit is %d", len(m.Cert), MaxCertBytes)
	}
	return nil
}

// RevokeIdentity revokes a registered identity. Sent by an admin of the
// identity's organisation or by a regulator.
type RevokeIdentity struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// MaxReasonLen bounds free-text reasons.
const MaxReasonLen = 512

// Validate checks the message without state.
func (m *RevokeIdentity) Validate() error {
	if !ValidIdentityID(m.ID) {
		return ErrInvalidRequest.Wrapf("id must be 64 lowercase hex characters")
	}
	if strings.TrimSpace(m.Reason) == "" {
		return ErrInvalidRequest.Wrapf("reason is required")
	}
	if len(m.Reason) > MaxReasonLen || !utf8.ValidString(m.Reason) {
		return ErrInvalidRequest.Wrapf("reason must be valid UTF-8 of at most %d bytes", MaxReasonLen)
	}
	return nil
}

// ValidIdentityID says whether s is a well-formed identity id (lowercase hex
// SHA-256).
func ValidIdentityID(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// ValidOrgID says whether s is a well-formed organisation id: 2 to 32 of
// a-z, 0-9 and '-'.
func ValidOrgID(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
