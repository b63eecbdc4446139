package fund_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

// chain drives the real app (all modules, pebble in a temp dir) through ABCI
// the way CometBFT does: one FinalizeBlock and Commit per block.
type chain struct {
	t      testing.TB
	dir    string
	db     *state.DB
	app    *app.App
	c      *fixture.Consortium
	height int64
	now    time.Time // time of the last block
	nonce  uint64
	// blocks records every block run (for the determinism test's replay).
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

// testCalendar: weekdays of 2026-2027, with China's 2026 Qingming holiday
// (2026-04-06) and Labour Day (2026-05-01 to 05-05) closed.
func scenarioCalendar() fund.Calendar {
	var hol []fund.Date
	for _, s := range []string{"2026-04-06", "2026-05-01", "2026-05-04", "2026-05-05"} {
		hol = append(hol, sdate(s))
	}
	c, err := fund.WeekdayCalendar(sdate("2026-01-01"), sdate("2027-12-31"), hol, nil)
	if err != nil {
		panic(err)
	}
	return c
}

// supervisionGenesis is a scenario's supervision genesis: the file
// NAME.supervision.json beside testdata/scenarios/NAME.txt (compliance
// rules for the scenario), or nil for the defaults.
func supervisionGenesis(t testing.TB, scenario string) json.RawMessage {
	b, err := os.ReadFile(strings.TrimSuffix(scenario, ".txt") + ".supervision.json")
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clockGenesis is a scenario's clock genesis: the file NAME.clock.json
// beside NAME.txt (the business clock is on), or nil.
func clockGenesis(t testing.TB, scenario string) json.RawMessage {
	b, err := os.ReadFile(strings.TrimSuffix(scenario, ".txt") + ".clock.json")
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newChain(t testing.TB, genesis *fund.Genesis) *chain {
	t.Helper()
	c, err := fixture.New("fund-test", genesisTime, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	return newChainOf(t, c, genesis)
}

// newChainOf starts a chain of consortium c (shared keys: the same tx bytes
// are valid on both).
func newChainOf(t testing.TB, c *fixture.Consortium, genesis *fund.Genesis) *chain {
	t.Helper()
	if genesis == nil {
		cal := scenarioCalendar()
		genesis = &fund.Genesis{Calendar: &cal}
	}
	sup, ck := c.Sections["supervision"], c.Sections["clock"]
	c.Sections = map[string]any{"fund": genesis}
	if sup != nil {
		c.Sections["supervision"] = sup
	}
	if ck != nil {
		c.Sections["clock"] = ck
	}
	h := &chain{t: t, dir: filepath.Join(t.TempDir(), "app"), c: c, now: genesisTime}
	db, err := state.Open(h.dir, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db})
	if err != nil {
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

// block runs one block of txs at the next second and returns the results and
// the end-block events.
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

// setTime makes the next block run at t (minus the one-second step).
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

// send runs one tx with one message in its own block; the error is the
// refusal, if any.
func (h *chain) send(user, typ string, msg any) (json.RawMessage, error) {
	h.t.Helper()
	res, _ := h.block(h.signed(user, anyMsg(typ, msg)))
	return resultOf(res[0])
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

// drain runs empty blocks until the fund module has no queued job.
func (h *chain) drain() int {
	h.t.Helper()
	n := 0
	for ; n < 10000; n++ {
		jobs, err := querycheck.Read(h.t, h.app, "fund/jobs", nil, &module.Identity{Role: module.RoleRegulator})
		if err != nil {
			h.t.Fatal(err)
		}
		if len(jobs.(*module.List[*fund.Job]).Items) == 0 {
			return n
		}
		h.block()
	}
	h.t.Fatal("jobs never finished")
	return n
}

// identity returns the module view of a fixture user.
func (h *chain) identity(name string) *module.Identity {
	u := h.user(name)
	id := module.Identity{ID: u.ID(), Org: u.Cert.Org, Role: module.Role(u.Cert.Role), Name: u.Cert.Name,
		Algorithm: string(u.Key.Algorithm()), PublicKey: u.Key.Public().Bytes()}
	return &id
}

// recipient is a fixture user as an envelope recipient.
func (h *chain) recipient(name string) crypto.Recipient {
	u := h.user(name)
	return crypto.Recipient{ID: u.ID(), Key: u.EncKey.Public()}
}

// registerInvestor seals personal data for the channel user, the regulator
// and (if given) the investor's identity, and registers the investor.
func (h *chain) registerInvestorMsg(channel, id, typ, risk, identity string, data fund.PersonalData) *fund.RegisterInvestor {
	h.t.Helper()
	recips := []crypto.Recipient{h.recipient(channel), h.recipient("regulator/operator")}
	m := &fund.RegisterInvestor{ID: id, Type: typ, RiskAssessed: sdate("2026-01-05"), RiskExpires: sdate("2027-01-05")}
	if err := m.Risk.UnmarshalText([]byte(risk)); err != nil {
		h.t.Fatal(err)
	}
	if identity != "" {
		recips = append(recips, h.recipient(identity))
		m.Identity = h.user(identity).ID()
	}
	env, commit, alg, err := fund.SealPersonal(h.user(channel).Key.Algorithm(), id, data, recips)
	if err != nil {
		h.t.Fatal(err)
	}
	m.Personal, m.Commitment, m.CommitAlg = env, commit, alg
	return m
}
