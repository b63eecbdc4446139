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
// # Envelope encryption
//
// Personal data (names, ID numbers, phone numbers, addresses) and other
// confidential fields are encrypted client side with Seal into an Envelope:
// the content once, under a fresh random data key, and the data key wrapped
// for each recipient (the investor, the KYC channel, the regulator, and later,
// with Rewrap, each fund manager the investor trades with). The ledger keeps
// the envelope and a salted commitment (Commit), never the plaintext.
//
// Encryption keys are not signing keys: each identity registers an
// encryption public key of the scheme EncAlgorithmFor its signature
// algorithm: X25519 for Ed25519, P256ECDH for P256, SM2Enc for SM2.
//
// Content: AES-256-GCM (32-byte data key) or SM4-GCM (16-byte data key; the
// choice of SM2 senders, ContentAlgFor), a 12-byte random nonce, and
// caller-supplied associated data (aad), such as the record id and field name,
// so that a ciphertext cannot be moved to another record. The aad is not
// stored; Open needs the same bytes.
//
// Wraps, by the recipient's scheme. Every wrap is bound to the aad and to
//
//	context = "otcchain/envelope/v1" || 0x00 || len || scheme || len || cipher || len || recipient id
//
// (each len one byte; scheme as "x25519", cipher as "aes-256-gcm"):
//
//   - X25519 and P256ECDH: a fresh ephemeral key pair per wrap; shared = ECDH
//     with the recipient key (the X25519 output, or the P-256 x-coordinate);
//     KEK = HKDF-SHA256(shared, salt = ephemeral public || recipient public,
//     info = context, 32 bytes); key = AES-256-GCM(KEK, 12 zero bytes as
//     nonce, data key, aad). The nonce is fixed because each KEK is used once.
//     Ephemeral is the ephemeral public key.
//   - SM2Enc: the SM2 public-key encryption (GB/T 32918.4, SM3 KDF, C1C3C2,
//     uncompressed C1) of data key || SM3(context || aad); Ephemeral is C1 and
//     key is C3 || C2. Open checks the SM3 tag in constant time.
//
// The JSON encoding (MarshalJSON, canonical; ParseEnvelope, strict) is
//
//	{"version":"otcchain-envelope/1","cipher":"sm4-gcm","nonce":"<b64>","ciphertext":"<b64>",
//	 "recipients":[{"id":"<id>","alg":"sm2-enc","epk":"<b64>","key":"<b64>"}, ...]}
//
// with standard padded base64, 1 to 64 recipients with distinct ids (1 to
// 128 of A-Z a-z 0-9 - _ . : / @ + =), content of at most 4 MiB, and exact
// sizes for every byte string. ParseEnvelope and Validate check structure
// only, with no public-key operation, so they are cheap enough for block
// execution; an invalid ephemeral point is found by Open.
//
// Errors: ErrMalformedEnvelope, ErrNotRecipient, ErrKeyMismatch (a key of
// another scheme than the wrap) and ErrDecrypt, which never says what failed.
// No input makes these functions panic.
//
// What an envelope does not do:
//
//   - Authenticate its author. Any recipient knows the data key and could
//     produce another valid content for the others. The signed transaction
//     carrying the envelope says who wrote it.
//   - Commit to one plaintext. GCM is not key-committing, so a malicious
//     sender could craft wraps that open to different plaintexts for
//     different recipients. Recipients who must agree check the ledger's
//     commitment after opening (VerifyCommitment).
//   - Revoke. Rewrap only adds recipients; a party that read the data key
//     keeps it. Removing access to future data means sealing it anew.
//
// Commitments are H(len(salt) as 8 bytes big-endian || salt || plaintext),
// H = SM3 for SM2 identities and SHA-256 otherwise, with a 32-byte random
// salt (NewSalt). The salt must stay secret (carry it inside the sealed
// record): personal data has so little entropy that a public salt would let
// anyone find the plaintext by trying every value. A regulator or
// counterparty holding the plaintext and the salt checks it.
//
// All randomness (data keys, nonces, ephemeral keys, SM2's k) comes from
// crypto/rand; tests that need repeatable output use
// testing/cryptotest.SetGlobalRandom.
//
// This package must never import CometBFT, pebble, net/http or any otcchain
// package: it sits at the bottom of the dependency graph.
package crypto
