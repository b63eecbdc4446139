// Package api serves otcchain's HTTP/JSON API under /v1: node status,
// transaction submission (with confirmation of inclusion), committed
// transactions and their evidence receipts, module reads with access
// decided by the app for an authenticated identity, a server-sent event
// stream of committed transaction results that resumes from a height or a
// Last-Event-ID, an OpenAPI document (GET /v1/openapi.json) and Prometheus
// metrics (GET /metrics).
//
// The server reads the chain through a CometBFT RPC client (in process:
// rpc/client/local) and the application through the narrow AppReader
// interface, which *app.App implements. It never writes state except by
// broadcasting transactions.
//
// Every error has one shape, {"error": {"code", "codespace", "abci_code",
// "message"}} (client.Error), including unknown routes, wrong methods,
// malformed or oversized bodies and panics. Refusals of the app
// (*module.Error) keep their codespace and code; their name becomes the error
// code, and the HTTP status follows the name: "auth_required" 401;
// "not_permitted", "role_not_permitted" and names ending in "_not_permitted"
// or "_forbidden" 403; names starting with "unknown_" or ending in
// "_not_found", and "not_registered", 404; anything else 400. Module authors
// should name their codes accordingly.
//
// Authentication: POST /v1/auth/challenge returns a single-use challenge;
// the identity signs "otcchain/auth/v1\x00" + chain id + "\x00" + challenge
// with its registered key and trades it at POST /v1/auth/token for a bearer
// token held in memory by this server only. Each request with a token
// re-checks the identity with the app, so a revocation takes effect on the
// next request.
//
// The wire types are those of package client, so server and client cannot
// drift. This package must never be imported by package client, by the app
// or by domain modules; it must not import package node or cmd.
package api
