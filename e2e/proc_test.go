package e2e_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// procs starts otc processes for one test, records their output in files
// under the test's temporary directory, kills whatever is still running when
// the test ends and, if the test failed, prints the tail of every log.
type procs struct {
	t   *testing.T
	dir string // the test's temporary directory

	mu    sync.Mutex
	all   []*proc
	count map[string]int
}

func newProcs(t *testing.T) *procs {
	t.Helper()
	ps := &procs{t: t, dir: t.TempDir(), count: map[string]int{}}
	// Registered after TempDir's own cleanup, so it runs before the
	// directory is removed: kill first, then report, then remove.
	t.Cleanup(func() {
		ps.killAll()
		if t.Failed() {
			ps.dumpLogs()
		}
	})
	return ps
}

// proc is one running (or finished) otc process.
type proc struct {
	name    string
	cmd     *exec.Cmd
	outPath string
	errPath string
	done    chan struct{}
	state   *os.ProcessState // set when done is closed
	waitErr error
}

// env lists extra environment variables ("K=V") for start.
type env []string

// start runs otc with args; name identifies it in logs ("node2").
// Variables of the test's own environment that change otc's behaviour
// (OTC_*) are not inherited; e adds variables.
func (ps *procs) start(name string, e env, args ...string) *proc {
	ps.t.Helper()
	ps.mu.Lock()
	n := ps.count[name]
	ps.count[name]++
	ps.mu.Unlock()
	logs := filepath.Join(ps.dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		ps.t.Fatal(err)
	}
	base := filepath.Join(logs, fmt.Sprintf("%s.%d", name, n))
	p := &proc{name: fmt.Sprintf("%s#%d", name, n), outPath: base + ".out", errPath: base + ".err", done: make(chan struct{})}
	stdout, err := os.Create(p.outPath)
	if err != nil {
		ps.t.Fatal(err)
	}
	stderr, err := os.Create(p.errPath)
	if err != nil {
		stdout.Close()
		ps.t.Fatal(err)
	}
	p.cmd = exec.Command(otcBin, args...)
	p.cmd.Stdout, p.cmd.Stderr = stdout, stderr
	p.cmd.Env = append(cleanEnv(), e...)
	p.cmd.SysProcAttr = procAttr()
	if err := p.cmd.Start(); err != nil {
		stdout.Close()
		stderr.Close()
		ps.t.Fatalf("start otc %s: %v", strings.Join(args, " "), err)
	}
	ps.mu.Lock()
	ps.all = append(ps.all, p)
	ps.mu.Unlock()
	go func() {
		p.waitErr = p.cmd.Wait()
		p.state = p.cmd.ProcessState
		stdout.Close()
		stderr.Close()
		close(p.done)
	}()
	ps.t.Logf("started %s (pid %d): otc %s", p.name, p.cmd.Process.Pid, strings.Join(args, " "))
	return p
}

// run runs otc with args to completion and returns its standard output; a
// failure (non-zero exit, or not done within timeout) fails the test.
func (ps *procs) run(timeout time.Duration, args ...string) string {
	ps.t.Helper()
	return ps.runEnv(nil, timeout, args...)
}

// runEnv is run with extra environment e.
func (ps *procs) runEnv(e env, timeout time.Duration, args ...string) string {
	ps.t.Helper()
	p, ok := ps.try(e, timeout, args...)
	if !ok {
		ps.t.Fatalf("otc %s: %s\n%s", strings.Join(args, " "), p.state, p.tail(40))
	}
	return p.stdout()
}

// try runs otc with args to completion and reports whether it exited with
// status 0; not being done within timeout fails the test.
func (ps *procs) try(e env, timeout time.Duration, args ...string) (*proc, bool) {
	ps.t.Helper()
	p := ps.start(args[0], e, args...)
	st, ok := p.wait(timeout)
	if !ok {
		p.kill()
		ps.t.Fatalf("otc %s: not done after %s\n%s", strings.Join(args, " "), timeout, p.tail(40))
	}
	return p, st.Success()
}

// cleanEnv returns the process environment without OTC_* variables.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OTC_") {
			out = append(out, kv)
		}
	}
	return out
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to timeout for the process to end.
func (p *proc) wait(timeout time.Duration) (*os.ProcessState, bool) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.state, true
	case <-t.C:
		return nil, false
	}
}

// signal sends sig unless the process has ended.
func (p *proc) signal(sig os.Signal) {
	if p.exited() {
		return
	}
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		panic(fmt.Sprintf("signal %s: %v", p.name, err))
	}
}

// kill SIGKILLs the process and waits for it.
func (p *proc) kill() *os.ProcessState {
	p.signal(syscall.SIGKILL)
	<-p.done
	return p.state
}

// stop sends sig (SIGTERM, SIGINT) and waits up to timeout for the process
// to end; ok is false (and the process is killed) if it did not.
func (p *proc) stop(sig os.Signal, timeout time.Duration) (st *os.ProcessState, ok bool) {
	p.signal(sig)
	if st, ok := p.wait(timeout); ok {
		return st, true
	}
	p.kill()
	return p.state, false
}

// killedBy reports whether the process ended on signal sig.
func killedBy(st *os.ProcessState, sig syscall.Signal) bool {
	ws, ok := st.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

func (p *proc) stdout() string {
	b, _ := os.ReadFile(p.outPath)
	return string(b)
}

// tail returns the last n lines of the process's standard output and error.
func (p *proc) tail(n int) string {
	var b strings.Builder
	status := "running"
	if p.exited() {
		status = p.state.String()
	}
	fmt.Fprintf(&b, "---- %s (%s) stdout %s\n%s", p.name, status, p.outPath, lastLines(p.outPath, n))
	fmt.Fprintf(&b, "---- %s stderr %s\n%s", p.name, p.errPath, lastLines(p.errPath, n))
	return b.String()
}

func lastLines(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error() + "\n"
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := string(bytes.Join(lines, []byte("\n")))
	if out != "" {
		out += "\n"
	}
	return out
}

func (ps *procs) killAll() {
	ps.mu.Lock()
	all := append([]*proc(nil), ps.all...)
	ps.mu.Unlock()
	for _, p := range all {
		p.signal(syscall.SIGKILL)
	}
	for _, p := range all {
		<-p.done
	}
}

func (ps *procs) dumpLogs() {
	ps.mu.Lock()
	all := append([]*proc(nil), ps.all...)
	ps.mu.Unlock()
	for _, p := range all {
		ps.t.Log("\n" + p.tail(30))
	}
}

// freeBasePort returns a port p such that p..p+span-1 are all free on
// 127.0.0.1 and below 32768 (outside the ephemeral range, where the kernel
// would hand them to outgoing connections).
func freeBasePort(t *testing.T, span int) int {
	t.Helper()
	const lo, hi = 20000, 32768
	for try := 0; try < 500; try++ {
		base := lo + 10*rand.IntN((hi-lo-span)/10)
		if portsFree(base, span) {
			return base
		}
	}
	t.Fatalf("no %d free consecutive ports below %d", span, hi)
	return 0
}

func portsFree(base, span int) bool {
	for p := base; p < base+span; p++ {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}

// poll calls cond every interval until it reports done or timeout passes;
// then it fails the test with what and cond's last explanation. cond may
// also fail the test itself.
func poll(t *testing.T, timeout time.Duration, what string, cond func() (done bool, why string)) {
	t.Helper()
	const interval = 100 * time.Millisecond
	deadline := time.Now().Add(timeout)
	for {
		done, why := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %s", timeout, what, why)
		}
		time.Sleep(interval) // polling interval, not a wait for an event
	}
}

// holds checks cond every interval for the duration d (a bounded
// observation window, for things that must NOT happen) and fails the test
// the first time it is false.
func holds(t *testing.T, d time.Duration, what string, cond func() (ok bool, why string)) {
	t.Helper()
	const interval = 200 * time.Millisecond
	end := time.Now().Add(d)
	for {
		if ok, why := cond(); !ok {
			t.Fatalf("expected %s: %s", what, why)
		}
		if time.Now().After(end) {
			return
		}
		time.Sleep(interval) // observation window, not a wait for an event
	}
}
