package gov

import (
	"encoding/binary"
	"encoding/json"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Payment is a recorded bond posting or premium payment.
type Payment struct {
	Kind   string `json:"kind"` // bond, premium
	Org    string `json:"org"`
	Amount int64  `json:"amount"`
	By     string `json:"by"`
	Height int64  `json:"height"`
	Time   string `json:"time"`
}

func logPayment(ctx *module.Context, kv module.KV, kind string, amount int64) error {
	k := binary.BigEndian.AppendUint64([]byte("log/"), uint64(ctx.Height))
	k = binary.BigEndian.AppendUint32(k, uint32(ctx.MsgIndex))
	return module.PutJSON(kv, k, &Payment{Kind: kind, Org: ctx.Signer.Org, Amount: amount, By: ctx.Signer.ID, Height: ctx.Height, Time: stamp(ctx.BlockTime)})
}

func postBond(ctx *module.Context, kv module.KV, m *PostBond) (any, error) {
	b, err := getBond(kv, ctx.Signer.Org)
	if err != nil {
		return nil, err
	}
	if b.Bond+m.Amount > MaxAmount || b.Posted+m.Amount > MaxAmount {
		return nil, ErrAmount.Wrapf("the bond would exceed %d units", MaxAmount)
	}
	b.Bond += m.Amount
	b.Posted += m.Amount
	if err := logPayment(ctx, kv, "bond", m.Amount); err != nil {
		return nil, err
	}
	ctx.Emit("bond_posted", module.A("org", b.Org), module.A("amount", itoa(m.Amount)))
	return b, module.PutJSON(kv, bondKey(b.Org), b)
}

func payPremium(ctx *module.Context, kv module.KV, m *PayPremium) (any, error) {
	b, err := getBond(kv, ctx.Signer.Org)
	if err != nil {
		return nil, err
	}
	if m.Amount > b.PremiumDue {
		return nil, ErrAmount.Wrapf("%s owes %d units of premium; %d is more", b.Org, b.PremiumDue, m.Amount)
	}
	pool, err := getPool(kv)
	if err != nil {
		return nil, err
	}
	b.PremiumDue -= m.Amount
	b.Paid += m.Amount
	if err := module.PutJSON(kv, keyPool, pool+m.Amount); err != nil {
		return nil, err
	}
	if err := logPayment(ctx, kv, "premium", m.Amount); err != nil {
		return nil, err
	}
	ctx.Emit("premium_paid", module.A("org", b.Org), module.A("amount", itoa(m.Amount)))
	return b, module.PutJSON(kv, bondKey(b.Org), b)
}

func fileClaim(ctx *module.Context, kv module.KV, m *FileClaim) (any, error) {
	if old, err := kv.Get(claimKey(m.ID)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrClaimExists.Wrapf("claim %s already exists", m.ID)
	}
	c := &Claim{ID: m.ID, Org: ctx.Signer.Org, Amount: m.Amount, Description: m.Description, Evidence: m.Evidence,
		Status: ClaimOpen, Filed: ctx.Height, FiledTime: stamp(ctx.BlockTime), FiledBy: ctx.Signer.ID}
	ctx.Emit("claim_filed", module.A("claim", c.ID), module.A("org", c.Org), module.A("amount", itoa(c.Amount)))
	return c, module.PutJSON(kv, claimKey(c.ID), c)
}

func rejectClaim(ctx *module.Context, kv module.KV, m *RejectClaim) (any, error) {
	org, err := member.GetOrg(ctx.Peer("member"), ctx.Signer.Org)
	if err != nil || org.Type != module.OrgRegulator {
		return nil, ErrNotPermitted.Wrapf("only the regulator's officers reject claims")
	}
	var c Claim
	if ok, err := module.GetJSON(kv, claimKey(m.ID), &c); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknownClaim.Wrapf("no claim %q", m.ID)
	}
	if c.Status != ClaimOpen {
		return nil, ErrClaimStatus.Wrapf("claim %s is %s", c.ID, c.Status)
	}
	c.Status, c.Rejected, c.RejectedBy, c.Reason, c.ClosedTime = ClaimRejected, ctx.Height, ctx.Signer.ID, m.Reason, stamp(ctx.BlockTime)
	ctx.Emit("claim_rejected", module.A("claim", c.ID), module.A("by", ctx.Signer.ID))
	return &c, module.PutJSON(kv, claimKey(c.ID), &c)
}

// payClaim pays an open claim from the pool (a passed proposal's
// gov/pay_claim action).
func payClaim(ctx *module.Context, kv module.KV, p *Proposal, id string) (json.RawMessage, error) {
	var c Claim
	if ok, err := module.GetJSON(kv, claimKey(id), &c); err != nil {
		return nil, err
	} else if !ok || c.Status != ClaimOpen {
		return nil, ErrClaimStatus.Wrapf("claim %s is not open", id)
	}
	pool, err := getPool(kv)
	if err != nil {
		return nil, err
	}
	if pool < c.Amount {
		return nil, ErrPoolShort.Wrapf("the pool holds %d units; claim %s asks %d", pool, c.ID, c.Amount)
	}
	c.Status, c.Paid, c.Proposal, c.ClosedTime = ClaimPaid, ctx.Height, p.ID, stamp(ctx.BlockTime)
	if err := module.PutJSON(kv, keyPool, pool-c.Amount); err != nil {
		return nil, err
	}
	if err := module.PutJSON(kv, claimKey(c.ID), &c); err != nil {
		return nil, err
	}
	ctx.Emit("claim_paid", module.A("claim", c.ID), module.A("org", c.Org), module.A("amount", itoa(c.Amount)))
	return json.Marshal(&c)
}
