package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/supervision"
	"github.com/otcchain/otcchain/tx"
)

func init() { addCommands(newBenchCmd) }

type benchFlags struct {
	validators, txs, concurrency, basePort, items int
	target, algs                                  string
	keep                                          bool

	// fund workload
	workload                 string
	orders, investors, chunk int
	fundConfirm              string
	maxWait                  time.Duration
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
	fl.StringVar(&f.workload, "workload", "anchor", "anchor (evidence anchors, --txs) or fund (investors, --orders in batch txs of --items, then their confirmation)")
	fl.IntVar(&f.orders, "orders", 100000, "fund workload: orders to send")
	fl.IntVar(&f.investors, "investors", 10000, "fund workload: investors to register (orders are spread over them)")
	fl.IntVar(&f.chunk, "chunk", 0, "fund workload: the fund module's chunk_size (orders confirmed per block; 0: module default)")
	fl.StringVar(&f.fundConfirm, "fund-confirm", "establish", "fund workload: establish (subscriptions 020, confirmed when the manager establishes the fund) or nav (purchases 022, confirmed when the custodian co-signs the NAV: the network's business clock is advanced past the 15:00 China-time cut-off); both run at any time of day")
	fl.DurationVar(&f.maxWait, "max-wait", 10*time.Minute, "unused: --fund-confirm nav advances the business clock instead of waiting for the cut-off")
	_ = fl.MarkDeprecated("max-wait", "--fund-confirm nav no longer waits for the cut-off: it advances the business clock")
	return c
}

func (m *Main) runBench(ctx context.Context, f benchFlags) error {
	switch f.workload {
	case "anchor":
	case "fund":
		return m.runFundBench(ctx, f)
	default:
		return fmt.Errorf("bench: --workload must be anchor or fund")
	}
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

// benchNet is a generated network whose validators run as processes.
type benchNet struct {
	dir   string
	res   *node.TestnetResult
	rpcs  []string
	procs []*exec.Cmd
	logs  []*os.File
	keep  bool
}

// startBenchNet generates a network in a temporary directory, lets patch
// change its genesis, and starts every validator as "otc start --app target".
// Close stops the processes and removes the directory (unless keep).
func (m *Main) startBenchNet(ctx context.Context, f benchFlags, target string, patch func(*node.TestnetResult) error) (_ *benchNet, err error) {
	dir, err := os.MkdirTemp("", "otc-bench-")
	if err != nil {
		return nil, err
	}
	n := &benchNet{dir: dir, keep: f.keep}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()
	if f.keep {
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
	n.res = res
	if patch != nil {
		if err := patch(res); err != nil {
			return nil, err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	for i, home := range res.Homes {
		logf, err := os.Create(filepath.Join(dir, fmt.Sprintf("node%d.log", i)))
		if err != nil {
			return nil, err
		}
		n.logs = append(n.logs, logf)
		p := exec.Command(self, "start", "--home", home, "--app", target)
		p.Stdout, p.Stderr = logf, logf
		if err := p.Start(); err != nil {
			return nil, err
		}
		n.procs = append(n.procs, p)
		n.rpcs = append(n.rpcs, res.Consortium.Nodes[i].RPCURL)
	}
	if err := waitRPC(ctx, n.rpcs, 60*time.Second); err != nil {
		return nil, fmt.Errorf("%w (logs in %s; use --keep)", err, dir)
	}
	return n, nil
}

// Close stops the validators (SIGTERM, then SIGKILL after 15 s) and removes
// the directory unless it is kept.
func (n *benchNet) Close() {
	for _, p := range n.procs {
		_ = p.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range n.procs {
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
	}
	for _, l := range n.logs {
		l.Close()
	}
	if !n.keep {
		os.RemoveAll(n.dir)
	}
}

func (m *Main) benchOne(ctx context.Context, f benchFlags, target string) (*bench.Result, error) {
	bn, err := m.startBenchNet(ctx, f, target, nil)
	if err != nil {
		return nil, err
	}
	defer bn.Close()
	res, rpcs := bn.res, bn.rpcs
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
		if id.Role == "investor" || id.Role == "seal" || (f.algs == "ed25519" && id.Alg != string(crypto.Ed25519)) {
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

// runFundBench is the fund workload: a network whose genesis holds a trading
// calendar and two funds; --investors registered (sealed personal data) and
// their accounts opened by a reseller in batch txs; --orders orders in batch
// txs of --items, committed orders/s measured; then the confirmation of every
// pending order, timed until the fund module's job queue is empty.
func (m *Main) runFundBench(ctx context.Context, f benchFlags) error {
	flow, err := bench.ParseConfirm(f.fundConfirm)
	if err != nil {
		return err
	}
	if f.validators < 1 || f.validators > 6 || f.orders < 1 || f.investors < 1 || f.items < 1 || f.items > tx.MaxBatchItems || f.chunk < 0 {
		return fmt.Errorf("bench: --validators 1..6, --orders >= 1, --investors >= 1, --items 1..%d, --chunk >= 0", tx.MaxBatchItems)
	}
	setup := bench.FundSetup{Manager: "fm-alpha", Custodian: "cust-trust", Reseller: "rs-broker", ChunkSize: f.chunk, Now: time.Now()}
	gen, tradeDate, err := bench.FundGenesis(setup)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "== fund: %d validators, %d investors, %d orders in batch txs of %d, confirmation by %s, trade date %s\n",
		f.validators, f.investors, f.orders, f.items, flow, tradeDate)
	bn, err := m.startBenchNet(ctx, f, "otcchain", func(res *node.TestnetResult) error {
		if err := bench.PatchGenesis(res.Genesis, "fund", gen); err != nil {
			return err
		}
		if flow == bench.ConfirmNAV { // the NAV flow advances the clock past the cut-off
			if err := bench.PatchGenesis(res.Genesis, "clock", bench.ClockGenesis()); err != nil {
				return err
			}
		}
		for _, h := range res.Homes {
			if err := res.Genesis.SaveAs(node.Home(h).Path(node.GenesisFile)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer bn.Close()
	cons := bn.res.Consortium
	identity := func(org, key string) (node.IdentityInfo, crypto.PrivateKey, *keystore.Store, error) {
		for _, id := range cons.Identities {
			if id.Org == org && id.Key == key {
				ks, err := keystore.Open(id.Keystore)
				if err != nil {
					return id, nil, nil, err
				}
				k, err := ks.Load(id.Key, []byte(benchPassphrase))
				return id, k, ks, err
			}
		}
		return node.IdentityInfo{}, nil, nil, fmt.Errorf("no %s of %s in the generated network", key, org)
	}
	operator := func(org string) (node.IdentityInfo, crypto.PrivateKey, *keystore.Store, error) {
		return identity(org, "operator")
	}
	resID, resKey, resKS, err := operator(setup.Reseller)
	if err != nil {
		return err
	}
	mgrID, mgrKey, _, err := operator(setup.Manager)
	if err != nil {
		return err
	}
	cusID, cusKey, _, err := operator(setup.Custodian)
	if err != nil {
		return err
	}
	regID, regKey, regKS, err := operator("regulator")
	if err != nil {
		return err
	}
	var recips []crypto.Recipient
	for _, r := range []struct {
		id string
		ks *keystore.Store
	}{{resID.ID, resKS}, {regID.ID, regKS}} {
		k, err := r.ks.LoadEncKey("operator", []byte(benchPassphrase))
		if err != nil {
			return err
		}
		recips = append(recips, crypto.Recipient{ID: r.id, Key: k.Public()})
	}
	rpc, err := rpchttp.New(bn.rpcs[0], "/websocket")
	if err != nil {
		return err
	}
	signer := func(id node.IdentityInfo, k crypto.PrivateKey) (*bench.Signer, error) {
		st, err := rpc.Status(ctx)
		if err != nil {
			return nil, err
		}
		return &bench.Signer{ChainID: cons.ChainID, ID: id.ID, Key: k, Expiry: st.SyncInfo.LatestBlockHeight + 900}, nil
	}
	run := func(what string, txs [][]byte, conc int) (*bench.Result, error) {
		// Blocks of tens of thousands of orders take tens of seconds on a
		// loaded 2-core machine: a long stall limit avoids needless resubmission.
		r, err := bench.Run(ctx, bench.Config{RPCs: bn.rpcs, Txs: txs, Concurrency: conc, Progress: m.Stdout, Stall: 5 * time.Minute})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if r.Committed != len(txs) || r.FailedInBlock > 0 {
			return nil, fmt.Errorf("%s: %s", what, r)
		}
		return r, nil
	}

	// Set-up: investors, then their accounts.
	t0 := time.Now()
	reg, acc, err := bench.InvestorItems(f.investors, setup.Manager, recips, resKey.Algorithm())
	if err != nil {
		return err
	}
	rs, err := signer(resID, resKey)
	if err != nil {
		return err
	}
	for _, phase := range []struct {
		name  string
		items []tx.Any
	}{{"register investors", reg}, {"open accounts", acc}} {
		txs, err := rs.Batches(phase.items, 500)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: %d items in %d txs\n", phase.name, len(phase.items), len(txs))
		if _, err := run(phase.name, txs, 8); err != nil {
			return err
		}
	}
	fmt.Fprintf(m.Stdout, "set-up done in %s\n", time.Since(t0).Round(time.Millisecond))

	// Intake.
	if rs, err = signer(resID, resKey); err != nil {
		return err
	}
	txs, err := rs.Batches(bench.OrderItems(f.orders, f.investors, flow, "B"), f.items)
	if err != nil {
		return err
	}
	size := 0
	for _, t := range txs {
		size += len(t)
	}
	fmt.Fprintf(m.Stdout, "orders: %d in %d txs (%.0f bytes per order)\n", f.orders, len(txs), float64(size)/float64(f.orders))
	ir, err := run("orders", txs, f.concurrency)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, ir)
	fmt.Fprintf(m.Stdout, "== intake: %d orders committed in %s: %.0f orders/s (%d blocks)\n", f.orders, ir.Duration.Round(time.Millisecond),
		float64(f.orders)/ir.Duration.Seconds(), ir.Blocks)
	code := bench.FundOpen
	if flow == bench.ConfirmEstablish {
		code = bench.FundOffering
	}
	w, err := bench.NewWatcher(ctx, cons.Nodes[0].APIURL, mgrID.ID, mgrKey)
	if err != nil {
		return err
	}
	tot, err := w.Totals(ctx, code)
	if err != nil {
		return err
	}
	if tot.Pending != int64(f.orders) {
		return fmt.Errorf("bench: fund %s has %d pending orders, want %d", code, tot.Pending, f.orders)
	}

	// Confirmation.
	var trigger []byte
	switch flow {
	case bench.ConfirmNAV:
		// The NAV of T is published after T's cut-off: rather than wait for
		// 15:00 China time, move the network's business clock past it.
		ck, err := w.Clock(ctx)
		if err != nil {
			return err
		}
		if !ck.Simulated {
			return fmt.Errorf("bench: --fund-confirm nav advances the business clock past the cut-off of %s, but this network has no business clock (its genesis lacks \"clock\": {\"simulated\": true}); use --fund-confirm establish", tradeDate)
		}
		gs, err := signer(regID, regKey)
		if err != nil {
			return err
		}
		at, err := gs.Tx(bench.AdvancePast(tradeDate))
		if err != nil {
			return err
		}
		if _, err := run("advance the business clock past the cut-off", [][]byte{at}, 1); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "business clock advanced past the cut-off of %s (%s, simulated)\n", tradeDate,
			bench.CutOff(tradeDate).Add(time.Second).Format("2006-01-02 15:04:05")+" China time (UTC+8)")
		pub, cos, err := bench.NAVMsgs(cons.ChainID, tradeDate, 12345, mgrKey, cusKey)
		if err != nil {
			return err
		}
		ms, err := signer(mgrID, mgrKey)
		if err != nil {
			return err
		}
		pt, err := ms.Tx(pub)
		if err != nil {
			return err
		}
		if _, err := run("publish NAV", [][]byte{pt}, 1); err != nil {
			return err
		}
		cs, err := signer(cusID, cusKey)
		if err != nil {
			return err
		}
		if trigger, err = cs.Tx(cos); err != nil {
			return err
		}
	case bench.ConfirmEstablish:
		cal, err := bench.CalendarWithout(time.Now(), tradeDate)
		if err != nil {
			return err
		}
		// A calendar change takes two regulator officers: one proposes,
		// the second's approval applies it.
		gs, err := signer(regID, regKey)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(cal)
		if err != nil {
			return err
		}
		pt, err := gs.Tx(tx.MustAny(supervision.TypePropose, supervision.Propose{ID: "bench-calendar", Action: supervision.ActionSetCalendar,
			Target: supervision.Target{Kind: supervision.KindCalendar}, Reason: "bench: close the trade date", Calendar: raw}))
		if err != nil {
			return err
		}
		if _, err := run("propose closing the trade date in the calendar", [][]byte{pt}, 1); err != nil {
			return err
		}
		o2ID, o2Key, _, err := identity("regulator", "officer-2")
		if err != nil {
			return err
		}
		o2, err := signer(o2ID, o2Key)
		if err != nil {
			return err
		}
		at, err := o2.Tx(tx.MustAny(supervision.TypeApprove, supervision.Approve{ID: "bench-calendar"}))
		if err != nil {
			return err
		}
		if _, err := run("approve closing the trade date in the calendar", [][]byte{at}, 1); err != nil {
			return err
		}
		ms, err := signer(mgrID, mgrKey)
		if err != nil {
			return err
		}
		if trigger, err = ms.Tx(tx.MustAny(fund.TypeSetFundStatus, fund.SetFundStatus{Fund: bench.FundOffering, Status: fund.StatusOpen})); err != nil {
			return err
		}
	}
	st, err := rpc.Status(ctx)
	if err != nil {
		return err
	}
	h0 := st.SyncInfo.LatestBlockHeight
	sent := time.Now()
	tr, err := run("confirmation trigger", [][]byte{trigger}, 1)
	if err != nil {
		return err
	}
	committed := sent.Add(tr.Duration)
	lastPrint := time.Time{}
	done, err := w.WaitJobs(ctx, code, 60*time.Second, func(p int64) {
		if time.Since(lastPrint) > time.Second {
			fmt.Fprintf(m.Stdout, "\rpending %d   ", p)
			lastPrint = time.Now()
		}
	})
	fmt.Fprintln(m.Stdout)
	if err != nil {
		return err
	}
	if tot, err = w.Totals(ctx, code); err != nil {
		return err
	}
	if tot.Pending != 0 {
		return fmt.Errorf("bench: %d orders still pending", tot.Pending)
	}
	// The blocks of the confirmation: the trigger's, then blocks without txs.
	st, err = rpc.Status(ctx)
	if err != nil {
		return err
	}
	var times []time.Time
	var withTxs, empty int
	for h := h0 + 1; h <= st.SyncInfo.LatestBlockHeight; h++ {
		hh := h
		b, err := rpc.Block(ctx, &hh)
		if err != nil {
			return err
		}
		times = append(times, b.Block.Time)
		if len(b.Block.Txs) > 0 {
			withTxs++
		} else {
			empty++
		}
	}
	var maxGap time.Duration
	for i := 1; i < len(times); i++ {
		maxGap = max(maxGap, times[i].Sub(times[i-1]))
	}
	el := done.Sub(committed)
	fmt.Fprintf(m.Stdout, "blocks %d..%d: %d with txs, %d without (made by CometBFT on its own after app-hash changes); longest gap between block times %s\n",
		h0+1, st.SyncInfo.LatestBlockHeight, withTxs, empty, maxGap.Round(time.Millisecond))
	fmt.Fprintf(m.Stdout, "== confirmation: %d orders, %d holders; %s from the trigger's commit to an empty job queue (%s from sending it): %.0f confirmations/s\n",
		f.orders, tot.Holders, el.Round(time.Millisecond), done.Sub(sent).Round(time.Millisecond), float64(f.orders)/done.Sub(sent).Seconds())
	return nil
}
