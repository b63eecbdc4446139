package node

import (
	"github.com/otcchain/otcchain/console"
	"strconv"
	"syscall"

	"context"
	"errors"
	"fmt"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	"github.com/cometbft/cometbft/rpc/client/local"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/baseline"
	"github.com/otcchain/otcchain/blob"
	"github.com/otcchain/otcchain/state"
)

// StartOptions adjust a start beyond what the home's files say.
type StartOptions struct {
	// Logger receives otcchain's logs and, filtered at the engine level,
	// CometBFT's. Nil: built from otc.toml [log], writing to standard error.
	Logger *slog.Logger
	// EngineLogLevel overrides otc.toml's log.engine_level (debug, info,
	// error, none) when not empty.
	EngineLogLevel string
	// APIListen overrides otc.toml's api.listen when not empty.
	APIListen string
	// NoEngineMetrics leaves CometBFT's Prometheus metrics off even if
	// config.toml enables them. Several nodes in one process (otc dev) keep
	// them on one node only: they live in the process-wide registry.
	NoEngineMetrics bool
	// NoMetricsServer leaves the otc.toml [metrics] endpoint off.
	NoMetricsServer bool
	// CrashAt makes the process kill itself (SIGKILL) at one point of block
	// processing, for crash-recovery tests: "after-finalize:H" (after
	// FinalizeBlock of height H, before its Commit) or "after-commit:H".
	CrashAt string
	// Baseline runs the minimal comparison app (package baseline) instead of
	// otcchain, with the same engine settings and no API (otc bench).
	Baseline bool
}

// crashHook parses StartOptions.CrashAt.
// The app serves the API's optional readers: outcomes and the business clock.
var (
	_ api.OutcomeReader = (*app.App)(nil)
	_ api.ClockReader   = (*app.App)(nil)
)

func crashHook(spec string) (func(string, int64), error) {
	point, hs, ok := strings.Cut(spec, ":")
	h, err := strconv.ParseInt(hs, 10, 64)
	if !ok || err != nil || h < 1 || (point != "after-finalize" && point != "after-commit") {
		return nil, fmt.Errorf("node: crash point %q: want after-finalize:H or after-commit:H", spec)
	}
	return func(p string, height int64) {
		if p == point && height == h {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // never returns: the signal ends the process
		}
	}, nil
}

// Node is a running otcchain node: a CometBFT node with the app in process
// and the API server in front of it.
type Node struct {
	home    string
	log     *slog.Logger
	db      *state.DB
	app     *app.App
	base    *baseline.App
	cmt     *cmtnode.Node
	dbs     *dbTracker
	lease   *metricsLease
	api     *api.Server
	audit   *audit.Log
	metrics *http.Server
	rpcURL  string
	genesis *cmttypes.GenesisDoc

	stopping atomic.Bool // demotes engine errors during teardown
	stopOnce sync.Once
	stopErr  error
}

// Start opens the node home and starts the node: the app state
// (HOME/data/app), the app, CometBFT with the app as a local ABCI client,
// the API server and the metrics endpoint. ctx bounds the start-up only
// (the handshake may replay blocks); the node runs until Stop.
func Start(ctx context.Context, home string, opts StartOptions) (_ *Node, err error) {
	home, err = filepath.Abs(home)
	if err != nil {
		return nil, fmt.Errorf("node: home: %w", err)
	}
	h := Home(home)
	for _, f := range []string{CometConfigFile, GenesisFile, NodeKeyFile, PrivValidatorKeyFile, SettingsFile} {
		if _, err := os.Stat(h.Path(f)); err != nil {
			return nil, fmt.Errorf("node: %s is not a node home (generate one with otc testnet or otc dev): %w", home, err)
		}
	}
	settings, err := LoadSettings(h.Path(SettingsFile))
	if err != nil {
		return nil, err
	}
	if opts.EngineLogLevel != "" {
		settings.Log.EngineLevel = opts.EngineLogLevel
	}
	engLevel, err := parseEngineLevel(settings.Log.EngineLevel)
	if err != nil {
		return nil, err
	}
	log, engLog := opts.Logger, opts.Logger
	if log == nil {
		if log, engLog, err = settings.NewLoggers(os.Stderr); err != nil {
			return nil, err
		}
	}
	conf, unknown, err := LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		log.Warn("node: config.toml has keys CometBFT does not know; they are ignored", "keys", strings.Join(unknown, ","))
	}
	if err := applyEmptyBlocks(settings, conf, log); err != nil {
		return nil, err
	}
	genesis, err := cmttypes.GenesisDocFromFile(conf.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	pv, err := loadPrivValidator(conf.PrivValidatorKeyFile(), conf.PrivValidatorStateFile())
	if err != nil {
		return nil, err
	}
	nodeKey, err := p2p.LoadNodeKey(conf.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("node: load node key: %w", err)
	}
	ttl, err := settings.TokenTTL()
	if err != nil {
		return nil, err
	}

	n := &Node{home: home, log: log, dbs: &dbTracker{}, lease: &metricsLease{}, genesis: genesis}
	defer func() {
		if err != nil {
			_ = n.Stop()
		}
	}()

	var crash func(string, int64)
	if opts.CrashAt != "" {
		if crash, err = crashHook(opts.CrashAt); err != nil {
			return nil, err
		}
	}
	reg := prometheus.NewRegistry()
	var abciApp abcitypes.Application
	if opts.Baseline {
		n.base, err = baseline.Open(h.Path(AppDataDir + "-baseline"))
		if err != nil {
			return nil, err
		}
		abciApp = n.base
	} else {
		sopts := state.DefaultOptions() // synced commits: a node must not lose a committed block
		sopts.Logger = log.With("component", "state")
		n.db, err = state.Open(h.Path(AppDataDir), sopts)
		if err != nil {
			return nil, fmt.Errorf("node: open app state: %w", err)
		}
		n.app, err = app.New(app.Config{DB: n.db, Logger: log.With("component", "app"), Registry: reg, CrashHook: crash})
		if err != nil {
			return nil, fmt.Errorf("node: app: %w", err)
		}
		abciApp = n.app
	}

	// CometBFT's own Prometheus server is never started: the metrics
	// endpoint below serves its metrics together with the app's.
	wantEngineMetrics := conf.Instrumentation.Prometheus && !opts.NoEngineMetrics
	conf.Instrumentation.Prometheus = false
	n.cmt, err = cmtnode.NewNodeWithContext(ctx, conf, pv, nodeKey,
		// One mutex for all ABCI connections. The connection-synchronised
		// creator (CheckTx beside block execution, which the app supports)
		// measured ~10% faster but lost thousands of accepted txs under
		// load with 256 senders (the silent-drop trap of ENGINE.md); see
		// docs/performance.md.
		proxy.NewLocalClientCreator(abciApp),
		func() (*cmttypes.GenesisDoc, error) { return genesis, nil },
		n.dbs.provide,
		n.lease.provider(conf.Instrumentation.Namespace, wantEngineMetrics),
		newEngineLogger(engLog, engLevel, &n.stopping))
	if err != nil {
		return nil, fmt.Errorf("node: create cometbft node: %w", err)
	}
	if err := n.cmt.Start(); err != nil {
		return nil, fmt.Errorf("node: start cometbft: %w", err)
	}
	n.rpcURL = rpcURL(conf.RPC.ListenAddress)

	// Process and engine metrics: the default registry holds CometBFT's
	// (when this node has them) and the Go runtime's; otherwise a private
	// registry supplies the runtime's.
	var extra prometheus.Gatherer = prometheus.DefaultGatherer
	if !n.lease.granted {
		r := prometheus.NewRegistry()
		r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		extra = r
	}

	if opts.Baseline {
		log.Info("node: started the baseline app (no API)", "home", home, "rpc", n.rpcURL)
		return n, nil
	}
	listen := settings.API.Listen
	if opts.APIListen != "" {
		listen = opts.APIListen
	}
	blobs, err := blob.OpenDir(homePath(home, settings.Blob.Dir))
	if err != nil {
		return nil, fmt.Errorf("node: blob store: %w", err)
	}
	n.audit, err = openAudit(home, settings, string(nodeKey.ID()), genesis.ChainID, log)
	if err != nil {
		return nil, err
	}
	web, err := console.New()
	if err != nil {
		return nil, fmt.Errorf("node: console: %w", err)
	}
	n.api, err = api.New(api.Config{
		Web:          web,
		Blobs:        blobs,
		MaxBlobBytes: settings.Blob.MaxBytes,
		Audit:        n.audit,
		Listen:       listen,
		PublicAddrs:  settings.API.Public,
		RPC:          local.New(n.cmt),
		App:          n.app,
		Genesis:      genesis,
		Logger:       log.With("component", "api"),
		Registry:     reg,
		TokenTTL:     ttl,
		Gatherers:    []prometheus.Gatherer{extra},
	})
	if err != nil {
		return nil, fmt.Errorf("node: api: %w", err)
	}
	if err := n.api.Start(); err != nil {
		return nil, fmt.Errorf("node: start api: %w", err)
	}

	if settings.Metrics.Listen != "" && !opts.NoMetricsServer {
		if err := n.serveMetrics(settings.Metrics.Listen, prometheus.Gatherers{reg, extra}); err != nil {
			return nil, err
		}
	}
	log.Info("node: started", "home", home, "chain_id", genesis.ChainID, "node_id", nodeKey.ID(),
		"api", n.APIURL(), "rpc", n.rpcURL, "engine_metrics", n.lease.granted)
	return n, nil
}

// openAudit opens the node's audit log ([audit] log), creating it with a
// genesis entry naming the node and the chain. A torn last line (a crash
// while writing) stops the start: otc audit repair cuts it.
func openAudit(home string, settings *Settings, nodeID, chainID string, log *slog.Logger) (*audit.Log, error) {
	every, err := settings.AuditSync()
	if err != nil {
		return nil, err
	}
	path := homePath(home, settings.Audit.Log)
	l, err := audit.Open(path, audit.Options{Node: nodeID, ChainID: chainID, SyncInterval: every})
	if err != nil {
		return nil, fmt.Errorf("node: audit log: %w", err)
	}
	legacy := homePath(home, LegacyAccessLog)
	if settings.Blob.AuditLog != "" {
		legacy = homePath(home, settings.Blob.AuditLog)
	}
	if _, err := os.Stat(legacy); err == nil && legacy != path {
		log.Warn("node: the former access audit log is no longer written; accesses are recorded in the hash-chained audit log", "former", legacy, "audit_log", path)
	}
	h := l.Head()
	log.Info("node: audit log", "path", path, "seq", h.Seq, "head", h.Hash, "sync_interval", every)
	return l, nil
}

func (n *Node) serveMetrics(addr string, g prometheus.Gatherer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("node: metrics listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	n.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := n.metrics.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("node: metrics server", "err", err)
		}
	}()
	return nil
}

// loadPrivValidator checks the validator key and state files before handing
// them to CometBFT, whose loader exits the process on a bad file. A missing
// state file is created empty (a fresh validator that never signed).
func loadPrivValidator(keyFile, stateFile string) (*privval.FilePV, error) {
	b, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("node: validator key: %w", err)
	}
	var key privval.FilePVKey
	if err := cmtjson.Unmarshal(b, &key); err != nil {
		return nil, fmt.Errorf("node: validator key %s: %w", keyFile, err)
	}
	if key.PrivKey == nil {
		return nil, fmt.Errorf("node: validator key %s: no private key", keyFile)
	}
	b, err = os.ReadFile(stateFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := writeJSONFile(stateFile, &privval.FilePVLastSignState{}, 0o600); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("node: validator state: %w", err)
	default:
		var st privval.FilePVLastSignState
		if err := cmtjson.Unmarshal(b, &st); err != nil {
			return nil, fmt.Errorf("node: validator state %s: %w", stateFile, err)
		}
	}
	return privval.LoadFilePV(keyFile, stateFile), nil
}

// writeJSONFile writes v with CometBFT's JSON encoding.
func writeJSONFile(path string, v any, perm os.FileMode) error {
	b, err := cmtjson.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("node: encode %s: %w", filepath.Base(path), err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if err := os.WriteFile(path, b, perm); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	return nil
}

// rpcURL turns "tcp://127.0.0.1:26601" into "http://127.0.0.1:26601".
func rpcURL(laddr string) string {
	hostport := laddr
	if i := strings.Index(laddr, "://"); i >= 0 {
		hostport = laddr[i+3:]
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Home returns the node's home directory.
func (n *Node) Home() string { return n.home }

// ChainID returns the chain id.
func (n *Node) ChainID() string { return n.genesis.ChainID }

// Genesis returns the genesis document the node runs.
func (n *Node) Genesis() *cmttypes.GenesisDoc { return n.genesis }

// App returns the application (read side: queries, last committed height).
func (n *Node) App() *app.App { return n.app }

// Engine returns the embedded CometBFT node.
func (n *Node) Engine() *cmtnode.Node { return n.cmt }

// Height returns the height of the last block CometBFT stored.
func (n *Node) Height() int64 { return n.cmt.BlockStore().Height() }

// APIURL returns the base URL of the API ("http://host:port").
func (n *Node) APIURL() string {
	if n.api == nil {
		return ""
	}
	return "http://" + n.api.Addr()
}

// homePath resolves a settings path: absolute, or relative to the home.
func homePath(home, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(home, filepath.FromSlash(p))
}

// RPCURL returns the base URL of CometBFT's RPC.
func (n *Node) RPCURL() string { return n.rpcURL }

// Stop stops the API, the metrics endpoint and CometBFT (waiting for it to
// finish), then closes the app, the engine's databases and the app state.
// It is safe to call more than once; later calls return the first result.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() { n.stopErr = n.stop() })
	return n.stopErr
}

func (n *Node) stop() error {
	n.stopping.Store(true)
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if n.api != nil {
		if err := n.api.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("node: stop api: %w", err))
		}
	}
	if n.audit != nil {
		if err := n.audit.Close(); err != nil {
			errs = append(errs, fmt.Errorf("node: close the audit log: %w", err))
		}
	}
	if n.metrics != nil {
		if err := n.metrics.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("node: stop metrics: %w", err))
		}
	}
	if n.cmt != nil {
		if n.cmt.IsRunning() {
			if err := n.cmt.Stop(); err != nil {
				errs = append(errs, fmt.Errorf("node: stop cometbft: %w", err))
			}
			n.cmt.Wait()
		} else {
			// Created but never started: release what NewNode opened.
			n.cmt.OnStop()
		}
	}
	n.lease.release()
	if n.app != nil {
		if err := n.app.Close(); err != nil {
			errs = append(errs, fmt.Errorf("node: close app: %w", err))
		}
	}
	if n.base != nil {
		if err := n.base.Close(); err != nil {
			errs = append(errs, fmt.Errorf("node: close baseline app: %w", err))
		}
	}
	if err := n.dbs.closeAll(); err != nil {
		errs = append(errs, err)
	}
	if n.db != nil {
		if err := n.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("node: close app state: %w", err))
		}
	}
	if len(errs) == 0 {
		n.log.Info("node: stopped", "home", n.home)
	}
	return errors.Join(errs...)
}

// applyEmptyBlocks sets CometBFT's create_empty_blocks and its interval from
// otc.toml [consensus] (see ConsensusSettings) and refuses a timeout_commit
// that would break LagBound.
func applyEmptyBlocks(settings *Settings, conf *cmtcfg.Config, log *slog.Logger) error {
	interval, err := settings.EmptyBlocks()
	if err != nil {
		return err
	}
	if err := CheckBlockGap(conf.Consensus.TimeoutCommit, interval); err != nil {
		return err
	}
	if !conf.Consensus.CreateEmptyBlocks || conf.Consensus.CreateEmptyBlocksInterval != interval {
		log.Info("node: empty blocks from otc.toml override config.toml",
			"create_empty_blocks", true, "create_empty_blocks_interval", interval.String(),
			"config_toml_create_empty_blocks", conf.Consensus.CreateEmptyBlocks,
			"config_toml_interval", conf.Consensus.CreateEmptyBlocksInterval.String())
	}
	conf.Consensus.CreateEmptyBlocks = true
	conf.Consensus.CreateEmptyBlocksInterval = interval
	return nil
}
