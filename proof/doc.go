// Package proof builds and verifies evidence receipts: self-contained,
// offline-verifiable bundles that prove one committed transaction and its
// result.
//
// A receipt for the transaction at index i of block h carries the tx bytes and
// their Merkle proof to header(h).DataHash, the ExecTxResult and its Merkle
// proof to header(h+1).LastResultsHash, the signed headers (header + commit)
// and validator sets of h and h+1, and a trust path: the signed headers and
// validator sets at the heights where the validator set changed between the
// trust root and h. Verify checks all of it with CometBFT's own functions
// against a trust root (the genesis validator set, or a trusted signed header
// with its validator set) without contacting any node. Package proof/prover
// assembles receipts from a node. CheckFile binds a file to a receipt by its
// SHA-256 or SM3 hash.
//
// Only Code, Data, GasWanted and GasUsed of a result are hashed into
// LastResultsHash; the log and codespace in a receipt are informative only.
//
// The package depends on CometBFT's types, package tx and the SM3 hash, and
// builds for the browser (GOOS=js GOARCH=wasm, see console/verifier). It must
// never import CometBFT's RPC client, p2p or databases, pebble, the state
// store, the app, the API, the node or any domain module (member, fund, contract, exchange,
// supervise): a receipt is verified by anyone with the genesis file and
// nothing else.
package proof
