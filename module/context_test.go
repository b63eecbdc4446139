package module_test

import (
	"testing"
	"time"

	"github.com/otcchain/otcchain/module"
)

// BlockStamp is empty unless a simulated clock put business time ahead of
// block time, so records of a network without the clock keep their bytes.
func TestBlockStamp(t *testing.T) {
	const layout = "2006-01-02T15:04:05Z"
	bt := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ctx  module.Context
		want string
	}{
		{module.Context{Time: bt, BlockTime: bt}, ""},
		{module.Context{Time: bt}, ""}, // a context built without BlockTime
		{module.Context{Time: bt.In(time.FixedZone("UTC+8", 8*3600)), BlockTime: bt}, ""},
		{module.Context{Time: bt.Add(5 * time.Hour), BlockTime: bt}, "2026-12-07T02:00:00Z"},
	} {
		if got := c.ctx.BlockStamp(layout); got != c.want {
			t.Errorf("%v / %v: %q, want %q", c.ctx.Time, c.ctx.BlockTime, got, c.want)
		}
	}
}
