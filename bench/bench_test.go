package bench_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/baseline"
	"github.com/otcchain/otcchain/bench"
	"github.com/otcchain/otcchain/internal/ports"
	"github.com/otcchain/otcchain/node"
)

// The load generator against a real (baseline) node: every tx is accounted
// for, refusals are counted with their reason, figures are filled in.
func TestRunCountsEveryTx(t *testing.T) {
	base, err := ports.FreeBase(1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := node.Testnet(node.TestnetConfig{OutDir: filepath.Join(t.TempDir(), "net"), Validators: 1, BasePort: base,
		Passphrase: "p", ScryptN: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n, err := node.Start(ctx, res.Homes[0], node.StartOptions{Baseline: true, Logger: slog.New(slog.DiscardHandler), NoMetricsServer: true, NoEngineMetrics: true})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	var txs [][]byte
	for i := 0; i < 300; i++ {
		p := make([]byte, 64)
		_, _ = rand.Read(p)
		txs = append(txs, baseline.NewTx(key, p))
	}
	bad := append([]byte(nil), txs[0]...)
	bad[50] ^= 1 // signature no longer verifies: refused by CheckTx
	txs = append(txs, bad)
	var progress strings.Builder
	r, err := bench.Run(ctx, bench.Config{RPCs: []string{n.RPCURL()}, Txs: txs, Concurrency: 8, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 301 || r.Committed != 300 || r.Refused != 1 || r.Lost != 0 {
		t.Fatalf("accounting: %s", r)
	}
	if r.TPS <= 0 || r.P50 <= 0 || r.P99 < r.P50 || r.Blocks < 1 {
		t.Fatalf("figures: %s", r)
	}
	if !strings.Contains(progress.String(), "301/301 done") {
		t.Fatalf("no final progress line: %q", progress.String())
	}
	if len(r.RefusalReasons) != 1 {
		t.Fatalf("refusal reasons: %v", r.RefusalReasons)
	}
}
