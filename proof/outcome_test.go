package proof_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/proof/prover"
)

// TestOutcomeReceipt builds the receipt of an end-block outcome from real
// signed CometBFT headers whose app hash commits to the block's outcomes,
// verifies it from the genesis (also after a JSON round trip), and refuses
// every tampering: the value, the key, the state hash, the Merkle path, and
// a header whose app hash does not commit to the outcomes.
func TestOutcomeReceipt(t *testing.T) {
	keysIn := []string{"fund/confirmation/rs-bank:P1", "fund/confirmation/rs-bank:P2", "fund/payout/000001/20260318/INV002"}
	values := [][]byte{[]byte(`{"id":"rs-bank:P1","confirmation":{"return_code":"0000","shares":"7980.73"}}`),
		[]byte(`{"id":"rs-bank:P2","confirmation":{"return_code":"0000","shares":"4859457.27"}}`), []byte(`{"cash":"149.03"}`)}
	items := make([][]byte, len(keysIn))
	for i := range keysIn {
		items[i] = proof.OutcomeItem(keysIn[i], values[i])
	}
	state := sha256.Sum256([]byte("state after block 3"))
	const h = 3
	spec := chainSpec{chainID: "otc-outcome", heights: 5, sets: []valSpan{{from: 1, keys: keys(4), power: 10}},
		appHash: map[int64][]byte{h + 1: proof.AppHashWithOutcomes(state[:], proof.OutcomeRoot(items))}}
	c := newChain(t, spec)
	trust, err := proof.TrustFromGenesis(c.genesis)
	if err != nil {
		t.Fatal(err)
	}
	o, err := proof.NewOutcome(keysIn[1], values[1], state[:], items, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := prover.BuildOutcome(context.Background(), c, h, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	r2, err := proof.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := proof.Verify(r2, trust)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OutcomeKey != keysIn[1] || !bytes.Equal(rep.Data, values[1]) || rep.Height != h || rep.TxHash != "" {
		t.Fatalf("report %+v", rep)
	}
	if _, err := proof.NewOutcome(keysIn[0], values[1], state[:], items, 0); err == nil {
		t.Fatal("NewOutcome accepted a value that is not the item's")
	}
	tamper := []struct {
		name string
		f    func(r *proof.Receipt)
		want string
	}{
		{"value", func(r *proof.Receipt) {
			r.Outcome.Value = bytes.Replace(r.Outcome.Value, []byte("0000"), []byte("0001"), 1)
		}, "not under the outcome root"},
		{"key", func(r *proof.Receipt) { r.Outcome.Key = keysIn[0] }, "not under the outcome root"},
		{"state hash", func(r *proof.Receipt) { r.Outcome.StateHash = make([]byte, 32) }, "do not give the app hash"},
		{"root and path", func(r *proof.Receipt) {
			r.Outcome.Root = proof.OutcomeRoot(items[1:2])
			r.Outcome.Proof.Aunts, r.Outcome.Proof.Total, r.Outcome.Proof.Index = nil, 1, 0
		}, "do not give the app hash"},
		{"no outcome", func(r *proof.Receipt) { r.Outcome = nil }, "must carry an outcome"},
		{"tx version", func(r *proof.Receipt) { r.Version = proof.Version }, "must carry an outcome"},
	}
	for _, tc := range tamper {
		x, _ := proof.Unmarshal(b)
		tc.f(x)
		if _, err := proof.Verify(x, trust); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	// A block whose header does not commit to the outcomes (the default app
	// hash) gives no receipt.
	if _, err := prover.BuildOutcome(context.Background(), c, h+1, o, nil); err == nil {
		t.Fatal("built an outcome receipt under an app hash that does not commit to it")
	}
}
