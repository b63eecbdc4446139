package supervision_test

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/supervision"
)

// memKV is an in-memory module.KV for calling Receive directly.
type memKV map[string][]byte

func (m memKV) Get(k []byte) ([]byte, error) { return m[string(k)], nil }
func (m memKV) Set(k, v []byte) error        { m[string(k)] = append([]byte(nil), v...); return nil }
func (m memKV) Delete(k []byte) error        { delete(m, string(k)); return nil }
func (m memKV) Iterate(start, end []byte, fn func(k, v []byte) bool) error {
	var keys []string
	for k := range m {
		if k >= string(start) && (end == nil || k < string(end)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !fn([]byte(k), m[k]) {
			break
		}
	}
	return nil
}

func newState(t *testing.T) (*supervision.Module, *module.Context, memKV) {
	t.Helper()
	m, kv := supervision.New(), memKV{}
	ctx := &module.Context{Time: time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC), Height: 5, Module: "supervision", State: kv}
	if err := m.InitGenesis(ctx, kv, json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
	return m, ctx, kv
}

func codeOf(err error) string {
	if e := module.AsError(err); e != nil {
		return e.Codespace + "/" + e.Name
	}
	if err == nil {
		return "ok"
	}
	return "uncoded: " + err.Error()
}

// TestReceiveCallers: each action is taken from its one expected module.
func TestReceiveCallers(t *testing.T) {
	m, ctx, kv := newState(t)
	rules, _ := json.Marshal(supervision.DefaultRules())
	for _, c := range []struct {
		from, action, payload, want string
	}{
		{"fund", "set_rules", string(rules), "supervision/unexpected_caller"},
		{"contract", "set_params", `{"approvals":3}`, "supervision/unexpected_caller"},
		{"gov", "order", `{"investor":"A"}`, "supervision/unexpected_caller"},
		{"gov", "drop_everything", `{}`, "supervision/invalid_request"},
		{"gov", "set_params", `{"approvals":1}`, "supervision/invalid_request"},
		{"gov", "set_params", `{"approvals":3,"x":1}`, "supervision/invalid_request"},
		{"gov", "set_params", `{"approvals":3}`, "ok"},
		{"gov", "set_rules", string(rules), "ok"},
		{"gov", "calendar_expiring", `{"to":"2026-03-31","date":"2026-03-10","days_left":21}`, "supervision/unexpected_caller"},
		{"fund", "calendar_expiring", `{"to":"2026-03-31","x":1}`, "supervision/invalid_request"},
		{"fund", "calendar_expiring", `{"to":"2026-03-31","date":"2026-03-10","days_left":21}`, "ok"},
	} {
		_, err := m.Receive(ctx, kv, c.from, c.action, json.RawMessage(c.payload))
		if got := codeOf(err); got != c.want {
			t.Errorf("%s from %s: %s, want %s", c.action, c.from, got, c.want)
		}
	}
	var p supervision.Genesis
	if err := json.Unmarshal(kv["params"], &p); err != nil || p.Approvals != 3 {
		t.Fatalf("params = %s (%v)", kv["params"], err)
	}
}

// TestSetRules: the rule set is replaced whole and validated: a missing
// rule (no mode), an unknown field or a parameter out of range is refused
// and changes nothing.
func TestSetRules(t *testing.T) {
	m, ctx, kv := newState(t)
	before := string(kv["rules"])
	r := supervision.DefaultRules()
	if before == "" {
		t.Fatal("genesis wrote no rules")
	}
	set := func(v any) error {
		b, _ := json.Marshal(v)
		_, err := m.Receive(ctx, kv, "gov", "set_rules", b)
		return err
	}
	bad := []func(r *supervision.Rules){
		func(r *supervision.Rules) { r.Dormant.Mode = "" },
		func(r *supervision.Rules) { r.Dormant.Mode = "warn" },
		func(r *supervision.Rules) { r.Structuring.Count = 1 },
		func(r *supervision.Rules) { r.Structuring.MarginPct = 0 },
		func(r *supervision.Rules) { r.LargeTransaction.Thresholds.Institution = 0 },
		func(r *supervision.Rules) { r.PrivateFundCap.MaxInvestors = 0 },
		func(r *supervision.Rules) { r.RapidRedeem.Days = 0 },
		func(r *supervision.Rules) { r.UnsuitableAttempts.WindowDays = 99999 },
	}
	for i, f := range bad {
		x := r
		f(&x)
		if err := set(&x); !errors.Is(err, supervision.ErrInvalidRules) {
			t.Errorf("bad rules %d: %v", i, err)
		}
	}
	for _, raw := range []string{`{}`, `{"large_transaction":{"mode":"alert"}}`, `[]`, `{"dormant":{"mode":"off"},"extra":1}`} {
		if _, err := m.Receive(ctx, kv, "gov", "set_rules", json.RawMessage(raw)); !errors.Is(err, supervision.ErrInvalidRules) {
			t.Errorf("%s: %v", raw, err)
		}
	}
	if string(kv["rules"]) != before {
		t.Fatal("a refused rule set changed the rules")
	}
	// Off rules need no parameters.
	x := r
	x.Dormant = supervision.Dormant{Mode: supervision.ModeOff}
	x.PrivateFundCap.Mode = supervision.ModeAlert
	if err := set(&x); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(kv["rules"]), `"dormant":{"mode":"off","days":0}`) {
		t.Fatalf("rules = %s", kv["rules"])
	}
	// The orders now see the new rules: a private fund over the cap alerts
	// instead of blocking.
	x.PrivateFundCap.MaxInvestors = 1
	if err := set(&x); err != nil {
		t.Fatal(err)
	}
	for i, inv := range []string{"A", "B"} {
		f := supervision.OrderFacts{Order: "rs:" + inv, Channel: "rs", Manager: "fm", Fund: "000001", Private: true, Investor: inv,
			InvestorType: "professional", Kind: supervision.OrderSubscribe, Amount: 100000000, Value: 100000000}
		b, _ := json.Marshal(f)
		res, err := m.Receive(ctx, kv, "fund", "order", b)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(res); (i == 1) != strings.Contains(got, "A-000001") {
			t.Fatalf("order %d: %s", i, got)
		}
	}
}

func TestAmount(t *testing.T) {
	for s, want := range map[string]string{"0": "0.00", "1": "1.00", "1.5": "1.50", "500000.00": "500000.00", "92233720368547757.00": "92233720368547757.00"} {
		a, err := supervision.ParseAmount(s)
		if err != nil || a.String() != want {
			t.Errorf("%s: %v %v", s, a, err)
		}
	}
	for _, s := range []string{"", "-1", "01", "1.", ".5", "1.234", "1e3", "+1", "92233720368547758.00", "1 000"} {
		if _, err := supervision.ParseAmount(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
