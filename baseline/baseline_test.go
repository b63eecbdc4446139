package baseline_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"path/filepath"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/baseline"
)

func TestBaselineApp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "b")
	a, err := baseline.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	good := baseline.NewTx(key, []byte("payload"))
	bad := append([]byte(nil), good...)
	bad[40] ^= 1
	ctx := context.Background()
	if r, _ := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: good}); r.Code != 0 {
		t.Fatal("good tx refused")
	}
	if r, _ := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: bad}); r.Code == 0 {
		t.Fatal("bad signature accepted")
	}
	fr, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: 1, Txs: [][]byte{good, bad}})
	if err != nil || fr.TxResults[0].Code != 0 || fr.TxResults[1].Code == 0 {
		t.Fatalf("finalize: %v %+v", err, fr)
	}
	if _, err := a.Commit(ctx, &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b, err := baseline.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	info, _ := b.Info(ctx, &abci.RequestInfo{})
	if info.LastBlockHeight != 1 || !bytes.Equal(info.LastBlockAppHash, fr.AppHash) {
		t.Fatalf("after reopen: %+v", info)
	}
}
