package node_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
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

// TestDevPortInUse: a first start on a busy port names the port and leaves
// nothing behind, so the next plain start (same home, same ports, once they
// are free) generates the network without a reset. A first start that fails
// after generating (here: cancelled) also removes what it generated.
func TestDevPortInUse(t *testing.T) {
	home := filepath.Join(t.TempDir(), "dev")
	base := freeBasePort(t, 1)
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base+2)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = node.Dev(context.Background(), node.DevConfig{Home: home, Validators: 1, BasePort: base, Logger: quietLogger()})
	var pe *node.PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("busy port: %v, want a *PortInUseError", err)
	}
	if pe.Port != base+2 || pe.Base != base || !pe.New || pe.Suggest == 0 || pe.Suggest == base {
		t.Errorf("error %+v", pe)
	}
	for _, want := range []string{strconv.Itoa(base + 2), "node0 api", "in use"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := os.Stat(home); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed first start left %s behind: %v", home, err)
	}
	ln.Close()

	// Fails after generating: nothing left either (an empty home stays, empty).
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := node.Dev(ctx, node.DevConfig{Home: home, Validators: 1, BasePort: base, Logger: quietLogger()}); err == nil {
		t.Fatal("Dev with a cancelled context succeeded")
	}
	if entries, err := os.ReadDir(home); err != nil || len(entries) != 0 {
		t.Errorf("a failed first start left %v in %s (%v)", entries, home, err)
	}

	dn, err := node.Dev(context.Background(), node.DevConfig{Home: home, Validators: 1, BasePort: base, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("plain start after the failures: %v", err)
	}
	defer dn.Stop()
	if !dn.Generated {
		t.Error("the network was not generated afresh")
	}
}
