package state_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
)

// keyAlphabet makes random keys collide often and exercise the edges of the
// keyspace (empty key, 0x00, 0xff runs for PrefixEnd).
var keyAlphabet = []byte{0x00, 0x01, 'a', 'b', 0x7f, 0xfe, 0xff}

func randKey(rng *rand.Rand) []byte {
	k := make([]byte, rng.IntN(4))
	for i := range k {
		k[i] = keyAlphabet[rng.IntN(len(keyAlphabet))]
	}
	return k
}

func randRange(rng *rand.Rand) (start, end []byte) {
	switch rng.IntN(4) {
	case 0:
		return nil, nil
	case 1:
		p := randKey(rng)
		return p, module.PrefixEnd(p)
	case 2:
		return randKey(rng), nil
	default:
		return randKey(rng), randKey(rng)
	}
}

// levelStack is the staging stack under test with its model: level 0 is the
// block, every further level a branch of the one below.
type levelStack struct {
	kvs    []module.KV
	models []model
}

func (s *levelStack) top() (module.KV, model) {
	return s.kvs[len(s.kvs)-1], s.models[len(s.models)-1]
}

func (s *levelStack) push() {
	kv, m := s.top()
	var br *state.Branch
	switch p := kv.(type) {
	case *state.Block:
		br = p.Branch()
	case *state.Branch:
		br = p.Branch()
	}
	s.kvs = append(s.kvs, br)
	s.models = append(s.models, m.clone())
}

func (s *levelStack) pop(t testing.TB, write bool) {
	kv, m := s.top()
	br := kv.(*state.Branch)
	s.kvs = s.kvs[:len(s.kvs)-1]
	s.models = s.models[:len(s.models)-1]
	if write {
		must(t, br.Write())
		s.models[len(s.models)-1] = m
	} else {
		br.Discard()
	}
}

// check compares a reader with the model over a range.
func check(t testing.TB, what string, r module.KVReader, m model, start, end []byte) {
	t.Helper()
	got := collect(t, r, start, end)
	want := m.rangeOf(start, end)
	if !slices.Equal(got, want) {
		t.Fatalf("%s [%x, %x): got %v, want %v", what, start, end, got, want)
	}
}

// TestModel runs random operations against a map-based model across many
// blocks, with nested branches, reopening the DB now and then.
func TestModel(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, seed*31))
			db, dir := openDB(t)
			committed := model{}
			height := int64(0)
			for h := int64(1); h <= 25; h++ {
				s := &levelStack{kvs: []module.KV{db.NewBlock()}, models: []model{committed.clone()}}
				for range rng.IntN(150) {
					kv, m := s.top()
					switch op := rng.IntN(100); {
					case op < 40:
						k := randKey(rng)
						v := fmt.Sprintf("v%d", rng.IntN(5)) // repeats values: same-value rewrites
						if rng.IntN(10) == 0 {
							v = ""
						}
						must(t, kv.Set(k, []byte(v)))
						m[string(k)] = v
					case op < 60:
						k := randKey(rng)
						must(t, kv.Delete(k))
						delete(m, string(k))
					case op < 70:
						k := randKey(rng)
						got, err := kv.Get(k)
						must(t, err)
						want, ok := m[string(k)]
						if (got != nil) != ok || string(got) != want {
							t.Fatalf("h%d get %x = %q, want %q (present %v)", h, k, got, want, ok)
						}
					case op < 80:
						start, end := randRange(rng)
						check(t, fmt.Sprintf("h%d level %d", h, len(s.kvs)-1), kv, m, start, end)
					case op < 88:
						if len(s.kvs) < 5 {
							s.push()
						}
					case op < 96:
						if len(s.kvs) > 1 {
							s.pop(t, true)
						}
					default:
						if len(s.kvs) > 1 {
							s.pop(t, false)
						}
					}
				}
				for len(s.kvs) > 1 {
					s.pop(t, rng.IntN(3) > 0)
				}
				blk := s.kvs[0].(*state.Block)
				check(t, fmt.Sprintf("h%d block", h), blk, s.models[0], nil, nil)
				if !bytes.Equal(blk.AppHash(), refAppHash(s.models[0])) {
					t.Fatalf("h%d: block app hash differs from the reference", h)
				}
				if rng.IntN(4) == 0 { // a block that never commits
					continue
				}
				height++
				must(t, db.Commit(blk, height))
				committed = s.models[0]
				if _, hash := db.LastCommitted(); !bytes.Equal(hash, refAppHash(committed)) {
					t.Fatalf("h%d: committed app hash differs from the reference", h)
				}
				if rng.IntN(5) == 0 {
					must(t, db.Close())
					db = reopen(t, dir)
				}
				check(t, fmt.Sprintf("h%d committed", h), db.Committed(), committed, nil, nil)
				start, end := randRange(rng)
				check(t, fmt.Sprintf("h%d committed", h), db.Committed(), committed, start, end)
			}
			if _, err := db.VerifyAppHash(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
