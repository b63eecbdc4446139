package member

import "github.com/otcchain/otcchain/module"

// Codes of the member codespace. Appended only, never renumbered: codes are
// consensus state (pinned by TestCodesGolden).
var (
	Codes = module.NewCodes("member")

	ErrInvalidCertificate = Codes.Register(1, "invalid_certificate", "the certificate cannot be parsed or is not an otcchain certificate")
	ErrUnknownOrg         = Codes.Register(2, "unknown_org", "no such organisation")
	ErrAlreadyRegistered  = Codes.Register(3, "already_registered", "the certificate is already registered")
	ErrNotRegistered      = Codes.Register(4, "not_registered", "no such identity")
	ErrAlreadyRevoked     = Codes.Register(5, "already_revoked", "the identity is already revoked")
	ErrNotPermitted       = Codes.Register(6, "not_permitted", "the signer may not do this")
	ErrUntrusted          = Codes.Register(7, "certificate_untrusted", "the certificate does not verify against its organisation's CA")
	ErrRoleNotAllowed     = Codes.Register(8, "role_not_allowed_for_org", "the organisation's type may not issue this role")
	ErrInvalidRequest     = Codes.Register(9, "invalid_request", "the message is malformed")
	ErrRevoked            = Codes.Register(10, "identity_revoked", "the identity is revoked")
	ErrCertExpired        = Codes.Register(11, "certificate_expired", "the certificate is outside its validity period at block time")
	ErrInvalidGenesis     = Codes.Register(12, "invalid_genesis", "the genesis member section is invalid")
	ErrOrgInactive        = Codes.Register(13, "org_inactive", "the organisation is not active")
)
