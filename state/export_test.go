package state

import "github.com/cockroachdb/pebble/v2/vfs"

// OpenFS opens a DB on the given pebble file system (crash tests).
func OpenFS(dir string, opts Options, fs vfs.FS) (*DB, error) { return open(dir, opts, fs) }

// CommitRecordKey is the pebble key of the commit record.
var CommitRecordKey = commitKey

// DecodeCommitRecord exposes the commit record decoder to the fuzz target.
func DecodeCommitRecord(b []byte) (height int64, appHash []byte, err error) {
	r, err := decodeCommitRecord(b)
	return r.height, r.appHash, err
}
