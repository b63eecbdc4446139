package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/tx"
)

// Body limits.
const (
	// maxTxRequestBytes admits the base64 of a tx of tx.MaxTxBytes plus the
	// JSON around it.
	maxTxRequestBytes = (tx.MaxTxBytes+2)/3*4 + 16<<10
	maxSmallBody      = 16 << 10
)

// Route is one registered route of the API.
type Route struct {
	Method      string // GET, POST, PUT, DELETE
	Pattern     string // net/http pattern path, e.g. /v1/txs/{hash}
	OperationID string // the operationId in the OpenAPI document

	maxBody int64
	handle  func(s *Server, w http.ResponseWriter, r *http.Request) error
}

// Routes lists every route the server registers, in a fixed order.
func Routes() []Route { return append([]Route(nil), routes...) }

var routes = []Route{
	{Method: "GET", Pattern: "/v1/status", OperationID: "getStatus", handle: (*Server).handleStatus},
	{Method: "GET", Pattern: "/v1/genesis", OperationID: "getGenesis", handle: (*Server).handleGenesis},
	{Method: "GET", Pattern: "/v1/blocks", OperationID: "listBlocks", handle: (*Server).handleBlocks},
	{Method: "POST", Pattern: "/v1/txs", OperationID: "broadcastTx", maxBody: maxTxRequestBytes, handle: (*Server).handleBroadcast},
	{Method: "GET", Pattern: "/v1/txs/{hash}", OperationID: "getTx", handle: (*Server).handleTx},
	{Method: "GET", Pattern: "/v1/receipts/{hash}", OperationID: "getReceipt", handle: (*Server).handleReceipt},
	{Method: "GET", Pattern: "/v1/receipts/{hash}/certificate.pdf", OperationID: "getReceiptCertificate", handle: (*Server).handleReceiptCertificate},
	{Method: "GET", Pattern: "/v1/outcomes/{key...}", OperationID: "getOutcomeReceipt", handle: (*Server).handleOutcomeReceipt},
	// A {key...} wildcard must end a net/http pattern, so an outcome's
	// certificate cannot be /v1/outcomes/{key...}/certificate.pdf.
	{Method: "GET", Pattern: "/v1/outcome-certificates/{key...}", OperationID: "getOutcomeCertificate", handle: (*Server).handleOutcomeCertificate},
	{Method: "GET", Pattern: "/v1/identities/{id}", OperationID: "getIdentity", handle: (*Server).handleIdentity},
	{Method: "GET", Pattern: "/v1/orgs", OperationID: "listOrgs", handle: (*Server).handleOrgs},
	{Method: "GET", Pattern: "/v1/orgs/{id}", OperationID: "getOrg", handle: (*Server).handleOrg},
	{Method: "GET", Pattern: "/v1/q/{module}/{path...}", OperationID: "query", handle: (*Server).handleQuery},
	{Method: "POST", Pattern: "/v1/auth/challenge", OperationID: "createChallenge", handle: (*Server).handleChallenge},
	{Method: "POST", Pattern: "/v1/auth/token", OperationID: "createToken", handle: (*Server).handleToken},
	{Method: "DELETE", Pattern: "/v1/auth/token", OperationID: "revokeToken", handle: (*Server).handleLogout},
	{Method: "PUT", Pattern: "/v1/blobs/{hash}", OperationID: "putBlob", maxBody: maxBlobBody, handle: (*Server).handlePutBlob},
	{Method: "GET", Pattern: "/v1/blobs/{hash}", OperationID: "getBlob", handle: (*Server).handleGetBlob},
	{Method: "POST", Pattern: "/v1/ofd/check", OperationID: "checkOFDFile", maxBody: maxOFDBody, handle: (*Server).handleOFDCheck},
	{Method: "GET", Pattern: "/v1/audit", OperationID: "exportAudit", handle: (*Server).handleAuditExport},
	{Method: "GET", Pattern: "/v1/audit/head", OperationID: "getAuditHead", handle: (*Server).handleAuditHead},
	{Method: "GET", Pattern: "/v1/events", OperationID: "streamEvents", handle: (*Server).handleEvents},
	{Method: "GET", Pattern: "/v1/openapi.json", OperationID: "getOpenAPI", handle: (*Server).handleOpenAPI},
	{Method: "GET", Pattern: "/metrics", OperationID: "getMetrics", handle: (*Server).handleMetrics},
}

// respWriter records the status for metrics. Until a route's handler runs
// (routed), whatever net/http's router writes (not found, method not
// allowed, redirects) is captured instead of sent, so serve can answer in
// the API's shape.
type respWriter struct {
	http.ResponseWriter
	status int
	routed bool

	captured http.Header // router's headers while !routed
}

func (w *respWriter) Header() http.Header {
	if !w.routed {
		if w.captured == nil {
			w.captured = http.Header{}
		}
		return w.captured
	}
	return w.ResponseWriter.Header()
}

func (w *respWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	if w.routed {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *respWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.routed {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *respWriter) Flush() {
	if !w.routed {
		return
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *respWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var (
	_ http.ResponseWriter = (*respWriter)(nil)
	_ http.Flusher        = (*respWriter)(nil)
)

// serve is the top handler: routing with JSON errors for unknown routes and
// wrong methods, panic recovery, metrics.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &respWriter{ResponseWriter: w}
	defer func() {
		p := recover()
		if p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("api: panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if rw.status == 0 {
				rw.routed = true
				writeError(rw, &apiError{status: http.StatusInternalServerError, body: client.Error{Code: client.CodeInternal, Message: "internal error (logged by the server)"}})
			}
		}
		route := r.Pattern
		if !rw.routed || route == "" {
			route = "unmatched"
		}
		status := rw.status
		if status == 0 {
			status = http.StatusOK
		}
		d := time.Since(start)
		s.metrics.observe(route, status, d)
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.LogAttrs(r.Context(), slog.LevelDebug, "api: request", slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.Int("status", status), slog.Duration("took", d))
		}
	}()
	s.mux.ServeHTTP(rw, r)
	if !rw.routed {
		s.unmatched(rw, r)
	}
}

// wrap adapts a route's handler: body limit, error rendering, logging.
func (s *Server) wrap(rt Route) http.Handler {
	limit := rt.maxBody
	if limit == 0 {
		limit = maxSmallBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rw, ok := w.(*respWriter); ok {
			rw.routed = true
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		err := rt.handle(s, w, r)
		if err == nil {
			return
		}
		if r.Context().Err() != nil {
			s.log.Debug("api: client went away", "route", rt.Method+" "+rt.Pattern, "err", err)
			return
		}
		ae, unexpected := asAPIError(err)
		if unexpected {
			s.log.Error("api: request failed", "route", rt.Method+" "+rt.Pattern, "path", r.URL.Path, "err", err)
		} else if ae.body.Code == client.CodeNodeUnavailable {
			s.log.Warn("api: request failed", "route", rt.Method+" "+rt.Pattern, "code", ae.body.Code, "msg", ae.body.Message)
		} else {
			s.log.Debug("api: request refused", "route", rt.Method+" "+rt.Pattern, "status", ae.status, "code", ae.body.Code, "msg", ae.body.Message)
		}
		if rw, ok := w.(*respWriter); ok && rw.status != 0 {
			return // the response already began (event stream)
		}
		writeError(w, ae)
	})
}

// unmatched answers, in the API's shape, what the router captured in rw.
func (s *Server) unmatched(rw *respWriter, r *http.Request) {
	st, captured := rw.status, rw.captured
	rw.routed, rw.status = true, 0
	switch {
	case st >= 300 && st < 400:
		if loc := captured.Get("Location"); loc != "" {
			rw.Header().Set("Location", loc)
		}
		rw.WriteHeader(st)
	case st == http.StatusMethodNotAllowed:
		allow := captured.Get("Allow")
		rw.Header().Set("Allow", allow)
		writeError(rw, errorf(st, client.CodeMethodNotAllowed, "method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, allow))
	case st == http.StatusNotFound || st == 0 || st == http.StatusOK:
		writeError(rw, errorf(http.StatusNotFound, client.CodeNotFound, "no route %s %s (see /v1/openapi.json)", r.Method, r.URL.Path))
	default:
		writeError(rw, errorf(st, client.CodeInvalidRequest, "%s", http.StatusText(st)))
	}
}

// nodeUnavailable reports a failed call to the node.
func nodeUnavailable(what string, err error) *apiError {
	return errorf(http.StatusServiceUnavailable, client.CodeNodeUnavailable, "%s: %v", what, err)
}

func parseHeight(s string) (int64, error) {
	h, err := strconv.ParseInt(s, 10, 64)
	if err != nil || h < 1 {
		return 0, errors.New("not a positive height")
	}
	return h, nil
}
