package api

import (
	"time"

	"github.com/otcchain/otcchain/proof"
)

// ClockReader is implemented by an AppReader that knows the business clock
// (*app.App does): /v1/status and receipts show the business time and
// whether the clock is simulated, so that a sandbox day is never taken for a
// real one. Without it, business time is block time.
type ClockReader interface {
	// BusinessClock is the clock as of the last committed block.
	BusinessClock() (business, block time.Time, simulated bool, offset time.Duration)
	// TxBusinessTime and BlockBusinessTime are the business times a tx, and
	// a block's end-block, ran at on a simulated network (ok false elsewhere).
	TxBusinessTime(hash []byte) (time.Time, bool)
	BlockBusinessTime(height int64) (time.Time, bool)
}

// clockOffset returns whether the network's clock is simulated and its
// offset (false, 0 without a ClockReader).
func (s *Server) clockOffset() (bool, time.Duration) {
	cr, ok := s.cfg.App.(ClockReader)
	if !ok {
		return false, 0
	}
	_, _, sim, off := cr.BusinessClock()
	return sim, off
}

// receiptClock is the clock note of a receipt: set only on a simulated
// network, from the business time the tx (hash) or end-block (height) ran at.
func (s *Server) receiptClock(hash []byte, height int64) *proof.Clock {
	cr, ok := s.cfg.App.(ClockReader)
	if !ok {
		return nil
	}
	if _, _, sim, _ := cr.BusinessClock(); !sim {
		return nil
	}
	var t time.Time
	if hash != nil {
		t, ok = cr.TxBusinessTime(hash)
	} else {
		t, ok = cr.BlockBusinessTime(height)
	}
	if !ok {
		return &proof.Clock{Simulated: true}
	}
	return &proof.Clock{Simulated: true, BusinessTime: t.UTC().Format(time.RFC3339Nano)}
}
