// Package prover assembles evidence receipts (package proof) from a
// CometBFT node: Build for a committed transaction, BuildOutcome for an
// end-block outcome. It reads blocks, results, commits and validator sets
// through Source, which CometBFT's RPC clients (local and HTTP) satisfy.
//
// It is apart from package proof so that the verifier does not depend on
// CometBFT's RPC client (and through it on p2p, config and the databases):
// package proof builds for the browser (GOOS=js GOARCH=wasm), this one
// does not need to. It must never import the state store, the app, the API
// or a domain module.
package prover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/proof"
)

// Source is what Build reads: the subset of CometBFT's RPC client
// (rpc/client.Client, local or HTTP) that serves blocks, results, commits and
// validator sets. A nil height means the latest.
type Source interface {
	Block(ctx context.Context, height *int64) (*coretypes.ResultBlock, error)
	BlockResults(ctx context.Context, height *int64) (*coretypes.ResultBlockResults, error)
	Commit(ctx context.Context, height *int64) (*coretypes.ResultCommit, error)
	Validators(ctx context.Context, height *int64, page, perPage *int) (*coretypes.ResultValidators, error)
}

var _ Source = rpcclient.Client(nil)

// ErrNotYetProvable is returned (wrapped) by Build when the height asked for,
// or the next one that proves its results, is not committed yet. Retry after
// the next block.
var ErrNotYetProvable = errors.New("prover: not yet provable")

// validatorsPerPage is the largest page CometBFT's validators endpoint serves.
const validatorsPerPage = 100

// Build assembles the receipt of the transaction at index of the block at
// height from src. changeHeights are the heights at which the validator set
// changed (the first height signed by each new set) since the chain started
// or since the trust root the receipt will be verified from; heights at or
// above height are ignored, duplicates dropped, order does not matter. To
// cross a change that replaces a third or more of the voting power at once,
// include the height just before it as well (see Verify).
//
// The result proof needs the header of height+1: until it is committed Build
// fails with an error wrapping ErrNotYetProvable. Build checks what it
// fetched for consistency (proofs against the headers, validator sets against
// their hashes, commits) but proves nothing: the reader calls Verify.
func Build(ctx context.Context, src Source, height int64, index uint32, changeHeights []int64) (*proof.Receipt, error) {
	block, next, path, err := frame(ctx, src, height, changeHeights)
	if err != nil {
		return nil, err
	}
	blk, err := src.Block(ctx, &height)
	if err != nil {
		return nil, fmt.Errorf("prover: build: block %d: %w", height, err)
	}
	if blk == nil || blk.Block == nil || blk.Block.Height != height {
		return nil, fmt.Errorf("prover: build: source returned no block for height %d", height)
	}
	txs := blk.Block.Data.Txs
	if int64(index) >= int64(len(txs)) {
		return nil, fmt.Errorf("prover: build: block %d has %d transactions, no index %d", height, len(txs), index)
	}
	res, err := src.BlockResults(ctx, &height)
	if err != nil {
		return nil, fmt.Errorf("prover: build: block results %d: %w", height, err)
	}
	if res == nil {
		return nil, fmt.Errorf("prover: build: source returned no results for height %d", height)
	}
	if len(res.TxsResults) != len(txs) {
		return nil, fmt.Errorf("prover: build: block %d has %d transactions but %d results", height, len(txs), len(res.TxsResults))
	}
	for i, x := range res.TxsResults {
		if x == nil {
			return nil, fmt.Errorf("prover: build: block %d: result %d is missing", height, i)
		}
	}
	if !bytes.Equal(block.SignedHeader.Hash(), blk.BlockID.Hash) {
		return nil, fmt.Errorf("prover: build: the commit for height %d is for another block than the source's block", height)
	}

	txProof := txs.Proof(int(index))
	resultProof := types.NewResults(res.TxsResults).ProveResult(int(index))
	// A one-tx block has no aunts; write none rather than an empty list, so
	// that the JSON is the same after a round trip.
	if len(txProof.Proof.Aunts) == 0 {
		txProof.Proof.Aunts = nil
	}
	if len(resultProof.Aunts) == 0 {
		resultProof.Aunts = nil
	}
	x := res.TxsResults[index]
	r := &proof.Receipt{
		Version: proof.Version,
		ChainID: block.SignedHeader.ChainID,
		Height:  height,
		Index:   index,
		Tx:      txs[index],
		TxProof: txProof,
		Result: proof.Result{
			Code:      x.Code,
			Codespace: x.Codespace,
			Log:       x.Log,
			Data:      x.Data,
			GasWanted: x.GasWanted,
			GasUsed:   x.GasUsed,
		},
		ResultProof: resultProof,
		Block:       block,
		Next:        next,
		TrustPath:   path,
	}

	// Self-check what can be checked without a trust root, so that a
	// misbehaving or inconsistent source is reported here, not by the reader.
	if err := proof.Consistent(r); err != nil {
		return nil, fmt.Errorf("prover: build: %w", err)
	}
	return r, nil
}

// frame fetches what every receipt of height carries: the light blocks of
// height and height+1 (checked on their own) and the trust path.
func frame(ctx context.Context, src Source, height int64, changeHeights []int64) (block, next proof.LightBlock, path []proof.LightBlock, err error) {
	if height < 1 {
		return block, next, nil, fmt.Errorf("prover: build: height %d is not positive", height)
	}
	latest, err := src.Commit(ctx, nil)
	if err != nil {
		return block, next, nil, fmt.Errorf("prover: build: latest commit: %w", err)
	}
	switch {
	case latest == nil || latest.Header == nil:
		return block, next, nil, errors.New("prover: build: latest commit has no header")
	case height > latest.Height:
		return block, next, nil, fmt.Errorf("%w: height %d is not committed yet (latest %d)", ErrNotYetProvable, height, latest.Height)
	case height+1 > latest.Height:
		return block, next, nil, fmt.Errorf("%w: the proof needs height %d; retry after the next block", ErrNotYetProvable, height+1)
	}
	if block, err = lightBlock(ctx, src, height); err != nil {
		return block, next, nil, err
	}
	if next, err = lightBlock(ctx, src, height+1); err != nil {
		return block, next, nil, err
	}
	heights := slices.Clone(changeHeights)
	slices.Sort(heights)
	heights = slices.Compact(heights)
	for _, k := range heights {
		if k >= height {
			break
		}
		if k < 1 {
			return block, next, nil, fmt.Errorf("prover: build: change height %d is not positive", k)
		}
		lb, err := lightBlock(ctx, src, k)
		if err != nil {
			return block, next, nil, err
		}
		if _, err := proof.CheckLightBlock(lb.SignedHeader.ChainID, lb, k); err != nil {
			return block, next, nil, fmt.Errorf("prover: build: %w", err)
		}
		path = append(path, lb)
	}
	if _, err := proof.CheckLightBlock(block.SignedHeader.ChainID, block, height); err != nil {
		return block, next, nil, fmt.Errorf("prover: build: %w", err)
	}
	if _, err := proof.CheckLightBlock(block.SignedHeader.ChainID, next, height+1); err != nil {
		return block, next, nil, fmt.Errorf("prover: build: %w", err)
	}
	return block, next, path, nil
}

// lightBlock fetches the signed header and the full validator set of a height.
func lightBlock(ctx context.Context, src Source, height int64) (proof.LightBlock, error) {
	c, err := src.Commit(ctx, &height)
	if err != nil {
		return proof.LightBlock{}, fmt.Errorf("prover: build: commit %d: %w", height, err)
	}
	if c == nil || c.Header == nil || c.Commit == nil || c.Height != height {
		return proof.LightBlock{}, fmt.Errorf("prover: build: source returned no signed header for height %d", height)
	}
	vals, err := validators(ctx, src, height)
	if err != nil {
		return proof.LightBlock{}, err
	}
	sh := c.SignedHeader
	return proof.LightBlock{SignedHeader: &sh, Validators: vals}, nil
}

// validators fetches a validator set page by page.
func validators(ctx context.Context, src Source, height int64) ([]*types.Validator, error) {
	var out []*types.Validator
	perPage := validatorsPerPage
	for page := 1; ; page++ {
		res, err := src.Validators(ctx, &height, &page, &perPage)
		if err != nil {
			return nil, fmt.Errorf("prover: build: validators %d page %d: %w", height, page, err)
		}
		if res == nil {
			return nil, fmt.Errorf("prover: build: source returned no validators for height %d", height)
		}
		if res.BlockHeight != height {
			return nil, fmt.Errorf("prover: build: asked for the validators of height %d, got height %d", height, res.BlockHeight)
		}
		out = append(out, res.Validators...)
		if len(out) >= res.Total {
			return out, nil
		}
		if len(res.Validators) == 0 || page > res.Total/perPage+1 {
			return nil, fmt.Errorf("prover: build: validators %d: got %d of %d", height, len(out), res.Total)
		}
	}
}

// BuildOutcome assembles the receipt of an outcome of block height: the
// signed headers of height and height+1 (whose app hash covers the outcome)
// and the trust path, as Build does for transactions.
func BuildOutcome(ctx context.Context, src Source, height int64, o *proof.Outcome, changeHeights []int64) (*proof.Receipt, error) {
	if o == nil {
		return nil, errors.New("prover: build outcome: no outcome")
	}
	block, next, path, err := frame(ctx, src, height, changeHeights)
	if err != nil {
		return nil, err
	}
	r := &proof.Receipt{Version: proof.OutcomeVersion, ChainID: block.SignedHeader.ChainID, Height: height, Block: block, Next: next, TrustPath: path, Outcome: o}
	if err := proof.Consistent(r); err != nil {
		return nil, fmt.Errorf("prover: build: %w", err)
	}
	return r, nil
}
