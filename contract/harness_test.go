package contract_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

// chain drives the real app (every module, pebble in a temp dir) through
// ABCI the way CometBFT does: one FinalizeBlock and Commit per block.
type chain struct {
	t      testing.TB
	dir    string
	db     *state.DB
	app    *app.App
	c      *fixture.Consortium
	height int64
	now    time.Time // time of the last block
	nonce  uint64
	// blocks records every block run (for the determinism test's replay);
	// sent every tx (for the plaintext test).
	blocks []recBlock
}

type recBlock struct {
	time    time.Time
	txs     [][]byte
	appHash []byte
}

var china = time.FixedZone("UTC+8", 8*3600)

// genesisTime is the scenarios' genesis: Sunday 2026-03-01 08:00 China time.
var genesisTime = time.Date(2026, 3, 1, 8, 0, 0, 0, china).UTC()

func sdate(s string) fund.Date {
	d, err := fund.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// scenarioCalendar: weekdays of 2026-2027 (the fund module needs one for the
// scenarios that buy funds).
func scenarioCalendar() fund.Calendar {
	c, err := fund.WeekdayCalendar(sdate("2026-01-01"), sdate("2027-12-31"), nil, nil)
	if err != nil {
		panic(err)
	}
	return c
}

// genesisSections are the extra genesis sections of the scenarios: the
// fund calendar; the contract module starts with its default types.
func genesisSections() map[string]any {
	cal := scenarioCalendar()
	return map[string]any{"fund": &fund.Genesis{Calendar: &cal}}
}

func newConsortium(t testing.TB) *fixture.Consortium {
	t.Helper()
	c, err := fixture.New("contract-test", genesisTime, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newChain(t testing.TB) *chain { return newChainOf(t, newConsortium(t)) }

// newChainOf starts a chain of consortium c (shared keys: the same tx bytes
// are valid on two chains of c).
func newChainOf(t testing.TB, c *fixture.Consortium) *chain {
	t.Helper()
	c.Sections = genesisSections()
	h := &chain{t: t, dir: filepath.Join(t.TempDir(), "app"), c: c, now: genesisTime}
	db, err := state.Open(h.dir, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	h.db, h.app = db, a
	t.Cleanup(func() { a.Close(); db.Close() })
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1, AppStateBytes: c.AppState(),
	}); err != nil {
		t.Fatal(err)
	}
	return h
}

// block runs one block of txs one second after the last and returns the
// results and the end-block events.
func (h *chain) block(txs ...[]byte) ([]*abci.ExecTxResult, []abci.Event) {
	h.t.Helper()
	h.now = h.now.Add(time.Second)
	res, err := h.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: h.height + 1, Time: h.now, Txs: txs})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		h.t.Fatal(err)
	}
	h.height++
	h.blocks = append(h.blocks, recBlock{time: h.now, txs: txs, appHash: res.AppHash})
	return res.TxResults, res.Events
}

// setTime makes the next block run at t.
func (h *chain) setTime(t time.Time) { h.now = t.UTC().Add(-time.Second) }

func (h *chain) user(name string) *fixture.User { return h.c.User(name) }

// signed builds a signed tx of msgs from user.
func (h *chain) signed(user string, msgs ...tx.Any) []byte {
	h.nonce++
	body := tx.NewBody(msgs, h.height+50)
	body.Nonce = fmt.Sprintf("%016x", h.nonce)
	return fixture.SignTx(h.c.ChainID, h.user(user), body)
}

func anyMsg(typ string, v any) tx.Any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return tx.Any{Type: typ, Value: b}
}

func resultOf(r *abci.ExecTxResult) (json.RawMessage, error) {
	if r.Code != 0 {
		return nil, &module.Error{Codespace: r.Codespace, Code: r.Code, Message: r.Log}
	}
	var d struct {
		Msgs []tx.ItemResult `json:"msgs"`
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return nil, err
	}
	return d.Msgs[0].Data, nil
}

// identity returns the module view of a fixture user.
func (h *chain) identity(name string) *module.Identity {
	u := h.user(name)
	id := module.Identity{ID: u.ID(), Org: u.Cert.Org, Role: module.Role(u.Cert.Role), Name: u.Cert.Name,
		Algorithm: string(u.Key.Algorithm()), PublicKey: u.Key.Public().Bytes()}
	return &id
}

// regulator is the identity the runner reads state with.
func (h *chain) regulator() *module.Identity { return h.identity("regulator/operator") }

// recipient is a fixture user as an envelope recipient.
func (h *chain) recipient(name string) crypto.Recipient {
	u := h.user(name)
	return crypto.Recipient{ID: u.ID(), Key: u.EncKey.Public()}
}

// document seals content for recipients the way a client does: the
// creator's content cipher and hash (SM4-GCM and SM3 for an SM2 key,
// AES-256-GCM and SHA-256 otherwise), bound to the contract by
// contract.DocumentAAD.
func (h *chain) document(creator, contractID, name string, content []byte, recipients []string) (contract.Document, error) {
	alg := h.user(creator).Key.Algorithm()
	var rs []crypto.Recipient
	for _, r := range recipients {
		rs = append(rs, h.recipient(r))
	}
	env, err := crypto.Seal(crypto.ContentAlgFor(alg), content, contract.DocumentAAD(contractID), rs)
	if err != nil {
		return contract.Document{}, err
	}
	return contract.Document{Name: name, Size: int64(len(content)), Hash: hex.EncodeToString(crypto.Hash(alg, content)),
		HashAlg: crypto.HashName(alg), Envelope: env}, nil
}

// partyRecipients are the identities a document is sealed for: each
// organisation party's admin and operator, each investor party's identity,
// and the regulator's operator.
func (h *chain) partyRecipients(parties []contract.Party) []string {
	var out []string
	for _, p := range parties {
		if p.Identity != "" {
			out = append(out, h.userByID(p.Identity))
			continue
		}
		out = append(out, p.Org+"/admin", p.Org+"/operator")
	}
	return append(out, "regulator/operator")
}

// userByID returns the fixture name of an identity id.
func (h *chain) userByID(id string) string {
	for name, u := range h.c.Users {
		if u.ID() == id {
			return name
		}
	}
	h.t.Fatalf("no fixture user %s", id)
	return ""
}

// imageHash is a stand-in for the hash of a seal's image.
func imageHash(seal string) string {
	s := sha256.Sum256([]byte("seal image of " + seal))
	return hex.EncodeToString(s[:])
}

// read reads a query path as the regulator into v.
func (h *chain) read(path string, v any) error {
	out, err := querycheck.Read(h.t, h.app, path, nil, h.regulator())
	if err != nil {
		return err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// version reads version n of a contract (n = 0: the latest).
func (h *chain) version(id string, n int) (*contract.Version, error) {
	if n == 0 {
		var c contract.Contract
		if err := h.read("contract/contracts/"+id, &c); err != nil {
			return nil, err
		}
		n = c.Version
	}
	var v contract.Version
	if err := h.read(fmt.Sprintf("contract/contracts/%s/versions/%d", id, n), &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// signHex signs msg with a fixture user's key.
func (h *chain) signHex(user string, msg []byte) string {
	sig, err := h.user(user).Key.Sign(msg)
	if err != nil {
		h.t.Fatal(err)
	}
	return hex.EncodeToString(sig)
}
