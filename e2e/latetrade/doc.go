// Package latetrade holds the end-to-end test of the bound on block time
// after an idle spell (issue 13 §1b, late trading): a four-validator network
// of otc start processes stays idle for a spell, then txs are sent and the
// header time of the block holding each one must be at most node.LagBound
// (2 s) before the moment it was broadcast. It also records the largest gap
// between consecutive block times during the spell, checks that the app hash
// does not change on empty blocks, and measures the bytes an empty block
// costs on disk. The network is generated with --business-clock: the test
// advances the clock so that a 15:00 China-time cut-off falls at the end of
// the spell, then sends a purchase 3 s before it (it must get that day's
// trade date) and one 2.5 s after it (the bound plus a margin: it must get
// the next trading day's).
//
// The spell is OTC_IDLE_SPELL (a Go duration); without it, 10m, or 20s with
// -short. It is a package of its own so that the long idle test runs beside
// the other packages; it uses little CPU (four idle nodes and one poll a
// second).
//
// The package has no code outside its tests; nothing may import it. Like
// package e2e it runs the real otc binary and talks to the nodes only from
// the outside (API, CometBFT RPC, files).
package latetrade
