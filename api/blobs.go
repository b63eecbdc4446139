package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/blob"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/module"
)

// Blob routes: the node's content-addressed store of encrypted exchange
// files (package blob). Uploads are open to any authenticated member (a
// sender stores its file before the record exists; a recipient keeps its
// copy); downloads only to the readers of a record referencing the blob, as
// the exchange module's blob/{hash} query decides. Every download attempt
// is written to the node's audit log (package audit).

// blobIOTimeout bounds one blob upload or download (the server's read
// timeout is extended to it for these routes).
const blobIOTimeout = time.Hour

// maxBlobBody lets a blob body through the route wrapper: the handler
// enforces the configured limit itself.
const maxBlobBody = 1 << 62

func (s *Server) blobStore() (blob.Store, error) {
	if s.cfg.Blobs == nil {
		return nil, errorf(http.StatusNotFound, client.CodeNoBlobStore, "this node keeps no blobs")
	}
	return s.cfg.Blobs, nil
}

func blobHash(r *http.Request) (string, error) {
	h := r.PathValue("hash")
	if !blob.ValidHash(h) {
		return "", errorf(http.StatusBadRequest, client.CodeInvalidHash, "a blob is addressed by the lowercase hex SHA-256 of its bytes (64 characters)")
	}
	return h, nil
}

// member returns the authenticated caller; anonymous requests and
// identities that do not exchange files are refused.
func (s *Server) member(r *http.Request) (*module.Identity, error) {
	caller, err := s.caller(r)
	if err != nil {
		return nil, err
	}
	if caller == nil {
		return nil, invalidToken("blobs are for authenticated members: log in (POST /v1/auth/token) and send the bearer token")
	}
	if caller.Role == module.RoleInvestor || caller.Role == module.RoleSeal {
		return nil, errorf(http.StatusForbidden, "not_permitted", "role %s does not exchange files", caller.Role)
	}
	return caller, nil
}

func (s *Server) handlePutBlob(w http.ResponseWriter, r *http.Request) error {
	hash, err := blobHash(r)
	if err != nil {
		return err
	}
	store, err := s.blobStore()
	if err != nil {
		return err
	}
	caller, err := s.member(r)
	if err != nil {
		return err
	}
	if r.ContentLength > s.maxBlob {
		return errorf(http.StatusRequestEntityTooLarge, client.CodeBlobTooLarge, "the blob is %d bytes; this node stores at most %d", r.ContentLength, s.maxBlob)
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(blobIOTimeout))
	n, err := store.Put(hash, r.Body, s.maxBlob)
	switch {
	case errors.Is(err, blob.ErrTooLarge):
		return errorf(http.StatusRequestEntityTooLarge, client.CodeBlobTooLarge, "the blob exceeds this node's limit of %d bytes", s.maxBlob)
	case errors.Is(err, blob.ErrHashMismatch):
		_ = s.record(r, caller, audit.Entry{Kind: audit.KindBlobStore, Subject: hash, Outcome: "invalid", Reason: "hash mismatch"})
		return errorf(http.StatusBadRequest, client.CodeHashMismatch, "the body's SHA-256 is not %s: nothing was stored", hash)
	case err != nil:
		return err
	}
	s.metrics.blobBytes.WithLabelValues("in").Add(float64(n))
	_ = s.record(r, caller, audit.Entry{Kind: audit.KindBlobStore, Subject: hash, Outcome: "stored"})
	writeJSON(w, http.StatusCreated, client.BlobInfo{Hash: hash, Size: n})
	return nil
}

// blobRecord is what the exchange module's blob/{hash} query answers.
type blobRecord struct {
	Record string `json:"record"`
	Blob   *struct {
		Hash string `json:"hash"`
		Size int64  `json:"size"`
		Node string `json:"node"`
	} `json:"blob"`
}

func (s *Server) handleGetBlob(w http.ResponseWriter, r *http.Request) error {
	hash, err := blobHash(r)
	if err != nil {
		return err
	}
	caller, err := s.member(r)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.status == http.StatusForbidden {
			c, _ := s.caller(r)
			_ = s.record(r, c, audit.Entry{Kind: audit.KindBlobRefused, Subject: hash, Outcome: "refused", Reason: ae.body.Message})
		}
		return err
	}
	v, err := s.cfg.App.Read("exchange/blob/"+hash, map[string]string{"hash": hash}, caller)
	if me := module.AsError(err); me != nil {
		kind, outcome := audit.KindBlobRefused, "refused"
		if moduleStatus(me.Name) == http.StatusNotFound {
			kind, outcome = audit.KindBlobFetch, "unknown"
		}
		_ = s.record(r, caller, audit.Entry{Kind: kind, Subject: hash, Codespace: me.Codespace, Code: me.Code, Outcome: outcome, Reason: me.Message})
		return err
	} else if err != nil {
		return err
	}
	var br blobRecord
	if b, err := json.Marshal(v); err != nil || json.Unmarshal(b, &br) != nil {
		return errors.New("api: exchange/blob answer is not a record reference")
	}
	store, err := s.blobStore()
	if err != nil {
		return err
	}
	rc, size, err := store.Get(hash)
	if errors.Is(err, blob.ErrNotFound) {
		_ = s.record(r, caller, audit.Entry{Kind: audit.KindBlobFetch, Subject: hash, Record: br.Record, Outcome: "missing"})
		node := ""
		if br.Blob != nil {
			node = br.Blob.Node
		}
		return errorf(http.StatusNotFound, client.CodeBlobNotStored, "this node does not keep blob %s (record %s); the sender's node is %s: fetch it there", hash, br.Record, node)
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	// Recorded before a byte is sent: no audit entry, no blob.
	if err := s.record(r, caller, audit.Entry{Kind: audit.KindBlobFetch, Subject: hash, Record: br.Record, Outcome: "served"}); err != nil {
		return err
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(blobIOTimeout))
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Otc-Record", br.Record)
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	n, err := io.Copy(w, rc)
	s.metrics.blobBytes.WithLabelValues("out").Add(float64(n))
	if err != nil {
		s.log.Debug("api: blob download cut", "blob", hash, "sent", n, "err", err)
	}
	return nil
}
