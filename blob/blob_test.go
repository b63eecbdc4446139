package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestDirPutGet(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("blob "), 10000)
	h := sum(data)
	if ok, _ := d.Has(h); ok {
		t.Fatal("empty store has a blob")
	}
	if _, _, err := d.Get(h); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get absent: %v", err)
	}
	n, err := d.Put(h, bytes.NewReader(data), 0)
	if err != nil || n != int64(len(data)) {
		t.Fatalf("put: %d %v", n, err)
	}
	fi, err := os.Stat(d.Path(h))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stored file: %v %v", fi.Mode(), err)
	}
	if filepath.Base(filepath.Dir(d.Path(h))) != h[:2] {
		t.Fatalf("not sharded: %s", d.Path(h))
	}
	rc, size, err := d.Get(h)
	if err != nil || size != int64(len(data)) {
		t.Fatalf("get: %d %v", size, err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
	// A second put of the same blob is fine.
	if _, err := d.Put(h, bytes.NewReader(data), 0); err != nil {
		t.Fatal(err)
	}
}

func TestDirRefuses(t *testing.T) {
	root := t.TempDir()
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("some encrypted stream")
	h := sum(data)
	if _, err := d.Put(h, bytes.NewReader(append(data, '!')), 0); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("mismatch: %v", err)
	}
	if _, err := d.Put(h, bytes.NewReader(data), 5); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("too large: %v", err)
	}
	if _, err := d.Put(strings.ToUpper(h), bytes.NewReader(data), 0); !errors.Is(err, ErrBadHash) {
		t.Fatalf("upper-case hash: %v", err)
	}
	if _, err := d.Put("../../etc/passwd", bytes.NewReader(data), 0); !errors.Is(err, ErrBadHash) {
		t.Fatalf("path: %v", err)
	}
	if _, err := d.Put(h, iotestErr{}, 0); err == nil {
		t.Fatal("read error ignored")
	}
	if ok, _ := d.Has(h); ok {
		t.Fatal("a refused put left the blob")
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "tmp")); len(entries) != 0 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestDirConcurrentPut(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte{1, 2, 3}, 100000)
	h := sum(data)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.Put(h, bytes.NewReader(data), 0); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok, _ := d.Has(h); !ok {
		t.Fatal("missing")
	}
}

func TestOpenDirCleansTmp(t *testing.T) {
	root := t.TempDir()
	if _, err := OpenDir(root); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(root, "tmp", "abandoned")
	if err := os.WriteFile(left, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDir(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("abandoned temporary file kept")
	}
}
