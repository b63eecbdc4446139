package node

import (
	"errors"
	"fmt"
	"sync"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/blocksync"
	cmtcfg "github.com/cometbft/cometbft/config"
	cs "github.com/cometbft/cometbft/consensus"
	mempl "github.com/cometbft/cometbft/mempool"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/proxy"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/statesync"
)

// dbTracker is a CometBFT DB provider that remembers every database it
// opened. CometBFT does not close all of them on Stop (the tx and block
// indexes stay open), so reopening a home in the same process would fail;
// Node.Stop closes them after the engine has stopped.
//
// Each database is wrapped in a guardedDB: CometBFT closes its block store
// in OnStop while per-peer goroutines of its consensus reactor (which Stop
// does not wait for) may still read it, and a read of a closed goleveldb
// panics the whole process. A standalone CometBFT exits right after, so the
// race never shows there; a process that goes on (otc dev, tests, a restart
// in place) would crash.
type dbTracker struct {
	mu  sync.Mutex
	dbs []*guardedDB
}

func (t *dbTracker) provide(ctx *cmtcfg.DBContext) (dbm.DB, error) {
	db, err := cmtcfg.DefaultDBProvider(ctx)
	if err != nil {
		return nil, err
	}
	g := &guardedDB{DB: db}
	t.mu.Lock()
	t.dbs = append(t.dbs, g)
	t.mu.Unlock()
	return g, nil
}

// closeAll closes every database opened so far (those CometBFT closed
// itself are skipped).
func (t *dbTracker) closeAll() error {
	t.mu.Lock()
	dbs := t.dbs
	t.dbs = nil
	t.mu.Unlock()
	var errs []error
	for _, db := range dbs {
		if err := db.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("node: close engine databases: %w", err)
	}
	return nil
}

var errDBClosed = errors.New("node: engine database closed")

// guardedDB turns reads after Close into "not found" and an empty iteration
// (only goroutines of a stopped engine read then, and they give up on a
// missing record), and makes Close wait for reads in flight and idempotent.
type guardedDB struct {
	dbm.DB
	mu     sync.RWMutex
	closed bool
}

var _ dbm.DB = (*guardedDB)(nil)

func (g *guardedDB) Get(key []byte) ([]byte, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return nil, nil
	}
	return g.DB.Get(key)
}

func (g *guardedDB) Has(key []byte) (bool, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return false, nil
	}
	return g.DB.Has(key)
}

func (g *guardedDB) Iterator(start, end []byte) (dbm.Iterator, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return emptyIterator{start, end}, nil
	}
	return g.DB.Iterator(start, end)
}

func (g *guardedDB) ReverseIterator(start, end []byte) (dbm.Iterator, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return emptyIterator{start, end}, nil
	}
	return g.DB.ReverseIterator(start, end)
}

func (g *guardedDB) write(f func() error) error {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return errDBClosed
	}
	return f()
}

func (g *guardedDB) Set(k, v []byte) error { return g.write(func() error { return g.DB.Set(k, v) }) }
func (g *guardedDB) SetSync(k, v []byte) error {
	return g.write(func() error { return g.DB.SetSync(k, v) })
}
func (g *guardedDB) Delete(k []byte) error { return g.write(func() error { return g.DB.Delete(k) }) }
func (g *guardedDB) DeleteSync(k []byte) error {
	return g.write(func() error { return g.DB.DeleteSync(k) })
}

func (g *guardedDB) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	return g.DB.Close()
}

type emptyIterator struct{ start, end []byte }

var _ dbm.Iterator = emptyIterator{}

func (e emptyIterator) Domain() ([]byte, []byte) { return e.start, e.end }
func (emptyIterator) Valid() bool                { return false }
func (emptyIterator) Next()                      { panic("node: Next on an exhausted iterator") }
func (emptyIterator) Key() []byte                { panic("node: Key on an exhausted iterator") }
func (emptyIterator) Value() []byte              { panic("node: Value on an exhausted iterator") }
func (emptyIterator) Error() error               { return nil }
func (emptyIterator) Close() error               { return nil }

// engineMetrics hands out CometBFT's Prometheus metrics. They register on
// the process-wide default registry, and a second registration of the same
// names panics even under another chain id label, so they are built once per
// namespace, for the first chain id that asks, and lent to one running node
// of that chain at a time; a node that cannot have them (another node of
// the process holds them, or the process built them for another chain) runs
// with no-op metrics. A production process runs one node, so this only
// matters to tests and otc testnet/dev running several nodes in a process.
var engineMetrics = struct {
	sync.Mutex
	sets  map[string]*metricSet // by namespace
	chain map[string]string     // namespace -> chain id the set is labelled with
	inUse map[string]bool       // by namespace
}{sets: map[string]*metricSet{}, chain: map[string]string{}, inUse: map[string]bool{}}

type metricSet struct {
	cs  *cs.Metrics
	p2p *p2p.Metrics
	mp  *mempl.Metrics
	sm  *sm.Metrics
	px  *proxy.Metrics
	bs  *blocksync.Metrics
	ss  *statesync.Metrics
}

// metricsLease is one node's use of the engine metrics.
type metricsLease struct {
	key     string
	granted bool // this node holds the real (registered) metrics
}

// provider returns the MetricsProvider for a node. want says whether the
// node asked for CometBFT's metrics.
func (l *metricsLease) provider(namespace string, want bool) cmtnode.MetricsProvider {
	return func(chainID string) (*cs.Metrics, *p2p.Metrics, *mempl.Metrics, *sm.Metrics, *proxy.Metrics, *blocksync.Metrics, *statesync.Metrics) {
		if want {
			key := namespace
			engineMetrics.Lock()
			owner, built := engineMetrics.chain[key]
			if !engineMetrics.inUse[key] && (!built || owner == chainID) {
				set := engineMetrics.sets[key]
				if set == nil {
					on := cmtcfg.DefaultInstrumentationConfig()
					on.Prometheus = true
					on.Namespace = namespace
					c, p, m, s, x, b, y := cmtnode.DefaultMetricsProvider(on)(chainID)
					set = &metricSet{c, p, m, s, x, b, y}
					engineMetrics.sets[key] = set
					engineMetrics.chain[key] = chainID
				}
				engineMetrics.inUse[key] = true
				l.key, l.granted = key, true
				engineMetrics.Unlock()
				return set.cs, set.p2p, set.mp, set.sm, set.px, set.bs, set.ss
			}
			engineMetrics.Unlock()
		}
		return cs.NopMetrics(), p2p.NopMetrics(), mempl.NopMetrics(), sm.NopMetrics(), proxy.NopMetrics(), blocksync.NopMetrics(), statesync.NopMetrics()
	}
}

// release gives the metrics back (idempotent).
func (l *metricsLease) release() {
	if !l.granted {
		return
	}
	engineMetrics.Lock()
	delete(engineMetrics.inUse, l.key)
	engineMetrics.Unlock()
	l.granted = false
}
