package api

import (
	"errors"
	"net/http"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/proof/prover"
)

// OutcomeReader is implemented by an AppReader whose end-blocks produce
// provable outcomes (package proof, Outcome): *app.App does.
type OutcomeReader interface {
	OutcomeFor(key string, caller *module.Identity) (height int64, o *proof.Outcome, err error)
}

// handleOutcomeReceipt serves the receipt of an end-block outcome, such as a
// fund confirmation ("fund/confirmation/rs-bank:P1"), to a caller allowed to
// read what it is about.
func (s *Server) handleOutcomeReceipt(w http.ResponseWriter, r *http.Request) error {
	b, _, err := s.outcomeReceipt(w, r)
	if err != nil {
		return err
	}
	writeRawJSON(w, http.StatusOK, b)
	return nil
}

// outcomeReceipt builds the receipt of the outcome of the request's {key}
// for a caller allowed to read it: its JSON and the key.
func (s *Server) outcomeReceipt(w http.ResponseWriter, r *http.Request) ([]byte, string, error) {
	key := r.PathValue("key")
	if key == "" || len(key) > maxPathBytes {
		return nil, "", errorf(http.StatusBadRequest, client.CodeInvalidRequest, "outcome key must be 1 to %d characters", maxPathBytes)
	}
	or, ok := s.cfg.App.(OutcomeReader)
	if !ok {
		return nil, "", errorf(http.StatusNotFound, client.CodeNotFound, "this node has no outcomes")
	}
	caller, err := s.caller(r)
	if err != nil {
		return nil, "", err
	}
	height, o, err := or.OutcomeFor(key, caller)
	if err != nil {
		return nil, "", err
	}
	rc, err := prover.BuildOutcome(r.Context(), s.cfg.RPC, height, o, s.cfg.App.ValidatorChangeHeights())
	if errors.Is(err, prover.ErrNotYetProvable) {
		w.Header().Set("Retry-After", "1")
		return nil, "", errorf(http.StatusServiceUnavailable, client.CodeReceiptNotReady, "%v", err)
	}
	if err != nil {
		return nil, "", nodeUnavailable("build outcome receipt", err)
	}
	rc.Clock = s.receiptClock(nil, height)
	b, err := rc.MarshalJSON()
	if err != nil {
		return nil, "", err
	}
	return b, key, nil
}
