package state

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/otcchain/otcchain/module"
)

// Options configure Open.
type Options struct {
	// Logger receives pebble's messages; nil discards them.
	Logger *slog.Logger
	// NoSync lets Commit return before the batch is durable (no fsync). The
	// zero value syncs every commit, as a node must; tests may set NoSync
	// for speed. A crash can then lose the last blocks, never part of one.
	NoSync bool
	// CacheSize is pebble's block cache in bytes; 0 keeps pebble's default
	// (8 MiB).
	CacheSize int64
}

// DefaultOptions returns the options a node runs with: synced commits and a
// 64 MiB block cache.
func DefaultOptions() Options { return Options{CacheSize: 64 << 20} }

// DB is the state store. Its methods are safe for concurrent use.
type DB struct {
	pdb   *pebble.DB
	wopts *pebble.WriteOptions

	commitMu sync.Mutex // serialises Commit

	mu      sync.Mutex
	cond    sync.Cond // signalled when readers drop
	closed  bool
	readers int // calls and iterations in flight
	snaps   map[*Snapshot]struct{}
	last    commitRecord // last committed (height 0: genesis, empty state)
}

// Open opens (or creates) the state store in dir.
func Open(dir string, opts Options) (*DB, error) { return open(dir, opts, nil) }

func open(dir string, opts Options, fs vfs.FS) (*DB, error) {
	if opts.CacheSize < 0 {
		return nil, errorf("open %s: negative cache size", dir)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	po := &pebble.Options{
		Logger:             pebbleLogger{log: log.With("component", "pebble")},
		FormatMajorVersion: pebble.FormatNewest,
		MemTableSize:       32 << 20, // a 10k-write block is a few MiB
	}
	// The first write of a key in a block reads its committed value (for the
	// app hash) and most such keys are new: bloom filters answer those
	// without reading data blocks. Lower levels inherit L0's policy.
	po.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	if fs != nil {
		po.FS = fs
	}
	if opts.CacheSize > 0 {
		c := pebble.NewCache(opts.CacheSize)
		defer c.Unref()
		po.Cache = c
	}
	pdb, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", dir, err)
	}
	db := &DB{pdb: pdb, wopts: pebble.Sync, snaps: map[*Snapshot]struct{}{}}
	if opts.NoSync {
		db.wopts = pebble.NoSync
	}
	db.cond.L = &db.mu
	rec, err := readCommitRecord(pdb)
	if err != nil {
		_ = pdb.Close()
		return nil, fmt.Errorf("state: open %s: %w", dir, err)
	}
	db.last = rec
	return db, nil
}

// readCommitRecord reads the commit record; absent means genesis.
func readCommitRecord(r pebble.Reader) (commitRecord, error) {
	v, closer, err := r.Get(commitKey)
	if errors.Is(err, pebble.ErrNotFound) {
		var rec commitRecord
		rec.appHash = rec.acc.hash()
		return rec, nil
	}
	if err != nil {
		return commitRecord{}, fmt.Errorf("read commit record: %w", err)
	}
	defer closer.Close()
	return decodeCommitRecord(v)
}

// Close waits for reads in flight, closes open snapshots and the pebble DB.
// Blocks, readers and snapshots of a closed DB return ErrClosed. Closing
// twice is a no-op.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	for db.readers > 0 {
		db.cond.Wait()
	}
	var errs []error
	for s := range db.snaps {
		errs = append(errs, s.snap.Close())
		s.closed = true
	}
	clear(db.snaps)
	db.mu.Unlock()
	errs = append(errs, db.pdb.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("state: close: %w", err)
	}
	return nil
}

// acquire registers a read or write in flight (and one on snapshot s, if
// any); it fails once the DB (or s) is closed.
func (db *DB) acquire(s *Snapshot) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed || (s != nil && s.closed) {
		return ErrClosed
	}
	db.readers++
	if s != nil {
		s.readers++
	}
	return nil
}

func (db *DB) release(s *Snapshot) {
	db.mu.Lock()
	db.readers--
	if s != nil {
		s.readers--
	}
	db.mu.Unlock()
	db.cond.Broadcast()
}

// LastCommitted returns the height and app hash of the last committed block
// (0 and the empty state's hash before the first commit).
func (db *DB) LastCommitted() (height int64, appHash []byte) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.last.height, bytes.Clone(db.last.appHash)
}

// EmptyAppHash is the app hash of the empty state.
func EmptyAppHash() []byte {
	var a acc
	return a.hash()
}

// Committed returns a reader of the last committed state. It reads straight
// from pebble, which changes only at Commit (atomically), so it never sees
// staged writes; it is safe for concurrent use, also with block execution and
// Commit. Successive calls may straddle a Commit; use Snapshot to pin a height.
func (db *DB) Committed() module.KVReader { return committed{db: db} }

type committed struct{ db *DB }

var _ module.KVReader = committed{}

func (c committed) Get(key []byte) ([]byte, error) {
	return c.db.get(c.db.pdb, nil, prefixState, key)
}

func (c committed) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	return c.db.iteratePebble(c.db.pdb, nil, prefixState, start, end, fn)
}

// Side returns the committed side record under key (nil, nil if absent).
func (db *DB) Side(key []byte) ([]byte, error) {
	return db.get(db.pdb, nil, prefixSide, key)
}

// get reads prefix||key from r; the result is a copy, non-nil if present.
func (db *DB) get(r pebble.Reader, s *Snapshot, prefix byte, key []byte) ([]byte, error) {
	if len(key) > MaxKeySize {
		return nil, nil // cannot exist
	}
	if err := db.acquire(s); err != nil {
		return nil, err
	}
	defer db.release(s)
	v, closer, err := r.Get(dbKey(prefix, key))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, errorf("get: %w", err)
	}
	out := make([]byte, len(v))
	copy(out, v)
	if err := closer.Close(); err != nil {
		return nil, errorf("get: %w", err)
	}
	return out, nil
}

// iteratePebble visits prefix keys in [start, end) of r with the prefix
// stripped.
func (db *DB) iteratePebble(r pebble.Reader, s *Snapshot, prefix byte, start, end []byte, fn func(k, v []byte) bool) (err error) {
	if end != nil && bytes.Compare(start, end) >= 0 {
		return nil
	}
	if err := db.acquire(s); err != nil {
		return err
	}
	defer db.release(s)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: dbKey(prefix, start), UpperBound: dbUpper(prefix, end)})
	if err != nil {
		return errorf("iterate: %w", err)
	}
	defer func() {
		if cerr := it.Close(); cerr != nil && err == nil {
			err = errorf("iterate: %w", cerr)
		}
	}()
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return errorf("iterate: %w", err)
		}
		if !fn(it.Key()[1:], v) {
			return nil
		}
	}
	if err := it.Error(); err != nil {
		return errorf("iterate: %w", err)
	}
	return nil
}

// NewBlock returns a staging area for the next block over the last committed
// state.
func (db *DB) NewBlock() *Block {
	db.mu.Lock()
	defer db.mu.Unlock()
	return &Block{db: db, base: db.last.height, baseAcc: db.last.acc, ov: newOverlay()}
}

// Commit writes block b as the state at height in one pebble batch (synced
// unless Options.NoSync): the state changes, b's side records and the commit
// record (height, app hash, accumulator). b must have been created over the
// last committed state (else ErrStale), and height must be the last committed
// height plus one, or any height > 0 for the first commit (else ErrHeight).
// After Commit, b is finished. An error is a storage failure: the DB then
// still holds the previous state.
func (db *DB) Commit(b *Block, height int64) error {
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	if b.db != db {
		return errorf("commit: block of another db")
	}
	if b.done {
		return errorf("commit: %w", ErrFinished)
	}
	db.mu.Lock()
	last := db.last.height
	db.mu.Unlock()
	if b.base != last {
		return errorf("commit height %d: block over height %d, last committed %d: %w", height, b.base, last, ErrStale)
	}
	if height <= 0 || (last > 0 && height != last+1) {
		return errorf("commit height %d after %d: %w", height, last, ErrHeight)
	}
	if err := db.acquire(nil); err != nil {
		return err
	}
	defer db.release(nil)

	rec := commitRecord{height: height}
	rec.acc = b.accumulator()
	rec.appHash = rec.acc.hash()

	batch := db.pdb.NewBatch()
	defer batch.Close()
	var err error
	b.ov.tree.Ascend(func(e *entry) bool {
		if !e.changed() {
			return true
		}
		k := dbKey(prefixState, e.key)
		if e.del {
			err = batch.Delete(k, nil)
		} else {
			err = batch.Set(k, e.value, nil)
		}
		return err == nil
	})
	if err != nil {
		return errorf("commit height %d: %w", height, err)
	}
	sideKeys := make([]string, 0, len(b.side))
	for k := range b.side {
		sideKeys = append(sideKeys, k)
	}
	slices.Sort(sideKeys)
	for _, k := range sideKeys {
		if err := batch.Set(dbKey(prefixSide, []byte(k)), b.side[k], nil); err != nil {
			return errorf("commit height %d: %w", height, err)
		}
	}
	if err := batch.Set(commitKey, rec.encode(), nil); err != nil {
		return errorf("commit height %d: %w", height, err)
	}
	if err := batch.Commit(db.wopts); err != nil {
		return errorf("commit height %d: %w", height, err)
	}
	db.mu.Lock()
	db.last = rec
	db.mu.Unlock()
	b.done = true
	return nil
}

// VerifyAppHash recomputes the accumulator from a full scan of the committed
// state (one pebble snapshot, so it may run beside commits) and compares it
// with the commit record. It returns the recomputed app hash, and an error
// wrapping ErrAppHashMismatch if they differ.
func (db *DB) VerifyAppHash() ([]byte, error) {
	s, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var a acc
	h := newPairHasher()
	if err := db.iteratePebble(s.snap, s, prefixState, nil, nil, func(k, v []byte) bool {
		h.add(&a, k, v)
		return true
	}); err != nil {
		return nil, errorf("verify app hash: %w", err)
	}
	got := a.hash()
	if !bytes.Equal(got, s.rec.appHash) || a != s.rec.acc {
		return got, errorf("verify app hash at height %d: state hashes to %s, commit record says %s: %w",
			s.rec.height, hex.EncodeToString(got), hex.EncodeToString(s.rec.appHash), ErrAppHashMismatch)
	}
	return got, nil
}

// Snapshot is a consistent read-only view of one committed height. Its
// methods are safe for concurrent use; Close releases it (DB.Close closes
// those left open).
type Snapshot struct {
	db      *DB
	snap    *pebble.Snapshot
	rec     commitRecord
	closed  bool // guarded by db.mu
	readers int  // guarded by db.mu
}

var _ module.KVReader = (*Snapshot)(nil)

// Snapshot pins the last committed state.
func (db *DB) Snapshot() (*Snapshot, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, ErrClosed
	}
	snap := db.pdb.NewSnapshot()
	rec, err := readCommitRecord(snap)
	if err != nil {
		_ = snap.Close()
		return nil, errorf("snapshot: %w", err)
	}
	s := &Snapshot{db: db, snap: snap, rec: rec}
	db.snaps[s] = struct{}{}
	return s, nil
}

// Height returns the height of the snapshot's state (0 before the first commit).
func (s *Snapshot) Height() int64 { return s.rec.height }

// AppHash returns the app hash of the snapshot's state.
func (s *Snapshot) AppHash() []byte { return bytes.Clone(s.rec.appHash) }

// Get reads key at the snapshot's height.
func (s *Snapshot) Get(key []byte) ([]byte, error) {
	return s.db.get(s.snap, s, prefixState, key)
}

// Iterate visits the snapshot's keys in [start, end) in ascending order.
func (s *Snapshot) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	return s.db.iteratePebble(s.snap, s, prefixState, start, end, fn)
}

// Side reads a side record at the snapshot's height.
func (s *Snapshot) Side(key []byte) ([]byte, error) {
	return s.db.get(s.snap, s, prefixSide, key)
}

// Close releases the snapshot; it waits for its reads in flight. Closing twice
// is a no-op.
func (s *Snapshot) Close() error {
	db := s.db
	db.mu.Lock()
	if s.closed {
		db.mu.Unlock()
		return nil
	}
	s.closed = true
	for s.readers > 0 {
		db.cond.Wait()
	}
	if _, open := db.snaps[s]; !open { // the DB closed it
		db.mu.Unlock()
		return nil
	}
	delete(db.snaps, s)
	err := s.snap.Close() // under mu: the DB cannot close meanwhile
	db.mu.Unlock()
	if err != nil {
		return errorf("close snapshot: %w", err)
	}
	return nil
}

// pebbleLogger routes pebble's log lines to slog.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.LogAttrs(context.Background(), slog.LevelInfo, fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.LogAttrs(context.Background(), slog.LevelError, fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.log.LogAttrs(context.Background(), slog.LevelError, "fatal: "+msg)
	panic("state: pebble: " + msg)
}
