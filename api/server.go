package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/blob"
	"github.com/otcchain/otcchain/module"
)

// AppReader is what the API needs of the application. *app.App implements
// it. Every method must be safe for concurrent use and read committed state
// only.
type AppReader interface {
	ChainID() string
	// Read answers a module query "<module>/<path>" for caller (nil:
	// anonymous). Refusals are *module.Error values; any other error is a
	// failure of the node (500).
	Read(path string, params map[string]string, caller *module.Identity) (any, error)
	// Identity returns a registered identity that may act now, or a
	// *module.Error (for example member's "not_registered",
	// "identity_revoked").
	Identity(id string) (*module.Identity, error)
	// TxLocation says where a committed tx is (ok false: not committed, or
	// forgotten by the app).
	TxLocation(hash []byte) (height int64, index uint32, ok bool, err error)
	// ValidatorChangeHeights lists the heights at which the validator set
	// changed (receipts need them; empty while it never changed).
	ValidatorChangeHeights() []int64
}

// Config configures a Server. RPC, App and TokenTTL are required; Listen is
// required by Start. Zero values of the optional fields mean the documented
// defaults.
type Config struct {
	Listen string // host:port, e.g. 127.0.0.1:26680 (port 0: any)
	// PublicAddrs are the host:port names clients reach this API by (behind
	// a proxy, on another interface); logins signed for them are accepted
	// besides the listening address (client.AuthMessage's audience).
	PublicAddrs []string
	RPC         rpcclient.Client     // the node (in process: rpc/client/local.New(node))
	App         AppReader            // the application's read side
	Genesis     *cmttypes.GenesisDoc // trust root for receipts, served at /v1/genesis (nil: 404)
	Logger      *slog.Logger         // nil: discard
	Registry    *prometheus.Registry // app metrics, served on /metrics with the API's own (nil: a fresh one)
	TokenTTL    time.Duration        // lifetime of auth tokens (the caller picks, e.g. 15m)

	// Gatherers are further metric sources served on /metrics, for example
	// prometheus.DefaultGatherer where CometBFT registers its metrics. They
	// must not repeat metric names of Registry.
	Gatherers []prometheus.Gatherer
	// Heartbeat is the interval of comment lines on idle event streams
	// (default 15s).
	Heartbeat time.Duration
	// TxWait is how long POST /v1/txs waits for a commit when the request
	// sets no timeout_ms (default 10s); MaxTxWait caps timeout_ms (default 60s).
	TxWait, MaxTxWait time.Duration
	// MaxStreams bounds concurrent event streams (default 256).
	MaxStreams int
	// MaxSessions bounds outstanding login challenges and live tokens, each
	// (default 100000).
	MaxSessions int
	// Now is the clock for challenges and tokens (default time.Now). Tests
	// move it.
	Now func() time.Time

	// Blobs is the node's blob store behind /v1/blobs (nil: the routes
	// answer 404 no_blob_store). MaxBlobBytes bounds one blob (default
	// blob.DefaultMaxBytes, 1 GiB).
	Blobs        blob.Store
	MaxBlobBytes int64
	// Audit is the node's audit log (package audit): rejected txs
	// submitted here, reads of personal data and documents, blob
	// transfers, refused reads; served to regulators at GET /v1/audit.
	// Nil: only the logger and the metrics see them, and /v1/audit answers
	// 404 no_audit_log.
	Audit *audit.Log
	// Web serves the browser console (package console) at /console/ and
	// the public proof page at /verify/, and GET / redirects to the console.
	// Nil: none is served.
	Web http.Handler
}

// Server is the API server of one node.
type Server struct {
	cfg         Config
	log         *slog.Logger
	chainID     string
	mux         *http.ServeMux
	handler     http.Handler
	metrics     *metrics
	promHandler http.Handler
	auth        *authStore
	feed        *feed
	cache       *blockCache
	streams     chan struct{} // semaphore of event streams
	maxBlob     int64

	ctx    context.Context // ends on Close: streams and waiters stop
	cancel context.CancelFunc

	mu  sync.Mutex
	srv *http.Server
	ln  net.Listener
	wg  sync.WaitGroup
}

// New validates cfg and builds a server. Nothing runs until Start (or until
// Handler serves a request).
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.RPC == nil:
		return nil, errors.New("api: config needs an RPC client")
	case cfg.App == nil:
		return nil, errors.New("api: config needs an AppReader")
	case cfg.TokenTTL <= 0:
		return nil, errors.New("api: config needs a positive TokenTTL")
	case cfg.Heartbeat < 0, cfg.TxWait < 0, cfg.MaxTxWait < 0, cfg.MaxStreams < 0, cfg.MaxSessions < 0, cfg.MaxBlobBytes < 0:
		return nil, errors.New("api: negative limit in config")
	}
	chainID := cfg.App.ChainID()
	if chainID == "" {
		return nil, errors.New("api: the app has no chain id")
	}
	if cfg.Genesis != nil && cfg.Genesis.ChainID != chainID {
		return nil, fmt.Errorf("api: genesis chain id %q differs from the app's %q", cfg.Genesis.ChainID, chainID)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.TxWait == 0 {
		cfg.TxWait = 10 * time.Second
	}
	if cfg.MaxTxWait == 0 {
		cfg.MaxTxWait = 60 * time.Second
	}
	if cfg.MaxStreams == 0 {
		cfg.MaxStreams = 256
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = 100000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBlobBytes == 0 {
		cfg.MaxBlobBytes = blob.DefaultMaxBytes
	}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:         cfg,
		log:         cfg.Logger,
		chainID:     chainID,
		metrics:     m,
		promHandler: newPromHandler(append(prometheus.Gatherers{reg}, cfg.Gatherers...), cfg.Logger),
		auth:        newAuthStore(cfg.MaxSessions, cfg.Now),
		cache:       newBlockCache(cfg.RPC, blockCacheSize),
		streams:     make(chan struct{}, cfg.MaxStreams),
		maxBlob:     cfg.MaxBlobBytes,
		ctx:         ctx,
		cancel:      cancel,
	}
	s.feed = newFeed(cfg.RPC, s.cache, cfg.Logger, m)
	s.mux = http.NewServeMux()
	for _, rt := range routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	if cfg.Web != nil {
		s.mux.Handle("GET /console/", routed(cfg.Web))
		s.mux.Handle("GET /console", routed(cfg.Web))
		s.mux.Handle("GET /verify/", routed(cfg.Web))
		s.mux.Handle("GET /verify", routed(cfg.Web))
		s.mux.Handle("GET /{$}", routed(http.RedirectHandler("/console/", http.StatusFound)))
	}
	s.handler = http.HandlerFunc(s.serve)
	return s, nil
}

// Handler returns the API as an http.Handler (for tests or to mount it in
// another server). The event feed behind tx confirmation and event streams
// starts on first use and stops on Close.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on cfg.Listen and serves in the background.
func (s *Server) Start() error {
	if s.cfg.Listen == "" {
		return errors.New("api: config needs a listen address")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("api: already started")
	}
	if s.ctx.Err() != nil {
		return errors.New("api: server closed")
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("api: listen: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.feed.ensure(s.ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("api: serve", "err", err)
		}
	}()
	s.log.Info("api: listening", "addr", ln.Addr().String())
	return nil
}

// Addr returns the address the server listens on ("" before Start).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops streams and waiting requests, shuts the listener down
// gracefully within ctx, and stops the event feed.
func (s *Server) Close(ctx context.Context) error {
	s.cancel()
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	var err error
	if srv != nil {
		if err = srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
			err = fmt.Errorf("api: shutdown: %w", err)
		}
	}
	if ferr := s.feed.stop(ctx); ferr != nil && err == nil {
		err = fmt.Errorf("api: close: %w", ferr)
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); s.cache.fetches.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		if err == nil {
			err = fmt.Errorf("api: close: %w", ctx.Err())
		}
	}
	return err
}

// requestContext ends when the request's client goes away or the server
// closes, whichever comes first.
func (s *Server) requestContext(r *http.Request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(s.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// routed marks a response as the handler's own (not the router's), for a
// handler outside the API's routes (the console's pages).
func routed(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rw, ok := w.(*respWriter); ok {
			rw.routed = true
		}
		h.ServeHTTP(w, r)
	})
}
