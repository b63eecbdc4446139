package state_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
)

// openDB opens a state DB in a fresh temp dir (unsynced: tests do not need
// fsync) and closes it at the end of the test.
func openDB(t testing.TB) (*state.DB, string) {
	t.Helper()
	dir := t.TempDir()
	return reopen(t, dir), dir
}

func reopen(t testing.TB, dir string) *state.DB {
	t.Helper()
	db, err := state.Open(dir, state.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

type kv struct{ k, v string }

func (p kv) String() string { return fmt.Sprintf("%q=%q", p.k, p.v) }

// collect returns what r.Iterate visits in [start, end).
func collect(t testing.TB, r module.KVReader, start, end []byte) []kv {
	t.Helper()
	var out []kv
	if err := r.Iterate(start, end, func(k, v []byte) bool {
		out = append(out, kv{string(k), string(v)})
		return true
	}); err != nil {
		t.Fatalf("iterate: %v", err)
	}
	return out
}

// model is a map-based reference state.
type model map[string]string

func (m model) clone() model { return maps.Clone(m) }

// rangeOf returns the model's pairs in [start, end), sorted.
func (m model) rangeOf(start, end []byte) []kv {
	var out []kv
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if bytes.Compare([]byte(k), start) < 0 || (end != nil && bytes.Compare([]byte(k), end) >= 0) {
			continue
		}
		out = append(out, kv{k, m[k]})
	}
	return out
}

// refAppHash computes the app hash of a state from scratch, straight from
// the specification in doc.go (independently of the package's SWAR code).
func refAppHash(m model) []byte {
	var lanes [1024]uint16
	for _, k := range slices.Sorted(maps.Keys(m)) {
		in := binary.BigEndian.AppendUint32(nil, uint32(len(k)))
		in = append(append(in, k...), m[k]...)
		seed := sha256.Sum256(in)
		blk, _ := aes.NewCipher(seed[:])
		out := make([]byte, 2048)
		cipher.NewCTR(blk, make([]byte, 16)).XORKeyStream(out, out)
		for i := range lanes {
			lanes[i] += binary.LittleEndian.Uint16(out[2*i:])
		}
	}
	var buf []byte
	for _, l := range lanes {
		buf = binary.LittleEndian.AppendUint16(buf, l)
	}
	sum := sha256.Sum256(buf)
	return sum[:]
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustGet(t testing.TB, r module.KVReader, key string) []byte {
	t.Helper()
	v, err := r.Get([]byte(key))
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	return v
}

// commitModel commits m (on top of an empty DB state) as one block.
func commitState(t testing.TB, db *state.DB, height int64, m model) {
	t.Helper()
	b := db.NewBlock()
	for _, k := range slices.Sorted(maps.Keys(m)) {
		must(t, b.Set([]byte(k), []byte(m[k])))
	}
	must(t, db.Commit(b, height))
}
