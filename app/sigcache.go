package app

import "sync"

// sigCache remembers tx hashes whose signature verified, so a tx checked in
// CheckTx is not verified again in FinalizeBlock. The tx hash covers the
// body, the signer id and the signature, and a signer id is bound to one key,
// so a hit means the very same signature over the very same bytes verified.
// Bounded, FIFO eviction. Safe for concurrent use.
type sigCache struct {
	mu   sync.Mutex
	set  map[[32]byte]struct{}
	ring [][32]byte
	next int
}

func newSigCache(size int) *sigCache {
	return &sigCache{set: make(map[[32]byte]struct{}, size), ring: make([][32]byte, size)}
}

func (c *sigCache) has(h [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.set[h]
	return ok
}

func (c *sigCache) add(h [32]byte) {
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
	c.set[h] = struct{}{}
	c.next = (c.next + 1) % len(c.ring)
}
