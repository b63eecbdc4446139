package crypto

import (
	"errors"
	"math/big"
)

// Ed25519 public keys are validated once, when they are decoded (a
// certificate is registered, a key file is read), never on the verification
// path. The check decodes the point as RFC 8032 5.1.3 says, refusing
// non-canonical encodings of y, and refuses the points of small order: a signature under such a key can be forged by anyone.
// math/big is fast enough here and keeps the arithmetic obvious.

var (
	edP = func() *big.Int { // 2^255 - 19
		p := new(big.Int).Lsh(big.NewInt(1), 255)
		return p.Sub(p, big.NewInt(19))
	}()
	// edD = -121665 / 121666 mod p
	edD = func() *big.Int {
		inv := new(big.Int).ModInverse(big.NewInt(121666), edP)
		d := new(big.Int).Mul(big.NewInt(-121665), inv)
		return d.Mod(d, edP)
	}()
)

var (
	errEd25519NotOnCurve = errors.New("crypto: invalid ed25519 public key: not a canonical encoding of a point on the curve")
	errEd25519SmallOrder = errors.New("crypto: invalid ed25519 public key: point of small order")
	errEd25519Length     = errors.New("crypto: invalid ed25519 public key: want 32 bytes")
)

func checkEd25519Point(b []byte) error {
	if len(b) != 32 {
		return errEd25519Length
	}
	x, y, ok := decodeEdPoint(b)
	if !ok {
		return errEd25519NotOnCurve
	}
	for i := 0; i < 3; i++ {
		x, y = edAdd(x, y, x, y)
	}
	if x.Sign() == 0 && y.Cmp(big.NewInt(1)) == 0 {
		return errEd25519SmallOrder
	}
	return nil
}

// decodeEdPoint decodes a 32-byte little-endian encoding: y in the low 255
// bits, the sign of x in the top bit. Non-canonical encodings (y >= p), which
// crypto/ed25519 would accept, are refused so that a key has one encoding.
func decodeEdPoint(b []byte) (x, y *big.Int, ok bool) {
	le := make([]byte, 32)
	for i := range 32 {
		le[31-i] = b[i]
	}
	sign := le[0] >> 7
	le[0] &= 0x7f
	y = new(big.Int).SetBytes(le)
	if y.Cmp(edP) >= 0 {
		return nil, nil, false
	}

	// x^2 = (y^2 - 1) / (d*y^2 + 1); the denominator is never zero because
	// d is not a square.
	yy := new(big.Int).Mul(y, y)
	yy.Mod(yy, edP)
	u := new(big.Int).Sub(yy, big.NewInt(1))
	u.Mod(u, edP)
	v := new(big.Int).Mul(edD, yy)
	v.Add(v, big.NewInt(1))
	v.Mod(v, edP)
	v.ModInverse(v, edP)
	xx := u.Mul(u, v)
	xx.Mod(xx, edP)
	x = new(big.Int).ModSqrt(xx, edP)
	if x == nil {
		return nil, nil, false
	}
	if x.Bit(0) != uint(sign) {
		x.Sub(edP, x)
		x.Mod(x, edP) // -0 is 0
	}
	return x, y, true
}

// edAdd adds two points with the complete twisted Edwards addition law
// (a = -1): x3 = (x1y2 + y1x2) / (1 + d x1x2y1y2),
// y3 = (y1y2 + x1x2) / (1 - d x1x2y1y2).
func edAdd(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	m := func(a, b *big.Int) *big.Int {
		r := new(big.Int).Mul(a, b)
		return r.Mod(r, edP)
	}
	t := m(edD, m(m(x1, x2), m(y1, y2)))
	nx := new(big.Int).Add(m(x1, y2), m(y1, x2))
	ny := new(big.Int).Add(m(y1, y2), m(x1, x2))
	dx := new(big.Int).Add(big.NewInt(1), t)
	dy := new(big.Int).Sub(big.NewInt(1), t)
	dx.Mod(dx, edP)
	dy.Mod(dy, edP)
	x3 := m(nx, new(big.Int).ModInverse(dx, edP))
	y3 := m(ny, new(big.Int).ModInverse(dy, edP))
	return x3, y3
}
