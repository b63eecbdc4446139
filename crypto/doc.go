// Package crypto holds the signature schemes and hashes of otcchain.
//
// Three schemes are supported, each with a fixed, documented encoding so that
// every node verifies the same bytes the same way:
//
//   - Ed25519: pure Ed25519 (RFC 8032) over the message; 32-byte public key,
//     64-byte signature.
//   - P256: ECDSA on NIST P-256 over SHA-256(message); the public key is the
//     65-byte uncompressed point, the signature is ASN.1 DER.
//   - SM2: the GM/T 0003 (GB/T 32918.2) signature with SM3 and the default
//     user id "1234567812345678" (Z_A prepended to the message); 65-byte
//     uncompressed public key, ASN.1 DER signature.
//
// Private keys serialise to 32 bytes: the Ed25519 seed or the raw scalar.
// Hash is SM3 for SM2 and SHA-256 otherwise.
//
// P256 signatures are malleable, as ECDSA signatures are: if (r, s) verifies,
// so does (r, n-s). A hash over a transaction that includes its signature
// therefore does not identify what was signed; replay protection must rest
// on the signed bytes (signer and nonce), not on such a hash. Ed25519 (Go
// refuses non-canonical S) and SM2 signatures have no such trivial twin.
//
// PublicKey.Verify is called on untrusted input inside block execution: it
// never panics and never returns an error, only false for anything that is
// not a valid signature. It is deterministic (no wall clock, no randomness).
//
// This package must never import CometBFT, pebble, net/http or any otcchain
// package: it sits at the bottom of the dependency graph.
package crypto
