package api

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/module"
)

// TestEventModulesCoverEmits: every event type a module emits is known to
// eventModules (so that events of blocks without the module attribute are
// still classified), under the module that emits it.
func TestEventModulesCoverEmits(t *testing.T) {
	emit := regexp.MustCompile(`\.Emit\("([a-z_]+)"`)
	n := 0
	for _, mod := range []string{"fund", "contract", "exchange", "member", "gov", "evidence", "supervision", "clock"} {
		files, err := filepath.Glob(filepath.Join("..", mod, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range emit.FindAllStringSubmatch(string(b), -1) {
				n++
				if m[1] == "contract_" {
					continue // contract_<action>: scopeOf knows the prefix
				}
				if got := eventModules[m[1]]; got != mod {
					t.Errorf("%s emits %q: eventModules says %q", f, m[1], got)
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("found only %d Emit calls", n)
	}
}

func ev(typ, mod string, kv ...string) module.Event {
	e := module.Event{Type: typ, Module: mod}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Attrs = append(e.Attrs, module.Attr{Key: kv[i], Value: kv[i+1]})
	}
	return e
}

func TestEventScopes(t *testing.T) {
	for _, tc := range []struct {
		ev   module.Event
		want eventScope
	}{
		{ev("compliance_alert", "supervision"), scopeRegulator},
		{ev("compliance_alert", ""), scopeRegulator}, // inferred from the type
		{ev("intervention_effective", ""), scopeRegulator},
		{ev("something_new", "supervision"), scopeRegulator}, // by module
		{ev("proposal_passed", "gov"), scopeMembers},
		{ev("claim_paid", ""), scopeMembers},
		{ev("identity_registered", "member"), scopeMembers},
		{ev("nav_published", "fund"), scopeMembers},
		{ev("reseller_authorisation", ""), scopeMembers},
		{ev("contract_type_set", "contract"), scopeMembers},
		{ev("order_received", "fund"), scopeParties},
		{ev("order_confirmed", ""), scopeParties},
		{ev("contract_signed", ""), scopeParties},
		{ev("file_sent", "exchange"), scopeParties},
		{ev("otc_tx", ""), scopeParties},
		{ev("app", ""), scopeParties},
	} {
		if got := scopeOf(&tc.ev); got != tc.want {
			t.Errorf("%s/%s: scope %d, want %d", tc.ev.Module, tc.ev.Type, got, tc.want)
		}
	}
}

func TestViewerSees(t *testing.T) {
	tx := []module.Event{
		ev("otc_tx", "", "signer", "ID-R1", "org", "bank1", "status", "ok"),
		ev("order_received", "fund", "order", "O1", "investor", "INV1", "channel", "bank1", "manager", "fund1"),
		ev("compliance_alert", "supervision", "subject", "INV1"),
		ev("contract_signed", "contract", "contract", "C1", "party", "fund1", "party", "cust1"),
		ev("file_sent", "exchange", "sender", "bank1", "recipient_org", "cust2"),
	}
	types := func(evs []module.Event) string {
		var s []string
		for _, e := range evs {
			s = append(s, e.Type)
		}
		return strings.Join(s, " ")
	}
	owns := func(inv string) bool { return inv == "INV1" }
	for _, tc := range []struct {
		name string
		v    viewer
		want string
	}{
		{"regulator", viewer{regulator: true}, "otc_tx order_received compliance_alert contract_signed file_sent"},
		{"signer's org", viewer{id: "ID-R2", org: "bank1", role: module.RoleAdmin}, "otc_tx order_received contract_signed file_sent"},
		{"manager", viewer{org: "fund1", role: module.RoleFundManager}, "order_received contract_signed"},
		{"a party", viewer{org: "cust1", role: module.RoleCustodian}, "contract_signed"},
		{"recipient org", viewer{org: "cust2", role: module.RoleCustodian}, "file_sent"},
		{"other", viewer{org: "bank2", role: module.RoleReseller}, ""},
		{"no org", viewer{role: module.RoleReseller}, ""},
		{"investor of the record", viewer{id: "ID-I", org: "bank1", role: module.RoleInvestor, ownsInvestor: owns}, "order_received"},
		{"investor, not its record", viewer{id: "ID-I", org: "bank1", role: module.RoleInvestor, ownsInvestor: func(string) bool { return false }}, ""},
		{"investor who signed", viewer{id: "ID-R1", org: "bank1", role: module.RoleInvestor}, "otc_tx order_received contract_signed file_sent"},
	} {
		if got := types(tc.v.visible(tx, true)); got != tc.want {
			t.Errorf("%s: sees %q, want %q", tc.name, got, tc.want)
		}
	}
	// In a block entry nobody is the signer: an otc_tx-shaped event there
	// is seen by the organisations it names only.
	v := viewer{org: "bank1", role: module.RoleReseller}
	if got := types(v.visible(tx[3:4], false)); got != "" {
		t.Errorf("block entry: %q", got)
	}
	// Dropping regulator-only events never touches the input.
	in := append([]module.Event(nil), tx...)
	if got := types(withoutRegulatorOnly(nil, in)); got != "otc_tx order_received contract_signed file_sent" || types(in) != types(tx) {
		t.Errorf("withoutRegulatorOnly: %q", got)
	}
}
