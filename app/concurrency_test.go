package app_test

import (
	"context"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
)

// CometBFT's mempool connection may call CheckTx while a block executes and
// commits (node uses the connection-synchronised local client). Run both at
// once under -race: results must be unaffected and nothing may race.
func TestCheckTxBesideBlocks(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	h.block()
	blocks := workload(t, c, 3, 12)
	probe := anchorTxs(t, h, 200)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r, err := h.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: probe[i%len(probe)], Type: abci.CheckTxType(i % 2)})
			if err != nil {
				t.Error(err)
				return
			}
			if r.Code != 0 {
				t.Errorf("probe refused: %s", r.Log)
				return
			}
		}
	}()
	for _, txs := range blocks {
		h.block(txs...)
	}
	close(stop)
	wg.Wait()
}
