package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// loginRegulator logs the env's client in as a regulator, who sees every
// entry of the stream; it returns a function logging in again (against a
// restarted server).
func loginRegulator(t *testing.T, env *apitest.Env) func() error {
	t.Helper()
	id, key := env.App.AddIdentity(t, "reg", module.RoleRegulator, crypto.Ed25519)
	login := func() error {
		_, err := env.Client.Login(context.Background(), id, key.Sign)
		return err
	}
	if err := login(); err != nil {
		t.Fatal(err)
	}
	return login
}

func TestEvents(t *testing.T) {
	env := apitest.NewEnv(t)
	ctx := ctxT(t)
	c := env.Client
	loginRegulator(t, env)

	// Commit a few txs, remembering where they went.
	var committed []*client.TxResult
	for i := range 5 {
		res, err := c.BroadcastTx(ctx, fmt.Appendf(nil, "ev%d=%d", i, i), true)
		if err != nil {
			t.Fatal(err)
		}
		committed = append(committed, res)
	}
	first := committed[0].Height

	collect := func(t *testing.T, n int, run func(ctx context.Context, fn func(*client.TxEvent) error) error) []*client.TxEvent {
		t.Helper()
		var got []*client.TxEvent
		stop := errors.New("enough")
		err := run(ctx, func(ev *client.TxEvent) error {
			got = append(got, ev)
			if len(got) == n {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Fatalf("events: %v", err)
		}
		return got
	}

	t.Run("replay from a height", func(t *testing.T) {
		got := collect(t, 5, func(ctx context.Context, fn func(*client.TxEvent) error) error {
			return c.Events(ctx, first, fn)
		})
		for i, ev := range got {
			want := committed[i]
			if ev.Hash != want.Hash || ev.Height != want.Height || ev.Index != want.Index ||
				ev.ID != fmt.Sprintf("%d:%d", want.Height, want.Index) || ev.Code != 0 || ev.Time.IsZero() ||
				len(ev.Events) != 2 || ev.Events[0].Attrs[1].Value != fmt.Sprintf("ev%d", i) {
				t.Fatalf("event %d: %+v, want %+v", i, ev, want)
			}
		}
	})

	t.Run("resume after an event id", func(t *testing.T) {
		got := collect(t, 3, func(ctx context.Context, fn func(*client.TxEvent) error) error {
			return c.EventsResume(ctx, fmt.Sprintf("%d:%d", committed[1].Height, committed[1].Index), fn)
		})
		for i, ev := range got {
			if ev.Hash != committed[i+2].Hash {
				t.Fatalf("event %d: %+v, want %s", i, ev, committed[i+2].Hash)
			}
		}
	})

	t.Run("follow new blocks", func(t *testing.T) {
		done := make(chan []*client.TxEvent, 1)
		errc := make(chan error, 1)
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			var got []*client.TxEvent
			errc <- c.Events(sctx, 0, func(ev *client.TxEvent) error {
				got = append(got, ev)
				if len(got) == 2 {
					done <- got
				}
				return nil
			})
		}()
		// The stream starts at the next block: wait until the server has
		// the stream open before committing.
		apitest.Eventually(t, 10*time.Second, func() bool {
			return counterGauge(t, env, "otcchain_api_event_streams") >= 1
		}, "stream open")
		a, err := c.BroadcastTx(ctx, []byte("live1=1"), true)
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.BroadcastTx(ctx, []byte("fail=live"), true)
		if err != nil {
			t.Fatal(err)
		}
		var got []*client.TxEvent
		select {
		case got = <-done:
		case err := <-errc:
			t.Fatal(err)
		case <-ctx.Done():
			t.Fatal("no live events")
		}
		if got[0].Hash != a.Hash || got[1].Hash != b.Hash || got[1].Code != 7 || got[1].Codespace != "test" {
			t.Fatalf("live events %+v %+v", got[0], got[1])
		}
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("after cancel: %v", err)
		}
		apitest.Eventually(t, 10*time.Second, func() bool {
			return counterGauge(t, env, "otcchain_api_event_streams") == 0
		}, "stream closed on disconnect")
	})

	t.Run("bad resume id", func(t *testing.T) {
		for _, id := range []string{"", "x", "0:0", "5", "5:-1", "-5:1", "5:99999999999", "5:b", "5:b-1", "5:bx"} {
			if err := c.EventsResume(ctx, id, func(*client.TxEvent) error { return nil }); err == nil {
				t.Errorf("resume from %q accepted", id)
			}
		}
	})
}

// counterGauge reads one unlabelled metric from /metrics.
func counterGauge(t *testing.T, env *apitest.Env, name string) float64 {
	t.Helper()
	text, err := env.Client.Metrics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, name+" ") {
			var v float64
			fmt.Sscan(strings.TrimPrefix(line, name+" "), &v)
			return v
		}
	}
	return -1
}

// TestEventsReconnect restarts the API server under a running stream: the
// client reconnects with Last-Event-ID and sees every tx exactly once.
func TestEventsReconnect(t *testing.T) {
	env := apitest.NewEnv(t)
	ctx := ctxT(t)
	c := env.Client
	login := loginRegulator(t, env)
	var want []string
	for i := range 4 {
		res, err := c.BroadcastTx(ctx, fmt.Appendf(nil, "r%d=1", i), true)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, res.Hash)
	}
	from, err := c.Tx(ctx, want[0])
	if err != nil {
		t.Fatal(err)
	}

	restarted := make(chan struct{})
	var got []string
	stop := errors.New("enough")
	err = c.Events(ctx, from.Height, func(ev *client.TxEvent) error {
		got = append(got, ev.Hash)
		switch len(got) {
		case 2:
			// Take the server away mid-stream and bring up another on the
			// same address; the stream breaks and the client reconnects.
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := env.Server.Close(sctx); err != nil {
				return err
			}
			env.StartServer(t, env.Server.Addr())
			// Tokens die with the server that issued them: log in to the
			// new one; the client reconnects with the new token.
			if err := login(); err != nil {
				return err
			}
			close(restarted)
		case len(want):
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("events: %v", err)
	}
	select {
	case <-restarted:
	default:
		t.Fatal("the server was not restarted")
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, want %v", got, want)
	}

	// An unreachable server: the client keeps trying until ctx ends.
	dead := client.New("http://127.0.0.1:1")
	dctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := dead.Events(dctx, 1, func(*client.TxEvent) error { return nil }); !errors.Is(err, context.DeadlineExceeded) && err == nil {
		t.Fatalf("unreachable server: %v", err)
	}
}

func TestParseEventPos(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want client.EventPos
	}{
		{"1:0", client.EventPos{Height: 1}},
		{"123:45", client.EventPos{Height: 123, Index: 45}},
		{"7:b0", client.EventPos{Height: 7, Block: true}},
		{"7:b12", client.EventPos{Height: 7, Index: 12, Block: true}},
		{"9223372036854775807:b4294967295", client.EventPos{Height: 1<<63 - 1, Index: 1<<32 - 1, Block: true}},
	} {
		got, err := client.ParseEventPos(tc.id)
		if err != nil || got != tc.want || got.String() != tc.id {
			t.Errorf("%q: %+v %v (%q)", tc.id, got, err, got.String())
		}
		// Old ids keep parsing with ParseEventID; block ids do not.
		h, i, err := client.ParseEventID(tc.id)
		if tc.want.Block != (err != nil) || (err == nil && (h != tc.want.Height || i != tc.want.Index)) {
			t.Errorf("ParseEventID(%q) = %d %d %v", tc.id, h, i, err)
		}
	}
	for _, id := range []string{"", "x", "7", "7:", "7:b", "7:bb1", "7:B1", "7:b-1", "7:b+1", "7:b 1", " 7:b1", "7:b1:2",
		"0:b1", "-7:b1", "b7:1", "7:1b", "7:b4294967296", "7:x1"} {
		if p, err := client.ParseEventPos(id); err == nil {
			t.Errorf("%q parsed as %+v", id, p)
		}
	}
	// Stream order: a block's txs, then its block events, then the next block.
	order := []string{"5:0", "5:1", "5:10", "5:b0", "5:b1", "5:b10", "6:0", "6:b0", "10:b0"}
	for i, a := range order {
		for j, b := range order {
			pa, _ := client.ParseEventPos(a)
			pb, _ := client.ParseEventPos(b)
			if got := pa.Compare(pb); got != cmpInt(i, j) {
				t.Errorf("Compare(%s, %s) = %d", a, b, got)
			}
		}
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestEventFilter(t *testing.T) {
	ev := func(typ string, kv ...string) module.Event {
		e := module.Event{Type: typ}
		for i := 0; i+1 < len(kv); i += 2 {
			e.Attrs = append(e.Attrs, module.Attr{Key: kv[i], Value: kv[i+1]})
		}
		return e
	}
	oc := ev("order_confirmed", "order", "O1", "channel", "rs-bank", "investor", "INV001")
	job := ev("fund_job_done", "kind", "confirm", "channel", "")
	for _, tc := range []struct {
		query string
		evs   []module.Event
		match bool
	}{
		{"", nil, true},
		{"", []module.Event{oc}, true},
		{"type=order_confirmed", []module.Event{oc}, true},
		{"type=order_confirmed", []module.Event{job}, false},
		{"type=order_confirmed", nil, false},
		{"type=x,order_confirmed", []module.Event{job, oc}, true},
		{"type=x&type=fund_job_done", []module.Event{job}, true},
		{"channel=rs-bank", []module.Event{oc}, true},
		{"channel=rs-bank&investor=INV001", []module.Event{oc}, true},
		{"channel=rs-bank&investor=INV002", []module.Event{oc}, false},
		{"channel=rs-other&channel=rs-bank", []module.Event{oc}, true},
		{"channel=", []module.Event{oc, job}, true}, // an empty value matches exactly
		{"channel=", []module.Event{oc}, false},
		{"type=fund_job_done&order=O1", []module.Event{oc, job}, false}, // both on one event
		{"channel=rs-bank,rs-other", []module.Event{oc}, false},         // attribute values are not lists
	} {
		q, _ := url.ParseQuery(tc.query)
		f, err := client.ParseEventFilter(q)
		if err != nil {
			t.Fatalf("%q: %v", tc.query, err)
		}
		if got := f.Match(tc.evs); got != tc.match {
			t.Errorf("%q on %v: %v", tc.query, tc.evs, got)
		}
		if f.IsZero() != (tc.query == "") {
			t.Errorf("%q: IsZero %v", tc.query, f.IsZero())
		}
		// The query round-trips (from is not part of the filter).
		back, err := client.ParseEventFilter(f.Query())
		if err != nil || fmt.Sprint(back) != fmt.Sprint(f) {
			t.Errorf("%q: round trip %+v %v", tc.query, back, err)
		}
	}
	if f, err := client.ParseEventFilter(url.Values{"from": {"5"}}); err != nil || !f.IsZero() {
		t.Errorf("from is a filter: %+v %v", f, err)
	}
	for _, q := range []string{"type=", "type=a,", "type=a,,b", "type=" + strings.Repeat("x", client.MaxFilterValBytes+1),
		strings.Repeat("k", client.MaxFilterKeyBytes+1) + "=v", "k=" + strings.Repeat("x", client.MaxFilterValBytes+1),
		strings.Repeat("k=v&", client.MaxFilterValues) + "type=t"} {
		v, _ := url.ParseQuery(q)
		if f, err := client.ParseEventFilter(v); err == nil {
			t.Errorf("%q accepted: %+v", q, f)
		}
	}
	if err := (client.EventFilter{Attrs: map[string][]string{"type": {"x"}}}).Validate(); err == nil {
		t.Error("reserved attribute key accepted")
	}
	if err := (client.EventFilter{Attrs: map[string][]string{"k": nil}}).Validate(); err == nil {
		t.Error("attribute without values accepted")
	}
}

// TestStream follows both kinds of entry through the client, filtered, and
// resumes after a block event.
func TestStream(t *testing.T) {
	env := apitest.NewEnv(t)
	ctx := ctxT(t)
	c := env.Client
	loginRegulator(t, env)
	a, err := c.BroadcastTx(ctx, []byte("sa=1"), true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.BroadcastTx(ctx, []byte("endblock=order_confirmed/order/O1/channel/rs-bank,order_confirmed/order/O2/channel/rs-other,fund_job_done/kind/confirm"), true)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.BroadcastTx(ctx, []byte("endblock=order_confirmed/order/O3/channel/rs-bank"), true)
	if err != nil {
		t.Fatal(err)
	}
	collect := func(t *testing.T, opts client.StreamOptions, n int) []string {
		t.Helper()
		var got []string
		stop := errors.New("enough")
		err := c.Stream(ctx, opts, func(ev *client.StreamEvent) error {
			if (ev.Tx == nil) == (ev.Block == nil) {
				t.Fatalf("entry %+v", ev)
			}
			s := ev.ID()
			if ev.Block != nil {
				if ev.Block.Height != b.Height && ev.Block.Height != d.Height || len(ev.Events()) != 1 || ev.Block.Time.IsZero() {
					t.Fatalf("block entry %+v", ev.Block)
				}
				s += " " + ev.Events()[0].Type + " " + ev.Events()[0].Attrs[0].Value
			}
			got = append(got, s)
			if len(got) == n {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Fatalf("stream: %v", err)
		}
		return got
	}
	tx := func(r *client.TxResult) string { return fmt.Sprintf("%d:%d", r.Height, r.Index) }
	blk := func(h int64, i int, typ, v string) string { return fmt.Sprintf("%d:b%d %s %s", h, i, typ, v) }
	check := func(t *testing.T, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}

	t.Run("all entries", func(t *testing.T) {
		got := collect(t, client.StreamOptions{From: a.Height}, 7)
		check(t, got, tx(a), tx(b),
			blk(b.Height, 0, "order_confirmed", "O1"), blk(b.Height, 1, "order_confirmed", "O2"), blk(b.Height, 2, "fund_job_done", "confirm"),
			tx(d), blk(d.Height, 0, "order_confirmed", "O3"))
	})
	t.Run("filtered", func(t *testing.T) {
		f := client.EventFilter{Types: []string{"order_confirmed"}, Attrs: map[string][]string{"channel": {"rs-bank"}}}
		got := collect(t, client.StreamOptions{From: a.Height, Filter: f}, 2)
		check(t, got, blk(b.Height, 0, "order_confirmed", "O1"), blk(d.Height, 0, "order_confirmed", "O3"))
	})
	t.Run("resume after a block event", func(t *testing.T) {
		got := collect(t, client.StreamOptions{LastEventID: fmt.Sprintf("%d:b1", b.Height)}, 3)
		check(t, got, blk(b.Height, 2, "fund_job_done", "confirm"), tx(d), blk(d.Height, 0, "order_confirmed", "O3"))
	})
	t.Run("Events skips block entries", func(t *testing.T) {
		var got []string
		stop := errors.New("enough")
		err := c.EventsResume(ctx, fmt.Sprintf("%d:b0", b.Height), func(ev *client.TxEvent) error {
			got = append(got, ev.ID)
			return stop
		})
		if !errors.Is(err, stop) {
			t.Fatal(err)
		}
		check(t, got, tx(d))
	})
	t.Run("bad options", func(t *testing.T) {
		for _, o := range []client.StreamOptions{
			{LastEventID: "5:b"},
			{Filter: client.EventFilter{Types: []string{""}}},
			{Filter: client.EventFilter{Attrs: map[string][]string{"from": {"1"}}}},
		} {
			if err := c.Stream(ctx, o, func(*client.StreamEvent) error { return nil }); err == nil {
				t.Errorf("%+v accepted", o)
			}
		}
	})
}
