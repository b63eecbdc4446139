package fund

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// Fixed-point types. Each is an int64 count of its smallest unit; the scale is
// the number of decimals of its text form.
//
// Text grammar, shared by every Parse function and UnmarshalText (no sign, no
// spaces, no grouping separators, no exponent):
//
//	number  = integer [ "." fraction ]
//	integer = "0" | nonzero { digit }          (no leading zeros)
//	fraction = digit { digit }                 (1 to scale digits)
//	rate    = number "%"                       (a percentage, scale 4)
//
// So "10000", "10000.5" and "10000.50" are the same Amount; "10000.505"
// (more decimals than the scale), "-1.00", "+1", "1.", ".5", "01.00" and
// "1e3" are refused, and so is a value above math.MaxInt64 units. Refusing
// extra decimals, even zeros, keeps every accepted string exact.
//
// String and MarshalText write the canonical form: every decimal of the scale
// ("10000.50", "1.2345"), except Rate, which writes a percentage with at least
// two decimals and no trailing zeros beyond them ("1.50%", "0.0375%"). Parse of
// a canonical string gives back the same value. MarshalText refuses a negative
// value (the parsers could not read it back); String writes it with a "-".
type (
	// Amount is money in fen (0.01 CNY).
	Amount int64
	// Shares is a number of fund shares in units of 0.01 share.
	Shares int64
	// NAV is a net asset value per share in units of 0.0001 CNY:
	// 1.2345 is 12345.
	NAV int64
	// Rate is a ratio in parts per million: 1.50% is 15000, 100% is 1000000.
	Rate int64
	// DividendPerShare is a cash dividend per one share in units of
	// 0.0001 CNY: "0.0250" (0.25 CNY per 10 shares) is 250.
	DividendPerShare int64
)

// Scales (decimals of the text form) and the value of one whole unit.
const (
	AmountScale           = 2
	SharesScale           = 2
	NAVScale              = 4
	RateScale             = 4 // decimals of the percentage
	DividendPerShareScale = 4

	Yuan           Amount = 100     // 1.00 CNY
	OneShare       Shares = 100     // 1.00 share
	Par            NAV    = 10000   // 1.0000, the par value of a share
	Percent        Rate   = 10000   // 1%
	HundredPercent Rate   = 1000000 // 100%
)

// Errors of parsing and arithmetic. Functions wrap them with detail; compare
// with errors.Is.
var (
	ErrSyntax       = errors.New("fund: malformed number")
	ErrPrecision    = errors.New("fund: more decimals than the scale")
	ErrNegative     = errors.New("fund: negative value")
	ErrOverflow     = errors.New("fund: value out of range")
	ErrDivideByZero = errors.New("fund: division by zero")
	ErrRounding     = errors.New("fund: unknown rounding rule")
)

// Rounding says how a quotient is brought to an integer count of units.
// MulDiv and the conversions take it on every call; the calculations of
// calc.go fix it where the rules do (half-up for fees, net and proceeds,
// truncation for cash dividends) and take the fund's rule for shares. The
// zero value is not a valid rule, so a forgotten rule is an error rather than
// a silent default.
type Rounding uint8

const (
	// Truncate rounds toward zero (截位): the investor never receives more
	// than the exact quotient.
	Truncate Rounding = iota + 1
	// HalfUp rounds to the nearest unit, ties away from zero (四舍五入); for
	// the non-negative values of this package that is "half up".
	HalfUp
)

// Valid says whether r is a known rule.
func (r Rounding) Valid() bool { return r == Truncate || r == HalfUp }

// String returns "truncate" or "half_up".
func (r Rounding) String() string {
	switch r {
	case Truncate:
		return "truncate"
	case HalfUp:
		return "half_up"
	}
	return "Rounding(" + strconv.Itoa(int(r)) + ")"
}

// ParseRounding reads "truncate" or "half_up".
func ParseRounding(s string) (Rounding, error) {
	switch s {
	case "truncate":
		return Truncate, nil
	case "half_up":
		return HalfUp, nil
	}
	return 0, fmt.Errorf("%w: %s", ErrRounding, quote(s))
}

// MarshalText writes the rule's name; an unknown rule is an error.
func (r Rounding) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrRounding, r)
	}
	return []byte(r.String()), nil
}

// UnmarshalText reads a rule written by MarshalText.
func (r *Rounding) UnmarshalText(b []byte) error {
	v, err := ParseRounding(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MulDiv returns a×b/c rounded by r, computed exactly with a 128-bit
// intermediate product. Signs follow the usual rules; Truncate rounds toward
// zero and HalfUp rounds ties away from zero. It returns ErrDivideByZero when
// c is 0, ErrRounding for an unknown rule and ErrOverflow when the rounded
// result does not fit an int64; it never wraps or panics.
func MulDiv(a, b, c int64, r Rounding) (int64, error) {
	if !r.Valid() {
		return 0, fmt.Errorf("%w: %d", ErrRounding, r)
	}
	if c == 0 {
		return 0, ErrDivideByZero
	}
	neg := (a < 0) != (b < 0) != (c < 0)
	ua, ub, uc := absU(a), absU(b), absU(c)
	hi, lo := bits.Mul64(ua, ub)
	if hi >= uc { // the quotient needs more than 64 bits
		return 0, fmt.Errorf("%w: %d×%d/%d", ErrOverflow, a, b, c)
	}
	q, rem := bits.Div64(hi, lo, uc)
	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // -2^63 fits
	}
	if q > limit {
		return 0, fmt.Errorf("%w: %d×%d/%d", ErrOverflow, a, b, c)
	}
	if r == HalfUp && rem != 0 && rem >= uc-rem { // 2·rem ≥ c without overflow
		if q == limit {
			return 0, fmt.Errorf("%w: %d×%d/%d", ErrOverflow, a, b, c)
		}
		q++
	}
	if neg {
		return int64(^q + 1), nil // two's complement negation; -2^63 included
	}
	return int64(q), nil
}

// absU returns |x| as a uint64 (|math.MinInt64| included).
func absU(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}

// addInt64 returns a+b or ErrOverflow.
func addInt64(a, b int64) (int64, error) {
	if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
		return 0, fmt.Errorf("%w: %d+%d", ErrOverflow, a, b)
	}
	return a + b, nil
}

// subInt64 returns a-b or ErrOverflow.
func subInt64(a, b int64) (int64, error) {
	if (b < 0 && a > math.MaxInt64+b) || (b > 0 && a < math.MinInt64+b) {
		return 0, fmt.Errorf("%w: %d-%d", ErrOverflow, a, b)
	}
	return a - b, nil
}

// pow10 holds 10^0 .. 10^6, the factors the scales need.
var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000}

// parseFixed reads the number grammar with at most scale decimals and returns
// the value in units of 10^-scale. The error is one of the sentinels,
// unwrapped; callers add the type and the input.
func parseFixed(s string, scale int) (int64, error) {
	if s == "" {
		return 0, ErrSyntax
	}
	if s[0] == '-' {
		if _, err := parseFixed(s[1:], scale); err == nil {
			return 0, ErrNegative
		}
		return 0, ErrSyntax
	}
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i+1:]
			if frac == "" {
				return 0, ErrSyntax
			}
			break
		}
	}
	if intPart == "" || (len(intPart) > 1 && intPart[0] == '0') {
		return 0, ErrSyntax
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return 0, ErrSyntax
		}
	}
	var v int64
	for i := 0; i < len(intPart); i++ {
		c := intPart[i]
		if c < '0' || c > '9' {
			return 0, ErrSyntax
		}
		d := int64(c - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, ErrOverflow
		}
		v = v*10 + d
	}
	if len(frac) > scale {
		return 0, ErrPrecision
	}
	var f int64
	for i := 0; i < len(frac); i++ {
		f = f*10 + int64(frac[i]-'0')
	}
	f *= pow10[scale-len(frac)]
	m := pow10[scale]
	if v > (math.MaxInt64-f)/m {
		return 0, ErrOverflow
	}
	return v*m + f, nil
}

// formatFixed writes v units of 10^-scale with at least minFrac decimals,
// dropping trailing zeros beyond minFrac.
func formatFixed(v int64, scale, minFrac int) string {
	u := absU(v)
	m := uint64(pow10[scale])
	ip, fp := u/m, u%m
	frac := strconv.FormatUint(fp+m, 10)[1:] // zero-padded to scale digits
	n := len(frac)
	for n > minFrac && frac[n-1] == '0' {
		n--
	}
	s := strconv.FormatUint(ip, 10)
	if n > 0 {
		s += "." + frac[:n]
	}
	if v < 0 {
		s = "-" + s
	}
	return s
}

// quote quotes s for an error message, cut to a readable length.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}

// parseErr wraps a sentinel from parseFixed with the type and the input.
func parseErr(err error, what, s string) error {
	return fmt.Errorf("%w: %s %s", err, what, quote(s))
}

// marshalFixed is MarshalText for the non-negative types.
func marshalFixed(v int64, what, s string) ([]byte, error) {
	if v < 0 {
		return nil, fmt.Errorf("%w: %s %s", ErrNegative, what, s)
	}
	return []byte(s), nil
}

// ParseAmount reads an amount of CNY with at most 2 decimals ("10000.00").
func ParseAmount(s string) (Amount, error) {
	v, err := parseFixed(s, AmountScale)
	if err != nil {
		return 0, parseErr(err, "amount", s)
	}
	return Amount(v), nil
}

// String writes the amount in CNY with 2 decimals: "10000.00".
func (a Amount) String() string { return formatFixed(int64(a), AmountScale, AmountScale) }

// MarshalText writes the canonical form; a negative amount is an error.
func (a Amount) MarshalText() ([]byte, error) { return marshalFixed(int64(a), "amount", a.String()) }

// UnmarshalText reads the grammar of ParseAmount.
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := ParseAmount(string(b))
	if err == nil {
		*a = v
	}
	return err
}

// Add returns a+b or ErrOverflow.
func (a Amount) Add(b Amount) (Amount, error) {
	v, err := addInt64(int64(a), int64(b))
	return Amount(v), err
}

// Sub returns a-b or ErrOverflow.
func (a Amount) Sub(b Amount) (Amount, error) {
	v, err := subInt64(int64(a), int64(b))
	return Amount(v), err
}

// SharesAt returns the shares a buys at nav: a / nav, rounded by r to
// 0.01 share. It returns ErrDivideByZero for a zero NAV and ErrOverflow.
func (a Amount) SharesAt(nav NAV, r Rounding) (Shares, error) {
	v, err := MulDiv(int64(a), int64(Par), int64(nav), r)
	return Shares(v), err
}

// MulRate returns a × rate, rounded by r to the fen.
func (a Amount) MulRate(rate Rate, r Rounding) (Amount, error) {
	v, err := MulDiv(int64(a), int64(rate), int64(HundredPercent), r)
	return Amount(v), err
}

// ParseShares reads a number of shares with at most 2 decimals ("7980.73").
func ParseShares(s string) (Shares, error) {
	v, err := parseFixed(s, SharesScale)
	if err != nil {
		return 0, parseErr(err, "shares", s)
	}
	return Shares(v), nil
}

// String writes the shares with 2 decimals: "7980.73".
func (s Shares) String() string { return formatFixed(int64(s), SharesScale, SharesScale) }

// MarshalText writes the canonical form; a negative number is an error.
func (s Shares) MarshalText() ([]byte, error) { return marshalFixed(int64(s), "shares", s.String()) }

// UnmarshalText reads the grammar of ParseShares.
func (s *Shares) UnmarshalText(b []byte) error {
	v, err := ParseShares(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// Add returns s+t or ErrOverflow.
func (s Shares) Add(t Shares) (Shares, error) {
	v, err := addInt64(int64(s), int64(t))
	return Shares(v), err
}

// Sub returns s-t or ErrOverflow.
func (s Shares) Sub(t Shares) (Shares, error) {
	v, err := subInt64(int64(s), int64(t))
	return Shares(v), err
}

// Value returns s × nav, rounded by r to the fen, or ErrOverflow.
func (s Shares) Value(nav NAV, r Rounding) (Amount, error) {
	v, err := MulDiv(int64(s), int64(nav), int64(Par), r)
	return Amount(v), err
}

// ParseNAV reads a NAV per share with at most 4 decimals ("1.2345").
// Zero parses; the calculations refuse a NAV that is not positive.
func ParseNAV(s string) (NAV, error) {
	v, err := parseFixed(s, NAVScale)
	if err != nil {
		return 0, parseErr(err, "NAV", s)
	}
	return NAV(v), nil
}

// String writes the NAV with 4 decimals: "1.2345".
func (n NAV) String() string { return formatFixed(int64(n), NAVScale, NAVScale) }

// MarshalText writes the canonical form; a negative NAV is an error.
func (n NAV) MarshalText() ([]byte, error) { return marshalFixed(int64(n), "NAV", n.String()) }

// UnmarshalText reads the grammar of ParseNAV.
func (n *NAV) UnmarshalText(b []byte) error {
	v, err := ParseNAV(string(b))
	if err == nil {
		*n = v
	}
	return err
}

// ParseRate reads a percentage with at most 4 decimals and a mandatory "%"
// ("1.50%", "0.0375%"). The sign makes the scale explicit: a bare "1.5" or
// "0.015" is refused rather than guessed. Values above 100% parse; the fee
// schedules refuse them.
func ParseRate(s string) (Rate, error) {
	if len(s) == 0 || s[len(s)-1] != '%' {
		return 0, parseErr(ErrSyntax, "rate", s)
	}
	v, err := parseFixed(s[:len(s)-1], RateScale)
	if err != nil {
		return 0, parseErr(err, "rate", s)
	}
	return Rate(v), nil
}

// String writes the rate as a percentage with at least 2 decimals: "1.50%",
// "0.0375%", "100.00%".
func (r Rate) String() string { return formatFixed(int64(r), RateScale, 2) + "%" }

// MarshalText writes the canonical form; a negative rate is an error.
func (r Rate) MarshalText() ([]byte, error) { return marshalFixed(int64(r), "rate", r.String()) }

// UnmarshalText reads the grammar of ParseRate.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := ParseRate(string(b))
	if err == nil {
		*r = v
	}
	return err
}

// ParseDividendPerShare reads a cash dividend per share in CNY with at most 4
// decimals ("0.0250").
func ParseDividendPerShare(s string) (DividendPerShare, error) {
	v, err := parseFixed(s, DividendPerShareScale)
	if err != nil {
		return 0, parseErr(err, "dividend per share", s)
	}
	return DividendPerShare(v), nil
}

// String writes the dividend per share with 4 decimals: "0.0250".
func (d DividendPerShare) String() string {
	return formatFixed(int64(d), DividendPerShareScale, DividendPerShareScale)
}

// MarshalText writes the canonical form; a negative value is an error.
func (d DividendPerShare) MarshalText() ([]byte, error) {
	return marshalFixed(int64(d), "dividend per share", d.String())
}

// UnmarshalText reads the grammar of ParseDividendPerShare.
func (d *DividendPerShare) UnmarshalText(b []byte) error {
	v, err := ParseDividendPerShare(string(b))
	if err == nil {
		*d = v
	}
	return err
}
