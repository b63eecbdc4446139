// Package exchange is the data-exchange module: members send each other
// signed files (NAV files, TA confirmation files, reconciliation reports,
// product documents) through the chain. The chain records who sent what to
// whom and when — the plaintext hash signed by the sender, the size, name,
// category and provenance parents — and the file's data key wrapped for the
// recipients and the regulator; the encrypted content travels inside the
// transaction when small, or as a blob in the sender node's content-addressed
// store, addressed by its ciphertext hash. Recipients acknowledge (accept or
// reject with a reason) with a signed message; the provenance graph traces
// every version and derivation. docs/exchange.md describes the rules.
//
// Like every module it sees state only through module.KV and must never
// import CometBFT, pebble, net/http or the app.
package exchange
