package member

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// memo remembers the decoding of stored values: the same bytes always
// decode to the same value, so a hit (same key, byte-identical value) skips
// the JSON decoding — the largest cost of authenticating a signer. It holds
// no state of its own: every lookup still reads the current bytes from the
// store, so it cannot change any outcome. Safe for concurrent use (CheckTx
// runs beside block execution); bounded, cleared when full.
type memo[T any] struct {
	mu  sync.Mutex
	max int
	m   map[string]memoEntry[T]
}

type memoEntry[T any] struct {
	raw []byte
	v   T
}

func newMemo[T any](max int) *memo[T] { return &memo[T]{max: max, m: map[string]memoEntry[T]{}} }

// decode returns a copy of the value raw decodes to.
func (c *memo[T]) decode(key []byte, raw []byte) (T, error) {
	c.mu.Lock()
	e, ok := c.m[string(key)]
	c.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return e.v, nil
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("member: corrupt record %q: %w", key, err)
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[string(key)] = memoEntry[T]{raw: bytes.Clone(raw), v: v}
	c.mu.Unlock()
	return v, nil
}

var (
	recordMemo = newMemo[Record](100000)
	orgMemo    = newMemo[Org](1000)
)
