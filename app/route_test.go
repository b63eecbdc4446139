package app_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

// probe is a test module exercising the app's plumbing between modules:
// Context.Call, refusal observers, validator updates and misbehaviour.
type probe struct{ name, peer string }

var probeCodes = map[string]*module.Codes{}

func newProbe(name, peer string) *probe {
	if probeCodes[name] == nil {
		c := module.NewCodes(name)
		c.Register(1, "refused", "refused on purpose")
		probeCodes[name] = c
	}
	return &probe{name: name, peer: peer}
}

type probeMsg struct {
	Key    string `json:"key"`
	Call   string `json:"call,omitempty"`   // action to call on the peer
	Refuse bool   `json:"refuse,omitempty"` // refuse after the call
	Catch  bool   `json:"catch,omitempty"`  // carry on when the call is refused
}

func (probeMsg) Validate() error { return nil }

func (p *probe) Name() string                { return p.name }
func (p *probe) Codes() *module.Codes        { return probeCodes[p.name] }
func (p *probe) Queries() []module.QuerySpec { return nil }
func (p *probe) InitGenesis(ctx *module.Context, kv module.KV, _ json.RawMessage) error {
	b, _ := json.Marshal(ctx.GenesisValidators)
	return kv.Set([]byte("genesis-validators"), b)
}
func (p *probe) Msgs() []module.MsgSpec {
	return []module.MsgSpec{module.Spec(p.name+"/do", []module.Role{module.RoleAdmin}, true, func(ctx *module.Context, kv module.KV, m *probeMsg) (any, error) {
		if err := kv.Set([]byte("k/"+m.Key), []byte(ctx.Module)); err != nil {
			return nil, err
		}
		if m.Call != "" {
			if err := ctx.Call(p.peer, m.Call, m, nil); err != nil && !m.Catch {
				return nil, err
			}
		}
		if m.Refuse {
			return nil, p.Codes().All()[0].Wrapf("no")
		}
		return "ok", nil
	})}
}

// Receive writes what it was called with, or refuses "bad" after a write.
func (p *probe) Receive(ctx *module.Context, kv module.KV, from, action string, payload json.RawMessage) (json.RawMessage, error) {
	if err := kv.Set([]byte("recv/"+action), []byte(from+">"+ctx.Module)); err != nil {
		return nil, err
	}
	if action == "bad" {
		return nil, p.Codes().All()[0].Wrapf("callee refuses")
	}
	return payload, nil
}

func (p *probe) ObserveRefusal(ctx *module.Context, kv module.KV, typ string, msg module.Msg, e *module.Error) error {
	return kv.Set([]byte("refused/"+msg.(*probeMsg).Key), []byte(typ+" "+e.Codespace+"/"+e.Name))
}

// EndBlock removes validators reported as misbehaving.
func (p *probe) EndBlock(ctx *module.Context, kv module.KV) error {
	for _, m := range ctx.Misbehaviour {
		var vals []module.Validator
		b, _ := kv.Get([]byte("genesis-validators"))
		_ = json.Unmarshal(b, &vals)
		for _, v := range vals {
			if v.Address == m.Validator {
				v.Power = 0
				ctx.UpdateValidator(v)
			}
		}
		if err := kv.Set([]byte("evidence/"+m.Validator), []byte(m.Type)); err != nil {
			return err
		}
	}
	return nil
}

func probeGet(t *testing.T, db *state.DB, key string) string {
	t.Helper()
	v, err := db.Committed().Get([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}

func TestModulePlumbing(t *testing.T) {
	c := consortium(t)
	h := &harness{t: t, dir: t.TempDir(), c: c, now: genesisTime}
	db, err := state.Open(h.dir, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{DB: db, Modules: []module.Module{newProbe("pa", "pb"), newProbe("pb", "pa")}})
	if err != nil {
		t.Fatal(err)
	}
	h.db, h.app = db, a
	t.Cleanup(h.close)
	pub := make([]byte, 32)
	pub[0] = 7
	vu := abci.UpdateValidator(pub, 10, "ed25519")
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: c.ChainID, Time: genesisTime, InitialHeight: 1,
		AppStateBytes: c.AppState(), Validators: []abci.ValidatorUpdate{vu}}); err != nil {
		t.Fatal(err)
	}
	h.block()
	var gv []module.Validator
	if err := json.Unmarshal([]byte(probeGet(t, db, "pa/genesis-validators")), &gv); err != nil || len(gv) != 1 || gv[0].Power != 10 || len(gv[0].Address) != 40 {
		t.Fatalf("genesis validators = %+v (%v)", gv, err)
	}

	admin := c.User("fm-alpha/admin")
	do := func(m probeMsg) tx.Any {
		b, _ := json.Marshal(m)
		return tx.Any{Type: "pa/do", Value: b}
	}
	res := h.block(
		c.Tx(admin, h.expiry(), do(probeMsg{Key: "a", Call: "good"})),
		c.Tx(admin, h.expiry(), do(probeMsg{Key: "b", Call: "bad"})),
		c.Tx(admin, h.expiry(), do(probeMsg{Key: "c", Call: "bad", Catch: true})),
		c.Tx(admin, h.expiry(), do(probeMsg{Key: "d", Call: "good2", Refuse: true})),
		c.Tx(admin, h.expiry(), tx.Any{Type: tx.BatchMsgType, Value: mustJSON(t, map[string]any{"items": []tx.Any{do(probeMsg{Key: "e", Refuse: true}), do(probeMsg{Key: "f"})}})}),
	)
	for i, want := range []uint32{0, 1, 0, 1, 0} {
		if res[i].Code != want {
			t.Fatalf("tx %d: code %d (%s), want %d", i, res[i].Code, res[i].Log, want)
		}
	}
	for key, want := range map[string]string{
		"pa/k/a":        "pa",
		"pb/recv/good":  "pa>pb", // the callee sees the caller and itself as ctx.Module
		"pa/k/b":        "",      // refused by the callee: the caller's write is gone too
		"pb/recv/bad":   "",      // a refused call leaves nothing behind ...
		"pa/k/c":        "pa",    // ... and the caller may carry on
		"pa/k/d":        "",      // refused after a good call: both roll back
		"pb/recv/good2": "",
		"pa/refused/b":  "pa/do pb/refused", // observers see every refusal, keep their writes
		"pb/refused/b":  "pa/do pb/refused",
		"pa/refused/d":  "pa/do pa/refused",
		"pa/refused/e":  "pa/do pa/refused", // batch items too
		"pa/k/f":        "pa",
		"pa/refused/a":  "",
	} {
		if got := probeGet(t, db, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}

	// Misbehaviour reaches end-blockers; their validator updates reach the
	// engine and the change heights are recorded for receipts.
	h.now = h.now.Add(1e9)
	fb, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: h.height + 1, Time: h.now,
		Misbehavior: []abci.Misbehavior{{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: mustHex(t, gv[0].Address), Power: 10}, Height: h.height, TotalVotingPower: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	h.commit()
	if len(fb.ValidatorUpdates) != 1 || fb.ValidatorUpdates[0].Power != 0 { // both probes removed it: one update
		t.Fatalf("validator updates = %+v", fb.ValidatorUpdates)
	}
	if got := probeGet(t, db, "pa/evidence/"+gv[0].Address); got != "duplicate_vote" {
		t.Fatalf("evidence = %q", got)
	}
	if got := a.ValidatorChangeHeights(); len(got) != 2 || got[0] != h.height+1 || got[1] != h.height+2 {
		t.Fatalf("change heights = %v (block %d)", got, h.height)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bareQuery is a module declaring a query spec by hand, without a handler
// or an answer type.
type bareQuery struct{ *probe }

func (bareQuery) Queries() []module.QuerySpec {
	return []module.QuerySpec{{Path: "things", Public: true}}
}

// A query spec not built by module.Query (no handler, no answer type) is
// refused at registration.
func TestRegistryRefusesQueryWithoutAnswer(t *testing.T) {
	if _, err := app.NewRegistry(bareQuery{newProbe("bare", "")}); err == nil {
		t.Fatal("a query without an answer type was registered")
	}
	if _, err := app.NewRegistry(newProbe("bare", "")); err != nil {
		t.Fatal(err)
	}
}
