// Package apitest runs a real one-validator CometBFT node in process, with
// CometBFT's example kvstore app extended into an api.AppReader, and an API
// server in front of it, for the tests of package api and package client.
//
// Transactions of the test app are "key=value" (kvstore's format). Keys
// with special meaning:
//
//	reject=...  refused by CheckTx (codespace "test", code 5)
//	fail=...    committed with code 7 (codespace "test")
//	drop=...    accepted by CheckTx but never proposed (so never committed)
//	endblock=T/k1/v1/k2/v2,U/k3/v3...
//	            committed like any tx, and the block's FinalizeBlock response
//	            (its end-block) carries events of type T with attributes
//	            k1=v1, k2=v2, then of type U with k3=v3, ...: the events of
//	            all such txs, in block order
//	txevents=T/k1/v1/...,U/...
//	            committed with exactly these events in its result (same
//	            spec as endblock), instead of kvstore's; an app's tx looks
//	            like txevents=otc_tx/signer/ID/org/ORG/status/ok,
//	            order_received/module/fund/order/O1/channel/ORG
//
// Byte strings starting with "OTX" (otcchain envelopes) are accepted as they
// are.
//
// Committed txs get result data {"msgs":[{"index":0,"code":0,"data":{"key":K}}]}.
//
// It is test support only: nothing outside _test files may import it.
package apitest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/abci/example/kvstore"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	rpclocal "github.com/cometbft/cometbft/rpc/client/local"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// ChainID of the test chain.
const ChainID = "otc-apitest"

// FreePort returns a free 127.0.0.1 TCP port below 32768 (ephemeral ports
// start above it on Linux, so a port picked here does not collide with
// outgoing connections).
func FreePort(t testing.TB) int {
	t.Helper()
	for range 200 {
		p := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			ln.Close()
			return p
		}
	}
	t.Fatal("apitest: no free port below 32768")
	return 0
}

// App is the test application: kvstore plus the read side the API needs.
type App struct {
	*kvstore.Application

	mu      sync.Mutex
	pending map[string]location // txs of the block being finalized
	index   map[string]location // committed txs
	idents  map[string]*ident
	orgs    []map[string]string
	invs    map[string]string // investor id -> its identity
}

type location struct {
	height int64
	index  uint32
}

type ident struct {
	module.Identity
	revoked bool
}

var (
	_ api.AppReader    = (*App)(nil)
	_ abci.Application = (*App)(nil)
)

// NewApp returns a fresh test app with two organisations.
func NewApp() *App {
	return &App{
		Application: kvstore.NewInMemoryApplication(),
		pending:     map[string]location{},
		index:       map[string]location{},
		idents:      map[string]*ident{},
		orgs: []map[string]string{
			{"id": "bank1", "type": "reseller"},
			{"id": "fund1", "type": "fund_manager"},
			{"id": "bank2", "type": "reseller"},
			{"id": "reg", "type": "regulator"},
		},
		invs: map[string]string{},
	}
}

// SetInvestor records investor id as owned by an identity (fund's
// Investor.Identity), for the fund/investors/{id} read.
func (a *App) SetInvestor(id, identity string) {
	a.mu.Lock()
	a.invs[id] = identity
	a.mu.Unlock()
}

// Errors of the test app, named like the real ones.
var (
	ErrNotRegistered = &module.Error{Codespace: "member", Code: 4, Name: "not_registered", Message: "no such identity"}
	ErrRevoked       = &module.Error{Codespace: "member", Code: 10, Name: "identity_revoked", Message: "the identity is revoked"}
	ErrUnknownOrg    = &module.Error{Codespace: "member", Code: 2, Name: "unknown_org", Message: "no such organisation"}
	ErrAuthRequired  = &module.Error{Codespace: "app", Code: 16, Name: "auth_required", Message: "this read needs an authenticated identity"}
	ErrNotPermitted  = &module.Error{Codespace: "app", Code: 17, Name: "not_permitted", Message: "the caller may not read this"}
	ErrUnknownQuery  = &module.Error{Codespace: "app", Code: 18, Name: "unknown_query", Message: "no such query path"}
	ErrBadParam      = &module.Error{Codespace: "test", Code: 9, Name: "invalid_request", Message: "bad parameter"}
)

// AddIdentity registers a fresh key of alg for org and role and returns the
// identity id and the key.
func (a *App) AddIdentity(t testing.TB, org string, role module.Role, alg crypto.Algorithm) (string, crypto.PrivateKey) {
	t.Helper()
	key, err := crypto.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append([]byte(org+"/"+string(role)+"/"), key.Public().Bytes()...))
	id := hex.EncodeToString(sum[:])
	a.mu.Lock()
	a.idents[id] = &ident{Identity: module.Identity{
		ID: id, Org: org, Role: role, Name: string(role) + " of " + org,
		Algorithm: string(alg), PublicKey: key.Public().Bytes(),
	}}
	a.mu.Unlock()
	return id, key
}

// Revoke revokes an identity.
func (a *App) Revoke(id string) {
	a.mu.Lock()
	if x := a.idents[id]; x != nil {
		x.revoked = true
	}
	a.mu.Unlock()
}

// ChainID implements api.AppReader.
func (a *App) ChainID() string { return ChainID }

// ValidatorChangeHeights implements api.AppReader.
func (a *App) ValidatorChangeHeights() []int64 { return nil }

// Identity implements api.AppReader.
func (a *App) Identity(id string) (*module.Identity, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	x := a.idents[id]
	switch {
	case x == nil:
		return nil, ErrNotRegistered.Wrapf("no identity %q", id)
	case x.revoked:
		return nil, ErrRevoked.Wrapf("identity %s is revoked", id)
	}
	out := x.Identity
	return &out, nil
}

// TxLocation implements api.AppReader.
func (a *App) TxLocation(hash []byte) (int64, uint32, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.index[string(hash)]
	return l.height, l.index, ok, nil
}

// Read implements api.AppReader with a few paths:
//
//	member/orgs, member/orgs/{id}, member/identities/{id}   public
//	test/secret                                             regulators only
//	test/echo/{a}/{b}                                       any identity; echoes params
//	test/panic, test/fail                                   a panic, a storage failure
//	fund/investors/{id}                                     a regulator, or the investor's own identity (SetInvestor)
func (a *App) Read(path string, params map[string]string, caller *module.Identity) (any, error) {
	segs := strings.Split(path, "/")
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case path == "member/orgs":
		return a.orgs, nil
	case len(segs) == 3 && segs[0] == "member" && segs[1] == "orgs":
		for _, o := range a.orgs {
			if o["id"] == segs[2] {
				return o, nil
			}
		}
		return nil, ErrUnknownOrg.Wrapf("no organisation %q", segs[2])
	case len(segs) == 3 && segs[0] == "member" && segs[1] == "identities":
		x := a.idents[segs[2]]
		if x == nil || params["id"] != segs[2] {
			return nil, ErrNotRegistered.Wrapf("no identity %q", segs[2])
		}
		return map[string]any{"id": x.ID, "org": x.Org, "role": x.Role, "revoked": x.revoked}, nil
	case path == "test/secret":
		if caller == nil {
			return nil, ErrAuthRequired
		}
		if caller.Role != module.RoleRegulator {
			return nil, ErrNotPermitted.Wrapf("role %s may not read test/secret", caller.Role)
		}
		return map[string]any{"secret": 42, "caller": caller.ID}, nil
	case len(segs) == 4 && segs[0] == "test" && segs[1] == "echo":
		if caller == nil {
			return nil, ErrAuthRequired
		}
		if params["bad"] != "" {
			return nil, ErrBadParam
		}
		return map[string]any{"a": segs[2], "b": segs[3], "params": params, "caller": caller.ID}, nil
	case len(segs) == 3 && segs[0] == "fund" && segs[1] == "investors":
		owner, ok := a.invs[segs[2]]
		switch {
		case caller == nil:
			return nil, ErrAuthRequired
		case !ok:
			return nil, ErrNotRegistered.Wrapf("no investor %q", segs[2])
		case caller.Role != module.RoleRegulator && !(caller.Role == module.RoleInvestor && caller.ID == owner):
			return nil, ErrNotPermitted.Wrapf("%s may not read investor %s", caller.ID, segs[2])
		}
		return map[string]any{"id": segs[2], "identity": owner}, nil
	case path == "test/panic":
		panic("apitest: panic on purpose")
	case path == "test/fail":
		return nil, errors.New("apitest: storage failure on purpose")
	}
	return nil, ErrUnknownQuery.Wrapf("no query %q", path)
}

func txKey(tx []byte) string {
	k, _, _ := strings.Cut(string(tx), "=")
	return k
}

func isEnvelope(tx []byte) bool { return bytes.HasPrefix(tx, []byte("OTX")) }

// CheckTx refuses "reject=" txs with a codespace, accepts otcchain
// envelopes undecoded, else defers to kvstore.
func (a *App) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	switch {
	case isEnvelope(req.Tx):
		return &abci.ResponseCheckTx{}, nil
	case txKey(req.Tx) == "reject":
		return &abci.ResponseCheckTx{Code: 5, Codespace: "test", Log: "rejected on purpose"}, nil
	}
	return a.Application.CheckTx(ctx, req)
}

// PrepareProposal leaves "drop=" txs out of every block and keeps
// envelopes (which kvstore's own check would drop).
func (a *App) PrepareProposal(ctx context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	var kv, envs [][]byte
	for _, tx := range req.Txs {
		switch {
		case isEnvelope(tx):
			envs = append(envs, tx)
		case txKey(tx) != "drop":
			kv = append(kv, tx)
		}
	}
	r := *req
	r.Txs = kv
	res, err := a.Application.PrepareProposal(ctx, &r)
	if err != nil {
		return nil, err
	}
	res.Txs = append(res.Txs, envs...)
	return res, nil
}

// ProcessProposal accepts what PrepareProposal made.
func (a *App) ProcessProposal(context.Context, *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}

// FinalizeBlock runs kvstore, then records tx locations and result data.
func (a *App) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	// kvstore would panic committing an envelope: it sees a stand-in.
	r := *req
	r.Txs = make([][]byte, len(req.Txs))
	for i, tx := range req.Txs {
		r.Txs[i] = tx
		if isEnvelope(tx) {
			r.Txs[i] = []byte("otx=1")
		}
	}
	res, err := a.Application.FinalizeBlock(ctx, &r)
	if err != nil {
		return nil, err
	}
	for _, tx := range req.Txs {
		if txKey(tx) == "endblock" {
			res.Events = append(res.Events, endBlockEvents(tx)...)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending = map[string]location{}
	for i, tx := range req.Txs {
		sum := sha256.Sum256(tx)
		a.pending[string(sum[:])] = location{height: req.Height, index: uint32(i)}
		x := res.TxResults[i]
		if txKey(tx) == "fail" {
			x.Code, x.Codespace, x.Log = 7, "test", "failed on purpose"
			continue
		}
		if txKey(tx) == "txevents" {
			x.Events = endBlockEvents(tx)
		}
		k, _ := json.Marshal(txKey(tx))
		x.Data = fmt.Appendf(nil, `{"msgs":[{"index":0,"code":0,"data":{"key":%s}}]}`, k)
	}
	return res, nil
}

// endBlockEvents are the block events an "endblock=T/k1/v1/...,U/..." tx
// asks for.
func endBlockEvents(tx []byte) []abci.Event {
	_, v, _ := strings.Cut(string(tx), "=")
	var out []abci.Event
	for _, spec := range strings.Split(v, ",") {
		parts := strings.Split(spec, "/")
		ev := abci.Event{Type: parts[0]}
		for i := 1; i+1 < len(parts); i += 2 {
			ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: parts[i], Value: parts[i+1]})
		}
		out = append(out, ev)
	}
	return out
}

// Commit makes the block's tx locations visible, then commits kvstore.
func (a *App) Commit(ctx context.Context, req *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.mu.Lock()
	for k, v := range a.pending {
		a.index[k] = v
	}
	a.pending = map[string]location{}
	a.mu.Unlock()
	return a.Application.Commit(ctx, req)
}

// Node is a running one-validator node.
type Node struct {
	Node    *nm.Node
	RPC     *rpclocal.Local
	Genesis *cmttypes.GenesisDoc
}

// StartNode starts a one-validator node running app in t.TempDir(), waits
// for its first block, and stops it when the test ends.
func StartNode(t testing.TB, app abci.Application) *Node {
	t.Helper()
	dir := t.TempDir()
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(dir)
	cmtcfg.EnsureRoot(dir)
	cfg.Moniker = "apitest"
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", FreePort(t))
	cfg.P2P.PexReactor = false
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	cfg.RPC.ListenAddress = "" // the API uses the in-process client
	cfg.Consensus.TimeoutCommit = 100 * time.Millisecond
	cfg.Consensus.TimeoutPropose = time.Second
	cfg.Consensus.CreateEmptyBlocks = true
	cfg.Instrumentation.Prometheus = false

	pv := privval.GenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	pv.Save()
	nodeKey, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		t.Fatal(err)
	}
	gen := &cmttypes.GenesisDoc{
		ChainID:         ChainID,
		GenesisTime:     time.Now().UTC().Truncate(time.Second),
		ConsensusParams: cmttypes.DefaultConsensusParams(),
		Validators:      []cmttypes.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10, Name: "v0"}},
	}
	if err := gen.ValidateAndComplete(); err != nil {
		t.Fatal(err)
	}
	if err := gen.SaveAs(cfg.GenesisFile()); err != nil {
		t.Fatal(err)
	}

	// The node does not close every DB it opens: remember them.
	var dbs []dbm.DB
	var dbMu sync.Mutex
	provider := func(ctx *cmtcfg.DBContext) (dbm.DB, error) {
		db, err := cmtcfg.DefaultDBProvider(ctx)
		if err == nil {
			dbMu.Lock()
			dbs = append(dbs, db)
			dbMu.Unlock()
		}
		return db, err
	}
	logger := cmtlog.NewNopLogger()
	if os.Getenv("APITEST_NODE_LOG") != "" {
		logger = cmtlog.NewFilter(cmtlog.NewTMLogger(cmtlog.NewSyncWriter(os.Stderr)), cmtlog.AllowError())
	}
	n, err := nm.NewNode(cfg, pv, nodeKey, proxy.NewLocalClientCreator(app),
		nm.DefaultGenesisDocProviderFunc(cfg), provider, nm.DefaultMetricsProvider(cfg.Instrumentation), logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Errorf("apitest: stop node: %v", err)
		}
		n.Wait()
		dbMu.Lock()
		for _, db := range dbs {
			_ = db.Close()
		}
		dbMu.Unlock()
	})
	rpc := rpclocal.New(n)
	node := &Node{Node: n, RPC: rpc, Genesis: gen}
	node.WaitHeight(t, 1)
	return node
}

// WaitHeight polls until the node has committed height h (30 s at most).
func (n *Node) WaitHeight(t testing.TB, h int64) {
	t.Helper()
	Eventually(t, 30*time.Second, func() bool {
		st, err := n.RPC.Status(context.Background())
		return err == nil && st.SyncInfo.LatestBlockHeight >= h
	}, "node reaches height %d", h)
}

// Height returns the node's latest height.
func (n *Node) Height(t testing.TB) int64 {
	t.Helper()
	st, err := n.RPC.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.SyncInfo.LatestBlockHeight
}

// Eventually polls cond every 10 ms until it holds or the deadline passes.
func Eventually(t testing.TB, d time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("apitest: timed out waiting: "+format, args...)
		}
		<-tick.C
	}
}

// Clock is a settable clock for the server's challenges and tokens.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the wall clock moved by every Advance so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Env is a node, the test app, a started API server and a client of it.
type Env struct {
	*Node
	App      *App
	Server   *api.Server
	URL      string
	Client   *client.Client
	Registry *prometheus.Registry
	Clock    *Clock

	edit []func(*api.Config)
}

// NewEnv starts a node with a fresh App and an API server on a free port;
// edit may adjust the server's config. Everything stops when the test ends.
func NewEnv(t testing.TB, edit ...func(*api.Config)) *Env {
	t.Helper()
	app := NewApp()
	node := StartNode(t, app)
	env := &Env{Node: node, App: app, Registry: prometheus.NewRegistry(), Clock: &Clock{}, edit: edit}
	env.StartServer(t, fmt.Sprintf("127.0.0.1:%d", FreePort(t)))
	env.Client = client.New(env.URL)
	return env
}

// Login returns a new client of the env's server logged in as a fresh
// identity of org with role, and the identity's id.
func (e *Env) Login(t testing.TB, org string, role module.Role) (*client.Client, string) {
	t.Helper()
	id, key := e.App.AddIdentity(t, org, role, crypto.Ed25519)
	c := client.New(e.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Login(ctx, id, key.Sign); err != nil {
		t.Fatal(err)
	}
	return c, id
}

// Config returns the API config the env uses for a server on listen.
func (e *Env) Config(t testing.TB, listen string) api.Config {
	cfg := api.Config{
		Listen:   listen,
		RPC:      e.RPC,
		App:      e.App,
		Genesis:  e.Genesis,
		Logger:   TestLogger(t),
		Registry: e.Registry,
		TokenTTL: 15 * time.Minute,
		Now:      e.Clock.Now,
	}
	for _, ed := range e.edit {
		ed(&cfg)
	}
	return cfg
}

// StartServer starts a (further) API server on listen, makes it the env's
// Server and URL, and closes it when the test ends.
func (e *Env) StartServer(t testing.TB, listen string) *api.Server {
	t.Helper()
	srv, err := api.New(e.Config(t, listen))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("apitest: close server: %v", err)
		}
	})
	e.Server = srv
	e.URL = "http://" + srv.Addr()
	return srv
}

// TestLogger returns a logger writing to the test log (level Warn, or
// Debug with APITEST_LOG set). Records after the test ended are dropped.
func TestLogger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	level := slog.LevelWarn
	if os.Getenv("APITEST_LOG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type testWriter struct {
	t    testing.TB
	mu   sync.Mutex
	done bool
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(b), "\n"))
	}
	return len(b), nil
}
