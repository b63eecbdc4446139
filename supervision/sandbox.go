package supervision

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// Sandbox entry statuses and outcomes.
const (
	SandboxActive    = "active"
	SandboxGraduated = "graduated"
	SandboxEnded     = "ended"
)

var investorTypes = []string{"individual", "institution", "professional"}

// SandboxAdmit admits a fund product or an organisation to the regulatory
// sandbox with caps the chain enforces (regulator officers).
type SandboxAdmit struct {
	ID              string   `json:"id"`
	Kind            string   `json:"kind"` // fund or org
	Fund            string   `json:"fund,omitempty"`
	Org             string   `json:"org,omitempty"`
	MaxInvestors    int64    `json:"max_investors"`
	MaxSubscription Amount   `json:"max_subscription"`         // total of accepted subscriptions and purchases
	InvestorTypes   []string `json:"investor_types,omitempty"` // allowed; empty: all
	EndDate         string   `json:"end_date"`                 // YYYY-MM-DD (China date), last day of business
	Note            string   `json:"note,omitempty"`
}

// Validate implements module.Msg.
func (m *SandboxAdmit) Validate() error {
	if !validID(m.ID) {
		return ErrInvalidRequest.Wrapf("id must be 1 to 64 of A-Z a-z 0-9 - _ .")
	}
	switch {
	case m.Kind == KindFund && validID(m.Fund) && m.Org == "":
	case m.Kind == KindOrg && validID(m.Org) && m.Fund == "":
	default:
		return ErrInvalidRequest.Wrapf("kind fund names a fund, kind org an organisation (and nothing else)")
	}
	if m.MaxInvestors < 1 || m.MaxInvestors > 1000000 || m.MaxSubscription <= 0 {
		return ErrInvalidRequest.Wrapf("max_investors (1 to 1000000) and a positive max_subscription are required")
	}
	for i, t := range m.InvestorTypes {
		if !slices.Contains(investorTypes, t) || slices.Contains(m.InvestorTypes[:i], t) {
			return ErrInvalidRequest.Wrapf("investor type %q: want distinct individual, institution, professional", t)
		}
	}
	if _, err := parseDay(m.EndDate); err != nil {
		return ErrInvalidRequest.Wrapf("end_date: %v", err)
	}
	if len(m.Note) > 512 || strings.ContainsAny(m.Note, "\x00\r\n") {
		return ErrInvalidRequest.Wrapf("the note is one line of at most 512 bytes")
	}
	return nil
}

// SandboxEnd closes a sandbox entry: graduated (caps lifted) or ended
// (the subject's business refused).
type SandboxEnd struct {
	ID      string `json:"id"`
	Outcome string `json:"outcome"` // graduated or ended
	Reason  string `json:"reason"`
}

// Validate implements module.Msg.
func (m *SandboxEnd) Validate() error {
	if !validID(m.ID) || (m.Outcome != SandboxGraduated && m.Outcome != SandboxEnded) {
		return ErrInvalidRequest.Wrapf("id and outcome graduated or ended are required")
	}
	if m.Reason == "" || len(m.Reason) > 512 || strings.ContainsAny(m.Reason, "\x00\r\n") {
		return ErrInvalidRequest.Wrapf("a one-line reason of at most 512 bytes is required")
	}
	return nil
}

// SandboxEntry is a sandbox admission and its activity.
type SandboxEntry struct {
	SandboxAdmit
	Status     string          `json:"status"` // active, graduated, ended
	Expired    bool            `json:"expired,omitempty"`
	Admitted   int64           `json:"admitted"`
	AdmittedAt string          `json:"admitted_at"`
	AdmittedBy string          `json:"admitted_by"`
	Closed     int64           `json:"closed,omitempty"`
	ClosedAt   string          `json:"closed_at,omitempty"`
	ClosedBy   string          `json:"closed_by,omitempty"`
	Reason     string          `json:"reason,omitempty"`
	Activity   SandboxActivity `json:"activity"`
}

// SandboxActivity counts a sandbox entry's business (reported separately).
type SandboxActivity struct {
	Investors  int64  `json:"investors"`  // distinct investors with an accepted subscription or purchase
	Subscribed Amount `json:"subscribed"` // total of accepted subscriptions and purchases
	Redeemed   Amount `json:"redeemed"`   // shares in accepted redemptions
	Orders     int64  `json:"orders"`     // accepted orders
	Refusals   int64  `json:"refusals"`   // orders the sandbox refused
}

func sandboxKey(id string) []byte { return []byte("sb/" + id) }

// sandboxIndexKey maps a fund or an organisation to its entry (active or
// ended; a graduated entry is no longer indexed).
func sandboxIndexKey(kind, id string) []byte { return []byte("sbx/" + kind + "/" + id) }

// sandboxIndexedKey counts the indexed entries, so that an order checks the
// index only when there is one.
var sandboxIndexedKey = []byte("sbx-count")

func addIndexed(kv module.KV, d int64) error {
	n, _, err := getInt(kv, sandboxIndexedKey)
	if err != nil {
		return err
	}
	return setInt(kv, sandboxIndexedKey, n+d)
}

func sandboxInvestorKey(entry, inv string) []byte {
	return []byte("sbi/" + entry + "/" + inv)
}
func sandboxVolumeKey(day int64, entry, kind string) []byte {
	return []byte("svol/" + dateOf(day) + "/" + entry + "/" + kind)
}

func (e *SandboxEntry) subject() (string, string) {
	if e.Kind == KindFund {
		return KindFund, e.Fund
	}
	return KindOrg, e.Org
}

func sandboxAdmit(ctx *module.Context, kv module.KV, m *SandboxAdmit) (any, error) {
	if err := officer(ctx); err != nil {
		return nil, err
	}
	if old, err := kv.Get(sandboxKey(m.ID)); err != nil {
		return nil, err
	} else if old != nil {
		return nil, ErrSandboxExists.Wrapf("sandbox entry %s already exists", m.ID)
	}
	if m.Kind == KindFund {
		if b, err := ctx.Peer("fund").Get([]byte("f/" + m.Fund)); err != nil {
			return nil, err
		} else if b == nil {
			return nil, ErrTarget.Wrapf("no fund %s", m.Fund)
		}
	} else if _, err := member.GetOrg(ctx.Peer("member"), m.Org); err != nil {
		return nil, ErrTarget.Wrapf("no organisation %q", m.Org)
	}
	end, _ := parseDay(m.EndDate)
	if end < dayOf(ctx.Time) {
		return nil, ErrInvalidRequest.Wrapf("end_date %s is in the past", m.EndDate)
	}
	e := &SandboxEntry{SandboxAdmit: *m, Status: SandboxActive, Admitted: ctx.Height, AdmittedAt: stamp(ctx), AdmittedBy: ctx.Signer.ID}
	kind, id := e.subject()
	if old, err := kv.Get(sandboxIndexKey(kind, id)); err != nil {
		return nil, err
	} else if old != nil {
		var o SandboxEntry
		if _, err := module.GetJSON(kv, sandboxKey(string(old)), &o); err != nil {
			return nil, err
		}
		if o.Status == SandboxActive {
			return nil, ErrSandboxStatus.Wrapf("%s %s is already in the sandbox (entry %s)", kind, id, o.ID)
		}
	} else if err := addIndexed(kv, 1); err != nil {
		return nil, err
	}
	if err := kv.Set(sandboxIndexKey(kind, id), []byte(e.ID)); err != nil {
		return nil, err
	}
	ctx.Emit("sandbox_admitted", module.A("entry", e.ID), module.A("kind", kind), module.A("subject", id))
	return e, module.PutJSON(kv, sandboxKey(e.ID), e)
}

func sandboxEnd(ctx *module.Context, kv module.KV, m *SandboxEnd) (any, error) {
	if err := officer(ctx); err != nil {
		return nil, err
	}
	var e SandboxEntry
	if ok, err := module.GetJSON(kv, sandboxKey(m.ID), &e); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknownSandbox.Wrapf("no sandbox entry %s", m.ID)
	}
	if e.Status != SandboxActive {
		return nil, ErrSandboxStatus.Wrapf("sandbox entry %s is %s", e.ID, e.Status)
	}
	e.Status, e.Closed, e.ClosedAt, e.ClosedBy, e.Reason = m.Outcome, ctx.Height, stamp(ctx), ctx.Signer.ID, m.Reason
	if m.Outcome == SandboxGraduated {
		kind, id := e.subject()
		if err := kv.Delete(sandboxIndexKey(kind, id)); err != nil {
			return nil, err
		}
		if err := addIndexed(kv, -1); err != nil {
			return nil, err
		}
	}
	ctx.Emit("sandbox_closed", module.A("entry", e.ID), module.A("outcome", m.Outcome))
	return &e, module.PutJSON(kv, sandboxKey(e.ID), &e)
}

// sandboxesOf returns the entries an order falls under: its fund's, its
// channel's and its fund manager's.
func sandboxesOf(kv module.KV, f *OrderFacts) ([]*SandboxEntry, error) {
	if n, _, err := getInt(kv, sandboxIndexedKey); err != nil || n == 0 {
		return nil, err
	}
	var out []*SandboxEntry
	for _, k := range [][]byte{sandboxIndexKey(KindFund, f.Fund), sandboxIndexKey(KindOrg, f.Channel), sandboxIndexKey(KindOrg, f.Manager)} {
		id, err := kv.Get(k)
		if err != nil {
			return nil, err
		}
		if id == nil || slices.ContainsFunc(out, func(e *SandboxEntry) bool { return e.ID == string(id) }) {
			continue
		}
		var e SandboxEntry
		if _, err := module.GetJSON(kv, sandboxKey(string(id)), &e); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, nil
}

// admits applies an entry's caps to an order. Redemptions are always
// admitted: a sandbox never traps an investor's money.
func (e *SandboxEntry) admits(kv module.KV, f *OrderFacts, day int64) error {
	if !f.buy() {
		return nil
	}
	if e.Status == SandboxEnded {
		return ErrSandboxEnded.Wrapf("sandbox entry %s: ended on %s (%s): no new subscriptions or purchases", e.ID, e.ClosedAt, e.Reason)
	}
	if end, _ := parseDay(e.EndDate); day > end {
		return ErrSandboxExpired.Wrapf("sandbox entry %s: its test period ended on %s; the regulator graduates or ends it", e.ID, e.EndDate)
	}
	if len(e.InvestorTypes) > 0 && !slices.Contains(e.InvestorTypes, f.InvestorType) {
		return ErrSandboxInvestorType.Wrapf("sandbox entry %s: %s investors may not buy (allowed: %s)", e.ID, f.InvestorType, strings.Join(e.InvestorTypes, ", "))
	}
	known, err := kv.Get(sandboxInvestorKey(e.ID, f.Investor))
	if err != nil {
		return err
	}
	if known == nil && e.Activity.Investors+1 > e.MaxInvestors {
		return ErrSandboxCap.Wrapf("sandbox entry %s: investor cap %d reached", e.ID, e.MaxInvestors)
	}
	if e.Activity.Subscribed+f.Amount > e.MaxSubscription {
		return ErrSandboxCap.Wrapf("sandbox entry %s: %s more would bring subscriptions to %s (cap %s)", e.ID, f.Amount, e.Activity.Subscribed+f.Amount, e.MaxSubscription)
	}
	return nil
}

// record counts an accepted order on the entry.
func (e *SandboxEntry) record(kv module.KV, f *OrderFacts, day int64) error {
	e.Activity.Orders++
	if f.buy() {
		e.Activity.Subscribed += f.Amount
		k := sandboxInvestorKey(e.ID, f.Investor)
		if known, err := kv.Get(k); err != nil {
			return err
		} else if known == nil {
			e.Activity.Investors++
			if err := kv.Set(k, []byte{1}); err != nil {
				return err
			}
		}
	} else {
		e.Activity.Redeemed += f.Shares
	}
	if err := addVolume(kv, sandboxVolumeKey(day, e.ID, f.Kind), f); err != nil {
		return err
	}
	return module.PutJSON(kv, sandboxKey(e.ID), e)
}

func listSandbox(qc *module.QueryContext, kv module.KVReader) ([]*SandboxEntry, error) {
	out := []*SandboxEntry{}
	return out, iterate(kv, []byte("sb/"), func(v []byte) error {
		var e SandboxEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return err
		}
		e.markExpired(qc)
		out = append(out, &e)
		return nil
	})
}

func (e *SandboxEntry) markExpired(qc *module.QueryContext) {
	if end, _ := parseDay(e.EndDate); e.Status == SandboxActive && !qc.Time.IsZero() && dayOf(qc.Time) > end {
		e.Expired = true
	}
}
