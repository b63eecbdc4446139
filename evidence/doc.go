// Package evidence is the anchoring module: an organisation's identity
// records the hash of a document (a file, a report, a data set) on chain, with
// its name, size and a note, at the block's time. Together with a receipt
// (package proof) this proves offline that the document existed in this exact
// form, and who vouched for it, at that time: `otc verify RECEIPT --file F`.
//
// The module keeps no document bytes: only the hash (SHA-256, or SM3 for
// parties that use the Chinese national algorithms).
//
// State machine: (absent) --anchor--> anchored (final; the same signer cannot
// anchor the same hash twice; other signers may add their own anchor).
//
// Like every module it sees state only through module.KV and must never import
// CometBFT, pebble, net/http or the app.
package evidence
