package bench

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

// The fund workload: a reseller's orders in batch txs against a network
// whose genesis holds a trading calendar and two funds, then the chunked
// end-block confirmation of every pending order.

// Fund codes of the workload's genesis.
const (
	FundOpen     = "000001" // open: purchases (022), confirmed by a NAV
	FundOffering = "000002" // offering: subscriptions (020), confirmed by establishment
)

// Confirmation flows.
const (
	ConfirmNAV       = "nav"       // business clock past the cut-off, manager publishes, custodian co-signs the NAV of the trade date
	ConfirmEstablish = "establish" // manager establishes the offering fund: subscriptions at par
)

// ParseConfirm checks a --fund-confirm value.
func ParseConfirm(s string) (string, error) {
	switch s {
	case ConfirmNAV, ConfirmEstablish:
		return s, nil
	}
	return "", fmt.Errorf("bench: fund confirmation %q: want %s or %s", s, ConfirmNAV, ConfirmEstablish)
}

// FundSetup names the organisations the workload's funds use.
type FundSetup struct {
	Manager, Custodian, Reseller string
	ChunkSize                    int       // fund Params.ChunkSize (0: the module default)
	Now                          time.Time // the clock the trade date is computed from
}

// FundGenesis returns the fund module's genesis section for the workload and
// the trade date T that orders sent from Now (until the 15:00 China-time
// cut-off) belong to. Every day from 30 days before Now to 400 days after is
// a trading day. Fund 000001 is open with a final NAV for T-1, so the NAV of
// T is the next one; fund 000002 offers from T-5 to T.
func FundGenesis(s FundSetup) (*fund.Genesis, fund.Date, error) {
	today, err := fund.ChinaDate(s.Now)
	if err != nil {
		return nil, 0, err
	}
	cal, err := everyDay(today, 0)
	if err != nil {
		return nil, 0, err
	}
	t, err := fund.TradeDate(s.Now, cal)
	if err != nil {
		return nil, 0, err
	}
	prev, _ := t.AddDays(-1)
	start, _ := t.AddDays(-5)
	g := &fund.Genesis{Calendar: &cal}
	if s.ChunkSize > 0 {
		g.Params = &fund.Params{ChunkSize: s.ChunkSize}
	}
	open := benchFund(FundOpen, s, start, prev)
	offer := benchFund(FundOffering, s, start, t)
	g.Funds = []fund.GenesisFun{
		{RegisterFund: open, Status: fund.StatusOpen, Established: start, NAV: 10000, NAVDate: prev},
		{RegisterFund: offer},
	}
	return g, t, nil
}

// CalendarWithout is the workload's calendar with date d closed: set after
// the subscriptions of d, it moves the trade date past the offering's end so
// that the fund can be established now.
func CalendarWithout(now time.Time, d fund.Date) (fund.Calendar, error) {
	today, err := fund.ChinaDate(now)
	if err != nil {
		return fund.Calendar{}, err
	}
	return everyDay(today, d)
}

func everyDay(today, skip fund.Date) (fund.Calendar, error) {
	from, err := today.AddDays(-30)
	if err != nil {
		return fund.Calendar{}, err
	}
	to, err := today.AddDays(400)
	if err != nil {
		return fund.Calendar{}, err
	}
	var days []fund.Date
	for d := from; d <= to; d, _ = d.AddDays(1) {
		if d != skip {
			days = append(days, d)
		}
	}
	return fund.NewCalendar(from, to, days)
}

func benchFund(code string, s FundSetup, start, end fund.Date) fund.RegisterFund {
	return fund.RegisterFund{
		Product: fund.Product{Code: code, Name: "Bench Fund " + code, Type: "hybrid", ShareClass: "A", Risk: 3,
			Manager: s.Manager, Custodian: s.Custodian, OfferingStart: start, OfferingEnd: end, Rounding: fund.Truncate},
		Terms: fund.Terms{MinFirst: 100000, MinAdditional: 10000, MinRedemption: 10000, MinHolding: 10000,
			PurchaseFees:   []fund.PurchaseTier{{UpTo: 100000000, Rate: ratePtr(150)}, {Rate: ratePtr(100)}},
			RedemptionFees: []fund.RedemptionTier{{MinDays: 0, Rate: *ratePtr(150)}, {MinDays: 7, Rate: *ratePtr(50)}},
			DividendMethod: fund.DividendCash},
		Resellers: []string{s.Reseller},
	}
}

// ratePtr is a rate in basis points (150: 1.50%).
func ratePtr(bp int64) *fund.Rate {
	r := fund.Rate(bp * 100) // a Rate holds the percentage with RateScale (4) decimals
	return &r
}

// PatchGenesis adds (or replaces) an app-state section of a genesis doc.
func PatchGenesis(doc *cmttypes.GenesisDoc, section string, v any) error {
	var st map[string]json.RawMessage
	if err := json.Unmarshal(doc.AppState, &st); err != nil {
		return fmt.Errorf("bench: genesis app state: %w", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	st[section] = b
	doc.AppState, err = json.Marshal(st)
	return err
}

// Signer signs txs for one identity.
type Signer struct {
	ChainID string
	ID      string
	Key     crypto.PrivateKey
	// Expiry is the absolute expiry height of the txs it signs.
	Expiry int64
}

// Tx signs a tx of msgs.
func (s *Signer) Tx(msgs ...tx.Any) ([]byte, error) {
	b, err := tx.NewBody(msgs, s.Expiry).Marshal()
	if err != nil {
		return nil, err
	}
	sid, err := tx.ParseSignerID(s.ID)
	if err != nil {
		return nil, err
	}
	env, err := tx.Sign(s.ChainID, b, sid, tx.AlgCode(string(s.Key.Algorithm())), s.Key.Sign)
	if err != nil {
		return nil, err
	}
	return env.Encode(), nil
}

// Batches signs items as batch txs of at most per items each.
func (s *Signer) Batches(items []tx.Any, per int) ([][]byte, error) {
	if per < 1 || per > tx.MaxBatchItems {
		return nil, fmt.Errorf("bench: %d items per batch: want 1 to %d", per, tx.MaxBatchItems)
	}
	var out [][]byte
	for lo := 0; lo < len(items); lo += per {
		hi := min(lo+per, len(items))
		bm, err := json.Marshal(tx.Batch{Items: items[lo:hi]})
		if err != nil {
			return nil, err
		}
		t, err := s.Tx(tx.Any{Type: tx.BatchMsgType, Value: bm})
		if err != nil {
			return nil, err
		}
		if len(t) > tx.MaxTxBytes {
			return nil, fmt.Errorf("bench: a batch of %d items is %d bytes, over the %d byte limit: use fewer items per tx", hi-lo, len(t), tx.MaxTxBytes)
		}
		out = append(out, t)
	}
	return out, nil
}

// InvestorID is the id of the workload's i-th investor.
func InvestorID(i int) string { return fmt.Sprintf("BINV%07d", i) }

// InvestorItems returns the register_investor and open_account items of n
// investors of the reseller (signer), personal data sealed for the
// recipients (the reseller's identity and a regulator identity, at least).
func InvestorItems(n int, manager string, recipients []crypto.Recipient, alg crypto.Algorithm) (reg, acc []tx.Any, err error) {
	assessed := fund.Date(20260105)
	expires := fund.Date(20990105)
	for i := 0; i < n; i++ {
		id := InvestorID(i)
		env, commit, calg, err := fund.SealPersonal(alg, id, fund.PersonalData{Name: "Bench Investor " + id, IDType: "resident_id",
			IDNumber: fmt.Sprintf("11010519900101%04d", i%10000), Phone: "13800000000"}, recipients)
		if err != nil {
			return nil, nil, err
		}
		m := fund.RegisterInvestor{ID: id, Type: fund.InvestorIndividual, Risk: 4, RiskAssessed: assessed, RiskExpires: expires,
			Personal: env, Commitment: commit, CommitAlg: calg}
		reg = append(reg, tx.MustAny(fund.TypeRegisterInvestor, m))
		acc = append(acc, tx.MustAny(fund.TypeOpenAccount, fund.OpenAccount{Investor: id, Manager: manager}))
	}
	return reg, acc, nil
}

// OrderItems returns n orders of 1,000.00 each, spread round-robin over
// investors: purchases of fund 000001 (ConfirmNAV) or subscriptions of
// fund 000002 (ConfirmEstablish). App numbers are prefix + a sequence.
func OrderItems(n, investors int, flow, prefix string) []tx.Any {
	typ, code := fund.TypePurchase, FundOpen
	if flow == ConfirmEstablish {
		typ, code = fund.TypeSubscribe, FundOffering
	}
	out := make([]tx.Any, n)
	for i := range out {
		// Purchase and subscription share the wire shape.
		out[i] = tx.MustAny(typ, fund.SubscribeOrder{OrderBase: fund.OrderBase{AppNo: fmt.Sprintf("%s%08d", prefix, i),
			Investor: InvestorID(i % investors), Fund: code}, Amount: 100000})
	}
	return out
}

// NAVMsgs returns the manager's publication and the custodian's co-signature
// of fund 000001's NAV for date d.
func NAVMsgs(chainID string, d fund.Date, nav fund.NAV, manager, custodian crypto.PrivateKey) (pub, cos tx.Any, err error) {
	st := fund.NAVStatement(chainID, FundOpen, d, nav)
	ms, err := manager.Sign(st)
	if err != nil {
		return pub, cos, err
	}
	cs, err := custodian.Sign(st)
	if err != nil {
		return pub, cos, err
	}
	pub = tx.MustAny(fund.TypePublishNAV, fund.PublishNAV{Fund: FundOpen, Date: d, NAV: nav, Signature: hex.EncodeToString(ms)})
	cos = tx.MustAny(fund.TypeCosignNAV, fund.CosignNAV{Fund: FundOpen, Date: d, NAV: nav, Signature: hex.EncodeToString(cs)})
	return pub, cos, nil
}

// CutOff returns the instant of the 15:00 China-time cut-off of date d.
func CutOff(d fund.Date) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), fund.CutOffHour, 0, 0, 0, time.FixedZone("UTC+8", 8*3600))
}

// FundTotals is the register's summary of a fund.
type FundTotals struct {
	Pending int64 `json:"pending_orders"`
	Holders int64 `json:"holders"`
}

// Watcher reads the fund module through a node's API as a logged-in
// identity (the fund's manager: totals need the manager or custodian).
type Watcher struct {
	c *client.Client
}

// NewWatcher logs in to the API at url.
func NewWatcher(ctx context.Context, url, identity string, key crypto.PrivateKey) (*Watcher, error) {
	c := client.New(url)
	if _, err := c.Login(ctx, identity, key.Sign); err != nil {
		return nil, fmt.Errorf("bench: api login: %w", err)
	}
	return &Watcher{c: c}, nil
}

// Totals reads a fund's totals.
func (w *Watcher) Totals(ctx context.Context, code string) (*FundTotals, error) {
	b, err := w.c.Query(ctx, "fund/funds/"+code+"/totals", nil)
	if err != nil {
		return nil, err
	}
	var t FundTotals
	return &t, json.Unmarshal(b, &t)
}

// Clock reads the business clock (clock/now, a public query).
func (w *Watcher) Clock(ctx context.Context) (*clock.Now, error) {
	b, err := w.c.Query(ctx, "clock/now", nil)
	if err != nil {
		return nil, err
	}
	var n clock.Now
	return &n, json.Unmarshal(b, &n)
}

// ClockGenesis is the clock section of the workload's network when the NAV
// flow runs: a simulated clock the regulator advances past the cut-off
// instead of waiting for 15:00 China time.
func ClockGenesis() *clock.Genesis {
	return &clock.Genesis{Simulated: true, Roles: []module.Role{module.RoleRegulator}}
}

// AdvancePast returns the clock/advance that moves business time one second
// past the cut-off of trade date d, so the NAV of d may be published.
func AdvancePast(d fund.Date) tx.Any {
	return tx.MustAny(clock.TypeAdvance, clock.Advance{To: CutOff(d).Add(time.Second).Format(time.RFC3339)})
}

// Jobs reads how many jobs the fund module has queued.
func (w *Watcher) Jobs(ctx context.Context) (int, error) {
	b, err := w.c.Query(ctx, "fund/jobs", nil)
	if err != nil {
		return 0, err
	}
	var jobs struct {
		Items     []json.RawMessage `json:"items"`
		Truncated bool              `json:"truncated"`
	}
	if err := json.Unmarshal(b, &jobs); err != nil {
		return 0, err
	}
	if jobs.Truncated {
		return fund.DefaultLimit + 1, nil // more than one page: at least this many
	}
	return len(jobs.Items), nil
}

// WaitJobs polls until the job queue is empty and fund code has no pending
// order (the block results of the trigger can be seen a moment before its
// state is committed); it returns when that was first seen. progress, if not
// nil, is called with the pending count.
func (w *Watcher) WaitJobs(ctx context.Context, code string, stall time.Duration, progress func(pending int64)) (time.Time, error) {
	last, lastChange := int64(-1), time.Now()
	for {
		t, err := w.Totals(ctx, code)
		if err != nil {
			return time.Time{}, err
		}
		if t.Pending == 0 {
			n, err := w.Jobs(ctx)
			if err != nil {
				return time.Time{}, err
			}
			if n == 0 {
				return time.Now(), nil
			}
		}
		if t.Pending != last {
			last, lastChange = t.Pending, time.Now()
			if progress != nil {
				progress(t.Pending)
			}
		}
		if time.Since(lastChange) > stall {
			return time.Time{}, errors.New("bench: the confirmation made no progress (no new block?)")
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
