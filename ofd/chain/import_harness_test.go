package chain_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/ofd/chain"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

var china = time.FixedZone("UTC+8", 8*3600)

// harness drives the real app (all modules, pebble in a temp dir) through
// FinalizeBlock and Commit with a block time the test controls, in 2017 so
// that the shared 03 sample (20170427) is dated on the chain's trade date.
type harness struct {
	t      testing.TB
	app    *app.App
	c      *fixture.Consortium
	height int64
	now    time.Time
	nonce  uint64
	txs    int // transactions submitted by imports
}

func sdate(s string) fund.Date {
	d, err := fund.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	genesis := time.Date(2017, 4, 3, 8, 0, 0, 0, china).UTC()
	c, err := fixture.New("ofd-import-test", genesis, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	cal, err := fund.WeekdayCalendar(sdate("2017-01-01"), sdate("2018-12-31"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sup := c.Sections["supervision"]
	c.Sections = map[string]any{"fund": &fund.Genesis{Calendar: &cal}}
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
		ChainId: c.ChainID, Time: genesis, InitialHeight: 1, AppStateBytes: c.AppState(),
	}); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, app: a, c: c, now: genesis}
}

// at makes the next block run at China time s ("2017-04-27 14:00").
func (h *harness) at(s string) {
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, china)
	if err != nil {
		h.t.Fatal(err)
	}
	h.now = tm.UTC().Add(-time.Second)
}

func (h *harness) block(txs ...[]byte) []*abci.ExecTxResult {
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

func (h *harness) signed(user string, msgs ...tx.Any) []byte {
	h.nonce++
	body := tx.NewBody(msgs, h.height+50)
	body.Nonce = fmt.Sprintf("%016x", h.nonce)
	return fixture.SignTx(h.c.ChainID, h.c.User(user), body)
}

func anyMsg(typ string, v any) tx.Any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return tx.Any{Type: typ, Value: b}
}

// must sends one message in its own block and fails the test if refused.
func (h *harness) must(user, typ string, v any) {
	h.t.Helper()
	r := h.block(h.signed(user, anyMsg(typ, v)))[0]
	if r.Code != 0 {
		h.t.Fatalf("%s %s: %s", user, typ, r.Log)
	}
}

func (h *harness) identity(name string) *module.Identity {
	u := h.c.User(name)
	return &module.Identity{ID: u.ID(), Org: u.Cert.Org, Role: module.Role(u.Cert.Role), Name: u.Cert.Name,
		Algorithm: string(u.Key.Algorithm()), PublicKey: u.Key.Public().Bytes()}
}

// read runs a module read as user into out; ok is false for a module refusal.
func (h *harness) read(user, path string, params map[string]string, out any) (bool, error) {
	v, err := h.app.Read(path, params, h.identity(user))
	if err != nil {
		if module.AsError(err) != nil {
			return false, nil
		}
		return false, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(b, out)
}

// fund registers and opens fund code (manager fm-alpha, sold by rs-bank)
// with minimums low enough for the sample's amounts (10.01 and up).
func (h *harness) fund(code string) {
	h.t.Helper()
	amt := func(s string) fund.Amount { a, _ := fund.ParseAmount(s); return a }
	shs := func(s string) fund.Shares { x, _ := fund.ParseShares(s); return x }
	rate := func(s string) *fund.Rate { r, _ := fund.ParseRate(s); return &r }
	fixed := amt("1000.00")
	h.at("2017-04-05 10:00")
	h.must("fm-alpha/operator", fund.TypeRegisterFund, &fund.RegisterFund{
		Product: fund.Product{Code: code, Name: "OFD Fund " + code, Type: "hybrid", ShareClass: "A", Risk: 3,
			Manager: "fm-alpha", Custodian: "cust-trust", OfferingStart: sdate("2017-04-05"), OfferingEnd: sdate("2017-04-06"), Rounding: fund.Truncate},
		Terms: fund.Terms{MinFirst: amt("0.01"), MinAdditional: amt("0.01"), MinRedemption: shs("0.01"), MinHolding: 0,
			PurchaseFees:   []fund.PurchaseTier{{UpTo: amt("1000000.00"), Rate: rate("1.50%")}, {Fixed: &fixed}},
			RedemptionFees: []fund.RedemptionTier{{MinDays: 0, Rate: *rate("1.50%")}, {MinDays: 7, Rate: *rate("0.50%")}},
			DividendMethod: fund.DividendCash},
		Resellers: []string{"rs-bank"},
	})
	h.at("2017-04-07 10:00")
	h.must("fm-alpha/operator", fund.TypeSetFundStatus, &fund.SetFundStatus{Fund: code, Status: "open"})
}

// tradeDate is the chain's trade date of the next block.
func (h *harness) tradeDate() fund.Date {
	var cal fund.Calendar
	if _, err := h.read("rs-bank/operator", "fund/calendar", nil, &cal); err != nil {
		h.t.Fatal(err)
	}
	d, err := fund.TradeDate(h.now.Add(time.Second), cal)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// channel is chain.Chain for a reseller user on the harness.
type channel struct {
	h    *harness
	user string
	org  string
}

func (h *harness) channel(user string) *channel {
	return &channel{h: h, user: user, org: h.c.User(user).Cert.Org}
}

func (c *channel) Investor(id string) (*fund.Investor, error) {
	var inv fund.Investor
	ok, err := c.h.read(c.user, "fund/investors/"+id, nil, &inv)
	if !ok || err != nil {
		return nil, err
	}
	return &inv, nil
}

func (c *channel) OrderExists(appNo string) (bool, error) {
	var o fund.Order
	return c.h.read(c.user, "fund/orders/"+c.org+":"+appNo, nil, &o)
}

func (c *channel) Seal(reg *fund.RegisterInvestor, data fund.PersonalData) error {
	var recips []crypto.Recipient
	for _, n := range []string{c.user, "regulator/operator"} {
		u := c.h.c.User(n)
		recips = append(recips, crypto.Recipient{ID: u.ID(), Key: u.EncKey.Public()})
	}
	var err error
	reg.Personal, reg.Commitment, reg.CommitAlg, err = fund.SealPersonal(c.h.c.User(c.user).Key.Algorithm(), reg.ID, data, recips)
	return err
}

func (c *channel) Submit(items []tx.Any) ([]tx.ItemResult, error) {
	c.h.txs++
	batch, err := tx.NewAny(tx.BatchMsgType, tx.Batch{Items: items})
	if err != nil {
		return nil, err
	}
	r := c.h.block(c.h.signed(c.user, batch))[0]
	if r.Code != 0 {
		return nil, &chain.TxRefused{Code: fmt.Sprintf("%s/%d", r.Codespace, r.Code), Reason: r.Log}
	}
	var d struct {
		Msgs []tx.ItemResult `json:"msgs"`
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return nil, err
	}
	var b struct {
		Items []tx.ItemResult `json:"items"`
	}
	if err := json.Unmarshal(d.Msgs[0].Data, &b); err != nil {
		return nil, err
	}
	return b.Items, nil
}

// sampleCodes maps the sample's codes: distributor 996 is rs-bank, TA H0 is
// fm-alpha.
func sampleCodes() *chain.Codes {
	return &chain.Codes{Distributors: map[string]string{"996": "rs-bank"}, TAs: map[string]string{"H0": "fm-alpha"}}
}

// importBytes imports a file held in memory as user.
func (h *harness) importBytes(user string, name string, file []byte, o chain.MapOptions, dry bool) (*chain.Report, error) {
	if o.Codes == nil {
		o.Codes = sampleCodes()
	}
	if o.Channel == "" {
		o.Channel = h.c.User(user).Cert.Org
	}
	im := &chain.Importer{Options: o, Chain: h.channel(user), DryRun: dry}
	return im.Import(name, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(file)), nil })
}

// accountFile writes an 01 file opening an account for each investor id.
func accountFile(t testing.TB, date string, ids []string) []byte {
	return accountFileOf(t, date, "001", ids)
}

// accountFileOf writes an 01 file of business biz for each investor id.
func accountFileOf(t testing.TB, date, biz string, ids []string) []byte {
	t.Helper()
	fields := []string{"AppSheetSerialNo", "TransactionDate", "TransactionTime", "IndividualOrInstitution", "TransactionAccountID",
		"DistributorCode", "BusinessCode", "InvestorName", "CertificateType", "CertificateNo", "MobileTelNo", "Address", "PostCode", "ClientRiskRate"}
	var buf bytes.Buffer
	w, err := ofd.NewWriter(&buf, ofd.Header{Version: "21", Creator: "996", Receiver: "H0", Date: date, FileType: "01", Fields: fields, Count: len(ids)})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if err := w.WriteMap(map[string]string{"AppSheetSerialNo": fmt.Sprintf("A%s%08d", date, i+1), "TransactionDate": date, "TransactionTime": "093000",
			"IndividualOrInstitution": "1", "TransactionAccountID": id, "DistributorCode": "996", "BusinessCode": biz,
			"InvestorName": "投资者" + id[len(id)-4:], "CertificateType": "0", "CertificateNo": "11010119800101" + id[len(id)-4:],
			"MobileTelNo": "1380000" + id[len(id)-4:], "Address": "北京市西城区金融大街" + id[len(id)-3:] + "号", "PostCode": "100033", "ClientRiskRate": "4"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tradeFields is the field list of generated 03 files.
var tradeFields = []string{"AppSheetSerialNo", "FundCode", "TransactionDate", "TransactionTime", "TransactionAccountID", "DistributorCode",
	"ApplicationVol", "ApplicationAmount", "BusinessCode", "TAAccountID", "OriginalAppSheetNo", "IndividualOrInstitution", "DefDividendMethod", "Specification"}

// tradeFile writes an 03 file of records (maps of tradeFields values).
func tradeFile(t testing.TB, date string, recs []map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := ofd.NewWriter(&buf, ofd.Header{Version: "21", Creator: "996", Receiver: "H0", Date: date, FileType: "03", Fields: tradeFields, Count: len(recs)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		v := map[string]string{"TransactionDate": date, "TransactionTime": "100000", "DistributorCode": "996", "IndividualOrInstitution": "1", "FundCode": "000198"}
		for k, x := range r {
			v[k] = x
		}
		if err := w.WriteMap(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fileErr(t testing.TB, err error) *chain.FileError {
	t.Helper()
	var fe *chain.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("want a *chain.FileError, got %v", err)
	}
	return fe
}
