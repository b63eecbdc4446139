package proof_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/crypto/tmhash"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmtversion "github.com/cometbft/cometbft/proto/tendermint/version"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cometbft/cometbft/types"
	"github.com/cometbft/cometbft/version"

	"github.com/otcchain/otcchain/proof/prover"
)

// A synthetic chain made of real CometBFT blocks, headers and commits signed
// by MockPVs with deterministic keys. It serves them as a prover.Source, the
// way CometBFT's RPC does (validators in pages of at most 100).

type valSpan struct {
	from  int64 // first height signed by this set
	keys  []int // indices into the key pool
	power int64
}

type chainSpec struct {
	chainID string
	heights int64
	sets    []valSpan // sets[0].from must be 1
	// txs per height; heights without an entry get one tx "tx-<height>".
	txs map[int64][][]byte
	// absent lists, per height, key indices left out of that height's commit.
	absent map[int64][]int
	// appHash sets the app hash in the header of a height (default: a
	// hash of "app-<height>").
	appHash map[int64][]byte
}

type fakeChain struct {
	spec    chainSpec
	genesis *types.GenesisDoc
	blocks  map[int64]*types.Block
	ids     map[int64]types.BlockID
	commits map[int64]*types.Commit
	results map[int64][]*abci.ExecTxResult
	vals    map[int64]*types.ValidatorSet
	pvs     map[string]types.PrivValidator // by address
}

var _ prover.Source = (*fakeChain)(nil)

var chainStart = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func mockPV(i int) types.MockPV {
	return types.NewMockPVWithParams(ed25519.GenPrivKeyFromSecret([]byte(fmt.Sprintf("otcchain-test-validator-%d", i))), false, false)
}

func (s chainSpec) setAt(h int64) valSpan {
	cur := s.sets[0]
	for _, sp := range s.sets {
		if sp.from <= h {
			cur = sp
		}
	}
	return cur
}

func newChain(tb testing.TB, spec chainSpec) *fakeChain {
	tb.Helper()
	c := &fakeChain{
		spec:    spec,
		blocks:  map[int64]*types.Block{},
		ids:     map[int64]types.BlockID{},
		commits: map[int64]*types.Commit{},
		results: map[int64][]*abci.ExecTxResult{},
		vals:    map[int64]*types.ValidatorSet{},
		pvs:     map[string]types.PrivValidator{},
	}
	for h := int64(1); h <= spec.heights+1; h++ {
		sp := spec.setAt(h)
		list := make([]*types.Validator, len(sp.keys))
		for i, k := range sp.keys {
			pv := mockPV(k)
			list[i] = pv.ExtractIntoValidator(sp.power)
			c.pvs[string(list[i].Address)] = pv
		}
		c.vals[h] = types.NewValidatorSet(list)
	}
	gvs := make([]types.GenesisValidator, 0)
	for _, v := range c.vals[1].Validators {
		gvs = append(gvs, types.GenesisValidator{Address: v.Address, PubKey: v.PubKey, Power: v.VotingPower,
			Name: fmt.Sprintf("org-%X", []byte(v.Address)[:2])})
	}
	c.genesis = &types.GenesisDoc{ChainID: spec.chainID, GenesisTime: chainStart, InitialHeight: 1, Validators: gvs}

	consensusHash := tmhash.Sum([]byte("consensus params"))
	var lastID types.BlockID
	lastCommit := &types.Commit{} // what CometBFT puts in block 1
	for h := int64(1); h <= spec.heights; h++ {
		raw, ok := spec.txs[h]
		if !ok {
			raw = [][]byte{[]byte(fmt.Sprintf("tx-%d", h))}
		}
		txs := make([]types.Tx, len(raw))
		res := make([]*abci.ExecTxResult, len(raw))
		for i, tx := range raw {
			txs[i] = tx
			res[i] = &abci.ExecTxResult{
				Code:      0,
				Data:      []byte(fmt.Sprintf(`{"msgs":[{"index":0,"code":0,"data":{"seq":%d}}]}`, i)),
				Log:       "ok",
				Codespace: "",
				GasWanted: 100,
				GasUsed:   int64(40 + i),
			}
		}
		c.results[h] = res
		lastResults := types.NewResults(c.results[h-1]).Hash()
		block := types.MakeBlock(h, txs, lastCommit, nil)
		vals := c.vals[h]
		appHash := tmhash.Sum([]byte(fmt.Sprintf("app-%d", h)))
		if ah, ok := spec.appHash[h]; ok {
			appHash = ah
		}
		block.Header.Populate(
			cmtversion.Consensus{Block: version.BlockProtocol, App: 1}, spec.chainID,
			chainStart.Add(time.Duration(h)*time.Second), lastID,
			vals.Hash(), c.vals[h+1].Hash(), consensusHash,
			appHash, lastResults,
			vals.GetProposer().Address,
		)
		ps, err := block.MakePartSet(types.BlockPartSizeBytes)
		if err != nil {
			tb.Fatal(err)
		}
		id := types.BlockID{Hash: block.Hash(), PartSetHeader: ps.Header()}
		commit := c.sign(tb, h, id, vals)
		c.blocks[h], c.ids[h], c.commits[h] = block, id, commit
		lastID, lastCommit = id, commit
	}
	return c
}

// sign makes the commit of height h: every validator of vals signs except
// those listed absent for h.
func (c *fakeChain) sign(tb testing.TB, h int64, id types.BlockID, vals *types.ValidatorSet) *types.Commit {
	tb.Helper()
	pvs := make([]types.PrivValidator, len(vals.Validators))
	for i, v := range vals.Validators {
		pvs[i] = c.pvs[string(v.Address)]
	}
	voteSet := types.NewVoteSet(c.spec.chainID, h, 0, cmtproto.PrecommitType, vals)
	ec, err := types.MakeExtCommit(id, h, 0, voteSet, pvs, chainStart.Add(time.Duration(h)*time.Second+500*time.Millisecond), false)
	if err != nil {
		tb.Fatal(err)
	}
	commit := ec.ToCommit()
	for _, k := range c.spec.absent[h] {
		addr := mockPV(k).PrivKey.PubKey().Address()
		idx, _ := vals.GetByAddress(addr)
		if idx >= 0 {
			commit.Signatures[idx] = types.NewCommitSigAbsent()
		}
	}
	return commit
}

func (c *fakeChain) height(h *int64) (int64, error) {
	if h == nil {
		return c.spec.heights, nil
	}
	if *h < 1 || *h > c.spec.heights {
		return 0, fmt.Errorf("height %d must be less than or equal to the current blockchain height %d", *h, c.spec.heights)
	}
	return *h, nil
}

func (c *fakeChain) Block(_ context.Context, hp *int64) (*coretypes.ResultBlock, error) {
	h, err := c.height(hp)
	if err != nil {
		return nil, err
	}
	return &coretypes.ResultBlock{BlockID: c.ids[h], Block: c.blocks[h]}, nil
}

func (c *fakeChain) BlockResults(_ context.Context, hp *int64) (*coretypes.ResultBlockResults, error) {
	h, err := c.height(hp)
	if err != nil {
		return nil, err
	}
	return &coretypes.ResultBlockResults{Height: h, TxsResults: c.results[h]}, nil
}

func (c *fakeChain) Commit(_ context.Context, hp *int64) (*coretypes.ResultCommit, error) {
	h, err := c.height(hp)
	if err != nil {
		return nil, err
	}
	hd := c.blocks[h].Header
	return coretypes.NewResultCommit(&hd, c.commits[h], h < c.spec.heights), nil
}

func (c *fakeChain) Validators(_ context.Context, hp *int64, page, perPage *int) (*coretypes.ResultValidators, error) {
	h, err := c.height(hp)
	if err != nil {
		return nil, err
	}
	vals := c.vals[h].Validators
	pp := 30
	if perPage != nil {
		pp = min(max(*perPage, 1), 100)
	}
	pg := 1
	if page != nil {
		pg = *page
	}
	pages := (len(vals) + pp - 1) / pp
	if pg < 1 || pg > pages {
		return nil, fmt.Errorf("page should be within [1, %d] range, given %d", pages, pg)
	}
	lo, hi := (pg-1)*pp, min(pg*pp, len(vals))
	return &coretypes.ResultValidators{BlockHeight: h, Validators: vals[lo:hi], Count: hi - lo, Total: len(vals)}, nil
}

// signedHeader returns the signed header of h, for TrustFromHeader.
func (c *fakeChain) signedHeader(h int64) *types.SignedHeader {
	hd := c.blocks[h].Header
	return &types.SignedHeader{Header: &hd, Commit: c.commits[h]}
}

func keys(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
