package node

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"

	cmtlog "github.com/cometbft/cometbft/libs/log"
)

// NewLoggers builds, from the [log] settings, otcchain's logger and the
// logger the engine adapter writes to (same output and format, each with
// its own level).
func (s *Settings) NewLoggers(w io.Writer) (own, engine *slog.Logger, err error) {
	lvl, err := ParseLevel(s.Log.Level)
	if err != nil {
		return nil, nil, err
	}
	eng, err := parseEngineLevel(s.Log.EngineLevel)
	if err != nil {
		return nil, nil, err
	}
	opts := &slog.HandlerOptions{Level: min(lvl, eng)}
	var h slog.Handler
	if s.Log.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(levelHandler{min: lvl, Handler: h}), slog.New(h), nil
}

// levelHandler drops records below min before its inner handler sees them.
type levelHandler struct {
	min slog.Level
	slog.Handler
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return levelHandler{min: h.min, Handler: h.Handler.WithAttrs(as)}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{min: h.min, Handler: h.Handler.WithGroup(name)}
}

// engineLogger adapts CometBFT's logger interface to log/slog, dropping
// records below min (cfg.LogLevel of config.toml is not applied to an
// embedded node, so this filter is the only one). It also demotes to info
// the errors CometBFT logs for ordinary peer churn (a member node
// restarting, a peer not up yet) and, once the node is stopping, every
// error: those are teardown noise, not faults.
type engineLogger struct {
	l        *slog.Logger
	min      slog.Level
	stopping *atomic.Bool
}

// peerChurn are CometBFT error messages that describe normal peer churn.
var peerChurn = map[string]bool{
	"Stopping peer for error":   true,
	"error while stopping peer": true,
	"Error dialing peer":        true,
	"Failed to reconnect to peer. Beginning exponential backoff": true,
	"Won't start a peer - switch is not running":                 true,
	"SendTimeout": true,
}

// newEngineLogger returns CometBFT's logger writing to l at level min;
// setting *stopping demotes its errors.
func newEngineLogger(l *slog.Logger, min slog.Level, stopping *atomic.Bool) cmtlog.Logger {
	return engineLogger{l: l.With("engine", "cometbft"), min: min, stopping: stopping}
}

var _ cmtlog.Logger = engineLogger{}

func (e engineLogger) log(lvl slog.Level, msg string, kv []any) {
	if lvl == slog.LevelError && (peerChurn[msg] || e.stopping.Load()) {
		lvl = slog.LevelInfo
	}
	if lvl < e.min {
		return
	}
	ctx := context.Background()
	if !e.l.Enabled(ctx, lvl) {
		return
	}
	e.l.Log(ctx, lvl, msg, kv...)
}

func (e engineLogger) Debug(msg string, kv ...any) { e.log(slog.LevelDebug, msg, kv) }
func (e engineLogger) Info(msg string, kv ...any)  { e.log(slog.LevelInfo, msg, kv) }
func (e engineLogger) Error(msg string, kv ...any) { e.log(slog.LevelError, msg, kv) }

func (e engineLogger) With(kv ...any) cmtlog.Logger {
	return engineLogger{l: e.l.With(kv...), min: e.min, stopping: e.stopping}
}
