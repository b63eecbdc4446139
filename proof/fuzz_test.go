package proof_test

import (
	"context"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/proof/prover"
)

// fuzzChain is a deterministic 4-validator chain whose set changes twice, and
// a receipt from it that needs a trust path.
func fuzzChain(tb testing.TB) (*fakeChain, *proof.Receipt) {
	c := newChain(tb, chainSpec{
		chainID: "otc-fuzz", heights: 10,
		sets: []valSpan{
			{from: 1, keys: []int{0, 1, 2, 3}, power: 10},
			{from: 4, keys: []int{0, 1, 2, 4}, power: 10},
			{from: 7, keys: []int{0, 1, 4, 5}, power: 10},
		},
		txs: map[int64][][]byte{9: {[]byte("a"), []byte("b"), []byte("c")}},
	})
	r, err := prover.Build(context.Background(), c, 9, 1, []int64{4, 7})
	if err != nil {
		tb.Fatal(err)
	}
	return c, r
}

// FuzzReceipt feeds arbitrary JSON to the decoder and whatever decodes to
// Verify and CheckFile: none may panic.
func FuzzReceipt(f *testing.F) {
	c, r := fuzzChain(f)
	trust := genesisTrust(f, c.genesis)
	good := mustJSON(f, r)
	f.Add(good)
	one, err := prover.Build(context.Background(), c, 2, 0, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustJSON(f, one))
	f.Add(good[:len(good)/2])
	f.Add([]byte(`{"version":"otcchain-receipt/1"}`))
	f.Add([]byte(`{"version":"otcchain-receipt/1","height":"1","block":{"signed_header":{"header":{},"commit":{}},"validators":[{"pub_key":{"type":"tendermint/PubKeyEd25519","value":"AQI="},"voting_power":"1"}]}}`))
	f.Add([]byte(`{"version":"otcchain-receipt/1","tx_proof":{"proof":{"total":"9223372036854775807","index":"9223372036854775806","aunts":["AA=="]}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := proof.Unmarshal(data)
		if err != nil {
			return
		}
		_, _ = proof.Verify(r, trust)
		_, _ = proof.CheckFile(r, data)
		if b, err := r.MarshalJSON(); err == nil {
			_, _ = proof.Unmarshal(b)
		}
	})
}

// FuzzTamper flips bits in any byte string a receipt's proofs cover; Verify
// must then fail (and not panic).
func FuzzTamper(f *testing.F) {
	c, base := fuzzChain(f)
	trust := genesisTrust(f, c.genesis)
	good := mustJSON(f, base)
	for i := range 40 {
		f.Add(uint8(i), uint16(i*7), uint8(1))
	}
	f.Fuzz(func(t *testing.T, field uint8, offset uint16, xor uint8) {
		if xor == 0 {
			xor = 0x80
		}
		r, err := proof.Unmarshal(good)
		if err != nil {
			t.Fatal(err)
		}
		covered := coveredBytes(r)
		b := covered[int(field)%len(covered)]
		if len(b) == 0 {
			return
		}
		b[int(offset)%len(b)] ^= xor
		if _, err := proof.Verify(r, trust); err == nil {
			t.Fatalf("tampered field %d byte %d still verifies", int(field)%len(covered), int(offset)%len(b))
		}
	})
}

// coveredBytes lists byte strings of a receipt that its proofs and
// signatures cover (the result's log and codespace, and proposer priorities,
// are not covered).
func coveredBytes(r *proof.Receipt) [][]byte {
	out := [][]byte{r.Tx, r.TxProof.RootHash, r.TxProof.Proof.LeafHash, r.Result.Data, r.ResultProof.LeafHash}
	out = append(out, r.TxProof.Proof.Aunts...)
	out = append(out, r.ResultProof.Aunts...)
	for _, lb := range append([]proof.LightBlock{r.Block, r.Next}, r.TrustPath...) {
		h := lb.SignedHeader.Header
		out = append(out, h.LastBlockID.Hash, h.LastBlockID.PartSetHeader.Hash, h.LastCommitHash, h.DataHash,
			h.ValidatorsHash, h.NextValidatorsHash, h.ConsensusHash, h.AppHash, h.LastResultsHash,
			h.EvidenceHash, h.ProposerAddress)
		cm := lb.SignedHeader.Commit
		out = append(out, cm.BlockID.Hash, cm.BlockID.PartSetHeader.Hash)
		for _, s := range cm.Signatures {
			out = append(out, s.Signature, s.ValidatorAddress)
		}
		for _, v := range lb.Validators {
			out = append(out, v.Address, v.PubKey.(ed25519.PubKey))
		}
	}
	return out
}

func TestTamperEveryCoveredField(t *testing.T) {
	// The deterministic counterpart of FuzzTamper: one flip in each field.
	c, base := fuzzChain(t)
	trust := genesisTrust(t, c.genesis)
	good := mustJSON(t, base)
	n := len(coveredBytes(base))
	for i := range n {
		r, err := proof.Unmarshal(good)
		if err != nil {
			t.Fatal(err)
		}
		b := coveredBytes(r)[i]
		if len(b) == 0 {
			continue
		}
		b[len(b)/2] ^= 0x10
		if _, err := proof.Verify(r, trust); err == nil {
			t.Fatalf("tampered field %d still verifies", i)
		}
	}
	if _, err := proof.Verify(base, trust); err != nil {
		t.Fatal(err)
	}
}
