package fund_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/proof"
)

// TestConfirmationOutcomes: every automatic confirmation is an outcome of
// the block that made it, committed under that block's app hash; the proof
// the node gives for it checks against the app hash the block returned (the
// one the validators sign in the next header), and a changed value does not.
func TestConfirmationOutcomes(t *testing.T) {
	cal := scenarioCalendar()
	h := newChain(t, &fund.Genesis{Calendar: &cal, Params: &fund.Params{ChunkSize: 2}})
	runScenarioOn(t, "testdata/scenarios/lifecycle.txt", h, false)
	for _, id := range []string{"rs-bank:S1", "rs-bank:P1", "rs-bank:P2", "rs-bank:R1", "rs-bank:R2", "rs-bank:D1", "rs-bank:S9"} {
		height, o, err := h.app.Outcome("fund/confirmation/" + id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		appHash := h.blocks[height-1].appHash
		if err := o.Proof.Verify(o.Root, proof.OutcomeItem(o.Key, o.Value)); err != nil {
			t.Fatalf("%s: merkle proof: %v", id, err)
		}
		if !bytes.Equal(proof.AppHashWithOutcomes(o.StateHash, o.Root), appHash) {
			t.Fatalf("%s: outcomes do not give the app hash of height %d", id, height)
		}
		var ord fund.Order
		if err := json.Unmarshal(o.Value, &ord); err != nil || ord.ID != id || ord.Confirmation == nil {
			t.Fatalf("%s: outcome value %s", id, o.Value)
		}
		forged := bytes.Replace(o.Value, []byte(`"return_code":"0000"`), []byte(`"return_code":"0001"`), 1)
		if err := o.Proof.Verify(o.Root, proof.OutcomeItem(o.Key, forged)); err == nil && !bytes.Equal(forged, o.Value) {
			t.Fatalf("%s: a forged confirmation verifies", id)
		}
	}
	if _, _, err := h.app.Outcome("fund/payout/000001/20260318/INV002"); err != nil {
		t.Fatalf("payout outcome: %v", err)
	}
	if _, _, err := h.app.Outcome("fund/confirmation/rs-bank:NOPE"); !errors.Is(err, app.ErrUnknownOutcome) {
		t.Fatalf("unknown outcome: %v", err)
	}
	// Info reports the app hash with outcomes after a restart-free commit.
	last, hash := h.app.LastCommitted()
	if !bytes.Equal(hash, h.blocks[last-1].appHash) {
		t.Fatalf("LastCommitted app hash differs from the block's")
	}
}
