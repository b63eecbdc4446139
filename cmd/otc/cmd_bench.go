package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/baseline"
	"github.com/otcchain/otcchain/bench"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/evidence"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/tx"
)

func init() { addCommands(newBenchCmd) }

type benchFlags struct {
	validators, txs, concurrency, basePort, items int
	target, algs                                  string
	keep                                          bool
}

func newBenchCmd(m *Main) *cobra.Command {
	var f benchFlags
	c := &cobra.Command{
		Use:   "bench",
		Short: "Measure committed tx/s and commit latency on a fresh local network (otcchain, the baseline app, or both)",
		Long: `bench generates a fresh network of --validators nodes in a temporary directory,
starts each validator as a separate "otc start" process on 127.0.0.1, sends
--txs pre-signed transactions spread over every node's RPC with --concurrency
senders, follows the chain until each one committed (or was refused), and
prints committed tx/s, p50/p99 commit latency and refusals.

otcchain txs are evidence/anchor messages (one write each, --items per tx as a
batch when > 1) from registered identities, fully checked (certificate
identity, role, nonce, expiry, signature). --target both then runs the same
load against the baseline app (Ed25519 check + one write per tx, same engine
settings) and prints the ratio otcchain/baseline.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return m.runBench(cmd.Context(), f) },
	}
	fl := c.Flags()
	fl.IntVar(&f.validators, "validators", 1, "validators (1 to 6), each a separate process")
	fl.IntVar(&f.txs, "txs", 20000, "transactions to send")
	fl.IntVar(&f.concurrency, "concurrency", 64, "parallel senders")
	fl.IntVar(&f.items, "items", 1, "anchors per otcchain tx (a batch message when > 1)")
	fl.IntVar(&f.basePort, "base-port", 24000, "first port of the generated network (all ports < 32768)")
	fl.StringVar(&f.target, "target", "both", "otcchain, baseline or both")
	fl.StringVar(&f.algs, "algs", "ed25519", "signers' algorithms: ed25519 (as the baseline) or mixed (Ed25519, P-256 and SM2 identities)")
	fl.BoolVar(&f.keep, "keep", false, "keep the generated network directory")
	return c
}

func (m *Main) runBench(ctx context.Context, f benchFlags) error {
	if f.validators < 1 || f.validators > 6 || f.txs < 1 || f.items < 1 || f.items > 1000 {
		return errors.New("bench: --validators 1..6, --txs >= 1, --items 1..1000")
	}
	var targets []string
	switch f.target {
	case "both":
		targets = []string{"otcchain", "baseline"}
	case "otcchain", "baseline":
		targets = []string{f.target}
	default:
		return fmt.Errorf("bench: --target must be otcchain, baseline or both")
	}
	results := map[string]*bench.Result{}
	for _, t := range targets {
		fmt.Fprintf(m.Stdout, "== %s: %d validators, %d txs, concurrency %d\n", t, f.validators, f.txs, f.concurrency)
		r, err := m.benchOne(ctx, f, t)
		if err != nil {
			return fmt.Errorf("bench %s: %w", t, err)
		}
		fmt.Fprintln(m.Stdout, r)
		results[t] = r
	}
	if a, b := results["otcchain"], results["baseline"]; a != nil && b != nil && b.TPS > 0 {
		fmt.Fprintf(m.Stdout, "== ratio otcchain/baseline: %.2f (%.0f / %.0f tx/s", a.TPS/b.TPS, a.TPS, b.TPS)
		if f.items > 1 {
			fmt.Fprintf(m.Stdout, "; otcchain carries %d anchors per tx: %.0f anchors/s", f.items, a.TPS*float64(f.items))
		}
		fmt.Fprintln(m.Stdout, ")")
	}
	return nil
}

const benchPassphrase = "otc-bench"

func (m *Main) benchOne(ctx context.Context, f benchFlags, target string) (*bench.Result, error) {
	dir, err := os.MkdirTemp("", "otc-bench-")
	if err != nil {
		return nil, err
	}
	if !f.keep {
		defer os.RemoveAll(dir)
	} else {
		fmt.Fprintf(m.Stdout, "network in %s\n", dir)
	}
	for p := f.basePort; p < f.basePort+10*f.validators; p++ {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			return nil, fmt.Errorf("port %d is taken: choose another --base-port", p)
		}
		ln.Close()
	}
	res, err := node.Testnet(node.TestnetConfig{OutDir: filepath.Join(dir, "net"), Validators: f.validators,
		BasePort: f.basePort, Passphrase: benchPassphrase, ScryptN: 1 << 10, ChainID: "otc-bench"})
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			done := make(chan struct{})
			go func() { _ = p.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				_ = p.Process.Kill()
				<-done
			}
		}
	}()
	var rpcs []string
	for i, home := range res.Homes {
		logf, err := os.Create(filepath.Join(dir, fmt.Sprintf("node%d.log", i)))
		if err != nil {
			return nil, err
		}
		defer logf.Close()
		p := exec.Command(self, "start", "--home", home, "--app", target)
		p.Stdout, p.Stderr = logf, logf
		if err := p.Start(); err != nil {
			return nil, err
		}
		procs = append(procs, p)
		rpcs = append(rpcs, res.Consortium.Nodes[i].RPCURL)
	}
	if err := waitRPC(ctx, rpcs, 60*time.Second); err != nil {
		return nil, fmt.Errorf("%w (logs in %s; use --keep)", err, dir)
	}
	fmt.Fprintf(m.Stdout, "signing %d txs...\n", f.txs)
	var txs [][]byte
	if target == "baseline" {
		txs, err = baselineTxs(f.txs)
	} else {
		txs, err = otcTxs(res.Consortium, f)
	}
	if err != nil {
		return nil, err
	}
	return bench.Run(ctx, bench.Config{RPCs: rpcs, Txs: txs, Concurrency: f.concurrency, Progress: m.Stdout})
}

func waitRPC(ctx context.Context, urls []string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for _, u := range urls {
		c, err := rpchttp.New(u, "/websocket")
		if err != nil {
			return err
		}
		for {
			st, err := c.Status(ctx)
			if err == nil && st.SyncInfo.LatestBlockHeight >= 1 {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("node %s did not come up", u)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// baselineTxs signs n baseline txs of about the size of an otcchain anchor.
func baselineTxs(n int) ([][]byte, error) {
	keys := make([]ed25519.PrivateKey, 8)
	for i := range keys {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	out := make([][]byte, n)
	for i := range out {
		payload := make([]byte, 240)
		if _, err := rand.Read(payload); err != nil {
			return nil, err
		}
		out[i] = baseline.NewTx(keys[i%len(keys)], payload)
	}
	return out, nil
}

// otcTxs signs n anchor txs from the network's operator and admin identities.
func otcTxs(c *node.Consortium, f benchFlags) ([][]byte, error) {
	type sg struct {
		id  [tx.SignerIDBytes]byte
		key crypto.PrivateKey
	}
	var signers []sg
	for _, id := range c.Identities {
		if id.Role == "investor" || (f.algs == "ed25519" && id.Alg != string(crypto.Ed25519)) {
			continue
		}
		ks, err := keystore.Open(id.Keystore)
		if err != nil {
			return nil, err
		}
		k, err := ks.Load(id.Key, []byte(benchPassphrase))
		if err != nil {
			return nil, err
		}
		sid, err := tx.ParseSignerID(id.ID)
		if err != nil {
			return nil, err
		}
		signers = append(signers, sg{sid, k})
	}
	if len(signers) == 0 {
		return nil, errors.New("no signing identities in the generated network")
	}
	out := make([][]byte, f.txs)
	var rnd [32]byte
	for i := range out {
		s := signers[i%len(signers)]
		msgs := make([]tx.Any, f.items)
		for j := range msgs {
			if _, err := rand.Read(rnd[:]); err != nil {
				return nil, err
			}
			msgs[j] = tx.MustAny(evidence.TypeAnchor, evidence.Anchor{Hash: hex.EncodeToString(rnd[:]), HashAlg: evidence.SHA256, Name: "bench.dat", Size: 1024})
		}
		if f.items > 1 {
			msgs = []tx.Any{tx.MustAny(tx.BatchMsgType, tx.Batch{Items: msgs})}
		}
		b, err := tx.NewBody(msgs, 900).Marshal()
		if err != nil {
			return nil, err
		}
		env, err := tx.Sign(c.ChainID, b, s.id, tx.AlgCode(string(s.key.Algorithm())), s.key.Sign)
		if err != nil {
			return nil, err
		}
		out[i] = env.Encode()
	}
	return out, nil
}
