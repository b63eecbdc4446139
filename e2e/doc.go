// Package e2e holds the end-to-end tests of otcchain: black-box tests that
// build the real otc binary once (TestMain) and run it as separate operating
// system processes, exactly as an operator would: otc testnet to generate a
// consortium, one otc start per validator, otc dev, otc verify. The tests
// talk to the nodes only from the outside: the HTTP/JSON API (package
// client), CometBFT's RPC, the files a generated network leaves behind
// (consortium.json, keystores, genesis.json) and signals.
//
// What they cover: transactions committing on a four-validator network; a
// validator killed under load while the other three keep committing, and
// catching up with the same app hash after a restart; the chain halting
// without a two-thirds quorum and resuming, with no fork; offline
// verification of a receipt; crash recovery at exact points of block
// execution (OTC_CRASH_AT); otc dev starting, stopping, resuming and
// resetting; and misbehaviour on a five-validator network: duplicate-vote
// evidence forged with one validator's key from its home and sent through
// CometBFT's broadcast_evidence (invalid evidence refused), committed in a
// block, recorded by the gov module, the offender's power removed and its
// organisation's insurance bond debited, the four others going on.
//
// Every test picks free 127.0.0.1 ports below 32768, keeps its own temporary
// directory, polls with deadlines instead of sleeping, and kills every
// process it started, whatever happens. On failure the tails of the
// processes' logs are printed.
//
// The package has no code outside its tests. Nothing may import it; it may
// import every otcchain package, but only to build inputs (keys,
// certificates, signed transactions) and to check outputs, never to run a
// node in the test process.
package e2e
