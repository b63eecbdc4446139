package latetrade_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/evidence"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/ports"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/tx"
)

const (
	validators    = 4
	passphrase    = "latetrade passphrase, not secret"
	startTimeout  = 90 * time.Second
	commitTimeout = 30 * time.Second
	callTimeout   = 5 * time.Second
	probes        = 12 // txs sent after the spell, the two orders included
	investor      = "INV-LT"
	maxGap        = node.LagBound + time.Second
	beforeCutoff  = 3 * time.Second                      // the order that makes today's trade date
	afterCutoff   = node.LagBound + 500*time.Millisecond // the one that must not
)

var otcBin string

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "otc-latetrade-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "latetrade:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	otcBin = filepath.Join(dir, "otc")
	cmd := exec.Command("go", "build", "-o", otcBin, "github.com/otcchain/otcchain/cmd/otc")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "latetrade: go build ./cmd/otc: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// spell is how long the network stays idle before the probes.
func spell(t *testing.T) time.Duration {
	if s := os.Getenv("OTC_IDLE_SPELL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("OTC_IDLE_SPELL %q: want a positive Go duration", s)
		}
		return d
	}
	if testing.Short() {
		return 20 * time.Second
	}
	return 10 * time.Minute
}

// TestBlockTimeAfterIdleSpell: after an idle spell, every tx lands in a block
// whose header time is at most node.LagBound before the tx was broadcast.
func TestBlockTimeAfterIdleSpell(t *testing.T) {
	idle := spell(t)
	if dl, ok := t.Deadline(); ok && time.Until(dl) < idle+5*time.Minute {
		t.Fatalf("the test deadline (%s left) is too close for an idle spell of %s: raise -timeout", time.Until(dl).Round(time.Second), idle)
	}
	net := startNetwork(t)
	ctx := context.Background()
	// The first blocks carry the genesis time and the start-up: the spell
	// starts once the network makes blocks at its pace.
	net.waitHeight(t, 3)

	// An investor of rs-bank with a TA account at fm-alpha (risk C4: the
	// demo fund 000001 is R3, no disclosure needed), then the business
	// clock moved so that a 15:00 cut-off falls at the end of the spell.
	today, _ := fund.ChinaDate(time.Now())
	expires, _ := today.AddDays(365)
	inv, _ := net.cons.Identity("rs-bank", "investor-1")
	net.otc(t, "fund", "investor", "register", "--id", investor, "--type", "individual", "--risk", "C4",
		"--assessed", today.String(), "--expires", expires.String(), "--identity", inv.ID,
		"--name", "Li Si", "--id-type", "resident_id", "--id-number", "11010519491231002X", "--phone", "13800000000",
		"--home", net.dir, "--as", "rs-bank/operator")
	net.otc(t, "fund", "account", "open", "--investor", investor, "--manager", "fm-alpha", "--home", net.dir, "--as", "rs-bank/operator")
	var cal fund.Calendar
	if err := json.Unmarshal([]byte(net.otc(t, "fund", "calendar", "show", "--api", net.cons.Nodes[0].APIURL)), &cal); err != nil {
		t.Fatal(err)
	}
	biz := net.clock(t)
	bizNow, _ := time.Parse(time.RFC3339Nano, biz.BusinessTime)
	cutoff, err := clock.NextCutoffAfter(bizNow.Add(idle+time.Minute), cal)
	if err != nil {
		t.Fatal(err)
	}
	net.otc(t, "clock", "advance", "--to", cutoff.Add(-idle).Format(time.RFC3339), "--home", net.dir, "--as", "regulator/operator")
	biz = net.clock(t)
	wallCutoff := cutoff.Add(-time.Duration(biz.OffsetNanos)) // block time (~ wall time) of the cut-off
	cutDate, _ := fund.ChinaDate(cutoff)
	nextDate, err := cal.NextTradingDay(cutDate)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("business clock at %s: the cut-off %s (trade date %s) falls at wall time %s, in %s",
		biz.BusinessTime, cutoff.In(fund.ChinaZone()).Format(time.DateTime), cutDate, wallCutoff.UTC().Format(time.TimeOnly), time.Until(wallCutoff).Round(time.Second))

	// The spell: nobody sends anything until 3 s before the cut-off. The
	// heights and sizes at both ends give the blocks made and their cost on
	// disk.
	h0 := net.height(t, 0)
	size0 := dirSizes(t, net.homes[0])
	began := time.Now()
	end := wallCutoff.Add(-beforeCutoff)
	t.Logf("idle from height %d for %s", h0, time.Until(end).Round(time.Second))
	for time.Now().Before(end) {
		net.checkAlive(t)
		time.Sleep(min(time.Second, time.Until(end))) // the spell itself, not a wait for an event
	}
	idle = time.Since(began)
	h1 := net.height(t, 0)
	size1 := dirSizes(t, net.homes[0])

	// The blocks of the set-up txs: their nonces are pruned when the txs
	// expire (the CLI signs for 100 blocks), the only state change an
	// empty block may make.
	var txBlocks []int64
	for _, m := range net.headers(t, 1, h0) {
		if m.txs > 0 {
			txBlocks = append(txBlocks, m.height)
		}
	}
	noncesExpire := func(h int64) bool {
		for _, b := range txBlocks {
			if d := h - b; d >= 95 && d <= 102 {
				return true
			}
		}
		return false
	}
	metas := net.headers(t, h0, h1)
	var gaps []time.Duration
	var pruned []int64
	for i := 1; i < len(metas); i++ {
		gaps = append(gaps, metas[i].time.Sub(metas[i-1].time))
		// A header's app hash is the state after the block before it:
		// after an empty block it must be the same as that block's, unless
		// that block pruned the nonces of expired txs.
		changed := metas[i-1].txs == 0 && metas[i].appHash != metas[i-1].appHash
		if changed && noncesExpire(metas[i-1].height) {
			pruned = append(pruned, metas[i-1].height)
			continue
		}
		if changed {
			t.Errorf("empty block %d changed the app hash: %s -> %s", metas[i].height, metas[i-1].appHash, metas[i].appHash)
		}
		if metas[i].txs != 0 {
			t.Errorf("block %d of the idle spell holds %d txs", metas[i].height, metas[i].txs)
		}
	}
	if len(gaps) == 0 {
		t.Fatalf("no block during an idle spell of %s (heights %d to %d): empty blocks are off", idle, h0, h1)
	}
	slices.Sort(gaps)
	blocks := h1 - h0
	t.Logf("empty blocks that changed the app hash by pruning the nonces of expired set-up txs (blocks %v): %v", txBlocks, pruned)
	t.Logf("idle spell: %d empty blocks in %s (one every %s); block time gap p50 %s, max %s",
		blocks, idle, (idle / time.Duration(blocks)).Round(time.Millisecond), gaps[len(gaps)/2].Round(time.Millisecond), gaps[len(gaps)-1].Round(time.Millisecond))
	var parts []string
	var total int64
	for _, k := range sortedKeys(size1) {
		d := size1[k] - size0[k]
		total += d
		parts = append(parts, fmt.Sprintf("%s %+d", k, d))
	}
	perBlock := total / blocks
	t.Logf("disk on node0 during the spell: %+d bytes, %d bytes per empty block, ~%.1f MB per day at this rate (%s)",
		total, perBlock, float64(perBlock)*float64(24*time.Hour/(idle/time.Duration(blocks)))/1e6, strings.Join(parts, ", "))
	// The gap bounds the lag of a tx that just misses a proposal, plus the
	// consensus round; on a loaded 2-core machine a round can take a second.
	// A gap far above the bound means empty blocks are off or starved.
	if max := gaps[len(gaps)-1]; max > maxGap {
		t.Errorf("largest gap between consecutive block times during the spell: %s, above %s", max, maxGap)
	}

	// The orders: one 3 s before the cut-off gets its trade date, one
	// 2.5 s after it (the bound and a margin) the next trading day.
	bank := net.signer(t, "rs-bank", "operator")
	var lags []time.Duration
	send := func(k, via int, s *signer, msg tx.Any) *client.TxResult {
		t.Helper()
		raw := s.sign(t, net.chainID, net.height(t, via)+500, msg)
		sent := time.Now()
		cctx, cancel := context.WithTimeout(ctx, commitTimeout+5*time.Second)
		res, err := net.apis[via].SubmitAndConfirm(cctx, raw, commitTimeout)
		cancel()
		if err != nil || !res.Committed || !res.OK() {
			t.Fatalf("probe %d: %+v %v", k, res, err)
		}
		bt := net.headersOf(t, via, res.Height, res.Height)[0].time // the node that confirmed it has the block
		lag := sent.Sub(bt)
		lags = append(lags, lag)
		t.Logf("probe %d via node%d: sent %s, block %d stamped %s: lag %s", k, via, sent.UTC().Format("15:04:05.000"), res.Height, bt.UTC().Format("15:04:05.000"), lag.Round(time.Millisecond))
		if lag > node.LagBound {
			t.Errorf("probe %d: block %d is stamped %s before the tx was sent, above the %s bound (late trading)", k, res.Height, lag.Round(time.Millisecond), node.LagBound)
		}
		return res
	}
	order := func(appNo string) tx.Any {
		return tx.MustAny(fund.TypePurchase, fund.PurchaseOrder{OrderBase: fund.OrderBase{AppNo: appNo, Investor: investor, Fund: node.DemoOpenFund}, Amount: 10000_00})
	}
	got := tradeDate(t, send(0, 1, bank, order("LT-BEFORE")))
	t.Logf("order LT-BEFORE, sent %s before the cut-off: trade date %s", beforeCutoff, got)
	if got != cutDate.String() {
		t.Errorf("order sent %s before the cut-off: trade date %s, want %s (today's)", beforeCutoff, got, cutDate)
	}
	time.Sleep(time.Until(wallCutoff.Add(afterCutoff))) // the order's moment, not a wait for an event
	got = tradeDate(t, send(1, 2, bank, order("LT-AFTER")))
	t.Logf("order LT-AFTER, sent %s after the cut-off: trade date %s", afterCutoff, got)
	if got != nextDate.String() {
		t.Errorf("order sent %s after the cut-off: trade date %s, want %s (the next trading day): late trading", afterCutoff, got, nextDate)
	}

	// More probes spread over the block cycle: each to another node, at
	// uneven intervals.
	s := net.signer(t, "fm-alpha", "operator")
	for k := 2; k < probes; k++ {
		time.Sleep(time.Duration(137*k%1100) * time.Millisecond) // spreads the probes over the block cycle
		send(k, k%validators, s, anchorMsg(fmt.Sprintf("probe %d", k)))
	}
	slices.Sort(lags)
	t.Logf("RESULT spell %s: %d probes, lag p50 %s, max %s; idle block gap p50 %s, max %s; %d bytes per empty block",
		idle, len(lags), lags[len(lags)/2].Round(time.Millisecond), lags[len(lags)-1].Round(time.Millisecond),
		gaps[len(gaps)/2].Round(time.Millisecond), gaps[len(gaps)-1].Round(time.Millisecond), perBlock)
}

// network is a generated consortium whose validators run as otc start
// processes, killed when the test ends.
type network struct {
	dir     string // the generated network (otc --home)
	chainID string
	homes   []string
	cons    *node.Consortium
	apis    []*client.Client
	rpcs    []*rpchttp.HTTP
	procs   []*exec.Cmd
	done    []chan struct{}
	logs    []string
}

func startNetwork(t *testing.T) *network {
	t.Helper()
	dir := t.TempDir()
	passFile := filepath.Join(dir, "passphrase")
	if err := os.WriteFile(passFile, []byte(passphrase+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, err := ports.FreeBase(validators)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "net")
	gen := exec.Command(otcBin, "testnet", "--validators", strconv.Itoa(validators), "--out", out,
		"--base-port", strconv.Itoa(base), "--passphrase-file", passFile, "--scrypt-n", "1024", "--business-clock")
	gen.Env = cleanEnv()
	if b, err := runBounded(gen, time.Minute); err != nil {
		t.Fatalf("otc testnet: %v\n%s", err, b)
	}
	cons, err := node.ReadConsortium(out)
	if err != nil {
		t.Fatal(err)
	}
	n := &network{chainID: cons.ChainID, cons: cons, dir: out}
	t.Cleanup(func() { n.killAll(t) })
	for i, ni := range cons.Nodes {
		n.homes = append(n.homes, ni.Home)
		n.apis = append(n.apis, client.New(ni.APIURL))
		rc, err := rpchttp.New(ni.RPCURL, "/websocket")
		if err != nil {
			t.Fatal(err)
		}
		n.rpcs = append(n.rpcs, rc)
		logPath := filepath.Join(dir, fmt.Sprintf("node%d.log", i))
		f, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(otcBin, "start", "--home", ni.Home)
		cmd.Stdout, cmd.Stderr = f, f
		cmd.Env = cleanEnv()
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test binary
		if err := cmd.Start(); err != nil {
			f.Close()
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); f.Close(); close(done) }()
		n.procs, n.done, n.logs = append(n.procs, cmd), append(n.done, done), append(n.logs, logPath)
	}
	deadline := time.Now().Add(startTimeout)
	for i := range n.apis {
		for {
			n.checkAlive(t)
			if h, err := n.tryHeight(i); err == nil && h >= 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node%d does not answer at height >= 1 after %s", i, startTimeout)
			}
			time.Sleep(200 * time.Millisecond) // polling interval
		}
	}
	return n
}

// runBounded runs cmd to completion, killing it after timeout.
func runBounded(cmd *exec.Cmd, timeout time.Duration) ([]byte, error) {
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	timer := time.AfterFunc(timeout, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	return buf.Bytes(), err
}

func (n *network) killAll(t *testing.T) {
	for i, c := range n.procs {
		_ = c.Process.Kill()
		<-n.done[i]
	}
	if t.Failed() {
		for i, p := range n.logs {
			b, _ := os.ReadFile(p)
			lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
			t.Logf("node%d log tail:\n%s", i, strings.Join(lines[max(0, len(lines)-30):], "\n"))
		}
	}
}

func (n *network) checkAlive(t *testing.T) {
	t.Helper()
	for i, d := range n.done {
		select {
		case <-d:
			t.Fatalf("node%d exited: %s", i, n.procs[i].ProcessState)
		default:
		}
	}
}

func (n *network) tryHeight(i int) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	st, err := n.apis[i].Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.LatestHeight, nil
}

func (n *network) height(t *testing.T, i int) int64 {
	t.Helper()
	h, err := n.tryHeight(i)
	if err != nil {
		t.Fatalf("node%d status: %v", i, err)
	}
	return h
}

type header struct {
	height  int64
	time    time.Time
	appHash string
	txs     int
}

// headers returns node0's block headers of heights lo..hi.
func (n *network) headers(t *testing.T, lo, hi int64) []header { return n.headersOf(t, 0, lo, hi) }

// headersOf returns node i's block headers of heights lo..hi.
func (n *network) headersOf(t *testing.T, i int, lo, hi int64) []header {
	t.Helper()
	var out []header
	for from := lo; from <= hi; from += 20 { // /blockchain returns at most 20 metas
		to := min(hi, from+19)
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		r, err := n.rpcs[i].BlockchainInfo(ctx, from, to)
		cancel()
		if err != nil {
			t.Fatalf("blockchain %d..%d: %v", from, to, err)
		}
		for _, m := range r.BlockMetas {
			out = append(out, header{height: m.Header.Height, time: m.Header.Time, appHash: m.Header.AppHash.String(), txs: m.NumTxs})
		}
	}
	slices.SortFunc(out, func(a, b header) int { return int(a.height - b.height) })
	if int64(len(out)) != hi-lo+1 {
		t.Fatalf("blockchain %d..%d returned %d headers", lo, hi, len(out))
	}
	return out
}

// dirSizes returns the bytes under each entry of home/data.
func dirSizes(t *testing.T, home string) map[string]int64 {
	t.Helper()
	data := filepath.Join(home, "data")
	out := map[string]int64{}
	err := filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed by a compaction meanwhile
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(data, p)
		top, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		out[top] += info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedKeys(m map[string]int64) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// otc runs the otc CLI (keys decrypted with the test passphrase) and
// returns its standard output.
func (n *network) otc(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(otcBin, args...)
	cmd.Env = append(cleanEnv(), "OTC_PASSPHRASE="+passphrase)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(time.Minute, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("otc %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// clock returns the business clock (clock/now).
func (n *network) clock(t *testing.T) clock.Now {
	t.Helper()
	var now clock.Now
	if err := json.Unmarshal([]byte(n.otc(t, "clock", "show", "--json", "--api", n.cons.Nodes[0].APIURL)), &now); err != nil {
		t.Fatal(err)
	}
	if !now.Simulated {
		t.Fatal("the business clock is not simulated on a network generated with --business-clock")
	}
	return now
}

func (n *network) waitHeight(t *testing.T, h int64) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for n.height(t, 0) < h {
		n.checkAlive(t)
		if time.Now().After(deadline) {
			t.Fatalf("no height %d after %s", h, startTimeout)
		}
		time.Sleep(200 * time.Millisecond) // polling interval
	}
}

var tradeDateRE = regexp.MustCompile(`"trade_date":\s*"([0-9-]+)"`)

// tradeDate is the trade date in an order's result.
func tradeDate(t *testing.T, res *client.TxResult) string {
	t.Helper()
	m := tradeDateRE.FindSubmatch(res.Data)
	if m == nil {
		t.Fatalf("no trade date in the order's result %s", res.Data)
	}
	return string(m[1])
}

// cleanEnv is the environment without OTC_* variables.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OTC_") {
			out = append(out, kv)
		}
	}
	return out
}

type signer struct {
	id  string
	key crypto.PrivateKey
}

func (n *network) signer(t *testing.T, org, name string) *signer {
	t.Helper()
	info, ok := n.cons.Identity(org, name)
	if !ok {
		t.Fatalf("consortium has no identity %s/%s", org, name)
	}
	ks, err := keystore.Open(info.Keystore)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ks.Load(info.Key, []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	return &signer{id: info.ID, key: k}
}

func (s *signer) sign(t *testing.T, chainID string, expiry int64, msgs ...tx.Any) []byte {
	t.Helper()
	b, err := tx.NewBody(msgs, expiry).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	id, err := tx.ParseSignerID(s.id)
	if err != nil {
		t.Fatal(err)
	}
	env, err := tx.Sign(chainID, b, id, tx.AlgCode(string(s.key.Algorithm())), s.key.Sign)
	if err != nil {
		t.Fatal(err)
	}
	return env.Encode()
}

func anchorMsg(name string) tx.Any {
	doc := make([]byte, 64)
	_, _ = rand.Read(doc)
	sum := sha256.Sum256(doc)
	return tx.MustAny(evidence.TypeAnchor, evidence.Anchor{Hash: hex.EncodeToString(sum[:]), HashAlg: evidence.SHA256, Name: name, Size: int64(len(doc))})
}
