package client

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otcchain/otcchain/module"
)

// MaxEventBytes bounds one server-sent event.
const MaxEventBytes = 16 << 20

// Events streams the results of committed txs, one TxEvent per tx in chain
// order, starting at height from (from <= 0: from the next block). It
// reconnects by itself after a network failure or a server restart, resuming
// after the last event delivered (Last-Event-ID), so fn sees every tx exactly
// once. It returns fn's error if fn fails, ctx's error when ctx ends, or an
// API error the server answers with (for example CodeHeightUnavailable).
// Block events (the end-block's results, see Stream) are skipped.
//
// The stream needs a login (Login, or WithToken): the client sends its
// bearer token, and the server delivers only the txs and events the
// identity may see (docs/api.md), so fn sees every tx visible to it. Without
// a token, or when the token expires under the stream, it returns the
// server's 401 (CodeInvalidToken).
func (c *Client) Events(ctx context.Context, from int64, fn func(*TxEvent) error) error {
	return c.Stream(ctx, StreamOptions{From: from}, txOnly(fn))
}

// EventsResume is Events resuming right after the event with the given id
// ("height:index" or "height:b<n>"), as a browser's EventSource does with
// Last-Event-ID.
func (c *Client) EventsResume(ctx context.Context, lastEventID string, fn func(*TxEvent) error) error {
	if lastEventID == "" {
		return fmt.Errorf("client: bad event id %q (want height:index or height:b<index>)", lastEventID)
	}
	return c.Stream(ctx, StreamOptions{LastEventID: lastEventID}, txOnly(fn))
}

func txOnly(fn func(*TxEvent) error) func(*StreamEvent) error {
	return func(ev *StreamEvent) error {
		if ev.Tx == nil {
			return nil
		}
		return fn(ev.Tx)
	}
}

// StreamOptions says where Stream starts and which entries it delivers.
type StreamOptions struct {
	// From is the first height (<= 0: the next block). It is ignored when
	// LastEventID is set.
	From int64
	// LastEventID resumes right after the entry with this id.
	LastEventID string
	// Filter selects the entries (the zero filter: all of them).
	Filter EventFilter
}

// Stream follows GET /v1/events like Events, delivering both kinds of entry
// in chain order: the result of every committed tx (ev.Tx) and, after a
// block's txs, every event of the block's end-block (ev.Block; for example
// the fund module's order_confirmed). Only the entries that opts.Filter
// matches are delivered; resumption after a reconnect is exact whatever the
// filter, since ids are positions in the chain.
func (c *Client) Stream(ctx context.Context, opts StreamOptions, fn func(*StreamEvent) error) error {
	if opts.LastEventID != "" {
		if _, err := ParseEventPos(opts.LastEventID); err != nil {
			return err
		}
	}
	if err := opts.Filter.Validate(); err != nil {
		return err
	}
	from := opts.From
	if opts.LastEventID == "" && from <= 0 {
		st, err := c.Status(ctx)
		if err != nil {
			return err
		}
		from = st.LatestHeight + 1
	}
	return c.follow(ctx, from, opts.LastEventID, opts.Filter, fn)
}

// StreamEvent is one entry of GET /v1/events: exactly one of Tx (SSE event
// type "tx") and Block (SSE event type "block") is set.
type StreamEvent struct {
	Tx    *TxEvent
	Block *BlockEvent
}

// ID returns the entry's SSE id.
func (e *StreamEvent) ID() string {
	if e.Block != nil {
		return e.Block.ID
	}
	if e.Tx != nil {
		return e.Tx.ID
	}
	return ""
}

// Events returns the entry's events (one for a block entry).
func (e *StreamEvent) Events() []module.Event {
	if e.Block != nil {
		return e.Block.Events
	}
	if e.Tx != nil {
		return e.Tx.Events
	}
	return nil
}

// BlockEvent is an entry of GET /v1/events that no tx carries: one event of
// a block's FinalizeBlock response (the modules' end-block, for example the
// fund module's order_confirmed, dividend_paid and fund_job_done). A block's
// events come after all its txs, in the order the app emitted them. Its SSE
// id is ID ("height:b<index>"); its shape is a TxEvent's without hash and
// code, with Events holding exactly the one event.
type BlockEvent struct {
	ID     string         `json:"id"`
	Height int64          `json:"height"`
	Index  uint32         `json:"index"` // among the block's FinalizeBlock events
	Time   time.Time      `json:"time"`
	Events []module.Event `json:"events"`
}

// EventPos is the position of an entry of the event stream, which is its
// SSE id: tx Index of block Height ("height:index"), or, when Block is set,
// the Index-th FinalizeBlock event of the block ("height:b<index>"), which
// comes after every tx of the block.
type EventPos struct {
	Height int64
	Index  uint32
	Block  bool
}

// String returns the SSE id of the position.
func (p EventPos) String() string {
	b := ""
	if p.Block {
		b = "b"
	}
	return strconv.FormatInt(p.Height, 10) + ":" + b + strconv.FormatUint(uint64(p.Index), 10)
}

// Compare orders positions in stream order: -1 if p comes before q, 0 if
// they are the same, +1 if p comes after q.
func (p EventPos) Compare(q EventPos) int {
	switch {
	case p.Height != q.Height:
		return cmp.Compare(p.Height, q.Height)
	case p.Block != q.Block:
		if q.Block {
			return -1
		}
		return 1
	}
	return cmp.Compare(p.Index, q.Index)
}

// ParseEventPos parses an entry id of the event stream: "height:index" (a
// tx) or "height:b<index>" (a block event).
func ParseEventPos(id string) (EventPos, error) {
	hs, is, _ := strings.Cut(id, ":")
	rest, block := strings.CutPrefix(is, "b")
	h, i, err := ParseEventID(hs + ":" + rest)
	if err != nil {
		return EventPos{}, fmt.Errorf("client: bad event id %q (want height:index or height:b<index>)", id)
	}
	return EventPos{Height: h, Index: i, Block: block}, nil
}

// ParseEventID splits a tx event id "height:index". Ids of block events
// ("height:b<index>") are refused: ParseEventPos reads both.
func ParseEventID(id string) (height int64, index uint32, err error) {
	hs, is, ok := strings.Cut(id, ":")
	if ok {
		var h, i uint64
		h, err = strconv.ParseUint(hs, 10, 63)
		if err == nil {
			i, err = strconv.ParseUint(is, 10, 32)
		}
		if err == nil && h > 0 {
			return int64(h), uint32(i), nil
		}
	}
	return 0, 0, fmt.Errorf("client: bad event id %q (want height:index)", id)
}

// Limits of an event filter.
const (
	MaxFilterValues   = 32  // type and attribute values in all
	MaxFilterKeyBytes = 64  // an attribute key
	MaxFilterValBytes = 256 // a type or an attribute value
)

// EventFilter selects entries of the event stream. An entry is delivered
// when one of its events matches: its type is one of Types (any type when
// Types is empty) and, for every key of Attrs, it has that attribute with
// one of the listed values. The zero filter matches every entry.
//
// In the query of GET /v1/events, Types is "type" (repeated, or a comma
// list) and every other parameter but "from" is an attribute: for example
// ?type=order_confirmed&channel=rs-bank. Attribute values match exactly
// (repeat a parameter to allow several values). The key "module" matches
// the event's Module (the module that emitted it), e.g. ?module=fund.
//
// The server applies the filter to the events the caller may see only
// (see docs/api.md): a filter never reveals that hidden events exist.
type EventFilter struct {
	Types []string
	Attrs map[string][]string
}

// filterReserved are query parameters of GET /v1/events that are not
// attribute filters.
var filterReserved = map[string]bool{"from": true, "type": true}

// ParseEventFilter reads the filter of a GET /v1/events query.
func ParseEventFilter(q url.Values) (EventFilter, error) {
	var f EventFilter
	for _, v := range q["type"] {
		for _, t := range strings.Split(v, ",") {
			f.Types = append(f.Types, strings.TrimSpace(t))
		}
	}
	for k, vs := range q {
		if filterReserved[k] {
			continue
		}
		if f.Attrs == nil {
			f.Attrs = map[string][]string{}
		}
		f.Attrs[k] = append(f.Attrs[k], vs...)
	}
	return f, f.Validate()
}

// Validate checks the filter against the limits: no empty type, no empty
// attribute key or reserved one, no attribute without a value.
func (f EventFilter) Validate() error {
	n := len(f.Types)
	for _, t := range f.Types {
		if t == "" || len(t) > MaxFilterValBytes {
			return fmt.Errorf("client: event filter: bad type %q", t)
		}
	}
	for k, vs := range f.Attrs {
		if k == "" || len(k) > MaxFilterKeyBytes || filterReserved[k] {
			return fmt.Errorf("client: event filter: bad attribute key %q", k)
		}
		if len(vs) == 0 {
			return fmt.Errorf("client: event filter: attribute %q without a value", k)
		}
		for _, v := range vs {
			if len(v) > MaxFilterValBytes {
				return fmt.Errorf("client: event filter: attribute %q: value too long", k)
			}
		}
		n += len(vs)
	}
	if n > MaxFilterValues {
		return fmt.Errorf("client: event filter: %d values, at most %d", n, MaxFilterValues)
	}
	return nil
}

// IsZero reports whether the filter matches everything.
func (f EventFilter) IsZero() bool { return len(f.Types) == 0 && len(f.Attrs) == 0 }

// Query returns the filter as query parameters of GET /v1/events.
func (f EventFilter) Query() url.Values {
	q := url.Values{}
	for _, t := range f.Types {
		q.Add("type", t)
	}
	for k, vs := range f.Attrs {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	return q
}

// Match reports whether one of evs matches the filter (always, for the zero
// filter).
func (f EventFilter) Match(evs []module.Event) bool {
	if f.IsZero() {
		return true
	}
	for _, ev := range evs {
		if f.matchOne(ev) {
			return true
		}
	}
	return false
}

func (f EventFilter) matchOne(ev module.Event) bool {
	if len(f.Types) > 0 && !slices.Contains(f.Types, ev.Type) {
		return false
	}
	for k, vs := range f.Attrs {
		found := k == "module" && ev.Module != "" && slices.Contains(vs, ev.Module)
		for _, a := range ev.Attrs {
			if a.Key == k && slices.Contains(vs, a.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }

func (c *Client) follow(ctx context.Context, from int64, lastID string, f EventFilter, fn func(*StreamEvent) error) error {
	backoff := 100 * time.Millisecond
	for {
		delivered := false
		err := c.streamOnce(ctx, from, lastID, f, func(ev *StreamEvent) error {
			if err := fn(ev); err != nil {
				return &callbackError{err}
			}
			if id := ev.ID(); id != "" {
				lastID = id
			}
			delivered = true
			return nil
		})
		var ce *callbackError
		if errors.As(err, &ce) {
			return ce.err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ae *Error
		if errors.As(err, &ae) && ae.HTTPStatus >= 400 && ae.HTTPStatus < 500 && ae.HTTPStatus != http.StatusTooManyRequests {
			return err
		}
		if delivered {
			backoff = 100 * time.Millisecond
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// streamOnce reads one connection's worth of events. It returns when the
// server closes the stream (nil), on a transport error, or on fn's error.
func (c *Client) streamOnce(ctx context.Context, from int64, lastID string, f EventFilter, fn func(*StreamEvent) error) error {
	q := f.Query()
	if from > 0 && lastID == "" {
		q.Set("from", strconv.FormatInt(from, 10))
	}
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/events", q, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("client: GET /v1/events: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return decodeError(resp.StatusCode, b)
	}
	return ReadStream(resp.Body, fn)
}

// ReadEvents parses a text/event-stream body, calling fn for every "tx"
// event. An "error" event (the server failed mid-stream) ends the stream
// with the *Error it carries. Comments (heartbeats) and other event types
// (block events among them) are skipped. It returns nil at the end of the
// stream.
func ReadEvents(r io.Reader, fn func(*TxEvent) error) error {
	return readStream(r, false, txOnly(fn))
}

// ReadStream is ReadEvents delivering block events ("block") too.
func ReadStream(r io.Reader, fn func(*StreamEvent) error) error {
	return readStream(r, true, fn)
}

func readStream(r io.Reader, blocks bool, fn func(*StreamEvent) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxEventBytes)
	var id, typ string
	var data strings.Builder
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			if data.Len() > 0 || typ != "" {
				if err := dispatch(id, typ, data.String(), blocks, fn); err != nil {
					return err
				}
			}
			typ = ""
			data.Reset()
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue // comment (heartbeat)
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			id = value
		case "event":
			typ = value
		case "data":
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(value)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("client: event stream: %w", err)
	}
	return nil
}

func dispatch(id, typ, data string, blocks bool, fn func(*StreamEvent) error) error {
	switch typ {
	case "", "tx":
		var ev TxEvent
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return fmt.Errorf("client: event %s: %w", id, err)
		}
		if ev.ID == "" {
			ev.ID = id
		}
		return fn(&StreamEvent{Tx: &ev})
	case "block":
		if !blocks {
			return nil
		}
		var ev BlockEvent
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return fmt.Errorf("client: event %s: %w", id, err)
		}
		if ev.ID == "" {
			ev.ID = id
		}
		return fn(&StreamEvent{Block: &ev})
	case "error":
		var eb ErrorBody
		if err := json.Unmarshal([]byte(data), &eb); err != nil || eb.Error == nil || eb.Error.Code == "" {
			return &Error{Code: CodeUnexpectedResponse, Message: data}
		}
		return eb.Error
	}
	return nil
}
