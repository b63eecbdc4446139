package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/otcchain/otcchain/client"
)

// streamWriteTimeout bounds one write to an event stream: a client that
// does not read is dropped.
const streamWriteTimeout = 30 * time.Second

// A stream retries a block it cannot read every fetchRetry, and gives up
// after maxFetchFailures attempts in a row.
const (
	fetchRetry       = 200 * time.Millisecond
	maxFetchFailures = 25
)

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	var next, skipHeight int64
	skipIndex := int64(-1)
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		h, i, err := client.ParseEventID(id)
		if err != nil {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "Last-Event-ID %q is not height:index", id)
		}
		next, skipHeight, skipIndex = h, h, int64(i)
	} else if f := r.URL.Query().Get("from"); f != "" {
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
	fmt.Fprintf(bw, "retry: 1000\n: otcchain events from height %d\n\n", next)
	if err := flush(); err != nil {
		return nil
	}
	heartbeat := time.NewTicker(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	failures := 0
	for {
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
				if next == skipHeight && int64(i) <= skipIndex {
					continue
				}
				x := e.results[i]
				ev := client.TxEvent{
					ID:     strconv.FormatInt(next, 10) + ":" + strconv.Itoa(i),
					Height: next, Index: uint32(i), Hash: e.hash(i), Time: e.time,
					Code: x.Code, Codespace: x.Codespace, Events: convertEvents(x.Events),
				}
				b, err := json.Marshal(&ev)
				if err != nil {
					return err
				}
				fmt.Fprintf(bw, "id: %s\nevent: tx\ndata: %s\n\n", ev.ID, b)
				if bw.Buffered() > 16<<10 {
					if err := flush(); err != nil {
						return nil
					}
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
