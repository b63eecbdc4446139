// Package module is the contract between the application (package app) and the
// domain modules (member, fund, contract, exchange, supervise).
//
// A module is a deterministic state machine. It declares the messages it
// handles (with the roles allowed to send each), the queries it answers (with
// who may read them), and the result codes it returns. It reads and writes state
// only through the KV interface, and learns height, block time and caller from
// a Context that the app fills from the block header.
//
// This package must never import CometBFT, pebble, net/http or the app: it is
// the only thing a module needs to see of the engine.
package module
