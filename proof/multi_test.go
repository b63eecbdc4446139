package proof_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/proof/prover"
)

func build(t *testing.T, src prover.Source, h int64, i uint32, changes ...int64) *proof.Receipt {
	t.Helper()
	r, err := prover.Build(context.Background(), src, h, i, changes)
	if err != nil {
		t.Fatalf("build %d/%d: %v", h, i, err)
	}
	return r
}

// clone deep-copies a receipt through its JSON form, so that tampering with
// it does not touch the source it was built from.
func clone(t testing.TB, r *proof.Receipt) *proof.Receipt {
	t.Helper()
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := proof.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func genesisTrust(t testing.TB, doc *types.GenesisDoc) proof.Trust {
	t.Helper()
	tr, err := proof.TrustFromGenesis(doc)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("verified, want error containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
}

func TestFourValidators(t *testing.T) {
	c := newChain(t, chainSpec{
		chainID: "otc-four", heights: 6,
		sets: []valSpan{{from: 1, keys: keys(4), power: 10}},
		txs:  map[int64][][]byte{3: {[]byte("a"), []byte("b"), []byte("c"), []byte("d"), []byte("e")}},
	})
	trust := genesisTrust(t, c.genesis)
	for i := uint32(0); i < 5; i++ {
		r := build(t, c, 3, i)
		rep, err := proof.Verify(r, trust)
		if err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
		if rep.Height != 3 || rep.Index != i || len(rep.Signers) != 4 || rep.SignedPower != 40 || rep.TotalPower != 40 {
			t.Fatalf("tx %d: report %+v", i, rep)
		}
		if !strings.HasPrefix(rep.Signers[0].Name, "org-") {
			t.Fatalf("signer names from genesis missing: %+v", rep.Signers)
		}
		if rep.GasUsed != int64(40+i) || string(rep.Data) != `{"msgs":[{"index":0,"code":0,"data":{"seq":`+string(rune('0'+i))+`}}]}` {
			t.Fatalf("tx %d: result %+v", i, rep)
		}
	}
}

func TestAbsentSignatures(t *testing.T) {
	// One validator of four missing still leaves 3/4 > 2/3.
	c := newChain(t, chainSpec{
		chainID: "otc-absent", heights: 5,
		sets:   []valSpan{{from: 1, keys: keys(4), power: 10}},
		absent: map[int64][]int{3: {2}, 4: {0}},
	})
	r := build(t, c, 3, 0)
	rep, err := proof.Verify(r, genesisTrust(t, c.genesis))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signers) != 3 || rep.SignedPower != 30 {
		t.Fatalf("signers %+v power %d", rep.Signers, rep.SignedPower)
	}

	// Two of four missing: the source itself is inconsistent, Build says so.
	c = newChain(t, chainSpec{
		chainID: "otc-absent", heights: 5,
		sets:   []valSpan{{from: 1, keys: keys(4), power: 10}},
		absent: map[int64][]int{3: {1, 2}},
	})
	_, err = prover.Build(context.Background(), c, 3, 0, nil)
	wantErr(t, err, "commit for height 3 signed by 20/40 of voting power")
}

func TestTrustPath(t *testing.T) {
	// Sets: keys 0-3, then one member replaced at 4 and another at 7.
	small := newChain(t, chainSpec{
		chainID: "otc-path", heights: 10,
		sets: []valSpan{
			{from: 1, keys: []int{0, 1, 2, 3}, power: 10},
			{from: 4, keys: []int{0, 1, 2, 4}, power: 10},
			{from: 7, keys: []int{0, 1, 4, 5}, power: 10},
		},
	})
	// Two members replaced at once at 5.
	big := newChain(t, chainSpec{
		chainID: "otc-big", heights: 8,
		sets: []valSpan{
			{from: 1, keys: []int{0, 1, 2, 3}, power: 10},
			{from: 5, keys: []int{0, 1, 4, 5}, power: 10},
		},
	})
	headerTrust := func(c *fakeChain, h int64) proof.Trust {
		tr, err := proof.TrustFromHeader(c.signedHeader(h), c.vals[h])
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	tests := []struct {
		name    string
		chain   *fakeChain
		height  int64
		changes []int64
		trust   func(*fakeChain) proof.Trust
		walked  []int64
		err     string
	}{
		{name: "one change needs no path", chain: small, height: 5, walked: []int64{}},
		{name: "one change walked", chain: small, height: 5, changes: []int64{4}, walked: []int64{4}},
		{name: "two changes without path", chain: small, height: 9,
			err: "commit for height 9 signed by 20/40 of the trusted (height 1) voting power, more than 2/3 needed"},
		{name: "two changes walked", chain: small, height: 9, changes: []int64{7, 4, 4, 9, 10}, walked: []int64{4, 7}},
		{name: "second change only", chain: small, height: 9, changes: []int64{7},
			err: "commit for height 7 signed by 20/40 of the trusted (height 1) voting power"},
		{name: "header root skips earlier steps", chain: small, height: 9, changes: []int64{4, 7},
			trust: func(c *fakeChain) proof.Trust { return headerTrust(c, 6) }, walked: []int64{7}},
		{name: "header root at the receipt height", chain: small, height: 6, changes: []int64{4},
			trust: func(c *fakeChain) proof.Trust { return headerTrust(c, 6) }, walked: []int64{}},
		{name: "header root just before", chain: small, height: 7,
			trust: func(c *fakeChain) proof.Trust { return headerTrust(c, 6) }, walked: []int64{}},
		{name: "receipt below header root", chain: small, height: 5,
			trust: func(c *fakeChain) proof.Trust { return headerTrust(c, 6) },
			err:   "height 5 is below the trust root height 6"},
		{name: "big change at once", chain: big, height: 6, changes: []int64{5},
			err: "commit for height 5 signed by 20/40 of the trusted (height 1) voting power"},
		{name: "big change through the adjacent header", chain: big, height: 6, changes: []int64{4, 5}, walked: []int64{4, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trust := genesisTrust(t, tc.chain.genesis)
			if tc.trust != nil {
				trust = tc.trust(tc.chain)
			}
			r := build(t, tc.chain, tc.height, 0, tc.changes...)
			rep, err := proof.Verify(r, trust)
			if tc.err != "" {
				wantErr(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rep.TrustPath, tc.walked) {
				t.Fatalf("walked %v, want %v", rep.TrustPath, tc.walked)
			}
			// The receipt survives JSON.
			b, err := r.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			back, err := proof.Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := proof.Verify(back, trust); err != nil {
				t.Fatalf("after JSON: %v", err)
			}
		})
	}
}

func TestTrustPathTampered(t *testing.T) {
	c := newChain(t, chainSpec{
		chainID: "otc-path", heights: 10,
		sets: []valSpan{
			{from: 1, keys: []int{0, 1, 2, 3}, power: 10},
			{from: 4, keys: []int{0, 1, 2, 4}, power: 10},
			{from: 7, keys: []int{0, 1, 4, 5}, power: 10},
		},
	})
	trust := genesisTrust(t, c.genesis)
	tests := []struct {
		name   string
		tamper func(r *proof.Receipt)
		err    string
	}{
		{"path out of order", func(r *proof.Receipt) { r.TrustPath[0], r.TrustPath[1] = r.TrustPath[1], r.TrustPath[0] },
			"trust path heights must ascend: 4 after 7"},
		{"path step validators", func(r *proof.Receipt) { r.TrustPath[1].Validators[0].VotingPower++ },
			"validator set for height 7 does not match the header's validators hash"},
		{"path step header", func(r *proof.Receipt) { r.TrustPath[0].SignedHeader.Header.AppHash[0] ^= 1 },
			"signed header at height 4 is invalid: commit signs block"},
		{"path step signature", func(r *proof.Receipt) { r.TrustPath[0].SignedHeader.Commit.Signatures[1].Signature[5] ^= 1 },
			"commit for height 4 has an invalid signature"},
		{"path step above receipt", func(r *proof.Receipt) { r.TrustPath = append(r.TrustPath, r.Next) },
			"trust path height 10 is not below the receipt height 9"},
		{"path step missing", func(r *proof.Receipt) { r.TrustPath[0].SignedHeader = nil },
			"trust path entry 0 has no signed header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := clone(t, build(t, c, 9, 0, 4, 7))
			tc.tamper(r)
			_, err := proof.Verify(r, trust)
			wantErr(t, err, tc.err)
		})
	}
}

func TestManyValidators(t *testing.T) {
	// 150 validators: Build pages through the validators endpoint.
	c := newChain(t, chainSpec{
		chainID: "otc-many", heights: 3,
		sets: []valSpan{{from: 1, keys: keys(150), power: 7}},
	})
	r := build(t, c, 2, 0)
	if len(r.Block.Validators) != 150 || len(r.Next.Validators) != 150 {
		t.Fatalf("got %d and %d validators", len(r.Block.Validators), len(r.Next.Validators))
	}
	rep, err := proof.Verify(r, genesisTrust(t, c.genesis))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signers) != 150 || rep.TotalPower != 1050 {
		t.Fatalf("signers %d power %d", len(rep.Signers), rep.TotalPower)
	}
}

func TestBuildErrors(t *testing.T) {
	c := newChain(t, chainSpec{
		chainID: "otc-build", heights: 4,
		sets: []valSpan{{from: 1, keys: keys(2), power: 10}},
	})
	tests := []struct {
		name    string
		height  int64
		index   uint32
		changes []int64
		err     string
		retry   bool
	}{
		{name: "next block pending", height: 4, err: "proof needs height 5; retry after the next block", retry: true},
		{name: "not committed", height: 9, err: "height 9 is not committed yet (latest 4)", retry: true},
		{name: "zero height", height: 0, err: "height 0 is not positive"},
		{name: "no such index", height: 2, index: 1, err: "block 2 has 1 transactions, no index 1"},
		{name: "bad change height", height: 3, changes: []int64{-1}, err: "change height -1 is not positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := prover.Build(context.Background(), c, tc.height, tc.index, tc.changes)
			wantErr(t, err, tc.err)
			if errors.Is(err, prover.ErrNotYetProvable) != tc.retry {
				t.Fatalf("errors.Is(ErrNotYetProvable) = %v", !tc.retry)
			}
		})
	}
}

func TestTrustRoots(t *testing.T) {
	c := newChain(t, chainSpec{
		chainID: "otc-roots", heights: 3,
		sets: []valSpan{{from: 1, keys: keys(2), power: 10}},
	})
	g := *c.genesis
	noVals := g
	noVals.Validators = nil
	badAddr := g
	badAddr.Validators = slices.Clone(g.Validators)
	badAddr.Validators[0].Address = badAddr.Validators[1].Address
	zeroPower := g
	zeroPower.Validators = slices.Clone(g.Validators)
	zeroPower.Validators[0].Power = 0
	noChain := g
	noChain.ChainID = ""
	for _, tc := range []struct {
		name string
		doc  *types.GenesisDoc
		err  string
	}{
		{"nil", nil, "no genesis document"},
		{"no validators", &noVals, "the genesis has no validators"},
		{"address", &badAddr, "is not derived from its public key"},
		{"power", &zeroPower, "non-positive power"},
		{"chain id", &noChain, "chain id must be 1 to 50 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := proof.TrustFromGenesis(tc.doc)
			wantErr(t, err, tc.err)
		})
	}

	tr, err := proof.TrustFromHeader(c.signedHeader(2), c.vals[2])
	if err != nil {
		t.Fatal(err)
	}
	if tr.ChainID() != "otc-roots" || tr.Height() != 2 || tr.String() != "header 2" {
		t.Fatalf("trust %q %d %q", tr.ChainID(), tr.Height(), tr)
	}
	_, err = proof.TrustFromHeader(c.signedHeader(2), c.vals[3].CopyIncrementProposerPriority(1))
	if err != nil {
		t.Fatal(err) // same set at 2 and 3
	}
	other := newChain(t, chainSpec{chainID: "otc-roots", heights: 3, sets: []valSpan{{from: 1, keys: []int{7}, power: 10}}})
	_, err = proof.TrustFromHeader(c.signedHeader(2), other.vals[2])
	wantErr(t, err, "validator set for height 2 does not match the header's validators hash")

	if _, err := proof.Verify(build(t, c, 2, 0), proof.Trust{}); err == nil || !strings.Contains(err.Error(), "no trust root") {
		t.Fatalf("zero trust: %v", err)
	}
}
