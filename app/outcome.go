package app

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/state"
)

// End-block outcomes (see proof.Outcome): a block whose end-block produced
// outcomes has the app hash proof.AppHashWithOutcomes(state hash, root). Two
// side records (not hashed: they are derived from the block) let the node
// prove an outcome later:
//
//	out/b/<height>  -> state hash (32 bytes) || the block's outcome items (32 bytes each)
//	out/k/<key>     -> height (8) || index (4) || value
func outBlockKey(h int64) []byte  { return binary.BigEndian.AppendUint64([]byte("out/b/"), uint64(h)) }
func outKeyKey(key string) []byte { return []byte("out/k/" + key) }

// sealOutcomes records the block's outcomes and returns its app hash.
func (a *App) sealOutcomes(blk *state.Block, height int64, outs []module.Outcome) ([]byte, error) {
	stateHash := blk.AppHash()
	if len(outs) == 0 {
		return stateHash, nil
	}
	items := make([][]byte, len(outs))
	rec := append(make([]byte, 0, 32+32*len(outs)), stateHash...)
	for i, o := range outs {
		items[i] = proof.OutcomeItem(o.Key, o.Value)
		rec = append(rec, items[i]...)
		v := binary.BigEndian.AppendUint64(nil, uint64(height))
		v = binary.BigEndian.AppendUint32(v, uint32(i))
		if err := blk.SetSide(outKeyKey(o.Key), append(v, o.Value...)); err != nil {
			return nil, err
		}
	}
	if err := blk.SetSide(outBlockKey(height), rec); err != nil {
		return nil, err
	}
	return proof.AppHashWithOutcomes(stateHash, proof.OutcomeRoot(items)), nil
}

// committedAppHash is the app hash of the last committed block.
func (a *App) committedAppHash() (int64, []byte, error) {
	h, hash := a.db.LastCommitted()
	if h == 0 {
		return h, hash, nil
	}
	rec, err := a.db.Side(outBlockKey(h))
	if err != nil {
		return 0, nil, fmt.Errorf("app: read outcomes of height %d: %w", h, err)
	}
	if len(rec) == 0 {
		return h, hash, nil
	}
	items := splitItems(rec[32:])
	return h, proof.AppHashWithOutcomes(rec[:32], proof.OutcomeRoot(items)), nil
}

func splitItems(b []byte) [][]byte {
	items := make([][]byte, 0, len(b)/32)
	for len(b) >= 32 {
		items = append(items, b[:32])
		b = b[32:]
	}
	return items
}

// Outcome returns an end-block outcome by its full key ("fund/confirmation/
// rs-bank:P1"), the height of the block that produced it, and its proof
// under that block's app hash. An unknown key is ErrUnknownOutcome.
func (a *App) Outcome(key string) (int64, *proof.Outcome, error) {
	v, err := a.db.Side(outKeyKey(key))
	if err != nil {
		return 0, nil, err
	}
	if len(v) < 12 {
		return 0, nil, ErrUnknownOutcome.Wrapf("no outcome %q", key)
	}
	height := int64(binary.BigEndian.Uint64(v))
	index := int(binary.BigEndian.Uint32(v[8:]))
	rec, err := a.db.Side(outBlockKey(height))
	if err != nil {
		return 0, nil, err
	}
	if len(rec) < 32 {
		return 0, nil, fmt.Errorf("app: outcomes of height %d are missing", height)
	}
	o, err := proof.NewOutcome(key, v[12:], rec[:32], splitItems(rec[32:]), index)
	if err != nil {
		return 0, nil, fmt.Errorf("app: %w", err)
	}
	return height, o, nil
}

// OutcomeFor is Outcome with access control: the caller must be allowed to
// read what the outcome is about (the module names the query whose rule
// applies; a regulator reads everything).
func (a *App) OutcomeFor(key string, caller *module.Identity) (int64, *proof.Outcome, error) {
	modName, rest, _ := strings.Cut(key, "/")
	m, ok := a.reg.Module(modName)
	if !ok {
		return 0, nil, ErrUnknownOutcome.Wrapf("no module %q", modName)
	}
	oa, ok := m.(module.OutcomeAccess)
	if !ok {
		return 0, nil, ErrUnknownOutcome.Wrapf("module %s has no outcomes", modName)
	}
	path, ok := oa.OutcomeQuery(rest)
	if !ok {
		return 0, nil, ErrUnknownOutcome.Wrapf("no outcome %q", key)
	}
	if _, err := a.Read(modName+"/"+path, nil, caller); err != nil {
		return 0, nil, err
	}
	return a.Outcome(key)
}
