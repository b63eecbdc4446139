package module_test

import (
	"errors"
	"reflect"
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

func TestQuerySpec(t *testing.T) {
	type answer struct{ N int }
	refusal := errors.New("refused")
	q := module.Query("things/{id}", func(_ *module.QueryContext, _ module.KVReader, p map[string]string) (*answer, error) {
		if p["id"] == "bad" {
			return &answer{N: -1}, refusal
		}
		return &answer{N: len(p["id"])}, nil
	}).WithRoles(module.RoleAdmin)
	if q.Path != "things/{id}" || q.Public || len(q.Roles) != 1 || q.Answer() != reflect.TypeFor[*answer]() {
		t.Fatalf("spec %+v answer %v", q, q.Answer())
	}
	v, err := q.Handle(&module.QueryContext{}, nil, map[string]string{"id": "abc"})
	if a, ok := v.(*answer); err != nil || !ok || a.N != 3 {
		t.Fatalf("answer %#v, %v", v, err)
	}
	if v, err := q.Handle(&module.QueryContext{}, nil, map[string]string{"id": "bad"}); v != nil || !errors.Is(err, refusal) {
		t.Fatalf("refusal: %#v, %v", v, err)
	}
	if !q.WithPublic().Public {
		t.Fatal("WithPublic")
	}
	var bare module.QuerySpec
	if _, err := bare.Handle(&module.QueryContext{}, nil, nil); err == nil || bare.Answer() != nil {
		t.Fatal("a spec not built by Query answers")
	}
}
