package node_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/node"
)

// TestDev runs a four-validator dev network in this process, commits a tx
// through it until height 3, stops it, and resumes it from the same home.
func TestDev(t *testing.T) {
	home := filepath.Join(t.TempDir(), "dev")
	base := freeBasePort(t, 4)
	ctx := context.Background()
	var out bytes.Buffer
	dn, err := node.Dev(ctx, node.DevConfig{Home: home, Validators: 4, BasePort: base, Out: &out, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dn.Stop() })
	if !dn.Generated || len(dn.Nodes) != 4 {
		t.Fatalf("generated %t, %d nodes", dn.Generated, len(dn.Nodes))
	}
	for _, want := range []string{
		node.DefaultChainID, node.DevPassphrase, "INSECURE",
		dn.Nodes[0].APIURL(), dn.Nodes[3].RPCURL(),
		"otc status --api " + dn.Nodes[0].APIURL(),
		"otc keys list --home " + home,
		"--keystore " + filepath.Join(home, "orgs", "fm-alpha", "keystore"),
		"rs-bank", "investor-2", "Securities Regulator",
		"otc fund show 000001 --api " + dn.Nodes[0].APIURL(),
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}

	registerInvestor(t, dn.Consortium, "rs-broker", node.DevPassphrase, dn.Nodes[2].APIURL(), dn.Nodes[2].Height())
	if err := dn.WaitHeight(ctx, 3, time.Minute); err != nil {
		t.Fatal(err)
	}
	h := dn.Nodes[0].Height()
	if err := dn.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := dn.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	// Resume: same network, same height or more, no regeneration.
	dn2, err := node.Dev(ctx, node.DevConfig{Home: home, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	t.Cleanup(func() { _ = dn2.Stop() })
	if dn2.Generated || len(dn2.Nodes) != 4 || dn2.Nodes[0].Height() < h {
		t.Errorf("resume: generated %t, %d nodes, height %d (was %d)", dn2.Generated, len(dn2.Nodes), dn2.Nodes[0].Height(), h)
	}
	if err := dn2.Stop(); err != nil {
		t.Fatal(err)
	}

	// A different size needs a reset.
	if _, err := node.Dev(ctx, node.DevConfig{Home: home, Validators: 2, Logger: quietLogger()}); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("size change without reset: %v", err)
	}
}

func TestDevRefusesForeignDirectory(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "precious.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, reset := range []bool{false, true} {
		_, err := node.Dev(context.Background(), node.DevConfig{Home: home, Reset: reset, Logger: quietLogger()})
		if err == nil {
			t.Fatalf("reset %t: Dev took over a directory that holds no network", reset)
		}
	}
	if _, err := os.Stat(filepath.Join(home, "precious.txt")); err != nil {
		t.Fatal("Dev removed a foreign file")
	}
}
