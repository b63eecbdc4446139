package app

import "github.com/otcchain/otcchain/module"

// Codes of the "app" codespace: transaction-level refusals. Appended only,
// never renumbered (pinned by TestCodesGolden).
var (
	Codes = module.NewCodes("app")

	ErrMalformedTx      = Codes.Register(1, "malformed_tx", "the transaction cannot be decoded")
	ErrUnknownSigner    = Codes.Register(2, "unknown_signer", "the signer is not a registered identity")
	ErrRevokedSigner    = Codes.Register(3, "revoked_signer", "the signer's identity is revoked")
	ErrBadSignature     = Codes.Register(4, "bad_signature", "the signature does not verify")
	ErrAlgMismatch      = Codes.Register(5, "algorithm_mismatch", "the envelope's algorithm is not the signer's")
	ErrExpiredTx        = Codes.Register(6, "expired_tx", "the transaction's expiry height has passed")
	ErrExpiryTooFar     = Codes.Register(7, "expiry_too_far", "the expiry height is further ahead than the chain allows")
	ErrReplay           = Codes.Register(8, "replayed_tx", "the signer already used this nonce")
	ErrUnknownMsg       = Codes.Register(9, "unknown_msg_type", "no module handles this message type")
	ErrRoleNotPermitted = Codes.Register(10, "role_not_permitted", "the signer's role may not send this message")
	ErrInvalidMsg       = Codes.Register(11, "invalid_msg", "the message value cannot be decoded")
	ErrNotBatchable     = Codes.Register(12, "not_batchable", "the message type cannot be a batch item")
	ErrSignerCert       = Codes.Register(13, "signer_certificate_invalid", "the signer's certificate is outside its validity period")
	ErrSignerOrg        = Codes.Register(14, "signer_org_inactive", "the signer's organisation is not active")
	ErrHandlerPanic     = Codes.Register(15, "handler_failed", "the message handler failed unexpectedly")
	ErrAuthRequired     = Codes.Register(16, "auth_required", "this read needs an authenticated identity")
	ErrNotPermitted     = Codes.Register(17, "not_permitted", "the caller may not read this")
	ErrUnknownQuery     = Codes.Register(18, "unknown_query", "no such query path")
	ErrInvalidGenesis   = Codes.Register(19, "invalid_genesis", "the genesis app state is invalid")
	ErrUnknownOutcome   = Codes.Register(20, "unknown_outcome", "no end-block outcome with this key")
	ErrNoReceiver       = Codes.Register(21, "no_receiver", "the module called takes no such calls from other modules")
)
