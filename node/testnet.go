package node

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/gov"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/pki"
)

// Defaults of a generated network.
const (
	DefaultChainID       = "otcchain-dev"
	DefaultBasePort      = 26600
	DefaultValidators    = 4
	MaxValidators        = 6
	MaxPort              = 32767 // ports stay below the ephemeral range
	BlockMaxBytes        = 4 << 20
	TimeoutCommit        = 300 * time.Millisecond
	MempoolSize          = 50000
	P2PRate              = 50 << 20 // bytes/s, each direction
	ValidatorPower       = 10
	CertValidity         = 10 * 365 * 24 * time.Hour
	certBackdate         = time.Hour
	rpcMaxBodyBytes      = 3 << 20
	mempoolCacheSize     = 100000
	portsPerNode         = 10
	p2pOffset, rpcOffset = 0, 1
	apiOffset, metOffset = 2, 3
)

// TestnetConfig describes a network to generate. Zero fields take the
// defaults documented on each.
type TestnetConfig struct {
	// OutDir receives node{i}/ homes, orgs/<org>/ keystores and
	// consortium.json. It must not exist or be empty unless Overwrite.
	OutDir    string
	Overwrite bool
	// ChainID defaults to DefaultChainID.
	ChainID string
	// Validators is the number of validator nodes, 1 to 6 (default 4);
	// validator i belongs to organisation i.
	Validators int
	// Hosts holds one address per node (IP or DNS name) for a deployment on
	// several machines; empty means every node on 127.0.0.1.
	Hosts []string
	// BasePort: node i uses BasePort+10*i + 0 (p2p), 1 (rpc), 2 (api) and
	// 3 (metrics); default DefaultBasePort. Every port must be < 32768.
	BasePort int
	// Passphrase encrypts every generated key. Required.
	Passphrase string
	// ScryptN is the keystore's scrypt cost (0: the keystore default).
	ScryptN int
	// GenesisTime defaults to now. Certificates are valid from an hour
	// before it for ten years.
	GenesisTime time.Time
	// Orgs defaults to DefaultOrgs().
	Orgs []OrgSpec
	// DevPassphrase records the passphrase in consortium.json (otc dev).
	DevPassphrase bool
	// BusinessClock, when not empty, enables the business clock (package
	// clock) in the genesis with these roles allowed to advance it: a
	// development or sandbox network whose business day runs at any hour.
	// Empty (the default): no clock, business time is block time for ever.
	BusinessClock []module.Role
}

// TestnetResult is what Testnet generated.
type TestnetResult struct {
	Dir        string // absolute OutDir
	Homes      []string
	Consortium *Consortium
	Genesis    *cmttypes.GenesisDoc
}

var orgIDPattern = regexp.MustCompile(`^[a-z0-9-]{2,32}$`)

func (c TestnetConfig) withDefaults() TestnetConfig {
	if c.ChainID == "" {
		c.ChainID = DefaultChainID
	}
	if c.Validators == 0 {
		c.Validators = DefaultValidators
	}
	if c.BasePort == 0 {
		c.BasePort = DefaultBasePort
	}
	if c.GenesisTime.IsZero() {
		c.GenesisTime = time.Now()
	}
	c.GenesisTime = c.GenesisTime.UTC().Truncate(time.Second)
	if c.Orgs == nil {
		c.Orgs = DefaultOrgs()
	}
	if len(c.Hosts) == 0 && c.Validators > 0 {
		c.Hosts = make([]string, c.Validators)
		for i := range c.Hosts {
			c.Hosts[i] = "127.0.0.1"
		}
	}
	return c
}

func (c TestnetConfig) validate() error {
	if c.OutDir == "" {
		return errors.New("node: testnet: no output directory")
	}
	if len(c.ChainID) > cmttypes.MaxChainIDLen {
		return fmt.Errorf("node: testnet: chain id longer than %d characters", cmttypes.MaxChainIDLen)
	}
	if c.Validators < 1 || c.Validators > MaxValidators || c.Validators > len(c.Orgs) {
		return fmt.Errorf("node: testnet: validators must be 1 to %d (one per organisation), got %d", min(MaxValidators, len(c.Orgs)), c.Validators)
	}
	if len(c.Hosts) != c.Validators {
		return fmt.Errorf("node: testnet: %d hosts for %d nodes (give one per node)", len(c.Hosts), c.Validators)
	}
	for _, h := range c.Hosts {
		if h == "" || strings.ContainsAny(h, " /:@,") && net.ParseIP(h) == nil {
			return fmt.Errorf("node: testnet: bad host %q", h)
		}
	}
	if c.BasePort < 1024 || c.BasePort+portsPerNode*(c.Validators-1)+metOffset > MaxPort {
		return fmt.Errorf("node: testnet: base port %d: ports must be 1024 to %d", c.BasePort, MaxPort)
	}
	if c.Passphrase == "" {
		return errors.New("node: testnet: a passphrase is required to encrypt the keys")
	}
	seen := map[string]bool{}
	for _, o := range c.Orgs {
		if !orgIDPattern.MatchString(o.ID) || seen[o.ID] {
			return fmt.Errorf("node: testnet: bad or duplicate organisation id %q", o.ID)
		}
		seen[o.ID] = true
		if _, err := module.ParseOrgType(string(o.Type)); err != nil {
			return fmt.Errorf("node: testnet: organisation %s: %w", o.ID, err)
		}
		if _, err := crypto.ParseAlgorithm(string(o.Alg)); err != nil {
			return fmt.Errorf("node: testnet: organisation %s: %w", o.ID, err)
		}
		if o.Investors > 0 && !module.RoleAllowedForOrg(o.Type, module.RoleInvestor) {
			return fmt.Errorf("node: testnet: organisation %s (%s) cannot issue investor identities", o.ID, o.Type)
		}
	}
	return nil
}

// NodePorts returns the p2p, rpc, api and metrics ports of node i.
func NodePorts(basePort, i int) (p2pPort, rpcPort, apiPort, metricsPort int) {
	b := basePort + portsPerNode*i
	return b + p2pOffset, b + rpcOffset, b + apiOffset, b + metOffset
}

// Testnet generates a consortium network: organisation CAs and identities
// with their encrypted keystores, one home per validator node with its
// CometBFT config, otc.toml, keys and the shared genesis, and
// consortium.json. It writes into a temporary directory beside OutDir and
// moves it into place only when everything succeeded.
func Testnet(cfg TestnetConfig) (*TestnetResult, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	out, err := filepath.Abs(cfg.OutDir)
	if err != nil {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 && !cfg.Overwrite {
		return nil, fmt.Errorf("node: testnet: %s exists and is not empty (remove it or ask to overwrite)", out)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op once renamed

	res, err := generate(cfg, tmp)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	if err := os.RemoveAll(out); err != nil {
		return nil, fmt.Errorf("node: testnet: remove old %s: %w", out, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	if err := res.Consortium.rebase(tmp, out); err != nil {
		return nil, err
	}
	res.Dir = out
	for i := range res.Homes {
		res.Homes[i] = res.Consortium.Nodes[i].Home
	}
	return res, nil
}

type orgBuild struct {
	spec  OrgSpec
	ks    *keystore.Store
	ca    *pki.Certificate
	caKey crypto.PrivateKey
	info  OrgInfo
}

func generate(cfg TestnetConfig, dir string) (*TestnetResult, error) {
	notBefore := cfg.GenesisTime.Add(-certBackdate)
	notAfter := cfg.GenesisTime.Add(CertValidity)
	cons := &Consortium{ChainID: cfg.ChainID, GenesisTime: cfg.GenesisTime, Dir: dir}
	if cfg.DevPassphrase {
		cons.DevPassphrase = cfg.Passphrase
	}
	gen := member.Genesis{}
	contractGen := contract.Genesis{}

	// Organisations: CA, admin, operator, investors, seal.
	orgs := make([]*orgBuild, len(cfg.Orgs))
	for i, spec := range cfg.Orgs {
		ob, err := buildOrg(cfg, dir, spec, notBefore, notAfter)
		if err != nil {
			return nil, err
		}
		orgs[i] = ob
		people := []struct {
			key, name string
			role      module.Role
		}{
			{"admin", spec.Name + " Administrator", module.RoleAdmin},
			{"operator", spec.Name + " Operator", module.Role(spec.Type)},
		}
		if spec.Type == module.OrgRegulator {
			// Interventions take two officers (supervision module).
			people = append(people, struct {
				key, name string
				role      module.Role
			}{"officer-2", spec.Name + " Officer 2", module.RoleRegulator})
		}
		for j := 1; j <= spec.Investors; j++ {
			people = append(people, struct {
				key, name string
				role      module.Role
			}{fmt.Sprintf("investor-%d", j), fmt.Sprintf("Investor %d of %s", j, spec.Name), module.RoleInvestor})
		}
		for _, p := range people {
			id, pem, err := issueIdentity(cfg, ob, p.key, p.name, p.role, notBefore, notAfter)
			if err != nil {
				return nil, err
			}
			// Every demo identity also gets an encryption key, registered
			// in genesis, so data can be sealed to it from block 1.
			enc, err := ob.ks.CreateEncKey(p.key, []byte(cfg.Passphrase))
			if err != nil {
				return nil, fmt.Errorf("node: testnet: %s/%s encryption key: %w", spec.ID, p.key, err)
			}
			encPub, err := hex.DecodeString(enc.PublicKey)
			if err != nil {
				return nil, err
			}
			cons.Identities = append(cons.Identities, id)
			gen.Identities = append(gen.Identities, member.GenesisIdentity{Cert: string(pem),
				EncKey: &member.SetEncryptionKey{Algorithm: string(enc.Algorithm), PublicKey: encPub}})
		}
		// The organisation's electronic seal: a member identity with the
		// role seal, registered as its contract seal.
		id, pem, rs, err := issueSeal(cfg, ob, notBefore, notAfter)
		if err != nil {
			return nil, err
		}
		cons.Identities = append(cons.Identities, id)
		gen.Identities = append(gen.Identities, member.GenesisIdentity{Cert: string(pem)})
		contractGen.Seals = append(contractGen.Seals, rs)
	}

	// Nodes: keys first (peers need every node id).
	type nodeKeys struct {
		nodeKey *p2p.NodeKey
		pv      privval.FilePVKey
	}
	keys := make([]nodeKeys, cfg.Validators)
	var vals []cmttypes.GenesisValidator
	for i := range keys {
		nk := &p2p.NodeKey{PrivKey: ed25519.GenPrivKey()}
		pk := ed25519.GenPrivKey()
		keys[i] = nodeKeys{nodeKey: nk, pv: privval.FilePVKey{Address: pk.PubKey().Address(), PubKey: pk.PubKey(), PrivKey: pk}}
		org := orgs[i]
		moniker := fmt.Sprintf("%s-node%d", org.spec.ID, i)
		p2pPort, rpcPort, apiPort, metPort := NodePorts(cfg.BasePort, i)
		host := cfg.Hosts[i]
		n := NodeInfo{
			Index: i, Org: org.spec.ID, Moniker: moniker, Home: filepath.Join(dir, fmt.Sprintf("node%d", i)),
			Host: host, NodeID: string(nk.ID()), ValidatorAddress: keys[i].pv.Address.String(),
			P2PPort: p2pPort, RPCPort: rpcPort, APIPort: apiPort, MetricsPort: metPort,
			P2PAddress: p2p.IDAddressString(nk.ID(), net.JoinHostPort(host, strconv.Itoa(p2pPort))),
			APIURL:     "http://" + net.JoinHostPort(host, strconv.Itoa(apiPort)),
			RPCURL:     "http://" + net.JoinHostPort(host, strconv.Itoa(rpcPort)),
			MetricsURL: "http://" + net.JoinHostPort(host, strconv.Itoa(metPort)) + "/metrics",
		}
		if isLoopback(host) {
			n.RPCURL = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(rpcPort))
		} else {
			// CometBFT's RPC listens on the node's loopback only.
			n.RPCURL = ""
		}
		cons.Nodes = append(cons.Nodes, n)
		org.info.Nodes = append(org.info.Nodes, i)
		vals = append(vals, cmttypes.GenesisValidator{Address: keys[i].pv.Address, PubKey: keys[i].pv.PubKey, Power: ValidatorPower, Name: moniker})
	}
	for _, ob := range orgs {
		var vaddrs []string
		for _, i := range ob.info.Nodes {
			vaddrs = append(vaddrs, cons.Nodes[i].ValidatorAddress)
		}
		gen.Orgs = append(gen.Orgs, member.GenesisOrg{ID: ob.spec.ID, Name: ob.spec.Name, Type: string(ob.spec.Type), CACert: string(ob.ca.PEM()), Validators: vaddrs})
		cons.Orgs = append(cons.Orgs, ob.info)
	}

	fundGen, err := DevFundGenesis(cfg.GenesisTime, cfg.Orgs)
	if err != nil {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	// Governance: default parameters, and every organisation's bond.
	govParams := gov.DefaultParams()
	govGen := gov.Genesis{Params: &govParams}
	for _, ob := range orgs {
		govGen.Bonds = append(govGen.Bonds, gov.GenesisBond{Org: ob.spec.ID, Amount: govParams.MinBond})
	}
	var clockGen *clock.Genesis
	if len(cfg.BusinessClock) > 0 {
		clockGen = &clock.Genesis{Simulated: true, Roles: cfg.BusinessClock}
	}
	appState, err := json.Marshal(struct {
		Params   app.Params        `json:"params"`
		Member   *member.Genesis   `json:"member"`
		Fund     *fund.Genesis     `json:"fund"`
		Contract *contract.Genesis `json:"contract"`
		Gov      *gov.Genesis      `json:"gov"`
		Clock    *clock.Genesis    `json:"clock,omitempty"`
	}{app.DefaultParams(), &gen, fundGen, &contractGen, &govGen, clockGen})
	if err != nil {
		return nil, fmt.Errorf("node: testnet: encode app state: %w", err)
	}
	params := cmttypes.DefaultConsensusParams()
	params.Block.MaxBytes = BlockMaxBytes
	doc := &cmttypes.GenesisDoc{
		GenesisTime:     cfg.GenesisTime,
		ChainID:         cfg.ChainID,
		InitialHeight:   1,
		ConsensusParams: params,
		Validators:      vals,
		AppState:        appState,
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("node: testnet: genesis: %w", err)
	}

	res := &TestnetResult{Consortium: cons, Genesis: doc}
	for i, n := range cons.Nodes {
		if err := writeHome(cfg, n, keys[i].nodeKey, keys[i].pv, doc, cons.Nodes); err != nil {
			return nil, err
		}
		res.Homes = append(res.Homes, n.Home)
	}
	if err := cons.write(); err != nil {
		return nil, err
	}
	return res, nil
}

func buildOrg(cfg TestnetConfig, dir string, spec OrgSpec, notBefore, notAfter time.Time) (*orgBuild, error) {
	orgDir := filepath.Join(dir, "orgs", spec.ID)
	ksDir := filepath.Join(orgDir, "keystore")
	if err := os.MkdirAll(ksDir, 0o700); err != nil {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	ks, err := openKeystore(ksDir, cfg.ScryptN)
	if err != nil {
		return nil, err
	}
	key, err := crypto.GenerateKey(spec.Alg)
	if err != nil {
		return nil, fmt.Errorf("node: testnet: %s ca key: %w", spec.ID, err)
	}
	if _, err := ks.Import("ca", key, []byte(cfg.Passphrase)); err != nil {
		return nil, fmt.Errorf("node: testnet: %s ca key: %w", spec.ID, err)
	}
	ca, err := pki.NewCA(spec.ID, spec.Name+" CA", key, notBefore, notAfter)
	if err != nil {
		return nil, fmt.Errorf("node: testnet: %s ca: %w", spec.ID, err)
	}
	if err := ks.SetCertificate("ca", ca.PEM()); err != nil {
		return nil, fmt.Errorf("node: testnet: %s ca: %w", spec.ID, err)
	}
	caPath := filepath.Join(orgDir, "ca.pem")
	if err := os.WriteFile(caPath, ca.PEM(), 0o644); err != nil {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	return &orgBuild{spec: spec, ks: ks, ca: ca, caKey: key, info: OrgInfo{
		ID: spec.ID, Name: spec.Name, Type: spec.Type, Alg: string(spec.Alg),
		CACert: caPath, CAKey: "ca", Keystore: ksDir,
	}}, nil
}

func issueIdentity(cfg TestnetConfig, ob *orgBuild, keyName, name string, role module.Role, notBefore, notAfter time.Time) (IdentityInfo, []byte, error) {
	key, err := crypto.GenerateKey(ob.spec.Alg)
	if err != nil {
		return IdentityInfo{}, nil, fmt.Errorf("node: testnet: %s/%s key: %w", ob.spec.ID, keyName, err)
	}
	if _, err := ob.ks.Import(keyName, key, []byte(cfg.Passphrase)); err != nil {
		return IdentityInfo{}, nil, fmt.Errorf("node: testnet: %s/%s key: %w", ob.spec.ID, keyName, err)
	}
	cert, err := pki.Issue(ob.ca, ob.caKey, pki.IssueRequest{
		Org: ob.spec.ID, Role: role, Name: name, PublicKey: key.Public(), NotBefore: notBefore, NotAfter: notAfter,
	})
	if err != nil {
		return IdentityInfo{}, nil, fmt.Errorf("node: testnet: %s/%s certificate: %w", ob.spec.ID, keyName, err)
	}
	pem := cert.PEM()
	if err := ob.ks.SetCertificate(keyName, pem); err != nil {
		return IdentityInfo{}, nil, fmt.Errorf("node: testnet: %s/%s certificate: %w", ob.spec.ID, keyName, err)
	}
	return IdentityInfo{
		ID: cert.ID, Name: name, Role: role, Org: ob.spec.ID, Alg: string(ob.spec.Alg),
		Key: keyName, Keystore: ob.info.Keystore, Cert: filepath.Join(ob.info.Keystore, keyName+".crt"),
	}, pem, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// openKeystore opens a generated keystore with scrypt cost n (0: default).
func openKeystore(dir string, n int) (*keystore.Store, error) {
	opts := keystore.DefaultOptions()
	if n != 0 {
		opts.ScryptN = n
	}
	ks, err := keystore.OpenWith(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("node: testnet: %w", err)
	}
	return ks, nil
}

// listenHost is where a node on host binds its public services: the host
// itself when it is a loopback address (several nodes on one machine), all
// interfaces otherwise.
func listenHost(host string) string {
	switch {
	case host == "localhost":
		return "127.0.0.1"
	case isLoopback(host):
		return host
	}
	return "0.0.0.0"
}

func writeHome(cfg TestnetConfig, n NodeInfo, nk *p2p.NodeKey, pv privval.FilePVKey, doc *cmttypes.GenesisDoc, all []NodeInfo) error {
	h := Home(n.Home)
	for _, d := range []string{ConfigDir, DataDir} {
		if err := os.MkdirAll(h.Path(d), 0o700); err != nil {
			return fmt.Errorf("node: testnet: %w", err)
		}
	}
	if err := nk.SaveAs(h.Path(NodeKeyFile)); err != nil {
		return fmt.Errorf("node: testnet: node key: %w", err)
	}
	if err := writeJSONFile(h.Path(PrivValidatorKeyFile), pv, 0o600); err != nil {
		return err
	}
	if err := writeJSONFile(h.Path(PrivValidatorStateFile), &privval.FilePVLastSignState{}, 0o600); err != nil {
		return err
	}
	if err := doc.SaveAs(h.Path(GenesisFile)); err != nil {
		return fmt.Errorf("node: testnet: genesis: %w", err)
	}

	var peers []string
	for _, o := range all {
		if o.Index != n.Index {
			peers = append(peers, o.P2PAddress)
		}
	}
	c := cmtcfg.DefaultConfig()
	c.SetRoot(n.Home)
	c.Moniker = n.Moniker
	c.ProxyApp = "" // the app runs in process
	c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", n.RPCPort)
	c.RPC.MaxBodyBytes = rpcMaxBodyBytes
	c.P2P.ListenAddress = "tcp://" + net.JoinHostPort(listenHost(n.Host), strconv.Itoa(n.P2PPort))
	if !isLoopback(n.Host) {
		c.P2P.ExternalAddress = net.JoinHostPort(n.Host, strconv.Itoa(n.P2PPort))
	}
	c.P2P.PersistentPeers = strings.Join(peers, ",")
	c.P2P.PexReactor = false
	c.P2P.AddrBookStrict = false
	c.P2P.AllowDuplicateIP = true
	c.P2P.SendRate = P2PRate
	c.P2P.RecvRate = P2PRate
	// Kept in step with otc.toml [consensus], which Start applies.
	c.Consensus.CreateEmptyBlocks = true
	c.Consensus.CreateEmptyBlocksInterval = DefaultEmptyBlockInterval
	c.Consensus.TimeoutCommit = TimeoutCommit
	c.Mempool.Size = MempoolSize
	c.Mempool.CacheSize = mempoolCacheSize
	c.Instrumentation.Prometheus = true
	c.Instrumentation.PrometheusListenAddr = "" // served by otcchain: otc.toml [metrics]
	if err := c.ValidateBasic(); err != nil {
		return fmt.Errorf("node: testnet: cometbft config: %w", err)
	}
	cmtcfg.WriteConfigFile(h.Path(CometConfigFile), c)

	s := DefaultSettings()
	s.API.Listen = net.JoinHostPort(listenHost(n.Host), strconv.Itoa(n.APIPort))
	s.Metrics.Listen = net.JoinHostPort(listenHost(n.Host), strconv.Itoa(n.MetricsPort))
	return WriteSettings(h.Path(SettingsFile), s)
}
