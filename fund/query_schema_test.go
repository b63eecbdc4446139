package fund_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/module"
)

// TestQuerySchemasAfterScenarios reads, on the chains the supervision
// scenarios leave behind, the queries the scenarios themselves do not
// (lists and the records they name), each answer checked against its
// schema by querycheck.Read.
func TestQuerySchemasAfterScenarios(t *testing.T) {
	for _, name := range []string{"interventions", "sandbox", "compliance_alert"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "scenarios", name+".txt")
			c, err := fixture.New("fund-test", genesisTime, fixture.DefaultOrgs())
			if err != nil {
				t.Fatal(err)
			}
			c.Sections = map[string]any{}
			if sup := supervisionGenesis(t, path); sup != nil {
				c.Sections["supervision"] = sup
			}
			h := newChainOf(t, c, nil)
			runScenarioOn(t, path, h, false)

			reg := h.identity("regulator/operator")
			read := func(path string, who *module.Identity) any {
				t.Helper()
				v, err := querycheck.Read(t, h.app, path, nil, who)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				b, _ := json.Marshal(v)
				var out any
				_ = json.Unmarshal(b, &out)
				return out
			}
			ids := func(v any) []string {
				var out []string
				for _, x := range v.([]any) {
					out = append(out, x.(map[string]any)["id"].(string))
				}
				return out
			}
			read("fund/funds", nil)
			read("member/orgs", nil)
			read("member/identities/"+h.user("fm-alpha/operator").ID(), nil)
			read("member/org-identities/fm-alpha", h.identity("fm-alpha/admin"))
			for _, id := range ids(read("supervision/interventions", reg)) {
				read("supervision/interventions/"+id, reg)
			}
			for _, id := range ids(read("supervision/alerts", reg)) {
				read("supervision/alerts/"+id, reg)
			}
			for _, id := range ids(read("supervision/sandbox", reg)) {
				read("supervision/sandbox/"+id, reg)
			}
			read("supervision/freezes", reg)
		})
	}
}
