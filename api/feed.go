package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/module"
)

// blockCacheSize bounds the blocks (with their results) held in memory. The
// feed puts every new block in; readers of recent heights share them.
const blockCacheSize = 16

// fetchTimeout bounds one fetch of a block and its results.
const fetchTimeout = 30 * time.Second

// blockEntry is a committed block's txs and results, and the events of its
// FinalizeBlock response (the modules' end-block).
type blockEntry struct {
	ready   chan struct{} // closed when the fields below are set
	err     error
	height  int64
	time    time.Time
	txs     cmttypes.Txs
	results []*abci.ExecTxResult
	events  []abci.Event

	hashOnce sync.Once
	hashes   []string // lowercase hex, computed on first use
}

func newEntry(height int64, blk *cmttypes.Block, results []*abci.ExecTxResult, events []abci.Event) (*blockEntry, error) {
	if blk == nil || blk.Height != height {
		return nil, fmt.Errorf("api: node returned no block for height %d", height)
	}
	if len(results) != len(blk.Txs) {
		return nil, fmt.Errorf("api: block %d has %d txs but %d results", height, len(blk.Txs), len(results))
	}
	e := &blockEntry{ready: make(chan struct{}), height: height, time: blk.Time.UTC(), txs: blk.Txs, results: results, events: events}
	close(e.ready)
	return e, nil
}

func (e *blockEntry) hash(i int) string {
	e.hashOnce.Do(func() {
		e.hashes = make([]string, len(e.txs))
		for j, tx := range e.txs {
			e.hashes[j] = hex.EncodeToString(tx.Hash())
		}
	})
	return e.hashes[i]
}

// txResult is the committed result of tx i.
func (e *blockEntry) txResult(i int) *client.TxResult {
	t := e.time
	return &client.TxResult{
		Hash: e.hash(i), Committed: true, Height: e.height, Index: uint32(i), Time: &t,
		Result: convertResult(e.results[i]),
	}
}

// convertResult returns a tx result as the API serves it to whoever holds
// the tx or its hash (POST /v1/txs, GET /v1/txs/{hash}): without the
// events only regulators may see (visibility.go: a compliance alert raised
// by the tx must not reach its submitter). Regulators read those on the
// event stream. Events are not part of the results hash: receipts are
// unaffected.
func convertResult(x *abci.ExecTxResult) client.Result {
	if x == nil {
		return client.Result{Events: []module.Event{}}
	}
	return client.Result{
		Code: x.Code, Codespace: x.Codespace, Log: x.Log, Data: dataJSON(x.Data),
		Events: withoutRegulatorOnly(nil, convertEvents(x.Events)), GasWanted: x.GasWanted, GasUsed: x.GasUsed,
	}
}

// dataJSON returns result data as JSON: itself when it is valid JSON, else a
// base64 string.
func dataJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	s, _ := json.Marshal(base64.StdEncoding.EncodeToString(b))
	return s
}

// convertEvents returns ABCI events as module events: the "module"
// attribute the app adds (app.toABCI) becomes the event's Module.
func convertEvents(evs []abci.Event) []module.Event {
	out := make([]module.Event, 0, len(evs))
	for _, ev := range evs {
		e := module.Event{Type: ev.Type, Attrs: make([]module.Attr, 0, len(ev.Attributes))}
		for _, a := range ev.Attributes {
			if a.Key == "module" && e.Module == "" {
				e.Module = a.Value
				continue
			}
			e.Attrs = append(e.Attrs, module.Attr{Key: a.Key, Value: a.Value})
		}
		out = append(out, e)
	}
	return out
}

// blockCache holds recent blocks with their results and fetches missing
// ones once however many readers ask at the same time.
type blockCache struct {
	rpc  rpcclient.Client
	size int

	mu sync.Mutex
	m  map[int64]*blockEntry

	// fetches counts fetch goroutines, so that the server's Close waits for
	// them: none may read the node after it stopped.
	fetches sync.WaitGroup
}

func newBlockCache(rpc rpcclient.Client, size int) *blockCache {
	return &blockCache{rpc: rpc, size: size, m: make(map[int64]*blockEntry)}
}

// put stores a complete entry (from the feed).
func (c *blockCache) put(e *blockEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[e.height] = e
	c.evictLocked()
}

// evictLocked drops the lowest complete heights beyond the size: the newest
// blocks are the ones many readers share.
func (c *blockCache) evictLocked() {
	for len(c.m) > c.size {
		var low int64 = -1
		for h, e := range c.m {
			select {
			case <-e.ready:
				if low == -1 || h < low {
					low = h
				}
			default:
			}
		}
		if low == -1 {
			return
		}
		delete(c.m, low)
	}
}

// get returns the block at height h (which must be committed). ctx bounds
// the wait of this caller only; the fetch itself runs under its own timeout.
func (c *blockCache) get(ctx context.Context, h int64) (*blockEntry, error) {
	c.mu.Lock()
	e, ok := c.m[h]
	if !ok {
		e = &blockEntry{ready: make(chan struct{}), height: h}
		c.m[h] = e
		c.evictLocked()
		c.fetches.Add(1)
		go func() {
			defer c.fetches.Done()
			c.fetch(e)
		}()
	}
	c.mu.Unlock()
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err != nil {
		return nil, e.err
	}
	return e, nil
}

func (c *blockCache) fetch(e *blockEntry) {
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	h := e.height
	full, err := func() (*blockEntry, error) {
		blk, err := c.rpc.Block(ctx, &h)
		if err != nil {
			return nil, fmt.Errorf("api: block %d: %w", h, err)
		}
		res, err := c.rpc.BlockResults(ctx, &h)
		if err != nil {
			return nil, fmt.Errorf("api: block results %d: %w", h, err)
		}
		return newEntry(h, blk.Block, res.TxsResults, res.FinalizeBlockEvents)
	}()
	if err != nil {
		e.err = err
		c.mu.Lock()
		if c.m[h] == e {
			delete(c.m, h) // the next reader tries again
		}
		c.mu.Unlock()
	} else {
		e.time, e.txs, e.results, e.events = full.time, full.txs, full.results, full.events
	}
	close(e.ready)
}

// waiter is a request waiting for a tx to commit.
type waiter struct {
	hash string
	ch   chan *client.TxResult // buffered 1
}

// feed follows committed blocks: it resolves waiters of the txs in each new
// block, puts the block in the cache and wakes event streams. It listens to
// the node's NewBlock events and also polls the node's status, so a dropped
// event or a node without an event bus only delays it.
type feed struct {
	rpc   rpcclient.Client
	cache *blockCache
	log   *slog.Logger
	m     *metrics

	failures int // consecutive failed catch-up reads (run goroutine only)

	mu      sync.Mutex
	height  int64         // latest committed height seen (0: not known yet)
	changed chan struct{} // closed and replaced when height advances
	waiters map[string]map[*waiter]struct{}
	started bool
	closed  bool
	done    chan struct{}
}

func newFeed(rpc rpcclient.Client, cache *blockCache, log *slog.Logger, m *metrics) *feed {
	return &feed{
		rpc: rpc, cache: cache, log: log, m: m,
		changed: make(chan struct{}),
		waiters: make(map[string]map[*waiter]struct{}),
		done:    make(chan struct{}),
	}
}

// ensure starts the feed once (until ctx ends).
func (f *feed) ensure(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.started || f.closed {
		return
	}
	f.started = true
	go f.run(ctx)
}

// stop marks the feed closed and waits (within ctx) for it to end; the
// caller has cancelled the feed's context.
func (f *feed) stop(ctx context.Context) error {
	f.mu.Lock()
	f.closed = true
	started := f.started
	f.mu.Unlock()
	if !started {
		return nil
	}
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// state returns the latest height and a channel closed when it advances.
func (f *feed) state() (int64, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.height, f.changed
}

func (f *feed) register(hash string) *waiter {
	w := &waiter{hash: hash, ch: make(chan *client.TxResult, 1)}
	f.mu.Lock()
	ws := f.waiters[hash]
	if ws == nil {
		ws = make(map[*waiter]struct{})
		f.waiters[hash] = ws
	}
	ws[w] = struct{}{}
	f.mu.Unlock()
	f.m.waiters.Inc()
	return w
}

func (f *feed) unregister(w *waiter) {
	f.mu.Lock()
	if ws := f.waiters[w.hash]; ws != nil {
		delete(ws, w)
		if len(ws) == 0 {
			delete(f.waiters, w.hash)
		}
	}
	f.mu.Unlock()
	f.m.waiters.Dec()
}

const (
	subscribeQuery = "tm.event='NewBlock'"
	// maxCatchUp is the largest gap the feed fills block by block; beyond it
	// the feed jumps (waiters fall back to polling the app's tx index).
	maxCatchUp = 32
)

func (f *feed) run(ctx context.Context) {
	defer close(f.done)
	var events <-chan ctypes.ResultEvent
	var sb [8]byte
	_, _ = rand.Read(sb[:])
	subscriber := "otcchain-api-" + hex.EncodeToString(sb[:])
	if ch, err := f.rpc.Subscribe(ctx, subscriber, subscribeQuery, 100); err != nil {
		f.log.Warn("api: no block events from the node; polling", "err", err)
	} else {
		events = ch
		defer func() {
			uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := f.rpc.UnsubscribeAll(uctx, subscriber); err != nil {
				f.log.Debug("api: unsubscribe", "err", err)
			}
		}()
	}
	interval := time.Second
	if events == nil {
		interval = 200 * time.Millisecond
	}
	f.poll(ctx)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			data, ok := ev.Data.(cmttypes.EventDataNewBlock)
			if !ok || data.Block == nil {
				continue
			}
			h := data.Block.Height
			cur, _ := f.state()
			if h <= cur {
				continue
			}
			if cur > 0 && h > cur+1 {
				f.catchUp(ctx, h-1)
			}
			e, err := newEntry(h, data.Block, data.ResultFinalizeBlock.TxResults, data.ResultFinalizeBlock.Events)
			if err != nil {
				f.log.Warn("api: block event", "err", err)
				continue
			}
			f.cache.put(e)
			f.advance(e)
		case <-tick.C:
			f.poll(ctx)
		}
	}
}

// poll asks the node for its latest height and catches up to it.
func (f *feed) poll(ctx context.Context) {
	st, err := f.rpc.Status(ctx)
	if err != nil {
		if ctx.Err() == nil {
			f.log.Debug("api: feed status", "err", err)
		}
		return
	}
	f.catchUp(ctx, st.SyncInfo.LatestBlockHeight)
}

// catchUp processes the blocks after the feed's height up to `to`.
func (f *feed) catchUp(ctx context.Context, to int64) {
	cur, _ := f.state()
	if cur == 0 || to-cur > maxCatchUp {
		if to > cur {
			f.jump(to)
		}
		return
	}
	for h := cur + 1; h <= to; h++ {
		e, err := f.cache.get(ctx, h)
		if err != nil {
			// The node may list a block before its results are saved: the
			// next poll tries again. Complain only when it persists.
			if f.failures++; ctx.Err() == nil && f.failures%10 == 0 {
				f.log.Warn("api: feed cannot read a block", "height", h, "attempts", f.failures, "err", err)
			}
			return
		}
		f.failures = 0
		f.advance(e)
	}
}

func (f *feed) jump(to int64) {
	f.mu.Lock()
	if to > f.height {
		f.height = to
		close(f.changed)
		f.changed = make(chan struct{})
	}
	f.mu.Unlock()
	f.m.height.Set(float64(to))
}

// advance resolves the waiters of e's txs and moves the height to e's.
func (f *feed) advance(e *blockEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e.height <= f.height {
		return
	}
	if len(f.waiters) > 0 {
		for i := range e.txs {
			ws := f.waiters[e.hash(i)]
			if len(ws) == 0 {
				continue
			}
			res := e.txResult(i)
			for w := range ws {
				select {
				case w.ch <- res:
				default:
				}
			}
		}
	}
	f.height = e.height
	close(f.changed)
	f.changed = make(chan struct{})
	f.m.height.Set(float64(e.height))
}
