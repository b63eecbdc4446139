package fund_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/fund"
)

func TestParseAmount(t *testing.T) {
	cases := []struct {
		in   string
		want fund.Amount
		err  error
	}{
		{"10000.00", 1000000, nil},
		{"10000", 1000000, nil},
		{"10000.5", 1000050, nil},
		{"0", 0, nil},
		{"0.01", 1, nil},
		{"0.1", 10, nil},
		{"92233720368547758.07", math.MaxInt64, nil},
		{"92233720368547758.08", 0, fund.ErrOverflow},
		{"92233720368547759", 0, fund.ErrOverflow},
		{"99999999999999999999999999", 0, fund.ErrOverflow},
		{"10000.505", 0, fund.ErrPrecision},
		{"1.000", 0, fund.ErrPrecision}, // even zeros beyond the scale
		{"-1.00", 0, fund.ErrNegative},
		{"-0", 0, fund.ErrNegative},
		{"--1", 0, fund.ErrSyntax},
		{"", 0, fund.ErrSyntax},
		{"+1", 0, fund.ErrSyntax},
		{"1.", 0, fund.ErrSyntax},
		{".5", 0, fund.ErrSyntax},
		{"01.00", 0, fund.ErrSyntax},
		{"00", 0, fund.ErrSyntax},
		{"1e3", 0, fund.ErrSyntax},
		{"10,000.00", 0, fund.ErrSyntax},
		{" 1", 0, fund.ErrSyntax},
		{"1 ", 0, fund.ErrSyntax},
		{"1.2.3", 0, fund.ErrSyntax},
		{"1.-2", 0, fund.ErrSyntax},
		{"１", 0, fund.ErrSyntax}, // full-width digit
		{"1.50%", 0, fund.ErrSyntax},
	}
	for _, c := range cases {
		got, err := fund.ParseAmount(c.in)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("ParseAmount(%q) = %v, %v; want error %v", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

func TestParseOtherTypes(t *testing.T) {
	nav, err := fund.ParseNAV("1.2345")
	if err != nil || nav != 12345 || nav.String() != "1.2345" {
		t.Errorf("NAV 1.2345: %d %v", nav, err)
	}
	if _, err := fund.ParseNAV("1.23456"); !errors.Is(err, fund.ErrPrecision) {
		t.Errorf("NAV with 5 decimals: %v", err)
	}
	if s, err := fund.ParseShares("7980.73"); err != nil || s != 798073 || s.String() != "7980.73" {
		t.Errorf("shares 7980.73: %d %v", s, err)
	}
	if _, err := fund.ParseShares("0.001"); !errors.Is(err, fund.ErrPrecision) {
		t.Errorf("shares with 3 decimals: %v", err)
	}
	if d, err := fund.ParseDividendPerShare("0.025"); err != nil || d != 250 || d.String() != "0.0250" {
		t.Errorf("dividend 0.025: %d %v", d, err)
	}
	if _, err := fund.ParseDividendPerShare("-0.0250"); !errors.Is(err, fund.ErrNegative) {
		t.Errorf("negative dividend: %v", err)
	}
}

func TestParseRate(t *testing.T) {
	cases := []struct {
		in    string
		want  fund.Rate
		canon string
		err   error
	}{
		{"1.50%", 15000, "1.50%", nil},
		{"1.5%", 15000, "1.50%", nil},
		{"0%", 0, "0.00%", nil},
		{"0.0375%", 375, "0.0375%", nil},
		{"0.125%", 1250, "0.125%", nil},
		{"100%", 1000000, "100.00%", nil},
		{"0.0001%", 1, "0.0001%", nil},
		{"250.10%", 2501000, "250.10%", nil}, // parses; fee schedules refuse > 100%
		{"1.50", 0, "", fund.ErrSyntax},      // the % is mandatory
		{"0.015", 0, "", fund.ErrSyntax},
		{"%", 0, "", fund.ErrSyntax},
		{"1.5%%", 0, "", fund.ErrSyntax},
		{"1.50 %", 0, "", fund.ErrSyntax},
		{"1.00001%", 0, "", fund.ErrPrecision},
		{"-1.50%", 0, "", fund.ErrNegative},
		{"922337203685477.5808%", 0, "", fund.ErrOverflow},
	}
	for _, c := range cases {
		got, err := fund.ParseRate(c.in)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("ParseRate(%q) = %v, %v; want error %v", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want || got.String() != c.canon {
			t.Errorf("ParseRate(%q) = %d (%s), %v; want %d (%s)", c.in, got, got, err, c.want, c.canon)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{fund.Amount(0).String(), "0.00"},
		{fund.Amount(5).String(), "0.05"},
		{fund.Amount(985222).String(), "9852.22"},
		{fund.Amount(-14778).String(), "-147.78"},
		{fund.Amount(math.MaxInt64).String(), "92233720368547758.07"},
		{fund.Amount(math.MinInt64).String(), "-92233720368547758.08"},
		{fund.Shares(485945727).String(), "4859457.27"},
		{fund.NAV(10000).String(), "1.0000"},
		{fund.NAV(1).String(), "0.0001"},
		{fund.Rate(15000).String(), "1.50%"},
		{fund.Rate(15500).String(), "1.55%"},
		{fund.Rate(15550).String(), "1.555%"},
		{fund.Rate(-15000).String(), "-1.50%"},
		{fund.DividendPerShare(1).String(), "0.0001"},
		{fund.Truncate.String(), "truncate"},
		{fund.HalfUp.String(), "half_up"},
		{fund.Rounding(0).String(), "Rounding(0)"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestJSON(t *testing.T) {
	type doc struct {
		Amount   fund.Amount           `json:"amount"`
		Shares   fund.Shares           `json:"shares"`
		NAV      fund.NAV              `json:"nav"`
		Rate     fund.Rate             `json:"rate"`
		PerShare fund.DividendPerShare `json:"per_share"`
		Rounding fund.Rounding         `json:"rounding"`
		Date     fund.Date             `json:"date"`
	}
	in := doc{1000000, 798073, 12345, 15000, 250, fund.Truncate, 20250102}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"amount":"10000.00","shares":"7980.73","nav":"1.2345","rate":"1.50%","per_share":"0.0250","rounding":"truncate","date":"2025-01-02"}`
	if string(b) != want {
		t.Fatalf("marshal:\n got %s\nwant %s", b, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("unmarshal: %+v %v", out, err)
	}
	for _, bad := range []string{
		`{"amount":1000000}`, // a JSON number is refused: the scale would be a guess
		`{"amount":"1.001"}`,
		`{"rate":"1.5"}`,
		`{"nav":"-1.0000"}`,
		`{"rounding":"nearest"}`,
		`{"date":"2025-02-30"}`,
	} {
		var d doc
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("unmarshal %s: no error", bad)
		}
	}
	for _, v := range []any{fund.Amount(-1), fund.Shares(-1), fund.NAV(-1), fund.Rate(-1), fund.DividendPerShare(-1), fund.Rounding(0), fund.Date(20250230)} {
		if _, err := json.Marshal(v); err == nil {
			t.Errorf("marshal %T(%d): no error", v, v)
		}
	}
}

func TestMulDiv(t *testing.T) {
	const max, min = math.MaxInt64, math.MinInt64
	cases := []struct {
		a, b, c int64
		r       fund.Rounding
		want    int64
		err     error
	}{
		{7, 1, 2, fund.Truncate, 3, nil},
		{7, 1, 2, fund.HalfUp, 4, nil},
		{5, 1, 3, fund.HalfUp, 2, nil},
		{4, 1, 3, fund.HalfUp, 1, nil},
		{-7, 1, 2, fund.Truncate, -3, nil}, // toward zero
		{-7, 1, 2, fund.HalfUp, -4, nil},   // ties away from zero
		{7, -1, -2, fund.HalfUp, 4, nil},
		{0, max, 1, fund.HalfUp, 0, nil},
		{max, max, max, fund.Truncate, max, nil}, // 126-bit intermediate
		{max, 2, 2, fund.HalfUp, max, nil},
		{max, 1, 1, fund.HalfUp, max, nil},
		{min, 1, 1, fund.Truncate, min, nil},
		{min, -1, 1, fund.Truncate, 0, fund.ErrOverflow},
		{max, 2, 1, fund.Truncate, 0, fund.ErrOverflow},
		{max, max, 1, fund.Truncate, 0, fund.ErrOverflow},
		{max, 3, 2, fund.Truncate, 0, fund.ErrOverflow},
		{max, 2, 1, fund.HalfUp, 0, fund.ErrOverflow},
		{1, 1, 0, fund.Truncate, 0, fund.ErrDivideByZero},
		{1, 1, 1, fund.Rounding(0), 0, fund.ErrRounding},
		{1, 1, 1, fund.Rounding(3), 0, fund.ErrRounding},
	}
	for _, c := range cases {
		got, err := fund.MulDiv(c.a, c.b, c.c, c.r)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("MulDiv(%d,%d,%d,%s) = %d, %v; want %v", c.a, c.b, c.c, c.r, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("MulDiv(%d,%d,%d,%s) = %d, %v; want %d", c.a, c.b, c.c, c.r, got, err, c.want)
		}
	}
	// 65535 × 281479271743489 = 2^64 − 1, so over 2 the quotient is
	// MaxInt64 + ½: half-up leaves int64, except on the negative side where
	// −2^63 still fits.
	const a, b = 65535, 281479271743489
	if v, err := fund.MulDiv(a, b, 2, fund.Truncate); err != nil || v != max {
		t.Errorf("(2^64-1)/2 truncated: %d %v", v, err)
	}
	if _, err := fund.MulDiv(a, b, 2, fund.HalfUp); !errors.Is(err, fund.ErrOverflow) {
		t.Errorf("(2^64-1)/2 half-up: %v", err)
	}
	if v, err := fund.MulDiv(-a, b, 2, fund.HalfUp); err != nil || v != min {
		t.Errorf("-(2^64-1)/2 half-up: %d %v", v, err)
	}
	if v, err := fund.MulDiv(-a, b, 2, fund.Truncate); err != nil || v != min+1 {
		t.Errorf("-(2^64-1)/2 truncated: %d %v", v, err)
	}
}

// refMulDiv is MulDiv in math/big, the reference for the property tests.
func refMulDiv(a, b, c int64, r fund.Rounding) (int64, bool) {
	p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	neg := p.Sign()*big.NewInt(c).Sign() < 0
	p.Abs(p)
	d := new(big.Int).Abs(big.NewInt(c))
	q, m := new(big.Int).QuoRem(p, d, new(big.Int))
	if r == fund.HalfUp && new(big.Int).Lsh(m, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

func checkMulDiv(t testing.TB, a, b, c int64, r fund.Rounding) {
	got, err := fund.MulDiv(a, b, c, r)
	if c == 0 {
		if !errors.Is(err, fund.ErrDivideByZero) {
			t.Fatalf("MulDiv(%d,%d,0): %d, %v", a, b, got, err)
		}
		return
	}
	want, ok := refMulDiv(a, b, c, r)
	if !ok {
		if !errors.Is(err, fund.ErrOverflow) {
			t.Fatalf("MulDiv(%d,%d,%d,%s) = %d, %v; want ErrOverflow", a, b, c, r, got, err)
		}
		return
	}
	if err != nil || got != want {
		t.Fatalf("MulDiv(%d,%d,%d,%s) = %d, %v; want %d", a, b, c, r, got, err, want)
	}
}

// randInt64 draws from a mix of small, large and extreme values.
func randInt64(rng *rand.Rand) int64 {
	var v int64
	switch rng.IntN(4) {
	case 0:
		v = rng.Int64N(1000)
	case 1:
		v = rng.Int64N(1 << 40)
	case 2:
		v = rng.Int64()
	default:
		v = math.MaxInt64 - rng.Int64N(3)
	}
	if rng.IntN(4) == 0 {
		v = -v - int64(rng.IntN(2)) // reaches math.MinInt64
	}
	return v
}

func TestMulDivProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		r := fund.Truncate
		if rng.IntN(2) == 0 {
			r = fund.HalfUp
		}
		checkMulDiv(t, randInt64(rng), randInt64(rng), randInt64(rng), r)
	}
}

func FuzzMulDiv(f *testing.F) {
	f.Add(int64(1000000), int64(1000000), int64(1015000), true)
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), int64(3), false)
	f.Add(int64(math.MinInt64), int64(-1), int64(1), true)
	f.Fuzz(func(t *testing.T, a, b, c int64, halfUp bool) {
		r := fund.Truncate
		if halfUp {
			r = fund.HalfUp
		}
		checkMulDiv(t, a, b, c, r)
	})
}

func TestAddSub(t *testing.T) {
	if v, err := fund.Amount(math.MaxInt64 - 1).Add(1); err != nil || v != math.MaxInt64 {
		t.Errorf("add to max: %d %v", v, err)
	}
	if _, err := fund.Amount(math.MaxInt64).Add(1); !errors.Is(err, fund.ErrOverflow) {
		t.Errorf("add past max: %v", err)
	}
	if _, err := fund.Amount(math.MinInt64).Add(-1); !errors.Is(err, fund.ErrOverflow) {
		t.Errorf("add past min: %v", err)
	}
	if _, err := fund.Amount(math.MinInt64).Sub(1); !errors.Is(err, fund.ErrOverflow) {
		t.Errorf("sub past min: %v", err)
	}
	if _, err := fund.Amount(0).Sub(math.MinInt64); !errors.Is(err, fund.ErrOverflow) {
		t.Errorf("0 - min: %v", err)
	}
	if v, err := fund.Shares(5).Sub(7); err != nil || v != -2 {
		t.Errorf("5-7: %d %v", v, err)
	}
	if _, err := fund.Shares(math.MaxInt64).Add(math.MaxInt64); !errors.Is(err, fund.ErrOverflow) {
		t.Errorf("shares add: %v", err)
	}
}

func TestConversions(t *testing.T) {
	if v, err := fund.Shares(500000).Value(13000, fund.HalfUp); err != nil || v.String() != "6500.00" {
		t.Errorf("5000.00 shares × 1.3000 = %s, %v", v, err)
	}
	if v, err := fund.Amount(985222).SharesAt(12345, fund.Truncate); err != nil || v.String() != "7980.73" {
		t.Errorf("9852.22 / 1.2345 = %s, %v", v, err)
	}
	if v, err := fund.Amount(985222).SharesAt(12345, fund.HalfUp); err != nil || v.String() != "7980.74" {
		t.Errorf("9852.22 / 1.2345 half-up = %s, %v", v, err)
	}
	if v, err := fund.Amount(650000).MulRate(15000, fund.HalfUp); err != nil || v.String() != "97.50" {
		t.Errorf("6500.00 × 1.50%% = %s, %v", v, err)
	}
	if _, err := fund.Amount(1).SharesAt(0, fund.Truncate); !errors.Is(err, fund.ErrDivideByZero) {
		t.Errorf("zero NAV: %v", err)
	}
	if _, err := fund.Amount(math.MaxInt64).SharesAt(1, fund.Truncate); !errors.Is(err, fund.ErrOverflow) {
		t.Errorf("overflowing shares: %v", err)
	}
	if _, err := fund.Shares(math.MaxInt64).Value(math.MaxInt64, fund.HalfUp); !errors.Is(err, fund.ErrOverflow) {
		t.Errorf("overflowing value: %v", err)
	}
}

// fuzzFixed checks a parser of the number grammar: it never panics, fails only
// with a sentinel, agrees with math/big on the value, and a parsed value
// formats to a canonical string that parses back to it.
func fuzzFixed[T ~int64](t *testing.T, s string, scale int, suffix string, parse func(string) (T, error), format func(T) string) {
	v, err := parse(s)
	if err != nil {
		for _, e := range []error{fund.ErrSyntax, fund.ErrPrecision, fund.ErrNegative, fund.ErrOverflow} {
			if errors.Is(err, e) {
				return
			}
		}
		t.Fatalf("parse %q: error without a sentinel: %v", s, err)
	}
	if v < 0 {
		t.Fatalf("parse %q = %d, negative", s, v)
	}
	num, ok := strings.CutSuffix(s, suffix)
	if !ok {
		t.Fatalf("parse %q succeeded without suffix %q", s, suffix)
	}
	want, ok := new(big.Rat).SetString(num)
	if !ok {
		t.Fatalf("parse %q succeeded, math/big refuses it", s)
	}
	want.Mul(want, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	if !want.IsInt() || want.Num().Cmp(big.NewInt(int64(v))) != 0 {
		t.Fatalf("parse %q = %d, math/big says %s", s, v, want.RatString())
	}
	c := format(v)
	back, err := parse(c)
	if err != nil || back != v {
		t.Fatalf("parse %q = %d; canonical %q parses to %d, %v", s, v, c, back, err)
	}
	if format(back) != c {
		t.Fatalf("canonical form of %q is not stable: %q then %q", s, c, format(back))
	}
	// A string with exactly the scale's decimals is already canonical.
	if i := strings.IndexByte(num, '.'); suffix == "" && i >= 0 && len(num)-i-1 == scale && c != s {
		t.Fatalf("parse %q formats to %q", s, c)
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"10000.00", "0", "0.5", "92233720368547758.07", "92233720368547758.08", "-1", "1.001", "01", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzFixed(t, s, fund.AmountScale, "", fund.ParseAmount, fund.Amount.String)
	})
}

func FuzzParseShares(f *testing.F) {
	for _, s := range []string{"7980.73", "0.01", "4859457.27", "1.", ".1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzFixed(t, s, fund.SharesScale, "", fund.ParseShares, fund.Shares.String)
	})
}

func FuzzParseNAV(f *testing.F) {
	for _, s := range []string{"1.2345", "1.0000", "1", "0.00001", "922337203685477.5807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzFixed(t, s, fund.NAVScale, "", fund.ParseNAV, fund.NAV.String)
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"1.50%", "1.5%", "0.0375%", "100%", "1.5", "%", "-1%", "1.00001%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzFixed(t, s, fund.RateScale, "%", fund.ParseRate, fund.Rate.String)
		if r, err := fund.ParseRate(s); err == nil && r.String() == s {
			// canonical: at least two decimals, no trailing zero beyond them
			num := strings.TrimSuffix(s, "%")
			i := strings.IndexByte(num, '.')
			if i < 0 || len(num)-i-1 < 2 || (len(num)-i-1 > 2 && num[len(num)-1] == '0') {
				t.Fatalf("rate %q is not in the canonical form", s)
			}
		}
	})
}

func FuzzParseDividendPerShare(f *testing.F) {
	for _, s := range []string{"0.0250", "0.025", "1", "0.00001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzFixed(t, s, fund.DividendPerShareScale, "", fund.ParseDividendPerShare, fund.DividendPerShare.String)
	})
}
