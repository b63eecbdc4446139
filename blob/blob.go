// Package blob is the content-addressed store of a node: encrypted file
// contents (exchange records' blobs) kept under the lowercase hex SHA-256 of
// their bytes.
//
// Store is the interface the API serves; Dir is the embedded
// implementation, a directory on the node's disk. Put verifies the hash
// while it writes and keeps nothing when it does not match, so a store only
// ever holds blobs whose name is their hash; readers still check the hash of
// what they read (a disk can rot, an operator can edit a file).
//
// # Another backend
//
// An S3-compatible object store plugs in as another Store: Put streams to a
// temporary key ("tmp/<random>") while hashing, and on a match copies it to
// "<hash[0:2]>/<hash>" (CopyObject; or a multipart upload completed only
// after the hash is checked) and deletes the temporary key, deleting it
// instead on a mismatch; Get is GetObject (size from Content-Length); Has is
// HeadObject. Bucket policy must make objects private to the node's
// credentials, with server-side encryption on (the content is encrypted by
// the sender in any case). Node wiring would pick the implementation from
// otc.toml's [blob] section; only "dir" exists today.
package blob

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// DefaultMaxBytes is the default limit of one blob a node stores (1 GiB).
const DefaultMaxBytes = 1 << 30

// Errors of a Store; test with errors.Is.
var (
	// ErrNotFound: the store has no blob of this hash.
	ErrNotFound = errors.New("blob: not found")
	// ErrHashMismatch: the bytes given to Put do not have the hash given.
	ErrHashMismatch = errors.New("blob: content does not match its hash")
	// ErrTooLarge: the bytes given to Put exceed the store's limit.
	ErrTooLarge = errors.New("blob: too large")
	// ErrBadHash: the hash is not 64 lowercase hex digits.
	ErrBadHash = errors.New("blob: a blob is addressed by 64 lowercase hex digits (SHA-256)")
)

// Store is a content-addressed blob store. Implementations are safe for
// concurrent use; concurrent Puts of the same hash are harmless.
type Store interface {
	// Put reads r to its end and stores it under hash if its SHA-256 is
	// hash and it has at most max bytes (max <= 0: no limit). On any error
	// nothing is left behind. A blob already stored is not written again
	// (r is still read and checked). It returns the size.
	Put(hash string, r io.Reader, max int64) (int64, error)
	// Get opens a stored blob and returns its size; ErrNotFound if absent.
	Get(hash string) (io.ReadCloser, int64, error)
	// Has says whether the blob is stored.
	Has(hash string) (bool, error)
}

// ValidHash says whether h is 64 lowercase hex digits.
func ValidHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Dir is a Store in a directory: DIR/<hash[0:2]>/<hash>, files 0600,
// directories 0700, each written to a temporary file in DIR/tmp, synced,
// and renamed into place only once its hash matched.
type Dir struct {
	root string
}

var _ Store = (*Dir)(nil)

// OpenDir opens (creating it if needed) a directory store and removes
// temporary files an interrupted Put left.
func OpenDir(root string) (*Dir, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(abs, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if entries, err := os.ReadDir(filepath.Join(abs, "tmp")); err == nil {
		for _, e := range entries {
			_ = os.Remove(filepath.Join(abs, "tmp", e.Name()))
		}
	}
	return &Dir{root: abs}, nil
}

// Root returns the store's directory.
func (d *Dir) Root() string { return d.root }

// Path returns where the blob of hash is (or would be) kept.
func (d *Dir) Path(hash string) string { return filepath.Join(d.root, hash[:2], hash) }

// Put implements Store.
func (d *Dir) Put(hash string, r io.Reader, max int64) (n int64, err error) {
	if !ValidHash(hash) {
		return 0, ErrBadHash
	}
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(d.root, "tmp", hash[:16]+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("blob: %w", err)
	}
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	src := r
	if max > 0 {
		src = io.LimitReader(r, max+1)
	}
	n, err = io.Copy(io.MultiWriter(f, h), src)
	if err != nil {
		return n, err
	}
	if max > 0 && n > max {
		return n, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	if hex.EncodeToString(h.Sum(nil)) != hash {
		return n, ErrHashMismatch
	}
	if err = f.Sync(); err != nil {
		return n, fmt.Errorf("blob: %w", err)
	}
	if err = f.Close(); err != nil {
		f = nil
		return n, fmt.Errorf("blob: %w", err)
	}
	f = nil
	dir := filepath.Join(d.root, hash[:2])
	if err = os.MkdirAll(dir, 0o700); err != nil {
		return n, fmt.Errorf("blob: %w", err)
	}
	if err = os.Rename(tmp, d.Path(hash)); err != nil {
		return n, fmt.Errorf("blob: %w", err)
	}
	if df, derr := os.Open(dir); derr == nil {
		_ = df.Sync() // make the rename durable
		df.Close()
	}
	return n, nil
}

// Get implements Store.
func (d *Dir) Get(hash string) (io.ReadCloser, int64, error) {
	if !ValidHash(hash) {
		return nil, 0, ErrBadHash
	}
	f, err := os.Open(d.Path(hash))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("blob: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("blob: %w", err)
	}
	return f, fi.Size(), nil
}

// Has implements Store.
func (d *Dir) Has(hash string) (bool, error) {
	if !ValidHash(hash) {
		return false, ErrBadHash
	}
	_, err := os.Stat(d.Path(hash))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("blob: %w", err)
	}
	return true, nil
}
