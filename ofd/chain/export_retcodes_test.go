package chain

import (
	"strings"
	"testing"

	"github.com/otcchain/otcchain/fund"
)

// Every fund refusal maps to a code of the standard's table, and the
// module's own confirmation codes are in the table.
func TestRefusalReturnCode(t *testing.T) {
	for _, biz := range []string{"001", "020", "022", "024", "029", "052"} {
		for _, c := range fund.Codes.All() {
			rc := RefusalReturnCode(biz, "fund/"+c.Name+": x")
			if !exReturnCodeKnown(rc) {
				t.Fatalf("%s %s -> %s: not in the standard's table", biz, c.Name, rc)
			}
		}
	}
	for _, rc := range []string{fund.RetSuccess, fund.RetInsufficient, fund.RetAccountFrozen, fund.RetOtherFailure,
		fund.RetBelowMinHolding, fund.RetOfferingFailed, fund.RetFeeExceedsAmt, fund.RetCancelled} {
		if !exReturnCodeKnown(rc) {
			t.Fatalf("fund return code %s is not in the standard's table", rc)
		}
	}
	for in, want := range map[string]string{
		"fund/14 insufficient_shares: not enough": "0001", "account_frozen": "0002", "fund/12 below_minimum": "0309",
		"  fund/7 no_account: x ": "0009", "supervision/3 rule_blocked: y": "0010",
	} {
		if got := RefusalReturnCode("022", in); got != want {
			t.Fatalf("%q -> %s, want %s", in, got, want)
		}
	}
	if RefusalReturnCode("024", "below_minimum") != "0341" || !strings.HasPrefix(RefusalReturnCode("020", "fund_status"), "03") {
		t.Fatal("business-dependent codes")
	}
}
