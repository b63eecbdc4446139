// Package keystore keeps a person's or a node's private keys on disk,
// encrypted with a passphrase, and the certificates issued for them.
//
// A store is a directory (mode 0700) holding, for each key name,
//
//	<name>.key  JSON: name, algorithm, public key (hex), creation time, scrypt
//	            parameters and salt, passphrase check, AES-256-GCM nonce and
//	            ciphertext of the raw private key (crypto.PrivateKey.Bytes)
//	<name>.crt  the PEM certificate for the key, once one is issued
//
// Files are mode 0600 and written atomically (temporary file, fsync, then
// link or rename), so a crash never leaves a half-written key. An existing key
// is never overwritten except by Replace. Names match [a-z0-9._-]{1,64}.
//
// The key is derived from the passphrase with scrypt (N, r, p stored in each
// file; new files use the store's Options, by default N=2^15, r=8, p=1) into
// 64 bytes: the first 32 are the AES-256-GCM key, the others give a check
// value that tells a wrong passphrase (ErrBadPassphrase) from a damaged file
// (ErrCorrupt). The algorithm and public key are bound to the ciphertext as
// additional data, and the decrypted key must match the stored public key.
//
// Listing and reading public information needs no passphrase. The creation
// time is wall-clock time: nothing here takes part in consensus.
//
// This package must never import CometBFT, pebble, net/http or the app.
package keystore
