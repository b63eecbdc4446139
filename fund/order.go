package fund

import (
	"encoding/binary"
	"fmt"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/supervision"
)

// orderCtx is what every order needs: the investor (of the signer's
// channel), the fund, the TA account and the trade date.
type orderCtx struct {
	inv   *Investor
	fund  *Fund
	ta    *TAAccount
	date  Date
	cal   Calendar
	today Date // China calendar date of the block

	contracts module.KVReader // the contract module's state
}

func loadOrder(ctx *module.Context, kv module.KV, b *OrderBase, msgType, quantity string) (*orderCtx, error) {
	if err := regulatorFreezes(ctx, b, msgType); err != nil {
		return nil, err
	}
	inv, err := ownInvestor(ctx, kv, b.Investor)
	if err != nil {
		return nil, err
	}
	f, err := getFund(kv, b.Fund)
	if err != nil {
		return nil, err
	}
	if ctx.Signer.Org != f.Manager {
		if _, ok := slicesFind(f.Resellers, ctx.Signer.Org); !ok {
			return nil, ErrNotAuthorised.Wrapf("%s is not authorised to sell fund %s", ctx.Signer.Org, f.Code)
		}
	}
	taID, ok := inv.TAAccounts[f.Manager]
	if !ok {
		return nil, ErrNoAccount.Wrapf("investor %s has no TA account with %s (open one first: 001)", inv.ID, f.Manager)
	}
	var ta TAAccount
	if _, err := module.GetJSON(kv, taKey(taID), &ta); err != nil {
		return nil, err
	}
	if ta.Frozen {
		return nil, ErrAccountFrozen.Wrapf("TA account %s of investor %s is frozen: %s", ta.ID, inv.ID, ta.Reason)
	}
	if fz, err := supervision.AccountFrozen(ctx.Peer("supervision"), f.Manager, inv.ID); err != nil {
		return nil, err
	} else if fz != nil {
		return nil, ErrAccountFrozen.Wrapf("TA account %s of investor %s is frozen by intervention %s: %s", ta.ID, inv.ID, fz.Intervention, fz.Reason)
	}
	date, cal, err := tradeDate(ctx, kv)
	if err != nil {
		return nil, err
	}
	today, err := ChinaDate(ctx.Time)
	if err != nil {
		return nil, ErrCalendar.Wrapf("%v", err)
	}
	if f.Terms.RequireInvestor || inv.RequireSig || b.InvestorSig != "" {
		if inv.Identity == "" {
			return nil, ErrInvestorSignature.Wrapf("investor %s has no identity to sign with", inv.ID)
		}
		if b.InvestorSig == "" {
			return nil, ErrInvestorSignature.Wrapf("fund %s or investor %s requires the investor's signature on orders", f.Code, inv.ID)
		}
		st := OrderStatement(ctx.ChainID, ctx.Signer.Org, msgType, b.AppNo, inv.ID, f.Code, quantity)
		if err := verifyBy(members(ctx), inv.Identity, st, b.InvestorSig); err != nil {
			return nil, ErrInvestorSignature.Wrapf("%v", err)
		}
	}
	if old, err := kv.Get(orderKey(orderID(ctx.Signer.Org, b.AppNo))); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrDuplicateOrder.Wrapf("channel %s already used application number %s", ctx.Signer.Org, b.AppNo)
	}
	return &orderCtx{inv: inv, fund: f, ta: &ta, date: date, cal: cal, today: today, contracts: ctx.Peer("contract")}, nil
}

// regulatorFreezes refuses an order that a regulator intervention
// (supervision module) freezes: the channel organisation, the fund (by
// scope), or the whole holding for a redemption; the account is checked in
// loadOrder. Orders accepted before a freeze are still confirmed at their
// NAV: a freeze stops new business (docs/supervision.md).
func regulatorFreezes(ctx *module.Context, b *OrderBase, msgType string) error {
	sk := ctx.Peer("supervision")
	if f, err := supervision.OrgFrozen(sk, ctx.Signer.Org); err != nil {
		return err
	} else if f != nil {
		return ErrFrozen.Wrapf("organisation %s is frozen by intervention %s: %s", ctx.Signer.Org, f.Intervention, f.Reason)
	}
	f, err := supervision.FundFrozen(sk, b.Fund)
	if err != nil {
		return err
	}
	if f != nil {
		buy := msgType == TypePurchase || msgType == TypeSubscribe
		if (buy && f.Target.Scope != supervision.ScopeRedemption) || (msgType == TypeRedeem && f.Target.Scope != supervision.ScopePurchase) {
			return ErrFrozen.Wrapf("fund %s: %s frozen by intervention %s: %s", b.Fund, f.Target.Scope, f.Intervention, f.Reason)
		}
	}
	if msgType == TypeRedeem {
		if f, err := supervision.HoldingFrozen(sk, b.Fund, b.Investor); err != nil {
			return err
		} else if f != nil && f.Target.Shares == "" {
			return ErrFrozen.Wrapf("investor %s's holding of fund %s is frozen by intervention %s: %s", b.Investor, b.Fund, f.Intervention, f.Reason)
		}
	}
	return nil
}

// regulatorFrozenShares returns the shares of a holding a regulator froze
// (0 when none, or the whole holding, which regulatorFreezes refuses).
func regulatorFrozenShares(ctx *module.Context, fund, investor string) (Shares, error) {
	f, err := supervision.HoldingFrozen(ctx.Peer("supervision"), fund, investor)
	if err != nil || f == nil || f.Target.Shares == "" {
		return 0, err
	}
	s, err := ParseShares(f.Target.Shares)
	if err != nil {
		return 0, ErrFrozen.Wrapf("intervention %s froze %q shares: %v", f.Intervention, f.Target.Shares, err)
	}
	return s, nil
}

func slicesFind(list []string, s string) (int, bool) {
	for i, x := range list {
		if x == s {
			return i, true
		}
	}
	return -1, false
}

func orderID(channel, appNo string) string { return channel + ":" + appNo }

// checkBuy applies the checks of a subscription or purchase: KYC,
// suitability, minimums and the daily limit.
func checkBuy(kv module.KV, oc *orderCtx, amount Amount) error {
	inv, f := oc.inv, oc.fund
	if inv.KYCStatus(oc.today) != "verified" {
		return ErrKYCExpired.Wrapf("investor %s: risk assessment expired on %s; reassess before buying", inv.ID, inv.RiskExpires)
	}
	if inv.Type != InvestorProfessional && Level(inv.Risk) < Level(f.Risk) {
		ack, err := kv.Get(ackKey(inv.ID, f.Code))
		if err != nil {
			return err
		}
		if ack == nil {
			// A signed risk-disclosure contract (contract module) counts too.
			ok, err := contract.RiskDisclosureSigned(oc.contracts, inv.ID, inv.Identity, f.Code, oc.today.String())
			if err != nil {
				return err
			}
			if !ok {
				return ErrUnsuitable.Wrapf("investor %s is C%d and fund %s is R%d: a signed risk disclosure is required", inv.ID, inv.Risk, f.Code, f.Risk)
			}
		}
	}
	var h Holding
	held, err := module.GetJSON(kv, holdingKey(f.Code, inv.ID), &h)
	if err != nil {
		return err
	}
	if held && h.Shares > 0 {
		if amount < f.Terms.MinAdditional {
			return ErrBelowMinimum.Wrapf("additional purchase %s is below the minimum %s", amount, f.Terms.MinAdditional)
		}
	} else if amount < f.Terms.MinFirst {
		return ErrBelowMinimum.Wrapf("first purchase %s is below the minimum %s", amount, f.Terms.MinFirst)
	}
	if f.Terms.DailyLimit > 0 {
		k := dailyKey(f.Code, oc.date, inv.ID)
		var sum Amount
		if b, err := kv.Get(k); err != nil {
			return err
		} else if len(b) == 8 {
			sum = Amount(binary.BigEndian.Uint64(b))
		}
		total, err := sum.Add(amount)
		if err != nil || total > f.Terms.DailyLimit {
			return ErrDailyLimit.Wrapf("investor %s would buy %s of fund %s on %s (limit %s, already %s)", inv.ID, total, f.Code, oc.date, f.Terms.DailyLimit, sum)
		}
		if err := kv.Set(k, binary.BigEndian.AppendUint64(nil, uint64(total))); err != nil {
			return err
		}
	}
	return nil
}

// superviseOrder reports an order that passed every check of this module
// to the supervision module's compliance rules and sandbox caps, which may
// refuse it (a supervision code) and record alerts atomically with it.
func superviseOrder(ctx *module.Context, oc *orderCtx, appNo, kind string, amount Amount, shares Shares) error {
	f := &supervision.OrderFacts{Order: orderID(ctx.Signer.Org, appNo), Channel: ctx.Signer.Org, Manager: oc.fund.Manager,
		Fund: oc.fund.Code, Private: oc.fund.Private, Investor: oc.inv.ID, InvestorType: oc.inv.Type, Kind: kind,
		Amount: supervision.Amount(amount), Shares: supervision.Amount(shares), Value: supervision.Amount(amount), TradeDate: oc.date.String()}
	if r, err := oc.inv.Risk.MarshalText(); err == nil {
		f.InvestorRisk = string(r)
	}
	if r, err := oc.fund.Risk.MarshalText(); err == nil {
		f.FundRisk = string(r)
	}
	if shares > 0 {
		nav := oc.fund.LastNAV
		if nav <= 0 {
			nav = Par
		}
		v, err := shares.Value(nav, HalfUp)
		if err != nil {
			return ErrInvalidRequest.Wrapf("value of %s shares: %v", shares, err)
		}
		f.Value = supervision.Amount(v)
	}
	return ctx.Call("supervision", "order", f, nil)
}

// addOrder stores a new pending order with its indexes.
func addOrder(ctx *module.Context, kv module.KV, oc *orderCtx, o *Order, queueDate Date) (any, error) {
	seq, err := nextSeq(kv, "order")
	if err != nil {
		return nil, err
	}
	o.ID = orderID(ctx.Signer.Org, o.AppNo)
	o.Channel, o.SubmittedBy, o.Investor = ctx.Signer.Org, ctx.Signer.ID, oc.inv.ID
	o.TAAccount, o.TransAccount, o.Fund = oc.ta.ID, oc.inv.TransAccount, oc.fund.Code
	o.TradeDate, o.Height, o.Time, o.Seq, o.Status = oc.date, ctx.Height, ctx.Time.UTC().Format("2006-01-02T15:04:05.000Z"), seq, OrderPending
	o.BlockTime = ctx.BlockStamp("2006-01-02T15:04:05.000Z")
	if err := module.PutJSON(kv, orderKey(o.ID), o); err != nil {
		return nil, err
	}
	for _, k := range [][]byte{investorOrderKey(o.Investor, seq), channelOrderKey(o.Channel, o.TradeDate, seq), queueKey(o.Fund, queueDate, seq)} {
		if err := kv.Set(k, []byte(o.ID)); err != nil {
			return nil, err
		}
	}
	if err := addTotals(kv, o.Fund, 0, 0, 1); err != nil {
		return nil, err
	}
	ctx.Emit("order_received", module.A("order", o.ID), module.A("business", o.Business), module.A("fund", o.Fund),
		module.A("investor", o.Investor), module.A("trade_date", o.TradeDate.String()),
		module.A("channel", o.Channel), module.A("manager", oc.fund.Manager))
	return map[string]any{"order": o.ID, "status": o.Status, "trade_date": o.TradeDate}, nil
}

func subscribe(ctx *module.Context, kv module.KV, m *SubscribeOrder) (any, error) {
	oc, err := loadOrder(ctx, kv, &m.OrderBase, TypeSubscribe, m.Amount.String())
	if err != nil {
		return nil, err
	}
	f := oc.fund
	if f.Status != StatusOffering {
		return nil, ErrFundStatus.Wrapf("fund %s is %s: subscriptions (020) are taken in the offering period only", f.Code, f.Status)
	}
	if oc.date < f.OfferingStart || oc.date > f.OfferingEnd {
		return nil, ErrFundStatus.Wrapf("fund %s offers from %s to %s; trade date is %s", f.Code, f.OfferingStart, f.OfferingEnd, oc.date)
	}
	if err := checkBuy(kv, oc, m.Amount); err != nil {
		return nil, err
	}
	if err := superviseOrder(ctx, oc, m.AppNo, supervision.OrderSubscribe, m.Amount, 0); err != nil {
		return nil, err
	}
	return addOrder(ctx, kv, oc, &Order{AppNo: m.AppNo, Business: BizSubscribe, Amount: m.Amount, InvestorSig: m.InvestorSig != ""}, 0)
}

func purchase(ctx *module.Context, kv module.KV, m *PurchaseOrder) (any, error) {
	oc, err := loadOrder(ctx, kv, &m.OrderBase, TypePurchase, m.Amount.String())
	if err != nil {
		return nil, err
	}
	if err := tradable(oc, StatusOpen, StatusRedemptionSuspended); err != nil {
		return nil, err
	}
	if err := checkBuy(kv, oc, m.Amount); err != nil {
		return nil, err
	}
	if err := superviseOrder(ctx, oc, m.AppNo, supervision.OrderPurchase, m.Amount, 0); err != nil {
		return nil, err
	}
	return addOrder(ctx, kv, oc, &Order{AppNo: m.AppNo, Business: BizPurchase, Amount: m.Amount, InvestorSig: m.InvestorSig != ""}, oc.date)
}

// tradable checks the fund's status and that the trade date is after the
// fund's last final NAV.
func tradable(oc *orderCtx, statuses ...string) error {
	f := oc.fund
	if _, ok := slicesFind(statuses, f.Status); !ok {
		return ErrFundStatus.Wrapf("fund %s is %s", f.Code, f.Status)
	}
	if oc.date <= f.LastNAVDate {
		return ErrFundStatus.Wrapf("fund %s: trade date %s already has a final NAV; orders are taken from the next trade date", f.Code, oc.date)
	}
	return nil
}

func redeem(ctx *module.Context, kv module.KV, m *RedeemOrder) (any, error) {
	oc, err := loadOrder(ctx, kv, &m.OrderBase, TypeRedeem, m.Shares.String())
	if err != nil {
		return nil, err
	}
	if err := tradable(oc, StatusOpen, StatusPurchaseSuspended); err != nil {
		return nil, err
	}
	f := oc.fund
	var h Holding
	if ok, err := module.GetJSON(kv, holdingKey(f.Code, oc.inv.ID), &h); err != nil {
		return nil, err
	} else if !ok || h.Shares == 0 {
		return nil, ErrNoHolding.Wrapf("investor %s holds no shares of fund %s", oc.inv.ID, f.Code)
	}
	avail := h.Available()
	rf, err := regulatorFrozenShares(ctx, f.Code, oc.inv.ID)
	if err != nil {
		return nil, err
	}
	avail = max(avail-rf, 0)
	if m.Shares > avail {
		return nil, ErrShortShares.Wrapf("redeeming %s shares of fund %s; available %s (held %s, pending %s, frozen %s, frozen by the regulator %s)", m.Shares, f.Code, avail, h.Shares, h.Pending, h.Frozen, rf)
	}
	if m.Shares < f.Terms.MinRedemption && m.Shares != avail {
		return nil, ErrBelowMinimum.Wrapf("redemption of %s shares is below the minimum %s", m.Shares, f.Terms.MinRedemption)
	}
	if left := h.Shares - h.Pending - m.Shares; left > 0 && left < f.Terms.MinHolding {
		return nil, ErrMinHolding.Wrapf("%s shares would remain, below the minimum holding %s: redeem all %s", left, f.Terms.MinHolding, avail)
	}
	if err := superviseOrder(ctx, oc, m.AppNo, supervision.OrderRedeem, 0, m.Shares); err != nil {
		return nil, err
	}
	h.Pending += m.Shares
	if err := module.PutJSON(kv, holdingKey(f.Code, oc.inv.ID), &h); err != nil {
		return nil, err
	}
	return addOrder(ctx, kv, oc, &Order{AppNo: m.AppNo, Business: BizRedeem, Shares: m.Shares, InvestorSig: m.InvestorSig != ""}, oc.date)
}

func setDividendMethod(ctx *module.Context, kv module.KV, m *DividendMethodOrder) (any, error) {
	oc, err := loadOrder(ctx, kv, &m.OrderBase, TypeSetDividendMethod, m.Method)
	if err != nil {
		return nil, err
	}
	if err := tradable(oc, StatusOpen, StatusPurchaseSuspended, StatusRedemptionSuspended, StatusClosed); err != nil {
		return nil, err
	}
	if ok, err := module.GetJSON(kv, holdingKey(oc.fund.Code, oc.inv.ID), &Holding{}); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrNoHolding.Wrapf("investor %s holds no shares of fund %s", oc.inv.ID, oc.fund.Code)
	}
	return addOrder(ctx, kv, oc, &Order{AppNo: m.AppNo, Business: BizDividendMethod, Method: m.Method, InvestorSig: m.InvestorSig != ""}, oc.date)
}

// cancel withdraws a pending order of the signer's channel while its trade
// date is still open (before the cut-off).
func cancel(ctx *module.Context, kv module.KV, m *CancelOrder) (any, error) {
	id := orderID(ctx.Signer.Org, m.Original)
	var o Order
	if ok, err := module.GetJSON(kv, orderKey(id), &o); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknownOrder.Wrapf("channel %s has no order %s", ctx.Signer.Org, m.Original)
	}
	if old, err := kv.Get(orderKey(orderID(ctx.Signer.Org, m.AppNo))); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrDuplicateOrder.Wrapf("channel %s already used application number %s", ctx.Signer.Org, m.AppNo)
	}
	if o.Status != OrderPending {
		return nil, ErrNotCancellable.Wrapf("order %s is %s", id, o.Status)
	}
	date, _, err := tradeDate(ctx, kv)
	if err != nil {
		return nil, err
	}
	if date != o.TradeDate {
		return nil, ErrNotCancellable.Wrapf("order %s of trade date %s is past its cut-off (now %s)", id, o.TradeDate, date)
	}
	inv, err := getInvestor(kv, o.Investor)
	if err != nil {
		return nil, err
	}
	f, err := getFund(kv, o.Fund)
	if err != nil {
		return nil, err
	}
	if f.Terms.RequireInvestor || inv.RequireSig || m.InvestorSig != "" {
		if inv.Identity == "" || m.InvestorSig == "" {
			return nil, ErrInvestorSignature.Wrapf("the cancellation needs investor %s's signature", inv.ID)
		}
		st := OrderStatement(ctx.ChainID, ctx.Signer.Org, TypeCancel, m.AppNo, inv.ID, f.Code, m.Original)
		if err := verifyBy(members(ctx), inv.Identity, st, m.InvestorSig); err != nil {
			return nil, ErrInvestorSignature.Wrapf("%v", err)
		}
	}
	queueDate := o.TradeDate
	if o.Business == BizSubscribe {
		queueDate = 0
	}
	if err := kv.Delete(queueKey(o.Fund, queueDate, o.Seq)); err != nil {
		return nil, err
	}
	switch o.Business {
	case BizSubscribe, BizPurchase:
		k := dailyKey(o.Fund, o.TradeDate, o.Investor)
		if b, err := kv.Get(k); err != nil {
			return nil, err
		} else if len(b) == 8 {
			if err := kv.Set(k, binary.BigEndian.AppendUint64(nil, uint64(Amount(binary.BigEndian.Uint64(b))-o.Amount))); err != nil {
				return nil, err
			}
		}
	case BizRedeem:
		var h Holding
		if _, err := module.GetJSON(kv, holdingKey(o.Fund, o.Investor), &h); err != nil {
			return nil, err
		}
		h.Pending -= o.Shares
		if err := module.PutJSON(kv, holdingKey(o.Fund, o.Investor), &h); err != nil {
			return nil, err
		}
	}
	o.Status, o.CancelledBy = OrderCancelled, m.AppNo
	o.Confirmation = &Confirmation{Business: confirmationCode(o.Business), ReturnCode: RetCancelled, Reason: "cancelled by application " + m.AppNo, Date: date, Height: ctx.Height}
	if err := module.PutJSON(kv, orderKey(o.ID), &o); err != nil {
		return nil, err
	}
	if err := indexConfirmation(kv, &o); err != nil {
		return nil, err
	}
	if err := addTotals(kv, o.Fund, 0, 0, -1); err != nil {
		return nil, err
	}
	// The cancellation is itself an application (052), confirmed at once.
	seq, err := nextSeq(kv, "order")
	if err != nil {
		return nil, err
	}
	c := &Order{ID: orderID(ctx.Signer.Org, m.AppNo), AppNo: m.AppNo, Business: BizCancel, Channel: ctx.Signer.Org, SubmittedBy: ctx.Signer.ID,
		Investor: o.Investor, TAAccount: o.TAAccount, TransAccount: o.TransAccount, Fund: o.Fund, TradeDate: date, Height: ctx.Height,
		Time: ctx.Time.UTC().Format("2006-01-02T15:04:05.000Z"), BlockTime: ctx.BlockStamp("2006-01-02T15:04:05.000Z"), Seq: seq, Status: OrderConfirmed, CancelledBy: o.AppNo, InvestorSig: m.InvestorSig != "",
		Confirmation: &Confirmation{Business: confirmationCode(BizCancel), ReturnCode: RetSuccess, Date: date, Height: ctx.Height}}
	if err := module.PutJSON(kv, orderKey(c.ID), c); err != nil {
		return nil, err
	}
	if err := indexConfirmation(kv, c); err != nil {
		return nil, err
	}
	for _, k := range [][]byte{investorOrderKey(c.Investor, seq), channelOrderKey(c.Channel, date, seq)} {
		if err := kv.Set(k, []byte(c.ID)); err != nil {
			return nil, err
		}
	}
	ctx.Emit("order_cancelled", module.A("order", o.ID), module.A("by", c.ID), module.A("investor", o.Investor), module.A("channel", o.Channel),
		module.A("manager", f.Manager))
	return map[string]any{"order": o.ID, "status": o.Status, "cancellation": c.ID}, nil
}

func confirmationCode(biz string) string {
	var n int
	fmt.Sscanf(biz, "%d", &n)
	return fmt.Sprintf("%03d", n+confirmationCodeBase)
}

// addTotals adjusts a fund's totals.
func addTotals(kv module.KV, fund string, shares Shares, holders, pending int64) error {
	var t Totals
	if _, err := module.GetJSON(kv, totalsKey(fund), &t); err != nil {
		return err
	}
	t.Shares += shares
	t.Holders += holders
	t.Pending += pending
	return module.PutJSON(kv, totalsKey(fund), &t)
}

// ---- freezes

func freezeTarget(ctx *module.Context, kv module.KV, investor, manager, fund string) (*TAAccount, *Fund, error) {
	inv, err := getInvestor(kv, investor)
	if err != nil {
		return nil, nil, err
	}
	var f *Fund
	if fund != "" {
		if f, err = getFund(kv, fund); err != nil {
			return nil, nil, err
		}
		manager = f.Manager
	}
	if isRegulator(members(ctx), ctx.Signer) {
		return nil, nil, ErrUseIntervention.Wrapf("regulator freezes go through supervision interventions: otc supervise propose --action freeze|unfreeze --kind account|holding ..., then a second officer's otc supervise approve")
	}
	if ctx.Signer.Org != manager {
		return nil, nil, ErrNotPermitted.Wrapf("only %s (the TA) may freeze or unfreeze here; a regulator uses a supervision intervention", manager)
	}
	taID, ok := inv.TAAccounts[manager]
	if !ok {
		return nil, nil, ErrNoAccount.Wrapf("investor %s has no TA account with %s", inv.ID, manager)
	}
	var ta TAAccount
	if _, err := module.GetJSON(kv, taKey(taID), &ta); err != nil {
		return nil, nil, err
	}
	return &ta, f, nil
}

func freeze(ctx *module.Context, kv module.KV, m *Freeze) (any, error) {
	return applyFreeze(ctx, kv, m, true)
}

func unfreeze(ctx *module.Context, kv module.KV, m *Unfreeze) (any, error) {
	return applyFreeze(ctx, kv, (*Freeze)(m), false)
}

func applyFreeze(ctx *module.Context, kv module.KV, m *Freeze, on bool) (any, error) {
	ta, f, err := freezeTarget(ctx, kv, m.Investor, m.Manager, m.Fund)
	if err != nil {
		return nil, err
	}
	if f == nil {
		// A freeze of the regulator (an intervention, in the supervision
		// module's state) is not the TA's: the manager lifts only its own.
		iv, err := supervision.AccountFrozen(ctx.Peer("supervision"), m.Manager, m.Investor)
		if err != nil {
			return nil, err
		}
		if ta.Frozen == on {
			if on {
				return nil, ErrAccountFrozen.Wrapf("TA account %s is already frozen", ta.ID)
			}
			if iv != nil {
				return nil, ErrFrozen.Wrapf("TA account %s is frozen by intervention %s, not by its TA: only a regulator unfreeze intervention lifts it (otc supervise propose --action unfreeze --kind account, then approve)", ta.ID, iv.Intervention)
			}
			return nil, ErrNotFrozen.Wrapf("TA account %s is not frozen", ta.ID)
		}
		ta.Frozen, ta.Reason = on, m.Reason
		if err := module.PutJSON(kv, taKey(ta.ID), ta); err != nil {
			return nil, err
		}
		biz := BizFreezeAccount
		if !on {
			biz = BizUnfreezeAccount
		}
		ctx.Emit("account_freeze", module.A("ta_account", ta.ID), module.A("investor", m.Investor), module.A("frozen", boolText(on)), module.A("by", ctx.Signer.ID))
		out := map[string]any{"business": confirmationCode(biz), "ta_account": ta.ID, "frozen": on, "reason": m.Reason}
		if iv != nil {
			out["frozen_by_intervention"] = iv.Intervention // still frozen: the regulator's freeze stays
		}
		return out, nil
	}
	var h Holding
	if ok, err := module.GetJSON(kv, holdingKey(f.Code, m.Investor), &h); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrNoHolding.Wrapf("investor %s holds no shares of fund %s", m.Investor, f.Code)
	}
	biz := BizFreezeShares
	if on {
		if m.Shares > h.Available() {
			return nil, ErrShortShares.Wrapf("freezing %s shares; available %s", m.Shares, h.Available())
		}
		h.Frozen += m.Shares
	} else {
		if m.Shares > h.Frozen {
			if iv, err := supervision.HoldingFrozen(ctx.Peer("supervision"), f.Code, m.Investor); err != nil {
				return nil, err
			} else if iv != nil {
				return nil, ErrFrozen.Wrapf("unfreezing %s shares; the TA froze %s, the rest is frozen by intervention %s: only a regulator unfreeze intervention lifts it", m.Shares, h.Frozen, iv.Intervention)
			}
			return nil, ErrNotFrozen.Wrapf("unfreezing %s shares; frozen %s", m.Shares, h.Frozen)
		}
		h.Frozen -= m.Shares
		biz = BizUnfreezeShares
	}
	if err := module.PutJSON(kv, holdingKey(f.Code, m.Investor), &h); err != nil {
		return nil, err
	}
	ctx.Emit("shares_freeze", module.A("fund", f.Code), module.A("investor", m.Investor), module.A("shares", m.Shares.String()), module.A("frozen", boolText(on)))
	return map[string]any{"business": confirmationCode(biz), "fund": f.Code, "investor": m.Investor, "frozen": h.Frozen}, nil
}

// orgNotFrozen refuses the business of an organisation a regulator froze.
func orgNotFrozen(ctx *module.Context) error {
	f, err := supervision.OrgFrozen(ctx.Peer("supervision"), ctx.Signer.Org)
	if err != nil {
		return err
	}
	if f != nil {
		return ErrFrozen.Wrapf("organisation %s is frozen by intervention %s: %s", ctx.Signer.Org, f.Intervention, f.Reason)
	}
	return nil
}
