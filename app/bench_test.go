package app_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/evidence"
	"github.com/otcchain/otcchain/tx"
)

func anchorTxs(b testing.TB, h *harness, n int) [][]byte {
	signers := []string{"fm-alpha/operator", "rs-broker/operator", "fm-alpha/admin", "rs-broker/admin"}
	out := make([][]byte, n)
	var r [32]byte
	for i := range out {
		_, _ = rand.Read(r[:])
		out[i] = h.c.Tx(h.c.User(signers[i%len(signers)]), h.height+100,
			tx.MustAny(evidence.TypeAnchor, evidence.Anchor{Hash: hex.EncodeToString(r[:]), HashAlg: evidence.SHA256, Name: "bench.dat", Size: 1024}))
	}
	return out
}

// BenchmarkCheckTx measures a first CheckTx of an anchor tx (signature included).
func BenchmarkCheckTx(b *testing.B) {
	h := newHarness(b, consortium(b))
	h.block()
	txs := anchorTxs(b, h, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r, _ := h.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: txs[i]}); r.Code != 0 {
			b.Fatal(r.Log)
		}
	}
}

// BenchmarkRecheckTx measures the recheck CheckTx runs after every block.
func BenchmarkRecheckTx(b *testing.B) {
	h := newHarness(b, consortium(b))
	h.block()
	txs := anchorTxs(b, h, b.N)
	for _, t := range txs {
		h.check(t) // first check: what the recheck reuses
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r, _ := h.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: txs[i], Type: abci.CheckTxType_Recheck}); r.Code != 0 {
			b.Fatal(r.Log)
		}
	}
}

// BenchmarkBlock measures FinalizeBlock+Commit of 1000-tx blocks of anchors
// whose signatures were verified in CheckTx (the usual path); per tx.
func BenchmarkBlock(b *testing.B) {
	h := newHarness(b, consortium(b))
	h.block()
	const per = 1000
	blocks := make([][][]byte, (b.N+per-1)/per)
	for i := range blocks {
		blocks[i] = anchorTxs(b, h, per)
		for _, t := range blocks[i] {
			h.check(t)
		}
	}
	b.ResetTimer()
	for _, txs := range blocks {
		res := h.block(txs...)
		if res[0].Code != 0 {
			b.Fatal(res[0].Log)
		}
	}
	b.ReportMetric(float64(len(blocks)*per)/b.Elapsed().Seconds(), "tx/s")
}
