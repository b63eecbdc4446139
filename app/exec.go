package app

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
	"github.com/otcchain/otcchain/tx"
)

// blockCtx is what the block header says, shared by every tx of the block.
type blockCtx struct {
	chainID string
	height  int64
	// time is the business time (blockTime plus the clock's offset):
	// recomputed after a tx that advanced the clock, so later txs and the
	// end-block see the new time.
	time      time.Time
	blockTime time.Time // the header time
	simulated bool      // the genesis enabled the business clock
	params    Params
	// misbehaviour is the evidence of the block (for end-blockers).
	misbehaviour []module.Misbehaviour
}

// checked is a transaction that passed every stateless and signer check.
type checked struct {
	hash   [32]byte
	env    *tx.Envelope
	body   *tx.Body
	signer module.Identity
	msgs   []checkedMsg
}

type checkedMsg struct {
	entry *msgEntry // nil for a batch
	msg   module.Msg
	items []tx.Any // batch items
}

// checker runs the checks shared by CheckTx and FinalizeBlock.
type checker struct {
	app       *App
	chainID   string
	params    Params
	kv        module.KVReader
	height    int64     // height the tx would be included at
	at        time.Time // block time (zero in CheckTx: wallClock decides)
	verifySig bool
	wallClock bool // CheckTx: certificate validity is judged by the local clock (never in FinalizeBlock)
}

// recheck is the fast path of a recheck (CometBFT re-runs CheckTx on every
// mempool tx after each block): for a tx whose full check passed on this
// node, only what a block can change is checked again — expiry, nonce, and
// the signer's registration, revocation, certificate validity and
// organisation. handled is false when the tx is unknown to the cache (or
// self-registering): the caller then runs the full check.
func (c *checker) recheck(raw []byte) (handled bool, err error) {
	m, ok := c.app.sigs.get(sha256.Sum256(raw))
	if !ok {
		return false, nil
	}
	if m.expiry < c.height {
		return true, ErrExpiredTx.Wrapf("expiry height %d is before height %d", m.expiry, c.height)
	}
	if m.expiry > c.height+c.params.MaxTxTTLBlocks {
		return true, ErrExpiryTooFar.Wrapf("expiry height %d is more than %d blocks after height %d", m.expiry, c.params.MaxTxTTLBlocks, c.height)
	}
	at := c.at
	if c.wallClock {
		at = time.Now().UTC()
	}
	if _, err := member.Authenticate(module.PrefixedReader(c.kv, "member/"), m.signer, at); err != nil {
		if errors.Is(err, member.ErrNotRegistered) {
			return false, nil
		}
		return true, mapSignerErr(err)
	}
	used, err := c.kv.Get(nonceKey(m.signer, m.nonce))
	if err != nil {
		return true, err
	}
	if used != nil {
		return true, ErrReplay.Wrapf("nonce %q of %s was already used", m.nonce, m.signer)
	}
	return true, nil
}

func (c *checker) check(raw []byte) (*checked, error) {
	out := &checked{hash: sha256.Sum256(raw)}
	env, err := tx.Decode(raw)
	if err != nil {
		return nil, ErrMalformedTx.Wrapf("%v", err)
	}
	body, err := tx.DecodeBody(env.Body)
	if err != nil {
		return nil, ErrMalformedTx.Wrapf("%v", err)
	}
	out.env, out.body = env, body
	if body.Expiry < c.height {
		return nil, ErrExpiredTx.Wrapf("expiry height %d is before height %d", body.Expiry, c.height)
	}
	if body.Expiry > c.height+c.params.MaxTxTTLBlocks {
		return nil, ErrExpiryTooFar.Wrapf("expiry height %d is more than %d blocks after height %d", body.Expiry, c.params.MaxTxTTLBlocks, c.height)
	}
	signer, err := c.signer(env, body)
	if err != nil {
		return nil, err
	}
	out.signer = *signer
	if tx.AlgName(env.Alg) != signer.Algorithm {
		return nil, ErrAlgMismatch.Wrapf("envelope says %s; identity %s uses %s", tx.AlgName(env.Alg), signer.ID, signer.Algorithm)
	}
	if c.verifySig && !c.app.sigs.has(out.hash) {
		pub, err := c.app.keys.get(signer.ID, crypto.Algorithm(signer.Algorithm), signer.PublicKey)
		if err != nil {
			return nil, ErrBadSignature.Wrapf("signer key: %v", err)
		}
		if !pub.Verify(tx.SignBytes(c.chainID, env.Body), env.Signature) {
			return nil, ErrBadSignature.Wrapf("signature by %s does not verify for chain %q", signer.ID, c.chainID)
		}
		c.app.sigs.add(out.hash, txMeta{signer: signer.ID, nonce: body.Nonce, expiry: body.Expiry})
	}
	used, err := c.kv.Get(nonceKey(signer.ID, body.Nonce))
	if err != nil {
		return nil, err
	}
	if used != nil {
		return nil, ErrReplay.Wrapf("nonce %q of %s was already used", body.Nonce, signer.ID)
	}
	for i, m := range body.Msgs {
		cm, err := c.checkMsg(i, m, signer.Role)
		if err != nil {
			return nil, err
		}
		out.msgs = append(out.msgs, cm)
	}
	return out, nil
}

// signer authenticates the envelope's signer: a registered, active identity,
// or a certificate registering itself.
func (c *checker) signer(env *tx.Envelope, body *tx.Body) (*module.Identity, error) {
	id := env.SignerID()
	at := c.at
	if c.wallClock {
		at = time.Now().UTC()
	}
	rec, err := member.Authenticate(module.PrefixedReader(c.kv, "member/"), id, at)
	if err == nil {
		ident := rec.Identity()
		return &ident, nil
	}
	switch {
	case errors.Is(err, member.ErrNotRegistered):
		if len(body.Msgs) == 1 && body.Msgs[0].Type == member.TypeRegisterIdentity {
			cert, cerr := member.SelfRegistration(body.Msgs[0].Value)
			if cerr == nil && cert.ID == id {
				role, rerr := module.ParseRole(cert.Role)
				if rerr != nil {
					return nil, member.ErrInvalidCertificate.Wrapf("%v", rerr)
				}
				return &module.Identity{ID: id, Org: cert.Org, Role: role, Name: cert.Name,
					Algorithm: string(cert.PublicKey.Algorithm()), PublicKey: cert.PublicKey.Bytes()}, nil
			}
		}
		return nil, ErrUnknownSigner.Wrapf("identity %s is not registered", id)
	}
	return nil, mapSignerErr(err)
}

// mapSignerErr turns the member module's refusal of a signer into the app's
// code for it (storage errors pass through).
func mapSignerErr(err error) error {
	switch {
	case errors.Is(err, member.ErrNotRegistered):
		return ErrUnknownSigner.Wrapf("%s", module.AsError(err).Message)
	case errors.Is(err, member.ErrRevoked):
		return ErrRevokedSigner.Wrapf("%s", module.AsError(err).Message)
	case errors.Is(err, member.ErrCertExpired):
		return ErrSignerCert.Wrapf("%s", module.AsError(err).Message)
	case errors.Is(err, member.ErrOrgInactive), errors.Is(err, member.ErrUnknownOrg):
		return ErrSignerOrg.Wrapf("%s", module.AsError(err).Message)
	}
	return err
}

func (c *checker) checkMsg(i int, m tx.Any, role module.Role) (checkedMsg, error) {
	if m.Type == tx.BatchMsgType {
		b, err := tx.DecodeBatch(m.Value)
		if err != nil {
			return checkedMsg{}, ErrMalformedTx.Wrapf("message %d: %v", i, err)
		}
		for j, it := range b.Items {
			e, err := c.lookup(it.Type, role, fmt.Sprintf("message %d item %d", i, j))
			if err != nil {
				return checkedMsg{}, err
			}
			if !e.spec.Batchable {
				return checkedMsg{}, ErrNotBatchable.Wrapf("message %d item %d: %s cannot be batched", i, j, it.Type)
			}
		}
		return checkedMsg{items: b.Items}, nil
	}
	e, err := c.lookup(m.Type, role, fmt.Sprintf("message %d", i))
	if err != nil {
		return checkedMsg{}, err
	}
	msg, err := decodeMsg(e, m.Value)
	if err != nil {
		return checkedMsg{}, wrapMsgErr(err, fmt.Sprintf("message %d (%s)", i, m.Type))
	}
	return checkedMsg{entry: e, msg: msg}, nil
}

func (c *checker) lookup(typ string, role module.Role, where string) (*msgEntry, error) {
	e, ok := c.app.reg.msgs[typ]
	if !ok {
		return nil, ErrUnknownMsg.Wrapf("%s: unknown message type %q", where, typ)
	}
	if !e.spec.Allows(role) {
		return nil, ErrRoleNotPermitted.Wrapf("%s: role %s may not send %s", where, role, typ)
	}
	return e, nil
}

// decodeMsg decodes a message value strictly and runs its stateless checks.
func decodeMsg(e *msgEntry, value json.RawMessage) (module.Msg, error) {
	msg := e.spec.New()
	if err := tx.StrictUnmarshal(value, msg); err != nil {
		return nil, ErrInvalidMsg.Wrapf("%v", err)
	}
	if err := msg.Validate(); err != nil {
		return nil, err
	}
	return msg, nil
}

// wrapMsgErr prefixes a coded error's message with where it happened.
func wrapMsgErr(err error, where string) error {
	if e := module.AsError(err); e != nil {
		return e.Wrapf("%s: %s", where, e.Message)
	}
	return err
}

// deliverTx executes one transaction of a block. A refusal before the
// messages run changes nothing. Once authenticated, the nonce is recorded
// whatever the messages do (the tx is spent). Messages are atomic together:
// if one fails, none of their writes remain. Batch items succeed or fail one
// by one. A returned error is a storage failure and halts the node.
func (a *App) deliverTx(blk *state.Block, bc *blockCtx, raw []byte, index uint32) (*abci.ExecTxResult, error) {
	c := &checker{app: a, chainID: bc.chainID, params: bc.params, kv: blk, height: bc.height, at: bc.blockTime, verifySig: true}
	ct, err := c.check(raw)
	if err != nil {
		h := sha256.Sum256(raw)
		if ierr := a.indexTx(blk, h, bc.height, index); ierr != nil {
			return nil, ierr
		}
		return refusal(err)
	}
	if bc.simulated { // receipts of a sandbox show the business time the tx ran at
		if err := blk.SetSide(bizTxKey(ct.hash), []byte(bc.time.Format(time.RFC3339Nano))); err != nil {
			return nil, err
		}
	}
	txb := blk.Branch()
	if err := recordNonce(txb, ct.signer.ID, ct.body.Nonce, ct.body.Expiry); err != nil {
		return nil, err
	}
	msgb := txb.Branch()
	ctx := &module.Context{ChainID: bc.chainID, Height: bc.height, Time: bc.time, BlockTime: bc.blockTime, TxHash: ct.hash[:], Signer: ct.signer, Router: a.route}
	var results []tx.ItemResult
	var events []abci.Event
	clockMoved := false
	for i, cm := range ct.msgs {
		ctx.MsgIndex = i
		clockMoved = clockMoved || (cm.entry != nil && cm.entry.mod.Name() == clockModule)
		if cm.entry == nil {
			items, ev, err := a.runBatch(ctx, msgb, cm.items, ct.signer.Role)
			if err != nil {
				return nil, err
			}
			data, _ := json.Marshal(map[string]any{"items": items})
			results = append(results, tx.ItemResult{Index: i, Data: data})
			events = append(events, ev...)
			continue
		}
		mark := len(ctx.Events())
		data, err := a.runMsg(ctx, msgb, cm.entry, cm.msg)
		if err != nil {
			e := module.AsError(err)
			if e == nil {
				return nil, err
			}
			msgb.Discard()
			ctx.ResetEvents(mark)
			a.observeRefusal(ctx, txb, cm.entry.spec.Type, cm.msg, e)
			ctx.ResetEvents(mark)
			if err := txb.Write(); err != nil {
				return nil, err
			}
			if err := a.indexTx(blk, ct.hash, bc.height, index); err != nil {
				return nil, err
			}
			e = e.Wrapf("message %d (%s): %s", i, cm.entry.spec.Type, e.Message)
			return &abci.ExecTxResult{Code: e.Code, Codespace: e.Codespace, Log: e.Error(), Events: []abci.Event{txEvent(ct, "failed")}}, nil
		}
		results = append(results, tx.ItemResult{Index: i, Data: data})
		events = append(events, toABCI(ctx.Events()[mark:], i)...)
	}
	if err := msgb.Write(); err != nil {
		return nil, err
	}
	if err := txb.Write(); err != nil {
		return nil, err
	}
	if err := a.indexTx(blk, ct.hash, bc.height, index); err != nil {
		return nil, err
	}
	if clockMoved {
		if err := a.setBusinessTime(blk, bc); err != nil {
			return nil, err
		}
	}
	data, err := json.Marshal(map[string]any{"msgs": results})
	if err != nil {
		return nil, err
	}
	events = append([]abci.Event{txEvent(ct, "ok")}, events...)
	return &abci.ExecTxResult{Code: 0, Data: data, Events: events, GasWanted: 1, GasUsed: 1}, nil
}

// runMsg executes one message on a branch of kv under the module's prefix.
// Handler panics become ErrHandlerPanic (deterministic: every node panics
// alike) so a bug in one module cannot halt the chain.
func (a *App) runMsg(ctx *module.Context, kv module.KV, e *msgEntry, msg module.Msg) (data json.RawMessage, err error) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("message handler panicked", "type", e.spec.Type, "height", ctx.Height, "panic", fmt.Sprint(r))
			data, err = nil, ErrHandlerPanic.Wrapf("%s handler failed: %v", e.spec.Type, r)
		}
	}()
	br := branchOf(kv)
	ctx.State = br
	ctx.Module = e.mod.Name()
	data, err = e.spec.Handle(ctx, module.Prefixed(br, e.mod.Name()+"/"), msg)
	if err != nil {
		br.Discard()
		return nil, err
	}
	return data, br.Write()
}

func (a *App) runBatch(ctx *module.Context, kv module.KV, items []tx.Any, role module.Role) ([]tx.ItemResult, []abci.Event, error) {
	out := make([]tx.ItemResult, len(items))
	var events []abci.Event
	for j, it := range items {
		out[j].Index = j
		e := a.reg.msgs[it.Type] // checked present and batchable
		mark := len(ctx.Events())
		msg, err := decodeMsg(e, it.Value)
		var data json.RawMessage
		if err == nil {
			data, err = a.runMsg(ctx, kv, e, msg)
		}
		if err != nil {
			ce := module.AsError(err)
			if ce == nil {
				return nil, nil, err
			}
			ctx.ResetEvents(mark)
			a.observeRefusal(ctx, kv, it.Type, msg, ce)
			ctx.ResetEvents(mark)
			out[j].Code, out[j].Codespace, out[j].Log = ce.Code, ce.Codespace, ce.Error()
			continue
		}
		out[j].Data = data
		ev := toABCI(ctx.Events()[mark:], ctx.MsgIndex)
		for k := range ev {
			ev[k].Attributes = append(ev[k].Attributes, abci.EventAttribute{Key: "item", Value: strconv.Itoa(j), Index: true})
		}
		events = append(events, ev...)
	}
	return out, events, nil
}

// brancher is what state.Block and state.Branch share.
type brancher interface {
	module.KV
	Branch() *state.Branch
}

func branchOf(kv module.KV) *state.Branch {
	return kv.(brancher).Branch()
}

func refusal(err error) (*abci.ExecTxResult, error) {
	e := module.AsError(err)
	if e == nil {
		return nil, err
	}
	return &abci.ExecTxResult{Code: e.Code, Codespace: e.Codespace, Log: e.Error()}, nil
}

func txEvent(ct *checked, status string) abci.Event {
	return abci.Event{Type: "otc_tx", Attributes: []abci.EventAttribute{
		{Key: "signer", Value: ct.signer.ID, Index: true},
		{Key: "org", Value: ct.signer.Org, Index: true},
		{Key: "status", Value: status, Index: true},
	}}
}

func toABCI(evs []module.Event, msgIndex int) []abci.Event {
	out := make([]abci.Event, 0, len(evs))
	for _, e := range evs {
		ae := abci.Event{Type: e.Type}
		for _, at := range e.Attrs {
			ae.Attributes = append(ae.Attributes, abci.EventAttribute{Key: at.Key, Value: at.Value, Index: true})
		}
		ae.Attributes = append(ae.Attributes, abci.EventAttribute{Key: "msg_index", Value: strconv.Itoa(msgIndex), Index: true})
		if e.Module != "" {
			// Not indexed: the API's event stream reads it to decide who
			// sees the event. ABCI events are not hashed.
			ae.Attributes = append(ae.Attributes, abci.EventAttribute{Key: "module", Value: e.Module})
		}
		out = append(out, ae)
	}
	return out
}

func (a *App) endBlock(blk *state.Block, bc *blockCtx) ([]abci.Event, []module.Outcome, []module.Validator, error) {
	var out []abci.Event
	var outcomes []module.Outcome
	var updates []module.Validator
	for _, m := range a.reg.Modules() {
		eb, ok := m.(module.EndBlocker)
		if !ok {
			continue
		}
		ctx := &module.Context{ChainID: bc.chainID, Height: bc.height, Time: bc.time, BlockTime: bc.blockTime, Module: m.Name(), Router: a.route, Misbehaviour: bc.misbehaviour}
		br := blk.Branch()
		ctx.State = br
		if err := eb.EndBlock(ctx, module.Prefixed(br, m.Name()+"/")); err != nil {
			return nil, nil, nil, fmt.Errorf("app: end block %s: %w", m.Name(), err)
		}
		if err := br.Write(); err != nil {
			return nil, nil, nil, err
		}
		updates = append(updates, ctx.ValidatorUpdates()...)
		for _, o := range ctx.Outcomes() {
			outcomes = append(outcomes, module.Outcome{Key: m.Name() + "/" + o.Key, Value: o.Value})
		}
		evs := toABCI(ctx.Events(), -1)
		for i := range evs { // end-block events may be many (a confirmation chunk): not indexed
			for k := range evs[i].Attributes {
				evs[i].Attributes[k].Index = false
			}
		}
		out = append(out, evs...)
	}
	return out, outcomes, updates, nil
}

// clockModule is the name of the business clock module (package clock).
const clockModule = "clock"

// setBusinessTime reads the clock's offset from kv (once per block, and
// again after a tx that ran a clock message) and sets bc.time to the block
// time plus it. Without the clock module or its genesis the offset is 0.
func (a *App) setBusinessTime(kv module.KVReader, bc *blockCtx) error {
	bc.time = bc.blockTime
	if _, ok := a.reg.Module(clockModule); !ok {
		return nil
	}
	sim, offset, err := clock.State(module.PrefixedReader(kv, clockModule+"/"))
	if err != nil {
		return fmt.Errorf("app: read the business clock: %w", err)
	}
	bc.time, bc.simulated = bc.blockTime.Add(offset), sim
	return nil
}

// Side records of a simulated clock (not hashed; written only on a network
// whose genesis enabled the clock): the business time each tx ran at, and
// the one each block's end-block ran at, for receipts.
func bizTxKey(hash [32]byte) []byte { return append([]byte("app/biz-tx/"), hash[:]...) }
func bizHeightKey(h int64) []byte   { return append([]byte("app/biz-h/"), heightBytes(h)...) }

// TxBusinessTime returns the business time a committed tx ran at on a
// network with a simulated clock (ok false elsewhere, or for an unknown tx).
func (a *App) TxBusinessTime(hash []byte) (time.Time, bool) {
	if len(hash) != 32 {
		return time.Time{}, false
	}
	var h [32]byte
	copy(h[:], hash)
	return a.sideTime(bizTxKey(h))
}

// BlockBusinessTime returns the business time the end-block of height ran
// at (its outcomes' time) on a network with a simulated clock.
func (a *App) BlockBusinessTime(height int64) (time.Time, bool) {
	return a.sideTime(bizHeightKey(height))
}

func (a *App) sideTime(key []byte) (time.Time, bool) {
	b, err := a.db.Side(key)
	if err != nil || b == nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	return t, err == nil
}

// Side record of the tx index (not hashed: it is derived from blocks).
func txIndexKey(hash [32]byte) []byte { return append([]byte("tx/"), hash[:]...) }

func (a *App) indexTx(blk *state.Block, hash [32]byte, height int64, index uint32) error {
	v := append(heightBytes(height), byte(index>>24), byte(index>>16), byte(index>>8), byte(index))
	return blk.SetSide(txIndexKey(hash), v)
}

// TxLocation returns where a committed tx is.
func (a *App) TxLocation(hash []byte) (int64, uint32, bool, error) {
	if len(hash) != 32 {
		return 0, 0, false, nil
	}
	var h [32]byte
	copy(h[:], hash)
	v, err := a.db.Side(txIndexKey(h))
	if err != nil || v == nil {
		return 0, 0, false, err
	}
	if len(v) != 12 {
		return 0, 0, false, fmt.Errorf("app: corrupt tx index for %s", hex.EncodeToString(hash))
	}
	height := int64(uint64(v[0])<<56 | uint64(v[1])<<48 | uint64(v[2])<<40 | uint64(v[3])<<32 | uint64(v[4])<<24 | uint64(v[5])<<16 | uint64(v[6])<<8 | uint64(v[7]))
	idx := uint32(v[8])<<24 | uint32(v[9])<<16 | uint32(v[10])<<8 | uint32(v[11])
	return height, idx, true, nil
}
