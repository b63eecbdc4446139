package fund_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/supervision"
)

type memKV map[string][]byte

func (m memKV) Get(k []byte) ([]byte, error) { return m[string(k)], nil }
func (m memKV) Set(k, v []byte) error        { m[string(k)] = append([]byte(nil), v...); return nil }
func (m memKV) Delete(k []byte) error        { delete(m, string(k)); return nil }
func (m memKV) Iterate(start, end []byte, fn func(k, v []byte) bool) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k >= string(start) && (end == nil || k < string(end)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !fn([]byte(k), m[k]) {
			break
		}
	}
	return nil
}

// TestReceiveSetCalendar: a passed governance proposal replaces the trading
// calendar with the body of a fund/set_calendar message; no other caller or
// action is taken, and a malformed body changes nothing.
func TestReceiveSetCalendar(t *testing.T) {
	m, kv, ctx := fund.New(), memKV{}, &module.Context{Module: "fund", Time: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	body, err := json.Marshal(fund.SetCalendar{Calendar: scenarioCalendar()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from, action string
		payload      string
		want         *module.Error
	}{
		{"supervision", "set_calendar", string(body), fund.ErrNotPermitted},
		{"gov", "calendar", `{"mode":"set","calendar":` + string(body[len(`{"calendar":`):len(body)-1]) + `}`, fund.ErrNotPermitted},
		{"gov", "set_fees", string(body), fund.ErrInvalidRequest},
		{"gov", "set_calendar", `{"calendar":{}}`, fund.ErrInvalidRequest},
		{"gov", "set_calendar", `{"calendar":` + string(body) + `}`, fund.ErrInvalidRequest},
		{"gov", "set_calendar", string(body) + `{}`, fund.ErrInvalidRequest},
	} {
		if _, err := m.Receive(ctx, kv, c.from, c.action, json.RawMessage(c.payload)); !errors.Is(err, c.want) {
			t.Errorf("%s from %s (%.40s): %v, want %s", c.action, c.from, c.payload, err, c.want.Name)
		}
	}
	if len(kv) != 0 {
		t.Fatal("a refused call wrote")
	}
	res, err := m.Receive(ctx, kv, "gov", "set_calendar", body)
	if err != nil || len(kv) != 1 || len(ctx.Events()) != 1 {
		t.Fatalf("set_calendar: %s %v (%d keys, %v)", res, err, len(kv), ctx.Events())
	}
}

// TestSupervisionContract: the supervision module recognises this module's
// unsuitable refusal by name, and the investor types it has thresholds for.
func TestSupervisionContract(t *testing.T) {
	if got := fund.ErrUnsuitable.Codespace + "/" + fund.ErrUnsuitable.Name; got != supervision.UnsuitableRefusal {
		t.Fatalf("fund's unsuitable refusal is %s; supervision counts %s", got, supervision.UnsuitableRefusal)
	}
	th := supervision.Thresholds{Individual: 1, Institution: 2, Professional: 3}
	for i, typ := range []string{fund.InvestorIndividual, fund.InvestorInstitution, fund.InvestorProfessional} {
		if th.For(typ) != supervision.Amount(i+1) {
			t.Fatalf("supervision has no threshold for investor type %s", typ)
		}
	}
}

// FuzzReceive feeds arbitrary set_calendar payloads from gov: no panic,
// only coded refusals, and a refusal writes nothing.
func FuzzReceive(f *testing.F) {
	body, _ := json.Marshal(fund.SetCalendar{Calendar: scenarioCalendar()})
	for _, s := range []string{string(body), `{"calendar":{}}`, `{}`, `null`, `{"calendar":{"from":"2026-01-01","to":"2026-01-02","days":"x"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		kv := memKV{}
		_, err := fund.New().Receive(&module.Context{Module: "fund"}, kv, "gov", "set_calendar", data)
		if err != nil && (module.AsError(err) == nil || len(kv) != 0) {
			t.Fatalf("uncoded or writing refusal: %v", err)
		}
	})
}
