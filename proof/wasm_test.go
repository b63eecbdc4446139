package proof_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestVerifierBuildsForTheBrowser: package proof and the browser verifier
// (console/verifier), built for WebAssembly (GOOS=js GOARCH=wasm, with the
// force64bit tag curve25519-voi needs there), pull in nothing that has no
// place in a browser: no database, no RPC client or p2p stack, no HTTP
// server code of ours, no app, API or node.
//
// net/http itself cannot be banned: CometBFT's abci/types (which
// cometbft/types needs) imports gogoproto's gRPC glue and through it grpc
// and net/http. The linker keeps only what is reachable.
func TestVerifierBuildsForTheBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("lists the WebAssembly build")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	banned := []string{
		"github.com/cometbft/cometbft-db", "github.com/syndtr/goleveldb", "github.com/cockroachdb/pebble",
		"github.com/cometbft/cometbft/rpc/", "github.com/cometbft/cometbft/p2p", "github.com/cometbft/cometbft/config",
		"github.com/cometbft/cometbft/node", "github.com/cometbft/cometbft/state", "github.com/cometbft/cometbft/store",
		"github.com/otcchain/otcchain/app", "github.com/otcchain/otcchain/api", "github.com/otcchain/otcchain/node",
		"github.com/otcchain/otcchain/state", "github.com/otcchain/otcchain/proof/prover",
	}
	for _, pkg := range []string{".", "../console/verifier"} {
		cmd := exec.Command(goBin, "list", "-deps", "-tags", "force64bit", pkg)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
		deps, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s for js/wasm: %v", pkg, err)
		}
		for _, d := range strings.Fields(string(deps)) {
			for _, b := range banned {
				if d == b || strings.HasPrefix(d, b+"/") || (strings.HasSuffix(b, "/") && strings.HasPrefix(d, b)) {
					t.Errorf("%s for the browser imports %s", pkg, d)
				}
			}
		}
	}
}
