package state_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
)

// byteReader hands out fuzz input bytes, then zeros.
type byteReader struct{ b []byte }

func (r *byteReader) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *byteReader) key() []byte {
	c := r.next()
	k := make([]byte, int(c>>6)) // 0-3 bytes
	for i := range k {
		k[i] = keyAlphabet[(int(c)>>(2*i))%len(keyAlphabet)]
	}
	return k
}

func (r *byteReader) bound() []byte {
	c := r.next()
	if c == 0xff {
		return nil
	}
	return []byte{keyAlphabet[int(c)%len(keyAlphabet)], keyAlphabet[int(c>>4)%len(keyAlphabet)]}[:int(c>>7)+1]
}

// FuzzIterate drives committed state, a block and nested branches from the
// input and compares every level's merged iteration (whole keyspace, a
// prefix and an arbitrary range) and Gets with a map model.
func FuzzIterate(f *testing.F) {
	f.Add([]byte{0, 0x41, 1, 7, 3, 0x41, 4, 1, 0x82, 9, 5})
	f.Add([]byte{0, 0xc1, 1, 0, 0xff, 2, 7, 4, 3, 0xc1, 4, 0, 0xc1, 3, 6, 0, 0x10, 0x20, 0x30})
	f.Add(bytes.Repeat([]byte{0, 0x55, 1, 4, 3, 0x95, 2}, 10))
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := state.OpenFS("/db", state.Options{NoSync: true}, vfs.NewMem())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		r := &byteReader{b: data}
		committed := model{}
		s := &levelStack{kvs: []module.KV{db.NewBlock()}, models: []model{{}}}
		height := int64(0)
		for steps := 0; len(r.b) > 0 && steps < 200; steps++ {
			kv, m := s.top()
			switch r.next() % 8 {
			case 0, 1, 2:
				k, v := r.key(), []byte{r.next()}
				must(t, kv.Set(k, v))
				m[string(k)] = string(v)
			case 3:
				k := r.key()
				must(t, kv.Delete(k))
				delete(m, string(k))
			case 4:
				if len(s.kvs) < 5 {
					s.push()
				}
			case 5:
				if len(s.kvs) > 1 {
					s.pop(t, true)
				}
			case 6:
				if len(s.kvs) > 1 {
					s.pop(t, false)
				}
			case 7:
				for len(s.kvs) > 1 {
					s.pop(t, true)
				}
				height++
				must(t, db.Commit(s.kvs[0].(*state.Block), height))
				committed = s.models[0]
				s = &levelStack{kvs: []module.KV{db.NewBlock()}, models: []model{committed.clone()}}
			}
		}
		start, end := r.bound(), r.bound()
		prefix := r.key()
		ranges := [][2][]byte{{nil, nil}, {start, end}, {prefix, module.PrefixEnd(prefix)}}
		views := append([]module.KVReader{db.Committed()}, func() []module.KVReader {
			var out []module.KVReader
			for _, kv := range s.kvs {
				out = append(out, kv)
			}
			return out
		}()...)
		models := append([]model{committed}, s.models...)
		for i, v := range views {
			for _, rg := range ranges {
				check(t, fmt.Sprintf("level %d", i), v, models[i], rg[0], rg[1])
			}
			for _, k := range [][]byte{start, end, prefix} {
				got, err := v.Get(k)
				must(t, err)
				want, ok := models[i][string(k)]
				if (got != nil) != ok || string(got) != want {
					t.Fatalf("level %d get %x = %q, want %q", i, k, got, want)
				}
			}
		}
		if !bytes.Equal(s.kvs[0].(*state.Block).AppHash(), refAppHash(s.models[0])) {
			t.Fatal("block app hash differs from the reference")
		}
	})
}

// FuzzDecodeCommitRecord: the commit record decoder never panics and accepts
// exactly the documented layout with a consistent app hash.
func FuzzDecodeCommitRecord(f *testing.F) {
	lanes := make([]byte, 2048)
	for i := range lanes {
		lanes[i] = byte(i * 7)
	}
	sum := sha256.Sum256(lanes)
	valid := append(binary.BigEndian.AppendUint64([]byte{1}, 42), sum[:]...)
	valid = append(valid, lanes...)
	f.Add(valid)
	f.Add(valid[:100])
	f.Add([]byte{})
	f.Add(append([]byte{2}, valid[1:]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		height, hash, err := state.DecodeCommitRecord(b)
		if err != nil {
			return
		}
		want := sha256.Sum256(b[41:])
		if len(b) != 2089 || b[0] != 1 || height <= 0 || uint64(height) != binary.BigEndian.Uint64(b[1:9]) ||
			!bytes.Equal(hash, want[:]) || !bytes.Equal(hash, b[9:41]) {
			t.Fatalf("accepted a bad record: height %d hash %x", height, hash)
		}
	})
}

// TestDecodeCommitRecord pins the decoder's rejections.
func TestDecodeCommitRecord(t *testing.T) {
	lanes := make([]byte, 2048)
	sum := sha256.Sum256(lanes)
	rec := func(version byte, height uint64, hash []byte, lanes []byte) []byte {
		b := binary.BigEndian.AppendUint64([]byte{version}, height)
		return append(append(b, hash...), lanes...)
	}
	tests := []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"valid", rec(1, 7, sum[:], lanes), true},
		{"version 2", rec(2, 7, sum[:], lanes), false},
		{"height 0", rec(1, 0, sum[:], lanes), false},
		{"height overflows int64", rec(1, 1<<63, sum[:], lanes), false},
		{"hash mismatch", rec(1, 7, make([]byte, 32), lanes), false},
		{"short", rec(1, 7, sum[:], lanes[:2047]), false},
		{"long", append(rec(1, 7, sum[:], lanes), 0), false},
	}
	for _, tt := range tests {
		h, _, err := state.DecodeCommitRecord(tt.b)
		if (err == nil) != tt.ok || (tt.ok && h != 7) {
			t.Errorf("%s: height %d err %v", tt.name, h, err)
		}
	}
}
