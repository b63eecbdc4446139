package gov_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/gov"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

// genesisTime is the scenarios' genesis: 2026-03-01 00:00 UTC.
var genesisTime = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// valKey is the deterministic ed25519 key of test validator n.
func valKey(n int) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(fmt.Sprintf("gov-test-validator-%d", n)))
	return ed25519.NewKeyFromSeed(seed[:])
}

func valPub(n int) []byte { return valKey(n).Public().(ed25519.PublicKey) }

// testParams are the scenarios' gov parameters (small numbers).
func testParams() *gov.Params {
	return &gov.Params{VotingPeriod: 7 * 24 * 3600, MinBond: 1000, SlashAmount: 400, Premium: 100, PremiumPeriodDays: 30}
}

// chain drives the real app (all modules, pebble in a temp dir) through ABCI
// as CometBFT does, with one validator (power 10) per fixture organisation.
type chain struct {
	t       testing.TB
	app     *app.App
	c       *fixture.Consortium
	genesis *abci.RequestInitChain
	height  int64
	now     time.Time
	nonce   uint64
	blocks  []recBlock
}

type recBlock struct {
	time    time.Time
	txs     [][]byte
	misb    []abci.Misbehavior
	appHash []byte
	updates []abci.ValidatorUpdate
}

func newConsortium(t testing.TB) *fixture.Consortium {
	c, err := fixture.New("gov-test", genesisTime, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// initChain is the InitChain request of c: validator i belongs to org i.
func initChain(t testing.TB, c *fixture.Consortium) *abci.RequestInitChain {
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(c.AppState(), &sections); err != nil {
		t.Fatal(err)
	}
	var mg member.Genesis
	if err := json.Unmarshal(sections["member"], &mg); err != nil {
		t.Fatal(err)
	}
	var vals []abci.ValidatorUpdate
	for i := range mg.Orgs {
		mg.Orgs[i].Validators = []string{gov.Address(valPub(i))}
		vals = append(vals, abci.UpdateValidator(valPub(i), 10, "ed25519"))
	}
	c.Sections = map[string]any{"member": mg, "gov": &gov.Genesis{Params: testParams(), Bonds: []gov.GenesisBond{{Org: "fm-alpha", Amount: 5000}}}}
	return &abci.RequestInitChain{ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1, AppStateBytes: c.AppState(), Validators: vals}
}

func newChain(t testing.TB) *chain {
	t.Helper()
	c := newConsortium(t)
	h := &chain{t: t, c: c, now: genesisTime, genesis: initChain(t, c)}
	h.app = openApp(t, filepath.Join(t.TempDir(), "app"))
	if _, err := h.app.InitChain(context.Background(), h.genesis); err != nil {
		t.Fatal(err)
	}
	return h
}

func openApp(t testing.TB, dir string) *app.App {
	db, err := state.Open(dir, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	return a
}

// block runs one block at the next second.
func (h *chain) block(misb []abci.Misbehavior, txs ...[]byte) *abci.ResponseFinalizeBlock {
	h.t.Helper()
	h.now = h.now.Add(time.Second)
	res, err := h.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: h.height + 1, Time: h.now, Txs: txs, Misbehavior: misb})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		h.t.Fatal(err)
	}
	h.height++
	h.blocks = append(h.blocks, recBlock{time: h.now, txs: txs, misb: misb, appHash: res.AppHash, updates: res.ValidatorUpdates})
	return res
}

func (h *chain) signed(user string, msgs ...tx.Any) []byte {
	h.nonce++
	body := tx.NewBody(msgs, h.height+50)
	body.Nonce = fmt.Sprintf("%016x", h.nonce)
	return fixture.SignTx(h.c.ChainID, h.c.User(user), body)
}

// read runs a module query as user ("" anonymous).
func (h *chain) read(path, user string) (any, error) {
	var who *module.Identity
	if user != "" {
		u := h.c.User(user)
		who = &module.Identity{ID: u.ID(), Org: u.Cert.Org, Role: module.Role(u.Cert.Role), Name: u.Cert.Name}
	}
	return querycheck.Read(h.t, h.app, path, nil, who)
}
