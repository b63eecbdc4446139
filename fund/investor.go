package fund

import (
	"bytes"
	"fmt"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// checkRecipients checks a sealed envelope's recipients against the
// identities on chain (member.CheckRecipients): registered, active, wrapped
// with the algorithm of their registered encryption key; each is the signer,
// the investor's own identity or of a role that may hold personal data
// (MayHoldPersonal, channel being the investor's channel); the required ids
// are there; and at least one recipient acts for the regulator.
func checkRecipients(ctx *module.Context, env *crypto.Envelope, channel, identity string, required ...string) error {
	recs, regulator, err := member.CheckRecipients(members(ctx), env)
	if e := module.AsError(err); e != nil {
		return ErrPersonalData.Wrapf("%s", e.Message)
	} else if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.ID == ctx.Signer.ID || (identity != "" && rec.ID == identity) {
			continue
		}
		o, err := member.GetOrg(members(ctx), rec.Org)
		if err != nil {
			return err
		}
		if !MayHoldPersonal(o.Type, rec.Role, rec.Org == channel) {
			return ErrPersonalData.Wrapf("recipient %s has role %s in %s (%s): that role may not hold investors' personal data", rec.ID, rec.Role, rec.Org, o.Type)
		}
	}
	for _, id := range required {
		if !env.HasRecipient(id) {
			return ErrPersonalData.Wrapf("the personal data must be sealed for %s", id)
		}
	}
	if !regulator {
		return ErrPersonalData.Wrapf("the personal data must be sealed for a regulator identity (look-through supervision)")
	}
	return nil
}

// investorIdentity checks an investor's own identity: registered, active,
// an investor certificate of the channel's organisation.
func investorIdentity(ctx *module.Context, id, channel string) (*member.Record, error) {
	rec, err := member.GetRecord(members(ctx), id)
	if err != nil {
		if module.AsError(err) != nil {
			return nil, ErrInvalidRequest.Wrapf("identity %s is not registered", id)
		}
		return nil, err
	}
	if rec.Role != module.RoleInvestor || rec.Org != channel || rec.Status != member.StatusActive {
		return nil, ErrInvalidRequest.Wrapf("identity %s must be an active investor identity issued by %s", id, channel)
	}
	return rec, nil
}

// requiredRecipients are the signer and, if it has an encryption key, the
// investor's own identity.
func requiredRecipients(ctx *module.Context, inv string) ([]string, error) {
	req := []string{ctx.Signer.ID}
	if inv != "" {
		rec, err := member.GetRecord(members(ctx), inv)
		if err != nil {
			return nil, err
		}
		if rec.CurrentEncKey() != nil {
			req = append(req, inv)
		}
	}
	return req, nil
}

func registerInvestor(ctx *module.Context, kv module.KV, m *RegisterInvestor) (any, error) {
	ch, err := channelOf(ctx)
	if err != nil {
		return nil, err
	}
	if old, err := kv.Get(investorKey(m.ID)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrInvestorExists.Wrapf("investor %s is already registered", m.ID)
	}
	if m.RequireSig && m.Identity == "" {
		return nil, ErrInvalidRequest.Wrapf("require_investor_sig needs the investor's identity")
	}
	if m.Identity != "" {
		if _, err := investorIdentity(ctx, m.Identity, ch); err != nil {
			return nil, err
		}
	}
	req, err := requiredRecipients(ctx, m.Identity)
	if err != nil {
		return nil, err
	}
	if err := checkRecipients(ctx, m.Personal, ch, m.Identity, req...); err != nil {
		return nil, err
	}
	inv := &Investor{
		ID: m.ID, Type: m.Type, Risk: m.Risk, RiskAssessed: m.RiskAssessed, RiskExpires: m.RiskExpires,
		Channel: ch, KYCBy: ctx.Signer.ID, Identity: m.Identity, RequireSig: m.RequireSig,
		Personal: m.Personal, Commitment: m.Commitment, CommitAlg: m.CommitAlg,
		TAAccounts: map[string]string{}, Registered: ctx.Height,
	}
	if err := module.PutJSON(kv, investorKey(m.ID), inv); err != nil {
		return nil, err
	}
	ctx.Emit("investor_registered", module.A("investor", m.ID), module.A("channel", ch), module.A("risk", fmt.Sprintf("C%d", m.Risk)))
	return map[string]any{"investor": m.ID, "channel": ch}, nil
}

// ownInvestor loads an investor that the signer's organisation is the
// channel of.
func ownInvestor(ctx *module.Context, kv module.KVReader, id string) (*Investor, error) {
	inv, err := getInvestor(kv, id)
	if err != nil {
		return nil, err
	}
	if inv.Channel != ctx.Signer.Org {
		return nil, ErrNotPermitted.Wrapf("investor %s belongs to channel %s, not %s", id, inv.Channel, ctx.Signer.Org)
	}
	if err := orgNotFrozen(ctx); err != nil {
		return nil, err
	}
	return inv, nil
}

func updateInvestor(ctx *module.Context, kv module.KV, m *UpdateInvestor) (any, error) {
	inv, err := ownInvestor(ctx, kv, m.ID)
	if err != nil {
		return nil, err
	}
	inv.Risk, inv.RiskAssessed, inv.RiskExpires = m.Risk, m.RiskAssessed, m.RiskExpires
	if m.Personal != nil {
		req, err := requiredRecipients(ctx, inv.Identity)
		if err != nil {
			return nil, err
		}
		if err := checkRecipients(ctx, m.Personal, inv.Channel, inv.Identity, req...); err != nil {
			return nil, err
		}
		inv.Personal, inv.Commitment, inv.CommitAlg = m.Personal, m.Commitment, m.CommitAlg
	}
	inv.Updated = ctx.Height
	if err := module.PutJSON(kv, investorKey(inv.ID), inv); err != nil {
		return nil, err
	}
	ctx.Emit("investor_updated", module.A("investor", inv.ID), module.A("risk", fmt.Sprintf("C%d", inv.Risk)))
	return map[string]any{"investor": inv.ID}, nil
}

func sharePersonal(ctx *module.Context, kv module.KV, m *SharePersonal) (any, error) {
	inv, err := ownInvestor(ctx, kv, m.Investor)
	if err != nil {
		return nil, err
	}
	old, env := inv.Personal, m.Personal
	if old.Cipher != env.Cipher || !bytes.Equal(old.Nonce, env.Nonce) || !bytes.Equal(old.Ciphertext, env.Ciphertext) {
		return nil, ErrPersonalData.Wrapf("the content differs from the registered one: rewrap the same envelope (crypto.Rewrap)")
	}
	for _, id := range old.RecipientIDs() {
		if !env.HasRecipient(id) {
			return nil, ErrPersonalData.Wrapf("recipient %s of the registered envelope is missing", id)
		}
	}
	added := addedRecipients(old, env)
	if len(added) == 0 || len(env.Recipients) != len(old.Recipients)+len(added) {
		return nil, ErrPersonalData.Wrapf("no new recipient (or one named twice)")
	}
	if err := checkShareRecipients(ctx, inv, m.With, added); err != nil {
		return nil, err
	}
	inv.Personal, inv.Updated = env, ctx.Height
	if err := module.PutJSON(kv, investorKey(inv.ID), inv); err != nil {
		return nil, err
	}
	ctx.Emit("personal_data_shared", module.A("investor", inv.ID), module.A("with", m.With),
		module.A("recipients", fmt.Sprint(len(env.Recipients))), module.A("added", fmt.Sprint(len(added))))
	return map[string]any{"investor": inv.ID, "with": m.With, "recipients": env.RecipientIDs()}, nil
}

func openAccount(ctx *module.Context, kv module.KV, m *OpenAccount) (any, error) {
	inv, err := ownInvestor(ctx, kv, m.Investor)
	if err != nil {
		return nil, err
	}
	if t, err := orgType(members(ctx), m.Manager); err != nil {
		return nil, err
	} else if t != module.OrgFundManager {
		return nil, ErrInvalidRequest.Wrapf("%s is not a fund manager", m.Manager)
	}
	if id, ok := inv.TAAccounts[m.Manager]; ok {
		return nil, ErrAccountExists.Wrapf("investor %s already has TA account %s with %s", inv.ID, id, m.Manager)
	}
	today, err := ChinaDate(ctx.Time)
	if err != nil {
		return nil, ErrCalendar.Wrapf("%v", err)
	}
	if inv.KYCStatus(today) != "verified" {
		return nil, ErrKYCExpired.Wrapf("investor %s: risk assessment expired on %s", inv.ID, inv.RiskExpires)
	}
	seq, err := nextSeq(kv, "ta")
	if err != nil {
		return nil, err
	}
	ta := &TAAccount{ID: fmt.Sprintf("%012d", seq), Manager: m.Manager, Investor: inv.ID, Channel: inv.Channel, Opened: ctx.Height, AppNo: m.AppNo}
	if inv.TransAccount == "" {
		seq, err := nextSeq(kv, "tr")
		if err != nil {
			return nil, err
		}
		inv.TransAccount = fmt.Sprintf("%017d", seq)
		if err := kv.Set(transKey(inv.TransAccount), []byte(inv.ID)); err != nil {
			return nil, err
		}
	}
	if inv.TAAccounts == nil {
		inv.TAAccounts = map[string]string{}
	}
	inv.TAAccounts[m.Manager] = ta.ID
	inv.Updated = ctx.Height
	if err := module.PutJSON(kv, taKey(ta.ID), ta); err != nil {
		return nil, err
	}
	if err := indexAccountOpened(kv, ta, today); err != nil {
		return nil, err
	}
	if err := module.PutJSON(kv, investorKey(inv.ID), inv); err != nil {
		return nil, err
	}
	ctx.Emit("account_opened", module.A("investor", inv.ID), module.A("manager", m.Manager), module.A("ta_account", ta.ID), module.A("business", "101"))
	return map[string]any{"business": "101", "return_code": RetSuccess, "ta_account": ta.ID, "trans_account": inv.TransAccount}, nil
}

// RiskAck is a signed risk disclosure.
type RiskAck struct {
	Investor       string `json:"investor"`
	Fund           string `json:"fund"`
	DisclosureHash string `json:"disclosure_hash"`
	SignedBy       string `json:"signed_by"`              // the investor's identity, or the channel's for an attested paper signature
	InvestorSig    string `json:"investor_sig,omitempty"` // when relayed by the channel
	Height         int64  `json:"height"`
}

func acknowledgeRisk(ctx *module.Context, kv module.KV, m *AcknowledgeRisk) (any, error) {
	inv, err := getInvestor(kv, m.Investor)
	if err != nil {
		return nil, err
	}
	if _, err := getFund(kv, m.Fund); err != nil {
		return nil, err
	}
	ack := &RiskAck{Investor: inv.ID, Fund: m.Fund, DisclosureHash: m.DisclosureHash, SignedBy: ctx.Signer.ID, Height: ctx.Height}
	switch {
	case ctx.Signer.Role == module.RoleInvestor:
		if inv.Identity != ctx.Signer.ID {
			return nil, ErrNotPermitted.Wrapf("only investor %s's own identity may sign its risk disclosure", inv.ID)
		}
	case ctx.Signer.Org == inv.Channel:
		if inv.Identity != "" || m.InvestorSig != "" {
			if inv.Identity == "" {
				return nil, ErrInvestorSignature.Wrapf("investor %s has no identity to verify a signature with", inv.ID)
			}
			if m.InvestorSig == "" {
				return nil, ErrInvestorSignature.Wrapf("investor %s has an identity: the acknowledgement needs its signature", inv.ID)
			}
			if err := verifyBy(members(ctx), inv.Identity, RiskAckStatement(ctx.ChainID, inv.ID, m.Fund, m.DisclosureHash), m.InvestorSig); err != nil {
				return nil, ErrInvestorSignature.Wrapf("%v", err)
			}
			ack.SignedBy, ack.InvestorSig = inv.Identity, m.InvestorSig
		}
	default:
		return nil, ErrNotPermitted.Wrapf("investor %s belongs to channel %s", inv.ID, inv.Channel)
	}
	if err := module.PutJSON(kv, ackKey(inv.ID, m.Fund), ack); err != nil {
		return nil, err
	}
	ctx.Emit("risk_acknowledged", module.A("investor", inv.ID), module.A("fund", m.Fund))
	return ack, nil
}
