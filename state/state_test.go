package state_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
)

func TestGenesis(t *testing.T) {
	db, _ := openDB(t)
	h, hash := db.LastCommitted()
	if h != 0 || !bytes.Equal(hash, state.EmptyAppHash()) || !bytes.Equal(hash, refAppHash(nil)) {
		t.Fatalf("genesis: height %d hash %x, want 0 %x", h, hash, refAppHash(nil))
	}
	got, err := db.VerifyAppHash()
	if err != nil || !bytes.Equal(got, hash) {
		t.Fatalf("verify empty: %x %v", got, err)
	}
	if v := mustGet(t, db.Committed(), "x"); v != nil {
		t.Fatalf("get on empty: %q", v)
	}
}

func TestBlockSetGetDelete(t *testing.T) {
	db, _ := openDB(t)
	commitState(t, db, 1, model{"a": "1", "b": "2"})
	b := db.NewBlock()
	must(t, b.Set([]byte("c"), []byte("3")))
	must(t, b.Set([]byte("a"), []byte("1x")))
	must(t, b.Delete([]byte("b")))
	must(t, b.Set([]byte("e"), nil)) // empty value, present
	tests := []struct {
		key  string
		want []byte
	}{
		{"a", []byte("1x")},
		{"b", nil},
		{"c", []byte("3")},
		{"d", nil},
		{"e", []byte{}},
	}
	for _, tt := range tests {
		got := mustGet(t, b, tt.key)
		if !bytes.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("block get %q = %q (nil %v), want %q", tt.key, got, got == nil, tt.want)
		}
	}
	// Committed state is untouched until Commit.
	if v := mustGet(t, db.Committed(), "a"); string(v) != "1" {
		t.Fatalf("committed a = %q before commit", v)
	}
	if v := mustGet(t, db.Committed(), "c"); v != nil {
		t.Fatalf("committed c = %q before commit", v)
	}
	// Get returns a copy.
	v := mustGet(t, b, "c")
	v[0] = 'X'
	if v := mustGet(t, b, "c"); string(v) != "3" {
		t.Fatalf("get did not return a copy: %q", v)
	}
	must(t, db.Commit(b, 2))
	want := []kv{{"a", "1x"}, {"c", "3"}, {"e", ""}}
	if got := collect(t, db.Committed(), nil, nil); !slices.Equal(got, want) {
		t.Fatalf("committed = %v, want %v", got, want)
	}
	if v := mustGet(t, db.Committed(), "e"); v == nil || len(v) != 0 {
		t.Fatalf("empty value read back as %v", v)
	}
}

func TestCallerBuffersAreCopied(t *testing.T) {
	db, _ := openDB(t)
	b := db.NewBlock()
	k, v := []byte("key"), []byte("value")
	must(t, b.Set(k, v))
	k[0], v[0] = 'X', 'X'
	if got := mustGet(t, b, "key"); string(got) != "value" {
		t.Fatalf("set kept caller's buffer: %q", got)
	}
	br := b.Branch()
	k2, v2 := []byte("k2"), []byte("v2")
	must(t, br.Set(k2, v2))
	k2[0], v2[0] = 'X', 'X'
	must(t, br.Write())
	must(t, db.Commit(b, 1))
	if got := collect(t, db.Committed(), nil, nil); !slices.Equal(got, []kv{{"k2", "v2"}, {"key", "value"}}) {
		t.Fatalf("committed %v", got)
	}
}

func TestBranches(t *testing.T) {
	db, _ := openDB(t)
	commitState(t, db, 1, model{"a": "1", "b": "2", "c": "3"})
	b := db.NewBlock()
	must(t, b.Set([]byte("d"), []byte("4")))

	tx := b.Branch()
	must(t, tx.Set([]byte("a"), []byte("tx")))
	must(t, tx.Delete([]byte("d")))

	msg := tx.Branch()
	must(t, msg.Set([]byte("e"), []byte("msg")))
	must(t, msg.Delete([]byte("b")))

	item1 := msg.Branch() // discarded
	must(t, item1.Set([]byte("f"), []byte("item1")))
	must(t, item1.Delete([]byte("c")))
	if got := collect(t, item1, nil, nil); !slices.Equal(got, []kv{{"a", "tx"}, {"e", "msg"}, {"f", "item1"}}) {
		t.Fatalf("item1 view %v", got)
	}
	item1.Discard()
	item1.Discard() // no-op

	item2 := msg.Branch() // written
	must(t, item2.Set([]byte("g"), []byte("item2")))
	must(t, item2.Write())

	checks := []struct {
		name string
		r    module.KVReader
		want []kv
	}{
		{"msg", msg, []kv{{"a", "tx"}, {"c", "3"}, {"e", "msg"}, {"g", "item2"}}},
		{"tx", tx, []kv{{"a", "tx"}, {"b", "2"}, {"c", "3"}}},
		{"block", b, []kv{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}},
	}
	for _, c := range checks {
		if got := collect(t, c.r, nil, nil); !slices.Equal(got, c.want) {
			t.Errorf("%s view %v, want %v", c.name, got, c.want)
		}
	}
	must(t, msg.Write())
	if got := collect(t, tx, nil, nil); !slices.Equal(got, checks[0].want) {
		t.Errorf("tx after msg write %v", got)
	}
	must(t, tx.Write())
	must(t, db.Commit(b, 2))
	if got := collect(t, db.Committed(), nil, nil); !slices.Equal(got, checks[0].want) {
		t.Errorf("committed %v, want %v", got, checks[0].want)
	}
}

func TestFinished(t *testing.T) {
	db, _ := openDB(t)
	b := db.NewBlock()
	parent := b.Branch()
	child := parent.Branch()
	parent.Discard()
	if err := child.Set([]byte("k"), []byte("v")); !errors.Is(err, state.ErrFinished) {
		t.Fatalf("set under discarded parent: %v", err)
	}
	if err := child.Write(); !errors.Is(err, state.ErrFinished) {
		t.Fatalf("write under discarded parent: %v", err)
	}
	br := b.Branch()
	must(t, br.Write())
	if err := br.Write(); !errors.Is(err, state.ErrFinished) {
		t.Fatalf("second write: %v", err)
	}
	if _, err := br.Get([]byte("k")); !errors.Is(err, state.ErrFinished) {
		t.Fatalf("get on written branch: %v", err)
	}
	open := b.Branch()
	must(t, db.Commit(b, 1))
	if err := db.Commit(b, 2); !errors.Is(err, state.ErrFinished) {
		t.Fatalf("second commit: %v", err)
	}
	if err := b.Set([]byte("k"), nil); !errors.Is(err, state.ErrFinished) {
		t.Fatalf("set on committed block: %v", err)
	}
	if err := open.Iterate(nil, nil, func(k, v []byte) bool { return true }); !errors.Is(err, state.ErrFinished) {
		t.Fatalf("iterate a branch of a committed block: %v", err)
	}
}

func TestCommitHeightsAndStale(t *testing.T) {
	db, _ := openDB(t)
	b1, b2 := db.NewBlock(), db.NewBlock()
	for _, h := range []int64{0, -1} {
		if err := db.Commit(b1, h); !errors.Is(err, state.ErrHeight) {
			t.Fatalf("commit at %d: %v", h, err)
		}
	}
	must(t, db.Commit(b1, 5)) // a chain may start at any initial height
	if err := db.Commit(b2, 6); !errors.Is(err, state.ErrStale) {
		t.Fatalf("stale block: %v", err)
	}
	for _, h := range []int64{5, 7, 4} {
		if err := db.Commit(db.NewBlock(), h); !errors.Is(err, state.ErrHeight) {
			t.Fatalf("commit at %d after 5: %v", h, err)
		}
	}
	b3 := db.NewBlock()
	if b3.Base() != 5 {
		t.Fatalf("base %d", b3.Base())
	}
	must(t, db.Commit(b3, 6))
	if h, _ := db.LastCommitted(); h != 6 {
		t.Fatalf("height %d", h)
	}
}

func TestLimits(t *testing.T) {
	db, _ := openDB(t)
	b := db.NewBlock()
	br := b.Branch()
	maxKey := bytes.Repeat([]byte{0xff}, state.MaxKeySize)
	bigKey := append(bytes.Clone(maxKey), 0)
	maxVal := make([]byte, state.MaxValueSize)
	bigVal := make([]byte, state.MaxValueSize+1)
	tests := []struct {
		name string
		err  error
		do   func() error
	}{
		{"block max key", nil, func() error { return b.Set(maxKey, []byte("v")) }},
		{"block max value", nil, func() error { return b.Set([]byte("v"), maxVal) }},
		{"block empty key", nil, func() error { return b.Set(nil, []byte("empty key")) }},
		{"block big key", state.ErrKeyTooLarge, func() error { return b.Set(bigKey, nil) }},
		{"block big key delete", state.ErrKeyTooLarge, func() error { return b.Delete(bigKey) }},
		{"block big value", state.ErrValueTooLarge, func() error { return b.Set([]byte("k"), bigVal) }},
		{"branch big key", state.ErrKeyTooLarge, func() error { return br.Set(bigKey, nil) }},
		{"branch big key delete", state.ErrKeyTooLarge, func() error { return br.Delete(bigKey) }},
		{"branch big value", state.ErrValueTooLarge, func() error { return br.Set([]byte("k"), bigVal) }},
		{"side big key", state.ErrKeyTooLarge, func() error { return b.SetSide(bigKey, nil) }},
		{"side big value", state.ErrValueTooLarge, func() error { return b.SetSide([]byte("k"), bigVal) }},
	}
	for _, tt := range tests {
		err := tt.do()
		if (tt.err == nil && err != nil) || !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "state: ") {
			t.Errorf("%s: message %q lacks the package prefix", tt.name, err)
		}
	}
	must(t, br.Write())
	must(t, db.Commit(b, 1))
	if v := mustGet(t, db.Committed(), string(maxKey)); string(v) != "v" {
		t.Fatalf("max key read back %q", v)
	}
	if v := mustGet(t, db.Committed(), ""); string(v) != "empty key" {
		t.Fatalf("empty key read back %q", v)
	}
	if v := mustGet(t, db.Committed(), string(bigKey)); v != nil {
		t.Fatalf("oversized key read %q", v)
	}
	if _, err := db.VerifyAppHash(); err != nil {
		t.Fatal(err)
	}
}

func TestSideRecords(t *testing.T) {
	db, dir := openDB(t)
	b := db.NewBlock()
	must(t, b.Set([]byte("k"), []byte("v")))
	hashBefore := b.AppHash()
	must(t, b.SetSide([]byte("tx/1"), []byte("loc1")))
	must(t, b.SetSide([]byte("tx/1"), []byte("loc1b")))
	must(t, b.SetSide([]byte("tx/2"), nil))
	if !bytes.Equal(b.AppHash(), hashBefore) {
		t.Fatal("side records changed the app hash")
	}
	if v, _ := b.Get([]byte("tx/1")); v != nil {
		t.Fatal("side record visible as state")
	}
	if v, _ := db.Side([]byte("tx/1")); v != nil {
		t.Fatal("side record visible before commit")
	}
	must(t, db.Commit(b, 1))
	lost := db.NewBlock()
	must(t, lost.SetSide([]byte("tx/3"), []byte("never")))

	must(t, db.Close())
	db = reopen(t, dir)
	tests := []struct {
		key  string
		want []byte
	}{{"tx/1", []byte("loc1b")}, {"tx/2", []byte{}}, {"tx/3", nil}, {"k", nil}}
	for _, tt := range tests {
		v, err := db.Side([]byte(tt.key))
		if err != nil || !bytes.Equal(v, tt.want) || (v == nil) != (tt.want == nil) {
			t.Errorf("side %q = %q, %v; want %q", tt.key, v, err, tt.want)
		}
	}
	if got := collect(t, db.Committed(), nil, nil); !slices.Equal(got, []kv{{"k", "v"}}) {
		t.Fatalf("state %v", got)
	}
	if _, err := db.VerifyAppHash(); err != nil {
		t.Fatal(err)
	}
}

func TestReopen(t *testing.T) {
	db, dir := openDB(t)
	m := model{"a": "1", "b/x": "2", "b/y": "3", "c": ""}
	commitState(t, db, 1, m)
	b := db.NewBlock()
	must(t, b.Delete([]byte("a")))
	must(t, b.Set([]byte("d"), []byte("4")))
	delete(m, "a")
	m["d"] = "4"
	must(t, db.Commit(b, 2))
	h, hash := db.LastCommitted()
	if !bytes.Equal(hash, refAppHash(m)) {
		t.Fatalf("hash %x, reference %x", hash, refAppHash(m))
	}

	// A block staged but not committed is lost.
	lost := db.NewBlock()
	must(t, lost.Set([]byte("lost"), []byte("x")))
	must(t, lost.Delete([]byte("d")))
	br := lost.Branch()
	must(t, br.Set([]byte("lost2"), []byte("y")))
	must(t, br.Write())
	must(t, db.Close())
	if _, err := lost.Get([]byte("a")); !errors.Is(err, state.ErrClosed) {
		t.Fatalf("get after close: %v", err)
	}
	if err := db.Commit(lost, 3); !errors.Is(err, state.ErrClosed) {
		t.Fatalf("commit after close: %v", err)
	}
	must(t, db.Close()) // idempotent

	db = reopen(t, dir)
	h2, hash2 := db.LastCommitted()
	if h2 != h || !bytes.Equal(hash2, hash) {
		t.Fatalf("reopened at %d %x, want %d %x", h2, hash2, h, hash)
	}
	if got, want := collect(t, db.Committed(), nil, nil), m.rangeOf(nil, nil); !slices.Equal(got, want) {
		t.Fatalf("reopened state %v, want %v", got, want)
	}
	if got, err := db.VerifyAppHash(); err != nil || !bytes.Equal(got, hash) {
		t.Fatalf("verify: %x %v", got, err)
	}
	// The chain continues from the reopened state.
	b = db.NewBlock()
	must(t, b.Set([]byte("e"), []byte("5")))
	must(t, db.Commit(b, 3))
}

func TestSnapshot(t *testing.T) {
	db, _ := openDB(t)
	commitState(t, db, 1, model{"a": "1"})
	s, err := db.Snapshot()
	must(t, err)
	_, hash1 := db.LastCommitted()
	b := db.NewBlock()
	must(t, b.Set([]byte("a"), []byte("2")))
	must(t, b.SetSide([]byte("s"), []byte("side")))
	must(t, db.Commit(b, 2))
	if s.Height() != 1 || !bytes.Equal(s.AppHash(), hash1) {
		t.Fatalf("snapshot at %d %x", s.Height(), s.AppHash())
	}
	if v := mustGet(t, s, "a"); string(v) != "1" {
		t.Fatalf("snapshot sees %q", v)
	}
	if v, err := s.Side([]byte("s")); err != nil || v != nil {
		t.Fatalf("snapshot side %q %v", v, err)
	}
	if v := mustGet(t, db.Committed(), "a"); string(v) != "2" {
		t.Fatalf("committed sees %q", v)
	}
	must(t, s.Close())
	must(t, s.Close())
	if _, err := s.Get([]byte("a")); !errors.Is(err, state.ErrClosed) {
		t.Fatalf("get on closed snapshot: %v", err)
	}
	// The DB closes snapshots left open.
	s2, err := db.Snapshot()
	must(t, err)
	must(t, db.Close())
	if _, err := s2.Get([]byte("a")); !errors.Is(err, state.ErrClosed) {
		t.Fatalf("get on snapshot of closed db: %v", err)
	}
	must(t, s2.Close())
	if _, err := db.Snapshot(); !errors.Is(err, state.ErrClosed) {
		t.Fatalf("snapshot of closed db: %v", err)
	}
}

// TestCommittedConcurrent reads committed state while blocks execute and
// commit (run with -race): readers never see staged writes, and every value
// they see belongs to a committed height.
func TestCommittedConcurrent(t *testing.T) {
	db, _ := openDB(t)
	const blocks = 30
	commitState(t, db, 1, model{"n": "01", "m": "01"})
	r := db.Committed()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				v, err := r.Get([]byte("n"))
				if err != nil {
					errs <- err
					return
				}
				if string(v) == "staged" {
					errs <- errors.New("saw a staged value")
					return
				}
				// Both keys change in the same block: an iterator sees one state.
				var vals []string
				if err := r.Iterate(nil, nil, func(k, v []byte) bool {
					vals = append(vals, string(v))
					return true
				}); err != nil {
					errs <- err
					return
				}
				if len(vals) != 2 || vals[0] != vals[1] {
					errs <- errors.New("iterator saw a torn block: " + strings.Join(vals, ","))
					return
				}
				s, err := db.Snapshot()
				if err != nil {
					errs <- err
					return
				}
				if v, err := s.Get([]byte("m")); err != nil || string(v) != string(rune('0'+s.Height()/10))+string(rune('0'+s.Height()%10)) {
					errs <- errors.New("snapshot value does not match its height: " + string(v))
				}
				_ = s.Close()
			}
		})
	}
	for h := int64(2); h <= blocks; h++ {
		b := db.NewBlock()
		must(t, b.Set([]byte("n"), []byte("staged")))
		val := []byte{byte('0' + h/10), byte('0' + h%10)}
		must(t, b.Set([]byte("n"), val))
		must(t, b.Set([]byte("m"), val))
		must(t, db.Commit(b, h))
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
