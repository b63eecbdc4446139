package app

import (
	"encoding/json"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cryptoenc "github.com/cometbft/cometbft/crypto/encoding"

	"github.com/otcchain/otcchain/module"
)

// route runs a module.Context.Call: action of module target on the state the
// caller sees (the caller's message or end-block branch), so the callee's
// writes commit or roll back with the caller's. The call itself is atomic:
// a refused call leaves nothing behind, so the caller may handle the
// refusal. ctx.Module is the callee's name while it runs.
func (a *App) route(ctx *module.Context, target, action string, payload json.RawMessage) (json.RawMessage, error) {
	// A call to a module that is not there or takes no calls is refused,
	// never fatal: every node refuses it alike (governance may name a
	// module's action before the module implements it).
	m, ok := a.reg.Module(target)
	if !ok {
		return nil, ErrNoReceiver.Wrapf("call from %s to unknown module %q", ctx.Module, target)
	}
	rcv, ok := m.(module.Receiver)
	if !ok {
		return nil, ErrNoReceiver.Wrapf("module %s takes no calls (%s from %s)", target, action, ctx.Module)
	}
	kv, ok := ctx.State.(module.KV)
	if !ok {
		return nil, fmt.Errorf("app: call %s/%s outside a writable context", target, action)
	}
	from, state, mark := ctx.Module, ctx.State, len(ctx.Events())
	br := branchOf(kv)
	ctx.Module, ctx.State = target, br
	res, err := rcv.Receive(ctx, module.Prefixed(br, target+"/"), from, action, payload)
	ctx.Module, ctx.State = from, state
	if err != nil {
		br.Discard()
		ctx.ResetEvents(mark)
		return nil, err
	}
	return res, br.Write()
}

// observeRefusal lets every module.RefusalObserver record a refused message
// on kv (the tx's branch: the message's own writes are already discarded).
// An observer that panics or fails leaves nothing behind and is logged; it
// never turns the refusal into a halt.
func (a *App) observeRefusal(ctx *module.Context, kv module.KV, msgType string, msg module.Msg, refusal *module.Error) {
	if msg == nil {
		return
	}
	for _, m := range a.reg.Modules() {
		ob, ok := m.(module.RefusalObserver)
		if !ok {
			continue
		}
		func() {
			br := branchOf(kv)
			defer func() {
				if r := recover(); r != nil {
					br.Discard()
					a.log.Error("refusal observer panicked", "module", m.Name(), "type", msgType, "height", ctx.Height, "panic", fmt.Sprint(r))
				}
			}()
			saved, savedState, mark := ctx.Module, ctx.State, len(ctx.Events())
			ctx.Module, ctx.State = m.Name(), br
			err := ob.ObserveRefusal(ctx, module.Prefixed(br, m.Name()+"/"), msgType, msg, refusal)
			ctx.Module, ctx.State = saved, savedState
			if err != nil {
				br.Discard()
				ctx.ResetEvents(mark)
				a.log.Error("refusal observer failed", "module", m.Name(), "type", msgType, "height", ctx.Height, "err", err)
				return
			}
			if err := br.Write(); err != nil {
				a.log.Error("refusal observer write failed", "module", m.Name(), "err", err)
			}
		}()
	}
}

// genesisValidators converts InitChain's validators for the modules.
func genesisValidators(vs []abci.ValidatorUpdate) ([]module.Validator, error) {
	out := make([]module.Validator, 0, len(vs))
	for _, v := range vs {
		pk, err := cryptoenc.PubKeyFromProto(v.PubKey)
		if err != nil {
			return nil, fmt.Errorf("genesis validator: %w", err)
		}
		out = append(out, module.Validator{Address: strings.ToUpper(pk.Address().String()), PubKeyType: pk.Type(), PubKey: pk.Bytes(), Power: v.Power})
	}
	return out, nil
}

// misbehaviour converts FinalizeBlock's evidence for the modules.
func misbehaviour(ms []abci.Misbehavior) []module.Misbehaviour {
	out := make([]module.Misbehaviour, 0, len(ms))
	for _, m := range ms {
		typ := "unknown"
		switch m.Type {
		case abci.MisbehaviorType_DUPLICATE_VOTE:
			typ = "duplicate_vote"
		case abci.MisbehaviorType_LIGHT_CLIENT_ATTACK:
			typ = "light_client_attack"
		}
		out = append(out, module.Misbehaviour{Type: typ, Validator: strings.ToUpper(fmt.Sprintf("%X", m.Validator.Address)),
			Power: m.Validator.Power, Height: m.Height, Time: m.Time.UTC(), TotalVotingPower: m.TotalVotingPower})
	}
	return out
}

// validatorUpdates converts the modules' updates for CometBFT: one update
// per key (CometBFT refuses duplicates), the last asked for wins, in the
// order the keys were first asked for.
func validatorUpdates(vs []module.Validator) ([]abci.ValidatorUpdate, error) {
	out := make([]abci.ValidatorUpdate, 0, len(vs))
	at := map[string]int{}
	for _, v := range vs {
		if v.PubKeyType != "ed25519" || len(v.PubKey) != 32 || v.Power < 0 {
			return nil, fmt.Errorf("app: invalid validator update %s (%s, %d bytes, power %d)", v.Address, v.PubKeyType, len(v.PubKey), v.Power)
		}
		u := abci.UpdateValidator(v.PubKey, v.Power, v.PubKeyType)
		if i, ok := at[string(v.PubKey)]; ok {
			out[i] = u
			continue
		}
		at[string(v.PubKey)] = len(out)
		out = append(out, u)
	}
	return out, nil
}

// keyValChanges is the side record of the heights at which the validator set
// changed (JSON list): receipts carry a trust path through them.
var keyValChanges = []byte("app/validator-changes")

// recordValidatorChange notes that updates returned at height h change the
// set from h+2 on (h+1 is kept too: the last header signed by the old set).
func (a *App) recordValidatorChange(h int64) error {
	hs := a.ValidatorChangeHeights()
	hs = append(hs, h+1, h+2)
	b, err := json.Marshal(hs)
	if err != nil {
		return err
	}
	return a.block.SetSide(keyValChanges, b)
}
