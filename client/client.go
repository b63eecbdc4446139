package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// MaxResponseBytes bounds what the client reads of one response body.
const MaxResponseBytes = 64 << 20

// Client calls the otcchain API of one node. It is safe for concurrent use.
type Client struct {
	base      string // without trailing slash
	hc        *http.Client
	userAgent string

	attempt time.Duration // SubmitAndConfirm: wait per submission

	mu    sync.RWMutex
	token string
}

// defaultTransport keeps enough idle connections for many concurrent calls
// to one node (the load generator), instead of net/http's two per host.
var defaultTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 256
	return t
}()

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: a client with no overall
// timeout; every call is bounded by its context instead, which the event
// stream needs).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithToken sets the bearer token sent with every request (see Login).
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithResubmitInterval sets how long SubmitAndConfirm waits for one
// submission to commit before it submits the same bytes again (default 5s).
func WithResubmitInterval(d time.Duration) Option { return func(c *Client) { c.attempt = d } }

// New returns a client of the API at baseURL, e.g. "http://127.0.0.1:26680"
// (the /v1 prefix is added by the client).
func New(baseURL string, opts ...Option) *Client {
	c := &Client{
		base:      strings.TrimRight(baseURL, "/"),
		hc:        &http.Client{Transport: defaultTransport},
		userAgent: "otcchain-client/1",
		attempt:   5 * time.Second,
	}
	for _, o := range opts {
		o(c)
	}
	if c.attempt <= 0 {
		c.attempt = 5 * time.Second
	}
	return c
}

// BaseURL returns the base URL the client was made with.
func (c *Client) BaseURL() string { return c.base }

// SetToken sets (or, with "", clears) the bearer token.
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	c.token = token
	c.mu.Unlock()
}

// Token returns the current bearer token ("" when not logged in).
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.token
}

// TxHash returns the hash under which the chain knows tx: lowercase hex
// SHA-256 of the bytes.
func TxHash(tx []byte) string {
	h := sha256.Sum256(tx)
	return hex.EncodeToString(h[:])
}

// newRequest builds a request for path (beginning with "/") and query.
func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values, body any) (*http.Request, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("client: encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if t := c.Token(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	return req, nil
}

// raw performs a request and returns the body of a 2xx response; any other
// status becomes a *Error.
func (c *Client) raw(ctx context.Context, method, path string, query url.Values, body any) ([]byte, error) {
	req, err := c.newRequest(ctx, method, path, query, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: read response: %w", method, path, err)
	}
	if len(b) > MaxResponseBytes {
		return nil, fmt.Errorf("client: %s %s: response larger than %d bytes", method, path, MaxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, decodeError(resp.StatusCode, b)
	}
	return b, nil
}

// do is raw plus JSON decoding into out (unless out is nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	b, err := c.raw(ctx, method, path, query, body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("client: %s %s: decode response: %w", method, path, err)
	}
	return nil
}

// CodeUnexpectedResponse is the code of a *Error made from a non-2xx
// response that did not carry the API's error shape (a proxy, a wrong URL).
const CodeUnexpectedResponse = "unexpected_response"

func decodeError(status int, b []byte) error {
	var eb ErrorBody
	if err := json.Unmarshal(b, &eb); err == nil && eb.Error != nil && eb.Error.Code != "" {
		eb.Error.HTTPStatus = status
		return eb.Error
	}
	msg := string(b)
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return &Error{HTTPStatus: status, Code: CodeUnexpectedResponse, Message: strings.TrimSpace(msg)}
}

// Status returns the node's chain, height and validators.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	if err := c.do(ctx, http.MethodGet, "/v1/status", nil, nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Genesis returns the chain's genesis document (CometBFT JSON), the trust
// root for verifying receipts. Compare it with a copy obtained out of band
// before trusting it.
func (c *Client) Genesis(ctx context.Context) (json.RawMessage, error) {
	return c.raw(ctx, http.MethodGet, "/v1/genesis", nil, nil)
}

// Identity returns the registered identity id (member/identities/{id}).
func (c *Client) Identity(ctx context.Context, id string) (json.RawMessage, error) {
	return c.raw(ctx, http.MethodGet, "/v1/identities/"+url.PathEscape(id), nil, nil)
}

// Orgs returns the member organisations (member/orgs).
func (c *Client) Orgs(ctx context.Context) (json.RawMessage, error) {
	return c.raw(ctx, http.MethodGet, "/v1/orgs", nil, nil)
}

// Org returns one organisation (member/orgs/{id}).
func (c *Client) Org(ctx context.Context, id string) (json.RawMessage, error) {
	return c.raw(ctx, http.MethodGet, "/v1/orgs/"+url.PathEscape(id), nil, nil)
}

// Query runs a module read: path is "<module>/<query path>", e.g.
// "member/org-identities/bank1"; params become query parameters. Access is
// decided by the app for the logged-in identity (anonymous without a token).
func (c *Client) Query(ctx context.Context, path string, params map[string]string) (json.RawMessage, error) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	return c.raw(ctx, http.MethodGet, "/v1/q/"+strings.Join(segs, "/"), q, nil)
}

// OpenAPI returns the API's OpenAPI 3 document.
func (c *Client) OpenAPI(ctx context.Context) (json.RawMessage, error) {
	return c.raw(ctx, http.MethodGet, "/v1/openapi.json", nil, nil)
}

// Metrics returns the Prometheus text exposition of the node.
func (c *Client) Metrics(ctx context.Context) (string, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/metrics", nil, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("client: GET /metrics: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes))
	if err != nil {
		return "", fmt.Errorf("client: GET /metrics: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", decodeError(resp.StatusCode, b)
	}
	return string(b), nil
}
