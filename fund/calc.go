package fund

import (
	"errors"
	"fmt"
)

// Errors of the calculations, wrapped with detail; compare with errors.Is.
// ErrOverflow, ErrRounding and the calendar's ErrInvalidDate also come out of
// them.
var (
	ErrInvalidAmount      = errors.New("fund: invalid amount")
	ErrInvalidShares      = errors.New("fund: invalid shares")
	ErrInvalidNAV         = errors.New("fund: invalid NAV")
	ErrInvalidDividend    = errors.New("fund: invalid dividend per share")
	ErrInvalidTiers       = errors.New("fund: invalid fee tiers")
	ErrShortTermFee       = errors.New("fund: redemption fee below the minimum for holdings under 7 days")
	ErrInvalidLots        = errors.New("fund: invalid lots")
	ErrInsufficientShares = errors.New("fund: insufficient shares")
)

// Limits of the fee schedules.
const (
	// MaxTiers bounds the bands of one fee schedule.
	MaxTiers = 16
	// ShortTermDays and MinShortTermRate are China's rule for open-end funds
	// (公开募集开放式证券投资基金流动性风险管理规定, 2017): a redemption of
	// shares held for less than 7 days pays a fee of at least 1.50%.
	ShortTermDays         = 7
	MinShortTermRate Rate = 15000
	// maxHoldingDays bounds MinDays (far beyond any date range).
	maxHoldingDays = 1 << 30
)

// PurchaseTier is one band of a front-end purchase fee schedule (前端申购费).
// A schedule is a list of bands by order amount, ascending: a band applies to
// an order whose amount is below its UpTo and at or above the previous band's
// UpTo. The tier is chosen by the amount of the single order, not by the
// investor's cumulative purchases.
//
// Exactly one of Rate and Fixed is set. A rate band charges the fee inside
// the amount: net = amount / (1 + rate). A fixed band charges Fixed per order
// (for example 1,000.00 for orders of 5,000,000.00 and more), capped at the
// amount. Fixed is allowed in any band; schedules usually have it in the last.
type PurchaseTier struct {
	// UpTo is the band's exclusive upper bound; 0 in the last band (no bound)
	// and only there.
	UpTo  Amount  `json:"up_to,omitempty"`
	Rate  *Rate   `json:"rate,omitempty"`
	Fixed *Amount `json:"fixed,omitempty"`
}

// ValidatePurchaseTiers checks a purchase fee schedule: 1 to MaxTiers bands,
// UpTo strictly ascending and positive except in the last band, which is
// unbounded (UpTo 0), exactly one of Rate and Fixed in each band, rates from
// 0% to 100%, fixed fees not negative. It returns an error wrapping
// ErrInvalidTiers.
func ValidatePurchaseTiers(tiers []PurchaseTier) error {
	if len(tiers) == 0 || len(tiers) > MaxTiers {
		return fmt.Errorf("%w: %d purchase tiers, want 1 to %d", ErrInvalidTiers, len(tiers), MaxTiers)
	}
	last := len(tiers) - 1
	for i, t := range tiers {
		switch {
		case i == last && t.UpTo != 0:
			return fmt.Errorf("%w: the last purchase tier must be unbounded (up_to 0), not %s", ErrInvalidTiers, t.UpTo)
		case i < last && t.UpTo <= 0:
			return fmt.Errorf("%w: purchase tier %d: up_to %s must be positive", ErrInvalidTiers, i, t.UpTo)
		case i > 0 && i < last && t.UpTo <= tiers[i-1].UpTo:
			return fmt.Errorf("%w: purchase tier %d: up_to %s is not above %s", ErrInvalidTiers, i, t.UpTo, tiers[i-1].UpTo)
		case (t.Rate == nil) == (t.Fixed == nil):
			return fmt.Errorf("%w: purchase tier %d: set exactly one of rate and fixed", ErrInvalidTiers, i)
		case t.Rate != nil && (*t.Rate < 0 || *t.Rate > HundredPercent):
			return fmt.Errorf("%w: purchase tier %d: rate %s outside 0%% to 100%%", ErrInvalidTiers, i, *t.Rate)
		case t.Fixed != nil && *t.Fixed < 0:
			return fmt.Errorf("%w: purchase tier %d: negative fixed fee %s", ErrInvalidTiers, i, *t.Fixed)
		}
	}
	return nil
}

// PurchaseBreakdown is every component of a purchase or subscription.
type PurchaseBreakdown struct {
	Amount   Amount   `json:"amount"`   // gross amount paid
	Tier     int      `json:"tier"`     // index of the fee tier applied
	Rate     Rate     `json:"rate"`     // the tier's rate; 0 for a fixed fee
	Fixed    bool     `json:"fixed"`    // the tier charges a fixed fee per order
	Fee      Amount   `json:"fee"`      // amount − net
	Net      Amount   `json:"net"`      // the amount that buys shares
	NAV      NAV      `json:"nav"`      // the price of a share
	Shares   Shares   `json:"shares"`   // net / NAV by Rounding
	Rounding Rounding `json:"rounding"` // the fund's share rounding rule
}

// Purchase computes a purchase by amount (申购, business code 022) at nav:
//
//	rate tier:  net = amount / (1 + rate), half-up to the fen; fee = amount − net
//	fixed tier: fee = min(fixed, amount); net = amount − fee
//	shares = net / nav, to 0.01 share by the fund's rule
//
// The fee is charged on top of the net (外扣法, China's rule since 2007):
// the investor pays the fee on what is invested, not on the fee itself. The
// net is rounded half-up, so the fee is whatever remains and fee + net is
// always the amount. Amount and nav must be positive; the tiers must pass
// ValidatePurchaseTiers.
func Purchase(amount Amount, tiers []PurchaseTier, nav NAV, rule Rounding) (PurchaseBreakdown, error) {
	if amount <= 0 {
		return PurchaseBreakdown{}, fmt.Errorf("%w: purchase amount %s must be positive", ErrInvalidAmount, amount)
	}
	if nav <= 0 {
		return PurchaseBreakdown{}, fmt.Errorf("%w: %s must be positive", ErrInvalidNAV, nav)
	}
	if !rule.Valid() {
		return PurchaseBreakdown{}, fmt.Errorf("%w: %d", ErrRounding, rule)
	}
	if err := ValidatePurchaseTiers(tiers); err != nil {
		return PurchaseBreakdown{}, err
	}
	i := 0
	for i < len(tiers)-1 && amount >= tiers[i].UpTo {
		i++
	}
	b := PurchaseBreakdown{Amount: amount, Tier: i, NAV: nav, Rounding: rule}
	t := tiers[i]
	if t.Fixed != nil {
		b.Fixed = true
		b.Fee = min(*t.Fixed, amount)
		b.Net = amount - b.Fee
	} else {
		b.Rate = *t.Rate
		// net = amount × 10^6 / (10^6 + rate); the divisor is at most 2×10^6.
		net, err := MulDiv(int64(amount), int64(HundredPercent), int64(HundredPercent+b.Rate), HalfUp)
		if err != nil {
			return PurchaseBreakdown{}, err
		}
		b.Net = Amount(net)
		b.Fee = amount - b.Net
	}
	shares, err := b.Net.SharesAt(nav, rule)
	if err != nil {
		return PurchaseBreakdown{}, fmt.Errorf("purchase of %s at %s: %w", amount, nav, err)
	}
	b.Shares = shares
	return b, nil
}

// Subscribe computes a subscription in the offering period (认购, business
// code 020): Purchase at the par value 1.0000, with the subscription fee
// schedule. Interest earned during the offering period is not included.
func Subscribe(amount Amount, tiers []PurchaseTier, rule Rounding) (PurchaseBreakdown, error) {
	return Purchase(amount, tiers, Par, rule)
}

// RedemptionTier is one band of a redemption fee schedule by holding period:
// the rate applies to lots held at least MinDays calendar days and less than
// the next band's MinDays.
type RedemptionTier struct {
	MinDays int  `json:"min_days"`
	Rate    Rate `json:"rate"`
}

// ValidateRedemptionTiers checks a redemption fee schedule: 1 to MaxTiers
// bands, the first at MinDays 0, MinDays strictly ascending, rates from 0% to
// 100% (ErrInvalidTiers); and every band that covers a holding shorter than
// ShortTermDays charges at least MinShortTermRate (ErrShortTermFee).
func ValidateRedemptionTiers(tiers []RedemptionTier) error {
	if len(tiers) == 0 || len(tiers) > MaxTiers {
		return fmt.Errorf("%w: %d redemption tiers, want 1 to %d", ErrInvalidTiers, len(tiers), MaxTiers)
	}
	for i, t := range tiers {
		switch {
		case i == 0 && t.MinDays != 0:
			return fmt.Errorf("%w: the first redemption tier must start at 0 days, not %d", ErrInvalidTiers, t.MinDays)
		case i > 0 && t.MinDays <= tiers[i-1].MinDays:
			return fmt.Errorf("%w: redemption tier %d: min_days %d is not above %d", ErrInvalidTiers, i, t.MinDays, tiers[i-1].MinDays)
		case t.MinDays > maxHoldingDays:
			return fmt.Errorf("%w: redemption tier %d: min_days %d is too large", ErrInvalidTiers, i, t.MinDays)
		case t.Rate < 0 || t.Rate > HundredPercent:
			return fmt.Errorf("%w: redemption tier %d: rate %s outside 0%% to 100%%", ErrInvalidTiers, i, t.Rate)
		case t.MinDays < ShortTermDays && t.Rate < MinShortTermRate:
			return fmt.Errorf("%w: redemption tier %d (from %d days) charges %s, at least %s required",
				ErrShortTermFee, i, t.MinDays, t.Rate, MinShortTermRate)
		}
	}
	return nil
}

// redemptionRate returns the rate for a holding of days (tiers valid).
func redemptionRate(tiers []RedemptionTier, days int) Rate {
	i := 0
	for i < len(tiers)-1 && days >= tiers[i+1].MinDays {
		i++
	}
	return tiers[i].Rate
}

// Lot is a parcel of shares acquired together; its holding period starts on
// Since (the date its shares were registered).
type Lot struct {
	Shares Shares `json:"shares"`
	Since  Date   `json:"since"`
}

// LotRedemption is the part of a redemption taken from one lot.
type LotRedemption struct {
	Lot      int    `json:"lot"`   // index of the lot in the input
	Since    Date   `json:"since"` // the lot's start date
	Days     int    `json:"days"`  // calendar days held: DaysBetween(Since, trade date)
	Rate     Rate   `json:"rate"`  // the fee rate for Days
	Shares   Shares `json:"shares"`
	Proceeds Amount `json:"proceeds"` // Shares × NAV, half-up to the fen
	Fee      Amount `json:"fee"`      // Proceeds × Rate, half-up to the fen
	Net      Amount `json:"net"`      // Proceeds − Fee
}

// RedemptionBreakdown is every component of a redemption.
type RedemptionBreakdown struct {
	TradeDate Date            `json:"trade_date"`
	NAV       NAV             `json:"nav"`
	Shares    Shares          `json:"shares"`   // redeemed, the sum over Lots
	Proceeds  Amount          `json:"proceeds"` // the sum of the lots' proceeds
	Fee       Amount          `json:"fee"`      // the sum of the lots' fees
	Net       Amount          `json:"net"`      // the sum of the lots' nets: Proceeds − Fee
	Lots      []LotRedemption `json:"lots"`
	Remaining []Lot           `json:"remaining"` // the lots after the redemption
}

// Redeem computes a redemption of shares (赎回, business code 024) on
// tradeDate at nav. Shares come out of lots first in first out: lots must be
// in order of Since (oldest first, as the register keeps them), each with
// positive shares. For each lot taken:
//
//	days     = DaysBetween(lot.Since, tradeDate)      (calendar days)
//	proceeds = shares × nav, half-up to the fen
//	fee      = proceeds × rate(days), half-up to the fen
//	net      = proceeds − fee
//
// Rounding is per lot, so the totals are exactly the sums of the lots (they
// may differ by a few fen from rounding the whole redemption at once). A lot
// taken whose Since is after tradeDate is ErrInvalidLots; more shares than
// the lots hold is ErrInsufficientShares; the tiers must pass
// ValidateRedemptionTiers. Remaining is a new slice: untouched lots, and the
// rest of a lot taken in part, with their original Since.
func Redeem(lots []Lot, shares Shares, tradeDate Date, nav NAV, tiers []RedemptionTier) (RedemptionBreakdown, error) {
	if shares <= 0 {
		return RedemptionBreakdown{}, fmt.Errorf("%w: redemption of %s shares must be positive", ErrInvalidShares, shares)
	}
	if nav <= 0 {
		return RedemptionBreakdown{}, fmt.Errorf("%w: %s must be positive", ErrInvalidNAV, nav)
	}
	if !tradeDate.Valid() {
		return RedemptionBreakdown{}, fmt.Errorf("%w: trade date %s", ErrInvalidDate, tradeDate)
	}
	if err := ValidateRedemptionTiers(tiers); err != nil {
		return RedemptionBreakdown{}, err
	}
	var held Shares
	need := 0 // lots the redemption reaches
	for i, l := range lots {
		if l.Shares <= 0 {
			return RedemptionBreakdown{}, fmt.Errorf("%w: lot %d has %s shares", ErrInvalidLots, i, l.Shares)
		}
		if !l.Since.Valid() {
			return RedemptionBreakdown{}, fmt.Errorf("%w: lot %d: %w: %s", ErrInvalidLots, i, ErrInvalidDate, l.Since)
		}
		if i > 0 && l.Since < lots[i-1].Since {
			return RedemptionBreakdown{}, fmt.Errorf("%w: lot %d (%s) is older than lot %d (%s): not first in first out",
				ErrInvalidLots, i, l.Since, i-1, lots[i-1].Since)
		}
		var err error
		if held, err = held.Add(l.Shares); err != nil {
			return RedemptionBreakdown{}, fmt.Errorf("%w: total of lots: %w", ErrInvalidLots, err)
		}
		if need == 0 && held >= shares {
			need = i + 1
		}
	}
	if shares > held {
		return RedemptionBreakdown{}, fmt.Errorf("%w: redeeming %s of %s held", ErrInsufficientShares, shares, held)
	}
	b := RedemptionBreakdown{TradeDate: tradeDate, NAV: nav, Shares: shares, Lots: make([]LotRedemption, 0, need)}
	left := shares
	var partial Lot // the rest of a lot taken in part
	i := 0
	for ; left > 0; i++ {
		l := lots[i]
		if l.Since > tradeDate {
			return RedemptionBreakdown{}, fmt.Errorf("%w: lot %d starts %s, after the trade date %s", ErrInvalidLots, i, l.Since, tradeDate)
		}
		days, err := DaysBetween(l.Since, tradeDate)
		if err != nil {
			return RedemptionBreakdown{}, err
		}
		take := min(left, l.Shares)
		lr := LotRedemption{Lot: i, Since: l.Since, Days: days, Rate: redemptionRate(tiers, days), Shares: take}
		if lr.Proceeds, err = take.Value(nav, HalfUp); err != nil {
			return RedemptionBreakdown{}, fmt.Errorf("redemption proceeds of lot %d: %w", i, err)
		}
		if lr.Fee, err = lr.Proceeds.MulRate(lr.Rate, HalfUp); err != nil {
			return RedemptionBreakdown{}, fmt.Errorf("redemption fee of lot %d: %w", i, err)
		}
		lr.Net = lr.Proceeds - lr.Fee // 0 ≤ fee ≤ proceeds since rate ≤ 100%
		if b.Proceeds, err = b.Proceeds.Add(lr.Proceeds); err != nil {
			return RedemptionBreakdown{}, fmt.Errorf("redemption proceeds: %w", err)
		}
		b.Fee += lr.Fee // ≤ Proceeds, which fits
		b.Net += lr.Net
		b.Lots = append(b.Lots, lr)
		left -= take
		if take < l.Shares {
			partial = Lot{Shares: l.Shares - take, Since: l.Since}
			i++
			break
		}
	}
	b.Remaining = make([]Lot, 0, len(lots)-i+1)
	if partial.Shares > 0 {
		b.Remaining = append(b.Remaining, partial)
	}
	b.Remaining = append(b.Remaining, lots[i:]...)
	return b, nil
}

// DividendBreakdown is every component of a dividend on one holding.
type DividendBreakdown struct {
	Shares     Shares           `json:"shares"`     // shares held on the record date
	PerShare   DividendPerShare `json:"per_share"`  // declared cash per share
	Cash       Amount           `json:"cash"`       // Shares × PerShare, truncated to the fen
	NAV        NAV              `json:"nav"`        // ex-date NAV; reinvestment only
	Reinvested Shares           `json:"reinvested"` // Cash / NAV by the fund's rule; reinvestment only
	Rounding   Rounding         `json:"rounding"`   // the fund's share rounding rule; reinvestment only
}

// CashDividend computes a cash dividend (现金红利) on a holding:
// cash = shares × perShare, truncated to the fen. Truncation (the TA
// practice) guarantees the sum paid to all holders never exceeds the amount
// declared; the fractions of a fen stay in the fund's assets. Shares may be
// zero; perShare must be positive.
func CashDividend(shares Shares, perShare DividendPerShare) (DividendBreakdown, error) {
	if shares < 0 {
		return DividendBreakdown{}, fmt.Errorf("%w: dividend on %s shares", ErrInvalidShares, shares)
	}
	if perShare <= 0 {
		return DividendBreakdown{}, fmt.Errorf("%w: %s must be positive", ErrInvalidDividend, perShare)
	}
	// shares (10^-2) × perShare (10^-4 CNY) = 10^-6 CNY; fen is 10^-2 CNY.
	cash, err := MulDiv(int64(shares), int64(perShare), 10000, Truncate)
	if err != nil {
		return DividendBreakdown{}, fmt.Errorf("dividend of %s on %s shares: %w", perShare, shares, err)
	}
	return DividendBreakdown{Shares: shares, PerShare: perShare, Cash: Amount(cash)}, nil
}

// ReinvestDividend computes a dividend reinvested in shares (红利再投资): the
// cash of CashDividend buys shares at the ex-date NAV without a fee,
// reinvested = cash / exNAV by the fund's share rounding rule. What the
// rounding leaves of the cash stays in the fund's assets. exNAV must be
// positive.
func ReinvestDividend(shares Shares, perShare DividendPerShare, exNAV NAV, rule Rounding) (DividendBreakdown, error) {
	if exNAV <= 0 {
		return DividendBreakdown{}, fmt.Errorf("%w: ex-date %s must be positive", ErrInvalidNAV, exNAV)
	}
	if !rule.Valid() {
		return DividendBreakdown{}, fmt.Errorf("%w: %d", ErrRounding, rule)
	}
	b, err := CashDividend(shares, perShare)
	if err != nil {
		return DividendBreakdown{}, err
	}
	b.NAV, b.Rounding = exNAV, rule
	if b.Reinvested, err = b.Cash.SharesAt(exNAV, rule); err != nil {
		return DividendBreakdown{}, fmt.Errorf("reinvestment of %s at %s: %w", b.Cash, exNAV, err)
	}
	return b, nil
}
