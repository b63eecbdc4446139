// Package tx defines the transaction wire format: an envelope (body bytes,
// signer id, algorithm, signature) and the JSON body inside it (messages,
// nonce, expiry height). See docs/transactions.md.
//
// The signature covers a domain-separation prefix, the chain id and the exact
// body bytes as carried; nothing is ever re-serialised before verification.
// This package does no signature checking itself (package crypto does) and
// must not import CometBFT, pebble or net/http.
package tx
