package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestGovCLI: on a real node of the dev consortium (six organisations), an
// operator cannot propose, four admins' yes votes leave a proposal open, the
// fifth passes it and its action (new gov parameters) is in force; an
// organisation votes once; validators and evidence are public reads.
func TestGovCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	tn := startTestNet(t, "otc-gov-cli", "gov-cli-pass", time.Time{})
	dir, ctx := tn.dir, context.Background()
	env := tn.env()
	as := func(who string, args ...string) (string, error) {
		return run(t, ctx, env, append(append([]string{"gov"}, args...), "--home", dir, "--as", who)...)
	}
	propose := []string{"propose", "--id", "P-1", "--title", "Two-week voting period",
		"--action", `gov/set_params={"voting_period":1209600,"min_bond":1000000,"slash_amount":500000,"premium":10000,"premium_period_days":30}`}
	o, err := as("fm-alpha/operator", propose...)
	if err == nil || !strings.Contains(err.Error()+o, "role_not_permitted") {
		t.Fatalf("an operator proposed: %v\n%s", err, o)
	}
	if o, err := as("fm-alpha/admin", propose...); err != nil || !strings.Contains(o, `"open"`) {
		t.Fatalf("propose: %v\n%s", err, o)
	}
	for _, org := range []string{"fm-alpha", "fm-beta", "rs-bank", "rs-broker"} {
		if o, err := as(org+"/admin", "vote", "P-1", "yes"); err != nil || !strings.Contains(o, `"open"`) {
			t.Fatalf("vote of %s: %v\n%s", org, err, o)
		}
	}
	if o, err := as("fm-beta/admin", "vote", "P-1", "no"); err == nil || !strings.Contains(err.Error()+o, "already_voted") {
		t.Fatalf("fm-beta voted twice: %v\n%s", err, o)
	}
	if o, err := as("cust-trust/admin", "vote", "P-1", "yes"); err != nil || !strings.Contains(o, `"passed"`) {
		t.Fatalf("fifth vote: %v\n%s", err, o)
	}
	if o, err := as("regulator/admin", "params"); err != nil || !strings.Contains(o, "1209600") {
		t.Fatalf("params: %v\n%s", err, o)
	}
	if o, err := as("regulator/operator", "show", "P-1"); err != nil || strings.Count(o, `"admin"`) != 5 {
		t.Fatalf("show: %v\n%s", err, o)
	}
	if o, err := as("rs-bank/investor-1", "validators"); err != nil || !strings.Contains(o, `"fm-alpha"`) || !strings.Contains(o, `"power"`) {
		t.Fatalf("validators: %v\n%s", err, o)
	}
	if o, err := as("regulator/admin", "insurance"); err != nil || strings.Count(o, `"premium_due"`) != 6 {
		t.Fatalf("insurance: %v\n%s", err, o)
	}
}
