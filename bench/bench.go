// Package bench is otcchain's load generator: it sends pre-signed
// transactions to one or more nodes through CometBFT's RPC
// (broadcast_tx_sync, spread round-robin), follows the chain block by block to
// see each one commit, and reports committed tx/s, commit latency (p50/p99),
// refusals and txs that were accepted but never committed. The same driver
// runs against otcchain and against the baseline app, so their ratio is
// measured under identical conditions. Progress is shown while it runs.
package bench

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// Config configures one load run.
type Config struct {
	RPCs        []string // CometBFT RPC URLs, e.g. http://127.0.0.1:26601
	Txs         [][]byte // pre-signed txs, sent in order
	Concurrency int      // parallel senders (default 32)
	Progress    io.Writer
	// Stall ends the run when nothing commits for this long (default 20s).
	Stall time.Duration
}

// Result is what a run measured.
type Result struct {
	Sent, Committed, Refused, FailedInBlock, Lost int
	Resubmitted                                   int
	Duration                                      time.Duration
	TPS                                           float64
	P50, P99, Max                                 time.Duration
	Blocks                                        int
	RefusalReasons                                map[string]int
}

func (r *Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d, committed %d (%.0f tx/s over %s, %d blocks), refused %d, failed in block %d, lost %d, resubmitted %d\n",
		r.Sent, r.Committed, r.TPS, r.Duration.Round(time.Millisecond), r.Blocks, r.Refused, r.FailedInBlock, r.Lost, r.Resubmitted)
	fmt.Fprintf(&b, "commit latency p50 %s, p99 %s, max %s", r.P50.Round(time.Millisecond), r.P99.Round(time.Millisecond), r.Max.Round(time.Millisecond))
	keys := make([]string, 0, len(r.RefusalReasons))
	for k := range r.RefusalReasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  refused %dx: %s", r.RefusalReasons[k], k)
	}
	return b.String()
}

type pending struct {
	sent time.Time
	tx   []byte
	done bool
}

// Run sends cfg.Txs and waits until each has committed, been refused, or the
// chain stalls.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if len(cfg.RPCs) == 0 || len(cfg.Txs) == 0 {
		return nil, errors.New("bench: need at least one RPC URL and one tx")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
	}
	if cfg.Stall <= 0 {
		cfg.Stall = 20 * time.Second
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	clients := make([]*rpchttp.HTTP, len(cfg.RPCs))
	for i, u := range cfg.RPCs {
		c, err := rpchttp.New(u, "/websocket")
		if err != nil {
			return nil, fmt.Errorf("bench: rpc %s: %w", u, err)
		}
		clients[i] = c
	}
	st, err := clients[0].Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: status of %s: %w", cfg.RPCs[0], err)
	}
	startHeight := st.SyncInfo.LatestBlockHeight

	var mu sync.Mutex
	table := make(map[[32]byte]*pending, len(cfg.Txs))
	res := &Result{RefusalReasons: map[string]int{}}
	var latencies []time.Duration
	var sent, refused atomic.Int64

	send := func(c *rpchttp.HTTP, tx []byte) {
		h := sha256.Sum256(tx)
		mu.Lock()
		table[h] = &pending{sent: time.Now(), tx: tx}
		mu.Unlock()
		for attempt := 0; ; attempt++ {
			r, err := c.BroadcastTxSync(ctx, tx)
			if err == nil && r.Code == 0 {
				sent.Add(1)
				return
			}
			reason := ""
			if err != nil {
				reason = err.Error()
			} else {
				reason = fmt.Sprintf("%s/%d %s", r.Codespace, r.Code, firstLine(r.Log))
			}
			// A full mempool is back-pressure, not a refusal: wait and retry.
			if strings.Contains(reason, "mempool is full") && attempt < 200 && ctx.Err() == nil {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			// A busy node may drop the connection (RPC write timeout) after
			// the tx entered its mempool: send again; "already in cache" then
			// means it was accepted.
			if attempt > 0 && strings.Contains(reason, "tx already exists in cache") {
				sent.Add(1)
				return
			}
			if err != nil && attempt < 10 && ctx.Err() == nil {
				time.Sleep(time.Second)
				continue
			}
			mu.Lock()
			if p := table[h]; p != nil && !p.done {
				p.done = true
				refused.Add(1)
				res.RefusalReasons[trimReason(reason)]++
			}
			mu.Unlock()
			sent.Add(1)
			return
		}
	}

	start := time.Now()
	work := make(chan []byte)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := clients[w%len(clients)]
			for tx := range work {
				send(c, tx)
			}
		}(w)
	}
	go func() {
		for _, tx := range cfg.Txs {
			select {
			case work <- tx:
			case <-ctx.Done():
			}
		}
		close(work)
	}()

	// Follow the chain.
	var committed, failed int
	var lastCommit time.Time
	height := startHeight
	lastProgress := time.Time{}
	lastChange := time.Now()
	resubmitted := false
	follower := clients[0]
	// A busy node may drop an RPC connection (CometBFT's RPC write timeout is
	// ~11 s; the results of a block of tens of thousands of batch items are
	// tens of MB of JSON): the follower retries before giving up.
	const followerRetries = 5
	failures := 0
	retry := func(err error) bool {
		failures++
		if failures > followerRetries || ctx.Err() != nil {
			return false
		}
		fmt.Fprintf(cfg.Progress, "\nfollower: %v (retrying)\n", err)
		time.Sleep(time.Second)
		return true
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st, err := follower.Status(ctx)
		if err != nil {
			if retry(err) {
				continue
			}
			return nil, fmt.Errorf("bench: status: %w", err)
		}
		for height < st.SyncInfo.LatestBlockHeight {
			height++
			h := height
			blk, err := follower.Block(ctx, &h)
			if err != nil {
				if retry(err) {
					height--
					break
				}
				return nil, fmt.Errorf("bench: block %d: %w", h, err)
			}
			br, err := follower.BlockResults(ctx, &h)
			if err != nil {
				// The block store is written before the block is executed:
				// results appear a moment later. Retry on the next poll.
				if strings.Contains(err.Error(), "could not find results") || retry(err) {
					height--
					break
				}
				return nil, fmt.Errorf("bench: block results %d: %w", h, err)
			}
			failures = 0
			now := time.Now()
			if len(blk.Block.Txs) > 0 {
				res.Blocks++
			}
			mu.Lock()
			for i, tx := range blk.Block.Txs {
				p := table[sha256.Sum256(tx)]
				if p == nil || p.done {
					continue
				}
				p.done = true
				committed++
				lastCommit = now
				latencies = append(latencies, now.Sub(p.sent))
				if i < len(br.TxsResults) && br.TxsResults[i].Code != 0 {
					failed++
					res.RefusalReasons["in block: "+trimReason(br.TxsResults[i].Log)]++
				}
			}
			mu.Unlock()
			lastChange = now
		}
		total := committed + int(refused.Load())
		if time.Since(lastProgress) > 500*time.Millisecond || total == len(cfg.Txs) {
			progress(cfg.Progress, total, len(cfg.Txs), committed, time.Since(start))
			lastProgress = time.Now()
		}
		if total == len(cfg.Txs) {
			break
		}
		if time.Since(lastChange) > cfg.Stall/2 && !resubmitted && int(sent.Load()) == len(cfg.Txs) {
			// Accepted but dropped txs (CometBFT may drop them silently when the
			// mempool is near full): resubmit once; otcchain's nonce makes that safe.
			resubmitted = true
			var again [][]byte
			mu.Lock()
			for _, p := range table {
				if !p.done {
					again = append(again, p.tx)
				}
			}
			mu.Unlock()
			res.Resubmitted = len(again)
			for i, tx := range again {
				_, _ = clients[i%len(clients)].BroadcastTxSync(ctx, tx)
			}
		}
		if time.Since(lastChange) > cfg.Stall {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	fmt.Fprintln(cfg.Progress)

	res.Sent = len(cfg.Txs)
	res.Committed = committed
	res.Refused = int(refused.Load())
	res.FailedInBlock = failed
	res.Lost = len(cfg.Txs) - committed - res.Refused
	if !lastCommit.IsZero() {
		res.Duration = lastCommit.Sub(start)
		res.TPS = float64(committed) / res.Duration.Seconds()
	}
	if len(latencies) > 0 {
		sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
		res.P50 = latencies[len(latencies)/2]
		res.P99 = latencies[len(latencies)*99/100]
		res.Max = latencies[len(latencies)-1]
	}
	return res, nil
}

func progress(w io.Writer, done, total, committed int, el time.Duration) {
	const width = 30
	n := width * done / total
	rate := float64(committed) / el.Seconds()
	fmt.Fprintf(w, "\r[%s%s] %d/%d done, %d committed, %.0f tx/s ", strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total, committed, rate)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// trimReason keeps a refusal reason short enough to group by.
func trimReason(s string) string {
	s = firstLine(s)
	if i := strings.Index(s, ":"); i > 0 && i < 60 {
		if j := strings.Index(s[i+1:], ":"); j > 0 {
			return s[:i+1+j]
		}
	}
	if len(s) > 80 {
		return s[:80]
	}
	return s
}
