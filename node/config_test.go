package node_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/otcchain/otcchain/node"
)

func TestSettingsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "otc.toml")
	s := node.DefaultSettings()
	s.API.Listen = "0.0.0.0:9999"
	s.Log.Format = "json"
	if err := node.WriteSettings(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := node.LoadSettings(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, s) {
		t.Errorf("got %+v, want %+v", *got, s)
	}
	if ttl, err := got.TokenTTL(); err != nil || ttl != node.DefaultTokenTTL {
		t.Errorf("token ttl %s %v", ttl, err)
	}
}

func TestSettingsErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"unknown key", "[api]\nlisten = \"127.0.0.1:1\"\nlisen = \"x\"\n", "unknown keys api.lisen"},
		{"unknown section", "[apii]\nlisten = \"x\"\n", "unknown keys"},
		{"bad listen", "[api]\nlisten = \"nohost\"\n", "api.listen"},
		{"empty listen", "[api]\nlisten = \"\"\n", "api.listen"},
		{"bad ttl", "[api]\ntoken_ttl = \"soon\"\n", "token_ttl"},
		{"negative ttl", "[api]\ntoken_ttl = \"-1m\"\n", "token_ttl"},
		{"bad metrics", "[metrics]\nlisten = \"x\"\n", "metrics.listen"},
		{"bad level", "[log]\nlevel = \"loud\"\n", "log.level"},
		{"bad engine level", "[log]\nengine_level = \"loud\"\n", "engine_level"},
		{"bad format", "[log]\nformat = \"xml\"\n", "log.format"},
		{"not toml", "[api\n", "read settings"},
		{"empty block interval too long", "[consensus]\nempty_block_interval = \"2s\"\n", "late trading"},
		{"negative empty block interval", "[consensus]\nempty_block_interval = \"-1s\"\n", "consensus.empty_block_interval"},
		{"bad empty block interval", "[consensus]\nempty_block_interval = \"never\"\n", "consensus.empty_block_interval"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "otc.toml")
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := node.LoadSettings(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	// Absent keys keep their defaults; metrics may be switched off.
	path := filepath.Join(t.TempDir(), "otc.toml")
	if err := os.WriteFile(path, []byte("[metrics]\nlisten = \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := node.LoadSettings(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Metrics.Listen != "" || s.API.Listen != node.DefaultSettings().API.Listen {
		t.Errorf("%+v", s)
	}
}

func TestEmptyBlockBound(t *testing.T) {
	s := node.DefaultSettings()
	if d, err := s.EmptyBlocks(); err != nil || d != time.Second {
		t.Fatalf("default empty block interval %s %v, want 1s", d, err)
	}
	if err := node.CheckBlockGap(node.TimeoutCommit, node.DefaultEmptyBlockInterval); err != nil {
		t.Fatalf("the generated defaults break the bound: %v", err)
	}
	tests := []struct {
		commit, interval time.Duration
		ok               bool
	}{
		{300 * time.Millisecond, 1500 * time.Millisecond, true},
		{300 * time.Millisecond, 0, true},
		{time.Second, 800 * time.Millisecond, true},
		{time.Second, time.Second, false},
		{2 * time.Second, 0, false},
	}
	for _, tc := range tests {
		err := node.CheckBlockGap(tc.commit, tc.interval)
		if (err == nil) != tc.ok || err != nil && !strings.Contains(err.Error(), "timeout_commit") {
			t.Errorf("timeout_commit %s + interval %s: %v, want ok=%v", tc.commit, tc.interval, err, tc.ok)
		}
	}
}

func TestLoadCometConfig(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	c := cmtcfg.DefaultConfig()
	c.Consensus.TimeoutCommit = 1234 * time.Millisecond
	c.Mempool.Size = 777
	c.P2P.PersistentPeers = "a@b:1,c@d:2"
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), c)
	path := filepath.Join(home, "config", "config.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, "\n[extra]\nfoo = 1\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	got, unknown, err := node.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if got.Consensus.TimeoutCommit != 1234*time.Millisecond || got.Mempool.Size != 777 || got.P2P.PersistentPeers != "a@b:1,c@d:2" {
		t.Errorf("decoded %v %v %q", got.Consensus.TimeoutCommit, got.Mempool.Size, got.P2P.PersistentPeers)
	}
	if got.RootDir != home || got.GenesisFile() != filepath.Join(home, "config", "genesis.json") {
		t.Errorf("root %s genesis %s", got.RootDir, got.GenesisFile())
	}
	if !reflect.DeepEqual(unknown, []string{"extra"}) {
		t.Errorf("unknown keys %v", unknown)
	}

	// Invalid values are refused with the section named.
	bad := strings.Replace(string(b), "size = 777", "size = -5", 1)
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := node.LoadCometConfig(home); err == nil || !strings.Contains(err.Error(), "mempool") {
		t.Errorf("negative mempool size: %v", err)
	}
	if _, _, err := node.LoadCometConfig(t.TempDir()); err == nil {
		t.Error("missing config.toml accepted")
	}
}

func FuzzParseSettings(f *testing.F) {
	def, err := node.DefaultSettings().Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	f.Add([]byte("[api]\nlisten = \"127.0.0.1:1\"\ntoken_ttl = \"1h\"\n[log]\nlevel = \"debug\"\n"))
	f.Add([]byte("[metrics]\nlisten = \"\"\n"))
	f.Add([]byte("[api\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := node.ParseSettings(b)
		if err != nil {
			return
		}
		// Whatever parses re-encodes to the same settings.
		enc, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		again, err := node.ParseSettings(enc)
		if err != nil {
			t.Fatalf("re-encoded settings do not parse: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("round trip changed settings: %+v -> %+v", s, again)
		}
	})
}

// TestAuditSettings: [audit] defaults and checks; the former [blob]
// audit_log key is still accepted (ignored).
func TestAuditSettings(t *testing.T) {
	s, err := node.ParseSettings([]byte("[blob]\naudit_log = \"data/access-audit.log\"\n"))
	if err != nil {
		t.Fatalf("a home with the former key: %v", err)
	}
	if s.Audit.Log != node.DefaultAuditLog || s.Audit.SyncInterval != "100ms" {
		t.Fatalf("defaults: %+v", s.Audit)
	}
	if d, err := s.AuditSync(); err != nil || d != node.DefaultAuditSyncInterval {
		t.Fatalf("sync %v %v", d, err)
	}
	for _, bad := range []string{"[audit]\nsync_interval = \"-1s\"\n", "[audit]\nsync_interval = \"soon\"\n", "[audit]\nlog = \"\"\n"} {
		if _, err := node.ParseSettings([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	b, err := node.DefaultSettings().Encode()
	if err != nil || strings.Contains(string(b), "audit_log") || !strings.Contains(string(b), "[audit]") {
		t.Fatalf("new otc.toml:\n%s", b)
	}
}
