package api

import (
	"encoding/json"
	"strings"

	"github.com/otcchain/otcchain/module"
)

// Who sees what on GET /v1/events (and which events of a tx result a
// caller gets). Every entry of the stream is filtered for its reader here,
// event by event; an entry left with no event is not sent at all. The rules
// go by the event's module (module.Event.Module, from the ABCI attribute
// "module"; inferred from the event type for events emitted before the
// attribute existed) and its type:
//
//   - a regulator (a regulator officer, or an admin of a regulator
//     organisation: member.IsRegulator, the app's read gate) sees every
//     event;
//   - scopeRegulator: nobody else (the supervision module: compliance
//     alerts, interventions, sandbox, rules — telling a subject about an
//     AML alert is tipping off);
//   - scopeMembers: every logged-in identity (governance, member
//     identities and organisations, fund product facts every member reads
//     through public queries);
//   - scopeParties (everything else): the organisation that signed the tx
//     the event belongs to, and the organisations the event names under
//     orgKeys (channel, manager, custodian...). An investor identity never
//     sees through its organisation (that is its reseller): it sees the
//     events of txs it signed itself and events whose "investor" is an
//     investor record it owns (fund.Investor.Identity, checked with the
//     app's fund/investors/{id} read).
type eventScope uint8

const (
	scopeParties eventScope = iota
	scopeMembers
	scopeRegulator
)

// moduleScopes is the scope of a module's events unless typeScopes says
// otherwise; modules not listed are scopeParties.
var moduleScopes = map[string]eventScope{
	"supervision": scopeRegulator,
	"gov":         scopeMembers,
	"member":      scopeMembers,
	"clock":       scopeMembers,
}

// typeScopes are the exceptions, by "module/type".
var typeScopes = map[string]eventScope{
	"fund/fund_registered":        scopeMembers,
	"fund/fund_status":            scopeMembers,
	"fund/fund_terms_updated":     scopeMembers,
	"fund/nav_published":          scopeMembers,
	"fund/nav_final":              scopeMembers,
	"fund/dividend_declared":      scopeMembers,
	"fund/calendar_set":           scopeMembers,
	"fund/calendar_expiring":      scopeMembers,
	"fund/reseller_authorisation": scopeMembers,
	"contract/contract_type_set":  scopeMembers,
}

// eventModules names the module of every event type the modules emit, for
// events without a "module" attribute (blocks committed before it was
// added). Types not listed and without a module are app events (otc_tx)
// or unknown: scopeParties.
var eventModules = map[string]string{}

func init() {
	for mod, types := range map[string][]string{
		"supervision": {"compliance_alert", "alert_updated", "rules_set", "supervision_params_set", "sandbox_admitted", "sandbox_closed",
			"intervention_proposed", "intervention_effective", "intervention_approved", "intervention_withdrawn"},
		"gov": {"validator_changed", "gov_params_set", "bond_posted", "proposal_expired", "validator_floor_breached", "misbehaviour",
			"premium_accrued", "proposal_submitted", "proposal_vote", "proposal_failed", "proposal_passed", "proposal_rejected",
			"proposal_withdrawn", "premium_paid", "claim_filed", "claim_rejected", "claim_paid"},
		"member": {"identity_registered", "identity_revoked", "encryption_key_set", "org_added", "org_removed", "org_ca_rotated"},
		"fund": {"fund_job_done", "order_confirmed", "dividend_paid", "investor_registered", "investor_updated", "personal_data_shared",
			"account_opened", "risk_acknowledged", "order_received", "order_cancelled", "account_freeze", "shares_freeze",
			"fund_registered", "fund_terms_updated", "fund_status", "reseller_authorisation", "calendar_set", "nav_published",
			"nav_final", "dividend_declared", "calendar_expiring"},
		"clock":    {"clock_advanced"},
		"contract": {"contract_type_set", "seal_registered"},
		"exchange": {"file_sent", "file_acknowledged"},
		"evidence": {"document_anchored"},
	} {
		for _, t := range types {
			eventModules[t] = mod
		}
	}
}

// orgKeys are the attribute keys whose value is an organisation id: the
// organisations named there see a scopeParties event.
var orgKeys = map[string]bool{
	"org": true, "channel": true, "manager": true, "custodian": true, "reseller": true,
	"sender": true, "recipient_org": true, "party": true,
}

// scopeOf returns the scope of an event.
func scopeOf(ev *module.Event) eventScope {
	mod := ev.Module
	if mod == "" {
		mod = eventModules[ev.Type]
		if mod == "" && strings.HasPrefix(ev.Type, "contract_") && ev.Type != "contract_" {
			mod = "contract"
		}
	}
	if sc, ok := typeScopes[mod+"/"+ev.Type]; ok {
		return sc
	}
	return moduleScopes[mod] // scopeParties when not listed
}

// viewer is the reader of an event stream or a tx result.
type viewer struct {
	id        string
	org       string
	role      module.Role
	regulator bool
	// ownsInvestor says whether an investor id is the viewer's own (role
	// investor only).
	ownsInvestor func(investor string) bool
}

// maxInvestorCache bounds the investor ids a stream remembers the answer
// for.
const maxInvestorCache = 1024

// viewerOf describes caller (not nil) for visibility checks. It fails only
// when the node cannot answer.
func (s *Server) viewerOf(caller *module.Identity) (*viewer, error) {
	v := &viewer{id: caller.ID, org: caller.Org, role: caller.Role}
	switch caller.Role {
	case module.RoleRegulator:
		v.regulator = true
	case module.RoleAdmin:
		// As member.IsRegulator: an admin of a regulator organisation.
		o, err := s.cfg.App.Read("member/orgs/"+caller.Org, map[string]string{"id": caller.Org}, caller)
		if err != nil {
			if module.AsError(err) == nil {
				return nil, err
			}
			break
		}
		var org struct {
			Type module.OrgType `json:"type"`
		}
		if b, err := json.Marshal(o); err == nil && json.Unmarshal(b, &org) == nil {
			v.regulator = org.Type == module.OrgRegulator
		}
	case module.RoleInvestor:
		cache := map[string]bool{}
		ident := *caller
		v.ownsInvestor = func(inv string) bool {
			if ok, seen := cache[inv]; seen {
				return ok
			}
			// The app lets an investor identity read an investor record
			// only if the record is its own (fund.Investor.Identity).
			_, err := s.cfg.App.Read("fund/investors/"+inv, map[string]string{"id": inv}, &ident)
			if len(cache) >= maxInvestorCache {
				clear(cache)
			}
			cache[inv] = err == nil
			return err == nil
		}
	}
	return v, nil
}

// txSigner returns the signer and its organisation of a tx entry, from the
// app's otc_tx event ("" when the entry has none, e.g. a tx the app refused
// before running it).
func txSigner(evs []module.Event) (id, org string) {
	for i := range evs {
		if evs[i].Type == "otc_tx" && evs[i].Module == "" {
			return attr(&evs[i], "signer"), attr(&evs[i], "org")
		}
	}
	return "", ""
}

func attr(ev *module.Event, key string) string {
	for _, a := range ev.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// visible returns the events of an entry v may see (nil: none). tx says
// whether the entry is a tx's (its signer's organisation sees its events).
// evs itself is not modified.
func (v *viewer) visible(evs []module.Event, tx bool) []module.Event {
	if v.regulator {
		return evs
	}
	var signer, signerOrg string
	if tx {
		signer, signerOrg = txSigner(evs)
	}
	var out []module.Event
	for i := range evs {
		if v.sees(&evs[i], signer, signerOrg) {
			out = append(out, evs[i])
		}
	}
	return out
}

func (v *viewer) sees(ev *module.Event, signer, signerOrg string) bool {
	switch scopeOf(ev) {
	case scopeRegulator:
		return false
	case scopeMembers:
		return true
	}
	if v.role == module.RoleInvestor {
		if signer != "" && signer == v.id {
			return true
		}
		for _, a := range ev.Attrs {
			if a.Key == "investor" && a.Value != "" && v.ownsInvestor != nil && v.ownsInvestor(a.Value) {
				return true
			}
		}
		return false
	}
	if v.org == "" {
		return false
	}
	if signerOrg == v.org {
		return true
	}
	for _, a := range ev.Attrs {
		if orgKeys[a.Key] && a.Value == v.org {
			return true
		}
	}
	return false
}

// withoutRegulatorOnly drops the regulator-only events of a tx result for
// a caller that is not a regulator (v nil: anonymous). The rest of a tx's
// result is its submitter's business: it holds the tx.
func withoutRegulatorOnly(v *viewer, evs []module.Event) []module.Event {
	if v != nil && v.regulator {
		return evs
	}
	out := evs[:0:0]
	for i := range evs {
		if scopeOf(&evs[i]) != scopeRegulator {
			out = append(out, evs[i])
		}
	}
	return out
}
