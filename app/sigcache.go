package app

import (
	"sync"

	"github.com/otcchain/otcchain/crypto"
)

// sigCache remembers tx hashes whose signature verified, so a tx checked in
// CheckTx is not verified again in FinalizeBlock. The tx hash covers the
// body, the signer id and the signature, and a signer id is bound to one key,
// so a hit means the very same signature over the very same bytes verified.
// Bounded, FIFO eviction. Safe for concurrent use.
//
// It also keeps what a recheck needs of the tx (signer, nonce, expiry), so
// the recheck CometBFT runs on every leftover mempool tx after each block
// does not decode the tx again.
type sigCache struct {
	mu   sync.Mutex
	set  map[[32]byte]txMeta
	ring [][32]byte
	next int
}

// txMeta is what a recheck needs.
type txMeta struct {
	signer string
	nonce  string
	expiry int64
}

func newSigCache(size int) *sigCache {
	return &sigCache{set: make(map[[32]byte]txMeta, size), ring: make([][32]byte, size)}
}

func (c *sigCache) has(h [32]byte) bool {
	_, ok := c.get(h)
	return ok
}

func (c *sigCache) get(h [32]byte) (txMeta, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.set[h]
	return m, ok
}

func (c *sigCache) add(h [32]byte, m txMeta) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.set[h]; ok {
		return
	}
	old := c.ring[c.next]
	if _, ok := c.set[old]; ok && old != ([32]byte{}) {
		delete(c.set, old)
	}
	c.ring[c.next] = h
	c.set[h] = m
	c.next = (c.next + 1) % len(c.ring)
}

// keyCache keeps parsed public keys by identity id. Parsing validates the
// encoding (for Ed25519 that includes a small-order check, which is far more
// expensive than a signature check); an identity id is the hash of its
// certificate, so its key never changes. Bounded: cleared when full.
type keyCache struct {
	mu   sync.Mutex
	max  int
	keys map[string]crypto.PublicKey
}

func newKeyCache(max int) *keyCache { return &keyCache{max: max, keys: map[string]crypto.PublicKey{}} }

func (c *keyCache) get(id string, alg crypto.Algorithm, raw []byte) (crypto.PublicKey, error) {
	c.mu.Lock()
	k, ok := c.keys[id]
	c.mu.Unlock()
	if ok && k.Algorithm() == alg {
		return k, nil
	}
	k, err := crypto.PublicKeyFromBytes(alg, raw)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.keys) >= c.max {
		clear(c.keys)
	}
	c.keys[id] = k
	c.mu.Unlock()
	return k, nil
}
