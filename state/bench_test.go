package state_test

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/otcchain/otcchain/state"
)

func benchKey(rng *rand.Rand) []byte {
	k := make([]byte, 32) // hash-like keys: random order
	binary.BigEndian.PutUint64(k, rng.Uint64())
	binary.BigEndian.PutUint64(k[8:], rng.Uint64())
	return k
}

// BenchmarkCommit10k measures Set + Commit of 10,000-key blocks (32-byte
// random keys, 100-byte values) on a real directory with synced commits:
// inserts of new keys, and updates of keys committed before.
func BenchmarkCommit10k(b *testing.B) {
	const n = 10_000
	for _, update := range []bool{false, true} {
		name := "insert"
		if update {
			name = "update"
		}
		b.Run(name, func(b *testing.B) {
			db, err := state.Open(b.TempDir(), state.DefaultOptions())
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			rng := rand.New(rand.NewPCG(1, 1))
			keys := make([][]byte, n)
			for i := range keys {
				keys[i] = benchKey(rng)
			}
			value := make([]byte, 100)
			height := int64(0)
			commit := func(keys [][]byte) {
				blk := db.NewBlock()
				for _, k := range keys {
					binary.BigEndian.PutUint64(value, rng.Uint64())
					if err := blk.Set(k, value); err != nil {
						b.Fatal(err)
					}
				}
				height++
				if err := db.Commit(blk, height); err != nil {
					b.Fatal(err)
				}
			}
			if update {
				commit(keys)
			}
			b.ResetTimer()
			for b.Loop() {
				if !update {
					for i := range keys {
						keys[i] = benchKey(rng)
					}
				}
				commit(keys)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}

// BenchmarkAppHash measures the app hash cost per staged write: a block of
// 1,000 writes is re-hashed after each change. An insert costs one AES-CTR
// expansion, an update of a committed key two (old pair out, new pair in).
func BenchmarkAppHash(b *testing.B) {
	const n = 1_000
	for _, update := range []bool{false, true} {
		name := "insert"
		if update {
			name = "update"
		}
		b.Run(name, func(b *testing.B) {
			db, err := state.Open(b.TempDir(), state.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			rng := rand.New(rand.NewPCG(2, 2))
			keys := make([][]byte, n)
			for i := range keys {
				keys[i] = benchKey(rng)
			}
			value := make([]byte, 100)
			if update {
				blk := db.NewBlock()
				for _, k := range keys {
					if err := blk.Set(k, value); err != nil {
						b.Fatal(err)
					}
				}
				if err := db.Commit(blk, 1); err != nil {
					b.Fatal(err)
				}
			}
			blk := db.NewBlock()
			value[0] = 1
			for _, k := range keys {
				if err := blk.Set(k, value); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				value[1] = byte(i)
				if err := blk.Set(keys[i%n], value); err != nil { // invalidates the cached hash
					b.Fatal(err)
				}
				_ = blk.AppHash()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/write")
		})
	}
}
