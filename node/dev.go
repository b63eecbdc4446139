package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/ports"
	"github.com/otcchain/otcchain/module"
)

// DevPassphrase protects the keys of an otc dev network. It is public: a dev
// network's keys must never protect anything real.
const DevPassphrase = "otc-dev-insecure"

// devScryptN makes the dev keystores quick to open (insecure on purpose).
const devScryptN = 1 << 12

// DevClockRoles may advance the business clock of an otc dev network: any
// operator (and organisation admin); never investors.
var DevClockRoles = []module.Role{module.RoleRegulator, module.RoleFundManager, module.RoleReseller, module.RoleCustodian, module.RoleAdmin}

// DefaultDevValidators is the size of an otc dev network.
const DefaultDevValidators = 6

// DevConfig configures Dev.
type DevConfig struct {
	// Home holds the whole network (consortium.json, orgs/, node{i}/).
	Home string
	// Validators in a new network (0: DefaultDevValidators). An existing
	// network keeps its size; asking for another size needs Reset.
	Validators int
	// Reset removes Home first and generates a new network.
	Reset bool
	// BasePort of a new network (0: DefaultBasePort); like Validators, an
	// existing network keeps its ports.
	BasePort int
	// Out receives the summary of what started and how to use it (nil: discarded).
	Out io.Writer
	// Logger receives the nodes' logs (nil: warnings and errors to standard
	// error). EngineLogLevel sets CometBFT's level (empty: "error").
	Logger         *slog.Logger
	EngineLogLevel string
	// StartTimeout bounds the wait for the first block (0: one minute).
	StartTimeout time.Duration
}

// DevNet is a development network running in this process.
type DevNet struct {
	Home       string
	Consortium *Consortium
	Nodes      []*Node
	// Generated says whether this run created the network (else it resumed).
	Generated bool
}

// Dev starts a development network in this process: every validator of the
// consortium in Home (generated first if there is none, or if Reset) runs
// here. It returns once every node has stored the first block, after
// printing a summary to cfg.Out. State survives a restart with the same Home.
func Dev(ctx context.Context, cfg DevConfig) (_ *DevNet, err error) {
	if cfg.Home == "" {
		return nil, errors.New("node: dev: no home directory")
	}
	home, err := filepath.Abs(cfg.Home)
	if err != nil {
		return nil, fmt.Errorf("node: dev: %w", err)
	}
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	engLevel := cfg.EngineLogLevel
	if engLevel == "" {
		engLevel = "error"
	}
	if cfg.Reset {
		if _, err := os.Stat(filepath.Join(home, ConsortiumFile)); err == nil {
			if err := os.RemoveAll(home); err != nil {
				return nil, fmt.Errorf("node: dev: reset: %w", err)
			}
		} else if entries, _ := os.ReadDir(home); len(entries) > 0 {
			return nil, fmt.Errorf("node: dev: refusing to reset %s: it holds no otcchain network", home)
		}
	}

	dn := &DevNet{Home: home}
	cons, err := ReadConsortium(home)
	switch {
	case err == nil:
		if cfg.Validators != 0 && cfg.Validators != len(cons.Nodes) {
			return nil, fmt.Errorf("node: dev: %s has %d validators, not %d (use reset to start over)", home, len(cons.Nodes), cfg.Validators)
		}
		if p, _, _, _ := NodePorts(cfg.BasePort, 0); cfg.BasePort != 0 && p != cons.Nodes[0].P2PPort {
			return nil, fmt.Errorf("node: dev: %s uses base port %d, not %d (use reset to start over)", home, cons.Nodes[0].P2PPort-p2pOffset, cfg.BasePort)
		}
	case errors.Is(err, os.ErrNotExist):
		n := cfg.Validators
		if n == 0 {
			n = DefaultDevValidators
		}
		// Check the ports before generating anything, so that a first
		// start on a busy port leaves no network behind.
		base := cfg.BasePort
		if base == 0 {
			base = DefaultBasePort
		}
		for i := 0; i < n; i++ {
			p2p, rpc, api, met := NodePorts(base, i)
			if err := portsFree(NodeInfo{Index: i, Host: "127.0.0.1", P2PPort: p2p, RPCPort: rpc, APIPort: api, MetricsPort: met}); err != nil {
				return nil, fmt.Errorf("node: dev: %w", portErr(err, base, n, true))
			}
		}
		_, statErr := os.Stat(home)
		res, terr := Testnet(TestnetConfig{
			OutDir: home, ChainID: DefaultChainID, Validators: n, BasePort: cfg.BasePort,
			Passphrase: DevPassphrase, ScryptN: devScryptN, DevPassphrase: true,
			BusinessClock: DevClockRoles,
		})
		if terr != nil {
			return nil, fmt.Errorf("node: dev: %w", terr)
		}
		cons = res.Consortium
		dn.Generated = true
		// A first start that fails removes what it generated: the next
		// plain otc dev starts afresh instead of resuming a half-made network.
		// (err is the named result here: nothing above redeclares it.)
		defer func() {
			if err == nil {
				return
			}
			if errors.Is(statErr, os.ErrNotExist) {
				_ = os.RemoveAll(home)
				return
			}
			entries, _ := os.ReadDir(home) // it was empty: Testnet refuses anything else
			for _, e := range entries {
				_ = os.RemoveAll(filepath.Join(home, e.Name()))
			}
		}()
	default:
		return nil, fmt.Errorf("node: dev: %w", err)
	}
	dn.Consortium = cons

	for _, n := range cons.Nodes {
		if err := portsFree(n); err != nil {
			base := cons.Nodes[0].P2PPort - p2pOffset
			return nil, fmt.Errorf("node: dev: %w", portErr(err, base, len(cons.Nodes), dn.Generated))
		}
	}

	defer func() {
		if err != nil {
			_ = dn.Stop()
		}
	}()
	for i, info := range cons.Nodes {
		n, err := Start(ctx, info.Home, StartOptions{
			Logger:         log.With("node", i),
			EngineLogLevel: engLevel,
			// CometBFT's metrics live in the process-wide registry: node0 only.
			NoEngineMetrics: i > 0,
		})
		if err != nil {
			return nil, fmt.Errorf("node: dev: node%d: %w", i, err)
		}
		dn.Nodes = append(dn.Nodes, n)
	}

	timeout := cfg.StartTimeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	if err := dn.WaitHeight(ctx, 1, timeout); err != nil {
		return nil, err
	}
	dn.PrintSummary(out)
	return dn, nil
}

// WaitHeight polls until every node has stored a block at height h or
// higher, the timeout passes or ctx ends.
func (d *DevNet) WaitHeight(ctx context.Context, h int64, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		low := int64(-1)
		for _, n := range d.Nodes {
			if got := n.Height(); low < 0 || got < low {
				low = got
			}
		}
		if low >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node: dev: waiting for height %d (lowest node at %d): %w", h, low, ctx.Err())
		case <-tick.C:
		}
	}
}

// Stop stops every node (in reverse order). It is safe to call more than once.
func (d *DevNet) Stop() error {
	for _, n := range d.Nodes {
		n.stopping.Store(true) // the others' teardown is not an error either
	}
	var errs []error
	for i := len(d.Nodes) - 1; i >= 0; i-- {
		if err := d.Nodes[i].Stop(); err != nil {
			errs = append(errs, fmt.Errorf("node%d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// PrintSummary writes what runs and how to use it.
func (d *DevNet) PrintSummary(w io.Writer) {
	c := d.Consortium
	state := "resumed"
	if d.Generated {
		state = "generated"
	}
	fmt.Fprintf(w, "otcchain dev network (%s) - FOR DEVELOPMENT ONLY\n\n", state)
	fmt.Fprintf(w, "  home        %s\n", d.Home)
	fmt.Fprintf(w, "  chain id    %s\n", c.ChainID)
	if c.DevPassphrase != "" {
		fmt.Fprintf(w, "  passphrase  %s   (INSECURE well-known dev passphrase of every key below)\n", c.DevPassphrase)
	}
	fmt.Fprintf(w, "  state survives a restart with the same home; --reset starts over\n\n")

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tORG\tHEIGHT\tAPI\tRPC\tMETRICS")
	for i, n := range c.Nodes {
		h := ""
		if i < len(d.Nodes) {
			h = strconv.FormatInt(d.Nodes[i].Height(), 10)
		}
		api := n.APIURL
		if i < len(d.Nodes) {
			api = d.Nodes[i].APIURL()
		}
		fmt.Fprintf(tw, "node%d\t%s\t%s\t%s\t%s\t%s\n", n.Index, n.Org, h, api, n.RPCURL, n.MetricsURL)
	}
	tw.Flush()

	fmt.Fprintln(w, "\norganisations and identities:")
	for _, o := range c.Orgs {
		fmt.Fprintf(w, "\n  %s  %s (%s, %s)\n", o.ID, o.Name, o.Type, o.Alg)
		fmt.Fprintf(w, "    keystore  %s   (CA key %q, CA cert %s)\n", o.Keystore, o.CAKey, o.CACert)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, id := range c.Identities {
			if id.Org == o.ID {
				fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", id.Key, id.Role, id.ID, id.Name)
			}
		}
		tw.Flush()
	}

	api := ""
	if len(c.Nodes) > 0 {
		api = c.Nodes[0].APIURL
		if len(d.Nodes) > 0 {
			api = d.Nodes[0].APIURL()
		}
	}
	fmt.Fprintf(w, "\nconsole: %s/console/   (sign in with an identity's NAME.key, NAME.crt and NAME.enc from its keystore)\n", api)
	fmt.Fprintln(w, "\ntry:")
	fmt.Fprintf(w, "  otc status --api %s\n", api)
	if len(c.Orgs) > 0 {
		fmt.Fprintf(w, "  otc keys list --home %s\n", d.Home)
		fmt.Fprintf(w, "  otc keys show --home %s --org %s admin   # or --keystore %s\n", d.Home, c.Orgs[0].ID, c.Orgs[0].Keystore)
		if c.DevPassphrase != "" {
			fmt.Fprintf(w, "  export OTC_PASSPHRASE=%s   # for commands that use a key\n", c.DevPassphrase)
		}
		inv, _ := c.Identity("rs-bank", "investor-1")
		printFundDemo(w, d.Home, api, inv.ID, time.Now())
	}
	fmt.Fprintln(w, "\nstop with Ctrl-C.")
}

// printFundDemo tells how to try the fund demo of the genesis
// (DevFundGenesis): a purchase by rs-bank's investor-1 (identity invID),
// registered and given an account first, so that every line runs as
// printed on a new network (node/dev_test and cmd/otc run them).
func printFundDemo(w io.Writer, home, api, invID string, now time.Time) {
	fmt.Fprintf(w, "\nfund demo: %s (fm-alpha, open, NAV 1.0000) and %s (fm-beta, offering); calendar: weekdays minus\n", DemoOpenFund, DemoOfferingFund)
	fmt.Fprintln(w, "the official SSE/SZSE holidays of 2025 and 2026 (the regulator extends it: otc supervise calendar). Walk-through: docs/fund-cli.md")
	fmt.Fprintf(w, "  otc fund show %s --api %s\n", DemoOpenFund, api)
	if invID != "" {
		today, _ := fund.ChinaDate(now)
		expires, _ := today.AddDays(365)
		fmt.Fprintln(w, "a purchase by rs-bank's investor-1: register it after KYC (once), open its TA account with fm-alpha, buy:")
		fmt.Fprintf(w, "  otc fund investor register --home %s --as rs-bank/operator --id INV001 --type individual --risk C4 --assessed %s --expires %s --identity %s --name \"Zhang San\" --id-type resident_id --id-number 11010519491231002X --phone 13800000000\n",
			home, today, expires, invID)
		fmt.Fprintf(w, "  otc fund account open --home %s --as rs-bank/operator --investor INV001 --manager fm-alpha\n", home)
		fmt.Fprintf(w, "  otc fund purchase --home %s --as rs-bank/operator --investor INV001 --fund %s --amount 10000.00 --app-no P0001 --investor-key investor-1\n", home, DemoOpenFund)
		fmt.Fprintf(w, "  otc fund orders INV001 --home %s --as rs-bank/operator\n", home)
	}
	fmt.Fprintln(w, "business clock: SIMULATED (a dev day is never a real one); any operator moves it forward, e.g. past the")
	fmt.Fprintln(w, "15:00 cut-off to publish the NAV at any hour (docs/fund.md, \"Business clock\"):")
	fmt.Fprintf(w, "  otc clock show --api %s\n", api)
	fmt.Fprintf(w, "  otc clock advance --next-cutoff --home %s --as regulator/operator\n", home)
}

// PortInUseError says that a port a dev network needs is taken. The caller
// (otc dev) names its flag; Suggest is a base port whose ports were all free
// when checked (0: none found).
type PortInUseError struct {
	Port    int    // the busy port
	Service string // node{i} p2p, rpc, api or metrics
	Base    int    // the network's base port
	Suggest int
	// New says the network is not generated yet: another base port is
	// enough. An existing network keeps its ports unless reset.
	New bool
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d (%s, base port %d) is in use: is another otc dev or program using it?", e.Port, e.Service, e.Base)
}

// portErr completes a *PortInUseError of portsFree with the network's base
// port and a free suggestion for n nodes.
func portErr(err error, base, n int, isNew bool) error {
	var pe *PortInUseError
	if !errors.As(err, &pe) {
		return err
	}
	pe.Base, pe.New = base, isNew
	if s, err := ports.FreeBase(n); err == nil {
		pe.Suggest = s
	}
	return pe
}

// portsFree checks that a node's ports on this machine are free.
func portsFree(n NodeInfo) error {
	if !isLoopback(n.Host) {
		return nil
	}
	names := []string{"p2p", "rpc", "api", "metrics"}
	for k, p := range []int{n.P2PPort, n.RPCPort, n.APIPort, n.MetricsPort} {
		host := listenHost(n.Host)
		if p == n.RPCPort {
			host = "127.0.0.1"
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err != nil {
			return &PortInUseError{Port: p, Service: fmt.Sprintf("node%d %s", n.Index, names[k])}
		}
		ln.Close()
	}
	return nil
}
