package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Main is the otc program. Tests build one with their own streams and
// environment, call ParseFlags with an argument list and Run it.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (OTC_PASSPHRASE).
	Getenv func(string) string

	cmd  *cobra.Command // chosen by ParseFlags
	args []string       // its positional arguments
}

// NewMain returns a Main on the process's standard streams and environment.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// commandSet lists constructors of further top-level commands. A file of
// this package adds its commands from init, e.g.
//
//	func init() { addCommands(newIdentityCmd) } // otc identity register|revoke
//
// That is the place for transaction commands (identity register/revoke, ...),
// otc verify and otc bench: one file per command group (cmd_<group>.go),
// using the helpers of helpers.go (passphrase, loadKey, apiClient) and
// package client for anything that talks to a node.
var commandSet []func(*Main) *cobra.Command

func addCommands(fs ...func(*Main) *cobra.Command) { commandSet = append(commandSet, fs...) }

// newRoot builds the command tree.
func (m *Main) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "otc",
		Short: "otcchain: a permissioned consortium blockchain for the OTC fund market",
		Long: `otc runs otcchain nodes, generates networks, manages keys and certificates,
and talks to nodes through their HTTP/JSON API.

Start with "otc dev" for a development network in one process.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	root.AddCommand(
		m.newDevCmd(),
		m.newTestnetCmd(),
		m.newStartCmd(),
		m.newKeysCmd(),
		m.newCACmd(),
		m.newStatusCmd(),
	)
	for _, f := range commandSet {
		root.AddCommand(f(m))
	}
	return root
}

// ParseFlags finds the command named by args and parses its flags and
// arguments, without running anything.
func (m *Main) ParseFlags(_ context.Context, args []string) error {
	root := m.newRoot()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	cmd.InitDefaultHelpFlag()
	if err := cmd.ParseFlags(rest); err != nil {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
	}
	m.cmd = cmd
	pos := cmd.Flags().Args()
	if !cmd.Runnable() && len(pos) > 0 && pos[0] != "help" {
		return unknownSubcommand(cmd, pos[0])
	}
	if m.helpWanted() {
		return nil
	}
	if err := cmd.ValidateArgs(pos); err != nil {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
	}
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
	}
	if err := cmd.ValidateFlagGroups(); err != nil {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
	}
	m.args = pos
	return nil
}

// unknownSubcommand is the error of a command group given a name that is
// none of its subcommands: it names the closest ones and the group's help.
func unknownSubcommand(group *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, group.CommandPath())
	if group.SuggestionsMinimumDistance <= 0 {
		group.SuggestionsMinimumDistance = 2
	}
	if sug := group.SuggestionsFor(name); len(sug) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(sug, "\n\t")
	}
	var subs []string
	for _, c := range group.Commands() {
		if c.IsAvailableCommand() {
			subs = append(subs, c.Name())
		}
	}
	return fmt.Errorf("%s\n\n%s commands: %s\nRun '%s --help' for usage", msg, group.CommandPath(), strings.Join(subs, ", "), group.CommandPath())
}

func (m *Main) helpWanted() bool {
	h, _ := m.cmd.Flags().GetBool("help")
	return h || !m.cmd.Runnable()
}

// Run runs the parsed command. Long-running commands (dev, start) run until
// ctx ends and then stop cleanly.
func (m *Main) Run(ctx context.Context) error {
	if m.cmd == nil {
		return errors.New("otc: ParseFlags was not called")
	}
	if m.helpWanted() {
		return m.cmd.Help()
	}
	m.cmd.SetContext(ctx)
	return m.cmd.RunE(m.cmd, m.args)
}

// Close releases what Run left open. Nothing today: dev and start stop
// their nodes before Run returns.
func (m *Main) Close() error { return nil }
