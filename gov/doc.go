// Package gov is consortium governance: proposals voted by the member
// organisations' admins (one vote per organisation, passed by more than two
// thirds of the organisations active when the proposal was made, with the
// regulator's vote required for membership, supervision rules and insurance
// claims), the validator set and its safety floor (at least 4 validators
// with power, no organisation holding a third of the power), misbehaviour
// reported by CometBFT (evidence recorded, the offender's power removed, its
// organisation's bond debited) and node insurance (bonds, premiums, a pool,
// claims). A passed proposal's actions run in order, atomically, in the
// transaction of the deciding vote; actions of other modules go through
// module.Context.Call. docs/governance.md describes the rules.
//
// Like every module it sees state only through module.KV and must never
// import CometBFT, pebble, net/http or the app.
package gov
