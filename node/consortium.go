package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// OrgSpec describes one member organisation of a generated consortium.
type OrgSpec struct {
	ID   string
	Name string
	Type module.OrgType
	// Alg is the algorithm of the organisation's CA and of the keys of its
	// identities.
	Alg crypto.Algorithm
	// Investors is how many investor identities the organisation issues
	// (resellers, and fund managers with direct sales).
	Investors int
}

// DefaultOrgs is the default consortium: two fund managers, two resellers,
// one custodian and the regulator, covering the three signature schemes.
// Validator i of a generated network belongs to organisation i of this list.
func DefaultOrgs() []OrgSpec {
	return []OrgSpec{
		{ID: "fm-alpha", Name: "Alpha Fund Management Co., Ltd.", Type: module.OrgFundManager, Alg: crypto.Ed25519, Investors: 2},
		{ID: "fm-beta", Name: "Beta Fund Management Co., Ltd.", Type: module.OrgFundManager, Alg: crypto.P256},
		{ID: "rs-bank", Name: "Example Commercial Bank", Type: module.OrgReseller, Alg: crypto.SM2, Investors: 2},
		{ID: "rs-broker", Name: "Example Securities Co.", Type: module.OrgReseller, Alg: crypto.Ed25519, Investors: 2},
		{ID: "cust-trust", Name: "Example Custody Bank", Type: module.OrgCustodian, Alg: crypto.P256},
		{ID: "regulator", Name: "Securities Regulator", Type: module.OrgRegulator, Alg: crypto.SM2},
	}
}

// ConsortiumFile is the summary written at the top of a generated network.
const ConsortiumFile = "consortium.json"

// Consortium summarises a generated network: organisations, identities
// (with where their keys are) and nodes (with their addresses). In the file,
// paths are relative to the directory holding it; ReadConsortium and
// Testnet return them absolute.
type Consortium struct {
	ChainID     string    `json:"chain_id"`
	GenesisTime time.Time `json:"genesis_time"`
	// DevPassphrase is set only by otc dev, whose keys are protected by a
	// well-known, insecure passphrase.
	DevPassphrase string         `json:"dev_passphrase,omitempty"`
	Orgs          []OrgInfo      `json:"orgs"`
	Identities    []IdentityInfo `json:"identities"`
	Nodes         []NodeInfo     `json:"nodes"`

	// Dir is the directory holding the file (absolute; not in the file).
	Dir string `json:"-"`
}

// OrgInfo is one organisation of a Consortium.
type OrgInfo struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Type     module.OrgType `json:"type"`
	Alg      string         `json:"alg"`
	CACert   string         `json:"ca_cert"`  // PEM file
	CAKey    string         `json:"ca_key"`   // key name in Keystore
	Keystore string         `json:"keystore"` // directory
	// SealImage is the placeholder image of the organisation's contract
	// seal (its key is SealKey in Keystore).
	SealImage string `json:"seal_image,omitempty"`
	// Nodes are the indexes of the organisation's validator nodes.
	Nodes []int `json:"nodes,omitempty"`
}

// IdentityInfo is one registered identity of a Consortium.
type IdentityInfo struct {
	ID       string      `json:"id"` // hex SHA-256 of the certificate DER
	Name     string      `json:"name"`
	Role     module.Role `json:"role"`
	Org      string      `json:"org"`
	Alg      string      `json:"alg"`
	Key      string      `json:"key"`      // key name in Keystore
	Keystore string      `json:"keystore"` // directory
	Cert     string      `json:"cert"`     // PEM file
}

// NodeInfo is one node of a Consortium.
type NodeInfo struct {
	Index            int    `json:"index"`
	Org              string `json:"org"`
	Moniker          string `json:"moniker"`
	Home             string `json:"home"`
	Host             string `json:"host"`
	NodeID           string `json:"node_id"`
	ValidatorAddress string `json:"validator_address"`
	P2PPort          int    `json:"p2p_port"`
	RPCPort          int    `json:"rpc_port"`
	APIPort          int    `json:"api_port"`
	MetricsPort      int    `json:"metrics_port"`
	P2PAddress       string `json:"p2p_address"` // node_id@host:port
	APIURL           string `json:"api_url"`
	RPCURL           string `json:"rpc_url"`
	MetricsURL       string `json:"metrics_url"`
}

// Identity returns the identity of org with the given keystore key name.
func (c *Consortium) Identity(org, key string) (IdentityInfo, bool) {
	for _, id := range c.Identities {
		if id.Org == org && id.Key == key {
			return id, true
		}
	}
	return IdentityInfo{}, false
}

// Org returns the organisation with the given id.
func (c *Consortium) Org(id string) (OrgInfo, bool) {
	for _, o := range c.Orgs {
		if o.ID == id {
			return o, true
		}
	}
	return OrgInfo{}, false
}

// ReadConsortium reads dir/consortium.json and makes its paths absolute.
func ReadConsortium(dir string) (*Consortium, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ConsortiumFile))
	if err != nil {
		return nil, fmt.Errorf("node: read consortium: %w", err)
	}
	var c Consortium
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("node: %s: %w", filepath.Join(dir, ConsortiumFile), err)
	}
	c.Dir = dir
	c.mapPaths(func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, filepath.FromSlash(p))
	})
	return &c, nil
}

// write stores c in c.Dir with paths relative to it.
func (c *Consortium) write() error {
	cp := *c
	cp.Orgs = append([]OrgInfo(nil), c.Orgs...)
	cp.Identities = append([]IdentityInfo(nil), c.Identities...)
	cp.Nodes = append([]NodeInfo(nil), c.Nodes...)
	var bad error
	cp.mapPaths(func(p string) string {
		r, err := filepath.Rel(c.Dir, p)
		if err != nil {
			bad = err
			return p
		}
		return filepath.ToSlash(r)
	})
	if bad != nil {
		return fmt.Errorf("node: consortium paths: %w", bad)
	}
	b, err := json.MarshalIndent(&cp, "", "  ")
	if err != nil {
		return fmt.Errorf("node: encode consortium: %w", err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, ConsortiumFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("node: write consortium: %w", err)
	}
	return nil
}

func (c *Consortium) mapPaths(f func(string) string) {
	for i := range c.Orgs {
		c.Orgs[i].CACert = f(c.Orgs[i].CACert)
		c.Orgs[i].Keystore = f(c.Orgs[i].Keystore)
		if c.Orgs[i].SealImage != "" {
			c.Orgs[i].SealImage = f(c.Orgs[i].SealImage)
		}
	}
	for i := range c.Identities {
		c.Identities[i].Keystore = f(c.Identities[i].Keystore)
		c.Identities[i].Cert = f(c.Identities[i].Cert)
	}
	for i := range c.Nodes {
		c.Nodes[i].Home = f(c.Nodes[i].Home)
	}
}

// rebase replaces the prefix from of every path with to (used when a
// network generated in a temporary directory is moved into place).
func (c *Consortium) rebase(from, to string) error {
	var bad error
	c.mapPaths(func(p string) string {
		r, err := filepath.Rel(from, p)
		if err != nil {
			bad = err
			return p
		}
		return filepath.Join(to, r)
	})
	c.Dir = to
	if bad != nil {
		return errors.New("node: consortium path outside its directory")
	}
	return nil
}
