package state_test

import (
	"slices"
	"testing"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
)

// layeredFixture builds committed state + a block + a branch + a nested
// branch, each with sets and deletes, and the model of each level.
func layeredFixture(t *testing.T) (db *state.DB, views []module.KV, models []model) {
	t.Helper()
	db, _ = openDB(t)
	base := model{
		"acct/1": "c1", "acct/2": "c2", "acct/3": "c3",
		"fund/a": "ca", "fund/b": "cb",
		"\xff": "ff", "\xff\xff": "ffff",
		"z": "cz",
	}
	commitState(t, db, 1, base)
	blk := db.NewBlock()
	tx := blk.Branch()
	msg := tx.Branch()
	steps := []struct {
		kv  module.KV
		set map[string]string
		del []string
	}{
		{blk, map[string]string{"acct/2": "b2", "acct/4": "b4", "fund/0": "b0"}, []string{"acct/1", "z", "missing"}},
		{tx, map[string]string{"acct/1": "t1", "acct/5": "t5", "\xff\x00": "t-ff00"}, []string{"acct/4", "fund/b"}},
		{msg, map[string]string{"acct/4": "m4", "fund/b": "mb", "": "m-empty"}, []string{"acct/5", "acct/3", "\xff\xff"}},
	}
	m := base.clone()
	models = append(models, base.clone())
	for _, s := range steps {
		for _, k := range slicesSortedKeys(s.set) {
			must(t, s.kv.Set([]byte(k), []byte(s.set[k])))
			m[k] = s.set[k]
		}
		for _, k := range s.del {
			must(t, s.kv.Delete([]byte(k)))
			delete(m, k)
		}
		models = append(models, m.clone())
	}
	return db, []module.KV{nil, blk, tx, msg}, models
}

func slicesSortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestIterateMerge(t *testing.T) {
	db, views, models := layeredFixture(t)
	ranges := []struct {
		name       string
		start, end []byte
	}{
		{"all", nil, nil},
		{"prefix acct/", []byte("acct/"), module.PrefixEnd([]byte("acct/"))},
		{"prefix fund/", []byte("fund/"), module.PrefixEnd([]byte("fund/"))},
		{"prefix 0xff (open end)", []byte("\xff"), module.PrefixEnd([]byte("\xff"))},
		{"from acct/3", []byte("acct/3"), nil},
		{"up to fund/b", nil, []byte("fund/b")},
		{"empty range", []byte("b"), []byte("b")},
		{"inverted range", []byte("z"), []byte("a")},
		{"empty key only", []byte(""), []byte("\x00")},
		{"nothing there", []byte("q"), []byte("r")},
	}
	for level, view := range views {
		var r module.KVReader = view
		if view == nil {
			r = db.Committed()
		}
		for _, rg := range ranges {
			got := collect(t, r, rg.start, rg.end)
			want := models[level].rangeOf(rg.start, rg.end)
			if !slices.Equal(got, want) {
				t.Errorf("level %d %s: got %v, want %v", level, rg.name, got, want)
			}
		}
	}
	// Writing the branches down reaches the same final state in the block.
	msg, tx, blk := views[3].(*state.Branch), views[2].(*state.Branch), views[1].(*state.Block)
	must(t, msg.Write())
	must(t, tx.Write())
	if got, want := collect(t, blk, nil, nil), models[3].rangeOf(nil, nil); !slices.Equal(got, want) {
		t.Fatalf("block after writes %v, want %v", got, want)
	}
	must(t, db.Commit(blk, 2))
	if got, want := collect(t, db.Committed(), nil, nil), models[3].rangeOf(nil, nil); !slices.Equal(got, want) {
		t.Fatalf("committed %v, want %v", got, want)
	}
}

func TestIterateStop(t *testing.T) {
	_, views, models := layeredFixture(t)
	for level := 1; level < len(views); level++ {
		want := models[level].rangeOf(nil, nil)
		for n := 0; n <= len(want); n++ {
			var got []kv
			must(t, views[level].Iterate(nil, nil, func(k, v []byte) bool {
				got = append(got, kv{string(k), string(v)})
				return len(got) < n
			}))
			if n == 0 {
				n = 1 // fn is called once even when it stops at once
			}
			if !slices.Equal(got, want[:min(n, len(want))]) {
				t.Fatalf("level %d stop after %d: %v", level, n, got)
			}
		}
	}
}

// TestIterateWhileWriting pins the semantics of writes made by the callback:
// keys written or deleted ahead of the cursor are seen or skipped, keys behind
// it are not revisited.
func TestIterateWhileWriting(t *testing.T) {
	for _, nested := range []bool{false, true} {
		db, _ := openDB(t)
		commitState(t, db, 1, model{"k1": "c", "k3": "c", "k5": "c", "k7": "c"})
		b := db.NewBlock()
		must(t, b.Set([]byte("k2"), []byte("b")))
		var kv module.KV = b
		if nested {
			br := b.Branch()
			must(t, br.Set([]byte("k6"), []byte("br")))
			kv = br.Branch()
		}
		var seen []string
		must(t, kv.Iterate(nil, nil, func(k, v []byte) bool {
			seen = append(seen, string(k))
			switch string(k) {
			case "k1":
				must(t, kv.Set([]byte("k4"), []byte("new")))    // ahead: seen
				must(t, kv.Delete([]byte("k5")))                // ahead: skipped
				must(t, kv.Set([]byte("k0"), []byte("behind"))) // behind: not seen
				must(t, kv.Delete([]byte("k1")))                // current
			case "k3":
				must(t, kv.Set([]byte("k3"), []byte("rewritten")))
				for i := range 50 { // enough to overflow the cursor's buffer
					must(t, kv.Set([]byte{'k', '3', '/', byte(i)}, []byte("x")))
				}
			}
			return true
		}))
		want := []string{"k1", "k2", "k3"}
		for i := range 50 {
			want = append(want, string([]byte{'k', '3', '/', byte(i)}))
		}
		want = append(want, "k4")
		if nested {
			want = append(want, "k6")
		}
		want = append(want, "k7")
		if !slices.Equal(seen, want) {
			t.Fatalf("nested %v: seen %q, want %q", nested, seen, want)
		}
		if v := mustGet(t, kv, "k3"); string(v) != "rewritten" {
			t.Fatalf("k3 = %q", v)
		}
		if v := mustGet(t, kv, "k1"); v != nil {
			t.Fatalf("k1 = %q", v)
		}
	}
}

// TestIterateLargeOverlay crosses the cursor's batch size with committed keys
// interleaved.
func TestIterateLargeOverlay(t *testing.T) {
	db, _ := openDB(t)
	m := model{}
	for i := 0; i < 300; i += 3 {
		m[string([]byte{byte(i >> 8), byte(i)})] = "c"
	}
	commitState(t, db, 1, m)
	b := db.NewBlock()
	br := b.Branch()
	for i := range 300 {
		k := string([]byte{byte(i >> 8), byte(i)})
		switch {
		case i%5 == 0:
			must(t, b.Delete([]byte(k)))
			delete(m, k)
		case i%7 == 0:
			must(t, br.Set([]byte(k), []byte("br")))
			m[k] = "br"
		case i%2 == 0:
			must(t, b.Set([]byte(k), []byte("b")))
			m[k] = "b"
		}
	}
	for _, r := range [][2][]byte{{nil, nil}, {{0, 10}, {0, 200}}, {{0, 255}, nil}} {
		if got, want := collect(t, br, r[0], r[1]), m.rangeOf(r[0], r[1]); !slices.Equal(got, want) {
			t.Fatalf("range %x-%x: got %d pairs, want %d\n%v\n%v", r[0], r[1], len(got), len(want), got, want)
		}
	}
}
