// Package client is the Go client of the otcchain HTTP/JSON API (package api
// serves it). The CLI, the load generator and the end-to-end tests all use it:
// they are consumers of this client, never second implementations of it.
//
// The package also defines the wire types of the API (Status, TxResult, Tx,
// TxEvent, Error, ...). The server encodes exactly these types, so the two
// sides cannot drift apart.
//
// Every API error becomes a *Error carrying the HTTP status and the stable
// error code of the body {"error": {"code", "codespace", "abci_code",
// "message"}}; use errors.As to inspect it, or IsCode for a quick check.
//
// Transactions accepted by CheckTx can still be dropped by a node's mempool
// without any notice (CometBFT issue #1516). SubmitAndConfirm therefore
// resubmits the same bytes until the tx is committed or its deadline passes;
// the app refuses duplicates by nonce, so resubmission is safe.
//
// This package must never import package api (the server), CometBFT's node or
// anything that runs a node: it talks HTTP only. It may import package module
// (plain data types) and package proof (receipt decoding).
package client
