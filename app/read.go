package app

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Read answers a module query against the last committed state. path is
// "<module>/<query path>", e.g. "member/identities/ab12...". Public queries
// need no caller; others need a caller whose role the query lists, and a
// regulator (an officer, or an admin of the regulator organisation) passes every role check (look-through supervision); the query
// may refuse further. Refusals are *module.Error values.
func (a *App) Read(path string, params map[string]string, caller *module.Identity) (any, error) {
	modName, rest, _ := strings.Cut(path, "/")
	m, ok := a.reg.Module(modName)
	if !ok {
		return nil, ErrUnknownQuery.Wrapf("no module %q", modName)
	}
	for _, q := range m.Queries() {
		vars, ok := matchPath(q.Path, rest)
		if !ok {
			continue
		}
		if !q.Public {
			if caller == nil {
				return nil, ErrAuthRequired.Wrapf("%s needs an authenticated identity", path)
			}
			allowed, err := member.IsRegulator(module.PrefixedReader(a.db.Committed(), "member/"), *caller)
			if err != nil {
				return nil, err
			}
			for _, r := range q.Roles {
				allowed = allowed || r == caller.Role
			}
			if !allowed {
				return nil, ErrNotPermitted.Wrapf("role %s may not read %s", caller.Role, path)
			}
		}
		p := make(map[string]string, len(params)+len(vars))
		for k, v := range params {
			p[k] = v
		}
		for k, v := range vars {
			p[k] = v
		}
		h, _ := a.db.LastCommitted()
		ck := a.Clock()
		qc := &module.QueryContext{Chain: a.ChainID(), Height: h, Caller: caller, State: a.db.Committed(),
			Time: ck.BusinessTime, BlockTime: ck.BlockTime, ClockSimulated: ck.Simulated}
		return q.Handle(qc, module.PrefixedReader(a.db.Committed(), modName+"/"), p)
	}
	return nil, ErrUnknownQuery.Wrapf("no query %q", path)
}

// matchPath matches "identities/{id}" against "identities/ab12".
func matchPath(pattern, path string) (map[string]string, bool) {
	ps := strings.Split(pattern, "/")
	xs := strings.Split(path, "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	vars := map[string]string{}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if xs[i] == "" {
				return nil, false
			}
			vars[p[1:len(p)-1]] = xs[i]
			continue
		}
		if p != xs[i] {
			return nil, false
		}
	}
	return vars, true
}

// Identity returns a registered, active identity whose certificate is valid
// now (API authentication; the wall clock is fine outside consensus).
func (a *App) Identity(id string) (*module.Identity, error) {
	rec, err := member.Authenticate(module.PrefixedReader(a.db.Committed(), "member/"), id, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	ident := rec.Identity()
	return &ident, nil
}

// ValidatorChangeHeights lists heights at which the validator set changed
// (receipts carry a trust path through them): governance and misbehaviour
// change it.
func (a *App) ValidatorChangeHeights() []int64 {
	b, err := a.db.Side(keyValChanges)
	if err != nil || b == nil {
		return nil
	}
	var hs []int64
	if json.Unmarshal(b, &hs) != nil {
		return nil
	}
	return hs
}

// keyBlockTime is the side record of the last block's time.
var keyBlockTime = []byte("app/block-time")

// lastBlockTime is the time of the last committed block (zero before one).
func (a *App) lastBlockTime() time.Time {
	b, err := a.db.Side(keyBlockTime)
	if err != nil || b == nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}
	}
	return t
}

// ClockState is the business clock as of the last committed block.
type ClockState struct {
	// BusinessTime is BlockTime plus Offset (zero before the first block).
	BusinessTime time.Time
	// BlockTime is the header time of the last committed block.
	BlockTime time.Time
	// Simulated says the genesis enabled the business clock.
	Simulated bool
	// Offset is how far business time runs ahead of block time (0 without
	// the clock).
	Offset time.Duration
}

// BusinessClock is Clock as plain values (the API's view of it).
func (a *App) BusinessClock() (business, block time.Time, simulated bool, offset time.Duration) {
	c := a.Clock()
	return c.BusinessTime, c.BlockTime, c.Simulated, c.Offset
}

// Clock returns the business clock as of the last committed block: its
// header time and the clock's committed offset (the business time the
// block's end-block saw, and the next block starts from). Status pages and
// receipts show it so that a simulated day is never mistaken for a real one.
func (a *App) Clock() ClockState {
	bt := a.lastBlockTime()
	c := ClockState{BusinessTime: bt, BlockTime: bt}
	if _, ok := a.reg.Module(clockModule); !ok {
		return c
	}
	sim, offset, err := clock.State(module.PrefixedReader(a.db.Committed(), clockModule+"/"))
	if err != nil {
		a.log.Error("read the business clock", "err", err)
		return c
	}
	c.Simulated, c.Offset = sim, offset
	if !bt.IsZero() {
		c.BusinessTime = bt.Add(offset)
	}
	return c
}
