package state_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/otcchain/otcchain/state"
)

// TestCrash commits blocks on a crashable in-memory file system while taking
// crash images of it at arbitrary moments (also mid-commit, with random
// unsynced data kept). Every image must open at some committed height h with
// exactly the state of height h, its app hash and all of h's side records:
// never a partial block. Images taken after Commit returned must hold it.
func TestCrash(t *testing.T) {
	blocks := 30
	if testing.Short() {
		blocks = 10
	}
	rng := rand.New(rand.NewPCG(9, 9))
	// Precompute the blocks and the model after each height.
	type op struct {
		key, value []byte
		del        bool
	}
	ops := make([][]op, blocks+1)
	models := make([]model, blocks+1)
	models[0] = model{}
	for h := 1; h <= blocks; h++ {
		m := models[h-1].clone()
		for range 1 + rng.IntN(200) {
			k := fmt.Appendf(nil, "k%03d", rng.IntN(300))
			if rng.IntN(4) == 0 {
				ops[h] = append(ops[h], op{key: k, del: true})
				delete(m, string(k))
				continue
			}
			v := fmt.Appendf(nil, "h%d-%d", h, rng.IntN(1000))
			v = append(v, bytes.Repeat([]byte{'x'}, rng.IntN(1000))...) // fill memtables and WAL blocks
			ops[h] = append(ops[h], op{key: k, value: v})
			m[string(k)] = string(v)
		}
		models[h] = m
	}

	fs := vfs.NewCrashableMem()
	db, err := state.OpenFS("/db", state.Options{}, fs) // the zero value syncs
	must(t, err)
	defer db.Close()
	committed := make(chan struct{}, 1) // one signal per returned Commit
	finished := make(chan error, 1)
	next := make(chan struct{}) // paces the writer: one block per crash image
	go func() {
		for h := int64(1); h <= int64(blocks); h++ {
			if _, ok := <-next; !ok {
				finished <- nil
				return
			}
			b := db.NewBlock()
			for _, o := range ops[h] {
				var err error
				if o.del {
					err = b.Delete(o.key)
				} else {
					err = b.Set(o.key, o.value)
				}
				if err != nil {
					finished <- err
					return
				}
			}
			if err := b.SetSide(fmt.Appendf(nil, "tx/%d", h), []byte("side")); err != nil {
				finished <- err
				return
			}
			if err := db.Commit(b, h); err != nil {
				finished <- err
				return
			}
			committed <- struct{}{}
		}
		finished <- nil
	}()

	images := 0
	verify := func(clone *vfs.MemFS, atLeast int64) {
		t.Helper()
		images++
		db2, err := state.OpenFS("/db", state.Options{}, clone)
		if err != nil {
			t.Fatalf("open crash image: %v", err)
		}
		defer db2.Close()
		h, hash := db2.LastCommitted()
		if h < atLeast || h > int64(blocks) {
			t.Fatalf("crash image at height %d, commits done before the image: %d", h, atLeast)
		}
		if !bytes.Equal(hash, refAppHash(models[h])) {
			t.Fatalf("crash image height %d: app hash differs from that height's state", h)
		}
		if got, want := collect(t, db2.Committed(), nil, nil), models[h].rangeOf(nil, nil); !slices.Equal(got, want) {
			t.Fatalf("crash image height %d: state differs (%d pairs, want %d)", h, len(got), len(want))
		}
		for i := int64(1); i <= int64(blocks); i++ {
			v, err := db2.Side(fmt.Appendf(nil, "tx/%d", i))
			must(t, err)
			if (v != nil) != (i <= h) {
				t.Fatalf("crash image height %d: side record of %d present=%v", h, i, v != nil)
			}
		}
		if _, err := db2.VerifyAppHash(); err != nil {
			t.Fatal(err)
		}
	}
	type image struct {
		fs      *vfs.MemFS
		atLeast int64
	}
	for h := int64(1); h <= int64(blocks); h++ {
		next <- struct{}{}
		// Take images in a loop while the block is staged and committed;
		// keep a random few of them and the first one after Commit returned.
		clone := func() *vfs.MemFS {
			return fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: rng.IntN(101), RNG: rng})
		}
		var imgs []image
	loop:
		for n := 0; ; n++ {
			select {
			case <-committed:
				break loop
			default:
			}
			if n == 16 { // enough racing images: wait for the commit
				<-committed
				break
			}
			img := image{clone(), h - 1}
			if len(imgs) < 3 {
				imgs = append(imgs, img)
			} else if rng.IntN(n+1) < 3 {
				imgs[rng.IntN(3)] = img
			}
		}
		imgs = append(imgs, image{clone(), h})
		for _, img := range imgs {
			verify(img.fs, img.atLeast)
		}
	}
	close(next)
	must(t, <-finished)
	verify(fs.CrashClone(vfs.CrashCloneCfg{}), int64(blocks))
	t.Logf("%d crash images verified", images)
}

// TestCrashNoSync: without fsync a crash may lose whole blocks, never part
// of one.
func TestCrashNoSync(t *testing.T) {
	fs := vfs.NewCrashableMem()
	db, err := state.OpenFS("/db", state.Options{NoSync: true}, fs)
	must(t, err)
	defer db.Close()
	models := []model{{}}
	rng := rand.New(rand.NewPCG(5, 5))
	for h := int64(1); h <= 20; h++ {
		m := models[h-1].clone()
		b := db.NewBlock()
		for range 50 {
			k, v := fmt.Sprintf("k%02d", rng.IntN(60)), fmt.Sprintf("%d-%d", h, rng.IntN(100))
			must(t, b.Set([]byte(k), []byte(v)))
			m[k] = v
		}
		must(t, db.Commit(b, h))
		models = append(models, m)
		img := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: rng.IntN(101), RNG: rng})
		db2, err := state.OpenFS("/db", state.Options{}, img)
		must(t, err)
		got, hash := db2.LastCommitted()
		if !bytes.Equal(hash, refAppHash(models[got])) {
			t.Fatalf("image after %d: at height %d with a foreign app hash", h, got)
		}
		check(t, fmt.Sprintf("image after %d at %d", h, got), db2.Committed(), models[got], nil, nil)
		must(t, db2.Close())
	}
}
