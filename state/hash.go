package state

import (
	"crypto/sha256"
	"crypto/sha3"
	"encoding/binary"
)

const (
	laneBytes = 2048          // 1024 uint16 lanes
	accWords  = laneBytes / 8 // lanes packed four to a uint64
	hiBits    = 0x8000800080008000
)

// acc is the multiset-hash accumulator: 1024 uint16 lanes, lane i in bits
// 16*(i%4) of word i/4, so that little-endian serialisation of the words is
// the little-endian serialisation of the lanes.
type acc [accWords]uint64

// add adds x lane-wise modulo 2^16 (SWAR: no carry crosses a lane).
func (a *acc) add(x *acc) {
	for i := range a {
		a[i] = ((a[i] &^ hiBits) + (x[i] &^ hiBits)) ^ ((a[i] ^ x[i]) & hiBits)
	}
}

// sub subtracts x lane-wise modulo 2^16 (SWAR: no borrow crosses a lane).
func (a *acc) sub(x *acc) {
	for i := range a {
		a[i] = ((a[i] | hiBits) - (x[i] &^ hiBits)) ^ ((a[i] ^ ^x[i]) & hiBits)
	}
}

func (a *acc) appendBytes(dst []byte) []byte {
	for _, w := range a {
		dst = binary.LittleEndian.AppendUint64(dst, w)
	}
	return dst
}

func (a *acc) setBytes(b []byte) {
	for i := range a {
		a[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
}

// hash returns the app hash of the accumulator.
func (a *acc) hash() []byte {
	var buf [laneBytes]byte
	sum := sha256.Sum256(a.appendBytes(buf[:0]))
	return sum[:]
}

// pairHasher expands (key, value) pairs into lanes; it reuses its buffers.
type pairHasher struct {
	shake *sha3.SHAKE
	out   [laneBytes]byte
	v     acc
}

func newPairHasher() *pairHasher { return &pairHasher{shake: sha3.NewSHAKE128()} }

// expand returns the lanes of the pair; the result is valid until the next call.
func (h *pairHasher) expand(key, value []byte) *acc {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(key)))
	h.shake.Reset()
	h.shake.Write(n[:])
	h.shake.Write(key)
	h.shake.Write(value)
	h.shake.Read(h.out[:])
	h.v.setBytes(h.out[:])
	return &h.v
}

func (h *pairHasher) add(a *acc, key, value []byte) { a.add(h.expand(key, value)) }
func (h *pairHasher) sub(a *acc, key, value []byte) { a.sub(h.expand(key, value)) }
