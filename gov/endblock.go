package gov

import (
	"encoding/binary"
	"encoding/json"
	"time"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// EndBlock implements module.EndBlocker: it expires proposals whose voting
// period is over, hands the queued validator changes to CometBFT, deals with
// reported misbehaviour and accrues premiums at period boundaries. Each step
// reads one index range or key, so an idle block costs a few reads.
func (m *Module) EndBlock(ctx *module.Context, kv module.KV) error {
	if err := expire(ctx, kv); err != nil {
		return err
	}
	for _, mb := range ctx.Misbehaviour {
		if err := punish(ctx, kv, mb); err != nil {
			return err
		}
	}
	if err := flushValidators(ctx, kv); err != nil {
		return err
	}
	return accrue(ctx, kv)
}

func expire(ctx *module.Context, kv module.KV) error {
	end := binary.BigEndian.AppendUint64([]byte("exp/"), uint64(ctx.BlockTime.UnixNano())+1)
	var keys [][]byte
	if err := kv.Iterate([]byte("exp/"), end, func(k, _ []byte) bool {
		keys = append(keys, append([]byte(nil), k...))
		return true
	}); err != nil {
		return err
	}
	for _, k := range keys {
		id := string(k[len("exp/")+9:])
		p, err := getProposal(kv, id)
		if err != nil {
			return err
		}
		if err := kv.Delete(k); err != nil {
			return err
		}
		if p.Status != StatusOpen {
			continue
		}
		p.Status, p.Decided, p.DecidedTime = StatusExpired, ctx.Height, stamp(ctx.BlockTime)
		if err := module.PutJSON(kv, proposalKey(p.ID), p); err != nil {
			return err
		}
		ctx.Emit("proposal_expired", module.A("proposal", p.ID))
	}
	return nil
}

func flushValidators(ctx *module.Context, kv module.KV) error {
	var qs []queued
	if err := iterate(kv, []byte("vq/"), func(_, v []byte) error {
		var q queued
		if err := json.Unmarshal(v, &q); err != nil {
			return err
		}
		qs = append(qs, q)
		return nil
	}); err != nil {
		return err
	}
	for _, q := range qs {
		// Changes that cancel out within the block reach CometBFT as
		// nothing (removing a validator it never had would halt it).
		if q.Power != q.Was {
			ctx.UpdateValidator(module.Validator{Address: q.Address, PubKeyType: q.PubKeyType, PubKey: q.PubKey, Power: q.Power})
		}
		if err := kv.Delete(queueKey(q.Address)); err != nil {
			return err
		}
	}
	return nil
}

// punish records one piece of evidence (once), removes the offender's power
// even below the safety floor (a byzantine validator must go) and debits its
// organisation's bond into the pool.
func punish(ctx *module.Context, kv module.KV, mb module.Misbehaviour) error {
	k := evKey(mb.Type, mb.Validator, mb.Height)
	if old, err := kv.Get(k); err != nil || old != nil {
		return err
	}
	ev := Evidence{Type: mb.Type, Validator: mb.Validator, Height: mb.Height, Time: stamp(mb.Time), Recorded: ctx.Height}
	var v Validator
	ok, err := module.GetJSON(kv, valKey(mb.Validator), &v)
	if err != nil {
		return err
	}
	if ok {
		ev.Org = v.Org
		if v.Power > 0 {
			ev.PowerRemoved = v.Power
			v.Power, v.Since = 0, ctx.Height
			if err := setValidator(kv, v); err != nil {
				return err
			}
			vals, err := loadValidators(kv)
			if err != nil {
				return err
			}
			if err := checkSafety(vals); err != nil {
				ev.FloorBreached = true
				ctx.Emit("validator_floor_breached", module.A("validator", v.Address), module.A("reason", module.AsError(err).Message))
			}
		}
	}
	if ev.Org != "" {
		params, err := getParams(kv)
		if err != nil {
			return err
		}
		b, err := getBond(kv, ev.Org)
		if err != nil {
			return err
		}
		ev.Debited = min(b.Bond, params.SlashAmount)
		if ev.Debited > 0 {
			pool, err := getPool(kv)
			if err != nil {
				return err
			}
			b.Bond -= ev.Debited
			b.Debited += ev.Debited
			if err := module.PutJSON(kv, bondKey(b.Org), b); err != nil {
				return err
			}
			if err := module.PutJSON(kv, keyPool, pool+ev.Debited); err != nil {
				return err
			}
		}
	}
	ctx.Emit("misbehaviour", module.A("type", ev.Type), module.A("validator", ev.Validator), module.A("org", ev.Org),
		module.A("height", itoa(ev.Height)), module.A("power_removed", itoa(ev.PowerRemoved)), module.A("debited", itoa(ev.Debited)))
	return module.PutJSON(kv, k, &ev)
}

// maxPeriods bounds the premium periods accrued in one block (a chain
// stopped for years catches up over several blocks).
const maxPeriods = 100

func accrue(ctx *module.Context, kv module.KV) error {
	raw, err := kv.Get(keyPremiumNext)
	if err != nil || len(raw) != 8 {
		return err
	}
	next := time.Unix(0, int64(binary.BigEndian.Uint64(raw))).UTC()
	if ctx.BlockTime.Before(next) {
		return nil
	}
	params, err := getParams(kv)
	if err != nil {
		return err
	}
	period := time.Duration(params.PremiumPeriodDays) * 24 * time.Hour
	n := int64(0)
	for !ctx.BlockTime.Before(next) && n < maxPeriods {
		next = next.Add(period)
		n++
	}
	if err := kv.Set(keyPremiumNext, binary.BigEndian.AppendUint64(nil, uint64(next.UnixNano()))); err != nil {
		return err
	}
	if params.Premium == 0 {
		return nil
	}
	orgs, err := memberOrgs(ctx.Peer("member"))
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if o.Status != member.StatusActive {
			continue
		}
		b, err := getBond(kv, o.ID)
		if err != nil {
			return err
		}
		b.PremiumDue = min(MaxAmount, b.PremiumDue+n*params.Premium)
		if err := module.PutJSON(kv, bondKey(b.Org), b); err != nil {
			return err
		}
	}
	ctx.Emit("premium_accrued", module.A("periods", itoa(n)), module.A("premium", itoa(params.Premium)))
	return nil
}
