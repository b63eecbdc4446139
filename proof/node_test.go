package proof_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	abci "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cryptoenc "github.com/cometbft/cometbft/crypto/encoding"
	"github.com/cometbft/cometbft/libs/log"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/cometbft/cometbft/rpc/client/local"
	"github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/proof/prover"
)

var (
	_ prover.Source = (*local.Local)(nil)
	_ prover.Source = (*rpchttp.HTTP)(nil)
)

// resultApp is the kvstore example app with results worth proving: Data is
// the SHA-256 of the tx, Log and Codespace are set, and txs whose key starts
// with "fail" get code 7.
type resultApp struct{ *kvstore.Application }

func (a resultApp) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	res, err := a.Application.FinalizeBlock(ctx, req)
	if err != nil {
		return nil, err
	}
	for i, tx := range req.Txs {
		sum := sha256.Sum256(tx)
		r := res.TxResults[i]
		r.Data, r.Log, r.Codespace, r.GasWanted, r.GasUsed = sum[:], "stored "+string(tx), "kv", 10, int64(len(tx))
		if bytes.HasPrefix(tx, []byte("fail")) {
			r.Code = 7
		}
	}
	return res, nil
}

// freePort finds a free 127.0.0.1 TCP port below 32768.
func freePort(t *testing.T) int {
	t.Helper()
	for range 200 {
		p := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		l.Close()
		return p
	}
	t.Fatal("no free port below 32768")
	return 0
}

type testNode struct {
	node    *nm.Node
	client  *local.Local
	http    *rpchttp.HTTP
	genesis *types.GenesisDoc
}

// startNode runs one CometBFT validator with resultApp in t.TempDir(). Blocks
// are made only when there are txs (and one more to prove their results).
func startNode(t *testing.T) *testNode {
	t.Helper()
	dir := t.TempDir()
	c := cfg.TestConfig().SetRoot(dir)
	cfg.EnsureRoot(dir)
	c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	c.RPC.GRPCListenAddress = "" // TestConfig sets a fixed port above 32767, which collides between test processes
	c.Consensus.CreateEmptyBlocks = false
	c.Consensus.TimeoutCommit = 250 * time.Millisecond
	c.Consensus.SkipTimeoutCommit = false
	c.Instrumentation.Prometheus = false
	c.P2P.PexReactor = false // no address book writes after Stop

	pv := privval.GenFilePV(filepath.Join(dir, "config", "pv_key.json"), filepath.Join(dir, "data", "pv_state.json"))
	pub, err := pv.GetPubKey()
	if err != nil {
		t.Fatal(err)
	}
	genesis := &types.GenesisDoc{
		ChainID:         "otc-proof-test",
		GenesisTime:     time.Now().UTC().Truncate(time.Second),
		InitialHeight:   1,
		ConsensusParams: types.DefaultConsensusParams(),
		Validators:      []types.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10, Name: "org-a"}},
	}
	if err := genesis.ValidateAndComplete(); err != nil {
		t.Fatal(err)
	}
	n, err := nm.NewNode(c, pv, &p2p.NodeKey{PrivKey: ed25519.GenPrivKey()},
		proxy.NewLocalClientCreator(resultApp{kvstore.NewInMemoryApplication()}),
		func() (*types.GenesisDoc, error) { return genesis, nil },
		cfg.DefaultDBProvider, nm.DefaultMetricsProvider(c.Instrumentation), log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Error(err)
		}
		n.Wait()
	})
	hc, err := rpchttp.New(c.RPC.ListenAddress, "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	return &testNode{node: n, client: local.New(n), http: hc, genesis: genesis}
}

type txLoc struct {
	tx     []byte
	height int64
	index  uint32
}

// commitTx sends a tx and waits until it is committed.
func (tn *testNode) commitTx(t *testing.T, tx []byte) txLoc {
	t.Helper()
	res, err := tn.client.BroadcastTxCommit(context.Background(), tx)
	if err != nil {
		t.Fatal(err)
	}
	if res.CheckTx.Code != 0 || res.Height == 0 {
		t.Fatalf("tx %q: check code %d height %d", tx, res.CheckTx.Code, res.Height)
	}
	blk, err := tn.client.Block(context.Background(), &res.Height)
	if err != nil {
		t.Fatal(err)
	}
	i := blk.Block.Txs.IndexByHash(types.Tx(tx).Hash())
	if i < 0 {
		t.Fatalf("tx %q not in block %d", tx, res.Height)
	}
	return txLoc{tx: tx, height: res.Height, index: uint32(i)}
}

// burst sends txs back to back (so that they share a block) and waits until
// they are all committed. It returns their locations.
func (tn *testNode) burst(t *testing.T, txs [][]byte) []txLoc {
	t.Helper()
	ctx := context.Background()
	start, err := tn.client.Commit(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range txs {
		if res, err := tn.client.BroadcastTxSync(ctx, tx); err != nil || res.Code != 0 {
			t.Fatalf("broadcast %q: %v %v", tx, res, err)
		}
	}
	var out []txLoc
	next := start.Height + 1
	deadline := time.Now().Add(20 * time.Second)
	for len(out) < len(txs) {
		if time.Now().After(deadline) {
			t.Fatalf("txs not committed: found %d of %d", len(out), len(txs))
		}
		blk, err := tn.client.Block(ctx, &next)
		if err != nil {
			time.Sleep(20 * time.Millisecond) // poll for the next block
			continue
		}
		for i, tx := range blk.Block.Txs {
			if slices.ContainsFunc(txs, func(x []byte) bool { return bytes.Equal(x, tx) }) {
				out = append(out, txLoc{tx: tx, height: next, index: uint32(i)})
			}
		}
		next++
	}
	return out
}

// buildWhenReady builds a receipt, retrying while the next block is pending.
func buildWhenReady(t *testing.T, src prover.Source, loc txLoc, changes []int64) *proof.Receipt {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := prover.Build(context.Background(), src, loc.height, loc.index, changes)
		if err == nil {
			return r
		}
		if !errors.Is(err, prover.ErrNotYetProvable) || time.Now().After(deadline) {
			t.Fatalf("build %d/%d: %v", loc.height, loc.index, err)
		}
		time.Sleep(20 * time.Millisecond) // poll for the next block
	}
}

func TestNodeReceipts(t *testing.T) {
	tn := startNode(t)
	trust := genesisTrust(t, tn.genesis)

	locs := []txLoc{tn.commitTx(t, []byte("fund=F001")), tn.commitTx(t, []byte("fail-order=1"))}
	// A block with several txs, so that tx proofs have aunts.
	var multi []txLoc
	for attempt := 0; attempt < 5 && len(multi) == 0; attempt++ {
		burst := [][]byte{}
		for j := range 5 {
			burst = append(burst, []byte(fmt.Sprintf("nav%d-%d=1.%d", attempt, j, j)))
		}
		for _, l := range tn.burst(t, burst) {
			locs = append(locs, l)
			if l.index > 0 {
				multi = append(multi, l)
			}
		}
	}
	if len(multi) == 0 {
		t.Fatal("no block with more than one tx")
	}

	receipts := map[string]*proof.Receipt{}
	for _, loc := range locs {
		r := buildWhenReady(t, tn.client, loc, nil)
		rep, err := proof.Verify(r, trust)
		if err != nil {
			t.Fatalf("verify %q: %v", loc.tx, err)
		}
		sum := sha256.Sum256(loc.tx)
		wantCode := uint32(0)
		if bytes.HasPrefix(loc.tx, []byte("fail")) {
			wantCode = 7
		}
		if rep.ChainID != "otc-proof-test" || rep.Height != loc.height || rep.Index != loc.index ||
			rep.TxHash != fmt.Sprintf("%X", sum) || !bytes.Equal(rep.Data, sum[:]) || rep.Code != wantCode ||
			rep.Codespace != "kv" || rep.GasUsed != int64(len(loc.tx)) || rep.BlockTime.IsZero() ||
			len(rep.Signers) != 1 || rep.Signers[0].Name != "org-a" || rep.TrustRoot != "genesis" {
			t.Fatalf("report for %q: %+v", loc.tx, rep)
		}

		// JSON round trip, through encoding/json as an API would embed it.
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back proof.Receipt
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		rep2, err := proof.Verify(&back, trust)
		if err != nil {
			t.Fatalf("verify after JSON: %v", err)
		}
		if fmt.Sprint(rep) != fmt.Sprint(rep2) {
			t.Fatalf("report changed by JSON:\n%+v\n%+v", rep, rep2)
		}
		if a, b := mustJSON(t, r), mustJSON(t, &back); !bytes.Equal(a, b) {
			t.Logf("%s\n%s", a, b)
			t.Fatal("JSON not stable across a round trip")
		}

		// The HTTP RPC client is a Source too.
		rh := buildWhenReady(t, tn.http, loc, nil)
		if _, err := proof.Verify(rh, trust); err != nil {
			t.Fatalf("verify receipt built over HTTP: %v", err)
		}
		receipts[string(loc.tx)] = r
	}
	t.Logf("receipt size: %d bytes (1 validator)", len(mustJSON(t, receipts["fund=F001"])))

	t.Run("tamper", func(t *testing.T) {
		base := receipts[string(multi[0].tx)]
		if len(base.TxProof.Proof.Aunts) == 0 {
			t.Fatal("tx proof has no aunts")
		}
		tamperTests(t, base, trust)
	})

	t.Run("other chain", func(t *testing.T) {
		r := receipts["fund=F001"]
		other := *tn.genesis
		other.ChainID = "otc-other"
		_, err := proof.Verify(r, genesisTrust(t, &other))
		wantErr(t, err, `receipt is for chain id "otc-proof-test", the trust root is for chain id "otc-other"`)

		// Same chain id, other validators.
		pub := ed25519.GenPrivKey().PubKey()
		other = *tn.genesis
		other.Validators = []types.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10, Name: "mallory"}}
		_, err = proof.Verify(r, genesisTrust(t, &other))
		wantErr(t, err, fmt.Sprintf("commit for height %d signed by 0/10 of the trusted (height 1) voting power", r.Height))
	})

	t.Run("check file", func(t *testing.T) {
		_, err := proof.CheckFile(receipts["fund=F001"], []byte("x"))
		wantErr(t, err, "not an otcchain transaction")
	})

	t.Run("build errors", func(t *testing.T) {
		ctx := context.Background()
		latest, err := tn.client.Commit(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = prover.Build(ctx, tn.client, latest.Height+5, 0, nil)
		if !errors.Is(err, prover.ErrNotYetProvable) {
			t.Fatalf("future height: %v", err)
		}
		_, err = prover.Build(ctx, tn.client, locs[0].height, 9, nil)
		wantErr(t, err, fmt.Sprintf("block %d has 1 transactions, no index 9", locs[0].height))
	})

	t.Run("validator set change", func(t *testing.T) {
		// kvstore adds a validator (power 1, never online: 10 of 11 still
		// commit) through a "val=" tx; the set changes two heights later.
		pub := ed25519.GenPrivKey().PubKey()
		pk, err := cryptoenc.PubKeyToProto(pub)
		if err != nil {
			t.Fatal(err)
		}
		add := tn.commitTx(t, kvstore.MakeValSetChangeTx(pk, 1))
		after := tn.commitTx(t, []byte("after=change"))
		for i := 0; after.height <= add.height+2; i++ {
			after = tn.commitTx(t, []byte(fmt.Sprintf("after%d=change", i)))
		}
		change := changeHeights(t, tn, after.height)
		if len(change) != 1 || change[0] != add.height+2 {
			t.Fatalf("change heights %v, want [%d]", change, add.height+2)
		}
		r := buildWhenReady(t, tn.client, after, change)
		rep, err := proof.Verify(r, trust)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rep.TrustPath, change) || rep.TotalPower != 11 || rep.SignedPower != 10 {
			t.Fatalf("report %+v", rep)
		}
		t.Logf("receipt with a trust path: %d bytes", len(mustJSON(t, r)))
	})
}

// changeHeights lists the heights up to h whose validators hash differs from
// the previous height's.
func changeHeights(t *testing.T, tn *testNode, h int64) []int64 {
	t.Helper()
	var out []int64
	var prev []byte
	for k := int64(1); k <= h; k++ {
		c, err := tn.client.Commit(context.Background(), &k)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && !bytes.Equal(prev, c.ValidatorsHash) {
			out = append(out, k)
		}
		prev = c.ValidatorsHash
	}
	return out
}

func mustJSON(t testing.TB, r *proof.Receipt) []byte {
	t.Helper()
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tamperTests changes one thing at a time in a deep copy of a good receipt
// (from a block with several txs) and expects Verify to say what failed.
func tamperTests(t *testing.T, base *proof.Receipt, trust proof.Trust) {
	h := base.Height
	tests := []struct {
		name   string
		tamper func(r *proof.Receipt)
		err    string
	}{
		{"tx byte", func(r *proof.Receipt) { r.Tx[0] ^= 1 },
			"tx differs from the data of its tx proof"},
		{"tx and proof data", func(r *proof.Receipt) { r.Tx[0] ^= 1; r.TxProof.Data[0] ^= 1 },
			fmt.Sprintf("tx proof does not match header data hash at height %d", h)},
		{"tx proof aunt", func(r *proof.Receipt) { r.TxProof.Proof.Aunts[0][3] ^= 1 },
			fmt.Sprintf("tx proof does not match header data hash at height %d", h)},
		{"tx proof root", func(r *proof.Receipt) { r.TxProof.RootHash[0] ^= 1 },
			fmt.Sprintf("tx proof does not match header data hash at height %d: proof matches different data hash", h)},
		{"tx proof index", func(r *proof.Receipt) { r.Index++ },
			fmt.Sprintf("tx proof is for index %d, the receipt for index %d", base.Index, base.Index+1)},
		{"result data", func(r *proof.Receipt) { r.Result.Data[0] ^= 1 },
			fmt.Sprintf("result proof does not match last results hash of header %d (result of tx %d at height %d)", h+1, base.Index, h)},
		{"result code", func(r *proof.Receipt) { r.Result.Code = 1 },
			fmt.Sprintf("result proof does not match last results hash of header %d", h+1)},
		{"result gas", func(r *proof.Receipt) { r.Result.GasUsed++ },
			fmt.Sprintf("result proof does not match last results hash of header %d", h+1)},
		{"result proof aunt", func(r *proof.Receipt) { r.ResultProof.Aunts[0][0] ^= 1 },
			fmt.Sprintf("result proof does not match last results hash of header %d", h+1)},
		{"header app hash", func(r *proof.Receipt) { r.Block.SignedHeader.AppHash[0] ^= 1 },
			fmt.Sprintf("signed header at height %d is invalid: commit signs block", h)},
		{"header data hash", func(r *proof.Receipt) { r.Block.SignedHeader.DataHash[0] ^= 1 },
			fmt.Sprintf("signed header at height %d is invalid: commit signs block", h)},
		{"next header results hash", func(r *proof.Receipt) { r.Next.SignedHeader.LastResultsHash[0] ^= 1 },
			fmt.Sprintf("signed header at height %d is invalid: commit signs block", h+1)},
		{"header time", func(r *proof.Receipt) { r.Block.SignedHeader.Time = r.Block.SignedHeader.Time.Add(time.Second) },
			fmt.Sprintf("signed header at height %d is invalid", h)},
		{"header height", func(r *proof.Receipt) { r.Height++ },
			fmt.Sprintf("signed header is for height %d, expected %d", h, h+1)},
		{"commit signature", func(r *proof.Receipt) { r.Block.SignedHeader.Commit.Signatures[0].Signature[0] ^= 1 },
			fmt.Sprintf("commit for height %d has an invalid signature: wrong signature (#0)", h)},
		{"next commit signature", func(r *proof.Receipt) { r.Next.SignedHeader.Commit.Signatures[0].Signature[9] ^= 1 },
			fmt.Sprintf("commit for height %d has an invalid signature", h+1)},
		{"commit absent", func(r *proof.Receipt) {
			r.Block.SignedHeader.Commit.Signatures[0] = types.NewCommitSigAbsent()
		}, fmt.Sprintf("commit for height %d signed by 0/10 of voting power, more than 2/3 needed", h)},
		{"validator power", func(r *proof.Receipt) { r.Block.Validators[0].VotingPower = 11 },
			fmt.Sprintf("validator set for height %d does not match the header's validators hash", h)},
		{"validator key", func(r *proof.Receipt) {
			pub := ed25519.GenPrivKey().PubKey()
			r.Block.Validators[0].PubKey, r.Block.Validators[0].Address = pub, pub.Address()
		}, fmt.Sprintf("validator set for height %d does not match the header's validators hash", h)},
		{"validator key size", func(r *proof.Receipt) { r.Block.Validators[0].PubKey = ed25519.PubKey{1, 2, 3} },
			fmt.Sprintf("validator set for height %d is invalid: validator 0: public key: invalid size", h)},
		{"validators missing", func(r *proof.Receipt) { r.Next.Validators = nil },
			fmt.Sprintf("validator set for height %d is invalid: empty validator set", h+1)},
		{"chain id", func(r *proof.Receipt) { r.ChainID = "otc-forged" },
			`receipt is for chain id "otc-forged", the trust root is for chain id "otc-proof-test"`},
		{"header chain id", func(r *proof.Receipt) { r.Block.SignedHeader.ChainID = "otc-forged" },
			fmt.Sprintf(`signed header at height %d is invalid: header belongs to another chain "otc-forged", not "otc-proof-test"`, h)},
		{"next header missing", func(r *proof.Receipt) { r.Next.SignedHeader = nil },
			fmt.Sprintf("no signed header and commit for height %d", h+1)},
		{"next header from elsewhere", func(r *proof.Receipt) { r.Next = r.Block },
			fmt.Sprintf("signed header is for height %d, expected %d", h, h+1)},
		{"version", func(r *proof.Receipt) { r.Version = "otcchain-receipt/0" },
			`unsupported receipt version "otcchain-receipt/0"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := clone(t, base)
			tc.tamper(r)
			_, err := proof.Verify(r, trust)
			wantErr(t, err, tc.err)
			if _, err := proof.Verify(clone(t, base), trust); err != nil {
				t.Fatalf("base receipt damaged: %v", err)
			}
		})
	}

	t.Run("log is not covered", func(t *testing.T) {
		r := clone(t, base)
		r.Result.Log, r.Result.Codespace = "forged log", "forged"
		rep, err := proof.Verify(r, trust)
		if err != nil {
			t.Fatalf("log and codespace are not hashed by CometBFT, yet: %v", err)
		}
		if rep.Log != "forged log" || !strings.Contains(mustReportJSON(t, rep), `"log_unverified":"forged log"`) {
			t.Fatalf("report %+v", rep)
		}
	})
}

func mustReportJSON(t *testing.T, rep *proof.Report) string {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
