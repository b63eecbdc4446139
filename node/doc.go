// Package node runs an otcchain node: it wires one CometBFT node, the app
// (package app, as a local in-process ABCI client) and the HTTP/JSON API
// server (package api) together, reads and writes node homes, and
// generates consortium networks (otc testnet) and development networks that
// run in one process (otc dev).
//
// # Node home
//
//	HOME/config/config.toml               CometBFT's settings (its own format and key names)
//	HOME/config/genesis.json              the consortium: validators, orgs, CA certs, identities (app_state)
//	HOME/config/node_key.json             p2p identity of the node
//	HOME/config/priv_validator_key.json   consensus signing key (0600)
//	HOME/config/otc.toml                  otcchain's settings: [api] listen, token_ttl;
//	                                      [metrics] listen; [log] level, engine_level, format;
//	                                      [blob] dir, max_bytes; [audit] log, sync_interval
//	HOME/data/                            CometBFT's databases, WAL and priv_validator_state.json
//	HOME/data/app/                        the app state (pebble, package state)
//	HOME/data/blobs/                      the blob store (package blob): encrypted exchange files by SHA-256
//	HOME/data/audit.log                   the audit log (package audit): rejected txs, reads of personal data and
//	                                      documents, blob transfers, refused reads; hash-chained JSON lines
//
// # Generated network (Testnet)
//
//	OUT/consortium.json                   summary: orgs, identities and where their keys are, nodes and URLs
//	OUT/orgs/<org>/ca.pem                 the organisation's CA certificate
//	OUT/orgs/<org>/keystore/              encrypted keys (package keystore) and certificates: ca,
//	                                      admin, operator, investor-1, investor-2 (resellers, fm-alpha)
//	OUT/node<i>/                          home of validator i, which belongs to organisation i
//
// Node i uses ports BasePort+10*i + 0 (p2p), 1 (CometBFT RPC, loopback
// only), 2 (API) and 3 (metrics), all below 32768 to stay out of the
// ephemeral port range.
//
// # Engine settings chosen for a consortium
//
//   - create_empty_blocks = true with create_empty_blocks_interval = 1s
//     (otc.toml [consensus] empty_block_interval, which Start applies over
//     config.toml): an idle chain makes an empty block about every 1.3 s
//     (timeout_commit + interval + one round). CometBFT's block time is the
//     median of the previous commit's vote times, so without empty blocks
//     the first block after a quiet spell is stamped from before the spell
//     and an order sent after a cut-off would be dated before it (late
//     trading). With them a tx is dated at most LagBound (2 s) before it
//     reached the network: Start refuses an interval above 1.5s or a
//     timeout_commit + interval above 1.8s. The app hash does not change on
//     an empty block (app.TestEmptyBlockKeepsAppHash; e2e/latetrade checks
//     it live: only a block that prunes the nonces of expired txs changes
//     it); an empty block costs about 14 KB on disk per node right after it
//     is written, ~4 KB of it kept for good in the block store and state.db
//     (measured over 10 idle minutes: docs/performance.md).
//   - timeout_commit = 300ms: the pause after a commit in which the next
//     block gathers transactions. Under load it batches thousands of txs per
//     block (mempool size 50000, block max_bytes 4 MB); a tx waits at most
//     this long plus one consensus round, keeping confirmation well under a second on a LAN.
//   - persistent_peers to every other member node, pex = false (the
//     membership is fixed by genesis), addr_book_strict = false and
//     allow_duplicate_ip = true (several nodes may share a host).
//   - p2p send/recv rates 50 MB/s (the default 5 MB/s makes large blocks slow).
//   - CometBFT's RPC listens on 127.0.0.1 only: clients use the API.
//   - instrumentation.prometheus decides whether CometBFT's metrics are
//     collected; otcchain serves them with the app's on otc.toml's
//     [metrics] listen address (CometBFT's own metrics server is not used).
//
// # Embedding
//
// CometBFT's metrics register on the process-wide Prometheus registry, so
// in one process only one running node at a time gets them (the others run
// with no-op engine metrics); its databases are tracked and closed on Stop
// because CometBFT leaves some open, and guarded so that a straggling engine
// goroutine reading a closed database finds nothing instead of panicking the
// process; the private validator files are checked before CometBFT's loader
// sees them (it exits the process on a bad file); config.toml's log_level is not applied
// to an embedded node, so Start filters CometBFT's logs at otc.toml's
// log.engine_level.
//
// Package node may import every otcchain package it wires (app, api, state,
// member, pki, keystore, crypto, module) and CometBFT; nothing but cmd/
// may import package node.
package node
