package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/client"
)

// streamWriteTimeout bounds one write to an event stream: a client that
// does not read is dropped.
const streamWriteTimeout = 30 * time.Second

// viewerRefresh is how often a stream re-reads what its caller may see
// (whether its organisation is the regulator; an investor's records). The
// token and the identity are checked more often: at every block.
const viewerRefresh = time.Minute

// A stream retries a block it cannot read every fetchRetry, and gives up
// after maxFetchFailures attempts in a row.
const (
	fetchRetry       = 200 * time.Millisecond
	maxFetchFailures = 25
)

// handleEvents streams the chain's entries in order: for each block, the
// result of every tx ("tx", id "height:index"), then every event of the
// block's FinalizeBlock response ("block", id "height:b<index>"). Entries
// up to and including Last-Event-ID are skipped; a filter in the query
// (client.ParseEventFilter) leaves out the entries it does not match.
//
// The stream is for logged-in identities, and each sees only the events
// visibility.go lets it see: an entry keeps its visible events only, and
// one with none is not sent (ids are chain positions, so resuming after
// any entry is exact whatever was left out). The token is checked again
// while the stream runs: when it expires or its identity loses its
// standing, the stream ends with an error event.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.caller(r)
	if err != nil {
		return err
	}
	if caller == nil {
		_ = s.record(r, nil, audit.Entry{Kind: audit.KindReadRefused, Subject: "events", Outcome: "refused", Reason: "anonymous"})
		return invalidToken("the event stream is for authenticated members: log in (POST /v1/auth/token) and send the bearer token")
	}
	who, err := s.viewerOf(caller)
	if err != nil {
		return err
	}
	viewed := time.Now()
	var next int64
	var skip client.EventPos // entries at or before it are not sent (zero: none)
	q := r.URL.Query()
	filter, err := client.ParseEventFilter(q)
	if err != nil {
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "%s", strings.TrimPrefix(err.Error(), "client: "))
	}
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		p, err := client.ParseEventPos(id)
		if err != nil {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "Last-Event-ID %q is not height:index or height:b<index>", id)
		}
		next, skip = p.Height, p
	} else if f := q.Get("from"); f != "" {
		h, err := parseHeight(f)
		if err != nil {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "from=%q: %v", f, err)
		}
		next = h
	}

	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		return errorf(http.StatusServiceUnavailable, client.CodeOverCapacity, "too many event streams: retry later")
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	st, err := s.cfg.RPC.Status(ctx)
	if err != nil {
		return nodeUnavailable("status", err)
	}
	latest := st.SyncInfo.LatestBlockHeight
	if next == 0 {
		next = latest + 1
	}
	if next < st.SyncInfo.EarliestBlockHeight {
		return errorf(http.StatusGone, client.CodeHeightUnavailable, "height %d is pruned: the earliest available is %d", next, st.SyncInfo.EarliestBlockHeight)
	}
	s.feed.ensure(s.ctx)

	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // a stream outlives the server's read timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s.metrics.streams.Inc()
	defer s.metrics.streams.Dec()

	bw := bufio.NewWriterSize(w, 32<<10)
	flush := func() error {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		if err := bw.Flush(); err != nil {
			return err
		}
		return rc.Flush()
	}
	// send writes one entry; an error ends the stream.
	send := func(typ, id string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "id: %s\nevent: %s\ndata: %s\n\n", id, typ, b)
		if bw.Buffered() > 16<<10 {
			return flush()
		}
		return nil
	}
	fmt.Fprintf(bw, "retry: 1000\n: otcchain events from height %d\n\n", next)
	if err := flush(); err != nil {
		return nil
	}
	heartbeat := time.NewTicker(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	failures := 0
	for {
		// The token and the identity's standing, again (they may lapse
		// under a long stream); a regulator's status may change too.
		if c, err := s.caller(r); err != nil || c == nil {
			ae, _ := asAPIError(err)
			if c == nil && err == nil {
				ae = invalidToken("the token is no longer valid: log in again")
			}
			writeSSEError(bw, ae)
			_ = flush()
			return nil
		} else if c.Role != who.role || c.Org != who.org || time.Since(viewed) > viewerRefresh {
			if who, err = s.viewerOf(c); err != nil {
				writeSSEError(bw, nodeUnavailable("read the caller's organisation", err))
				_ = flush()
				return nil
			}
			viewed = time.Now()
		}
		fh, changed := s.feed.state()
		latest = max(latest, fh)
		for ; next <= latest; next++ {
			e, err := s.cache.get(ctx, next)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				// The node may list a block before its results are saved:
				// try again for a while before giving up on the stream.
				if failures++; failures < maxFetchFailures {
					break
				}
				s.log.Warn("api: event stream", "height", next, "err", err)
				writeSSEError(bw, nodeUnavailable(fmt.Sprintf("read block %d", next), err))
				_ = flush()
				return nil
			}
			failures = 0
			for i := range e.txs {
				pos := client.EventPos{Height: next, Index: uint32(i)}
				if pos.Compare(skip) <= 0 {
					continue
				}
				x := e.results[i]
				evs := who.visible(convertEvents(x.Events), true)
				if len(evs) == 0 || !filter.Match(evs) {
					continue
				}
				ev := client.TxEvent{
					ID: pos.String(), Height: next, Index: uint32(i), Hash: e.hash(i), Time: e.time,
					Code: x.Code, Codespace: x.Codespace, Events: evs,
				}
				if err := send("tx", ev.ID, &ev); err != nil {
					return nil
				}
			}
			for i := range e.events {
				pos := client.EventPos{Height: next, Index: uint32(i), Block: true}
				if pos.Compare(skip) <= 0 {
					continue
				}
				evs := who.visible(convertEvents(e.events[i:i+1]), false)
				if len(evs) == 0 || !filter.Match(evs) {
					continue
				}
				ev := client.BlockEvent{ID: pos.String(), Height: next, Index: uint32(i), Time: e.time, Events: evs}
				if err := send("block", ev.ID, &ev); err != nil {
					return nil
				}
			}
			if err := flush(); err != nil {
				return nil
			}
		}
		var retry <-chan time.Time
		if failures > 0 {
			retry = time.After(fetchRetry)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-retry:
		case <-heartbeat.C:
			_, _ = bw.WriteString(": heartbeat\n\n")
			if err := flush(); err != nil {
				return nil
			}
		}
	}
}

func writeSSEError(bw *bufio.Writer, e *apiError) {
	body := e.body
	b, _ := json.Marshal(client.ErrorBody{Error: &body})
	fmt.Fprintf(bw, "event: error\ndata: %s\n\n", b)
}
