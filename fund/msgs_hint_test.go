package fund_test

import (
	"strings"
	"testing"

	"github.com/otcchain/otcchain/fund"
)

// TestValidateNamesWhatIsWrong: a refused order names the field that is
// wrong, not every field it checks.
func TestValidateNamesWhatIsWrong(t *testing.T) {
	order := func(inv, code string) *fund.PurchaseOrder {
		return &fund.PurchaseOrder{OrderBase: fund.OrderBase{AppNo: "P1", Investor: inv, Fund: code}, Amount: 10000_00}
	}
	tests := []struct {
		name    string
		msg     interface{ Validate() error }
		want    []string
		mustNot []string
	}{
		{"bad fund code only", order("INV001", "12345"), []string{"fund code must be 6 digits", `"12345"`}, []string{"investor"}},
		{"missing fund code", order("INV001", ""), []string{"fund code (6 digits"}, []string{"investor"}},
		{"bad investor only", order("INV 001", "000001"), []string{"investor id", `"INV 001"`}, []string{"fund code"}},
		{"both bad", order("", "1"), []string{"investor id", "fund code"}, nil},
		{"status: bad fund code", &fund.SetFundStatus{Fund: "1", Status: "open"}, []string{"fund code must be 6 digits"}, []string{"reason"}},
		{"status: bad reason", &fund.SetFundStatus{Fund: "000001", Status: "open", Reason: "a\nb"}, []string{"reason"}, []string{"fund code"}},
		{"authorise: no reseller", &fund.AuthoriseReseller{Fund: "000001"}, []string{"reseller"}, []string{"fund code"}},
		{"authorise: bad fund code", &fund.AuthoriseReseller{Fund: "x", Reseller: "rs-bank"}, []string{"fund code"}, []string{"reseller"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.msg.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			for _, w := range tc.mustNot {
				if strings.Contains(err.Error(), w) {
					t.Errorf("%q mentions %q, which is fine", err, w)
				}
			}
		})
	}
	if err := order("INV001", "000001").Validate(); err != nil {
		t.Errorf("a good order: %v", err)
	}
}
