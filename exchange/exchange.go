package exchange

import (
	"encoding/binary"
	"slices"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// resolve maps each listed recipient to its organisation: an organisation
// id stands for itself, an identity id for its organisation.
func resolve(mk module.KVReader, targets []string) (map[string]string, error) {
	out := make(map[string]string, len(targets))
	for _, t := range targets {
		if _, err := member.GetOrg(mk, t); err == nil {
			out[t] = t
			continue
		} else if module.AsError(err) == nil {
			return nil, err
		}
		rec, err := member.GetRecord(mk, t)
		if err != nil {
			if module.AsError(err) != nil {
				return nil, ErrRecipients.Wrapf("recipient %q is neither an organisation nor a registered identity", t)
			}
			return nil, err
		}
		if rec.Status != member.StatusActive {
			return nil, ErrRecipients.Wrapf("recipient %s is %s", t, rec.Status)
		}
		if rec.Role == module.RoleInvestor || rec.Role == module.RoleSeal {
			return nil, ErrRecipients.Wrapf("recipient %s is an %s identity: files go to organisations' people", t, rec.Role)
		}
		out[t] = rec.Org
	}
	return out, nil
}

// covers says whether the identity rec is (or belongs to) target.
func covers(target, targetOrg string, rec *member.Record) bool {
	if target == targetOrg {
		return rec.Org == targetOrg && rec.Role != module.RoleInvestor && rec.Role != module.RoleSeal
	}
	return rec.ID == target
}

func send(ctx *module.Context, kv module.KV, m *Send) (any, error) {
	mk := ctx.Peer("member")
	if old, err := kv.Get(recordKey(m.ID)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrExists.Wrapf("record %s already exists", m.ID)
	}
	if !crypto.VerifyHex(ctx.Signer.Algorithm, ctx.Signer.PublicKey, FileStatement(ctx.ChainID, m.ID, m.HashAlg, m.Hash, m.Size, m.Name), m.Signature) {
		return nil, ErrBadSignature.Wrapf("the sender's signature over the file statement does not verify with its registered key")
	}
	orgs, err := resolve(mk, m.Recipients)
	if err != nil {
		return nil, err
	}
	// The content key is wrapped for the sender, the recipients and the
	// regulator: nobody else.
	recs, regulator, err := member.CheckRecipients(mk, m.Key)
	if e := module.AsError(err); e != nil {
		return nil, ErrRecipients.Wrapf("%s", e.Message)
	} else if err != nil {
		return nil, err
	}
	if !regulator {
		return nil, ErrRecipients.Wrapf("the content key must be wrapped for a regulator identity")
	}
	for _, r := range recs {
		ok := r.ID == ctx.Signer.ID || isRegulator(mk, r.Identity()) ||
			(r.Org == ctx.Signer.Org && r.Role != module.RoleInvestor && r.Role != module.RoleSeal) // the sender's colleagues
		for _, t := range m.Recipients {
			ok = ok || covers(t, orgs[t], r)
		}
		if !ok {
			return nil, ErrRecipients.Wrapf("the key is wrapped for %s (%s of %s), who is neither of the sender's organisation, a recipient nor the regulator", r.ID, r.Role, r.Org)
		}
	}
	for _, t := range m.Recipients {
		if !slices.ContainsFunc(recs, func(r *member.Record) bool { return covers(t, orgs[t], r) }) {
			return nil, ErrRecipients.Wrapf("recipient %s has no wrapped key: it could not read the file", t)
		}
	}
	for _, p := range m.Parents {
		pr, err := GetRecord(kv, p)
		if err != nil {
			return nil, ErrParent.Wrapf("parent %s: no such record", p)
		}
		if !readable(mk, pr, ctx.Signer) {
			return nil, ErrParent.Wrapf("parent %s is not visible to the sender", p)
		}
	}
	seq, err := nextSeq(kv)
	if err != nil {
		return nil, err
	}
	r := &Record{ID: m.ID, Sender: ctx.Signer.ID, SenderOrg: ctx.Signer.Org, Recipients: m.Recipients, Category: m.Category,
		Name: m.Name, Size: m.Size, Hash: m.Hash, HashAlg: m.HashAlg, Signature: m.Signature, Parents: m.Parents, Key: m.Key,
		Inline: m.Inline, Blob: m.Blob, Height: ctx.Height, Time: ctx.Time.UTC().Format("2006-01-02T15:04:05.000Z"), BlockTime: ctx.BlockStamp("2006-01-02T15:04:05.000Z"), Tx: hexOf(ctx.TxHash), Seq: seq}
	if err := module.PutJSON(kv, recordKey(r.ID), r); err != nil {
		return nil, err
	}
	keys := [][]byte{boxKey("out", r.SenderOrg, seq), append(hashPrefix(r.HashAlg, r.Hash), r.ID...)}
	seen := map[string]bool{}
	for _, t := range m.Recipients {
		if o := orgs[t]; !seen[o] {
			seen[o] = true
			keys = append(keys, boxKey("in", o, seq))
		}
	}
	for _, p := range m.Parents {
		keys = append(keys, append(childPrefix(p), r.ID...))
	}
	if r.Blob != nil {
		keys = append(keys, append(blobPrefix(r.Blob.Hash), r.ID...))
	}
	for _, k := range keys {
		if err := kv.Set(k, []byte(r.ID)); err != nil {
			return nil, err
		}
	}
	for _, t := range m.Recipients {
		ctx.Emit("file_sent", module.A("record", r.ID), module.A("sender", r.SenderOrg), module.A("recipient", t),
			module.A("recipient_org", orgs[t]), module.A("category", r.Category), module.A("hash", r.Hash))
	}
	return map[string]any{"record": r.ID, "height": r.Height, "recipients": r.Recipients}, nil
}

func nextSeq(kv module.KV) (uint64, error) {
	b, err := kv.Get([]byte("seq"))
	if err != nil {
		return 0, err
	}
	var n uint64
	if len(b) == 8 {
		n = binary.BigEndian.Uint64(b)
	}
	n++
	return n, kv.Set([]byte("seq"), binary.BigEndian.AppendUint64(nil, n))
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, digits[x>>4], digits[x&15])
	}
	return string(out)
}

// readable says whether who may read a record: its sender's organisation,
// a recipient (the organisation's people, or the identity), the regulator.
func readable(mk module.KVReader, r *Record, who module.Identity) bool {
	if who.Role == module.RoleInvestor || who.Role == module.RoleSeal {
		return false
	}
	if who.Org == r.SenderOrg || isRegulator(mk, who) {
		return true
	}
	for _, t := range r.Recipients {
		if t == who.ID || t == who.Org {
			return true
		}
	}
	return false
}

// Readable says whether who may fetch and read a record (the API's blob
// route asks it). A refusal is ErrNotPermitted.
func Readable(kv, members module.KVReader, id string, who *module.Identity) (*Record, error) {
	r, err := GetRecord(kv, id)
	if err != nil {
		return nil, err
	}
	if who == nil || !readable(members, r, *who) {
		return nil, ErrNotPermitted.Wrapf("only the sender, the recipients and the regulator may read record %s", id)
	}
	return r, nil
}

// targetOf returns the listed recipient the signer acknowledges for.
func targetOf(r *Record, who module.Identity, asked string) (string, bool) {
	for _, t := range r.Recipients {
		if (asked == "" || asked == t) && (t == who.ID || t == who.Org) {
			return t, true
		}
	}
	return "", false
}

func ack(ctx *module.Context, kv module.KV, m *AckMsg) (any, error) {
	r, err := GetRecord(kv, m.Record)
	if err != nil {
		return nil, err
	}
	target, ok := targetOf(r, ctx.Signer, m.Target)
	if !ok {
		return nil, ErrNotPermitted.Wrapf("%s of %s is not a recipient of record %s", ctx.Signer.Role, ctx.Signer.Org, r.ID)
	}
	if old, err := kv.Get(ackKey(r.ID, target)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrAlreadyAcked.Wrapf("record %s was already acknowledged for %s", r.ID, target)
	}
	if !crypto.VerifyHex(ctx.Signer.Algorithm, ctx.Signer.PublicKey, AckStatement(ctx.ChainID, r.ID, r.Hash, m.Accepted, m.Reason), m.Signature) {
		return nil, ErrBadSignature.Wrapf("the acknowledgement signature does not verify with the signer's registered key")
	}
	a := &Ack{Record: r.ID, Target: target, By: ctx.Signer.ID, Org: ctx.Signer.Org, Accepted: m.Accepted, Reason: m.Reason,
		Signature: m.Signature, Height: ctx.Height, Time: ctx.Time.UTC().Format("2006-01-02T15:04:05.000Z"), BlockTime: ctx.BlockStamp("2006-01-02T15:04:05.000Z"), Tx: hexOf(ctx.TxHash)}
	if err := module.PutJSON(kv, ackKey(r.ID, target), a); err != nil {
		return nil, err
	}
	verdict := "accepted"
	if !m.Accepted {
		verdict = "rejected"
	}
	ctx.Emit("file_acknowledged", module.A("record", r.ID), module.A("sender", r.SenderOrg), module.A("recipient", target), module.A("verdict", verdict))
	return a, nil
}
