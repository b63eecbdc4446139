package chain

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

// exChain drives the real app (all modules, pebble in a temp dir) through
// ABCI with controlled block times, like fund's test harness.
type exChain struct {
	t      testing.TB
	app    *app.App
	c      *fixture.Consortium
	height int64
	now    time.Time
	nonce  uint64
}

var exChina = time.FixedZone("UTC+8", 8*3600)

// exGenesis: Sunday 2026-03-01 08:00 China time.
var exGenesis = time.Date(2026, 3, 1, 8, 0, 0, 0, exChina).UTC()

func exDate(s string) fund.Date {
	d, err := fund.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func newExChain(t testing.TB, chunk int) *exChain {
	t.Helper()
	g := &fund.Genesis{}
	if chunk > 0 {
		g.Params = &fund.Params{ChunkSize: chunk}
	}
	return newExChainOf(t, g)
}

// newExChainOf starts a chain with fund genesis g (its calendar: the
// weekdays of 2026-2027 when g has none).
func newExChainOf(t testing.TB, g *fund.Genesis) *exChain {
	t.Helper()
	c, err := fixture.New("ofd-test", exGenesis, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	if g.Calendar == nil {
		cal, err := fund.WeekdayCalendar(exDate("2026-01-01"), exDate("2027-12-31"), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		g.Calendar = &cal
	}
	sup := c.Sections["supervision"]
	c.Sections = map[string]any{"fund": g}
	if sup != nil {
		c.Sections["supervision"] = sup
	}
	db, err := state.Open(filepath.Join(t.TempDir(), "app"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); db.Close() })
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: c.ChainID, Time: exGenesis, InitialHeight: 1, AppStateBytes: c.AppState(),
	}); err != nil {
		t.Fatal(err)
	}
	return &exChain{t: t, app: a, c: c, now: exGenesis}
}

func (h *exChain) block(txs ...[]byte) []*abci.ExecTxResult {
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
	return res.TxResults
}

// at makes the next block run at the China time s ("2026-03-02 10:00").
func (h *exChain) at(s string) {
	ts, err := time.ParseInLocation("2006-01-02 15:04", s, exChina)
	if err != nil {
		h.t.Fatal(err)
	}
	h.now = ts.UTC().Add(-time.Second)
}

func (h *exChain) user(name string) *fixture.User { return h.c.User(name) }

func exMsg(typ string, v any) tx.Any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return tx.Any{Type: typ, Value: b}
}

func (h *exChain) signed(user string, msgs ...tx.Any) []byte {
	h.nonce++
	body := tx.NewBody(msgs, h.height+50)
	body.Nonce = fmt.Sprintf("%016x", h.nonce)
	return fixture.SignTx(h.c.ChainID, h.user(user), body)
}

// send runs one message in its own block, then drains the job queue; it
// fails the test on a refusal unless refusal is allowed (the error is
// returned).
func (h *exChain) send(user, typ string, msg any) error {
	h.t.Helper()
	res := h.block(h.signed(user, exMsg(typ, msg)))
	h.drain()
	if res[0].Code != 0 {
		return fmt.Errorf("%s: %s", typ, res[0].Log)
	}
	return nil
}

func (h *exChain) must(user, typ string, msg any) {
	h.t.Helper()
	if err := h.send(user, typ, msg); err != nil {
		h.t.Fatal(err)
	}
}

// batch sends msgs as one batch transaction (a channel's daily batch).
func (h *exChain) batch(user string, items []tx.Any) {
	h.t.Helper()
	bm, _ := json.Marshal(tx.Batch{Items: items})
	res := h.block(h.signed(user, tx.Any{Type: tx.BatchMsgType, Value: bm}))
	if res[0].Code != 0 {
		h.t.Fatalf("batch: %s", res[0].Log)
	}
	h.drain()
}

func (h *exChain) drain() {
	h.t.Helper()
	for i := 0; i < 100000; i++ {
		var jobs module.List[fund.Job]
		if err := h.read("regulator/operator", "jobs", nil, &jobs); err != nil {
			h.t.Fatal(err)
		}
		if len(jobs.Items) == 0 {
			return
		}
		h.block()
	}
	h.t.Fatal("jobs never finished")
}

func (h *exChain) identity(name string) *module.Identity {
	u := h.user(name)
	return &module.Identity{ID: u.ID(), Org: u.Cert.Org, Role: module.Role(u.Cert.Role), Name: u.Cert.Name,
		Algorithm: string(u.Key.Algorithm()), PublicKey: u.Key.Public().Bytes()}
}

// read is a fund query as user, decoded like the API's JSON.
func (h *exChain) read(user, path string, p map[string]string, v any) error {
	out, err := h.app.Read("fund/"+path, p, h.identity(user))
	if err != nil {
		return err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// source is the chain read as user: an export ExportSource.
func (h *exChain) source(user string) ExportSource { return exSource{h, user} }

type exSource struct {
	h    *exChain
	user string
}

func (s exSource) Query(path string, p map[string]string, out any) error {
	return s.h.read(s.user, path, p, out)
}

// investor registers investor id (sealed personal data for the channel and
// the regulator) and opens its account with manager, with app no appNo.
func (h *exChain) investor(channel, id, typ, manager, appNo string) {
	h.t.Helper()
	m := &fund.RegisterInvestor{ID: id, Type: typ, RiskAssessed: exDate("2026-01-05"), RiskExpires: exDate("2027-01-05")}
	m.Risk = 4
	u, reg := h.user(channel), h.user("regulator/operator")
	env, commit, alg, err := fund.SealPersonal(u.Key.Algorithm(), id, fund.PersonalData{Name: "Investor " + id},
		[]crypto.Recipient{{ID: u.ID(), Key: u.EncKey.Public()}, {ID: reg.ID(), Key: reg.EncKey.Public()}})
	if err != nil {
		h.t.Fatal(err)
	}
	m.Personal, m.Commitment, m.CommitAlg = env, commit, alg
	h.must(channel, fund.TypeRegisterInvestor, m)
	h.must(channel, fund.TypeOpenAccount, &fund.OpenAccount{Investor: id, Manager: manager, AppNo: appNo})
}

// registerFund registers the standard test fund (hybrid, R3, the fee
// schedule of fund's worked examples) sold by rs-bank.
func (h *exChain) registerFund(code, manager, offerFrom, offerTo string) {
	h.t.Helper()
	h.must(manager+"/operator", fund.TypeRegisterFund, exFund(code, manager, offerFrom, offerTo))
}

func exFund(code, manager, offerFrom, offerTo string) *fund.RegisterFund {
	amt := func(s string) fund.Amount { a, _ := fund.ParseAmount(s); return a }
	shs := func(s string) fund.Shares { a, _ := fund.ParseShares(s); return a }
	rate := func(s string) *fund.Rate { r, _ := fund.ParseRate(s); return &r }
	fixed := amt("1000.00")
	return &fund.RegisterFund{
		Product: fund.Product{Code: code, Name: "演示混合 " + code, Type: "hybrid", ShareClass: "A", Risk: 3,
			Manager: manager, Custodian: "cust-trust", OfferingStart: exDate(offerFrom), OfferingEnd: exDate(offerTo), Rounding: fund.Truncate},
		Terms: fund.Terms{MinFirst: amt("1000.00"), MinAdditional: amt("100.00"), MinRedemption: shs("100.00"), MinHolding: shs("100.00"),
			PurchaseFees:   []fund.PurchaseTier{{UpTo: amt("1000000.00"), Rate: rate("1.50%")}, {UpTo: amt("5000000.00"), Rate: rate("1.00%")}, {Fixed: &fixed}},
			RedemptionFees: []fund.RedemptionTier{{MinDays: 0, Rate: *rate("1.50%")}, {MinDays: 7, Rate: *rate("0.50%")}},
			DividendMethod: fund.DividendCash},
		Resellers: []string{"rs-bank"},
	}
}

// nav publishes and co-signs the NAV of date d, and runs the confirmations.
func (h *exChain) nav(code, manager, d, v string) {
	h.t.Helper()
	n, err := fund.ParseNAV(v)
	if err != nil {
		h.t.Fatal(err)
	}
	sign := func(user string) string {
		sig, err := h.user(user).Key.Sign(fund.NAVStatement(h.c.ChainID, code, exDate(d), n))
		if err != nil {
			h.t.Fatal(err)
		}
		return hex.EncodeToString(sig)
	}
	h.must(manager+"/operator", fund.TypePublishNAV, fund.PublishNAV{Fund: code, Date: exDate(d), NAV: n, Signature: sign(manager + "/operator")})
	h.must("cust-trust/operator", fund.TypeCosignNAV, fund.CosignNAV{Fund: code, Date: exDate(d), NAV: n, Signature: sign("cust-trust/operator")})
}

func (h *exChain) order(id string) *fund.Order {
	h.t.Helper()
	var o fund.Order
	if err := h.read("regulator/operator", "orders/"+id, nil, &o); err != nil {
		h.t.Fatal(err)
	}
	return &o
}
