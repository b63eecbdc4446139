package signing

import (
	"time"

	"github.com/otcchain/otcchain/fund"
)

// QuoteRequest asks what an order would come to, before anyone signs it:
// the fund and the calendar as the API answers them (GET
// /v1/q/fund/funds/{code}, /v1/q/fund/calendar), the business time (GET
// /v1/q/clock/now), the order's type and quantity, and for a redemption the
// holding's lots.
type QuoteRequest struct {
	Type         string        `json:"type"` // fund/subscribe, fund/purchase, fund/redeem
	Fund         fund.Fund     `json:"fund"`
	Calendar     fund.Calendar `json:"calendar"`
	BusinessTime time.Time     `json:"business_time"`
	Amount       string        `json:"amount,omitempty"`
	Shares       string        `json:"shares,omitempty"`
	Lots         []fund.Lot    `json:"lots,omitempty"`
}

// Quote is the order's expected outcome, computed by the fund module's own
// functions (fund.TradeDate, fund.Purchase, fund.Subscribe, fund.Redeem).
// A purchase or redemption is priced at the NAV of its trade date, unknown
// until the manager publishes it: Estimate says the figures use the last
// NAV (NAVDate) instead. A subscription is priced at par and has no trade
// date; it is confirmed when the offering closes.
type Quote struct {
	TradeDate        fund.Date   `json:"trade_date,omitempty"`
	ConfirmationDate fund.Date   `json:"confirmation_date,omitempty"`
	NAV              fund.NAV    `json:"nav"`
	NAVDate          fund.Date   `json:"nav_date,omitempty"`
	Estimate         bool        `json:"estimate"`
	Amount           fund.Amount `json:"amount"` // purchase: paid; redemption: proceeds before fees
	Fee              fund.Amount `json:"fee"`
	Net              fund.Amount `json:"net"` // purchase: what buys shares; redemption: paid out
	Shares           fund.Shares `json:"shares"`
	Rate             fund.Rate   `json:"rate"`
	Fixed            bool        `json:"fixed"`
	// Lots: a redemption's fee per lot, by holding period (FIFO); Rate is
	// then set only when every lot has the same rate.
	Lots []fund.LotRedemption `json:"lots,omitempty"`
}

// QuoteOrder computes a Quote.
func QuoteOrder(r QuoteRequest) (*Quote, error) {
	f := &r.Fund
	if f.Code == "" {
		return nil, fail(CodeBadRequest, "a quote needs the fund")
	}
	if r.Type == fund.TypeSubscribe {
		a, err := fund.ParseAmount(r.Amount)
		if err != nil {
			return nil, fail(CodeBadMessage, "amount: %v", err)
		}
		tiers := f.Terms.PurchaseFees
		if f.Terms.SubscriptionFees != nil {
			tiers = f.Terms.SubscriptionFees
		}
		b, err := fund.Subscribe(a, tiers, f.Rounding)
		if err != nil {
			return nil, fail(CodeBadMessage, "%v", err)
		}
		return &Quote{NAV: b.NAV, Amount: b.Amount, Fee: b.Fee, Net: b.Net, Shares: b.Shares, Rate: b.Rate, Fixed: b.Fixed}, nil
	}
	if r.BusinessTime.IsZero() {
		return nil, fail(CodeBadRequest, "a quote needs the business time")
	}
	td, err := fund.TradeDate(r.BusinessTime, r.Calendar)
	if err != nil {
		return nil, fail(CodeBadMessage, "trade date: %v", err)
	}
	cd, err := r.Calendar.NextTradingDay(td)
	if err != nil {
		return nil, fail(CodeBadMessage, "confirmation date: %v", err)
	}
	if f.LastNAV <= 0 {
		return nil, fail(CodeBadMessage, "fund %s has no NAV yet", f.Code)
	}
	q := &Quote{TradeDate: td, ConfirmationDate: cd, NAV: f.LastNAV, NAVDate: f.LastNAVDate, Estimate: f.LastNAVDate != td}
	switch r.Type {
	case fund.TypePurchase:
		a, err := fund.ParseAmount(r.Amount)
		if err != nil {
			return nil, fail(CodeBadMessage, "amount: %v", err)
		}
		b, err := fund.Purchase(a, f.Terms.PurchaseFees, f.LastNAV, f.Rounding)
		if err != nil {
			return nil, fail(CodeBadMessage, "%v", err)
		}
		q.Amount, q.Fee, q.Net, q.Shares, q.Rate, q.Fixed = b.Amount, b.Fee, b.Net, b.Shares, b.Rate, b.Fixed
	case fund.TypeRedeem:
		s, err := fund.ParseShares(r.Shares)
		if err != nil {
			return nil, fail(CodeBadMessage, "shares: %v", err)
		}
		b, err := fund.Redeem(r.Lots, s, td, f.LastNAV, f.Terms.RedemptionFees)
		if err != nil {
			return nil, fail(CodeBadMessage, "%v", err)
		}
		q.Amount, q.Fee, q.Net, q.Shares, q.Lots = b.Proceeds, b.Fee, b.Net, b.Shares, b.Lots
		for i, l := range b.Lots {
			if i > 0 && l.Rate != q.Rate {
				q.Rate = 0
				break
			}
			q.Rate = l.Rate
		}
	default:
		return nil, fail(CodeBadRequest, "unknown order type %q (fund/subscribe, fund/purchase, fund/redeem)", r.Type)
	}
	return q, nil
}

// TradeDateRequest asks which trade date an order gets at a business time.
type TradeDateRequest struct {
	Calendar     fund.Calendar `json:"calendar"`
	BusinessTime time.Time     `json:"business_time"`
}

// TradeDate is fund.TradeDate, for the pages that check a file's dates
// (the same rule the chain applies to an order).
func TradeDate(r TradeDateRequest) (any, error) {
	td, err := fund.TradeDate(r.BusinessTime, r.Calendar)
	if err != nil {
		return nil, fail(CodeBadMessage, "%v", err)
	}
	return map[string]fund.Date{"trade_date": td}, nil
}
