package signing

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestSignerBuildsForTheBrowser: the signer, built for WebAssembly
// (GOOS=js GOARCH=wasm; curve25519-voi needs the force64bit tag there),
// pulls in nothing that has no place in a browser.
func TestSignerBuildsForTheBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly signer")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	env := append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	cmd := exec.Command(goBin, "list", "-deps", "-tags", "force64bit", "../signer")
	cmd.Env = env
	deps, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list for js/wasm: %v", err)
	}
	for _, d := range strings.Fields(string(deps)) {
		for _, banned := range []string{"github.com/cometbft/", "github.com/cockroachdb/", "net/http", "github.com/otcchain/otcchain/app", "github.com/otcchain/otcchain/api", "github.com/otcchain/otcchain/node"} {
			if strings.HasPrefix(d, banned) {
				t.Errorf("the browser signer imports %s", d)
			}
		}
	}
	// The build itself (and that the committed console/web/signer.wasm.gz
	// is the build of these sources) is TestGeneratedAssetsUpToDate in
	// package console.
}
