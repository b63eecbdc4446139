package supervision

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/otcchain/otcchain/module"
)

// Alert statuses and actions.
const (
	AlertOpen          = "open"
	AlertInvestigating = "investigating"
	AlertClosed        = "closed"

	ActionAlert   = "alert"   // the order passed; the rule raised an alert
	ActionBlocked = "blocked" // the rule refused the order

	KindInvestor = "investor" // subject kinds (with KindFund, KindOrg)
)

// maxAlertOrders bounds the orders an alert lists.
const maxAlertOrders = 20

// Subject is what an alert is about.
type Subject struct {
	Kind string `json:"kind"` // investor, fund, org
	ID   string `json:"id"`
}

func (s Subject) String() string { return s.Kind + "/" + s.ID }

// Alert is a rule's finding, on chain, with the regulator's lifecycle:
// open -> investigating -> closed (with findings); open -> closed too.
// Closed is final. While an alert of a rule and subject is not closed, the
// same rule firing on the same subject adds an occurrence to it.
type Alert struct {
	ID          string        `json:"id"` // A-000001
	Rule        string        `json:"rule"`
	Action      string        `json:"action"` // alert, blocked
	Subject     Subject       `json:"subject"`
	Detail      string        `json:"detail"`
	Facts       *OrderFacts   `json:"facts"` // of the first occurrence
	Occurrences int           `json:"occurrences"`
	Orders      []string      `json:"orders"` // the first maxAlertOrders orders
	Height      int64         `json:"height"`
	Time        string        `json:"time"`                 // business time
	BlockTime   string        `json:"block_time,omitempty"` // header time, when a simulated clock made it differ
	Date        string        `json:"date"`                 // China date it was raised
	LastHeight  int64         `json:"last_height"`
	Status      string        `json:"status"`
	Findings    string        `json:"findings,omitempty"`
	History     []AlertUpdate `json:"history,omitempty"`
}

// AlertUpdate is one step of an alert's lifecycle.
type AlertUpdate struct {
	Status  string `json:"status"`
	Note    string `json:"note,omitempty"`
	Officer string `json:"officer"`
	Height  int64  `json:"height"`
	Time    string `json:"time"`
}

func alertKey(id string) []byte { return []byte("alert/" + id) }

// openAlertKey indexes the alert not yet closed of a rule, action and
// subject.
func openAlertKey(rule, action string, s Subject) []byte {
	return []byte("alert-open/" + rule + "/" + action + "/" + s.Kind + "/" + s.ID)
}

func stamp(ctx *module.Context) string { return ctx.Time.UTC().Format("2006-01-02T15:04:05Z") }

// raise records a rule firing: a new alert, or one more occurrence of the
// open alert of the same rule, action and subject.
func raise(ctx *module.Context, kv module.KV, rule, action string, s Subject, f *OrderFacts, detail string) (*Alert, error) {
	ok := openAlertKey(rule, action, s)
	id, err := kv.Get(ok)
	if err != nil {
		return nil, err
	}
	var a Alert
	if id != nil {
		found, err := module.GetJSON(kv, alertKey(string(id)), &a)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("supervision: open alert %s missing", id)
		}
		a.Occurrences++
		a.LastHeight = ctx.Height
	} else {
		n, _, err := getInt(kv, []byte("seq/alert"))
		if err != nil {
			return nil, err
		}
		n++
		if err := setInt(kv, []byte("seq/alert"), n); err != nil {
			return nil, err
		}
		a = Alert{ID: fmt.Sprintf("A-%06d", n), Rule: rule, Action: action, Subject: s, Detail: detail, Facts: f, Occurrences: 1,
			Height: ctx.Height, Time: stamp(ctx), BlockTime: ctx.BlockStamp("2006-01-02T15:04:05Z"), Date: dateOf(dayOf(ctx.Time)), LastHeight: ctx.Height, Status: AlertOpen}
		if err := kv.Set(ok, []byte(a.ID)); err != nil {
			return nil, err
		}
	}
	if f != nil && len(a.Orders) < maxAlertOrders {
		a.Orders = append(a.Orders, f.Order)
	}
	if err := module.PutJSON(kv, alertKey(a.ID), &a); err != nil {
		return nil, err
	}
	ctx.Emit("compliance_alert", module.A("alert", a.ID), module.A("rule", rule), module.A("action", action), module.A("subject", s.String()))
	return &a, nil
}

// UpdateAlert moves an alert along its lifecycle (regulator officers):
// status investigating (optional note) or closed (findings required).
type UpdateAlert struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Note   string `json:"note,omitempty"` // the findings when closing
}

// Validate implements module.Msg.
func (m *UpdateAlert) Validate() error {
	if !validID(m.ID) {
		return ErrInvalidRequest.Wrapf("id is required")
	}
	if m.Status != AlertInvestigating && m.Status != AlertClosed {
		return ErrInvalidRequest.Wrapf("status must be investigating or closed")
	}
	if len(m.Note) > 1024 || !utf8.ValidString(m.Note) || strings.ContainsAny(m.Note, "\x00\r\n") {
		return ErrInvalidRequest.Wrapf("the note is one line of at most 1024 bytes")
	}
	if m.Status == AlertClosed && strings.TrimSpace(m.Note) == "" {
		return ErrInvalidRequest.Wrapf("closing an alert needs the findings (note)")
	}
	return nil
}

func updateAlert(ctx *module.Context, kv module.KV, m *UpdateAlert) (any, error) {
	if err := officer(ctx); err != nil {
		return nil, err
	}
	var a Alert
	if ok, err := module.GetJSON(kv, alertKey(m.ID), &a); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrUnknownAlert.Wrapf("no alert %s", m.ID)
	}
	switch {
	case a.Status == AlertClosed:
		return nil, ErrAlertStatus.Wrapf("alert %s is closed: closed is final", a.ID)
	case a.Status == m.Status:
		return nil, ErrAlertStatus.Wrapf("alert %s is already %s", a.ID, a.Status)
	}
	a.Status = m.Status
	a.History = append(a.History, AlertUpdate{Status: m.Status, Note: m.Note, Officer: ctx.Signer.ID, Height: ctx.Height, Time: stamp(ctx)})
	if m.Status == AlertClosed {
		a.Findings = m.Note
		if err := kv.Delete(openAlertKey(a.Rule, a.Action, a.Subject)); err != nil {
			return nil, err
		}
	}
	ctx.Emit("alert_updated", module.A("alert", a.ID), module.A("status", a.Status), module.A("officer", ctx.Signer.ID))
	return &a, module.PutJSON(kv, alertKey(a.ID), &a)
}

func listAlerts(kv module.KVReader, p map[string]string) ([]*Alert, error) {
	out := []*Alert{}
	st, rule := p["status"], p["rule"]
	if st != "" && st != AlertOpen && st != AlertInvestigating && st != AlertClosed {
		return nil, ErrInvalidRequest.Wrapf("status filter %q: want open, investigating or closed", st)
	}
	return out, iterate(kv, []byte("alert/"), func(v []byte) error {
		var a Alert
		if err := json.Unmarshal(v, &a); err != nil {
			return err
		}
		if (st == "" || a.Status == st) && (rule == "" || a.Rule == rule) {
			out = append(out, &a)
		}
		return nil
	})
}
