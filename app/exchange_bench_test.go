package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/tx"
)

// exchangeSendTxs builds n exchange/send txs from fm-alpha/operator to
// cust-trust, each with size bytes of content encrypted inline (a fresh
// content key sealed for the sender, cust-trust's people and the
// regulator's), signed as otc exchange send signs them.
func exchangeSendTxs(b testing.TB, h *harness, n, size int) [][]byte {
	c := h.c
	sender := c.User("fm-alpha/operator")
	var readers []crypto.Recipient
	for _, name := range []string{"fm-alpha/operator", "cust-trust/admin", "cust-trust/operator", "regulator/admin", "regulator/operator"} {
		u := c.User(name)
		readers = append(readers, crypto.Recipient{ID: u.ID(), Key: u.EncKey.Public()})
	}
	plain := make([]byte, size)
	out := make([][]byte, n)
	var r [8]byte
	for i := range out {
		_, _ = rand.Read(r[:])
		id := "B-" + hex.EncodeToString(r[:])
		copy(plain, id)
		alg := crypto.ContentAlgFor(sender.Key.Algorithm())
		key, _ := crypto.NewContentKey(alg)
		env, err := crypto.Seal(alg, key, exchange.ContentAAD(id), readers)
		if err != nil {
			b.Fatal(err)
		}
		var ct bytes.Buffer
		if _, err := crypto.EncryptStream(&ct, bytes.NewReader(plain), alg, key, exchange.ContentAAD(id)); err != nil {
			b.Fatal(err)
		}
		hash := hex.EncodeToString(crypto.Hash(sender.Key.Algorithm(), plain))
		sig, _ := sender.Key.Sign(exchange.FileStatement(c.ChainID, id, "sha256", hash, int64(size), "nav.csv"))
		m := exchange.Send{ID: id, Recipients: []string{"cust-trust"}, Category: "nav", Name: "nav.csv", Size: int64(size),
			Hash: hash, HashAlg: "sha256", Signature: hex.EncodeToString(sig), Key: env, Inline: ct.Bytes()}
		out[i] = c.Tx(sender, h.height+100, tx.MustAny(exchange.TypeSend, m))
	}
	return out
}

// BenchmarkExchangeSend measures anchored exchange records: CheckTx, then
// FinalizeBlock+Commit of 500-tx blocks of exchange/send txs with 4 KiB of
// inline encrypted content each; per record (tx).
//
//	go test ./app -run '^$' -bench ExchangeSend -benchtime 5000x
func BenchmarkExchangeSend(b *testing.B) {
	for _, size := range []int{4 << 10, 64 << 10} {
		b.Run(fmt.Sprintf("inline-%dKiB", size>>10), func(b *testing.B) {
			h := newHarness(b, consortium(b))
			h.block()
			const per = 500
			blocks := make([][][]byte, (b.N+per-1)/per)
			for i := range blocks {
				blocks[i] = exchangeSendTxs(b, h, min(per, b.N-i*per), size)
			}
			b.ResetTimer()
			for _, txs := range blocks {
				for _, t := range txs {
					if r, _ := h.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: t}); r.Code != 0 {
						b.Fatal(r.Log)
					}
				}
				for i, r := range h.block(txs...) {
					if r.Code != 0 {
						b.Fatalf("tx %d: %s", i, r.Log)
					}
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
