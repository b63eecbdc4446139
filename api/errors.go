package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/module"
)

// apiError is an error a handler answers with: an HTTP status and the body.
type apiError struct {
	status int
	body   client.Error
}

func (e *apiError) Error() string {
	return fmt.Sprintf("api: %d %s: %s", e.status, e.body.Code, e.body.Message)
}

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, body: client.Error{Code: code, Message: fmt.Sprintf(format, args...)}}
}

// moduleError turns a refusal of the app into an API error.
func moduleError(e *module.Error) *apiError {
	return &apiError{status: moduleStatus(e.Name), body: client.Error{
		Code: e.Name, Codespace: e.Codespace, ABCICode: e.Code, Message: e.Message,
	}}
}

// moduleStatus maps the name of a module result code to an HTTP status (see
// the package documentation).
func moduleStatus(name string) int {
	switch {
	case name == "auth_required":
		return http.StatusUnauthorized
	case name == "not_permitted", name == "role_not_permitted",
		strings.HasSuffix(name, "_not_permitted"), strings.HasSuffix(name, "_forbidden"):
		return http.StatusForbidden
	case name == "not_registered", name == "not_found",
		strings.HasPrefix(name, "unknown_"), strings.HasSuffix(name, "_not_found"):
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// asAPIError maps any handler error to an API error; the second result says
// whether it was unexpected (to be logged as a failure).
func asAPIError(err error) (*apiError, bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, false
	}
	if me := module.AsError(err); me != nil {
		return moduleError(me), false
	}
	return &apiError{status: http.StatusInternalServerError, body: client.Error{
		Code: client.CodeInternal, Message: "internal error (logged by the server)",
	}}, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"cannot encode the response"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="otcchain"`)
	}
	body := e.body
	writeJSON(w, e.status, client.ErrorBody{Error: &body})
}

// decodeJSON reads a request body strictly into v: one JSON value, no
// unknown fields, no trailing data, within the route's size limit.
func decodeJSON(r *http.Request, v any) error { return decodeBody(r, v, false) }

// decodeBody is decodeJSON that may accept an empty body.
func decodeBody(r *http.Request, v any, allowEmpty bool) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var mbe *http.MaxBytesError
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON value")
			if errors.As(terr, &mbe) {
				err = terr
			}
		}
	}
	if err == nil {
		return nil
	}
	var b64 base64.CorruptInputError
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, client.CodeBodyTooLarge, "request body exceeds %d bytes", mbe.Limit)
	case errors.As(err, &b64):
		return errorf(http.StatusBadRequest, client.CodeInvalidBase64, "a base64 field does not decode: %v", err)
	case errors.As(err, &ute):
		return errorf(http.StatusBadRequest, client.CodeMalformedJSON, "field %q must be %s", ute.Field, ute.Type)
	case errors.Is(err, io.EOF) && allowEmpty:
		return nil
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, client.CodeMalformedJSON, "empty request body: a JSON object is required")
	}
	return errorf(http.StatusBadRequest, client.CodeMalformedJSON, "malformed JSON body: %v", err)
}
