package app_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

// workload builds blocks of mixed txs (registrations, revocations, batches,
// replays, garbage) from a seeded generator. Keys are random, but the tx
// bytes are built once and fed to every app under test.
func workload(t *testing.T, c *fixture.Consortium, seed uint64, nblocks int) [][][]byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	var blocks [][][]byte
	var registered []string
	admins := []string{"fm-alpha/admin", "fm-beta/admin", "rs-bank/admin", "rs-broker/admin", "cust-trust/admin"}
	var last []byte
	for b := 0; b < nblocks; b++ {
		height := int64(b + 1)
		var txs [][]byte
		n := rng.IntN(6)
		for i := 0; i < n; i++ {
			adminName := admins[rng.IntN(len(admins))]
			admin := c.User(adminName)
			org := c.Org(admin.Cert.Org)
			role := module.Role(org.Type)
			if org.Type == module.OrgReseller && rng.IntN(2) == 0 {
				role = module.RoleInvestor
			}
			alg := crypto.Algorithms()[rng.IntN(3)]
			switch k := rng.IntN(10); {
			case k < 5:
				u, err := c.Issue(org, fmt.Sprintf("u%d-%d", b, i), role, alg, genesisTime.Add(-time.Hour), genesisTime.AddDate(1, 0, 0))
				if err != nil {
					t.Fatal(err)
				}
				registered = append(registered, u.ID())
				txs = append(txs, c.Tx(admin, height+5, register(string(u.Cert.PEM()))))
			case k < 7 && len(registered) > 0:
				id := registered[rng.IntN(len(registered))]
				txs = append(txs, c.Tx(c.User("regulator/admin"), height+5, revoke(id, "determinism")))
			case k < 8:
				var items []tx.Any
				for j := 0; j < 1+rng.IntN(4); j++ {
					u, err := c.Issue(org, fmt.Sprintf("b%d-%d-%d", b, i, j), role, alg, genesisTime.Add(-time.Hour), genesisTime.AddDate(1, 0, 0))
					if err != nil {
						t.Fatal(err)
					}
					items = append(items, register(string(u.Cert.PEM())))
				}
				txs = append(txs, c.Tx(admin, height+5, batch(items...)))
			case k < 9 && last != nil:
				txs = append(txs, last) // replay of an earlier tx
			default:
				txs = append(txs, []byte(fmt.Sprintf("garbage %d", rng.Uint64())))
			}
			last = txs[len(txs)-1]
		}
		blocks = append(blocks, txs)
	}
	return blocks
}

// Two fresh apps fed the same blocks agree on the app hash at every height;
// a third, restarted from disk halfway, agrees too.
func TestDeterminism(t *testing.T) {
	c := consortium(t)
	blocks := workload(t, c, 7, 30)
	a := newHarness(t, c)
	b := newHarness(t, c)
	r := newHarness(t, c)
	ok, total := 0, 0
	defer func() {
		// The workload must mostly succeed, or it proves little.
		if total == 0 || ok*2 < total {
			t.Errorf("only %d of %d workload txs succeeded", ok, total)
		}
	}()
	for i, txs := range blocks {
		ra, ha := a.finalize(txs...)
		for _, r := range ra {
			total++
			if r.Code == 0 {
				ok++
			}
		}
		rb, hb := b.finalize(txs...)
		rr, hr := r.finalize(txs...)
		if !bytes.Equal(ha, hb) || !bytes.Equal(ha, hr) {
			t.Fatalf("height %d: app hashes differ: %x %x %x", i+1, ha, hb, hr)
		}
		for j := range ra {
			if ra[j].Code != rb[j].Code || !bytes.Equal(ra[j].Data, rb[j].Data) || ra[j].Code != rr[j].Code {
				t.Fatalf("height %d tx %d: results differ", i+1, j)
			}
		}
		a.commit()
		b.commit()
		r.commit()
		if i == len(blocks)/2 {
			r.close()
			r.open()
			info, err := r.app.Info(context.Background(), &abci.RequestInfo{})
			if err != nil {
				t.Fatal(err)
			}
			if info.LastBlockHeight != int64(i+1) || !bytes.Equal(info.LastBlockAppHash, ha) {
				t.Fatalf("after restart Info says height %d hash %x, want %d %x", info.LastBlockHeight, info.LastBlockAppHash, i+1, ha)
			}
		}
	}
}

// A block staged but not committed (crash between FinalizeBlock and Commit)
// is lost; Info reports the previous height, and replaying the block gives
// the same app hash.
func TestCrashBetweenFinalizeAndCommit(t *testing.T) {
	c := consortium(t)
	blocks := workload(t, c, 11, 6)
	ref := newHarness(t, c)
	var hashes [][]byte
	for _, txs := range blocks {
		_, hh := ref.finalize(txs...)
		ref.commit()
		hashes = append(hashes, hh)
	}
	h := newHarness(t, c)
	for i, txs := range blocks[:4] {
		h.finalize(txs...)
		h.commit()
		_ = i
	}
	h.finalize(blocks[4]...) // crash before Commit
	h.close()
	h.open()
	info, _ := h.app.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != 4 || !bytes.Equal(info.LastBlockAppHash, hashes[3]) {
		t.Fatalf("after crash: height %d hash %x; want 4 %x", info.LastBlockHeight, info.LastBlockAppHash, hashes[3])
	}
	for i := 4; i < len(blocks); i++ {
		_, hh := h.finalize(blocks[i]...)
		h.commit()
		if !bytes.Equal(hh, hashes[i]) {
			t.Fatalf("replayed height %d: hash %x, want %x", i+1, hh, hashes[i])
		}
	}
}

// An empty block must not change the app hash (CometBFT would otherwise
// keep making blocks with create_empty_blocks=false).
func TestEmptyBlockKeepsAppHash(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	h.block()
	before := h.appHash()
	h.block()
	h.block()
	if !bytes.Equal(before, h.appHash()) {
		t.Fatal("empty block changed the app hash")
	}
}

func FuzzCheckTx(f *testing.F) {
	c := consortium(f)
	h := newHarness(f, c)
	admin := c.User("rs-bank/admin")
	f.Add(c.Tx(admin, 10, revoke(c.User("rs-bank/investor").ID(), "fuzz")))
	f.Add(c.Tx(admin, 10, batch(register(string(c.User("rs-bank/investor").Cert.PEM())))))
	f.Add([]byte("OTX\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := h.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: b, Type: abci.CheckTxType_New})
		if err != nil {
			t.Fatalf("CheckTx returned an error (would halt the node): %v", err)
		}
		if r.Code != 0 && r.Log == "" {
			t.Fatalf("refusal without a log: %d", r.Code)
		}
	})
}

// A chain may start at an initial height other than 1 (genesis
// initial_height, e.g. after a chain upgrade).
func TestInitialHeight(t *testing.T) {
	c := consortium(t)
	h := &harness{t: t, dir: t.TempDir() + "/app", c: c, now: genesisTime}
	h.open()
	t.Cleanup(h.close)
	if _, err := h.app.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: c.ChainID, Time: genesisTime, InitialHeight: 100, AppStateBytes: c.AppState(),
	}); err != nil {
		t.Fatal(err)
	}
	h.height = 99
	res := h.block(c.Tx(c.User("fm-alpha/admin"), 120, revoke(c.User("fm-alpha/operator").ID(), "rotate")))
	if res[0].Code != 0 {
		t.Fatal(res[0].Log)
	}
	info, _ := h.app.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != 100 {
		t.Fatalf("height after the first block: %d", info.LastBlockHeight)
	}
}
