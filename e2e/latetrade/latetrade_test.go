package latetrade_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/evidence"
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
	probes        = 12 // txs sent after the spell
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

	// The spell: nobody sends anything. The heights and sizes at both ends
	// give the blocks made and their cost on disk.
	h0 := net.height(t, 0)
	size0 := dirSizes(t, net.homes[0])
	t.Logf("idle from height %d for %s", h0, idle)
	end := time.Now().Add(idle)
	for time.Now().Before(end) {
		net.checkAlive(t)
		time.Sleep(min(time.Second, time.Until(end))) // the spell itself, not a wait for an event
	}
	h1 := net.height(t, 0)
	size1 := dirSizes(t, net.homes[0])

	metas := net.headers(t, h0, h1)
	var gaps []time.Duration
	for i := 1; i < len(metas); i++ {
		gaps = append(gaps, metas[i].time.Sub(metas[i-1].time))
		if metas[i].appHash != metas[i-1].appHash {
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
	if max := gaps[len(gaps)-1]; max > node.LagBound {
		t.Errorf("largest gap between consecutive block times during the spell: %s, above the %s bound", max, node.LagBound)
	}

	// The probes, spread over the block cycle: each to another node, at
	// uneven intervals, the first at once after the spell.
	s := net.signer(t, "fm-alpha", "operator")
	var lags []time.Duration
	for k := 0; k < probes; k++ {
		if k > 0 {
			time.Sleep(time.Duration(137*k%1100) * time.Millisecond) // spreads the probes over the block cycle
		}
		h := net.height(t, k%validators)
		raw := s.sign(t, net.chainID, h+500, anchorMsg(fmt.Sprintf("probe %d", k)))
		sent := time.Now()
		cctx, cancel := context.WithTimeout(ctx, commitTimeout+5*time.Second)
		res, err := net.apis[k%validators].SubmitAndConfirm(cctx, raw, commitTimeout)
		cancel()
		if err != nil || !res.Committed || !res.OK() {
			t.Fatalf("probe %d: %+v %v", k, res, err)
		}
		bt := net.headers(t, res.Height, res.Height)[0].time
		lag := sent.Sub(bt)
		lags = append(lags, lag)
		t.Logf("probe %d via node%d: sent %s, block %d stamped %s: lag %s", k, k%validators, sent.UTC().Format("15:04:05.000"), res.Height, bt.UTC().Format("15:04:05.000"), lag.Round(time.Millisecond))
		if lag > node.LagBound {
			t.Errorf("probe %d: block %d is stamped %s before the tx was sent, above the %s bound (late trading)", k, res.Height, lag.Round(time.Millisecond), node.LagBound)
		}
	}
	slices.Sort(lags)
	t.Logf("RESULT spell %s: %d probes, lag p50 %s, max %s; idle block gap p50 %s, max %s; %d bytes per empty block",
		idle, len(lags), lags[len(lags)/2].Round(time.Millisecond), lags[len(lags)-1].Round(time.Millisecond),
		gaps[len(gaps)/2].Round(time.Millisecond), gaps[len(gaps)-1].Round(time.Millisecond), perBlock)
}

// network is a generated consortium whose validators run as otc start
// processes, killed when the test ends.
type network struct {
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
		"--base-port", strconv.Itoa(base), "--passphrase-file", passFile, "--scrypt-n", "1024")
	gen.Env = cleanEnv()
	if b, err := runBounded(gen, time.Minute); err != nil {
		t.Fatalf("otc testnet: %v\n%s", err, b)
	}
	cons, err := node.ReadConsortium(out)
	if err != nil {
		t.Fatal(err)
	}
	n := &network{chainID: cons.ChainID, cons: cons}
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
func (n *network) headers(t *testing.T, lo, hi int64) []header {
	t.Helper()
	var out []header
	for from := lo; from <= hi; from += 20 { // /blockchain returns at most 20 metas
		to := min(hi, from+19)
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		r, err := n.rpcs[0].BlockchainInfo(ctx, from, to)
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
