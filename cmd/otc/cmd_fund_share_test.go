package main

import (
	"context"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

func TestAskShare(t *testing.T) {
	to := []member.OrgEncKey{
		{ID: strings.Repeat("a1", 32), Role: module.RoleFundManager, Name: "fm-alpha Operator"},
		{ID: strings.Repeat("b2", 32), Role: module.RoleFundManager, Name: "fm-alpha Operator 2"},
	}
	for _, c := range []struct {
		answer string
		ok     bool
	}{{"yes\n", true}, {"y\n", true}, {" YES \n", true}, {"no\n", false}, {"\n", false}, {"", false}, {"yess\n", false}} {
		var out strings.Builder
		err := askShare(strings.NewReader(c.answer), &out, "INV001", "fm-alpha", to)
		if (err == nil) != c.ok {
			t.Errorf("answer %q: %v, want confirmed=%v", c.answer, err, c.ok)
		}
		p := out.String()
		for _, want := range []string{"INV001", "2 identities of fm-alpha", to[0].ID, to[1].ID, "fm-alpha Operator 2", "cannot be taken back", "for ever"} {
			if !strings.Contains(p, want) {
				t.Errorf("the prompt does not say %q:\n%s", want, p)
			}
		}
	}
}

// Without a terminal and without --yes the share is refused before anything
// is read or sent (no network needed: the flags are checked first).
func TestShareNeedsYesWithoutTerminal(t *testing.T) {
	m, _, _ := testMain(nil)
	err := m.confirmShare("INV001", "fm-alpha", []member.OrgEncKey{{ID: strings.Repeat("c3", 32), Role: module.RoleFundManager}})
	if err == nil || !strings.Contains(err.Error(), "--yes") || !strings.Contains(err.Error(), "cannot be taken back") || !strings.Contains(err.Error(), "not a terminal") {
		t.Fatalf("confirmShare without a terminal: %v", err)
	}
	if _, err := run(t, context.Background(), nil, "fund", "investor", "share", "--help"); err != nil {
		t.Fatal(err)
	}
}
