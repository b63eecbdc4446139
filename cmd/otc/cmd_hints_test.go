package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestUnknownSubcommand: in every command group, a mistyped subcommand is
// an error (otc exits 2) that suggests the right one, not the group's help.
func TestUnknownSubcommand(t *testing.T) {
	m, _, _ := testMain(nil)
	var groups []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasAvailableSubCommands() && !c.Runnable() && c.HasParent() {
			groups = append(groups, c)
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(m.newRoot())
	if len(groups) < 10 {
		t.Fatalf("only %d command groups found", len(groups))
	}
	for _, g := range groups {
		path := strings.Fields(g.CommandPath())[1:]
		var sub string
		for _, s := range g.Commands() {
			if s.IsAvailableCommand() && len(s.Name()) >= 4 {
				sub = s.Name()
				break
			}
		}
		if sub == "" {
			continue
		}
		typo := sub[:2] + sub[3:] // one letter dropped
		t.Run(strings.Join(path, "_"), func(t *testing.T) {
			m, _, _ := testMain(nil)
			err := m.ParseFlags(context.Background(), append(append([]string{}, path...), typo))
			if err == nil {
				t.Fatalf("otc %s %s: no error", strings.Join(path, " "), typo)
			}
			for _, want := range []string{"unknown command " + `"` + typo + `"`, "Did you mean this?\n\t" + sub, g.CommandPath() + " --help"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%s", want, err)
				}
			}
		})
	}
	// The group alone, or with help, still prints its help.
	for _, args := range [][]string{{"fund"}, {"fund", "help"}, {"fund", "investor"}} {
		if out := mustRun(t, nil, args...); !strings.Contains(out, "Usage:") {
			t.Errorf("otc %q printed no usage:\n%s", args, out)
		}
	}
}

// TestSignerHints: the signer flags' errors name what is actually wrong.
func TestSignerHints(t *testing.T) {
	ctx := context.Background()
	purchase := []string{"fund", "purchase", "--investor", "INV001", "--fund", "000001", "--amount", "1.00", "--app-no", "P1"}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"--as without --home", append(purchase, "--as", "rs-bank/operator"), "--as rs-bank/operator needs --home NET"},
		{"--as not ORG/KEY", append(purchase, "--home", t.TempDir(), "--as", "operator"), `--as must be ORG/KEY, e.g. rs-bank/admin, not "operator"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, ctx, nil, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("otc %q: %v, want %q", tc.args, err, tc.want)
			}
		})
	}
	if testing.Short() {
		t.Skip("starts a node")
	}
	tn := startTestNet(t, "otc-hints", "hints-pass", time.Time{})
	// A public read needs only --home (or --api): no --as.
	if out, err := run(t, ctx, nil, "fund", "funds", "--home", tn.dir); err != nil {
		t.Errorf("public read with --home alone: %v\n%s", err, out)
	}
	// A private read without a signer says it is not public and how to sign in.
	if _, err := run(t, ctx, nil, "fund", "holdings", "INV001", "--home", tn.dir); err == nil || !strings.Contains(err.Error(), "this read is not public") || !strings.Contains(err.Error(), "--as ORG/KEY") {
		t.Errorf("private read without --as: %v", err)
	}
	// A signing command with --home alone asks for --as, naming the home.
	if _, err := run(t, ctx, tn.env(), append(purchase, "--home", tn.dir)...); err == nil || !strings.Contains(err.Error(), "this command signs: add --as ORG/KEY to --home "+tn.dir) {
		t.Errorf("signing without --as: %v", err)
	}
	// Only the fund code is wrong: the message says so, not "investor and ...".
	bad := []string{"fund", "purchase", "--investor", "INV001", "--fund", "12345", "--amount", "1.00", "--app-no", "P1", "--home", tn.dir, "--as", "rs-bank/operator"}
	if _, err := run(t, ctx, tn.env(), bad...); err == nil || !strings.Contains(err.Error(), `fund code must be 6 digits, e.g. 000001, not "12345"`) || strings.Contains(err.Error(), "investor") {
		t.Errorf("bad fund code: %v", err)
	}
}
