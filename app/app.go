package app

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/evidence"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/gov"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/supervision"
)

// Config configures an App.
type Config struct {
	DB       *state.DB
	Logger   *slog.Logger
	Registry *prometheus.Registry // may be nil
	// Modules besides member (which is always first). Nil: DefaultModules().
	Modules []module.Module
	// CrashHook, if set, is called at named points of block processing
	// ("after-finalize", "after-commit") with the height. Tests use it to
	// kill the process at exact points; it never affects state.
	CrashHook func(point string, height int64)
	// SigCacheSize bounds the cache of verified signatures (0: 100000).
	SigCacheSize int
}

// DefaultModules are the modules after member in a standard node, in
// registration order (which is also genesis and end-block order).
func DefaultModules() []module.Module {
	return []module.Module{evidence.New(), fund.New(), contract.New(), exchange.New(), supervision.New(), gov.New(), clock.New()}
}

// Version is reported in ABCI Info.
const Version = "0.1.0"

// AppVersion is the protocol version of the state machine.
const AppVersion uint64 = 1

// App is the otcchain ABCI application.
type App struct {
	abci.BaseApplication

	log   *slog.Logger
	db    *state.DB
	reg   *Registry
	crash func(string, int64)
	sigs  *sigCache
	keys  *keyCache
	m     *metrics
	// counts are the business metric counts of the finalized block, added at Commit.
	counts []count

	// cfg holds the chain id and parameters: read lock-free by CheckTx, which
	// may run beside block execution (CometBFT's mempool connection).
	cfg atomic.Pointer[chainConfig]

	mu     sync.Mutex   // guards block execution: the fields below
	block  *state.Block // staged block between InitChain/FinalizeBlock and Commit
	height int64        // height of the staged block
}

type chainConfig struct {
	chainID string
	params  Params
}

func (a *App) chainCfg() chainConfig {
	if c := a.cfg.Load(); c != nil {
		return *c
	}
	return chainConfig{params: DefaultParams()}
}

var _ abci.Application = (*App)(nil)

// New returns an App over an open state DB.
func New(cfg Config) (*App, error) {
	if cfg.DB == nil {
		return nil, errors.New("app: config needs a state DB")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	extra := cfg.Modules
	if extra == nil {
		extra = DefaultModules()
	}
	mods := append([]module.Module{member.New()}, extra...)
	reg, err := NewRegistry(mods...)
	if err != nil {
		return nil, err
	}
	size := cfg.SigCacheSize
	if size <= 0 {
		size = 100000
	}
	a := &App{log: log, db: cfg.DB, reg: reg, crash: cfg.CrashHook, sigs: newSigCache(size), keys: newKeyCache(size), m: newMetrics(cfg.Registry)}
	a.m.learnCodes(reg.AllCodes())
	if err := a.loadMeta(); err != nil {
		return nil, err
	}
	return a, nil
}

// Registry returns the module registry.
func (a *App) Registry() *Registry { return a.reg }

// Close releases what the app holds. It does not close the DB.
func (a *App) Close() error { return nil }

func (a *App) loadMeta() error {
	kv := a.db.Committed()
	id, err := kv.Get(keyChainID)
	if err != nil {
		return fmt.Errorf("app: read chain id: %w", err)
	}
	p, err := loadParams(kv)
	if err != nil {
		return err
	}
	a.cfg.Store(&chainConfig{chainID: string(id), params: p})
	return nil
}

// ChainID returns the chain id ("" before InitChain).
func (a *App) ChainID() string { return a.chainCfg().chainID }

// LastCommitted returns the last committed height and app hash.
func (a *App) LastCommitted() (int64, []byte) {
	h, hash, err := a.committedAppHash()
	if err != nil {
		return a.db.LastCommitted()
	}
	return h, hash
}

// Info implements abci.Application: CometBFT replays blocks after the height
// reported here.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	h, hash, err := a.committedAppHash()
	if err != nil {
		return nil, err
	}
	return &abci.ResponseInfo{Data: "otcchain", Version: Version, AppVersion: AppVersion, LastBlockHeight: h, LastBlockAppHash: hash}, nil
}

// InitChain implements abci.Application. The genesis writes are staged and
// commit together with block 1.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(req.ChainId) == 0 || len(req.ChainId) > 50 {
		return nil, fmt.Errorf("app: chain id must be 1 to 50 characters")
	}
	blk := a.db.NewBlock()
	if err := a.initGenesis(blk, req); err != nil {
		return nil, fmt.Errorf("app: genesis: %w", err)
	}
	a.block = blk
	a.height = req.InitialHeight - 1
	return &abci.ResponseInitChain{AppHash: blk.AppHash()}, nil
}

func (a *App) initGenesis(blk *state.Block, req *abci.RequestInitChain) error {
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(req.AppStateBytes, &sections); err != nil {
		return ErrInvalidGenesis.Wrapf("app_state is not a JSON object: %v", err)
	}
	for k := range sections {
		if _, ok := a.reg.Module(k); !ok && k != "params" {
			return ErrInvalidGenesis.Wrapf("unknown app_state section %q", k)
		}
	}
	p := DefaultParams()
	if raw, ok := sections["params"]; ok {
		if err := strictJSON(raw, &p); err != nil {
			return ErrInvalidGenesis.Wrapf("params: %v", err)
		}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := blk.Set(keyChainID, []byte(req.ChainId)); err != nil {
		return err
	}
	if err := saveParams(blk, p); err != nil {
		return err
	}
	a.cfg.Store(&chainConfig{chainID: req.ChainId, params: p})
	vals, err := genesisValidators(req.Validators)
	if err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	for _, m := range a.reg.Modules() {
		raw, ok := sections[m.Name()]
		if !ok {
			raw = json.RawMessage("{}")
		}
		// The genesis has no offset yet: business time is the genesis time.
		ctx := &module.Context{ChainID: req.ChainId, Height: req.InitialHeight - 1, Time: req.Time.UTC(), BlockTime: req.Time.UTC(), State: blk,
			Module: m.Name(), GenesisValidators: vals}
		if err := m.InitGenesis(ctx, module.Prefixed(blk, m.Name()+"/"), raw); err != nil {
			return fmt.Errorf("module %s: %w", m.Name(), err)
		}
	}
	return nil
}

// CheckTx implements abci.Application: decode, authenticate, check expiry,
// nonce, roles and message shapes against committed state. A recheck (after
// each block) skips the signature, which cannot have changed.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	cc := a.chainCfg()
	h, _ := a.db.LastCommitted()
	c := &checker{app: a, chainID: cc.chainID, params: cc.params, kv: a.db.Committed(), height: h + 1,
		at: time.Time{}, verifySig: req.Type != abci.CheckTxType_Recheck, wallClock: true}
	var err error
	handled := false
	if req.Type == abci.CheckTxType_Recheck {
		handled, err = c.recheck(req.Tx)
	}
	if !handled {
		_, err = c.check(req.Tx)
	}
	if err != nil {
		e := module.AsError(err)
		if e == nil {
			return nil, err
		}
		a.m.checkRejected.WithLabelValues(e.Codespace, e.Name).Inc()
		return &abci.ResponseCheckTx{Code: e.Code, Codespace: e.Codespace, Log: e.Error()}, nil
	}
	return &abci.ResponseCheckTx{Code: 0, GasWanted: 1}, nil
}

// FinalizeBlock implements abci.Application.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	last, _ := a.db.LastCommitted()
	want := last + 1
	if last == 0 && a.block != nil {
		want = a.height + 1 // first block after InitChain: the genesis initial height
	}
	if req.Height != want {
		return nil, fmt.Errorf("app: finalize height %d, expected %d (committed height %d)", req.Height, want, last)
	}
	if a.block == nil {
		a.block = a.db.NewBlock()
	}
	a.height = req.Height
	cc := a.chainCfg()
	bc := &blockCtx{chainID: cc.chainID, height: req.Height, blockTime: req.Time.UTC(), params: cc.params, misbehaviour: misbehaviour(req.Misbehavior)}
	if err := a.setBusinessTime(a.block, bc); err != nil {
		return nil, err
	}
	if err := a.pruneNonces(a.block, req.Height); err != nil {
		return nil, err
	}
	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i, raw := range req.Txs {
		r, err := a.deliverTx(a.block, bc, raw, uint32(i))
		if err != nil {
			return nil, fmt.Errorf("app: height %d tx %d: %w", req.Height, i, err)
		}
		results[i] = r
		a.m.txs.WithLabelValues(r.Codespace, a.m.codeName(r)).Inc()
	}
	events, outcomes, updates, err := a.endBlock(a.block, bc)
	if err != nil {
		return nil, err
	}
	if bc.simulated {
		if err := a.block.SetSide(bizHeightKey(req.Height), []byte(bc.time.Format(time.RFC3339Nano))); err != nil {
			return nil, err
		}
	}
	valUpdates, err := validatorUpdates(updates)
	if err != nil {
		return nil, err
	}
	if len(valUpdates) > 0 {
		if err := a.recordValidatorChange(req.Height); err != nil {
			return nil, err
		}
	}
	a.m.height.Set(float64(req.Height))
	a.counts = a.m.tally(results, events)
	hash, err := a.sealOutcomes(a.block, req.Height, outcomes)
	if err != nil {
		return nil, err
	}
	// The last block's time, for reads (not hashed: derived from the block).
	if err := a.block.SetSide(keyBlockTime, []byte(req.Time.UTC().Format(time.RFC3339Nano))); err != nil {
		return nil, err
	}
	if a.crash != nil {
		a.crash("after-finalize", req.Height)
	}
	return &abci.ResponseFinalizeBlock{TxResults: results, Events: events, AppHash: hash, ValidatorUpdates: valUpdates}, nil
}

// Commit implements abci.Application: the staged block, its height and app
// hash are written in one synced batch.
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.block == nil {
		return nil, errors.New("app: commit without a finalized block")
	}
	if err := a.db.Commit(a.block, a.height); err != nil {
		return nil, fmt.Errorf("app: commit height %d: %w", a.height, err)
	}
	a.block = nil
	a.m.commit(a.counts)
	a.counts = nil
	if a.crash != nil {
		a.crash("after-commit", a.height)
	}
	return &abci.ResponseCommit{}, nil
}

// Query implements abci.Application for public module reads: path is a module
// query path ("member/orgs"), data an optional JSON object of parameters.
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	params := map[string]string{}
	if len(req.Data) > 0 {
		if err := json.Unmarshal(req.Data, &params); err != nil {
			return &abci.ResponseQuery{Code: ErrUnknownQuery.Code, Codespace: Codes.Codespace, Log: "data must be a JSON object of strings"}, nil
		}
	}
	h, _ := a.db.LastCommitted()
	v, err := a.Read(trimSlash(req.Path), params, nil)
	if err != nil {
		e := module.AsError(err)
		if e == nil {
			return nil, err
		}
		return &abci.ResponseQuery{Code: e.Code, Codespace: e.Codespace, Log: e.Error(), Height: h}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &abci.ResponseQuery{Value: b, Height: h}, nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	return s
}

// Keys of the app's own state (hashed, under "app/").
var keyChainID = []byte("app/chain_id")

func heightBytes(h int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(h))
	return b[:]
}
