package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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

// TestEventVisibility: the stream is for logged-in identities, and each
// sees only what visibility.go lets it see: its organisation's txs, events
// naming its organisation, members' public events; supervision events are
// the regulator's alone; an entry with nothing visible is not sent, and
// resuming after any position is exact.
func TestEventVisibility(t *testing.T) {
	env := apitest.NewEnv(t, func(c *api.Config) { c.Heartbeat = 50 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	regC, regID := env.Login(t, "reg", module.RoleRegulator)
	adminC, _ := env.Login(t, "reg", module.RoleAdmin) // an admin of the regulator organisation
	r1C, r1ID := env.Login(t, "bank1", module.RoleReseller)
	r2C, r2ID := env.Login(t, "bank2", module.RoleReseller)
	fmC, fmID := env.Login(t, "fund1", module.RoleFundManager)
	invC, invID := env.Login(t, "bank1", module.RoleInvestor)
	env.App.SetInvestor("INV1", invID)
	env.App.SetInvestor("INV9", r2ID) // not an investor identity's: nobody owns it through the stream

	commit := func(tx string) *client.TxResult {
		t.Helper()
		r, err := env.Client.BroadcastTx(ctx, []byte(tx), true)
		if err != nil || r.Code != 0 {
			t.Fatalf("%s: %v %+v", tx, err, r)
		}
		return r
	}
	otc := func(signer, org string) string { return "otc_tx/signer/" + signer + "/org/" + org + "/status/ok" }
	t1 := commit("txevents=" + otc(r1ID, "bank1") +
		",order_received/module/fund/order/bank1-A1/fund/000001/investor/INV1/channel/bank1/manager/fund1/msg_index/0" +
		",compliance_alert/module/supervision/alert/AL1/rule/large_redemption/subject/INV1/msg_index/0")
	t2 := commit("txevents=" + otc(r2ID, "bank2") +
		",order_received/module/fund/order/bank2-B1/fund/000009/investor/INV9/channel/bank2/manager/fund9/msg_index/0")
	t3 := commit("txevents=" + otc(regID, "reg") + ",intervention_proposed/module/supervision/intervention/IV1/action/freeze/msg_index/0")
	t4 := commit("txevents=" + otc(fmID, "fund1") + ",nav_published/module/fund/fund/000001/date/2026-11-24/nav/1.0123/msg_index/0")
	t5 := commit("plain=1")
	// End-block events; the alert has no module attribute (a block from
	// before it existed): its type says it is supervision's.
	t6 := commit("endblock=order_confirmed/module/fund/order/bank1-A1/channel/bank1/investor/INV1/manager/fund1," +
		"order_confirmed/module/fund/order/bank2-B1/channel/bank2/investor/INV9/manager/fund9," +
		"compliance_alert/alert/AL2/subject/INV1," +
		"fund_job_done/module/fund/kind/confirm/fund/000001/manager/fund1")
	t7 := commit("txevents=" + otc(invID, "bank1") + ",risk_acknowledged/module/fund/investor/INV1/fund/000001/msg_index/0")
	t8 := commit("txevents=" + otc(fmID, "fund1") + ",proposal_passed/module/gov/proposal/P1")
	id := func(r *client.TxResult) string { return fmt.Sprintf("%d:%d", r.Height, r.Index) }
	bid := func(r *client.TxResult, i int) string { return fmt.Sprintf("%d:b%d", r.Height, i) }
	from := fmt.Sprintf("?from=%d", t1.Height)

	// read returns "id type type..." for every entry up to the sentinel's.
	read := func(t *testing.T, c *client.Client, query string, hdr map[string]string) []string {
		t.Helper()
		h := map[string]string{"Authorization": "Bearer " + c.Token()}
		for k, v := range hdr {
			h[k] = v
		}
		s := openSSE(t, ctx, env.URL+"/v1/events"+query, h)
		var got []string
		for {
			e := s.next(t)
			var te client.TxEvent
			if err := json.Unmarshal([]byte(e.data), &te); err != nil {
				t.Fatal(err)
			}
			line := e.id
			for _, ev := range te.Events {
				line += " " + ev.Type
				for _, a := range ev.Attrs {
					if a.Key == "module" {
						t.Fatalf("%s: module left among the attributes: %s", e.id, e.data)
					}
				}
				if ev.Type == "order_received" && ev.Module != "fund" {
					t.Fatalf("%s: module %q", e.id, ev.Module)
				}
			}
			got = append(got, line)
			if e.id == id(t8) {
				return got
			}
		}
	}
	check := func(t *testing.T, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}

	t.Run("no token", func(t *testing.T) {
		status, hdr, b := do(t, "GET", env.URL+"/v1/events"+from, nil, nil)
		checkError(t, status, hdr, b, 401, client.CodeInvalidToken)
		status, hdr, b = do(t, "GET", env.URL+"/v1/events"+from, nil, map[string]string{"Authorization": "Bearer forged"})
		checkError(t, status, hdr, b, 401, client.CodeInvalidToken)
		if err := client.New(env.URL).Stream(ctx, client.StreamOptions{From: t1.Height}, func(*client.StreamEvent) error { return nil }); !client.IsCode(err, client.CodeInvalidToken) {
			t.Fatalf("client without a login: %v", err)
		}
	})

	t.Run("regulators see everything", func(t *testing.T) {
		for _, c := range []*client.Client{regC, adminC} {
			got := read(t, c, from, nil)
			for _, w := range []string{id(t1) + " otc_tx order_received compliance_alert", id(t3) + " otc_tx intervention_proposed",
				bid(t6, 2) + " compliance_alert", id(t2) + " otc_tx order_received"} {
				if !slices.Contains(got, w) {
					t.Fatalf("regulator stream lacks %q:\n%s", w, strings.Join(got, "\n"))
				}
			}
			if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, id(t5)+" ") }) {
				t.Fatalf("regulator stream lacks the plain tx %s", id(t5))
			}
		}
	})

	t.Run("reseller", func(t *testing.T) {
		check(t, read(t, r1C, from, nil),
			id(t1)+" otc_tx order_received", // its order, without the alert it raised
			id(t4)+" nav_published",
			bid(t6, 0)+" order_confirmed",
			id(t7)+" otc_tx risk_acknowledged", // its investor signed: the channel's business
			id(t8)+" proposal_passed")
		check(t, read(t, r2C, from, nil),
			id(t2)+" otc_tx order_received",
			id(t4)+" nav_published",
			bid(t6, 1)+" order_confirmed",
			id(t8)+" proposal_passed")
	})

	t.Run("fund manager", func(t *testing.T) {
		check(t, read(t, fmC, from, nil),
			id(t1)+" order_received", // through the reseller, by its manager attribute
			id(t4)+" otc_tx nav_published",
			bid(t6, 0)+" order_confirmed",
			bid(t6, 3)+" fund_job_done",
			id(t8)+" otc_tx proposal_passed")
	})

	t.Run("investor", func(t *testing.T) {
		check(t, read(t, invC, from, nil),
			id(t1)+" order_received", // its own investor record's
			id(t4)+" nav_published",
			bid(t6, 0)+" order_confirmed",
			id(t7)+" otc_tx risk_acknowledged", // it signed
			id(t8)+" proposal_passed")
	})

	t.Run("resume after filtered entries", func(t *testing.T) {
		for _, tc := range []struct {
			last  string
			first string
		}{
			{id(t1), id(t4)},      // the next visible one, past t2 (another reseller's) and t3 (supervision)
			{id(t2), id(t4)},      // an entry this caller never saw
			{id(t5), bid(t6, 0)},  // a hidden plain tx
			{bid(t6, 0), id(t7)},  // past the other reseller's and the alert
			{bid(t6, 99), id(t7)}, // past the block's events
		} {
			got := read(t, r1C, "?from=1", map[string]string{"Last-Event-ID": tc.last})
			if !strings.HasPrefix(got[0], tc.first+" ") {
				t.Fatalf("after %s: %v, want %s first", tc.last, got, tc.first)
			}
		}
	})

	t.Run("filters see visible events only", func(t *testing.T) {
		s := openSSE(t, ctx, env.URL+"/v1/events"+from+"&type=compliance_alert,intervention_proposed", map[string]string{"Authorization": "Bearer " + r1C.Token()})
		s.quiet(t, 2) // t1 carries an alert: the reseller must not learn it
		s = openSSE(t, ctx, env.URL+"/v1/events"+from+"&subject=INV1", map[string]string{"Authorization": "Bearer " + invC.Token()})
		s.quiet(t, 2)
		check(t, read(t, fmC, from+"&type=otc_tx,proposal_passed", nil), id(t4)+" otc_tx nav_published", id(t8)+" otc_tx proposal_passed")
		check(t, read(t, r1C, from+"&module=fund&module=gov", nil),
			id(t1)+" otc_tx order_received", id(t4)+" nav_published", bid(t6, 0)+" order_confirmed",
			id(t7)+" otc_tx risk_acknowledged", id(t8)+" proposal_passed")
	})

	t.Run("tx results", func(t *testing.T) {
		// The submitter's view of its tx has no supervision events.
		tx, err := env.Client.Tx(ctx, t1.Hash)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range tx.Result.Events {
			if ev.Type == "compliance_alert" {
				t.Fatalf("tx result carries %+v", ev)
			}
		}
		if len(tx.Result.Events) != 2 || len(t1.Result.Events) != 2 {
			t.Fatalf("tx result events %+v / %+v", tx.Result.Events, t1.Result.Events)
		}
	})

	t.Run("revoked under the stream", func(t *testing.T) {
		c, who := env.Login(t, "bank2", module.RoleReseller)
		s := openSSE(t, ctx, env.URL+"/v1/events", map[string]string{"Authorization": "Bearer " + c.Token()})
		s.quiet(t, 1)
		env.App.Revoke(who)
		e := s.next(t)
		if e.event != "error" || !strings.Contains(e.data, "identity_revoked") {
			t.Fatalf("after revocation: %+v", e)
		}
	})
}
