package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/module"
)

func init() { addCommands(newLoginCmd, newEventsCmd) }

// newLoginCmd: otc login prints a bearer token so that curl and other tools
// can call the API without implementing the challenge-signature login.
func newLoginCmd(m *Main) *cobra.Command {
	var (
		s      signerFlags
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "login",
		Short: "Log in to a node's API and print a bearer token for curl and other tools",
		Long: `otc login signs a login challenge of the node's API with the signer's key
(POST /v1/auth/challenge, then POST /v1/auth/token with the v2 message, for
the node's host:port as audience) and prints the bearer token alone on
stdout, so that a shell can keep it:

  TOKEN=$(otc login --home NET --as rs-bank/admin)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:26602/v1/q/fund/funds

The token is valid on that node only, until it expires (--json prints the
expiry) or is revoked (curl -X DELETE .../v1/auth/token with the header).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			t, err := fs.api.Login(fs.ctx, fs.id, fs.key.Sign)
			if err != nil {
				return fmt.Errorf("log in as %s: %w", fs.id, err)
			}
			if asJSON {
				enc := json.NewEncoder(m.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					client.Token
					API string `json:"api"`
				}{*t, fs.api.BaseURL()})
			}
			fmt.Fprintln(m.Stdout, t.Token)
			fmt.Fprintf(m.Stderr, "logged in to %s as %s until %s\n", fs.api.BaseURL(), t.Identity, t.Expires.Format(time.RFC3339))
			return nil
		},
	}
	s.register(c.Flags())
	c.Flags().BoolVar(&asJSON, "json", false, "print the token, identity, expiry and API URL as JSON")
	return c
}

// newEventsCmd: otc events follows GET /v1/events, one line per event.
func newEventsCmd(m *Main) *cobra.Command {
	var (
		s      signerFlags
		token  string
		from   int64
		count  int
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "events",
		Short: "Follow the event stream of a node (one line per event) until interrupted",
		Long: `otc events logs in as the signer (or uses --token from otc login) and follows
GET /v1/events, printing one line per event the identity may see:

  ID HEIGHT TIME tx|block HASH code=N MODULE/TYPE key=value ...

--json prints each event as one JSON object a line. --from starts at a past
height (default: the next block); --count stops after that many events.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if count < 0 {
				return errors.New("--count must not be negative")
			}
			var (
				api *client.Client
			)
			if token != "" {
				if s.api == "" {
					return errors.New("--token needs --api (the node the token was issued by)")
				}
				c, err := apiClient(s.api)
				if err != nil {
					return err
				}
				c.SetToken(token)
				api = c
			} else {
				fs, cancel, err := m.openFund(cmd, &s, true)
				if err != nil {
					return err
				}
				cancel()
				api = fs.api
				ctx, cancel := contextTimeout(cmd, s.timeout)
				_, err = api.Login(ctx, fs.id, fs.key.Sign)
				cancel()
				if err != nil {
					return fmt.Errorf("log in as %s: %w", fs.id, err)
				}
			}
			seen := 0
			errDone := errors.New("done")
			err := api.Stream(cmd.Context(), client.StreamOptions{From: from}, func(ev *client.StreamEvent) error {
				for _, e := range ev.Events() {
					if err := printEvent(m, ev, e, asJSON); err != nil {
						return err
					}
					seen++
					if count > 0 && seen >= count {
						return errDone
					}
				}
				return nil
			})
			if errors.Is(err, errDone) || (err != nil && cmd.Context().Err() != nil) {
				return nil
			}
			return err
		},
	}
	s.register(c.Flags())
	c.Flags().StringVar(&token, "token", "", "bearer token from otc login (with --api) instead of a signer")
	c.Flags().Int64Var(&from, "from", 0, "first height (default: the next block)")
	c.Flags().IntVar(&count, "count", 0, "stop after this many events (0: follow until interrupted)")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per event")
	return c
}

// eventLine is one event as otc events --json prints it.
type eventLine struct {
	ID     string            `json:"id"`
	Height int64             `json:"height"`
	Time   time.Time         `json:"time"`
	Kind   string            `json:"kind"` // tx or block
	Hash   string            `json:"hash,omitempty"`
	Code   uint32            `json:"code"`
	Module string            `json:"module,omitempty"`
	Type   string            `json:"type"`
	Attrs  map[string]string `json:"attrs"`
}

func printEvent(m *Main, ev *client.StreamEvent, e module.Event, asJSON bool) error {
	l := eventLine{ID: ev.ID(), Module: e.Module, Type: e.Type, Attrs: map[string]string{}}
	if ev.Tx != nil {
		l.Height, l.Time, l.Kind, l.Hash, l.Code = ev.Tx.Height, ev.Tx.Time, "tx", ev.Tx.Hash, ev.Tx.Code
	} else if ev.Block != nil {
		l.Height, l.Time, l.Kind = ev.Block.Height, ev.Block.Time, "block"
	}
	for _, a := range e.Attrs {
		l.Attrs[a.Key] = a.Value
	}
	if asJSON {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(m.Stdout, "%s\n", b)
		return err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %d %s %s", l.ID, l.Height, l.Time.UTC().Format(time.RFC3339), l.Kind)
	if l.Kind == "tx" {
		fmt.Fprintf(&sb, " %s code=%d", l.Hash, l.Code)
	}
	name := l.Type
	if l.Module != "" {
		name = l.Module + "/" + l.Type
	}
	fmt.Fprintf(&sb, " %s", name)
	for _, a := range e.Attrs {
		fmt.Fprintf(&sb, " %s=%s", a.Key, quoteIfNeeded(a.Value))
	}
	_, err := fmt.Fprintln(m.Stdout, sb.String())
	return err
}

func quoteIfNeeded(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n\"=") {
		return fmt.Sprintf("%q", v)
	}
	return v
}
