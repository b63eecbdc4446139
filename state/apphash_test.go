package state_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/otcchain/otcchain/state"
)

func TestAppHashSpec(t *testing.T) {
	zero := sha256.Sum256(make([]byte, 2048))
	if !bytes.Equal(state.EmptyAppHash(), zero[:]) {
		t.Fatalf("empty hash %x", state.EmptyAppHash())
	}
	tests := []struct {
		name string
		m    model
	}{
		{"one pair", model{"k": "v"}},
		{"empty value", model{"k": ""}},
		{"empty key", model{"": "v"}},
		// len(key) is hashed: moving bytes between key and value changes the hash.
		{"split ab|c", model{"ab": "c"}},
		{"split a|bc", model{"a": "bc"}},
		{"many", model{"acct/1": "x", "acct/2": "y", "\xff": "\x00", "z": string(make([]byte, 5000))}},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		db, _ := openDB(t)
		b := db.NewBlock()
		for k, v := range tt.m {
			must(t, b.Set([]byte(k), []byte(v)))
		}
		got := b.AppHash()
		if want := refAppHash(tt.m); !bytes.Equal(got, want) {
			t.Errorf("%s: app hash %x, reference %x", tt.name, got, want)
		}
		if prev, dup := seen[string(got)]; dup {
			t.Errorf("%s: same hash as %s", tt.name, prev)
		}
		seen[string(got)] = tt.name
		must(t, db.Commit(b, 1))
		if _, h := db.LastCommitted(); !bytes.Equal(h, got) {
			t.Errorf("%s: committed %x, block said %x", tt.name, h, got)
		}
	}
}

func TestAppHashOrderIndependent(t *testing.T) {
	final := model{}
	for i := range 200 {
		final[string(rune('a'+i%26))+string(rune(i))] = string(rune(i * 7))
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range final {
			if !yield(k) {
				return
			}
		}
	})
	want := refAppHash(final)
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 5 {
		db, _ := openDB(t)
		order := slices.Clone(keys)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		// Spread the writes over blocks and branches, with detours: junk keys
		// that get deleted and values that get overwritten.
		h := int64(0)
		for len(order) > 0 {
			n := min(len(order), 1+rng.IntN(60))
			b := db.NewBlock()
			br := b.Branch()
			for _, k := range order[:n] {
				must(t, br.Set([]byte(k), []byte("tmp")))
				must(t, br.Set([]byte("junk/"+k), []byte("x")))
			}
			must(t, br.Write())
			for _, k := range order[:n] {
				must(t, b.Set([]byte(k), []byte(final[k])))
				must(t, b.Delete([]byte("junk/"+k)))
			}
			h++
			must(t, db.Commit(b, h))
			order = order[n:]
		}
		if _, got := db.LastCommitted(); !bytes.Equal(got, want) {
			t.Fatalf("trial %d: hash %x, want %x", trial, got, want)
		}
	}
}

func TestAppHashNoops(t *testing.T) {
	db, _ := openDB(t)
	commitState(t, db, 1, model{"a": "1", "b": "2", "e": ""})
	_, h1 := db.LastCommitted()
	tests := []struct {
		name string
		do   func(b *state.Block)
	}{
		{"empty block", func(b *state.Block) {}},
		{"rewrite same value", func(b *state.Block) { must(t, b.Set([]byte("a"), []byte("1"))) }},
		{"rewrite empty value", func(b *state.Block) { must(t, b.Set([]byte("e"), nil)) }},
		{"delete absent", func(b *state.Block) { must(t, b.Delete([]byte("zz"))) }},
		{"set then delete new key", func(b *state.Block) {
			must(t, b.Set([]byte("n"), []byte("x")))
			must(t, b.Delete([]byte("n")))
		}},
		{"change then restore", func(b *state.Block) {
			must(t, b.Set([]byte("a"), []byte("changed")))
			must(t, b.Delete([]byte("b")))
			must(t, b.Set([]byte("a"), []byte("1")))
			must(t, b.Set([]byte("b"), []byte("2")))
		}},
		{"discarded branch", func(b *state.Block) {
			br := b.Branch()
			must(t, br.Set([]byte("a"), []byte("x")))
			br.Discard()
		}},
		{"written branch of no-ops", func(b *state.Block) {
			br := b.Branch()
			must(t, br.Set([]byte("b"), []byte("2")))
			must(t, br.Delete([]byte("nope")))
			must(t, br.Write())
		}},
	}
	for i, tt := range tests {
		b := db.NewBlock()
		tt.do(b)
		if got := b.AppHash(); !bytes.Equal(got, h1) {
			t.Errorf("%s: block app hash %x, want %x", tt.name, got, h1)
		}
		must(t, db.Commit(b, int64(i+2)))
		if _, got := db.LastCommitted(); !bytes.Equal(got, h1) {
			t.Errorf("%s: committed app hash %x, want %x", tt.name, got, h1)
		}
	}
	// And a real change does change it.
	b := db.NewBlock()
	must(t, b.Set([]byte("a"), []byte("2")))
	if bytes.Equal(b.AppHash(), h1) {
		t.Fatal("a change kept the app hash")
	}
}

func TestVerifyAppHashDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(b *pebble.Batch) error
	}{
		{"changed value", func(b *pebble.Batch) error { return b.Set([]byte("\x01acct/1"), []byte("999"), nil) }},
		{"deleted key", func(b *pebble.Batch) error { return b.Delete([]byte("\x01acct/2"), nil) }},
		{"added key", func(b *pebble.Batch) error { return b.Set([]byte("\x01acct/3"), []byte("x"), nil) }},
	}
	for _, tt := range tests {
		db, dir := openDB(t)
		commitState(t, db, 1, model{"acct/1": "100", "acct/2": "200"})
		_, want := db.LastCommitted()
		if got, err := db.VerifyAppHash(); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: verify before tampering: %x %v", tt.name, got, err)
		}
		must(t, db.Close())

		// Tamper with the raw pebble state, following the documented layout.
		pdb, err := pebble.Open(dir, &pebble.Options{})
		must(t, err)
		batch := pdb.NewBatch()
		must(t, tt.tamper(batch))
		must(t, batch.Commit(pebble.Sync))
		must(t, pdb.Close())

		db = reopen(t, dir)
		got, err := db.VerifyAppHash()
		if !errors.Is(err, state.ErrAppHashMismatch) {
			t.Fatalf("%s: verify after tampering: %v", tt.name, err)
		}
		if bytes.Equal(got, want) || len(got) != 32 {
			t.Fatalf("%s: recomputed hash %x", tt.name, got)
		}
	}
}

func TestCorruptCommitRecord(t *testing.T) {
	db, dir := openDB(t)
	commitState(t, db, 1, model{"a": "1"})
	must(t, db.Close())
	pdb, err := pebble.Open(dir, &pebble.Options{})
	must(t, err)
	v, closer, err := pdb.Get(state.CommitRecordKey)
	must(t, err)
	rec := bytes.Clone(v)
	must(t, closer.Close())
	rec[50] ^= 1 // a lane: no longer matches the recorded app hash
	must(t, pdb.Set(state.CommitRecordKey, rec, pebble.Sync))
	must(t, pdb.Close())
	if db, err := state.Open(dir, state.Options{}); !errors.Is(err, state.ErrCorrupt) {
		if err == nil {
			_ = db.Close()
		}
		t.Fatalf("open with a corrupt commit record: %v", err)
	}
	// The failed Open released the directory.
	pdb, err = pebble.Open(dir, &pebble.Options{})
	must(t, err)
	must(t, pdb.Close())
}

// TestDeterminism feeds the same op sequence to two DBs: same app hash at
// every height.
func TestDeterminism(t *testing.T) {
	db1, _ := openDB(t)
	db2, _ := openDB(t)
	rng := rand.New(rand.NewPCG(42, 7))
	for h := int64(1); h <= 40; h++ {
		b1, b2 := db1.NewBlock(), db2.NewBlock()
		br1, br2 := b1.Branch(), b2.Branch()
		for range rng.IntN(50) {
			k := []byte{byte(rng.IntN(8)), byte(rng.IntN(8))}
			v := make([]byte, rng.IntN(20))
			for i := range v {
				v[i] = byte(rng.Uint32())
			}
			switch op := rng.IntN(10); {
			case op < 5:
				must(t, br1.Set(k, v))
				must(t, br2.Set(k, v))
			case op < 7:
				must(t, br1.Delete(k))
				must(t, br2.Delete(k))
			case op < 8:
				must(t, br1.Write())
				must(t, br2.Write())
				br1, br2 = b1.Branch(), b2.Branch()
			default:
				br1.Discard()
				br2.Discard()
				br1, br2 = b1.Branch(), b2.Branch()
			}
		}
		must(t, br1.Write())
		must(t, br2.Write())
		if a1, a2 := b1.AppHash(), b2.AppHash(); !bytes.Equal(a1, a2) {
			t.Fatalf("height %d: staged app hashes differ %x %x", h, a1, a2)
		}
		must(t, db1.Commit(b1, h))
		must(t, db2.Commit(b2, h))
		h1, a1 := db1.LastCommitted()
		h2, a2 := db2.LastCommitted()
		if h1 != h || h2 != h || !bytes.Equal(a1, a2) {
			t.Fatalf("height %d: %d %x vs %d %x", h, h1, a1, h2, a2)
		}
	}
	for _, db := range []*state.DB{db1, db2} {
		if _, err := db.VerifyAppHash(); err != nil {
			t.Fatal(err)
		}
	}
}
