package contract_test

import (
	"path/filepath"
	"testing"
)

// The public type list, which the scenarios do not read (they read single
// types), after the types scenario: the harness's read checks the answer
// against its schema (querycheck.Read).
func TestTypesFitSchema(t *testing.T) {
	h := newChain(t)
	runScenarioOn(t, filepath.Join("testdata", "scenarios", "types.txt"), h, false)
	var types []map[string]any
	if err := h.read("contract/types", &types); err != nil {
		t.Fatal(err)
	}
	if len(types) == 0 {
		t.Fatal("the types scenario defined no type")
	}
}
