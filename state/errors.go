package state

import "errors"

// Limits on what callers may store.
const (
	MaxKeySize   = 1 << 10 // bytes
	MaxValueSize = 4 << 20 // bytes
)

var (
	// ErrClosed is returned by any use of a DB (or of its blocks, readers and
	// snapshots) after Close.
	ErrClosed = errors.New("state: closed")
	// ErrKeyTooLarge is returned for a key longer than MaxKeySize.
	ErrKeyTooLarge = errors.New("state: key too large")
	// ErrValueTooLarge is returned for a value longer than MaxValueSize.
	ErrValueTooLarge = errors.New("state: value too large")
	// ErrFinished is returned by a Block that was committed, or a Branch that
	// was written or discarded (or whose parent was).
	ErrFinished = errors.New("state: block or branch already finished")
	// ErrStale is returned by Commit for a block created over a state that is
	// no longer the last committed one.
	ErrStale = errors.New("state: block is stale")
	// ErrHeight is returned by Commit for a height that does not follow the
	// last committed one.
	ErrHeight = errors.New("state: bad commit height")
	// ErrAppHashMismatch is returned by VerifyAppHash when the state on disk
	// does not hash to the recorded app hash.
	ErrAppHashMismatch = errors.New("state: app hash mismatch")
	// ErrCorrupt is returned when the commit record cannot be decoded.
	ErrCorrupt = errors.New("state: corrupt commit record")
)

func checkKey(key []byte) error {
	if len(key) > MaxKeySize {
		return errorf("key of %d bytes (max %d): %w", len(key), MaxKeySize, ErrKeyTooLarge)
	}
	return nil
}

func checkValue(value []byte) error {
	if len(value) > MaxValueSize {
		return errorf("value of %d bytes (max %d): %w", len(value), MaxValueSize, ErrValueTooLarge)
	}
	return nil
}
