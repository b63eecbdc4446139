package node_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/pki"
)

func testnetConfig(dir string) node.TestnetConfig {
	return node.TestnetConfig{
		OutDir: dir, Passphrase: testPassphrase, ScryptN: testScryptN,
		GenesisTime: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
	}
}

func TestTestnetOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	cfg := testnetConfig(dir)
	cfg.BasePort = 27000
	res, err := node.Testnet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cons := res.Consortium
	if len(res.Homes) != node.DefaultValidators || len(cons.Nodes) != node.DefaultValidators {
		t.Fatalf("homes %d nodes %d, want %d", len(res.Homes), len(cons.Nodes), node.DefaultValidators)
	}

	// consortium.json round-trips with absolute paths.
	read, err := node.ReadConsortium(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read, cons) {
		t.Errorf("consortium.json differs from the result:\nfile   %+v\nresult %+v", read, cons)
	}
	raw, err := os.ReadFile(filepath.Join(dir, node.ConsortiumFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), dir) {
		t.Error("consortium.json holds absolute paths")
	}
	if cons.DevPassphrase != "" || strings.Contains(string(raw), testPassphrase) {
		t.Error("consortium.json reveals the passphrase")
	}

	// Organisations and identities.
	wantOrgs := node.DefaultOrgs()
	if len(cons.Orgs) != len(wantOrgs) {
		t.Fatalf("%d orgs, want %d", len(cons.Orgs), len(wantOrgs))
	}
	wantIdentities := 0
	for _, o := range wantOrgs {
		wantIdentities += 3 + o.Investors // admin, operator, seal, investors
		if o.Type == module.OrgRegulator {
			wantIdentities++ // a second officer: interventions take two
		}
	}
	if len(cons.Identities) != wantIdentities || wantIdentities != 25 {
		t.Errorf("%d identities, want %d (25)", len(cons.Identities), wantIdentities)
	}

	// Genesis: identical in every home, parses, carries the consortium.
	var first []byte
	for i, home := range res.Homes {
		path := filepath.Join(home, "config", "genesis.json")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b
		} else if string(b) != string(first) {
			t.Errorf("node%d genesis differs from node0's", i)
		}
	}
	doc, err := cmttypes.GenesisDocFromFile(filepath.Join(res.Homes[0], "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.ChainID != node.DefaultChainID || doc.ConsensusParams.Block.MaxBytes != 4<<20 || len(doc.Validators) != node.DefaultValidators {
		t.Errorf("genesis: chain %q max_bytes %d validators %d", doc.ChainID, doc.ConsensusParams.Block.MaxBytes, len(doc.Validators))
	}
	if !doc.GenesisTime.Equal(cfg.GenesisTime) {
		t.Errorf("genesis time %s, want %s", doc.GenesisTime, cfg.GenesisTime)
	}
	var appState struct {
		Params   map[string]int64 `json:"params"`
		Member   member.Genesis   `json:"member"`
		Contract contract.Genesis `json:"contract"`
	}
	if err := json.Unmarshal(doc.AppState, &appState); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(appState.Params, map[string]int64{"max_tx_ttl_blocks": 1000}) {
		t.Errorf("params %v", appState.Params)
	}
	if len(appState.Member.Orgs) != 6 || len(appState.Member.Identities) != wantIdentities {
		t.Fatalf("app_state: %d orgs, %d identities", len(appState.Member.Orgs), len(appState.Member.Identities))
	}
	cas := map[string]*pki.Certificate{}
	for i, o := range appState.Member.Orgs {
		if o.ID != wantOrgs[i].ID || o.Name != wantOrgs[i].Name || o.Type != string(wantOrgs[i].Type) {
			t.Errorf("org %d: %+v, want %+v", i, o, wantOrgs[i])
		}
		ca, err := pki.Parse([]byte(o.CACert))
		if err != nil {
			t.Fatalf("org %s ca: %v", o.ID, err)
		}
		if !ca.IsCA || ca.Org != o.ID || ca.PublicKey.Algorithm() != wantOrgs[i].Alg {
			t.Errorf("org %s ca: is_ca %t org %s alg %s", o.ID, ca.IsCA, ca.Org, ca.PublicKey.Algorithm())
		}
		cas[o.ID] = ca
		// Validator i belongs to org i.
		if i < len(doc.Validators) {
			want := []string{doc.Validators[i].Address.String()}
			if !reflect.DeepEqual(o.Validators, want) {
				t.Errorf("org %s validators %v, want %v", o.ID, o.Validators, want)
			}
		} else if len(o.Validators) != 0 {
			t.Errorf("org %s has validators %v, want none", o.ID, o.Validators)
		}
	}
	byID := map[string]node.IdentityInfo{}
	for _, id := range cons.Identities {
		byID[id.ID] = id
	}
	for _, gi := range appState.Member.Identities {
		cert, err := pki.Parse([]byte(gi.Cert))
		if err != nil {
			t.Fatal(err)
		}
		if err := cert.VerifyIssuedBy(cas[cert.Org], doc.GenesisTime); err != nil {
			t.Errorf("identity %s (%s) does not verify against its CA: %v", cert.Name, cert.Org, err)
		}
		info, ok := byID[cert.ID]
		if !ok {
			t.Errorf("genesis identity %s missing from consortium.json", cert.ID)
			continue
		}
		if string(info.Role) != cert.Role || info.Org != cert.Org || info.Name != cert.Name {
			t.Errorf("identity %s: summary %+v, cert role %s org %s", cert.ID, info, cert.Role, cert.Org)
		}
	}

	// Roles per organisation.
	for _, o := range wantOrgs {
		roles := map[module.Role]int{}
		for _, id := range cons.Identities {
			if id.Org == o.ID {
				roles[id.Role]++
			}
		}
		want := map[module.Role]int{module.RoleAdmin: 1, module.Role(o.Type): 1, module.RoleSeal: 1}
		if o.Investors > 0 {
			want[module.RoleInvestor] = o.Investors
		}
		if o.Type == module.OrgRegulator {
			want[module.RoleRegulator] = 2
		}
		if !reflect.DeepEqual(roles, want) {
			t.Errorf("org %s roles %v, want %v", o.ID, roles, want)
		}
	}
	// Seals: each organisation's seal certificate, of its algorithm, is
	// registered as its contract seal with the hash of its image.
	if len(appState.Contract.Seals) != len(wantOrgs) {
		t.Errorf("%d contract seals in genesis, want %d", len(appState.Contract.Seals), len(wantOrgs))
	}
	for i, o := range wantOrgs {
		seal, ok := cons.Identity(o.ID, node.SealKey)
		if !ok || seal.Role != module.RoleSeal || seal.Alg != string(o.Alg) {
			t.Errorf("%s seal: %+v", o.ID, seal)
			continue
		}
		info, _ := cons.Org(o.ID)
		img, err := os.ReadFile(info.SealImage)
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(appState.Contract.Seals) {
			continue
		}
		rs := appState.Contract.Seals[i]
		if rs.Seal != seal.ID || rs.Name != node.SealName(o.Name) || rs.ImageHash != node.SealImageHash(o.Alg, img) || rs.Validate() != nil {
			t.Errorf("%s contract seal %+v (identity %s)", o.ID, rs, seal.ID)
		}
	}
	for _, id := range []string{"fm-alpha", "rs-bank", "rs-broker"} {
		if _, ok := cons.Identity(id, "investor-2"); !ok {
			t.Errorf("%s has no investor-2", id)
		}
	}

	// Keystores: every key loads with the passphrase and matches its
	// certificate; a wrong passphrase is refused.
	for _, id := range cons.Identities {
		ks, err := keystore.Open(id.Keystore)
		if err != nil {
			t.Fatal(err)
		}
		key, err := ks.Load(id.Key, []byte(testPassphrase))
		if err != nil {
			t.Fatalf("load %s/%s: %v", id.Org, id.Key, err)
		}
		certPEM, err := os.ReadFile(id.Cert)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := pki.Parse(certPEM)
		if err != nil {
			t.Fatal(err)
		}
		if cert.ID != id.ID || !cert.PublicKey.Equal(key.Public()) || string(key.Algorithm()) != id.Alg {
			t.Errorf("%s/%s: key does not match its certificate", id.Org, id.Key)
		}
		// Its encryption key loads, is of the identity's kind, and its public
		// part is the one registered in genesis. A seal has none: it only
		// stamps.
		if id.Role == module.RoleSeal {
			if _, err := ks.LoadEncKey(id.Key, []byte(testPassphrase)); err == nil {
				t.Errorf("seal %s/%s has an encryption key", id.Org, id.Key)
			}
			continue
		}
		enc, err := ks.LoadEncKey(id.Key, []byte(testPassphrase))
		if err != nil {
			t.Fatalf("encryption key of %s/%s: %v", id.Org, id.Key, err)
		}
		if enc.Algorithm() != crypto.EncAlgorithmFor(key.Algorithm()) {
			t.Errorf("%s/%s: %s identity has a %s encryption key", id.Org, id.Key, key.Algorithm(), enc.Algorithm())
		}
		if !bytes.Contains(res.Genesis.AppState, []byte(`"public_key":"`+base64.StdEncoding.EncodeToString(enc.Public().Bytes())+`"`)) {
			t.Errorf("%s/%s: encryption key not registered in genesis", id.Org, id.Key)
		}
	}
	for _, o := range cons.Orgs {
		ks, err := keystore.Open(o.Keystore)
		if err != nil {
			t.Fatal(err)
		}
		key, err := ks.Load(o.CAKey, []byte(testPassphrase))
		if err != nil {
			t.Fatal(err)
		}
		caPEM, err := os.ReadFile(o.CACert)
		if err != nil {
			t.Fatal(err)
		}
		ca, err := pki.Parse(caPEM)
		if err != nil {
			t.Fatal(err)
		}
		if !ca.PublicKey.Equal(key.Public()) {
			t.Errorf("%s: CA key does not match ca.pem", o.ID)
		}
		if _, err := ks.Load(o.CAKey, []byte("wrong")); !errors.Is(err, keystore.ErrBadPassphrase) {
			t.Errorf("%s: wrong passphrase: %v", o.ID, err)
		}
		fi, err := os.Stat(filepath.Join(o.Keystore, "admin.key"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s admin key mode %v", o.ID, fi.Mode())
		}
	}

	// Node configs: distinct ports below 32768, the consortium settings.
	ports := map[int]string{}
	for i, n := range cons.Nodes {
		for _, p := range []int{n.P2PPort, n.RPCPort, n.APIPort, n.MetricsPort} {
			if p <= 0 || p >= 32768 {
				t.Errorf("node%d port %d out of range", i, p)
			}
			if other, dup := ports[p]; dup {
				t.Errorf("port %d used by node%d and %s", p, i, other)
			}
			ports[p] = n.Moniker
		}
		if n.P2PPort != 27000+10*i {
			t.Errorf("node%d p2p port %d", i, n.P2PPort)
		}
		if n.Org != wantOrgs[i].ID || n.ValidatorAddress != doc.Validators[i].Address.String() {
			t.Errorf("node%d: org %s validator %s", i, n.Org, n.ValidatorAddress)
		}
		conf, unknown, err := node.LoadCometConfig(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		if len(unknown) > 0 {
			t.Errorf("node%d config.toml: unknown keys %v", i, unknown)
		}
		peers := strings.Split(conf.P2P.PersistentPeers, ",")
		checks := []struct {
			name string
			ok   bool
		}{
			{"moniker", conf.Moniker == n.Moniker},
			{"persistent peers", len(peers) == len(cons.Nodes)-1 && !strings.Contains(conf.P2P.PersistentPeers, n.NodeID)},
			{"pex", !conf.P2P.PexReactor},
			{"addr_book_strict", !conf.P2P.AddrBookStrict},
			{"allow_duplicate_ip", conf.P2P.AllowDuplicateIP},
			{"create_empty_blocks", conf.Consensus.CreateEmptyBlocks && conf.Consensus.CreateEmptyBlocksInterval == time.Second},
			{"timeout_commit", conf.Consensus.TimeoutCommit == 300*time.Millisecond},
			{"mempool size", conf.Mempool.Size == 50000},
			{"send rate", conf.P2P.SendRate == 50<<20},
			{"recv rate", conf.P2P.RecvRate == 50<<20},
			{"rpc laddr", conf.RPC.ListenAddress == "tcp://127.0.0.1:"+itoa(n.RPCPort)},
			{"p2p laddr", conf.P2P.ListenAddress == "tcp://127.0.0.1:"+itoa(n.P2PPort)},
			{"prometheus", conf.Instrumentation.Prometheus},
			{"genesis path", conf.GenesisFile() == filepath.Join(n.Home, "config", "genesis.json")},
		}
		for _, c := range checks {
			if !c.ok {
				t.Errorf("node%d config.toml: %s not as expected", i, c.name)
			}
		}
		s, err := node.LoadSettings(filepath.Join(n.Home, "config", "otc.toml"))
		if err != nil {
			t.Fatal(err)
		}
		if s.API.Listen != "127.0.0.1:"+itoa(n.APIPort) || s.Metrics.Listen != "127.0.0.1:"+itoa(n.MetricsPort) {
			t.Errorf("node%d otc.toml: %+v", i, s)
		}
		for _, f := range []string{"config/node_key.json", "config/priv_validator_key.json", "data/priv_validator_state.json"} {
			fi, err := os.Stat(filepath.Join(n.Home, f))
			if err != nil {
				t.Fatal(err)
			}
			if f != "config/node_key.json" && fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("node%d %s mode %v", i, f, fi.Mode())
			}
		}
	}

	// No overwrite unless asked.
	if _, err := node.Testnet(cfg); err == nil {
		t.Fatal("Testnet overwrote an existing directory")
	}
	if _, err := os.Stat(filepath.Join(dir, node.ConsortiumFile)); err != nil {
		t.Fatal("refused generation damaged the existing network")
	}
	cfg.Overwrite = true
	cfg.Validators = 1
	res2, err := node.Testnet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.Consortium.Nodes) != 1 {
		t.Errorf("overwritten network has %d nodes", len(res2.Consortium.Nodes))
	}
	if _, err := os.Stat(filepath.Join(dir, "node1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("overwrite left node1 behind: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".net.tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary directories left: %v", leftovers)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestTestnetHosts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	cfg := testnetConfig(dir)
	cfg.Validators = 3
	cfg.Hosts = []string{"10.0.0.1", "10.0.0.2", "node-c.example"}
	cfg.ChainID = "otc-hosts"
	res, err := node.Testnet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range res.Consortium.Nodes {
		if n.Host != cfg.Hosts[i] || !strings.HasSuffix(n.P2PAddress, "@"+cfg.Hosts[i]+":"+itoa(n.P2PPort)) {
			t.Errorf("node%d: host %s p2p %s", i, n.Host, n.P2PAddress)
		}
		if n.APIURL != "http://"+cfg.Hosts[i]+":"+itoa(n.APIPort) {
			t.Errorf("node%d api url %s", i, n.APIURL)
		}
		conf, _, err := node.LoadCometConfig(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		if conf.P2P.ExternalAddress != cfg.Hosts[i]+":"+itoa(n.P2PPort) || conf.P2P.ListenAddress != "tcp://0.0.0.0:"+itoa(n.P2PPort) {
			t.Errorf("node%d: external %q laddr %q", i, conf.P2P.ExternalAddress, conf.P2P.ListenAddress)
		}
		if conf.RPC.ListenAddress != "tcp://127.0.0.1:"+itoa(n.RPCPort) {
			t.Errorf("node%d: rpc %q", i, conf.RPC.ListenAddress)
		}
		for _, o := range res.Consortium.Nodes {
			if o.Index != i && !strings.Contains(conf.P2P.PersistentPeers, o.P2PAddress) {
				t.Errorf("node%d does not peer with node%d", i, o.Index)
			}
		}
	}
	if res.Genesis.ChainID != "otc-hosts" {
		t.Errorf("chain id %s", res.Genesis.ChainID)
	}
}

func TestTestnetConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*node.TestnetConfig)
		want string
	}{
		{"no out dir", func(c *node.TestnetConfig) { c.OutDir = "" }, "output directory"},
		{"too many validators", func(c *node.TestnetConfig) { c.Validators = 7 }, "validators must be"},
		{"negative validators", func(c *node.TestnetConfig) { c.Validators = -1 }, "validators must be"},
		{"hosts mismatch", func(c *node.TestnetConfig) { c.Validators = 2; c.Hosts = []string{"a"} }, "hosts"},
		{"bad host", func(c *node.TestnetConfig) { c.Validators = 1; c.Hosts = []string{"a b"} }, "bad host"},
		{"ports too high", func(c *node.TestnetConfig) { c.BasePort = 32740; c.Validators = 4 }, "ports"},
		{"port too low", func(c *node.TestnetConfig) { c.BasePort = 80 }, "ports"},
		{"no passphrase", func(c *node.TestnetConfig) { c.Passphrase = "" }, "passphrase"},
		{"chain id too long", func(c *node.TestnetConfig) { c.ChainID = strings.Repeat("x", 51) }, "chain id"},
		{"bad org id", func(c *node.TestnetConfig) {
			c.Orgs = []node.OrgSpec{{ID: "Bad_Org", Name: "x", Type: module.OrgCustodian, Alg: crypto.P256}}
			c.Validators = 1
		}, "organisation id"},
		{"investors at a custodian", func(c *node.TestnetConfig) {
			c.Orgs = []node.OrgSpec{{ID: "cust", Name: "x", Type: module.OrgCustodian, Alg: crypto.P256, Investors: 1}}
			c.Validators = 1
		}, "investor"},
		{"more validators than orgs", func(c *node.TestnetConfig) {
			c.Orgs = []node.OrgSpec{{ID: "cust", Name: "x", Type: module.OrgCustodian, Alg: crypto.P256}}
			c.Validators = 2
		}, "validators must be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "net")
			cfg := testnetConfig(dir)
			tc.edit(&cfg)
			_, err := node.Testnet(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("failed generation left %s", dir)
			}
		})
	}
}

func TestTestnetLoopbackHosts(t *testing.T) {
	cfg := testnetConfig(filepath.Join(t.TempDir(), "net"))
	cfg.Validators = 2
	cfg.Hosts = []string{"127.0.0.2", "::1"}
	res, err := node.Testnet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ p2p, api string }{
		{"tcp://127.0.0.2:26600", "127.0.0.2:26602"},
		{"tcp://[::1]:26610", "[::1]:26612"},
	}
	for i, n := range res.Consortium.Nodes {
		conf, _, err := node.LoadCometConfig(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		s, err := node.LoadSettings(filepath.Join(n.Home, "config", "otc.toml"))
		if err != nil {
			t.Fatal(err)
		}
		if conf.P2P.ListenAddress != want[i].p2p || s.API.Listen != want[i].api || conf.P2P.ExternalAddress != "" {
			t.Errorf("node%d: p2p %q api %q external %q", i, conf.P2P.ListenAddress, s.API.Listen, conf.P2P.ExternalAddress)
		}
	}
	if !strings.HasSuffix(res.Consortium.Nodes[1].P2PAddress, "@[::1]:26610") {
		t.Errorf("ipv6 peer address: %s", res.Consortium.Nodes[1].P2PAddress)
	}
}
