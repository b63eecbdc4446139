// Package state is otcchain's versioned key/value store: the application
// state of the chain, kept in a pebble database, staged per block and
// committed in one atomic, synced batch together with the height and the app
// hash it belongs to.
//
// # Who uses it
//
// Only the application (package app) and the node wiring open a DB. Domain
// modules (member, fund, contract, exchange, supervise, ...) must never import
// this package: they see state only through module.KV / module.KVReader,
// which *Block and *Branch implement. This package must never import
// CometBFT, net/http, the app, the API or any domain module; it depends only
// on package module (for the KV interfaces) and pebble.
//
// # Staging
//
// DB.NewBlock returns a Block: an in-memory overlay over the last committed
// state (reads fall through to pebble). Block.Branch and Branch.Branch nest
// further overlays (a transaction, a message inside it, an item of a batch
// message): Branch.Write merges a branch into its parent, Branch.Discard drops
// it. Overlays are B-trees ordered by key, so iteration never depends on Go
// map order. Iterate merges every overlay of the chain with a pebble iterator
// in ascending key order; deletions in an overlay hide the keys below them.
// The callback given to Iterate may write to the store it iterates: a key
// written (or deleted) ahead of the current position is seen (or skipped),
// one written behind it is not. Blocks and branches are not safe for
// concurrent use.
//
// Keys are arbitrary bytes of at most MaxKeySize (1 KiB); values are at most
// MaxValueSize (4 MiB). A nil value is stored as an empty value, which is
// distinct from an absent key: Get returns a non-nil empty slice for it.
// Get returns a copy the caller owns.
//
// # Commit
//
// DB.Commit writes the block in ONE pebble batch, synced (unless
// Options.NoSync): every changed state key, the unhashed side records of the block
// (Block.SetSide), and the commit record (height, app hash, accumulator).
// After a crash at any point Open therefore finds either the whole block or
// none of it, and LastCommitted reports the height and app hash that the
// state on disk belongs to (the app answers ABCI Info with them and CometBFT
// replays the rest). Heights must increase by one from block to block (the
// first commit may be at any height > 0, for a chain with an initial height).
// A block must be committed over the state it was created from: committing a
// block after another one was committed is refused (ErrStale).
//
// # Reading committed state
//
// DB.Committed returns a reader that reads straight from the pebble DB, which
// changes only at Commit, atomically. Each Get and each Iterate sees one
// committed state (an Iterate sees a point-in-time view); two successive calls
// may straddle a Commit. It is safe to use concurrently with block execution
// and with Commit. DB.Snapshot pins one committed height for a series of reads
// (close it when done).
//
// # Key layout in pebble
//
//	0x01 || key   hashed state: the value of key (module keys as given)
//	0x02 || "c"   commit record: version 1 (1 byte) || height (8 bytes,
//	              big-endian) || app hash (32 bytes) || accumulator (2048 bytes)
//	0x03 || key   side records: unhashed, non-consensus data (the tx index)
//
// Only 0x01 is covered by the app hash. Nothing else is stored.
//
// # App hash
//
// The app hash commits to the whole set of (key, value) pairs with an
// LtHash-style multiset hash. Each pair is expanded to 2048 bytes: the seed
//
//	seed = SHA-256(uint32_be(len(key)) || key || value)
//
// keys AES-256 in CTR mode with a zero IV, whose first 2048 bytes of key
// stream are taken as 1024 little-endian uint16 lanes. (An earlier draft used
// SHAKE-128; AES-CTR with AES-NI is about ten times cheaper and equally a
// pseudo-random function of the pair.) The
// accumulator is the lane-wise sum (mod 2^16) of the expansions of all pairs
// in the state: a new pair is added, a deleted pair subtracted, an overwrite
// subtracts the old pair and adds the new one. The app hash is SHA-256 of the
// 1024 lanes serialised little-endian (2048 bytes). It is independent of write
// order, costs O(writes) per block, and a block without effective writes
// (none, or only rewrites of current values and deletions of absent keys)
// leaves it unchanged. The empty state's hash is SHA-256 of 2048 zero bytes.
// DB.VerifyAppHash recomputes the accumulator from a full scan.
package state
