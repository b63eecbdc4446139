package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/module"
)

func init() { addCommands(newLoginCmd, newEventsCmd) }

// newLoginCmd is "otc login": the API's challenge login done for a tool that
// cannot sign (curl, a script), printing the bearer token.
func newLoginCmd(m *Main) *cobra.Command {
	var s signerFlags
	var asJSON bool
	c := &cobra.Command{
		Use:   "login --home NET --as ORG/KEY | --keystore DIR --key NAME [--api URL]",
		Short: "Log in to a node's API and print a bearer token for curl and other tools",
		Long: `Signs the API's single-use login challenge (POST /v1/auth/challenge, then
POST /v1/auth/token with the audience host:port of --api) with the identity's
key and prints the bearer token alone on stdout, so that a shell can keep it:

  TOKEN=$(otc login --home ~/.otcchain-dev --as rs-bank/operator)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:26622/v1/q/fund/investors/INV001

The token is valid for that node's API only (its audience) until it expires
(--json prints the expiry) or is revoked (DELETE /v1/auth/token). It is a
credential: do not put it in a URL, a process argument of a long-lived
process, or a log.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			t, err := fs.api.Login(fs.ctx, fs.id, fs.key.Sign)
			if err != nil {
				return fmt.Errorf("log in as %s at %s: %w", fs.id, fs.api.BaseURL(), err)
			}
			if asJSON {
				raw, err := json.Marshal(struct {
					Token    string    `json:"token"`
					Identity string    `json:"identity"`
					Expires  time.Time `json:"expires"`
					API      string    `json:"api"`
				}{t.Token, t.Identity, t.Expires.UTC(), fs.api.BaseURL()})
				if err != nil {
					return err
				}
				return printJSON(m, raw)
			}
			fmt.Fprintln(m.Stdout, t.Token)
			fmt.Fprintf(m.Stderr, "token for %s at %s, expires %s\n", short(t.Identity), fs.api.BaseURL(), chinaTime(t.Expires.UTC().Format(time.RFC3339Nano))+" China time (UTC+8)")
			return nil
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	c.Flags().BoolVar(&asJSON, "json", false, "print token, identity, expiry and API as JSON")
	return c
}

// newEventsCmd is "otc events": GET /v1/events followed, one line per
// event.
func newEventsCmd(m *Main) *cobra.Command {
	var s signerFlags
	var from int64
	var types, attrs []string
	var count int
	var asJSON bool
	c := &cobra.Command{
		Use:   "events [--api URL | --home NET --as ORG/KEY] [--from HEIGHT] [--type T,...] [--attr KEY=VALUE]...",
		Short: "Follow the event stream of committed txs and end-blocks, one line per event",
		Long: `Follows GET /v1/events (server-sent events) and prints one line per event:

  HEIGHT:INDEX  MODULE/TYPE  key=value ...   (tx HASH, or "end-block")

With --as the stream shows what that identity may see (the API decides);
without it, only public events. --from starts at a height (default: the
next block); --type and --attr filter as the API's type= and KEY=VALUE
parameters do; --count stops after that many events. It reconnects where it
left off when the connection drops, and ends with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filter := client.EventFilter{}
			for _, t := range types {
				for _, x := range strings.Split(t, ",") {
					if x = strings.TrimSpace(x); x != "" {
						filter.Types = append(filter.Types, x)
					}
				}
			}
			for _, a := range attrs {
				k, v, ok := strings.Cut(a, "=")
				if !ok || k == "" {
					return fmt.Errorf("--attr %q: want KEY=VALUE, e.g. --attr investor=INV001", a)
				}
				if filter.Attrs == nil {
					filter.Attrs = map[string][]string{}
				}
				filter.Attrs[k] = append(filter.Attrs[k], v)
			}
			if count < 0 {
				return errors.New("--count must be 0 (no limit) or more")
			}
			fs, cancel, err := m.openFund(cmd, &s, false)
			if err != nil {
				return err
			}
			cancel() // the stream has no deadline: it runs until Ctrl-C or --count
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			fs.ctx = ctx
			if err := fs.login(); err != nil {
				return err
			}
			n := 0
			errDone := errors.New("done")
			err = fs.api.Stream(ctx, client.StreamOptions{From: from, Filter: filter}, func(ev *client.StreamEvent) error {
				for _, e := range ev.Events() {
					if !eventWanted(filter, e) {
						continue // another event of a matching entry
					}
					if asJSON {
						raw, err := json.Marshal(eventLine(ev, e))
						if err != nil {
							return err
						}
						fmt.Fprintln(m.Stdout, string(raw))
					} else {
						fmt.Fprintln(m.Stdout, formatEvent(ev, e))
					}
					n++
					if count > 0 && n >= count {
						return errDone
					}
				}
				return nil
			})
			if errors.Is(err, errDone) || errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	_ = c.Flags().MarkHidden("timeout")
	c.Flags().Int64Var(&from, "from", 0, "first height (default: the next block)")
	c.Flags().StringSliceVar(&types, "type", nil, "only these event types (comma-separated or repeated)")
	c.Flags().StringArrayVar(&attrs, "attr", nil, "only events with this attribute KEY=VALUE (repeatable)")
	c.Flags().IntVar(&count, "count", 0, "stop after this many events (0: follow until Ctrl-C)")
	c.Flags().BoolVar(&asJSON, "json", false, "print each event as one JSON object per line")
	return c
}

// eventWanted says whether e itself passes the filter (the API delivers
// whole entries: a tx whose events include one that matches).
func eventWanted(f client.EventFilter, e module.Event) bool {
	if len(f.Types) > 0 {
		ok := false
		for _, t := range f.Types {
			ok = ok || t == e.Type || t == e.Module+"/"+e.Type
		}
		if !ok {
			return false
		}
	}
	for k, vs := range f.Attrs {
		ok := false
		for _, a := range e.Attrs {
			for _, v := range vs {
				ok = ok || (a.Key == k && a.Value == v)
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// streamedEvent is one event of the stream as "otc events --json" prints it.
type streamedEvent struct {
	ID     string            `json:"id"`
	Height int64             `json:"height"`
	Tx     string            `json:"tx,omitempty"`
	Code   uint32            `json:"code"`
	Module string            `json:"module,omitempty"`
	Type   string            `json:"type"`
	Attrs  map[string]string `json:"attrs"`
	Time   time.Time         `json:"time"`
}

func eventLine(ev *client.StreamEvent, e module.Event) streamedEvent {
	out := streamedEvent{ID: ev.ID(), Module: e.Module, Type: e.Type, Attrs: map[string]string{}}
	if ev.Tx != nil {
		out.Height, out.Tx, out.Code, out.Time = ev.Tx.Height, ev.Tx.Hash, ev.Tx.Code, ev.Tx.Time.UTC()
	} else if ev.Block != nil {
		out.Height, out.Time = ev.Block.Height, ev.Block.Time.UTC()
	}
	for _, a := range e.Attrs {
		out.Attrs[a.Key] = a.Value
	}
	return out
}

// formatEvent writes "HEIGHT:INDEX  MODULE/TYPE  k=v ...  (tx HASH)".
func formatEvent(ev *client.StreamEvent, e module.Event) string {
	name := e.Type
	if e.Module != "" {
		name = e.Module + "/" + e.Type
	}
	parts := make([]string, 0, len(e.Attrs))
	for _, a := range e.Attrs {
		parts = append(parts, a.Key+"="+quoteAttr(a.Value))
	}
	where := "end-block"
	if ev.Tx != nil {
		where = "tx " + ev.Tx.Hash
		if ev.Tx.Code != 0 {
			where += fmt.Sprintf(" refused %s/%d", ev.Tx.Codespace, ev.Tx.Code)
		}
	}
	return fmt.Sprintf("%-10s  %-32s  %s  (%s)", ev.ID(), name, strings.Join(parts, " "), where)
}

func quoteAttr(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\"=") {
		return fmt.Sprintf("%q", v)
	}
	return v
}
