package api

import (
	"net/http"
	"strings"

	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/client"
)

// Bounds of module read parameters.
const (
	maxParams     = 32
	maxParamBytes = 1024
	maxPathBytes  = 512
)

func (s *Server) handleIdentity(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	return s.read(w, r, "member/identities/"+id, map[string]string{"id": id})
}

func (s *Server) handleOrgs(w http.ResponseWriter, r *http.Request) error {
	return s.read(w, r, "member/orgs", map[string]string{})
}

func (s *Server) handleOrg(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	return s.read(w, r, "member/orgs/"+id, map[string]string{"id": id})
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) error {
	mod, path := r.PathValue("module"), r.PathValue("path")
	if !validModule(mod) {
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "module name %q must be 1 to 32 characters of a-z, 0-9 and _", mod)
	}
	if path == "" || len(path) > maxPathBytes || strings.Contains(path, "//") || strings.HasSuffix(path, "/") {
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "query path must be 1 to %d characters of non-empty segments", maxPathBytes)
	}
	q := r.URL.Query()
	if len(q) > maxParams {
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "at most %d query parameters", maxParams)
	}
	params := make(map[string]string, len(q))
	for k, vs := range q {
		if len(vs) != 1 {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "query parameter %q given %d times", k, len(vs))
		}
		if k == "" || len(k)+len(vs[0]) > maxParamBytes {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "query parameter %q is empty or too long", k)
		}
		params[k] = vs[0]
	}
	return s.read(w, r, mod+"/"+path, params)
}

func validModule(m string) bool {
	if m == "" || len(m) > 32 {
		return false
	}
	for _, c := range m {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// read runs a module query for the request's caller.
func (s *Server) read(w http.ResponseWriter, r *http.Request, path string, params map[string]string) error {
	caller, err := s.caller(r)
	if err != nil {
		return err
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "empty path segment in %q", path)
		}
	}
	v, err := s.cfg.App.Read(path, params, caller)
	kind, record := classifyRead(path)
	if err != nil {
		s.auditRefusedRead(r, caller, kind, record, path, err)
		return err
	}
	if kind != "" {
		// Personal data and documents go out only once the read is
		// recorded.
		if err := s.record(r, caller, audit.Entry{Kind: kind, Subject: path, Record: record, Outcome: "served"}); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
