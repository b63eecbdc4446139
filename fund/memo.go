package fund

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/otcchain/otcchain/module"
)

// memo remembers the decoding of stored records that every order reads (the
// calendar, the fund, the investor): the same bytes always decode to the
// same value, so a hit (same key, byte-identical value) skips the JSON
// decoding. Every lookup still reads the current bytes from the store, so
// the memo cannot change an outcome. Callers get a copy they may change.
// Safe for concurrent use (queries run beside block execution); bounded,
// cleared when full.
type memo[T any] struct {
	mu    sync.Mutex
	max   int
	m     map[string]memoEntry[T]
	clone func(T) T
}

type memoEntry[T any] struct {
	raw []byte
	v   T
}

func newMemo[T any](max int, clone func(T) T) *memo[T] {
	return &memo[T]{max: max, m: map[string]memoEntry[T]{}, clone: clone}
}

// get reads key and decodes it; false when absent.
func (c *memo[T]) get(kv module.KVReader, key []byte) (T, bool, error) {
	var zero T
	raw, err := kv.Get(key)
	if err != nil || raw == nil {
		return zero, false, err
	}
	c.mu.Lock()
	e, ok := c.m[string(key)]
	c.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return c.clone(e.v), true, nil
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, false, fmt.Errorf("fund: corrupt record %q: %w", key, err)
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[string(key)] = memoEntry[T]{raw: bytes.Clone(raw), v: v}
	c.mu.Unlock()
	return c.clone(v), true, nil
}

var (
	calendarMemo = newMemo(16, func(c Calendar) Calendar { return c }) // never changed in place
	fundMemo     = newMemo(4096, func(f Fund) Fund {
		f.Resellers = slices.Clone(f.Resellers)
		return f
	})
	investorMemo = newMemo(200000, func(i Investor) Investor {
		i.TAAccounts = maps.Clone(i.TAAccounts)
		return i
	})
)
