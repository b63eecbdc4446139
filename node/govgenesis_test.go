package node_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/otcchain/otcchain/gov"
	"github.com/otcchain/otcchain/node"
)

// The generated genesis carries the gov section: parameters and a bond for
// every organisation, and each validator is listed by its organisation.
func TestTestnetGovSection(t *testing.T) {
	res, err := node.Testnet(node.TestnetConfig{OutDir: filepath.Join(t.TempDir(), "net"), Validators: 4,
		Passphrase: testPassphrase, ScryptN: testScryptN, BasePort: 21100})
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Gov    gov.Genesis `json:"gov"`
		Member struct {
			Orgs []struct {
				ID         string   `json:"id"`
				Validators []string `json:"validators"`
			} `json:"orgs"`
		} `json:"member"`
	}
	if err := json.Unmarshal(res.Genesis.AppState, &st); err != nil {
		t.Fatal(err)
	}
	if st.Gov.Params == nil || st.Gov.Params.Validate() != nil || len(st.Gov.Bonds) != len(st.Member.Orgs) {
		t.Fatalf("gov section: %+v", st.Gov)
	}
	n := 0
	for _, o := range st.Member.Orgs {
		n += len(o.Validators)
	}
	if n != 4 {
		t.Fatalf("%d validators listed by organisations, want 4", n)
	}
}
