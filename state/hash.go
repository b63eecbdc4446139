package state

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"hash"
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
	sha  hash.Hash
	seed [32]byte
	zero [laneBytes]byte
	out  [laneBytes]byte
	v    acc
}

func newPairHasher() *pairHasher { return &pairHasher{sha: sha256.New()} }

// expand returns the lanes of the pair; the result is valid until the next
// call. The pair is hashed with SHA-256 and the digest keys AES-256 in CTR
// mode (zero IV) over 2048 zero bytes: a pseudo-random expansion that, with
// AES-NI, costs a fraction of an extendable-output hash.
func (h *pairHasher) expand(key, value []byte) *acc {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(key)))
	h.sha.Reset()
	h.sha.Write(n[:])
	h.sha.Write(key)
	h.sha.Write(value)
	h.sha.Sum(h.seed[:0])
	block, err := aes.NewCipher(h.seed[:])
	if err != nil {
		panic("state: aes: " + err.Error()) // 32-byte keys are always valid
	}
	var iv [aes.BlockSize]byte
	cipher.NewCTR(block, iv[:]).XORKeyStream(h.out[:], h.zero[:])
	h.v.setBytes(h.out[:])
	return &h.v
}

func (h *pairHasher) add(a *acc, key, value []byte) { a.add(h.expand(key, value)) }
func (h *pairHasher) sub(a *acc, key, value []byte) { a.sub(h.expand(key, value)) }
