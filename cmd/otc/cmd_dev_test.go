package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/internal/ports"
)

// TestDevPortInUse: otc dev on a busy port names the port, the flag that
// changes it and a base whose ports are free, and generates nothing.
func TestDevPortInUse(t *testing.T) {
	base, err := ports.FreeBase(1)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base+1)))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	home := filepath.Join(t.TempDir(), "dev")
	_, err = run(t, context.Background(), nil, "dev", "--home", home, "--validators", "1", "--base-port", strconv.Itoa(base))
	if err == nil {
		t.Fatal("otc dev on a busy port succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"port " + strconv.Itoa(base+1), "node0 rpc", "--base-port", "otc dev --home " + home + " --base-port ", "nothing was generated"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if _, err := os.Stat(home); err == nil {
		t.Errorf("otc dev left %s behind", home)
	}
}
