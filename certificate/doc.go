// Package certificate makes evidence certificates: a PDF that states, in
// Chinese and English, what a verified receipt (package proof) proves — a
// contract signature (the Electronic Signature Law of the PRC, Art. 13
// report), an exchanged file sent or acknowledged, a fund order
// confirmation, or any other transaction — with a QR code that names the
// receipt (ParseQR reads it back) and the receipt itself attached to the
// PDF as receipt.json.
//
// The package is pure: it makes no network call and reads no clock (the
// PDF's dates are the block time), so the same input gives the same bytes.
// It must never import the node, the API, the app, state or proof/prover;
// the caller verifies the receipt (proof.Verify) and resolves names.
package certificate
