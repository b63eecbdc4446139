// Package contract is the electronic contract module (电子合同): contract
// types with their parties, review stages and retention; drafts and
// versions whose documents are encrypted for the parties and the regulator
// (package crypto's envelopes) with their SHA-256 or SM3 hash on chain;
// multi-stage review; signing by each party with its registered identity
// key and, for organisations, a registered electronic seal (GB/T 38540);
// amendment, termination, expiry and archiving; the operation evidence of
// every action; and the verification report of a file (Electronic
// Signature Law art. 13). docs/contracts.md describes the rules.
//
// Like every module it sees state only through module.KV and must never
// import CometBFT, pebble, net/http or the app; it reads member records
// through ctx.Peer("member").
package contract
