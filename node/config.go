package node

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/mitchellh/mapstructure"
)

// File and directory names inside a node home (see doc.go).
const (
	ConfigDir              = "config"
	DataDir                = "data"
	AppDataDir             = "data/app"
	CometConfigFile        = "config/config.toml"
	GenesisFile            = "config/genesis.json"
	NodeKeyFile            = "config/node_key.json"
	PrivValidatorKeyFile   = "config/priv_validator_key.json"
	PrivValidatorStateFile = "data/priv_validator_state.json"
	SettingsFile           = "config/otc.toml"
)

// Home is a node home directory.
type Home string

// Path joins a slash-separated name (one of the constants above) to the home.
func (h Home) Path(name string) string { return filepath.Join(string(h), filepath.FromSlash(name)) }

// Settings are otcchain's own node settings, kept in HOME/config/otc.toml
// beside CometBFT's config.toml.
type Settings struct {
	API     APISettings     `toml:"api"`
	Metrics MetricsSettings `toml:"metrics"`
	Log     LogSettings     `toml:"log"`
	Blob    BlobSettings    `toml:"blob"`
	Audit   AuditSettings   `toml:"audit"`
	// Consensus holds the engine settings that otcchain owns rather than
	// config.toml, because the business rules depend on them.
	Consensus ConsensusSettings `toml:"consensus"`
}

// ConsensusSettings bound how far a block's header time (CometBFT's BFT
// time: the median of the previous commit's vote times) can lag behind the
// moment a tx reached the network. On an idle chain without empty blocks the
// first block after a quiet spell is stamped from before the spell, and an
// order sent after a cut-off would be dated before it (late trading).
type ConsensusSettings struct {
	// EmptyBlockInterval is the longest an idle chain waits for a tx before
	// it makes an empty block, as a Go duration (CometBFT's
	// create_empty_blocks = true with create_empty_blocks_interval set to
	// it; config.toml's two keys are overridden). "0s" makes a block every
	// timeout_commit. At most MaxEmptyBlockInterval, and timeout_commit +
	// this interval at most MaxBlockGap, so that a tx is dated at most
	// LagBound behind the moment it reached the network.
	EmptyBlockInterval string `toml:"empty_block_interval"`
}

// Bounds of [consensus].
const (
	// LagBound is the promise: the header time of the block holding a tx
	// is at most this much before the tx reached the network.
	LagBound = 2 * time.Second
	// DefaultEmptyBlockInterval gives, with TimeoutCommit (300ms), about one
	// block every 1.3 s on an idle chain (~66,000 empty blocks a day).
	DefaultEmptyBlockInterval = time.Second
	// MaxEmptyBlockInterval is the largest accepted interval.
	MaxEmptyBlockInterval = 1500 * time.Millisecond
	// MaxBlockGap bounds timeout_commit + empty_block_interval: the rest of
	// LagBound (200 ms) is left for the consensus round and gossip.
	MaxBlockGap = 1800 * time.Millisecond
)

// EmptyBlocks returns consensus.empty_block_interval as a duration.
func (s *Settings) EmptyBlocks() (time.Duration, error) {
	d, err := time.ParseDuration(s.Consensus.EmptyBlockInterval)
	if err != nil || d < 0 || d > MaxEmptyBlockInterval {
		return 0, fmt.Errorf("node: otc.toml: consensus.empty_block_interval %q: want a duration from \"0s\" to %q (a longer wait lets a block's time lag more than %s behind its txs: late trading)",
			s.Consensus.EmptyBlockInterval, MaxEmptyBlockInterval.String(), LagBound)
	}
	return d, nil
}

// CheckBlockGap refuses an engine timeout_commit that, with the empty block
// interval, breaks LagBound.
func CheckBlockGap(timeoutCommit, interval time.Duration) error {
	if timeoutCommit+interval > MaxBlockGap {
		return fmt.Errorf("node: config.toml consensus.timeout_commit %s + otc.toml consensus.empty_block_interval %s exceed %s: block times could lag more than %s behind their txs (late trading); lower one of them",
			timeoutCommit, interval, MaxBlockGap, LagBound)
	}
	return nil
}

// AuditSettings configure the node's audit log (package audit): rejected
// txs, reads of personal data and documents, blob transfers and refused
// reads through the API, hash-chained.
type AuditSettings struct {
	// Log is the append-only audit log (JSON lines), relative to the home
	// unless absolute.
	Log string `toml:"log"`
	// SyncInterval is how often written entries are fsynced, as a Go
	// duration: "0s" fsyncs every entry before the read it records is
	// answered; the default "100ms" batches them (a crash of the process
	// loses nothing, a power loss at most the last interval).
	SyncInterval string `toml:"sync_interval"`
}

// Defaults of [audit].
const (
	DefaultAuditLog          = "data/audit.log"
	DefaultAuditSyncInterval = 100 * time.Millisecond
)

// AuditSync returns audit.sync_interval as a duration.
func (s *Settings) AuditSync() (time.Duration, error) {
	d, err := time.ParseDuration(s.Audit.SyncInterval)
	if err != nil || d < 0 || d > time.Minute {
		return 0, fmt.Errorf("node: otc.toml: audit.sync_interval %q: want a duration from \"0s\" (fsync every entry) to \"1m\"", s.Audit.SyncInterval)
	}
	return d, nil
}

// BlobSettings configure the node's blob store (encrypted exchange files
// larger than exchange.MaxInlineBytes).
type BlobSettings struct {
	// Dir is the blob store directory, relative to the home unless
	// absolute.
	Dir string `toml:"dir"`
	// MaxBytes bounds one blob the node stores (uploads above it get 413).
	MaxBytes int64 `toml:"max_bytes"`
	// AuditLog is the former access audit log (plain JSON lines, before
	// the hash-chained [audit] log). It is still accepted in otc.toml and
	// ignored: a file left there is no longer written.
	AuditLog string `toml:"audit_log,omitempty"`
}

// Defaults of [blob].
const (
	DefaultBlobDir      = "data/blobs"
	DefaultBlobMaxBytes = 1 << 30
	// LegacyAccessLog is where nodes kept the access audit log before the
	// [audit] log.
	LegacyAccessLog = "data/access-audit.log"
)

// APISettings configure the HTTP/JSON API server.
type APISettings struct {
	// Listen is the host:port the API listens on.
	Listen string `toml:"listen"`
	// TokenTTL is the lifetime of API auth tokens, as a Go duration ("15m").
	TokenTTL string `toml:"token_ttl"`
	// Public lists the host:port names clients use to reach this API when
	// they differ from listen (a proxy, a DNS name): logins are bound to the
	// address the client signs for.
	Public []string `toml:"public,omitempty"`
}

// MetricsSettings configure the Prometheus endpoint.
type MetricsSettings struct {
	// Listen is the host:port serving /metrics (the app's metrics and, when
	// config.toml enables instrumentation.prometheus, CometBFT's). Empty: off.
	Listen string `toml:"listen"`
}

// LogSettings configure logging (to standard error).
type LogSettings struct {
	// Level of otcchain's own logs: debug, info, warn or error.
	Level string `toml:"level"`
	// EngineLevel of CometBFT's logs: debug, info, error or none. CometBFT
	// logs several lines per block at info.
	EngineLevel string `toml:"engine_level"`
	// Format: text or json.
	Format string `toml:"format"`
}

// DefaultTokenTTL is the API token lifetime written into new settings.
const DefaultTokenTTL = 15 * time.Minute

// DefaultSettings returns the settings a new node gets.
func DefaultSettings() Settings {
	return Settings{
		API:       APISettings{Listen: "127.0.0.1:26602", TokenTTL: DefaultTokenTTL.String()},
		Metrics:   MetricsSettings{Listen: "127.0.0.1:26603"},
		Log:       LogSettings{Level: "info", EngineLevel: "info", Format: "text"},
		Blob:      BlobSettings{Dir: DefaultBlobDir, MaxBytes: DefaultBlobMaxBytes},
		Audit:     AuditSettings{Log: DefaultAuditLog, SyncInterval: DefaultAuditSyncInterval.String()},
		Consensus: ConsensusSettings{EmptyBlockInterval: DefaultEmptyBlockInterval.String()},
	}
}

// Validate checks the settings.
func (s *Settings) Validate() error {
	if s.API.Listen == "" {
		return errors.New("node: otc.toml: api.listen is empty")
	}
	if _, _, err := net.SplitHostPort(s.API.Listen); err != nil {
		return fmt.Errorf("node: otc.toml: api.listen %q: %w", s.API.Listen, err)
	}
	if _, err := s.TokenTTL(); err != nil {
		return err
	}
	if s.Metrics.Listen != "" {
		if _, _, err := net.SplitHostPort(s.Metrics.Listen); err != nil {
			return fmt.Errorf("node: otc.toml: metrics.listen %q: %w", s.Metrics.Listen, err)
		}
	}
	if _, err := ParseLevel(s.Log.Level); err != nil {
		return fmt.Errorf("node: otc.toml: log.level: %w", err)
	}
	if _, err := parseEngineLevel(s.Log.EngineLevel); err != nil {
		return fmt.Errorf("node: otc.toml: log.engine_level: %w", err)
	}
	if s.Log.Format != "text" && s.Log.Format != "json" {
		return fmt.Errorf("node: otc.toml: log.format %q: want text or json", s.Log.Format)
	}
	if s.Blob.Dir == "" {
		return errors.New("node: otc.toml: blob.dir must not be empty")
	}
	if s.Audit.Log == "" {
		return errors.New("node: otc.toml: audit.log must not be empty")
	}
	if _, err := s.AuditSync(); err != nil {
		return err
	}
	if _, err := s.EmptyBlocks(); err != nil {
		return err
	}
	if s.Blob.MaxBytes < 1 || s.Blob.MaxBytes > 4<<30 {
		return fmt.Errorf("node: otc.toml: blob.max_bytes %d: want 1 to %d (exchange.MaxBlobBytes)", s.Blob.MaxBytes, int64(4<<30))
	}
	return nil
}

// TokenTTL returns api.token_ttl as a duration.
func (s *Settings) TokenTTL() (time.Duration, error) {
	d, err := time.ParseDuration(s.API.TokenTTL)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("node: otc.toml: api.token_ttl %q: want a positive duration such as \"15m\"", s.API.TokenTTL)
	}
	return d, nil
}

const settingsHeader = `# otcchain node settings. CometBFT's own settings are in config.toml beside
# this file; genesis.json defines the consortium.

`

const settingsComments = `
# [api] listen: host:port of the HTTP/JSON API (/v1). token_ttl: lifetime of
#   auth tokens. Put a TLS-terminating proxy in front of a non-loopback address.
# [metrics] listen: host:port serving Prometheus /metrics (the app's metrics,
#   plus CometBFT's when config.toml has instrumentation.prometheus = true);
#   empty disables it.
# [log] level: debug|info|warn|error for otcchain; engine_level:
#   debug|info|error|none for CometBFT; format: text|json. Logs go to stderr.
# [blob] dir: the content-addressed store of encrypted exchange files (relative
#   to the home); max_bytes: the largest blob this node stores (default 1 GiB).
# [audit] log: the node's append-only, hash-chained audit log (JSON lines):
#   txs the node refused, reads of personal data and documents, blob
#   transfers, refused reads; regulators export it (otc audit export) and
#   check it (otc audit verify). sync_interval: how often entries are fsynced
#   ("0s": every entry; default "100ms").
# [consensus] empty_block_interval: the longest an idle chain waits for a tx
#   before it makes an empty block (default "1s", at most "1.5s"; overrides
#   config.toml's create_empty_blocks and create_empty_blocks_interval). A
#   block's time is the median of the previous commit's votes, so without
#   empty blocks an order sent after a quiet spell would be dated before it:
#   with this interval a tx is dated at most 2s before it reached the network.
#   timeout_commit + this interval must not exceed 1.8s.
`

// Encode returns s as otc.toml content.
func (s Settings) Encode() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(settingsHeader)
	if err := toml.NewEncoder(&buf).Encode(s); err != nil {
		return nil, fmt.Errorf("node: encode settings: %w", err)
	}
	buf.WriteString(settingsComments)
	return buf.Bytes(), nil
}

// WriteSettings writes s to path (otc.toml).
func WriteSettings(path string, s Settings) error {
	b, err := s.Encode()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("node: write settings: %w", err)
	}
	return nil
}

// LoadSettings reads otc.toml (see ParseSettings).
func LoadSettings(path string) (*Settings, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("node: read settings: %w", err)
	}
	s, err := ParseSettings(b)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return s, nil
}

// ParseSettings decodes and validates otc.toml content. Absent keys keep
// their defaults; unknown keys are an error (a typo would otherwise be
// silently ignored).
func ParseSettings(b []byte) (*Settings, error) {
	s := DefaultSettings()
	md, err := toml.Decode(string(b), &s)
	if err != nil {
		return nil, fmt.Errorf("node: read settings: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("node: settings: unknown keys %s", strings.Join(keys, ", "))
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// LoadCometConfig reads HOME/config/config.toml the way CometBFT's own
// command line does (defaults, then the file on top, with the same key names
// and duration syntax), sets the root to home and validates it. It also
// returns the keys of the file that CometBFT does not know, so that the
// caller can warn about them.
func LoadCometConfig(home string) (*cmtcfg.Config, []string, error) {
	path := Home(home).Path(CometConfigFile)
	raw := map[string]any{}
	if _, err := toml.DecodeFile(path, &raw); err != nil {
		return nil, nil, fmt.Errorf("node: read cometbft config: %w", err)
	}
	conf := cmtcfg.DefaultConfig()
	var md mapstructure.Metadata
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		),
		WeaklyTypedInput: true,
		Metadata:         &md,
		Result:           conf,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("node: cometbft config decoder: %w", err)
	}
	if err := dec.Decode(raw); err != nil {
		return nil, nil, fmt.Errorf("node: %s: %w", path, err)
	}
	conf.SetRoot(home)
	if err := conf.ValidateBasic(); err != nil {
		return nil, nil, fmt.Errorf("node: %s: %w", path, err)
	}
	unused := append([]string(nil), md.Unused...)
	sort.Strings(unused)
	return conf, unused, nil
}

// ParseLevel parses an otcchain log level: debug, info, warn or error.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("node: unknown log level %q (want debug, info, warn or error)", s)
}

// levelNone is above every level: the engine logs nothing.
const levelNone = slog.Level(1 << 20)

func parseEngineLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "none", "off":
		return levelNone, nil
	case "warn", "warning":
		// CometBFT has no warn level: only its errors pass.
		return slog.LevelError, nil
	}
	l, err := ParseLevel(s)
	if err != nil {
		return 0, fmt.Errorf("node: unknown engine log level %q (want debug, info, error or none)", s)
	}
	return l, nil
}
