package state

import (
	"bytes"

	"github.com/cockroachdb/pebble/v2"
)

// cursorBatch is how many overlay entries a cursor fetches per B-tree seek.
const cursorBatch = 32

// cursor walks an overlay in ascending key order within [start, end). It
// survives changes to the overlay: when the overlay's version moves, it
// re-seeks after the last key it consumed.
type cursor struct {
	ov    *overlay
	end   []byte
	ver   uint64
	fresh bool // buf reflects ov at ver
	buf   []*entry
	pos   int
	eof   bool   // buf holds the rest of the range
	after []byte // refill from keys > after (>= while incl)
	incl  bool
}

func (c *cursor) head() *entry {
	if !c.fresh || c.ver != c.ov.ver {
		c.refill()
	}
	if c.pos == len(c.buf) && !c.eof {
		c.refill()
	}
	if c.pos < len(c.buf) {
		return c.buf[c.pos]
	}
	return nil
}

func (c *cursor) refill() {
	c.buf, c.pos, c.eof, c.ver, c.fresh = c.buf[:0], 0, true, c.ov.ver, true
	c.ov.tree.AscendGreaterOrEqual(&entry{key: c.after}, func(e *entry) bool {
		if !c.incl && bytes.Equal(e.key, c.after) {
			return true
		}
		if c.end != nil && bytes.Compare(e.key, c.end) >= 0 {
			return false
		}
		if len(c.buf) == cursorBatch {
			c.eof = false
			return false
		}
		c.buf = append(c.buf, e)
		return true
	})
}

// skipPast consumes entries with keys <= k.
func (c *cursor) skipPast(k []byte) {
	for e := c.head(); e != nil && bytes.Compare(e.key, k) <= 0; e = c.head() {
		c.after, c.incl = e.key, false
		c.pos++
	}
}

// iterate merges the overlays of s (top first) with committed state.
func iterate(s stage, start, end []byte, fn func(key, value []byte) bool) (err error) {
	if err := s.check(); err != nil {
		return errorf("iterate: %w", err)
	}
	if end != nil && bytes.Compare(start, end) >= 0 {
		return nil
	}
	var arr [4]*overlay
	ovs, blk := s.overlays(arr[:0])
	db := blk.db
	if err := db.acquire(nil); err != nil {
		return err
	}
	defer db.release(nil)
	it, err := db.pdb.NewIter(&pebble.IterOptions{
		LowerBound: dbKey(prefixState, start),
		UpperBound: dbUpper(prefixState, end),
	})
	if err != nil {
		return errorf("iterate: %w", err)
	}
	defer func() {
		if cerr := it.Close(); cerr != nil && err == nil {
			err = errorf("iterate: %w", cerr)
		}
	}()

	cursors := make([]cursor, len(ovs))
	for i, o := range ovs {
		cursors[i] = cursor{ov: o, end: end, after: start, incl: true}
	}
	pebbleIdx := len(cursors)
	valid := it.First()
	var last []byte
	for {
		// The smallest key wins; among equal keys the topmost overlay (lowest
		// index) wins, and any overlay beats committed state.
		win := -1
		var key []byte
		for i := range cursors {
			if e := cursors[i].head(); e != nil && (win < 0 || bytes.Compare(e.key, key) < 0) {
				win, key = i, e.key
			}
		}
		if valid {
			if k := it.Key()[1:]; win < 0 || bytes.Compare(k, key) < 0 {
				win, key = pebbleIdx, k
			}
		}
		if win < 0 {
			break
		}
		var value []byte
		emit := true
		if win == pebbleIdx {
			if value, err = it.ValueAndErr(); err != nil {
				return errorf("iterate: %w", err)
			}
		} else if e := cursors[win].head(); e.del {
			emit = false
		} else {
			value = e.value
		}
		last = append(last[:0], key...)
		if emit && !fn(key, value) {
			return nil
		}
		// fn may have written to the overlays: cursors re-seek past last.
		for i := range cursors {
			cursors[i].skipPast(last)
		}
		for valid && bytes.Compare(it.Key()[1:], last) <= 0 {
			valid = it.Next()
		}
	}
	if err := it.Error(); err != nil {
		return errorf("iterate: %w", err)
	}
	return nil
}
