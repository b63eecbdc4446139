// Package member is the identity module: the consortium's organisations (each
// with its CA certificate and validators) and the registered certificates of
// people and systems (admins, operators, investors). It owns registration and
// revocation, and the app asks it who signed a transaction.
//
// State machine of an identity: (absent) --register--> active --revoke--> revoked.
// Registration verifies the certificate against its organisation's CA in state
// at block time; revocation is final and applies to every later transaction
// (from the next transaction on, in the same block included).
//
// Like every module it sees state only through module.KV and must never import
// CometBFT, pebble, net/http or the app.
package member
