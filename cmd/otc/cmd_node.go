package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/node"
)

func (m *Main) newDevCmd() *cobra.Command {
	var (
		home, logLevel, engineLevel string
		validators, basePort        int
		reset                       bool
	)
	c := &cobra.Command{
		Use:   "dev",
		Short: "Run a development network: every validator in this process",
		Long: `Run a development network. The first run generates a consortium of six
organisations in --home (keys protected by the well-known INSECURE passphrase
"` + node.DevPassphrase + `"); later runs resume it. Every validator runs in this
process until Ctrl-C (SIGINT) or SIGTERM.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lvl, err := node.ParseLevel(logLevel)
			if err != nil {
				return err
			}
			log := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: lvl}))
			dn, err := node.Dev(cmd.Context(), node.DevConfig{
				Home: home, Validators: validators, Reset: reset, BasePort: basePort,
				Out: m.Stdout, Logger: log, EngineLogLevel: engineLevel,
			})
			if err != nil {
				return devPortHint(err, home)
			}
			<-cmd.Context().Done()
			fmt.Fprintln(m.Stdout, "stopping...")
			if err := dn.Stop(); err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, "stopped.")
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&home, "home", defaultDevHome(), "directory of the dev network")
	f.IntVar(&validators, "validators", 0, fmt.Sprintf("validators of a new network, 1 to %d (default %d)", node.MaxValidators, node.DefaultDevValidators))
	f.BoolVar(&reset, "reset", false, "remove the network in --home and start a new one")
	f.IntVar(&basePort, "base-port", 0, fmt.Sprintf("first port of a new network; node i uses base+10i+{0 p2p,1 rpc,2 api,3 metrics} (default %d)", node.DefaultBasePort))
	f.StringVar(&logLevel, "log-level", "warn", "otcchain log level: debug, info, warn, error")
	f.StringVar(&engineLevel, "engine-log-level", "error", "CometBFT log level: debug, info, error, none")
	return c
}

// devPortHint adds to a busy-port error of otc dev the flag that avoids it
// and a base port that was free.
func devPortHint(err error, home string) error {
	var pe *node.PortInUseError
	if !errors.As(err, &pe) {
		return err
	}
	base, note := "BASE", " (node i uses BASE+10i to BASE+10i+3)"
	if pe.Suggest != 0 {
		base, note = strconv.Itoa(pe.Suggest), " (its ports are free now)"
	}
	if pe.New {
		return fmt.Errorf("%w\nnothing was generated; choose other ports with --base-port, e.g.\n  otc dev --home %s --base-port %s%s", err, home, base, note)
	}
	return fmt.Errorf("%w\nthe network in %s keeps its ports: stop what uses port %d, or start a new network on other ports with --reset --base-port, e.g.\n  otc dev --home %s --reset --base-port %s%s", err, home, pe.Port, home, base, note)
}

func defaultDevHome() string {
	h, err := os.UserHomeDir()
	if err != nil {
		return ".otcchain-dev"
	}
	return filepath.Join(h, ".otcchain-dev")
}

func (m *Main) newTestnetCmd() *cobra.Command {
	var (
		cfg      node.TestnetConfig
		passFile string
		bizClock bool
	)
	c := &cobra.Command{
		Use:   "testnet",
		Short: "Generate a consortium network: CAs, identities, keystores and node homes",
		Long: `Generate a consortium network into --out: for each of the six default
organisations a CA, an admin, an operator (and investors for resellers and
fm-alpha), all keys encrypted with the passphrase; one home per validator
(validator i belongs to organisation i); and consortium.json summarising it.
Give --hosts (one per node) when the nodes run on different machines.

--business-clock makes a sandbox network: its genesis enables the business
clock, which the regulator moves forward with 'otc clock advance' so that a
whole business day (cut-off, NAV, confirmation) runs at any hour. Without it
(the default, and the only choice for a production network) business time
is block time for ever: no message can switch the clock on later.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pass, err := m.passphrase(passFile, true)
			if err != nil {
				return err
			}
			cfg.Passphrase = pass
			if bizClock {
				cfg.BusinessClock = []module.Role{module.RoleRegulator}
			}
			res, err := node.Testnet(cfg)
			if err != nil {
				return err
			}
			printTestnet(m.Stdout, res)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&cfg.OutDir, "out", "", "output directory (must not exist or be empty)")
	f.BoolVar(&cfg.Overwrite, "overwrite", false, "replace an existing output directory")
	f.IntVar(&cfg.Validators, "validators", node.DefaultValidators, fmt.Sprintf("number of validators, 1 to %d", node.MaxValidators))
	f.StringVar(&cfg.ChainID, "chain-id", node.DefaultChainID, "chain id")
	f.StringSliceVar(&cfg.Hosts, "hosts", nil, "one host per node, comma-separated (default 127.0.0.1 for all)")
	f.IntVar(&cfg.BasePort, "base-port", node.DefaultBasePort, "node i uses base+10i+{0 p2p,1 rpc,2 api,3 metrics}")
	f.StringVar(&passFile, "passphrase-file", "", "file holding the passphrase of the generated keys (else $"+PassphraseEnv+" or a prompt)")
	f.IntVar(&cfg.ScryptN, "scrypt-n", 0, "scrypt cost of the keystores (0: the keystore default)")
	f.BoolVar(&bizClock, "business-clock", false, "enable the simulated business clock (sandbox; the regulator advances it)")
	_ = c.MarkFlagRequired("out")
	return c
}

func printTestnet(w io.Writer, res *node.TestnetResult) {
	c := res.Consortium
	fmt.Fprintf(w, "generated %s: chain id %s, %d validators, %d organisations, %d identities\n\n",
		res.Dir, c.ChainID, len(c.Nodes), len(c.Orgs), len(c.Identities))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tORG\tHOME\tP2P\tAPI")
	for _, n := range c.Nodes {
		fmt.Fprintf(tw, "node%d\t%s\t%s\t%s\t%s\n", n.Index, n.Org, n.Home, n.P2PAddress, n.APIURL)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nsummary: %s\n", filepath.Join(res.Dir, node.ConsortiumFile))
	if len(c.Nodes) > 0 {
		fmt.Fprintf(w, "start each node (on its host): otc start --home %s\n", c.Nodes[0].Home)
	}
}

func (m *Main) newStartCmd() *cobra.Command {
	var home, appName string
	c := &cobra.Command{
		Use:   "start",
		Short: "Run a node from its home directory until Ctrl-C or SIGTERM",
		Long: `Run a node from its home directory until Ctrl-C or SIGTERM.

--app baseline runs the minimal comparison application (signature check and
one write per tx, no API) on the same engine settings; otc bench uses it.

For crash-recovery tests, OTC_CRASH_AT=after-finalize:H (or after-commit:H)
makes the node kill itself with SIGKILL right after FinalizeBlock (before
Commit) or right after Commit of height H. OTC_CPUPROFILE=FILE writes a Go CPU
profile of the node until it stops (for performance work; "{pid}" in FILE
becomes the process id, for several nodes on one machine).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := node.StartOptions{CrashAt: m.Getenv("OTC_CRASH_AT")}
			if f := m.Getenv("OTC_CPUPROFILE"); f != "" {
				stop, err := startCPUProfile(strings.ReplaceAll(f, "{pid}", strconv.Itoa(os.Getpid())))
				if err != nil {
					return err
				}
				defer stop()
			}
			switch appName {
			case "otcchain":
			case "baseline":
				opts.Baseline = true
			default:
				return fmt.Errorf("--app must be otcchain or baseline, not %q", appName)
			}
			n, err := node.Start(cmd.Context(), home, opts)
			if err != nil {
				return err
			}
			if opts.Baseline {
				fmt.Fprintf(m.Stdout, "baseline node running: chain %s, rpc %s\n", n.ChainID(), n.RPCURL())
			} else {
				fmt.Fprintf(m.Stdout, "node running: chain %s, api %s, rpc %s\n", n.ChainID(), n.APIURL(), n.RPCURL())
			}
			<-cmd.Context().Done()
			return n.Stop()
		},
	}
	c.Flags().StringVar(&home, "home", "", "node home directory (config/ and data/)")
	c.Flags().StringVar(&appName, "app", "otcchain", "application: otcchain, or baseline (for otc bench)")
	_ = c.MarkFlagRequired("home")
	return c
}

// startCPUProfile profiles the process into file until stop is called.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
