package client

import (
	"errors"
	"fmt"
)

// Error is an API error: the body {"error": {...}} of a non-2xx response,
// with the HTTP status it came with. Code is a stable snake_case identifier:
// one of the Code* constants below for errors of the API itself, or the name
// of a module result code (for example "not_permitted", "identity_revoked")
// with its Codespace and ABCICode when the app refused.
type Error struct {
	HTTPStatus int    `json:"-"`
	Code       string `json:"code"`
	Codespace  string `json:"codespace,omitempty"`
	ABCICode   uint32 `json:"abci_code,omitempty"`
	Message    string `json:"message,omitempty"`
}

var _ error = (*Error)(nil)

func (e *Error) Error() string {
	var s string
	if e.HTTPStatus != 0 {
		s = fmt.Sprintf("client: api error %d %s", e.HTTPStatus, e.Code)
	} else {
		s = "client: " + e.Code
	}
	if e.Codespace != "" || e.ABCICode != 0 {
		s += fmt.Sprintf(" (%s/%d)", e.Codespace, e.ABCICode)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is matches another *Error with the same Code (and, when the target sets
// them, the same Codespace and ABCICode), so errors.Is(err,
// &client.Error{Code: client.CodeTxNotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Code != e.Code {
		return false
	}
	if t.Codespace != "" && t.Codespace != e.Codespace {
		return false
	}
	return t.ABCICode == 0 || t.ABCICode == e.ABCICode
}

// IsCode reports whether err is (or wraps) a *Error with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// Error codes of the API itself. They are stable: never rename one.
const (
	CodeInternal          = "internal"           // 500: a bug or an unexpected failure (logged server-side)
	CodeNotFound          = "not_found"          // 404: no such route or resource
	CodeMethodNotAllowed  = "method_not_allowed" // 405
	CodeMalformedJSON     = "malformed_json"     // 400: the body is not the expected JSON (unknown fields included)
	CodeInvalidBase64     = "invalid_base64"     // 400: a base64 field does not decode
	CodeInvalidRequest    = "invalid_request"    // 400: a parameter is missing or out of range
	CodeInvalidHash       = "invalid_hash"       // 400: a tx hash is not 64 hex digits
	CodeBodyTooLarge      = "body_too_large"     // 413: the request body exceeds the route's limit
	CodeTxTooLarge        = "tx_too_large"       // 413: the tx exceeds the maximum tx size
	CodeTxRejected        = "tx_rejected"        // 422: CheckTx refused the tx (codespace, abci_code, message = log)
	CodeTxNotCommitted    = "tx_not_committed"   // 504: accepted by CheckTx but not committed in time: resubmit
	CodeTxNotFound        = "tx_not_found"       // 404: no committed tx with this hash
	CodeTxFailed          = "tx_failed"          // not an HTTP error: a committed tx with a non-zero code (Result.Err)
	CodeMempoolFull       = "mempool_full"       // 503: the node's mempool is full: retry later
	CodeNodeUnavailable   = "node_unavailable"   // 503: the node did not answer
	CodeReceiptNotReady   = "receipt_not_ready"  // 503: the block after the tx is not committed yet: retry later
	CodeHeightUnavailable = "height_unavailable" // 410: the height is pruned or otherwise not available
	CodeOverCapacity      = "over_capacity"      // 503: too many streams, challenges or tokens: retry later
	CodeInvalidToken      = "invalid_token"      // 401: missing, malformed, unknown or expired bearer token
	CodeInvalidChallenge  = "invalid_challenge"  // 401: unknown, used or expired login challenge
	CodeBadSignature      = "bad_signature"      // 401: the login signature does not verify
	CodeIdentityRevoked   = "identity_revoked"   // 401: the token's identity is no longer valid
	CodeUnsupportedKey    = "unsupported_key"    // 401: the identity's registered key cannot be used to log in
	CodeBlobTooLarge      = "blob_too_large"     // 413: a blob exceeds the node's blob size limit
	CodeHashMismatch      = "hash_mismatch"      // 400: an uploaded blob's SHA-256 is not the hash in its URL (nothing stored)
	CodeBlobNotStored     = "blob_not_stored"    // 404: the caller may read the blob, but this node does not keep it (fetch it from the record's blob.node)
	CodeNoBlobStore       = "no_blob_store"      // 404: this node keeps no blobs
)
