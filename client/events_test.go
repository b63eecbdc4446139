package client_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/client"
)

func TestEvents(t *testing.T) {
	env := apitest.NewEnv(t)
	ctx := ctxT(t)
	c := env.Client

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
		for _, id := range []string{"", "x", "0:0", "5", "5:-1", "-5:1", "5:99999999999"} {
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
