package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/module"
)

// sseEntry is one event of a stream as sent.
type sseEntry struct{ id, event, data string }

// sseStream reads a raw GET /v1/events response.
type sseStream struct {
	r          *bufio.Reader
	heartbeats int
}

func openSSE(t *testing.T, ctx context.Context, url string, hdr map[string]string) *sseStream {
	t.Helper()
	sctx, cancel := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(sctx, "GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, resp.Header)
	}
	return &sseStream{r: bufio.NewReader(resp.Body)}
}

// next reads the next event, counting heartbeats on the way.
func (s *sseStream) next(t *testing.T) sseEntry {
	t.Helper()
	var ev sseEntry
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == ": heartbeat":
			s.heartbeats++
		case strings.HasPrefix(line, "id: "):
			ev.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.data = line[6:]
		case line == "" && ev.event != "":
			return ev
		}
	}
}

// quiet asserts that only heartbeats follow (n of them).
func (s *sseStream) quiet(t *testing.T, n int) {
	t.Helper()
	for s.heartbeats = 0; s.heartbeats < n; {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case line == ": heartbeat\n":
			s.heartbeats++
		case strings.HasPrefix(line, "id: ") || strings.HasPrefix(line, "event: ") || strings.HasPrefix(line, "data: "):
			t.Fatalf("unexpected entry line %q", line)
		}
	}
}

func attrs(kv ...string) []module.Attr {
	var out []module.Attr
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, module.Attr{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// TestBlockEventStream: the events of a block's FinalizeBlock response
// follow its txs in the stream, with ids height:b<n> that resume exactly,
// and filters select entries of both kinds by event type and attribute.
func TestBlockEventStream(t *testing.T) {
	env := apitest.NewEnv(t, func(c *api.Config) { c.Heartbeat = 50 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := env.Client
	commit := func(tx string) *client.TxResult {
		t.Helper()
		r, err := c.BroadcastTx(ctx, []byte(tx), true)
		if err != nil {
			t.Fatal(err)
		}
		if r.Code != 0 {
			t.Fatalf("%s: code %d", tx, r.Code)
		}
		return r
	}
	plain := commit("plain=1")
	blk := commit("endblock=order_confirmed/order/O1/channel/rs-bank/investor/INV001," +
		"order_confirmed/order/O2/channel/rs-other/investor/INV002,fund_job_done/kind/confirm/fund/F1")
	after := commit("after=1")
	sentinel := commit("endblock=order_confirmed/order/O9/channel/rs-bank/investor/INV002,dividend_paid/fund/F1/holders/2")
	H, S := blk.Height, sentinel.Height
	id := func(h int64, i int) string { return fmt.Sprintf("%d:%d", h, i) }
	bid := func(h int64, i int) string { return fmt.Sprintf("%d:b%d", h, i) }

	// What the stream must carry, from the node itself.
	type want struct {
		id, event string
		ev        module.Event // block entries
	}
	var all []want
	for h := plain.Height; h <= S; h++ {
		res, err := env.RPC.BlockResults(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.TxsResults {
			all = append(all, want{id: id(h, i), event: "tx"})
		}
		for i, ev := range res.FinalizeBlockEvents {
			var as []module.Attr
			for _, a := range ev.Attributes {
				as = append(as, module.Attr{Key: a.Key, Value: a.Value})
			}
			all = append(all, want{id: bid(h, i), event: "block", ev: module.Event{Type: ev.Type, Attrs: as}})
		}
	}
	indexOf := func(id string) int {
		for i, w := range all {
			if w.id == id {
				return i
			}
		}
		t.Fatalf("%s is not in the chain", id)
		return -1
	}
	// The endblock tx's events are the block's, after its tx.
	if i := indexOf(id(H, int(blk.Index))); all[i+1].id != bid(H, 0) || all[i+3].id != bid(H, 2) ||
		all[i+2].ev.Type != "order_confirmed" || all[i+3].ev.Type != "fund_job_done" {
		t.Fatalf("block %d: %+v", H, all[i:])
	}

	// check reads len(ws) entries and compares them with the chain.
	check := func(t *testing.T, s *sseStream, ws []want) {
		t.Helper()
		for _, w := range ws {
			got := s.next(t)
			if got.id != w.id || got.event != w.event {
				t.Fatalf("entry %s %s, want %s %s", got.id, got.event, w.id, w.event)
			}
			if got.event == "tx" {
				var te client.TxEvent
				if err := json.Unmarshal([]byte(got.data), &te); err != nil || te.ID != w.id || te.Hash == "" {
					t.Fatalf("tx entry %s: %v %+v", got.id, err, te)
				}
				continue
			}
			var be client.BlockEvent
			if err := json.Unmarshal([]byte(got.data), &be); err != nil {
				t.Fatal(err)
			}
			p, err := client.ParseEventPos(got.id)
			if err != nil || !p.Block || be.ID != w.id || be.Height != p.Height || be.Index != p.Index || be.Time.IsZero() ||
				len(be.Events) != 1 || be.Events[0].Type != w.ev.Type || fmt.Sprint(be.Events[0].Attrs) != fmt.Sprint(w.ev.Attrs) {
				t.Fatalf("block entry %s: %s, want %+v", got.id, got.data, w.ev)
			}
			// The shape is a tx entry's: type and attrs under events.
			var raw map[string]json.RawMessage
			_ = json.Unmarshal([]byte(got.data), &raw)
			if raw["events"] == nil || raw["height"] == nil || raw["hash"] != nil {
				t.Fatalf("block entry shape: %s", got.data)
			}
		}
	}
	// A regulator sees every entry.
	login := func() map[string]string {
		rc, _ := env.Login(t, "reg", module.RoleRegulator)
		return map[string]string{"Authorization": "Bearer " + rc.Token()}
	}
	auth := login()
	stream := func(t *testing.T, query string, hdr map[string]string) *sseStream {
		t.Helper()
		h := map[string]string{}
		for k, v := range auth {
			h[k] = v
		}
		for k, v := range hdr {
			h[k] = v
		}
		return openSSE(t, ctx, env.URL+"/v1/events"+query, h)
	}
	from := fmt.Sprintf("?from=%d", plain.Height)

	t.Run("replay", func(t *testing.T) {
		check(t, stream(t, from, nil), all)
		if got := all[indexOf(bid(H, 0))].ev.Attrs; fmt.Sprint(got) != fmt.Sprint(attrs("order", "O1", "channel", "rs-bank", "investor", "INV001")) {
			t.Fatalf("attrs %v", got)
		}
	})

	t.Run("resume", func(t *testing.T) {
		for _, last := range []string{
			bid(H, 0), bid(H, 1), bid(H, 2), // within and at the end of the block events
			id(H, int(blk.Index)), // the last tx: the block events follow
			id(plain.Height, 0),   // an old-form id before them
			bid(S, 0), bid(S, 1),  // the sentinel's
			bid(H, 99), id(H, 4321), // past what the block has: its next block
		} {
			p, _ := client.ParseEventPos(last)
			rest := all
			for len(rest) > 0 {
				q, _ := client.ParseEventPos(rest[0].id)
				if q.Compare(p) > 0 {
					break
				}
				rest = rest[1:]
			}
			s := stream(t, "?from=1", map[string]string{"Last-Event-ID": last})
			check(t, s, rest)
			s.quiet(t, 2)
		}
	})

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			ids   []string
		}{
			{"type=order_confirmed&channel=rs-bank", []string{bid(H, 0), bid(S, 0)}},
			{"investor=INV002", []string{bid(H, 1), bid(S, 0)}},
			{"type=order_confirmed&channel=rs-bank&investor=INV002", []string{bid(S, 0)}}, // one event has both
			{"type=fund_job_done,dividend_paid", []string{bid(H, 2), bid(S, 1)}},
			{"type=fund_job_done&type=dividend_paid", []string{bid(H, 2), bid(S, 1)}},
			{"type=order_confirmed&channel=rs-bank&channel=rs-other", []string{bid(H, 0), bid(H, 1), bid(S, 0)}},
			{"order=O2", []string{bid(H, 1)}},
			{"type=nothing", nil},
			{"channel=rs-none", nil},
			// tx entries: kvstore's tx events are "app" with attribute key.
			{"type=app&key=plain&key=after", []string{id(plain.Height, int(plain.Index)), id(after.Height, int(after.Index))}},
			{"key=endblock", []string{id(H, int(blk.Index)), id(S, int(sentinel.Index))}},
		} {
			t.Run(tc.query, func(t *testing.T) {
				var ws []want
				for _, x := range tc.ids {
					ws = append(ws, all[indexOf(x)])
				}
				s := stream(t, from+"&"+tc.query, nil)
				check(t, s, ws)
				s.quiet(t, 2)
			})
		}
		// A filtered stream resumes exactly too.
		s := stream(t, "?type=order_confirmed&channel=rs-bank", map[string]string{"Last-Event-ID": bid(H, 0)})
		check(t, s, []want{all[indexOf(bid(S, 0))]})
		s.quiet(t, 2)
	})

	t.Run("live", func(t *testing.T) {
		s := stream(t, "?type=order_confirmed&channel=rs-bank", nil)
		commit("endblock=order_confirmed/order/O3/channel/rs-other/investor/INV003")
		r := commit("endblock=fund_job_done/kind/x,order_confirmed/order/O4/channel/rs-bank/investor/INV004")
		got := s.next(t)
		var be client.BlockEvent
		if err := json.Unmarshal([]byte(got.data), &be); err != nil {
			t.Fatal(err)
		}
		if got.id != bid(r.Height, 1) || got.event != "block" || be.Events[0].Attrs[0].Value != "O4" {
			t.Fatalf("live entry %+v", got)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		for _, last := range []string{"5:b", "5:bx", "5:b-1", "5:b4294967296", "5:bb1", "5:B1", "0:b1", "b5:1", "5:1b"} {
			status, hdr, b := do(t, "GET", env.URL+"/v1/events", nil, map[string]string{"Last-Event-ID": last, "Authorization": auth["Authorization"]})
			checkError(t, status, hdr, b, 400, client.CodeInvalidRequest)
		}
		many := url.Values{}
		for i := range client.MaxFilterValues + 1 {
			many.Add("order", fmt.Sprint(i))
		}
		for _, q := range []string{"type=", "type=a,,b", "type=a&channel=x&" + many.Encode(),
			"type=" + strings.Repeat("x", client.MaxFilterValBytes+1), strings.Repeat("k", client.MaxFilterKeyBytes+1) + "=v"} {
			status, hdr, b := do(t, "GET", env.URL+"/v1/events?"+q, nil, auth)
			checkError(t, status, hdr, b, 400, client.CodeInvalidRequest)
		}
	})

	t.Run("cold cache", func(t *testing.T) {
		// A fresh server reads the blocks from the node (BlockResults) rather
		// than from the block events the feed saw.
		env.StartServer(t, fmt.Sprintf("127.0.0.1:%d", apitest.FreePort(t)))
		auth = login() // tokens live in the server that issued them
		check(t, stream(t, from, nil), all)
	})
}
