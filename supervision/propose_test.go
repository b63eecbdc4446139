package supervision_test

import (
	"encoding/json"
	"testing"

	"github.com/otcchain/otcchain/supervision"
)

// TestProposeValidate: a calendar change, and only it, has the target kind
// calendar and carries a calendar; a calendar target names nothing else.
func TestProposeValidate(t *testing.T) {
	cal := json.RawMessage(`{"from":"2027-01-01","to":"2027-12-31","days":["2027-01-04"]}`)
	calT := supervision.Target{Kind: supervision.KindCalendar}
	org := supervision.Target{Kind: supervision.KindOrg, Org: "rs-bank"}
	for _, c := range []struct {
		name string
		m    supervision.Propose
		ok   bool
	}{
		{"extend", supervision.Propose{ID: "C1", Action: supervision.ActionExtendCalendar, Target: calT, Reason: "2027", Calendar: cal}, true},
		{"set", supervision.Propose{ID: "C1", Action: supervision.ActionSetCalendar, Target: calT, Reason: "r", Calendar: cal}, true},
		{"freeze", supervision.Propose{ID: "F1", Action: supervision.ActionFreeze, Target: org, Reason: "r"}, true},
		{"calendar without one", supervision.Propose{ID: "C1", Action: supervision.ActionSetCalendar, Target: calT, Reason: "r"}, false},
		{"calendar on an org", supervision.Propose{ID: "C1", Action: supervision.ActionSetCalendar, Target: org, Reason: "r", Calendar: cal}, false},
		{"freeze of the calendar", supervision.Propose{ID: "F1", Action: supervision.ActionFreeze, Target: calT, Reason: "r"}, false},
		{"freeze with a calendar", supervision.Propose{ID: "F1", Action: supervision.ActionFreeze, Target: org, Reason: "r", Calendar: cal}, false},
		{"calendar target with an org", supervision.Propose{ID: "C1", Action: supervision.ActionSetCalendar,
			Target: supervision.Target{Kind: supervision.KindCalendar, Org: "x"}, Reason: "r", Calendar: cal}, false},
		{"too big", supervision.Propose{ID: "C1", Action: supervision.ActionSetCalendar, Target: calT, Reason: "r",
			Calendar: make(json.RawMessage, supervision.MaxCalendarLen+1)}, false},
	} {
		if err := c.m.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
