package state

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// Key prefixes in pebble (see doc.go).
const (
	prefixState byte = 0x01
	prefixMeta  byte = 0x02
	prefixSide  byte = 0x03
)

var commitKey = []byte{prefixMeta, 'c'}

const (
	metaVersion = 1
	metaLen     = 1 + 8 + 32 + laneBytes
)

func errorf(format string, args ...any) error {
	return fmt.Errorf("state: "+format, args...)
}

// dbKey returns prefix || key in a new slice.
func dbKey(prefix byte, key []byte) []byte {
	out := make([]byte, 1+len(key))
	out[0] = prefix
	copy(out[1:], key)
	return out
}

// dbUpper returns the exclusive pebble upper bound for user key end (nil: the
// end of the prefix's keyspace).
func dbUpper(prefix byte, end []byte) []byte {
	if end == nil {
		return []byte{prefix + 1}
	}
	return dbKey(prefix, end)
}

// commitRecord is what the commit record holds.
type commitRecord struct {
	height  int64
	appHash []byte
	acc     acc
}

func (r *commitRecord) encode() []byte {
	out := make([]byte, 0, metaLen)
	out = append(out, metaVersion)
	out = binary.BigEndian.AppendUint64(out, uint64(r.height))
	out = append(out, r.appHash...)
	return r.acc.appendBytes(out)
}

// decodeCommitRecord parses a commit record strictly: exact length, known
// version, positive height, and an app hash that matches the accumulator.
func decodeCommitRecord(b []byte) (commitRecord, error) {
	var r commitRecord
	if len(b) != metaLen {
		return r, fmt.Errorf("state: commit record of %d bytes, want %d: %w", len(b), metaLen, ErrCorrupt)
	}
	if b[0] != metaVersion {
		return r, fmt.Errorf("state: commit record version %d: %w", b[0], ErrCorrupt)
	}
	h := binary.BigEndian.Uint64(b[1:9])
	if h == 0 || h > math.MaxInt64 {
		return r, fmt.Errorf("state: commit record height %d: %w", h, ErrCorrupt)
	}
	r.height = int64(h)
	r.appHash = bytes.Clone(b[9:41])
	r.acc.setBytes(b[41:])
	if !bytes.Equal(r.acc.hash(), r.appHash) {
		return r, fmt.Errorf("state: commit record app hash does not match its accumulator: %w", ErrCorrupt)
	}
	return r, nil
}
