package fund_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/otcchain/otcchain/fund"
)

// Test helpers: values from their text form, so no expected value is ever a
// float literal.

func amt(t testing.TB, s string) fund.Amount {
	t.Helper()
	v, err := fund.ParseAmount(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func shares(t testing.TB, s string) fund.Shares {
	t.Helper()
	v, err := fund.ParseShares(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func nav(t testing.TB, s string) fund.NAV {
	t.Helper()
	v, err := fund.ParseNAV(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func rate(t testing.TB, s string) fund.Rate {
	t.Helper()
	v, err := fund.ParseRate(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func date(t testing.TB, s string) fund.Date {
	t.Helper()
	v, err := fund.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func rateTier(t testing.TB, upTo, r string) fund.PurchaseTier {
	t.Helper()
	v := rate(t, r)
	tier := fund.PurchaseTier{Rate: &v}
	if upTo != "" {
		tier.UpTo = amt(t, upTo)
	}
	return tier
}

func fixedTier(t testing.TB, upTo, fee string) fund.PurchaseTier {
	t.Helper()
	v := amt(t, fee)
	tier := fund.PurchaseTier{Fixed: &v}
	if upTo != "" {
		tier.UpTo = amt(t, upTo)
	}
	return tier
}

// schedule is a typical equity fund's front-end purchase fees: below 1m
// 1.50%, below 3m 1.00%, below 5m 0.60%, from 5m on 1,000.00 per order.
func schedule(t testing.TB) []fund.PurchaseTier {
	return []fund.PurchaseTier{
		rateTier(t, "1000000.00", "1.50%"),
		rateTier(t, "3000000.00", "1.00%"),
		rateTier(t, "5000000.00", "0.60%"),
		fixedTier(t, "", "1000.00"),
	}
}

func TestPurchase(t *testing.T) {
	cases := []struct {
		name                         string
		amount, nav                  string
		rule                         fund.Rounding
		tier                         int
		fixed                        bool
		rate, fee, net, sharesWanted string
	}{
		// The worked examples.
		{"10,000.00 at 1.50%, NAV 1.2345, truncate", "10000.00", "1.2345", fund.Truncate, 0, false, "1.50%", "147.78", "9852.22", "7980.73"},
		{"6,000,000.00 fixed 1,000.00, NAV 1.2345", "6000000.00", "1.2345", fund.Truncate, 3, true, "0.00%", "1000.00", "5999000.00", "4859457.27"},
		// The same with half-up shares: 7980.7347... rounds up.
		{"10,000.00 half-up shares", "10000.00", "1.2345", fund.HalfUp, 0, false, "1.50%", "147.78", "9852.22", "7980.74"},
		// Tier boundaries: UpTo is exclusive.
		{"just below 1m", "999999.99", "1.0000", fund.Truncate, 0, false, "1.50%", "14778.32", "985221.67", "985221.67"},
		{"exactly 1m", "1000000.00", "1.0000", fund.Truncate, 1, false, "1.00%", "9900.99", "990099.01", "990099.01"},
		{"exactly 3m", "3000000.00", "1.2345", fund.Truncate, 2, false, "0.60%", "17892.64", "2982107.36", "2415639.82"},
		{"exactly 5m", "5000000.00", "1.2345", fund.Truncate, 3, true, "0.00%", "1000.00", "4999000.00", "4049412.71"},
		// The smallest amount: 0.01 / 1.015 = 0.00985 rounds half-up to 0.01.
		{"one fen", "0.01", "1.2345", fund.Truncate, 0, false, "1.50%", "0.00", "0.01", "0.00"},
		// Half-up on the net: 0.67 / 1.015 = 0.6600985... -> 0.66; 1.35 / 1.015 = 1.3300492... -> 1.33.
		{"0.67", "0.67", "1.0000", fund.Truncate, 0, false, "1.50%", "0.01", "0.66", "0.66"},
		{"1.35", "1.35", "1.0000", fund.Truncate, 0, false, "1.50%", "0.02", "1.33", "1.33"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := fund.Purchase(amt(t, c.amount), schedule(t), nav(t, c.nav), c.rule)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{b.Amount.String(), b.Rate.String(), b.Fee.String(), b.Net.String(), b.NAV.String(), b.Shares.String()}
			want := []string{c.amount, c.rate, c.fee, c.net, c.nav, c.sharesWanted}
			if !reflect.DeepEqual(got, want) || b.Tier != c.tier || b.Fixed != c.fixed || b.Rounding != c.rule {
				t.Fatalf("got %v tier %d fixed %v %s\nwant %v tier %d fixed %v", got, b.Tier, b.Fixed, b.Rounding, want, c.tier, c.fixed)
			}
		})
	}
}

func TestPurchaseFixedFeeCapped(t *testing.T) {
	tiers := []fund.PurchaseTier{fixedTier(t, "", "1000.00")}
	b, err := fund.Purchase(amt(t, "600.00"), tiers, nav(t, "1.0000"), fund.Truncate)
	if err != nil {
		t.Fatal(err)
	}
	if b.Fee.String() != "600.00" || b.Net != 0 || b.Shares != 0 {
		t.Fatalf("fixed fee above the amount: %+v", b)
	}
}

func TestSubscribe(t *testing.T) {
	tiers := []fund.PurchaseTier{rateTier(t, "1000000.00", "1.20%"), fixedTier(t, "", "1000.00")}
	b, err := fund.Subscribe(amt(t, "10000.00"), tiers, fund.Truncate)
	if err != nil {
		t.Fatal(err)
	}
	// 10000.00 / 1.012 = 9881.4229... -> 9881.42; at par the shares are the net.
	if b.Net.String() != "9881.42" || b.Fee.String() != "118.58" || b.NAV.String() != "1.0000" || b.Shares.String() != "9881.42" {
		t.Fatalf("subscription: %+v", b)
	}
}

func TestPurchaseErrors(t *testing.T) {
	good := schedule(t)
	cases := []struct {
		name   string
		amount fund.Amount
		tiers  []fund.PurchaseTier
		nav    fund.NAV
		rule   fund.Rounding
		err    error
	}{
		{"zero amount", 0, good, 12345, fund.Truncate, fund.ErrInvalidAmount},
		{"negative amount", -1, good, 12345, fund.Truncate, fund.ErrInvalidAmount},
		{"zero NAV", 100, good, 0, fund.Truncate, fund.ErrInvalidNAV},
		{"negative NAV", 100, good, -1, fund.Truncate, fund.ErrInvalidNAV},
		{"no rounding rule", 100, good, 12345, 0, fund.ErrRounding},
		{"no tiers", 100, nil, 12345, fund.Truncate, fund.ErrInvalidTiers},
		{"shares overflow", math.MaxInt64, []fund.PurchaseTier{rateTier(t, "", "0%")}, 1, fund.Truncate, fund.ErrOverflow},
	}
	for _, c := range cases {
		if b, err := fund.Purchase(c.amount, c.tiers, c.nav, c.rule); !errors.Is(err, c.err) {
			t.Errorf("%s: %+v, %v; want %v", c.name, b, err, c.err)
		}
	}
}

func TestValidatePurchaseTiers(t *testing.T) {
	r := rate(t, "1.50%")
	f := amt(t, "1000.00")
	over := rate(t, "100.01%")
	neg := fund.Rate(-1)
	negFee := fund.Amount(-1)
	cases := []struct {
		name  string
		tiers []fund.PurchaseTier
		ok    bool
	}{
		{"typical", schedule(t), true},
		{"one unbounded rate", []fund.PurchaseTier{{Rate: &r}}, true},
		{"fixed below a rate", []fund.PurchaseTier{{UpTo: 100, Fixed: &f}, {Rate: &r}}, true},
		{"empty", nil, false},
		{"too many", make([]fund.PurchaseTier, fund.MaxTiers+1), false},
		{"last bounded", []fund.PurchaseTier{{UpTo: 100, Rate: &r}}, false},
		{"middle unbounded", []fund.PurchaseTier{{Rate: &r}, {Rate: &r}}, false},
		{"not ascending", []fund.PurchaseTier{{UpTo: 200, Rate: &r}, {UpTo: 100, Rate: &r}, {Rate: &r}}, false},
		{"equal bounds", []fund.PurchaseTier{{UpTo: 100, Rate: &r}, {UpTo: 100, Rate: &r}, {Rate: &r}}, false},
		{"negative bound", []fund.PurchaseTier{{UpTo: -100, Rate: &r}, {Rate: &r}}, false},
		{"both rate and fixed", []fund.PurchaseTier{{Rate: &r, Fixed: &f}}, false},
		{"neither", []fund.PurchaseTier{{}}, false},
		{"rate above 100%", []fund.PurchaseTier{{Rate: &over}}, false},
		{"negative rate", []fund.PurchaseTier{{Rate: &neg}}, false},
		{"negative fixed fee", []fund.PurchaseTier{{Fixed: &negFee}}, false},
	}
	for _, c := range cases {
		err := fund.ValidatePurchaseTiers(c.tiers)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, fund.ErrInvalidTiers)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestTiersJSON(t *testing.T) {
	b, err := json.Marshal(schedule(t))
	if err != nil {
		t.Fatal(err)
	}
	const want = `[{"up_to":"1000000.00","rate":"1.50%"},{"up_to":"3000000.00","rate":"1.00%"},` +
		`{"up_to":"5000000.00","rate":"0.60%"},{"fixed":"1000.00"}]`
	if string(b) != want {
		t.Fatalf("purchase tiers:\n got %s\nwant %s", b, want)
	}
	var back []fund.PurchaseTier
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, schedule(t)) {
		t.Fatalf("purchase tiers back: %+v %v", back, err)
	}
	b, err = json.Marshal(redemptionSchedule(t)[:2])
	if err != nil || string(b) != `[{"min_days":0,"rate":"1.50%"},{"min_days":7,"rate":"0.75%"}]` {
		t.Fatalf("redemption tiers: %s %v", b, err)
	}
}

// redemptionSchedule: below 7 days 1.50%, below 30 days 0.75%, below 1 year
// 0.50%, below 2 years 0.25%, then free.
func redemptionSchedule(t testing.TB) []fund.RedemptionTier {
	return []fund.RedemptionTier{
		{MinDays: 0, Rate: rate(t, "1.50%")},
		{MinDays: 7, Rate: rate(t, "0.75%")},
		{MinDays: 30, Rate: rate(t, "0.50%")},
		{MinDays: 365, Rate: rate(t, "0.25%")},
		{MinDays: 730, Rate: rate(t, "0%")},
	}
}

func TestRedeemWorkedExample(t *testing.T) {
	lots := []fund.Lot{{Shares: shares(t, "5000.00"), Since: date(t, "2025-03-03")}}
	b, err := fund.Redeem(lots, shares(t, "5000.00"), date(t, "2025-03-08"), nav(t, "1.3000"), redemptionSchedule(t))
	if err != nil {
		t.Fatal(err)
	}
	if b.Proceeds.String() != "6500.00" || b.Fee.String() != "97.50" || b.Net.String() != "6402.50" || b.Shares.String() != "5000.00" {
		t.Fatalf("totals: %+v", b)
	}
	want := fund.LotRedemption{Lot: 0, Since: date(t, "2025-03-03"), Days: 5, Rate: rate(t, "1.50%"),
		Shares: shares(t, "5000.00"), Proceeds: amt(t, "6500.00"), Fee: amt(t, "97.50"), Net: amt(t, "6402.50")}
	if len(b.Lots) != 1 || b.Lots[0] != want || len(b.Remaining) != 0 {
		t.Fatalf("lots: %+v remaining %+v", b.Lots, b.Remaining)
	}
}

func TestRedeemFIFO(t *testing.T) {
	trade := date(t, "2025-06-30")
	lots := []fund.Lot{
		{Shares: shares(t, "1000.00"), Since: date(t, "2023-06-01")}, // 760 days: 0%
		{Shares: shares(t, "2000.00"), Since: date(t, "2024-07-01")}, // 364 days: 0.50%
		{Shares: shares(t, "3000.00"), Since: date(t, "2024-06-30")}, // out of order
	}
	if _, err := fund.Redeem(lots, 100, trade, 10000, redemptionSchedule(t)); !errors.Is(err, fund.ErrInvalidLots) {
		t.Fatalf("lots out of order: %v", err)
	}
	lots = []fund.Lot{
		{Shares: shares(t, "1000.00"), Since: date(t, "2023-06-01")}, // 760 days: 0%
		{Shares: shares(t, "2000.00"), Since: date(t, "2024-07-01")}, // 364 days: 0.50%
		{Shares: shares(t, "3000.00"), Since: date(t, "2025-06-01")}, // 29 days: 0.75%
		{Shares: shares(t, "4000.00"), Since: date(t, "2025-06-24")}, // 6 days: 1.50%
		{Shares: shares(t, "5000.00"), Since: date(t, "2025-07-01")}, // after T, not reached
	}
	in := append([]fund.Lot(nil), lots...)
	b, err := fund.Redeem(lots, shares(t, "7333.33"), trade, nav(t, "1.2345"), redemptionSchedule(t))
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ days, rate, shares, proceeds, fee, net string }
	var got []row
	for _, l := range b.Lots {
		got = append(got, row{itoa(l.Days), l.Rate.String(), l.Shares.String(), l.Proceeds.String(), l.Fee.String(), l.Net.String()})
	}
	want := []row{
		{"760", "0.00%", "1000.00", "1234.50", "0.00", "1234.50"},
		{"364", "0.50%", "2000.00", "2469.00", "12.35", "2456.65"}, // 12.345 -> 12.35
		{"29", "0.75%", "3000.00", "3703.50", "27.78", "3675.72"},  // 27.77625 -> 27.78
		{"6", "1.50%", "1333.33", "1646.00", "24.69", "1621.31"},   // 1645.995885 -> 1646.00; 24.69 exactly
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("lots:\n got %v\nwant %v", got, want)
	}
	if b.Shares.String() != "7333.33" || b.Proceeds.String() != "9053.00" || b.Fee.String() != "64.82" || b.Net.String() != "8988.18" {
		t.Fatalf("totals: %s %s %s %s", b.Shares, b.Proceeds, b.Fee, b.Net)
	}
	wantRemaining := []fund.Lot{
		{Shares: shares(t, "2666.67"), Since: date(t, "2025-06-24")},
		{Shares: shares(t, "5000.00"), Since: date(t, "2025-07-01")},
	}
	if !reflect.DeepEqual(b.Remaining, wantRemaining) {
		t.Fatalf("remaining: %+v", b.Remaining)
	}
	if !reflect.DeepEqual(lots, in) {
		t.Fatal("Redeem changed its input")
	}
	// Reaching the lot that starts after the trade date is an error.
	if _, err := fund.Redeem(lots, shares(t, "10000.01"), trade, nav(t, "1.2345"), redemptionSchedule(t)); !errors.Is(err, fund.ErrInvalidLots) {
		t.Fatalf("lot after the trade date: %v", err)
	}
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func TestRedeemExactLotBoundary(t *testing.T) {
	lots := []fund.Lot{{Shares: 100, Since: 20250101}, {Shares: 200, Since: 20250102}}
	b, err := fund.Redeem(lots, 100, 20250301, 10000, redemptionSchedule(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Lots) != 1 || !reflect.DeepEqual(b.Remaining, lots[1:]) {
		t.Fatalf("%+v", b)
	}
	b, err = fund.Redeem(lots, 300, 20250301, 10000, redemptionSchedule(t))
	if err != nil || len(b.Lots) != 2 || len(b.Remaining) != 0 {
		t.Fatalf("all: %+v %v", b, err)
	}
}

func TestRedeemErrors(t *testing.T) {
	tiers := redemptionSchedule(t)
	lots := []fund.Lot{{Shares: 100, Since: 20250101}}
	cases := []struct {
		name   string
		lots   []fund.Lot
		shares fund.Shares
		trade  fund.Date
		nav    fund.NAV
		tiers  []fund.RedemptionTier
		err    error
	}{
		{"zero shares", lots, 0, 20250301, 10000, tiers, fund.ErrInvalidShares},
		{"negative shares", lots, -1, 20250301, 10000, tiers, fund.ErrInvalidShares},
		{"more than held", lots, 101, 20250301, 10000, tiers, fund.ErrInsufficientShares},
		{"no lots", nil, 1, 20250301, 10000, tiers, fund.ErrInsufficientShares},
		{"zero NAV", lots, 1, 20250301, 0, tiers, fund.ErrInvalidNAV},
		{"bad trade date", lots, 1, 20250230, 10000, tiers, fund.ErrInvalidDate},
		{"empty lot", []fund.Lot{{Shares: 0, Since: 20250101}}, 1, 20250301, 10000, tiers, fund.ErrInvalidLots},
		{"bad lot date", []fund.Lot{{Shares: 1, Since: 0}}, 1, 20250301, 10000, tiers, fund.ErrInvalidLots},
		{"lot after trade date", lots, 1, 20241231, 10000, tiers, fund.ErrInvalidLots},
		{"lots overflow", []fund.Lot{{math.MaxInt64, 20250101}, {1, 20250101}}, 1, 20250301, 10000, tiers, fund.ErrOverflow},
		{"no tiers", lots, 1, 20250301, 10000, nil, fund.ErrInvalidTiers},
		{"proceeds overflow", []fund.Lot{{math.MaxInt64, 20250101}}, math.MaxInt64, 20250301, math.MaxInt64, tiers, fund.ErrOverflow},
		{"total overflow", []fund.Lot{{math.MaxInt64 / 2, 20250101}, {math.MaxInt64 / 2, 20250101}}, math.MaxInt64 - 1, 20250301, 10001, tiers, fund.ErrOverflow},
	}
	for _, c := range cases {
		if b, err := fund.Redeem(c.lots, c.shares, c.trade, c.nav, c.tiers); !errors.Is(err, c.err) {
			t.Errorf("%s: %+v, %v; want %v", c.name, b, err, c.err)
		}
	}
}

func TestValidateRedemptionTiers(t *testing.T) {
	cases := []struct {
		name  string
		tiers []fund.RedemptionTier
		err   error
	}{
		{"typical", redemptionSchedule(t), nil},
		{"flat 1.50%", []fund.RedemptionTier{{0, 15000}}, nil},
		{"short tier at exactly 1.50%, then free", []fund.RedemptionTier{{0, 15000}, {7, 0}}, nil},
		{"two short tiers", []fund.RedemptionTier{{0, 20000}, {3, 15000}, {7, 5000}}, nil},
		{"empty", nil, fund.ErrInvalidTiers},
		{"too many", make([]fund.RedemptionTier, fund.MaxTiers+1), fund.ErrInvalidTiers},
		{"not from 0", []fund.RedemptionTier{{1, 15000}}, fund.ErrInvalidTiers},
		{"not ascending", []fund.RedemptionTier{{0, 15000}, {30, 5000}, {7, 7500}}, fund.ErrInvalidTiers},
		{"duplicate", []fund.RedemptionTier{{0, 15000}, {7, 5000}, {7, 7500}}, fund.ErrInvalidTiers},
		{"above 100%", []fund.RedemptionTier{{0, 1000001}}, fund.ErrInvalidTiers},
		{"negative", []fund.RedemptionTier{{0, 15000}, {7, -1}}, fund.ErrInvalidTiers},
		{"huge min days", []fund.RedemptionTier{{0, 15000}, {math.MaxInt32 * 2, 0}}, fund.ErrInvalidTiers},
		// China's 7-day rule.
		{"under 7 days at 1.49%", []fund.RedemptionTier{{0, 14900}, {7, 5000}}, fund.ErrShortTermFee},
		{"flat 0.50%", []fund.RedemptionTier{{0, 5000}}, fund.ErrShortTermFee},
		{"second short tier cheap", []fund.RedemptionTier{{0, 15000}, {6, 10000}, {7, 5000}}, fund.ErrShortTermFee},
		{"first tier ends at 3 days", []fund.RedemptionTier{{0, 15000}, {3, 0}}, fund.ErrShortTermFee},
	}
	for _, c := range cases {
		err := fund.ValidateRedemptionTiers(c.tiers)
		if (c.err == nil) != (err == nil) || (c.err != nil && !errors.Is(err, c.err)) {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
}

func TestRedemptionTierBoundaries(t *testing.T) {
	trade := date(t, "2025-12-31")
	cases := []struct {
		since, rate string
	}{
		{"2025-12-31", "1.50%"}, // 0 days
		{"2025-12-25", "1.50%"}, // 6 days
		{"2025-12-24", "0.75%"}, // 7 days
		{"2025-12-02", "0.75%"}, // 29 days
		{"2025-12-01", "0.50%"}, // 30 days
		{"2024-12-31", "0.25%"}, // 365 days
		{"2024-01-01", "0%"},    // 730 days (2024 is a leap year)
	}
	for _, c := range cases {
		lots := []fund.Lot{{Shares: 100, Since: date(t, c.since)}}
		b, err := fund.Redeem(lots, 100, trade, 10000, redemptionSchedule(t))
		if err != nil {
			t.Fatal(err)
		}
		if b.Lots[0].Rate != rate(t, c.rate) {
			t.Errorf("since %s (%d days): rate %s, want %s", c.since, b.Lots[0].Days, b.Lots[0].Rate, c.rate)
		}
	}
}

func TestDividend(t *testing.T) {
	per, err := fund.ParseDividendPerShare("0.0250") // 0.25 per 10 shares
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		shares, cash string
	}{
		{"10000.00", "250.00"},
		{"7980.73", "199.51"}, // 199.51825 truncated
		{"0.39", "0.00"},      // 0.00975 truncated
		{"0.40", "0.01"},
		{"0.00", "0.00"},
	}
	for _, c := range cases {
		b, err := fund.CashDividend(shares(t, c.shares), per)
		if err != nil || b.Cash.String() != c.cash || b.Reinvested != 0 || b.NAV != 0 {
			t.Errorf("cash dividend on %s: %+v %v, want %s", c.shares, b, err, c.cash)
		}
	}
	b, err := fund.ReinvestDividend(shares(t, "7980.73"), per, nav(t, "1.2100"), fund.Truncate)
	if err != nil {
		t.Fatal(err)
	}
	// 199.51 / 1.2100 = 164.884...
	if b.Cash.String() != "199.51" || b.Reinvested.String() != "164.88" || b.NAV.String() != "1.2100" || b.Rounding != fund.Truncate {
		t.Fatalf("reinvested: %+v", b)
	}
	b, err = fund.ReinvestDividend(shares(t, "7980.73"), per, nav(t, "1.0300"), fund.HalfUp)
	if err != nil || b.Reinvested.String() != "193.70" { // 193.6990...
		t.Fatalf("reinvested half-up: %+v %v", b, err)
	}
	for _, bad := range []struct {
		name string
		err  error
		f    func() error
	}{
		{"negative shares", fund.ErrInvalidShares, func() error { _, err := fund.CashDividend(-1, per); return err }},
		{"zero per share", fund.ErrInvalidDividend, func() error { _, err := fund.CashDividend(1, 0); return err }},
		{"overflow", fund.ErrOverflow, func() error { _, err := fund.CashDividend(math.MaxInt64, math.MaxInt64); return err }},
		{"zero NAV", fund.ErrInvalidNAV, func() error { _, err := fund.ReinvestDividend(1, per, 0, fund.Truncate); return err }},
		{"no rule", fund.ErrRounding, func() error { _, err := fund.ReinvestDividend(1, per, 10000, 0); return err }},
		{"reinvest overflow", fund.ErrOverflow, func() error {
			_, err := fund.ReinvestDividend(math.MaxInt64, 10000, 1, fund.Truncate)
			return err
		}},
	} {
		if err := bad.f(); !errors.Is(err, bad.err) {
			t.Errorf("%s: %v, want %v", bad.name, err, bad.err)
		}
	}
}

// Property tests: random inputs from a seeded generator, checked against
// exact arithmetic in math/big.

func TestPurchaseProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 100000 {
		amount := fund.Amount(1 + rng.Int64N(1<<rng.IntN(63)))
		r := fund.Rate(rng.Int64N(int64(fund.HundredPercent) + 1))
		n := fund.NAV(1 + rng.Int64N(1<<rng.IntN(40)))
		tier := fund.PurchaseTier{Rate: &r}
		if rng.IntN(4) == 0 {
			f := fund.Amount(rng.Int64N(1 << rng.IntN(63)))
			tier = fund.PurchaseTier{Fixed: &f}
		}
		rule := fund.Truncate
		if i%2 == 1 {
			rule = fund.HalfUp
		}
		b, err := fund.Purchase(amount, []fund.PurchaseTier{tier}, n, rule)
		if errors.Is(err, fund.ErrOverflow) {
			// Only the shares can overflow: net × 10^4 / NAV beyond int64.
			q := new(big.Int).Mul(big.NewInt(int64(amount)), big.NewInt(10000))
			if q.Div(q, big.NewInt(int64(n))).IsInt64() && rule == fund.Truncate {
				t.Fatalf("overflow for %s at %s: %v", amount, n, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if b.Fee < 0 || b.Net < 0 || b.Fee+b.Net != amount {
			t.Fatalf("fee %s + net %s != amount %s", b.Fee, b.Net, amount)
		}
		if tier.Rate != nil {
			// net is amount / (1 + rate) to within half a fen:
			// |net·(10^6 + rate) − amount·10^6| ≤ (10^6 + rate) / 2.
			d := new(big.Int).Mul(big.NewInt(int64(b.Net)), big.NewInt(int64(fund.HundredPercent+r)))
			d.Sub(d, new(big.Int).Mul(big.NewInt(int64(amount)), big.NewInt(int64(fund.HundredPercent))))
			d.Abs(d).Lsh(d, 1)
			if d.Cmp(big.NewInt(int64(fund.HundredPercent+r))) > 0 {
				t.Fatalf("net %s of %s at %s is not the half-up quotient", b.Net, amount, r)
			}
		}
		// shares·NAV against net·10^4, exactly.
		got := new(big.Int).Mul(big.NewInt(int64(b.Shares)), big.NewInt(int64(n)))
		exact := new(big.Int).Mul(big.NewInt(int64(b.Net)), big.NewInt(10000))
		diff := new(big.Int).Sub(exact, got)
		switch rule {
		case fund.Truncate: // 0 ≤ exact − shares·NAV < NAV: never above the quotient
			if diff.Sign() < 0 || diff.Cmp(big.NewInt(int64(n))) >= 0 {
				t.Fatalf("truncate: %s shares for %s at %s", b.Shares, b.Net, n)
			}
		case fund.HalfUp: // |exact − shares·NAV| ≤ NAV/2
			if diff.Abs(diff).Lsh(diff, 1).Cmp(big.NewInt(int64(n))) > 0 {
				t.Fatalf("half-up: %s shares for %s at %s", b.Shares, b.Net, n)
			}
		}
	}
}

func TestRedeemProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tiers := redemptionSchedule(t)
	trade := date(t, "2025-06-30")
	for range 20000 {
		lots := make([]fund.Lot, 1+rng.IntN(12))
		since := date(t, "2022-01-01")
		var held fund.Shares
		for i := range lots {
			var err error
			if since, err = since.AddDays(rng.IntN(200)); err != nil || since > trade {
				since = trade
			}
			lots[i] = fund.Lot{Shares: fund.Shares(1 + rng.Int64N(1<<rng.IntN(45))), Since: since}
			held += lots[i].Shares
		}
		want := fund.Shares(1 + rng.Int64N(int64(held)))
		n := fund.NAV(1 + rng.Int64N(100000))
		b, err := fund.Redeem(lots, want, trade, n, tiers)
		if err != nil {
			t.Fatal(err)
		}
		var sh fund.Shares
		var proceeds, fee, net fund.Amount
		for _, l := range b.Lots {
			if l.Fee+l.Net != l.Proceeds || l.Fee < 0 || l.Net < 0 {
				t.Fatalf("lot %+v: fee + net != proceeds", l)
			}
			sh += l.Shares
			proceeds += l.Proceeds
			fee += l.Fee
			net += l.Net
		}
		if sh != want || b.Shares != want || b.Proceeds != proceeds || b.Fee != fee || b.Net != net || b.Fee+b.Net != b.Proceeds {
			t.Fatalf("totals %+v are not the sum of the lots", b)
		}
		var left fund.Shares
		for _, l := range b.Remaining {
			left += l.Shares
		}
		if left+want != held {
			t.Fatalf("remaining %s + redeemed %s != held %s", left, want, held)
		}
	}
}

// TestNoOverflowPanics drives every calculation with the int64 limits: each
// must return a result or an error, never panic or wrap.
func TestNoOverflowPanics(t *testing.T) {
	edges := []int64{0, 1, 2, 9999, 10000, 10001, 1000000, math.MaxInt64 / 10000, math.MaxInt64 / 2, math.MaxInt64 - 1, math.MaxInt64, -1, math.MinInt64}
	rules := []fund.Rounding{0, fund.Truncate, fund.HalfUp}
	for _, a := range edges {
		for _, b := range edges {
			for _, c := range edges {
				for _, rule := range rules {
					r := fund.Rate(c)
					f := fund.Amount(c)
					_, _ = fund.Purchase(fund.Amount(a), []fund.PurchaseTier{{Rate: &r}}, fund.NAV(b), rule)
					if p, err := fund.Purchase(fund.Amount(a), []fund.PurchaseTier{{Fixed: &f}}, fund.NAV(b), rule); err == nil && p.Fee+p.Net != p.Amount {
						t.Fatalf("fixed purchase %d %d %d: %+v", a, b, c, p)
					}
					_, _ = fund.Subscribe(fund.Amount(a), []fund.PurchaseTier{{Rate: &r}}, rule)
					lots := []fund.Lot{{Shares: fund.Shares(a), Since: 20250101}, {Shares: fund.Shares(b), Since: 20250102}}
					_, _ = fund.Redeem(lots, fund.Shares(c), 20250110, fund.NAV(b), []fund.RedemptionTier{{0, fund.Rate(c)}})
					_, _ = fund.CashDividend(fund.Shares(a), fund.DividendPerShare(b))
					_, _ = fund.ReinvestDividend(fund.Shares(a), fund.DividendPerShare(b), fund.NAV(c), rule)
					_, _ = fund.MulDiv(a, b, c, rule)
				}
			}
		}
	}
	// The largest purchase: MaxInt64 fen at par with no fee buys exactly
	// MaxInt64 units of shares (the product needs the 128-bit intermediate).
	zero := fund.Rate(0)
	p, err := fund.Purchase(math.MaxInt64, []fund.PurchaseTier{{Rate: &zero}}, fund.Par, fund.Truncate)
	if err != nil || p.Net != math.MaxInt64 || p.Shares != math.MaxInt64 {
		t.Fatalf("max purchase at par: %+v %v", p, err)
	}
}

func BenchmarkPurchase(b *testing.B) {
	tiers := schedule(b)
	amount, n := amt(b, "10000.00"), nav(b, "1.2345")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fund.Purchase(amount, tiers, n, fund.Truncate); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedeem10Lots(b *testing.B) {
	tiers := redemptionSchedule(b)
	lots := make([]fund.Lot, 10)
	since := date(b, "2024-01-02")
	for i := range lots {
		lots[i] = fund.Lot{Shares: shares(b, "1000.00"), Since: since}
		since, _ = since.AddDays(60)
	}
	want := shares(b, "9500.00") // all ten lots, the last in part
	n := nav(b, "1.2345")
	trade := date(b, "2025-06-30")
	b.ReportAllocs()
	for b.Loop() {
		r, err := fund.Redeem(lots, want, trade, n, tiers)
		if err != nil || len(r.Lots) != 10 {
			b.Fatal(r, err)
		}
	}
}
