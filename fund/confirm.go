package fund

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/otcchain/otcchain/module"
)

// Job kinds: the work a final NAV or a fund's establishment starts, done by
// the end-block in chunks of Params.ChunkSize.
const (
	jobConfirm      = "confirm"       // confirm every pending order of (fund, date) at the NAV
	jobEstablish    = "establish"     // confirm the subscriptions at par
	jobFailOffering = "fail_offering" // the offering failed: refund the subscriptions
	jobDividend     = "dividend"      // distribute the dividend of ex-date Date
)

// Job is queued work.
type Job struct {
	Seq    uint64 `json:"seq"`
	Kind   string `json:"kind"`
	Fund   string `json:"fund"`
	Date   Date   `json:"date"`
	NAV    NAV    `json:"nav"`
	Cursor []byte `json:"cursor,omitempty"` // dividends: the last holding key done
	Done   int64  `json:"done"`
}

func addJob(kv module.KV, j *Job) (uint64, error) {
	seq, err := nextSeq(kv, "job")
	if err != nil {
		return 0, err
	}
	j.Seq = seq
	return seq, module.PutJSON(kv, jobKey(seq), j)
}

// EndBlock implements module.EndBlocker: it runs the queued jobs in order
// until ChunkSize items are done. A job left unfinished continues in the
// next block; since the block changed state, CometBFT makes that next block
// without waiting for transactions, so a large confirmation runs to its end
// by itself.
func (m *Module) EndBlock(ctx *module.Context, kv module.KV) error {
	if err := watchCalendar(ctx, kv); err != nil {
		return err
	}
	var jobs [][]byte
	if err := kv.Iterate(jobPrefix(), module.PrefixEnd(jobPrefix()), func(_, v []byte) bool {
		jobs = append(jobs, bytes.Clone(v))
		return len(jobs) < 64
	}); err != nil {
		return err
	}
	if len(jobs) == 0 {
		return nil
	}
	p, err := getParams(kv)
	if err != nil {
		return err
	}
	budget := p.ChunkSize
	for _, raw := range jobs {
		if budget <= 0 {
			break
		}
		var j Job
		if err := jsonUnmarshal(raw, &j); err != nil {
			return err
		}
		n, done, err := runJob(ctx, kv, &j, budget)
		if err != nil {
			return fmt.Errorf("fund: job %d (%s %s %s): %w", j.Seq, j.Kind, j.Fund, j.Date, err)
		}
		budget -= n
		j.Done += int64(n)
		if done {
			if err := kv.Delete(jobKey(j.Seq)); err != nil {
				return err
			}
			attrs := []module.Attr{module.A("kind", j.Kind), module.A("fund", j.Fund), module.A("date", j.Date.String()), module.A("items", fmt.Sprint(j.Done))}
			if f, err := getFund(kv, j.Fund); err == nil {
				// who may see it on the API's event stream
				attrs = append(attrs, module.A("manager", f.Manager), module.A("custodian", f.Custodian))
			}
			ctx.Emit("fund_job_done", attrs...)
			continue
		}
		if err := module.PutJSON(kv, jobKey(j.Seq), &j); err != nil {
			return err
		}
	}
	return nil
}

// runJob does up to budget items of a job; done says the job is finished.
func runJob(ctx *module.Context, kv module.KV, j *Job, budget int) (n int, done bool, err error) {
	f, err := getFund(kv, j.Fund)
	if err != nil {
		return 0, false, err
	}
	if j.Kind == jobDividend {
		return runDividend(ctx, kv, j, f, budget)
	}
	queueDate := j.Date
	if j.Kind == jobEstablish || j.Kind == jobFailOffering {
		queueDate = 0
	}
	cal, err := getCalendar(kv)
	if err != nil {
		return 0, false, err
	}
	// The confirmation date: the next trading day after the NAV date (T+1).
	confDate := j.Date
	if j.Kind == jobConfirm {
		if d, err := cal.NextTradingDay(j.Date); err == nil {
			confDate = d
		}
	}
	pre := queuePrefix(f.Code, queueDate)
	var keys, ids [][]byte
	if err := kv.Iterate(pre, module.PrefixEnd(pre), func(k, v []byte) bool {
		keys = append(keys, bytes.Clone(k))
		ids = append(ids, bytes.Clone(v))
		return len(keys) < budget+1
	}); err != nil {
		return 0, false, err
	}
	more := len(keys) > budget
	if more {
		keys, ids = keys[:budget], ids[:budget]
	}
	tot := totalsDelta{}
	for i := range keys {
		if err := confirmOne(ctx, kv, j, f, string(ids[i]), confDate, &tot); err != nil {
			return 0, false, err
		}
		if err := kv.Delete(keys[i]); err != nil {
			return 0, false, err
		}
	}
	if err := addTotals(kv, f.Code, tot.shares, tot.holders, -int64(len(keys))); err != nil {
		return 0, false, err
	}
	return len(keys), !more, nil
}

type totalsDelta struct {
	shares  Shares
	holders int64
}

// confirmOne confirms (or fails) one pending order.
func confirmOne(ctx *module.Context, kv module.KV, j *Job, f *Fund, id string, confDate Date, tot *totalsDelta) error {
	var o Order
	if ok, err := module.GetJSON(kv, orderKey(id), &o); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("queued order %s is missing", id)
	}
	c := &Confirmation{Business: confirmationCode(o.Business), Date: confDate, Height: ctx.Height, NAV: j.NAV}
	hk := holdingKey(o.Fund, o.Investor)
	var h Holding
	held, err := module.GetJSON(kv, hk, &h)
	if err != nil {
		return err
	}
	if !held {
		h = Holding{Fund: o.Fund, Investor: o.Investor, Channel: o.Channel, TAAccount: o.TAAccount, TransAccount: o.TransAccount, DividendMethod: f.Terms.DividendMethod}
	}
	before := h.Shares
	fail := func(code, reason string) {
		c.ReturnCode, c.Reason = code, reason
		if o.Business == BizSubscribe || o.Business == BizPurchase {
			c.Refund = o.Amount
		}
	}
	switch {
	case j.Kind == jobFailOffering:
		c.Business = BizOfferingFailed
		fail(RetOfferingFailed, "the offering failed; the subscription is refunded")
	case o.Business == BizSubscribe || o.Business == BizPurchase:
		tiers := f.Terms.PurchaseFees
		var pb PurchaseBreakdown
		if o.Business == BizSubscribe {
			if f.Terms.SubscriptionFees != nil {
				tiers = f.Terms.SubscriptionFees
			}
			c.Business = BizSubscribeResult
			pb, err = Subscribe(o.Amount, tiers, f.Rounding)
		} else {
			pb, err = Purchase(o.Amount, tiers, j.NAV, f.Rounding)
		}
		switch {
		case err != nil:
			fail(RetOtherFailure, err.Error())
		case pb.Shares <= 0:
			fail(RetFeeExceedsAmt, fmt.Sprintf("after the fee of %s, %s buys no share at %s", pb.Fee, pb.Net, pb.NAV))
		default:
			c.ReturnCode, c.Amount, c.Shares, c.Fee, c.Net, c.Rate, c.FixedFeeApp = RetSuccess, pb.Amount, pb.Shares, pb.Fee, pb.Net, pb.Rate, pb.Fixed
			since := confDate
			h.Shares += pb.Shares
			h.Lots = addLot(h.Lots, Lot{Shares: pb.Shares, Since: since})
		}
	case o.Business == BizRedeem:
		rb, err := Redeem(h.Lots, o.Shares, o.TradeDate, j.NAV, f.Terms.RedemptionFees)
		h.Pending -= o.Shares
		if err != nil {
			code := RetOtherFailure
			if errors.Is(err, ErrInsufficientShares) {
				code = RetInsufficient
			}
			fail(code, err.Error())
			break
		}
		c.ReturnCode, c.Amount, c.Shares, c.Fee, c.Net, c.Lots = RetSuccess, rb.Proceeds, rb.Shares, rb.Fee, rb.Net, rb.Lots
		h.Shares -= rb.Shares
		h.Lots = rb.Remaining
	case o.Business == BizDividendMethod:
		c.ReturnCode, c.Method = RetSuccess, o.Method
		h.DividendMethod = o.Method
	default:
		fail(RetOtherFailure, "unknown business "+o.Business)
	}
	if c.ReturnCode == RetSuccess {
		o.Status = OrderConfirmed
	} else {
		o.Status = OrderFailed
	}
	o.Confirmation = c
	ob, err := json.Marshal(&o)
	if err != nil {
		return fmt.Errorf("fund: encode order %s: %w", o.ID, err)
	}
	if err := kv.Set(orderKey(o.ID), ob); err != nil {
		return err
	}
	if err := indexConfirmation(kv, &o); err != nil {
		return err
	}
	// The confirmation is provable with an outcome receipt (no tx carries it).
	ctx.Outcome("confirmation/"+o.ID, ob)
	if held || h.Shares > 0 {
		if err := module.PutJSON(kv, hk, &h); err != nil {
			return err
		}
		if !held {
			if err := kv.Set(holdingIndexKey(o.Investor, o.Fund), []byte{}); err != nil {
				return err
			}
		}
	}
	tot.shares += h.Shares - before
	switch {
	case before == 0 && h.Shares > 0:
		tot.holders++
	case before > 0 && h.Shares == 0:
		tot.holders--
	}
	ctx.Emit("order_confirmed", module.A("order", o.ID), module.A("channel", o.Channel), module.A("investor", o.Investor),
		module.A("fund", o.Fund), module.A("business", c.Business), module.A("return_code", c.ReturnCode), module.A("shares", c.Shares.String()),
		module.A("manager", f.Manager))
	return nil
}

// addLot appends a lot, merging it into the last one of the same date.
func addLot(lots []Lot, l Lot) []Lot {
	if n := len(lots); n > 0 && lots[n-1].Since == l.Since {
		lots[n-1].Shares += l.Shares
		return lots
	}
	return append(lots, l)
}

// runDividend pays the dividend of ex-date j.Date to up to budget holdings.
func runDividend(ctx *module.Context, kv module.KV, j *Job, f *Fund, budget int) (int, bool, error) {
	var dv Dividend
	if ok, err := module.GetJSON(kv, dividendKey(f.Code, j.Date), &dv); err != nil {
		return 0, false, err
	} else if !ok {
		return 0, true, nil
	}
	pre := holdingPrefix(f.Code)
	start := pre
	if j.Cursor != nil {
		start = append(bytes.Clone(j.Cursor), 0)
	}
	type item struct{ k, v []byte }
	var items []item
	if err := kv.Iterate(start, module.PrefixEnd(pre), func(k, v []byte) bool {
		items = append(items, item{bytes.Clone(k), bytes.Clone(v)})
		return len(items) < budget+1
	}); err != nil {
		return 0, false, err
	}
	more := len(items) > budget
	if more {
		items = items[:budget]
	}
	var added Shares
	for _, it := range items {
		var h Holding
		if err := jsonUnmarshal(it.v, &h); err != nil {
			return 0, false, err
		}
		if h.Shares <= 0 {
			continue
		}
		po := Payout{Dividend: dv.ID, Investor: h.Investor, Channel: h.Channel, Shares: h.Shares, Method: h.DividendMethod, PayDate: dv.PayDate}
		if h.DividendMethod == DividendReinvest {
			b, err := ReinvestDividend(h.Shares, dv.PerShare, j.NAV, f.Rounding)
			if err != nil {
				return 0, false, err
			}
			po.Cash, po.NAV, po.Reinvested = b.Cash, j.NAV, b.Reinvested
			if b.Reinvested > 0 {
				h.Shares += b.Reinvested
				h.Lots = addLot(h.Lots, Lot{Shares: b.Reinvested, Since: dv.ExDate})
				added += b.Reinvested
				if err := module.PutJSON(kv, it.k, &h); err != nil {
					return 0, false, err
				}
			}
			dv.Reinvested += b.Cash
			dv.NewShares += b.Reinvested
		} else {
			b, err := CashDividend(h.Shares, dv.PerShare)
			if err != nil {
				return 0, false, err
			}
			po.Cash = b.Cash
			dv.Cash += b.Cash
		}
		dv.Holders++
		pb, err := json.Marshal(&po)
		if err != nil {
			return 0, false, fmt.Errorf("fund: encode payout: %w", err)
		}
		if err := kv.Set(payoutKey(f.Code, dv.ExDate, h.Investor), pb); err != nil {
			return 0, false, err
		}
		ctx.Outcome("payout/"+f.Code+"/"+dateKey(dv.ExDate)+"/"+h.Investor, pb)
	}
	if len(items) > 0 {
		j.Cursor = items[len(items)-1].k
	}
	dv.Status = "distributing"
	if !more {
		dv.Status = "paid"
	}
	if err := module.PutJSON(kv, dividendKey(f.Code, dv.ExDate), &dv); err != nil {
		return 0, false, err
	}
	if added > 0 {
		if err := addTotals(kv, f.Code, added, 0, 0); err != nil {
			return 0, false, err
		}
	}
	if !more {
		ctx.Emit("dividend_paid", module.A("fund", f.Code), module.A("ex_date", dv.ExDate.String()), module.A("holders", fmt.Sprint(dv.Holders)),
			module.A("cash", dv.Cash.String()), module.A("new_shares", dv.NewShares.String()), module.A("manager", f.Manager),
			module.A("custodian", f.Custodian))
	}
	return len(items), !more, nil
}

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("fund: corrupt record: %w", err)
	}
	return nil
}
