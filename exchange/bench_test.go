package exchange_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/tx"
)

// BenchmarkSend measures exchange records committed per second through
// FinalizeBlock and Commit (pebble, every module): blocks of batch txs of
// 100 exchange/send each, from fm-alpha's operator (Ed25519) to cust-trust
// and rs-bank, 1 KiB of encrypted content inline, the content key wrapped
// for the six readers. Building and signing the txs (the clients' work) is
// outside the timer; decoding, the tx and file signature checks, the
// recipient checks and the writes are inside.
//
//	go test ./exchange/ -run '^$' -bench BenchmarkSend -benchtime 20x
func BenchmarkSend(b *testing.B) {
	for _, txs := range []int{1, 10} {
		b.Run(fmt.Sprintf("txs=%dx100", txs), func(b *testing.B) { benchSend(b, txs, 100) })
	}
}

func benchSend(b *testing.B, txsPerBlock, perTx int) {
	h := newChain(b)
	const sender = "fm-alpha/operator"
	recipients := []string{"cust-trust", "rs-bank"}
	var rs []crypto.Recipient
	for _, r := range h.readersOf(sender, recipients) {
		u := h.user(r)
		rs = append(rs, crypto.Recipient{ID: u.ID(), Key: u.EncKey.Public()})
	}
	alg := h.user(sender).Key.Algorithm()
	inline := make([]byte, 1024)
	n := 0
	build := func() []byte {
		items := make([]tx.Any, perTx)
		key, err := crypto.Seal(crypto.ContentAlgFor(alg), make([]byte, 32), exchange.ContentAAD(fmt.Sprint("batch", n)), rs)
		if err != nil {
			b.Fatal(err)
		}
		for i := range items {
			n++
			id := fmt.Sprintf("NAV-%08d", n)
			if _, err := rand.Read(inline); err != nil {
				b.Fatal(err)
			}
			size := int64(1000)
			hash := hex.EncodeToString(crypto.Hash(alg, []byte(id)))
			m := exchange.Send{ID: id, Recipients: recipients, Category: "nav", Name: id + ".csv", Size: size, Hash: hash,
				HashAlg: crypto.HashName(alg), Key: key, Inline: inline,
				Signature: h.signHex(sender, exchange.FileStatement(h.c.ChainID, id, crypto.HashName(alg), hash, size, id+".csv"))}
			items[i] = anyMsg(exchange.TypeSend, m)
		}
		return h.signed(sender, anyMsg(tx.BatchMsgType, tx.Batch{Items: items}))
	}
	check := func(res []*abci.ExecTxResult) {
		for _, r := range res {
			if r.Code != 0 {
				b.Fatalf("tx refused: %s", r.Log)
			}
			var d struct {
				Msgs []struct {
					Data struct {
						Items []tx.ItemResult `json:"items"`
					} `json:"data"`
				} `json:"msgs"`
			}
			if err := json.Unmarshal(r.Data, &d); err != nil || len(d.Msgs) != 1 || len(d.Msgs[0].Data.Items) != perTx {
				b.Fatalf("batch result %.200s: %v", r.Data, err)
			}
			for _, it := range d.Msgs[0].Data.Items {
				if it.Code != 0 {
					b.Fatalf("item %d refused: %s", it.Index, it.Log)
				}
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		txs := make([][]byte, txsPerBlock)
		for j := range txs {
			txs[j] = build()
		}
		b.StartTimer()
		res := h.block(txs...)
		b.StopTimer()
		check(res)
		b.StartTimer()
	}
	b.StopTimer()
	if err := h.read(fmt.Sprintf("exchange/records/NAV-%08d", n), &exchange.Record{}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*txsPerBlock*perTx)/b.Elapsed().Seconds(), "records/s")
}
