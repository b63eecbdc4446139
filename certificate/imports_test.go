package certificate_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports: the package stays pure (doc.go): nothing of the node, the
// API, the app, the state or the prover, which do I/O.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/otcchain/otcchain/certificate").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"/node", "/api", "/app", "/state", "/proof/prover", "/client", "/keystore", "/audit"} {
			if dep == "github.com/otcchain/otcchain"+bad || strings.HasPrefix(dep, "github.com/otcchain/otcchain"+bad+"/") {
				t.Errorf("certificate depends on %s", dep)
			}
		}
	}
}
