package e2e_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cmtcrypto "github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cryptoenc "github.com/cometbft/cometbft/crypto/encoding"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/node"
)

// evidenceTimeout bounds the wait for submitted evidence to be committed in
// a block (it needs blocks, which the test drives with txs).
const evidenceTimeout = 45 * time.Second

// TestDuplicateVoteEvidence runs a generated five-validator consortium (so
// that four, the governance minimum, remain after one is punished), forges
// real duplicate-vote evidence against validator 4 with the private key
// from its home, and checks the whole path:
//
//  1. CometBFT: broadcast_evidence refuses evidence signed with another key,
//     evidence of two identical votes and evidence with the wrong block
//     time; it accepts the real evidence, which is committed in a block
//     (the only evidence committed), the same on every node;
//  2. gov (the app): GET /v1/q/gov/evidence records it (type, validator,
//     organisation, offence height, block where it was recorded, power
//     removed, bond debited); block_results of that block carry the
//     validator update with power 0; the validator set two blocks later no
//     longer has the offender, nor does GET /v1/q/gov/validators; gov/insurance
//     (read as the regulator) shows the debit in the pool;
//  3. the chain keeps committing with the four others: with the offender and
//     one more validator killed, three of the four remaining (30 of 40 power)
//     commit a tx, which three of the original five (30 of 50) could not.
func TestDuplicateVoteEvidence(t *testing.T) {
	began := time.Now()
	step := func(format string, args ...any) {
		t.Helper()
		t.Logf("[%5.1fs] "+format, append([]any{time.Since(began).Seconds()}, args...)...)
	}
	ps := newProcs(t)
	net := newNetwork(t, ps, 5)
	net.startAll() // may generate the network again (port clash): read net.cons after it
	cons, chainID := net.cons, net.cons.ChainID
	const offender, via = 4, 0 // evidence against node4, sent to node0
	off := cons.Nodes[offender]
	key := loadValidatorKey(t, off.Home)
	if got := key.PubKey().Address().String(); got != off.ValidatorAddress {
		t.Fatalf("node%d's validator key has address %s, consortium.json says %s", offender, got, off.ValidatorAddress)
	}
	step("five validators answer; offender node%d (%s) is validator %s", offender, off.Org, off.ValidatorAddress)

	// A committed height to forge the votes at.
	operator := loadSigner(t, cons, "fm-alpha", "operator", testPassphrase)
	anchor := submit(t, net.apis[via], operator.sign(t, chainID, expiryAfter(net.maxHeight(all(5))), anchorMsg("before the evidence")))
	h := anchor.Height
	net.waitHeight(all(5), h, commitTimeout)
	blockTime, vals := net.blockTimeAndValidators(via, h)
	if vals.Size() != 5 || vals.TotalVotingPower() != 5*node.ValidatorPower {
		t.Fatalf("validator set at height %d: %d validators, power %d; want 5 and %d", h, vals.Size(), vals.TotalVotingPower(), 5*node.ValidatorPower)
	}
	step("offence height %d (block time %s)", h, blockTime.Format(time.RFC3339Nano))

	// 1a. Invalid evidence is refused and never committed.
	stranger := ed25519.GenPrivKey()
	invalid := []struct {
		name, want string
		ev         *cmttypes.DuplicateVoteEvidence
	}{
		{"votes signed with another key", "signature",
			duplicateVote(t, chainID, stranger, key.PubKey().Address(), h, blockTime, vals, false)},
		{"two identical votes", "invalid order",
			duplicateVote(t, chainID, key, key.PubKey().Address(), h, blockTime, vals, true)},
		{"the wrong block time", "different time",
			duplicateVote(t, chainID, key, key.PubKey().Address(), h, blockTime.Add(time.Second), vals, false)},
	}
	for _, c := range invalid {
		ctx, cancel := callCtx()
		res, err := net.rpcs[via].BroadcastEvidence(ctx, c.ev)
		cancel()
		if err == nil {
			t.Fatalf("broadcast_evidence accepted evidence of %s (hash %X)", c.name, res.Hash)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Fatalf("broadcast_evidence refused evidence of %s with %q; want an error mentioning %q", c.name, err, c.want)
		}
		step("evidence of %s refused: %v", c.name, err)
	}

	// 1b. Real evidence is accepted and committed.
	ev := duplicateVote(t, chainID, key, key.PubKey().Address(), h, blockTime, vals, false)
	ctx, cancel := callCtx()
	res, err := net.rpcs[via].BroadcastEvidence(ctx, ev)
	cancel()
	if err != nil {
		t.Fatalf("broadcast_evidence refused real duplicate-vote evidence against node%d at height %d: %v", offender, h, err)
	}
	if !bytes.Equal(res.Hash, ev.Hash()) {
		t.Fatalf("broadcast_evidence returned hash %X, the evidence hashes to %X", res.Hash, ev.Hash())
	}
	step("broadcast_evidence accepted evidence %X", ev.Hash())

	e := net.waitEvidence(via, h+1, operator, evidenceTimeout)
	net.waitHeight(all(5), e, commitTimeout)
	net.sameBlockAt(all(5), e)
	list := net.evidenceIn(via, h+1, e)
	if len(list) != 1 {
		t.Fatalf("blocks %d..%d hold %d pieces of evidence, want exactly the one submitted: %v", h+1, e, len(list), list)
	}
	got, ok := list[0].(*cmttypes.DuplicateVoteEvidence)
	if !ok || !bytes.Equal(got.Hash(), ev.Hash()) || got.Height() != h ||
		!bytes.Equal(got.VoteA.ValidatorAddress, key.PubKey().Address()) {
		t.Fatalf("block %d holds evidence %v, want the submitted duplicate vote %X of %s at height %d", e, list[0], ev.Hash(), off.ValidatorAddress, h)
	}
	step("evidence committed in block %d, the same on all five nodes (CometBFT part done)", e)

	// 2. The app: recorded, power removed, bond debited.
	net.waitAppHeight(all(5), e, commitTimeout)
	rec := net.waitGovEvidence(via, off.ValidatorAddress, commitTimeout)
	if rec.Type != "duplicate_vote" || rec.Org != off.Org || int64(rec.Height) != h || int64(rec.Recorded) != e || int64(rec.PowerRemoved) != node.ValidatorPower {
		t.Fatalf("gov/evidence record %+v; want type duplicate_vote, org %s, height %d, recorded %d, power_removed %d", rec, off.Org, h, e, node.ValidatorPower)
	}
	debited := parseAmount(t, "gov/evidence debited", string(rec.Debited))
	if debited.Sign() <= 0 {
		t.Fatalf("gov/evidence: debited %q, want > 0", rec.Debited)
	}
	step("gov/evidence: %+v", rec)

	net.checkValidatorUpdate(via, e, key.PubKey())
	net.commitTo(via, operator, e+2, commitTimeout)
	after := net.validatorsAt(via, e+2)
	if _, v := after.GetByAddress(key.PubKey().Address()); v != nil {
		t.Fatalf("validator set at height %d (evidence block %d + 2) still has %s with power %d", e+2, e, off.ValidatorAddress, v.VotingPower)
	}
	if after.Size() != 4 || after.TotalVotingPower() != 4*node.ValidatorPower {
		t.Fatalf("validator set at height %d: %d validators, power %d; want the 4 others, %d", e+2, after.Size(), after.TotalVotingPower(), 4*node.ValidatorPower)
	}
	net.checkGovValidators(via, off.ValidatorAddress)
	step("offender out of the validator set at height %d and of gov/validators", e+2)

	regulator := loadSigner(t, cons, "regulator", "operator", testPassphrase)
	net.checkInsurance(via, regulator, off.Org, debited)
	step("gov/insurance shows the debit of %s", rec.Debited)

	// 3. The four others carry the chain: even three of them (30 of 40).
	net.kill(offender)
	net.kill(3)
	alive := []int{0, 1, 2}
	last := submit(t, net.apis[via], operator.sign(t, chainID, expiryAfter(net.maxHeight(alive)), anchorMsg("without the offender")))
	net.waitHeight(alive, last.Height, commitTimeout)
	top := net.checkNoFork(alive)
	step("offender and node3 killed: three of the four remaining validators committed height %d; no fork up to %d", last.Height, top)

	// 4. Receipts still verify offline from the genesis (five validators)
	// across the change: the trust path carries the recorded change heights.
	verifyReceipt(t, net, ps, last)
	step("receipt of the tx at height %d verified from the genesis across the validator change at %d", last.Height, e+2)
}

// loadValidatorKey reads the CometBFT validator key from a node's home
// (config/priv_validator_key.json). Only the key: the node's last-sign
// state is neither read nor written.
func loadValidatorKey(t *testing.T, home string) cmtcrypto.PrivKey {
	t.Helper()
	file := filepath.Join(home, filepath.FromSlash(node.PrivValidatorKeyFile))
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var k privval.FilePVKey
	if err := cmtjson.Unmarshal(b, &k); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if k.PrivKey == nil {
		t.Fatalf("%s holds no private key", file)
	}
	return k.PrivKey
}

// duplicateVote builds evidence that the validator with address addr cast
// two round-0 prevotes at height h, each signed by key over the canonical
// vote sign bytes of chainID. The votes are for two different random block
// IDs, or for the same one when same (which is not misbehaviour).
func duplicateVote(t *testing.T, chainID string, key cmtcrypto.PrivKey, addr cmtcrypto.Address, h int64,
	blockTime time.Time, vals *cmttypes.ValidatorSet, same bool) *cmttypes.DuplicateVoteEvidence {
	t.Helper()
	idx, _ := vals.GetByAddress(addr)
	if idx < 0 {
		t.Fatalf("%s is not in the validator set", addr)
	}
	vote := func(id cmttypes.BlockID) *cmttypes.Vote {
		v := &cmttypes.Vote{
			Type: cmtproto.PrevoteType, Height: h, Round: 0, BlockID: id,
			Timestamp: blockTime.Add(time.Millisecond), ValidatorAddress: addr, ValidatorIndex: idx,
		}
		sig, err := key.Sign(cmttypes.VoteSignBytes(chainID, v.ToProto()))
		if err != nil {
			t.Fatal(err)
		}
		v.Signature = sig
		return v
	}
	idA := randomBlockID(t)
	idB := randomBlockID(t)
	if same {
		idB = idA
	}
	ev, err := cmttypes.NewDuplicateVoteEvidence(vote(idA), vote(idB), blockTime, vals)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func randomBlockID(t *testing.T) cmttypes.BlockID {
	t.Helper()
	b := make([]byte, 64)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return cmttypes.BlockID{Hash: b[:32], PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: b[32:]}}
}

// blockTimeAndValidators returns the time of node i's block h and the
// validator set of height h (CometBFT RPC /block and /validators).
func (n *network) blockTimeAndValidators(i int, h int64) (time.Time, *cmttypes.ValidatorSet) {
	n.t.Helper()
	ctx, cancel := callCtx()
	defer cancel()
	b, err := n.rpcs[i].Block(ctx, &h)
	if err != nil {
		n.t.Fatalf("node%d: block %d: %v", i, h, err)
	}
	return b.Block.Time, n.validatorsAt(i, h)
}

// validatorsAt returns node i's validator set of height h.
func (n *network) validatorsAt(i int, h int64) *cmttypes.ValidatorSet {
	n.t.Helper()
	ctx, cancel := callCtx()
	defer cancel()
	page, perPage := 1, 100
	r, err := n.rpcs[i].Validators(ctx, &h, &page, &perPage)
	if err != nil {
		n.t.Fatalf("node%d: validators at height %d: %v", i, h, err)
	}
	vals := make([]*cmttypes.Validator, len(r.Validators))
	for k, v := range r.Validators {
		vals[k] = cmttypes.NewValidator(v.PubKey, v.VotingPower)
	}
	return cmttypes.NewValidatorSet(vals)
}

// evidenceIn returns the evidence committed in node i's blocks from..to.
func (n *network) evidenceIn(i int, from, to int64) cmttypes.EvidenceList {
	n.t.Helper()
	var out cmttypes.EvidenceList
	for h := from; h <= to; h++ {
		ctx, cancel := callCtx()
		b, err := n.rpcs[i].Block(ctx, &h)
		cancel()
		if err != nil {
			n.t.Fatalf("node%d: block %d: %v", i, h, err)
		}
		out = append(out, b.Block.Evidence.Evidence...)
	}
	return out
}

// waitEvidence drives blocks with evidence anchors signed by s (an idle
// chain makes none) until one of node i's blocks from height from on holds
// evidence, and returns that block's height.
func (n *network) waitEvidence(i int, from int64, s *signer, timeout time.Duration) int64 {
	n.t.Helper()
	next := from
	var found int64
	n.poll(timeout, fmt.Sprintf("a block >= %d with evidence on node%d", from, i), func() (bool, string) {
		top := n.maxHeight([]int{i})
		for ; next <= top; next++ {
			if len(n.evidenceIn(i, next, next)) > 0 {
				found = next
				return true, ""
			}
		}
		submit(n.t, n.apis[i], s.sign(n.t, n.cons.ChainID, expiryAfter(top), anchorMsg("to carry the evidence")))
		return false, fmt.Sprintf("no evidence in blocks %d..%d", from, next-1)
	})
	return found
}

// commitTo drives blocks with anchors signed by s until node i has height h.
func (n *network) commitTo(i int, s *signer, h int64, timeout time.Duration) {
	n.t.Helper()
	n.poll(timeout, fmt.Sprintf("node%d at height >= %d", i, h), func() (bool, string) {
		top := n.maxHeight([]int{i})
		if top >= h {
			return true, ""
		}
		submit(n.t, n.apis[i], s.sign(n.t, n.cons.ChainID, expiryAfter(top), anchorMsg("to move the chain")))
		return false, fmt.Sprintf("height %d", top)
	})
}

// checkValidatorUpdate checks that block_results of height e on node i
// carry the update setting pub's power to 0.
func (n *network) checkValidatorUpdate(i int, e int64, pub cmtcrypto.PubKey) {
	n.t.Helper()
	ctx, cancel := callCtx()
	defer cancel()
	r, err := n.rpcs[i].BlockResults(ctx, &e)
	if err != nil {
		n.t.Fatalf("node%d: block_results %d: %v", i, e, err)
	}
	var seen []string
	for _, u := range r.ValidatorUpdates {
		pk, err := cryptoenc.PubKeyFromProto(u.PubKey)
		if err != nil {
			n.t.Fatalf("block_results %d: validator update with a bad key: %v", e, err)
		}
		if pk.Equals(pub) {
			if u.Power != 0 {
				n.t.Fatalf("block_results %d: the offender's update sets power %d, want 0", e, u.Power)
			}
			return
		}
		seen = append(seen, fmt.Sprintf("%s:%d", pk.Address(), u.Power))
	}
	n.t.Fatalf("block_results %d: no validator update for the offender %s (updates %v)", e, pub.Address(), seen)
}

// govEvidence is one record of GET /v1/q/gov/evidence.
type govEvidence struct {
	Type          string     `json:"type"`
	Validator     string     `json:"validator"`
	Org           string     `json:"org"`
	Height        flexInt    `json:"height"`
	Recorded      flexInt    `json:"recorded"`
	PowerRemoved  flexInt    `json:"power_removed"` // the voting power taken away
	Debited       flexAmount `json:"debited"`
	FloorBreached bool       `json:"floor_breached"`
}

// govQuery reads path of the gov module on node i with api (node i's
// anonymous client when nil); a gov module missing from the build fails
// the test at once, saying so.
func (n *network) govQuery(i int, api *client.Client, path string) (json.RawMessage, error) {
	n.t.Helper()
	if api == nil {
		api = n.apis[i]
	}
	ctx, cancel := callCtx()
	defer cancel()
	raw, err := api.Query(ctx, "gov/"+path, nil)
	if client.IsCode(err, "unknown_query") {
		n.t.Fatalf("GET /v1/q/gov/%s on node%d: %v\n(the CometBFT part passed; this build has no gov module or no such gov query)", path, i, err)
	}
	return raw, err
}

// waitGovEvidence waits until node i's gov/evidence lists a record for
// validator addr and returns it.
func (n *network) waitGovEvidence(i int, addr string, timeout time.Duration) govEvidence {
	n.t.Helper()
	var rec govEvidence
	n.poll(timeout, "gov/evidence to record the offence of "+addr, func() (bool, string) {
		raw, err := n.govQuery(i, nil, "evidence")
		if err != nil {
			return false, err.Error()
		}
		var list []govEvidence
		if err := json.Unmarshal(raw, &list); err != nil {
			n.t.Fatalf("gov/evidence is not a list of records: %v\n%s", err, raw)
		}
		for _, r := range list {
			if strings.EqualFold(r.Validator, addr) {
				if r.Validator != strings.ToUpper(r.Validator) {
					n.t.Fatalf("gov/evidence: validator %q is not upper-case hex", r.Validator)
				}
				rec = r
				return true, ""
			}
		}
		return false, "gov/evidence: " + string(raw)
	})
	return rec
}

// checkGovValidators checks node i's gov/validators: the offender addr has
// power 0 or is absent, every other validator of the network is listed
// with power > 0.
func (n *network) checkGovValidators(i int, addr string) {
	n.t.Helper()
	raw, err := n.govQuery(i, nil, "validators")
	if err != nil {
		n.t.Fatalf("gov/validators on node%d: %v", i, err)
	}
	var list []struct {
		Address string  `json:"address"`
		Org     string  `json:"org"`
		Power   flexInt `json:"power"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		n.t.Fatalf("gov/validators is not a list of validators: %v\n%s", err, raw)
	}
	power := map[string]int64{}
	for _, v := range list {
		power[strings.ToUpper(v.Address)] = int64(v.Power)
	}
	for _, ni := range n.cons.Nodes {
		p, listed := power[strings.ToUpper(ni.ValidatorAddress)]
		switch {
		case ni.ValidatorAddress == addr && p != 0:
			n.t.Fatalf("gov/validators: the offender %s still has power %d\n%s", addr, p, raw)
		case ni.ValidatorAddress != addr && (!listed || p <= 0):
			n.t.Fatalf("gov/validators: validator %s of %s missing or without power\n%s", ni.ValidatorAddress, ni.Org, raw)
		}
	}
}

// checkInsurance logs in to node i as s and checks gov/insurance: a pool of
// at least debited and a bond entry for org.
func (n *network) checkInsurance(i int, s *signer, org string, debited *big.Rat) {
	n.t.Helper()
	api := client.New(n.cons.Nodes[i].APIURL)
	ctx, cancel := callCtx()
	_, err := api.Login(ctx, s.id, s.key.Sign)
	cancel()
	if err != nil {
		n.t.Fatalf("login as %s on node%d: %v", s.name, i, err)
	}
	raw, err := n.govQuery(i, api, "insurance")
	if err != nil {
		n.t.Fatalf("gov/insurance on node%d as %s: %v", i, s.name, err)
	}
	var ins struct {
		Pool  flexAmount `json:"pool"`
		Bonds []struct {
			Org  string     `json:"org"`
			Bond flexAmount `json:"bond"`
		} `json:"bonds"`
	}
	if err := json.Unmarshal(raw, &ins); err != nil {
		n.t.Fatalf("gov/insurance: %v\n%s", err, raw)
	}
	if parseAmount(n.t, "gov/insurance pool", string(ins.Pool)).Cmp(debited) < 0 {
		n.t.Fatalf("gov/insurance: pool %s, want at least the debit %s\n%s", ins.Pool, debited.RatString(), raw)
	}
	for _, b := range ins.Bonds {
		if b.Org == org {
			parseAmount(n.t, "gov/insurance bond of "+org, string(b.Bond))
			return
		}
	}
	n.t.Fatalf("gov/insurance lists no bond of %s\n%s", org, raw)
}

// parseAmount parses a decimal amount string.
func parseAmount(t *testing.T, what, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "/eE") {
		t.Fatalf("%s: %q is not a decimal amount", what, s)
	}
	return r
}

// flexAmount decodes an amount given as a JSON number or string (gov keeps
// integer bookkeeping units).
type flexAmount string

func (f *flexAmount) UnmarshalJSON(b []byte) error {
	*f = flexAmount(strings.Trim(string(b), `"`))
	return nil
}

// flexInt decodes a JSON integer given as a number or as a string.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("integer %s: %w", b, err)
	}
	*f = flexInt(v)
	return nil
}
