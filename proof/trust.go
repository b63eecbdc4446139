package proof

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"github.com/cometbft/cometbft/crypto"
	cryptoenc "github.com/cometbft/cometbft/crypto/encoding"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/cometbft/cometbft/types"
)

// trustLevel is the share of a trusted validator set's voting power that must
// have signed a header before Verify moves its trust to that header's
// validator set (more than 2/3, counted with VerifyCommitLightTrusting).
//
// CometBFT's light client accepts 1/3 (light.DefaultTrustLevel) because it
// also enforces a trusting period: it only trusts a validator set for less
// than the unbonding period, while its members are still accountable, so that
// more than 1/3 of it signing implies at least one correct signer. A receipt is
// verified offline, possibly years later, with no trustworthy clock and no
// notion of "still bonded": a trusting period cannot be applied. Requiring
// more than 2/3 instead means that a forged trust step needs the same share of
// the trusted set that forging a commit of that set itself would need, so
// keys of former members leaking later cannot be used to fake a path unless
// more than 2/3 of a trusted set's power is compromised. In a consortium the
// validator set changes rarely and by one member at a time, so the stricter
// level costs nothing in practice; a change that replaces a third or more of
// the voting power at once is walked through the adjacent header instead
// (pass both k-1 and k as change heights; see Verify).
var trustLevel = cmtmath.Fraction{Numerator: 2, Denominator: 3}

// Trust is the root a receipt is verified from: a validator set known to be
// the chain's at some height, and for a header root the header itself. The
// zero value trusts nothing.
type Trust struct {
	chainID string
	height  int64
	vals    *types.ValidatorSet
	header  *types.Header // nil for a genesis root
	names   map[string]string
}

// ChainID is the chain the trust root belongs to.
func (t Trust) ChainID() string { return t.chainID }

// Height is the height whose validator set is trusted: the initial height for
// a genesis root, the header's height for a header root.
func (t Trust) Height() int64 { return t.height }

// String describes the root for reports ("genesis" or "header 120").
func (t Trust) String() string {
	switch {
	case t.vals == nil:
		return "none"
	case t.header == nil:
		return "genesis"
	default:
		return fmt.Sprintf("header %d", t.header.Height)
	}
}

// TrustFromGenesis trusts the validator set of a genesis document at the
// chain's initial height. The genesis validators must be the chain's first
// validator set (true unless the application replaced them in InitChain; then
// use TrustFromHeader). Validator names in the genesis are used in reports.
func TrustFromGenesis(doc *types.GenesisDoc) (Trust, error) {
	if doc == nil {
		return Trust{}, errors.New("proof: trust from genesis: no genesis document")
	}
	if doc.ChainID == "" || len(doc.ChainID) > types.MaxChainIDLen {
		return Trust{}, fmt.Errorf("proof: trust from genesis: chain id must be 1 to %d characters", types.MaxChainIDLen)
	}
	if len(doc.Validators) == 0 {
		return Trust{}, errors.New("proof: trust from genesis: the genesis has no validators; trust a signed header instead")
	}
	list := make([]*types.Validator, 0, len(doc.Validators))
	names := make(map[string]string, len(doc.Validators))
	for i, gv := range doc.Validators {
		pk, err := checkPubKey(gv.PubKey)
		if err != nil {
			return Trust{}, fmt.Errorf("proof: trust from genesis: validator %d: %w", i, err)
		}
		if gv.Power <= 0 {
			return Trust{}, fmt.Errorf("proof: trust from genesis: validator %d has non-positive power %d", i, gv.Power)
		}
		v := types.NewValidator(pk, gv.Power)
		if len(gv.Address) != 0 && !bytes.Equal(gv.Address, v.Address) {
			return Trust{}, fmt.Errorf("proof: trust from genesis: validator %d address %X is not derived from its public key", i, gv.Address)
		}
		names[v.Address.String()] = gv.Name
		list = append(list, v)
	}
	// CometBFT orders a validator set by power (descending), then address.
	sort.Sort(types.ValidatorsByVotingPower(list))
	vals, err := validatorSet(list)
	if err != nil {
		return Trust{}, fmt.Errorf("proof: trust from genesis: %w", err)
	}
	height := doc.InitialHeight
	if height == 0 {
		height = 1
	}
	return Trust{chainID: doc.ChainID, height: height, vals: vals, names: names}, nil
}

// TrustFromHeader trusts a signed header and its validator set, typically a
// checkpoint obtained out of band (or a light block of a receipt verified
// earlier). The header must be signed by more than 2/3 of the set's power.
func TrustFromHeader(sh *types.SignedHeader, vals *types.ValidatorSet) (Trust, error) {
	if sh == nil || sh.Header == nil {
		return Trust{}, errors.New("proof: trust from header: no signed header")
	}
	if vals == nil {
		return Trust{}, errors.New("proof: trust from header: no validator set")
	}
	set, err := checkLightBlock(sh.ChainID, LightBlock{SignedHeader: sh, Validators: vals.Validators}, sh.Height)
	if err != nil {
		return Trust{}, fmt.Errorf("proof: trust from header: %w", err)
	}
	h := *sh.Header
	return Trust{chainID: sh.ChainID, height: sh.Height, vals: set, header: &h}, nil
}

// checkPubKey makes sure a public key is of a type and size CometBFT can hash
// and verify (several key types panic on a wrong size) by a round trip
// through its protobuf form, and returns the fresh copy.
func checkPubKey(k crypto.PubKey) (crypto.PubKey, error) {
	if k == nil {
		return nil, errors.New("missing public key")
	}
	pb, err := cryptoenc.PubKeyToProto(k)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	out, err := cryptoenc.PubKeyFromProto(pb)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	return out, nil
}

// validatorSet rebuilds a validator set from a list in set order, without
// reordering it and without trusting anything but the keys and powers: keys
// are checked, powers must be positive, addresses derived from the keys and
// unique, and the total power within CometBFT's bound. Proposer priorities
// are irrelevant to hashes and commit checks and are dropped.
func validatorSet(list []*types.Validator) (*types.ValidatorSet, error) {
	if len(list) == 0 {
		return nil, errors.New("empty validator set")
	}
	if len(list) > types.MaxVotesCount {
		return nil, fmt.Errorf("%d validators exceeds the limit of %d", len(list), types.MaxVotesCount)
	}
	pb := &cmtproto.ValidatorSet{Validators: make([]*cmtproto.Validator, len(list))}
	seen := make(map[string]int, len(list))
	for i, v := range list {
		if v == nil {
			return nil, fmt.Errorf("validator %d is missing", i)
		}
		pk, err := checkPubKey(v.PubKey)
		if err != nil {
			return nil, fmt.Errorf("validator %d: %w", i, err)
		}
		if v.VotingPower <= 0 {
			return nil, fmt.Errorf("validator %d has non-positive voting power %d", i, v.VotingPower)
		}
		if !bytes.Equal(v.Address, pk.Address()) {
			return nil, fmt.Errorf("validator %d address %X is not derived from its public key", i, []byte(v.Address))
		}
		if j, dup := seen[string(v.Address)]; dup {
			return nil, fmt.Errorf("validator %X appears twice (%d and %d)", []byte(v.Address), j, i)
		}
		seen[string(v.Address)] = i
		pbk, err := cryptoenc.PubKeyToProto(pk)
		if err != nil {
			return nil, fmt.Errorf("validator %d: %w", i, err)
		}
		pb.Validators[i] = &cmtproto.Validator{Address: pk.Address(), PubKey: pbk, VotingPower: v.VotingPower}
	}
	pb.Proposer = pb.Validators[0]
	vals, err := types.ValidatorSetFromProto(pb)
	if err != nil {
		return nil, err
	}
	return vals, nil
}
