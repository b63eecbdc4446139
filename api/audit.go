package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

// The node's audit log (package audit, Config.Audit): what never reaches
// the chain. The API records
//
//   - tx_rejected: CheckTx refused a tx submitted at POST /v1/txs (code,
//     codespace, log, tx hash, the envelope's signer);
//   - personal_data_read and document_read: every read of a path that
//     classifyRead names (investor records, accounts, contract document
//     versions, exchange records), served or not, with the caller;
//   - blob_fetch, blob_refused, blob_store: blob downloads and uploads;
//   - read_refused: any other module read refused (401 auth_required, 403);
//   - audit_export: a regulator's export.
//
// Public reads write nothing. A served read of personal data, a document
// or a blob is recorded before the answer is sent: when the log cannot be
// written the read fails (503 audit_unavailable) rather than go
// unrecorded.

// Error codes of the audit routes.
const (
	codeNoAuditLog       = "no_audit_log"
	codeAuditUnavailable = "audit_unavailable"
)

// Headers of GET /v1/audit: the log's head when the export began.
const (
	HeaderAuditSeq  = "X-Otc-Audit-Seq"
	HeaderAuditHash = "X-Otc-Audit-Hash"
)

// classifyRead says whether a module read "<module>/<path>" is of personal
// data or of a document (kind "" otherwise), and the record it concerns.
func classifyRead(path string) (kind, record string) {
	segs := strings.Split(path, "/")
	switch {
	case len(segs) >= 3 && segs[0] == "fund" && segs[1] == "investors":
		return audit.KindPersonalDataRead, segs[2]
	case len(segs) >= 2 && segs[0] == "fund" && segs[1] == "accounts":
		if len(segs) >= 3 {
			return audit.KindPersonalDataRead, segs[2]
		}
		return audit.KindPersonalDataRead, ""
	case len(segs) == 5 && segs[0] == "contract" && segs[1] == "contracts" && segs[3] == "versions":
		return audit.KindDocumentRead, segs[2]
	case len(segs) == 3 && segs[0] == "exchange" && segs[1] == "records":
		return audit.KindDocumentRead, segs[2]
	}
	return "", ""
}

// record completes e with the request's caller and address, counts it and
// appends it to the audit log. The error (503 audit_unavailable) is for
// callers that must not answer unrecorded.
func (s *Server) record(r *http.Request, caller *module.Identity, e audit.Entry) error {
	e.Remote = r.RemoteAddr
	if caller != nil {
		e.Identity, e.Org, e.Role = caller.ID, caller.Org, string(caller.Role)
	}
	lvl := s.log.Debug
	if e.Outcome == "refused" || e.Outcome == "rejected" {
		lvl = s.log.Info
	}
	lvl("api: audit", "kind", e.Kind, "outcome", e.Outcome, "identity", e.Identity, "org", e.Org, "subject", e.Subject, "record", e.Record)
	if s.cfg.Audit != nil {
		if _, err := s.cfg.Audit.Append(e); err != nil {
			s.metrics.auditErrors.Inc()
			s.log.Error("api: write the audit log", "kind", e.Kind, "err", err)
			return errorf(http.StatusServiceUnavailable, codeAuditUnavailable, "the node cannot write its audit log: the read is refused")
		}
	}
	s.metrics.blobAccess.WithLabelValues(e.Kind, e.Outcome).Inc()
	return nil
}

// auditRefusedRead records a failed module read: every outcome for
// classified paths, refusals (401, 403) for any other.
func (s *Server) auditRefusedRead(r *http.Request, caller *module.Identity, kind, record, path string, err error) {
	me := module.AsError(err)
	if me == nil {
		return
	}
	st := moduleStatus(me.Name)
	outcome := "invalid"
	switch st {
	case http.StatusUnauthorized, http.StatusForbidden:
		outcome = "refused"
	case http.StatusNotFound:
		outcome = "unknown"
	}
	if kind == "" {
		if outcome != "refused" {
			return
		}
		kind = audit.KindReadRefused
		if len(path) > len("exchange/trace/") && strings.HasPrefix(path, "exchange/trace/") {
			record = path[len("exchange/trace/"):]
		}
	}
	_ = s.record(r, caller, audit.Entry{Kind: kind, Subject: path, Record: record, Codespace: me.Codespace, Code: me.Code, Outcome: outcome, Reason: me.Message})
}

// auditRejectedTx records a tx CheckTx refused. The submitter is the
// envelope's signer (with its organisation and role when it is
// registered), else the request's token, if any.
func (s *Server) auditRejectedTx(r *http.Request, raw []byte, hash, codespace string, code uint32, log string) {
	e := audit.Entry{Kind: audit.KindTxRejected, Subject: hash, Codespace: codespace, Code: code, Outcome: "rejected", Reason: log}
	var who *module.Identity
	if env, err := tx.Decode(raw); err == nil {
		id := env.SignerID()
		if ident, err := s.cfg.App.Identity(id); err == nil && ident != nil {
			c := *ident
			if c.ID == "" {
				c.ID = id
			}
			who = &c
		} else {
			e.Identity = id
		}
	} else if c, err := s.caller(r); err == nil {
		who = c
	}
	_ = s.record(r, who, e)
}

// regulator returns the audit log and the caller when the caller is a
// regulator; other callers are refused (and the refusal recorded).
func (s *Server) regulator(r *http.Request, what string) (*audit.Log, *module.Identity, error) {
	if s.cfg.Audit == nil {
		return nil, nil, errorf(http.StatusNotFound, codeNoAuditLog, "this server keeps no audit log")
	}
	caller, err := s.caller(r)
	if err != nil {
		return nil, nil, err
	}
	if caller == nil {
		_ = s.record(r, nil, audit.Entry{Kind: audit.KindReadRefused, Subject: what, Outcome: "refused", Reason: "anonymous"})
		return nil, nil, invalidToken("the audit log is for regulators: log in (POST /v1/auth/token) and send the bearer token")
	}
	if caller.Role != module.RoleRegulator {
		_ = s.record(r, caller, audit.Entry{Kind: audit.KindReadRefused, Subject: what, Outcome: "refused", Reason: "not a regulator"})
		return nil, nil, errorf(http.StatusForbidden, "not_permitted", "role %s may not read the audit log: regulators only", caller.Role)
	}
	return s.cfg.Audit, caller, nil
}

func (s *Server) handleAuditHead(w http.ResponseWriter, r *http.Request) error {
	l, _, err := s.regulator(r, "audit/head")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l.Head())
	return nil
}

func (s *Server) handleAuditExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var from uint64
	limit := 0
	if v := q.Get("from"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "from must be a seq (0 or more)")
		}
		from = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "limit must be a number of entries (0: all)")
		}
		limit = n
	}
	l, caller, err := s.regulator(r, "audit")
	if err != nil {
		return err
	}
	// The export is itself recorded, and included in what it returns.
	if err := s.record(r, caller, audit.Entry{Kind: audit.KindAuditExport, Subject: "audit?from=" + strconv.FormatUint(from, 10) + "&limit=" + strconv.Itoa(limit), Outcome: "served"}); err != nil {
		return err
	}
	head := l.Head()
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(blobIOTimeout))
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set(HeaderAuditSeq, strconv.FormatUint(head.Seq, 10))
	h.Set(HeaderAuditHash, head.Hash)
	w.WriteHeader(http.StatusOK)
	if n, err := l.ExportUpTo(w, head, from, limit); err != nil {
		s.log.Warn("api: audit export cut", "lines", n, "err", err)
	}
	return nil
}
