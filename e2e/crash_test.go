package e2e_test

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/otcchain/otcchain/node"
	"github.com/otcchain/otcchain/state"
)

// TestCrashRecovery runs a four-validator network under load in which node3
// kills itself (OTC_CRASH_AT) at an exact point of block execution: first
// right after FinalizeBlock of a height (before its Commit), then, in a
// second life, right after Commit of a later height. Each time the test
// checks that the process died by SIGKILL, that its app state on disk is at
// exactly the height the crash point implies, and that, restarted without
// the variable, the node catches up with its peers: the same blocks, and
// finally the same app state (ABCI Info) and no fork.
func TestCrashRecovery(t *testing.T) {
	if !strings.Contains(helpOf(t, "start"), "OTC_CRASH_AT") {
		t.Skip("otc start does not support OTC_CRASH_AT (its --help does not mention it)")
	}
	ps := newProcs(t)
	net := newNetwork(t, ps, 4)
	const victim = 3
	others := []int{0, 1, 2}

	// First life of node3: it crashes after FinalizeBlock of height 5.
	const finalizeAt = 5
	net.launch(map[int]env{victim: {fmt.Sprintf("OTC_CRASH_AT=after-finalize:%d", finalizeAt)}})
	crasher := net.nodes[victim]
	signers := []*signer{
		loadSigner(t, net.cons, "fm-alpha", "operator", testPassphrase),
		loadSigner(t, net.cons, "fm-beta", "operator", testPassphrase),
		loadSigner(t, net.cons, "rs-bank", "operator", testPassphrase),
	}
	ld := startLoad(net, signers, others, 1)

	crashes := []struct {
		point  string
		height int64
		// app state height the crash leaves on disk
		onDisk int64
	}{
		{"after-finalize", finalizeAt, finalizeAt - 1},
		{"after-commit", 0 /* set below */, 0},
	}
	for k := range crashes {
		c := &crashes[k]
		if k > 0 {
			// Next life: stop node3 cleanly and restart it with the next
			// crash point a few blocks ahead.
			net.stop(victim)
			c.height = net.maxHeight(others) + 4
			c.onDisk = c.height
			crasher = net.start(victim, env{fmt.Sprintf("OTC_CRASH_AT=%s:%d", c.point, c.height)})
			net.setExpected(victim, false)
		}
		net.poll(syncTimeout, fmt.Sprintf("node3 to crash at %s:%d", c.point, c.height), func() (bool, string) {
			ld.checkNoFailures(t)
			return crasher.exited(), fmt.Sprintf("others at %v", net.heights(others))
		})
		if !killedBy(crasher.state, syscall.SIGKILL) {
			t.Fatalf("node3 with OTC_CRASH_AT=%s:%d ended with %s, want killed by SIGKILL\n%s", c.point, c.height, crasher.state, crasher.tail(40))
		}
		if got := committedHeight(t, net.cons.Nodes[victim].Home); got != c.onDisk {
			t.Fatalf("after crash %s:%d the app state on disk is at height %d, want %d", c.point, c.height, got, c.onDisk)
		}
		t.Logf("node3 died by SIGKILL at %s:%d, app state on disk at height %d", c.point, c.height, c.onDisk)

		// Restart without the variable: it recovers and follows the chain.
		net.start(victim, nil)
		target := max(net.maxHeight(others), c.height+2)
		net.waitHeight(others, target, syncTimeout)
		net.waitHeight([]int{victim}, target, syncTimeout)
		net.sameBlockAt(all(4), target)
		t.Logf("node3 restarted, same block and app hash as its peers at height %d", target)
	}

	ld.stop()
	ld.checkNoFailures(t)
	h, app := net.waitConverged(all(4), syncTimeout)
	top := net.checkNoFork(all(4))
	t.Logf("%d load txs committed; all four agree on app state %d/%.12s and on %d blocks", ld.committed.Load(), h, app, top)
}

// committedHeight returns the height of the app state committed in a node
// home that no process runs. It opens a copy, leaving the home exactly as
// the crash left it for the node's own recovery.
func committedHeight(t *testing.T, home string) int64 {
	t.Helper()
	src := filepath.Join(home, filepath.FromSlash(node.AppDataDir))
	dst := filepath.Join(t.TempDir(), "app")
	if err := copyDir(src, dst); err != nil {
		t.Fatal(err)
	}
	db, err := state.Open(dst, state.DefaultOptions())
	if err != nil {
		t.Fatalf("open a copy of %s: %v", src, err)
	}
	defer db.Close()
	h, _ := db.LastCommitted()
	return h
}

// copyDir copies a directory tree of regular files.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil // a lock file's symlink or the like: not state
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
