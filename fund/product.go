package fund

import (
	"slices"

	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/module"
)

// ownFund loads a fund the signer's organisation manages.
func ownFund(ctx *module.Context, kv module.KVReader, code string) (*Fund, error) {
	f, err := getFund(kv, code)
	if err != nil {
		return nil, err
	}
	if f.Manager != ctx.Signer.Org {
		return nil, ErrNotPermitted.Wrapf("fund %s is managed by %s, not %s", code, f.Manager, ctx.Signer.Org)
	}
	return f, nil
}

func registerFund(ctx *module.Context, kv module.KV, m *RegisterFund) (any, error) {
	if m.Manager != ctx.Signer.Org {
		return nil, ErrNotPermitted.Wrapf("%s may register funds of its own organisation only, not of %s", ctx.Signer.Org, m.Manager)
	}
	mk := members(ctx)
	if t, err := orgType(mk, m.Manager); err != nil {
		return nil, err
	} else if t != module.OrgFundManager {
		return nil, ErrInvalidRequest.Wrapf("manager %s is a %s, not a fund manager", m.Manager, t)
	}
	if t, err := orgType(mk, m.Custodian); err != nil {
		return nil, err
	} else if t != module.OrgCustodian {
		return nil, ErrInvalidRequest.Wrapf("custodian %s is a %s, not a custodian", m.Custodian, t)
	}
	var resellers []string
	for _, r := range m.Resellers {
		if t, err := orgType(mk, r); err != nil {
			return nil, err
		} else if t != module.OrgReseller {
			return nil, ErrInvalidRequest.Wrapf("%s is a %s, not a reseller", r, t)
		}
		resellers = sortedInsert(resellers, r)
	}
	if old, err := kv.Get(fundKey(m.Code)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrFundExists.Wrapf("fund %s is already registered", m.Code)
	}
	f := &Fund{Product: m.Product, Terms: m.Terms, Par: Par, Status: StatusOffering, Resellers: resellers, Registered: ctx.Height}
	if f.Resellers == nil {
		f.Resellers = []string{}
	}
	if err := module.PutJSON(kv, fundKey(f.Code), f); err != nil {
		return nil, err
	}
	if err := module.PutJSON(kv, totalsKey(f.Code), &Totals{}); err != nil {
		return nil, err
	}
	ctx.Emit("fund_registered", module.A("fund", f.Code), module.A("manager", f.Manager))
	return map[string]any{"fund": f.Code, "status": f.Status}, nil
}

func updateTerms(ctx *module.Context, kv module.KV, m *UpdateTerms) (any, error) {
	f, err := ownFund(ctx, kv, m.Fund)
	if err != nil {
		return nil, err
	}
	if f.Status == StatusLiquidated {
		return nil, ErrFundStatus.Wrapf("fund %s is liquidated", f.Code)
	}
	if err := privateTerms(&f.Product, &m.Terms); err != nil {
		return nil, err
	}
	f.Terms = m.Terms
	if err := module.PutJSON(kv, fundKey(f.Code), f); err != nil {
		return nil, err
	}
	ctx.Emit("fund_terms_updated", module.A("fund", f.Code))
	return map[string]any{"fund": f.Code}, nil
}

func setFundStatus(ctx *module.Context, kv module.KV, m *SetFundStatus) (any, error) {
	f, err := ownFund(ctx, kv, m.Fund)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(transitions[f.Status], m.Status) {
		return nil, ErrStatusTransition.Wrapf("fund %s: %s -> %s is not allowed (allowed: %v)", f.Code, f.Status, m.Status, transitions[f.Status])
	}
	out := map[string]any{"fund": f.Code, "from": f.Status, "status": m.Status}
	if f.Status == StatusOffering {
		today, _, err := tradeDate(ctx, kv)
		if err != nil {
			return nil, err
		}
		kind := jobFailOffering
		if m.Status == StatusOpen {
			if today <= f.OfferingEnd {
				return nil, ErrStatusTransition.Wrapf("fund %s: the offering runs to %s; it can be established from the next trade date", f.Code, f.OfferingEnd)
			}
			kind = jobEstablish
			f.Established, f.LastNAVDate, f.LastNAV = today, today, f.Par
			if err := module.PutJSON(kv, navKey(f.Code, today), &NAVRecord{Fund: f.Code, Date: today, NAV: f.Par, Status: "final", Publisher: ctx.Signer.ID, PublishedAt: ctx.Height, FinalAt: ctx.Height}); err != nil {
				return nil, err
			}
		}
		seq, err := addJob(kv, &Job{Kind: kind, Fund: f.Code, Date: today, NAV: f.Par})
		if err != nil {
			return nil, err
		}
		out["job"] = seq
	}
	f.Status, f.StatusNote = m.Status, m.Reason
	if err := module.PutJSON(kv, fundKey(f.Code), f); err != nil {
		return nil, err
	}
	ctx.Emit("fund_status", module.A("fund", f.Code), module.A("status", f.Status))
	return out, nil
}

func authoriseReseller(ctx *module.Context, kv module.KV, m *AuthoriseReseller) (any, error) {
	f, err := ownFund(ctx, kv, m.Fund)
	if err != nil {
		return nil, err
	}
	if t, err := orgType(members(ctx), m.Reseller); err != nil {
		return nil, err
	} else if t != module.OrgReseller {
		return nil, ErrInvalidRequest.Wrapf("%s is a %s, not a reseller", m.Reseller, t)
	}
	today, err := ChinaDate(ctx.Time)
	if err != nil {
		return nil, ErrCalendar.Wrapf("%v", err)
	}
	agreement, err := contract.DistributionAgreement(ctx.Peer("contract"), f.Manager, m.Reseller, today.String())
	if err != nil {
		return nil, err
	}
	if f.Terms.RequireAgreement && !m.Revoke && !agreement {
		return nil, ErrNotAuthorised.Wrapf("fund %s requires an effective distribution agreement between %s and %s (contract module)", f.Code, f.Manager, m.Reseller)
	}
	i, found := slices.BinarySearch(f.Resellers, m.Reseller)
	switch {
	case m.Revoke && !found:
		return nil, ErrInvalidRequest.Wrapf("%s is not authorised for fund %s", m.Reseller, f.Code)
	case m.Revoke:
		f.Resellers = slices.Delete(f.Resellers, i, i+1)
	case found:
		return nil, ErrInvalidRequest.Wrapf("%s is already authorised for fund %s", m.Reseller, f.Code)
	default:
		f.Resellers = slices.Insert(f.Resellers, i, m.Reseller)
	}
	if err := module.PutJSON(kv, fundKey(f.Code), f); err != nil {
		return nil, err
	}
	ctx.Emit("reseller_authorisation", module.A("fund", f.Code), module.A("reseller", m.Reseller), module.A("revoked", boolText(m.Revoke)))
	return map[string]any{"fund": f.Code, "resellers": f.Resellers, "agreement": agreement}, nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// setCalendar refuses fund/set_calendar: one regulator officer no longer
// changes the calendar alone (see changeCalendar).
func setCalendar(_ *module.Context, _ module.KV, _ *SetCalendar) (any, error) {
	return nil, ErrUseIntervention.Wrapf("calendar changes go through supervision interventions: otc supervise calendar set|extend --id ID --file CAL.json, then a second officer's otc supervise approve ID (or a governance proposal of fund/set_calendar)")
}

// publishNAV records the manager's NAV for a date. The date must be the next
// trading day after the fund's last final NAV, and its cut-off must have
// passed (the block's trade date is later), so no order of that date can
// arrive after it. A NAV not yet co-signed may be corrected by publishing
// again.
func publishNAV(ctx *module.Context, kv module.KV, m *PublishNAV) (any, error) {
	f, err := ownFund(ctx, kv, m.Fund)
	if err != nil {
		return nil, err
	}
	if f.Status == StatusOffering || f.Status == StatusLiquidated {
		return nil, ErrFundStatus.Wrapf("fund %s is %s: no NAV is published", f.Code, f.Status)
	}
	today, cal, err := tradeDate(ctx, kv)
	if err != nil {
		return nil, err
	}
	next, err := cal.NextTradingDay(f.LastNAVDate)
	if err != nil {
		return nil, ErrCalendar.Wrapf("%v", err)
	}
	if m.Date != next {
		return nil, ErrNAVOrder.Wrapf("fund %s: the next NAV is for %s (last final %s), not %s", f.Code, next, f.LastNAVDate, m.Date)
	}
	if m.Date >= today {
		return nil, ErrNAVOrder.Wrapf("fund %s: %s is still open for orders (cut-off 15:00 China time)", f.Code, m.Date)
	}
	if err := verifyKey(ctx.Signer.Algorithm, ctx.Signer.PublicKey, NAVStatement(ctx.ChainID, f.Code, m.Date, m.NAV), m.Signature); err != nil {
		return nil, err
	}
	var rec NAVRecord
	found, err := module.GetJSON(kv, navKey(f.Code, m.Date), &rec)
	if err != nil {
		return nil, err
	}
	if found {
		rec.Corrections = append(rec.Corrections, rec.NAV)
	}
	rec = NAVRecord{Fund: f.Code, Date: m.Date, NAV: m.NAV, Status: "published", Publisher: ctx.Signer.ID,
		PublisherSig: m.Signature, PublishedAt: ctx.Height, Corrections: rec.Corrections}
	if err := module.PutJSON(kv, navKey(f.Code, m.Date), &rec); err != nil {
		return nil, err
	}
	ctx.Emit("nav_published", module.A("fund", f.Code), module.A("date", m.Date.String()), module.A("nav", m.NAV.String()))
	return &rec, nil
}

// cosignNAV makes a published NAV final and starts the automatic work of its
// date: the dividends whose ex-date it is, then the confirmation of every
// order of the date.
func cosignNAV(ctx *module.Context, kv module.KV, m *CosignNAV) (any, error) {
	f, err := getFund(kv, m.Fund)
	if err != nil {
		return nil, err
	}
	if f.Custodian != ctx.Signer.Org {
		return nil, ErrNotPermitted.Wrapf("fund %s's custodian is %s, not %s", f.Code, f.Custodian, ctx.Signer.Org)
	}
	var rec NAVRecord
	found, err := module.GetJSON(kv, navKey(f.Code, m.Date), &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNoNAV.Wrapf("fund %s: no NAV published for %s", f.Code, m.Date)
	}
	if rec.Status == "final" {
		return nil, ErrNAVFinal.Wrapf("fund %s: the NAV of %s is final", f.Code, m.Date)
	}
	if rec.NAV != m.NAV {
		return nil, ErrNAVMismatch.Wrapf("fund %s on %s: manager published %s, custodian has %s", f.Code, m.Date, rec.NAV, m.NAV)
	}
	if err := verifyKey(ctx.Signer.Algorithm, ctx.Signer.PublicKey, NAVStatement(ctx.ChainID, f.Code, m.Date, m.NAV), m.Signature); err != nil {
		return nil, err
	}
	rec.Status, rec.Custodian, rec.CustodianSig, rec.FinalAt = "final", ctx.Signer.ID, m.Signature, ctx.Height
	if err := module.PutJSON(kv, navKey(f.Code, m.Date), &rec); err != nil {
		return nil, err
	}
	f.LastNAVDate, f.LastNAV = m.Date, m.NAV
	if err := module.PutJSON(kv, fundKey(f.Code), f); err != nil {
		return nil, err
	}
	var dv Dividend
	if ok, err := module.GetJSON(kv, dividendKey(f.Code, m.Date), &dv); err != nil {
		return nil, err
	} else if ok {
		if _, err := addJob(kv, &Job{Kind: jobDividend, Fund: f.Code, Date: m.Date, NAV: m.NAV}); err != nil {
			return nil, err
		}
	}
	seq, err := addJob(kv, &Job{Kind: jobConfirm, Fund: f.Code, Date: m.Date, NAV: m.NAV})
	if err != nil {
		return nil, err
	}
	ctx.Emit("nav_final", module.A("fund", f.Code), module.A("date", m.Date.String()), module.A("nav", m.NAV.String()))
	return map[string]any{"fund": f.Code, "date": m.Date, "nav": m.NAV, "status": "final", "job": seq}, nil
}

func declareDividend(ctx *module.Context, kv module.KV, m *DeclareDividend) (any, error) {
	f, err := ownFund(ctx, kv, m.Fund)
	if err != nil {
		return nil, err
	}
	if f.Status == StatusOffering || f.Status == StatusLiquidated {
		return nil, ErrFundStatus.Wrapf("fund %s is %s", f.Code, f.Status)
	}
	cal, err := getCalendar(kv)
	if err != nil {
		return nil, err
	}
	if ok, err := cal.IsTradingDay(m.ExDate); err != nil {
		return nil, ErrCalendar.Wrapf("%v", err)
	} else if !ok {
		return nil, ErrDividend.Wrapf("ex-date %s is not a trading day", m.ExDate)
	}
	if m.ExDate <= f.LastNAVDate {
		return nil, ErrDividend.Wrapf("ex-date %s is not after the last final NAV (%s)", m.ExDate, f.LastNAVDate)
	}
	if old, err := kv.Get(dividendKey(f.Code, m.ExDate)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrDividend.Wrapf("fund %s already has a dividend with ex-date %s", f.Code, m.ExDate)
	}
	dv := &Dividend{ID: f.Code + ":" + dateKey(m.ExDate), Fund: f.Code, PerShare: m.PerShare, RecordDate: m.RecordDate,
		ExDate: m.ExDate, PayDate: m.PayDate, Declared: ctx.Height, Status: "declared"}
	if err := module.PutJSON(kv, dividendKey(f.Code, m.ExDate), dv); err != nil {
		return nil, err
	}
	ctx.Emit("dividend_declared", module.A("fund", f.Code), module.A("ex_date", m.ExDate.String()), module.A("per_share", m.PerShare.String()))
	return dv, nil
}
