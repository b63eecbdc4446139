package module

import (
	"encoding/json"
	"fmt"
)

// KVReader reads state. Get returns (nil, nil) for an absent key. Iterate
// visits keys in [start, end) in ascending byte order (end nil: to the end of
// the keyspace) and stops when fn returns false. Keys and values passed to fn
// are only valid during the call.
type KVReader interface {
	Get(key []byte) ([]byte, error)
	Iterate(start, end []byte, fn func(key, value []byte) bool) error
}

// KV reads and writes state. Writes are staged by the app and become durable
// only when the block commits; a failing message's writes are discarded.
// Errors are storage failures, never domain rejections.
type KV interface {
	KVReader
	Set(key, value []byte) error
	Delete(key []byte) error
}

// PrefixEnd returns the smallest key greater than every key with the prefix p
// (nil if there is none), for use as Iterate's end.
func PrefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Prefixed returns a view of kv in which every key is under prefix. Modules
// get their state through such a view, so one module cannot touch another's.
func Prefixed(kv KV, prefix string) KV { return &prefixed{kv: kv, p: []byte(prefix)} }

// PrefixedReader is Prefixed for a read-only view.
func PrefixedReader(kv KVReader, prefix string) KVReader {
	return &prefixedReader{kv: kv, p: []byte(prefix)}
}

type prefixedReader struct {
	kv KVReader
	p  []byte
}

func (r *prefixedReader) key(k []byte) []byte {
	out := make([]byte, 0, len(r.p)+len(k))
	return append(append(out, r.p...), k...)
}

func (r *prefixedReader) Get(key []byte) ([]byte, error) { return r.kv.Get(r.key(key)) }

func (r *prefixedReader) Iterate(start, end []byte, fn func(k, v []byte) bool) error {
	s := r.key(start)
	var e []byte
	if end == nil {
		e = PrefixEnd(r.p)
	} else {
		e = r.key(end)
	}
	n := len(r.p)
	return r.kv.Iterate(s, e, func(k, v []byte) bool { return fn(k[n:], v) })
}

type prefixed struct {
	kv KV
	p  []byte
}

func (p *prefixed) reader() *prefixedReader { return &prefixedReader{kv: p.kv, p: p.p} }

func (p *prefixed) Get(key []byte) ([]byte, error) { return p.reader().Get(key) }

func (p *prefixed) Iterate(start, end []byte, fn func(k, v []byte) bool) error {
	return p.reader().Iterate(start, end, fn)
}

func (p *prefixed) Set(key, value []byte) error { return p.kv.Set(p.reader().key(key), value) }

func (p *prefixed) Delete(key []byte) error { return p.kv.Delete(p.reader().key(key)) }

var (
	_ KV       = (*prefixed)(nil)
	_ KVReader = (*prefixedReader)(nil)
)

// PutJSON stores v as JSON under key (the record format of every module).
func PutJSON(kv KV, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("module: encode %T for %q: %w", v, key, err)
	}
	return kv.Set(key, b)
}

// GetJSON decodes the JSON record under key into v; false when there is
// none. A record that does not decode is a storage failure.
func GetJSON(kv KVReader, key []byte, v any) (bool, error) {
	b, err := kv.Get(key)
	if err != nil || b == nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("module: corrupt record %q (%T): %w", key, v, err)
	}
	return true, nil
}
