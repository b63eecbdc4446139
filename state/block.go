package state

import (
	"bytes"

	"github.com/google/btree"

	"github.com/otcchain/otcchain/module"
)

// entry is one staged write in an overlay. Its key and value are never
// modified in place once staged (a rewrite replaces the value slice).
type entry struct {
	key   []byte
	value []byte // the staged value (non-nil) unless del
	del   bool   // staged deletion

	// Block overlay only: the committed value the block started from.
	old    []byte
	hasOld bool
}

// changed reports whether a block-level entry differs from committed state.
func (e *entry) changed() bool {
	if e.del {
		return e.hasOld
	}
	return !e.hasOld || !bytes.Equal(e.old, e.value)
}

func lessEntry(a, b *entry) bool { return bytes.Compare(a.key, b.key) < 0 }

// overlay is a sorted set of staged writes.
type overlay struct {
	tree  *btree.BTreeG[*entry]
	ver   uint64 // bumped on every change, for iterators
	probe entry
}

func newOverlay() overlay { return overlay{tree: btree.NewG(16, lessEntry)} }

func (o *overlay) find(key []byte) *entry {
	o.probe.key = key
	e, _ := o.tree.Get(&o.probe)
	o.probe.key = nil
	return e
}

// stage is what a Branch needs of its parent (a Block or a Branch).
type stage interface {
	check() error                            // ErrFinished if it or an ancestor is finished
	lookup(key []byte) ([]byte, bool, error) // staged or committed value; bool: from an overlay (not a copy)
	overlays(dst []*overlay) ([]*overlay, *Block)
	merge(child *overlay) error
}

// Block stages the writes of one block over the last committed state. It
// implements module.KV and is not safe for concurrent use.
type Block struct {
	db      *DB
	base    int64 // committed height the block was created over
	baseAcc acc
	ov      overlay
	side    map[string][]byte
	done    bool

	hashVer uint64 // ov.ver the cached accumulator belongs to
	hashOK  bool
	acc     acc
}

var _ module.KV = (*Block)(nil)

// Branch stages writes over a Block or another Branch. It implements
// module.KV and is not safe for concurrent use (nor is its parent while it is
// in use).
type Branch struct {
	parent stage
	ov     overlay
	done   bool
}

var _ module.KV = (*Branch)(nil)

// ---- Block

func (b *Block) check() error {
	if b.done {
		return ErrFinished
	}
	return nil
}

func (b *Block) lookup(key []byte) ([]byte, bool, error) {
	if e := b.ov.find(key); e != nil {
		if e.del {
			return nil, true, nil
		}
		return e.value, true, nil
	}
	v, err := b.db.get(b.db.pdb, nil, prefixState, key)
	return v, false, err
}

func (b *Block) overlays(dst []*overlay) ([]*overlay, *Block) { return append(dst, &b.ov), b }

// Get returns the value of key as staged in the block (nil, nil if absent).
func (b *Block) Get(key []byte) ([]byte, error) { return get(b, key) }

// Iterate visits keys in [start, end) as staged in the block, ascending.
func (b *Block) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	return iterate(b, start, end, fn)
}

// Set stages key = value.
func (b *Block) Set(key, value []byte) error {
	if err := checkWrite(b, key, value); err != nil {
		return err
	}
	return b.put(bytes.Clone(key), cloneValue(value), false)
}

// Delete stages the deletion of key.
func (b *Block) Delete(key []byte) error {
	if err := checkWrite(b, key, nil); err != nil {
		return err
	}
	return b.put(bytes.Clone(key), nil, true)
}

// put records a write; the first write of a key reads its committed value
// (for the app hash).
func (b *Block) put(key, value []byte, del bool) error {
	e := b.ov.find(key)
	if e == nil {
		old, err := b.db.get(b.db.pdb, nil, prefixState, key)
		if err != nil {
			return err
		}
		e = &entry{key: key, old: old, hasOld: old != nil}
		b.ov.tree.ReplaceOrInsert(e)
	}
	e.value, e.del = value, del
	b.ov.ver++
	return nil
}

func (b *Block) merge(child *overlay) error {
	if child.tree.Len() == 0 {
		return nil
	}
	// First read the committed values of keys new to the block, so that a
	// storage failure leaves the block untouched.
	var fresh []*entry
	var err error
	child.tree.Ascend(func(c *entry) bool {
		if b.ov.find(c.key) != nil {
			return true
		}
		var old []byte
		if old, err = b.db.get(b.db.pdb, nil, prefixState, c.key); err != nil {
			return false
		}
		fresh = append(fresh, &entry{key: c.key, old: old, hasOld: old != nil})
		return true
	})
	if err != nil {
		return err
	}
	for _, e := range fresh {
		b.ov.tree.ReplaceOrInsert(e)
	}
	child.tree.Ascend(func(c *entry) bool {
		e := b.ov.find(c.key)
		e.value, e.del = c.value, c.del
		return true
	})
	b.ov.ver++
	return nil
}

// Branch returns a nested staging area over the block.
func (b *Block) Branch() *Branch { return &Branch{parent: b, ov: newOverlay()} }

// SetSide stages an unhashed side record (e.g. a tx index entry); it is
// written with the block and read back with DB.Side. Side records are not
// state: they are not covered by the app hash and not visible through Get.
func (b *Block) SetSide(key, value []byte) error {
	if err := checkWrite(b, key, value); err != nil {
		return err
	}
	if b.side == nil {
		b.side = map[string][]byte{}
	}
	b.side[string(key)] = cloneValue(value)
	return nil
}

// Base returns the committed height the block was created over.
func (b *Block) Base() int64 { return b.base }

// AppHash returns the app hash the state will have once the block commits.
func (b *Block) AppHash() []byte {
	a := b.accumulator()
	return a.hash()
}

// accumulator returns the accumulator after the block's changes (cached
// until the next write).
func (b *Block) accumulator() acc {
	if b.hashOK && b.hashVer == b.ov.ver {
		return b.acc
	}
	a := b.baseAcc
	h := newPairHasher()
	b.ov.tree.Ascend(func(e *entry) bool {
		if !e.changed() {
			return true
		}
		if e.hasOld {
			h.sub(&a, e.key, e.old)
		}
		if !e.del {
			h.add(&a, e.key, e.value)
		}
		return true
	})
	b.acc, b.hashVer, b.hashOK = a, b.ov.ver, true
	return a
}

// ---- Branch

func (br *Branch) check() error {
	if br.done {
		return ErrFinished
	}
	return br.parent.check()
}

func (br *Branch) lookup(key []byte) ([]byte, bool, error) {
	if e := br.ov.find(key); e != nil {
		if e.del {
			return nil, true, nil
		}
		return e.value, true, nil
	}
	return br.parent.lookup(key)
}

func (br *Branch) overlays(dst []*overlay) ([]*overlay, *Block) {
	return br.parent.overlays(append(dst, &br.ov))
}

func (br *Branch) merge(child *overlay) error {
	child.tree.Ascend(func(c *entry) bool {
		if e := br.ov.find(c.key); e != nil {
			e.value, e.del = c.value, c.del
		} else {
			br.ov.tree.ReplaceOrInsert(&entry{key: c.key, value: c.value, del: c.del})
		}
		return true
	})
	br.ov.ver++
	return nil
}

// Get returns the value of key as staged in the branch (nil, nil if absent).
func (br *Branch) Get(key []byte) ([]byte, error) { return get(br, key) }

// Iterate visits keys in [start, end) as staged in the branch, ascending.
func (br *Branch) Iterate(start, end []byte, fn func(key, value []byte) bool) error {
	return iterate(br, start, end, fn)
}

// Set stages key = value in the branch.
func (br *Branch) Set(key, value []byte) error {
	if err := checkWrite(br, key, value); err != nil {
		return err
	}
	br.put(bytes.Clone(key), cloneValue(value), false)
	return nil
}

// Delete stages the deletion of key in the branch.
func (br *Branch) Delete(key []byte) error {
	if err := checkWrite(br, key, nil); err != nil {
		return err
	}
	br.put(bytes.Clone(key), nil, true)
	return nil
}

func (br *Branch) put(key, value []byte, del bool) {
	if e := br.ov.find(key); e != nil {
		e.value, e.del = value, del
	} else {
		br.ov.tree.ReplaceOrInsert(&entry{key: key, value: value, del: del})
	}
	br.ov.ver++
}

// Branch returns a branch nested in br.
func (br *Branch) Branch() *Branch { return &Branch{parent: br, ov: newOverlay()} }

// Write merges the branch's writes into its parent and finishes the branch.
// It fails with ErrFinished if the branch or an ancestor is finished, or with
// a storage error (the parent is then unchanged).
func (br *Branch) Write() error {
	if err := br.check(); err != nil {
		return errorf("write branch: %w", err)
	}
	br.done = true
	if err := br.parent.merge(&br.ov); err != nil {
		return errorf("write branch: %w", err)
	}
	return nil
}

// Discard drops the branch's writes and finishes it. Discarding a finished
// branch is a no-op.
func (br *Branch) Discard() {
	br.done = true
	br.ov.tree.Clear(false)
	br.ov.ver++
}

// ---- shared

func checkWrite(s stage, key, value []byte) error {
	if err := s.check(); err != nil {
		return errorf("write: %w", err)
	}
	if err := checkKey(key); err != nil {
		return err
	}
	return checkValue(value)
}

func cloneValue(v []byte) []byte {
	out := make([]byte, len(v)) // non-nil even when empty
	copy(out, v)
	return out
}

func get(s stage, key []byte) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, errorf("get: %w", err)
	}
	if len(key) > MaxKeySize {
		return nil, nil
	}
	v, staged, err := s.lookup(key)
	if err != nil || v == nil || !staged {
		return v, err
	}
	return cloneValue(v), nil
}
