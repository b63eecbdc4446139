package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxEventBytes bounds one server-sent event.
const MaxEventBytes = 16 << 20

// Events streams the results of committed txs, one TxEvent per tx in chain
// order, starting at height from (from <= 0: from the next block). It
// reconnects by itself after a network failure or a server restart, resuming
// after the last event delivered (Last-Event-ID), so fn sees every tx exactly
// once. It returns fn's error if fn fails, ctx's error when ctx ends, or an
// API error the server answers with (for example CodeHeightUnavailable).
func (c *Client) Events(ctx context.Context, from int64, fn func(*TxEvent) error) error {
	if from <= 0 {
		st, err := c.Status(ctx)
		if err != nil {
			return err
		}
		from = st.LatestHeight + 1
	}
	return c.follow(ctx, from, "", fn)
}

// EventsResume is Events resuming right after the event with the given id
// ("height:index"), as a browser's EventSource does with Last-Event-ID.
func (c *Client) EventsResume(ctx context.Context, lastEventID string, fn func(*TxEvent) error) error {
	if _, _, err := ParseEventID(lastEventID); err != nil {
		return err
	}
	return c.follow(ctx, 0, lastEventID, fn)
}

// ParseEventID splits an event id "height:index".
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

type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }

func (c *Client) follow(ctx context.Context, from int64, lastID string, fn func(*TxEvent) error) error {
	backoff := 100 * time.Millisecond
	for {
		delivered := false
		err := c.streamOnce(ctx, from, lastID, func(ev *TxEvent) error {
			if err := fn(ev); err != nil {
				return &callbackError{err}
			}
			lastID = ev.ID
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
func (c *Client) streamOnce(ctx context.Context, from int64, lastID string, fn func(*TxEvent) error) error {
	q := url.Values{}
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
	return ReadEvents(resp.Body, fn)
}

// ReadEvents parses a text/event-stream body, calling fn for every "tx"
// event. An "error" event (the server failed mid-stream) ends the stream
// with the *Error it carries. Comments (heartbeats) and other event types
// are skipped. It returns nil at the end of the stream.
func ReadEvents(r io.Reader, fn func(*TxEvent) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxEventBytes)
	var id, typ string
	var data strings.Builder
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			if data.Len() > 0 || typ != "" {
				if err := dispatch(id, typ, data.String(), fn); err != nil {
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

func dispatch(id, typ, data string, fn func(*TxEvent) error) error {
	switch typ {
	case "", "tx":
		var ev TxEvent
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return fmt.Errorf("client: event %s: %w", id, err)
		}
		if ev.ID == "" {
			ev.ID = id
		}
		return fn(&ev)
	case "error":
		var eb ErrorBody
		if err := json.Unmarshal([]byte(data), &eb); err != nil || eb.Error == nil || eb.Error.Code == "" {
			return &Error{Code: CodeUnexpectedResponse, Message: data}
		}
		return eb.Error
	}
	return nil
}
