package exchange_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/exchange"
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
	// blocks records every block run (for the determinism test's replay
	// and the plaintext test's scan of the txs).
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

// blobNode is the sender node the scenarios' blob references name.
const blobNode = "http://127.0.0.1:1"

func newConsortium(t testing.TB) *fixture.Consortium {
	t.Helper()
	c, err := fixture.New("exchange-test", genesisTime, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newChain(t testing.TB) *chain { return newChainOf(t, newConsortium(t)) }

// openApp opens (or reopens) an app on pebble in dir.
func openApp(t testing.TB, dir string) (*state.DB, *app.App) {
	t.Helper()
	db, err := state.Open(dir, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db, a
}

// newChainOf starts a chain of consortium c (shared keys: the same tx bytes
// are valid on two chains of c).
func newChainOf(t testing.TB, c *fixture.Consortium) *chain {
	t.Helper()
	h := &chain{t: t, dir: filepath.Join(t.TempDir(), "app"), c: c, now: genesisTime}
	h.db, h.app = openApp(t, h.dir)
	t.Cleanup(func() { h.app.Close(); h.db.Close() })
	if _, err := h.app.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1, AppStateBytes: c.AppState(),
	}); err != nil {
		t.Fatal(err)
	}
	return h
}

// block runs one block of txs one second after the last and returns the
// results.
func (h *chain) block(txs ...[]byte) []*abci.ExecTxResult {
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
	return res.TxResults
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

// identity returns the module view of a fixture user.
func (h *chain) identity(name string) *module.Identity {
	u := h.user(name)
	id := module.Identity{ID: u.ID(), Org: u.Cert.Org, Role: module.Role(u.Cert.Role), Name: u.Cert.Name,
		Algorithm: string(u.Key.Algorithm()), PublicKey: u.Key.Public().Bytes()}
	return &id
}

// readAs reads a query path as user into v.
func (h *chain) readAs(user, path string, params map[string]string, v any) error {
	out, err := querycheck.Read(h.t, h.app, path, params, h.identity(user))
	if err != nil {
		return err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// read reads a query path as the regulator's operator into v.
func (h *chain) read(path string, v any) error { return h.readAs("regulator/operator", path, nil, v) }

// signHex signs msg with a fixture user's key.
func (h *chain) signHex(user string, msg []byte) string {
	sig, err := h.user(user).Key.Sign(msg)
	if err != nil {
		h.t.Fatal(err)
	}
	return hex.EncodeToString(sig)
}

// userByID returns the fixture name of an identity id ("" if none).
func (h *chain) userByID(id string) string {
	for name, u := range h.c.Users {
		if u.ID() == id {
			return name
		}
	}
	return ""
}

// recipientID maps a recipient as a script writes it (an organisation id,
// or a fixture user "<org>/<name>") to the recipient as sent.
func (h *chain) recipientID(r string) string {
	if strings.Contains(r, "/") {
		return h.user(r).ID()
	}
	return r
}

// readersOf are the fixture users a file to recipients is sealed for, the
// way a client does it: the sender, each recipient organisation's admin
// and operator (or the recipient identity), and the regulator's operator.
func (h *chain) readersOf(sender string, recipients []string) []string {
	out := []string{sender}
	for _, r := range recipients {
		if strings.Contains(r, "/") {
			out = append(out, r)
		} else if _, ok := h.c.Users[r+"/admin"]; ok {
			out = append(out, r+"/admin", r+"/operator")
		}
	}
	out = append(out, "regulator/operator")
	var uniq []string
	for _, u := range out {
		if !slices.Contains(uniq, u) {
			uniq = append(uniq, u)
		}
	}
	return uniq
}

// sealed is a file prepared by a client for exchange/send.
type sealed struct {
	Msg        exchange.Send
	Ciphertext []byte // the encrypted content (inline, or the blob's bytes)
}

// seal prepares a file the way a client does: the plaintext hash of the
// sender's algorithm (SM3 for SM2, SHA-256 otherwise) signed in the file
// statement; a fresh content key sealed for the readers under
// exchange.ContentAAD(id); the content sealed for the same readers (in
// tests an envelope stands in for the chunked stream), carried inline or
// referenced as a blob by the SHA-256 of its bytes.
func (h *chain) seal(sender, id, name, category string, content []byte, recipients, readers []string, blob bool) (*sealed, error) {
	alg := h.user(sender).Key.Algorithm()
	var rs []crypto.Recipient
	for _, r := range readers {
		u := h.user(r)
		rs = append(rs, crypto.Recipient{ID: u.ID(), Key: u.EncKey.Public()})
	}
	dataKey := make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		return nil, err
	}
	key, err := crypto.Seal(crypto.ContentAlgFor(alg), dataKey, exchange.ContentAAD(id), rs)
	if err != nil {
		return nil, err
	}
	env, err := crypto.Seal(crypto.ContentAlgFor(alg), content, exchange.ContentAAD(id), rs)
	if err != nil {
		return nil, err
	}
	ct, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	hash := hex.EncodeToString(crypto.Hash(alg, content))
	m := exchange.Send{ID: id, Category: category, Name: name, Size: int64(len(content)), Hash: hash, HashAlg: crypto.HashName(alg), Key: key}
	for _, r := range recipients {
		m.Recipients = append(m.Recipients, h.recipientID(r))
	}
	m.Signature = h.signHex(sender, exchange.FileStatement(h.c.ChainID, id, m.HashAlg, m.Hash, m.Size, m.Name))
	if blob {
		s := sha256.Sum256(ct)
		m.Blob = &exchange.Blob{Hash: hex.EncodeToString(s[:]), Size: int64(len(ct)), Node: blobNode}
	} else {
		m.Inline = ct
	}
	return &sealed{Msg: m, Ciphertext: ct}, nil
}

// openContent decrypts a record's content as user (the envelope carried
// inline, or the blob's bytes).
func (h *chain) openContent(user string, r *exchange.Record, blob []byte) ([]byte, error) {
	u := h.user(user)
	if _, err := crypto.Open(r.Key, exchange.ContentAAD(r.ID), u.ID(), u.EncKey); err != nil {
		return nil, fmt.Errorf("content key: %w", err)
	}
	ct := r.Inline
	if r.Blob != nil {
		ct = blob
	}
	env, err := crypto.ParseEnvelope(ct)
	if err != nil {
		return nil, err
	}
	return crypto.Open(env, exchange.ContentAAD(r.ID), u.ID(), u.EncKey)
}
