package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/node"
)

// TestDevCommand follows the README: otc dev --home DIR --validators 1
// starts a network, prints its summary and serves the API at the URL it
// printed; it stops cleanly on SIGINT; started again with the same home it
// resumes at the height it had (the committed tx is still there); with
// --reset it starts over from genesis with a new network.
func TestDevCommand(t *testing.T) {
	ps := newProcs(t)
	home := filepath.Join(ps.dir, "dev")
	base := strconv.Itoa(freeBasePort(t, 10))

	// First run: a new network. Should another program take one of its
	// ports since freeBasePort probed them, start over on other ports.
	var p *proc
	var sum devSummary
	for attempt := 0; ; attempt++ {
		args := []string{"dev", "--home", home, "--validators", "1", "--base-port", base}
		if attempt > 0 {
			args = append(args, "--reset")
		}
		p = ps.start("dev", nil, args...)
		var clash bool
		if sum, clash = waitSummary(t, p, attempt < 2); !clash {
			break
		}
		t.Logf("otc dev found a port in use; trying other ports")
		base = strconv.Itoa(freeBasePort(t, 10))
	}
	if sum.state != "generated" || sum.chainID != node.DefaultChainID || len(sum.apis) != 1 {
		t.Fatalf("first run summary: %+v\n%s", sum, p.stdout())
	}
	for _, want := range []string{node.DevPassphrase, "otc status --api " + sum.apis[0], "otc keys list --home " + home} {
		if !strings.Contains(p.stdout(), want) {
			t.Errorf("summary lacks %q:\n%s", want, p.stdout())
		}
	}
	api := client.New(sum.apis[0])
	st := devStatus(t, api)
	if st.ChainID != sum.chainID || st.LatestHeight < 1 {
		t.Fatalf("status at the printed API URL: chain %q height %d", st.ChainID, st.LatestHeight)
	}
	firstValidator := st.Validators[0].Address

	// The documented CLI flow (docs/operations.md): anchor a file, fetch
	// its receipt, verify the receipt and the file offline.
	cliAnchorReceiptVerify(t, ps, home, sum.apis[0])

	// A tx signed with a key of the dev keystores (their passphrase is in
	// consortium.json).
	cons, err := node.ReadConsortium(home)
	if err != nil {
		t.Fatal(err)
	}
	if cons.DevPassphrase != node.DevPassphrase {
		t.Fatalf("consortium.json dev passphrase %q", cons.DevPassphrase)
	}
	s := loadSigner(t, cons, "fm-alpha", "operator", cons.DevPassphrase)
	res := submit(t, api, s.sign(t, cons.ChainID, expiryAfter(st.LatestHeight), anchorMsg("dev anchor")))
	// The block after the tx block (its app hash differs) follows at once.
	var before *client.Status
	poll(t, commitTimeout, "the block after the tx", func() (bool, string) {
		before = devStatus(t, api)
		return before.LatestHeight > res.Height, fmt.Sprintf("height %d", before.LatestHeight)
	})
	stopDev(t, p)

	// Second run, same home: it resumes where it was.
	p = ps.start("dev", nil, "dev", "--home", home)
	sum, _ = waitSummary(t, p, false)
	if sum.state != "resumed" || len(sum.apis) != 1 {
		t.Fatalf("second run summary: %+v\n%s", sum, p.stdout())
	}
	api = client.New(sum.apis[0])
	st = devStatus(t, api)
	if st.LatestHeight < before.LatestHeight || st.LatestHeight == before.LatestHeight && st.LatestAppHash != before.LatestAppHash {
		t.Fatalf("resumed at height %d app hash %s; it stopped at %d with %s", st.LatestHeight, st.LatestAppHash, before.LatestHeight, before.LatestAppHash)
	}
	if tx, err := api.Tx(t.Context(), res.Hash); err != nil || tx.Height != res.Height {
		t.Fatalf("tx %s after the restart: %+v, %v", res.Hash, tx, err)
	}
	stopDev(t, p)

	// Third run with --reset: a new network from height 1.
	p = ps.start("dev", nil, "dev", "--home", home, "--reset", "--validators", "1", "--base-port", base)
	sum, _ = waitSummary(t, p, false)
	if sum.state != "generated" {
		t.Fatalf("reset run summary: %+v\n%s", sum, p.stdout())
	}
	api = client.New(sum.apis[0])
	st = devStatus(t, api)
	// A new chain: it makes an empty block about every 1.3 s (otc.toml
	// consensus.empty_block_interval), so it is low but not at height 1.
	if st.LatestHeight >= before.LatestHeight || st.LatestHeight > 60 {
		t.Fatalf("after --reset the chain is at height %d (the old one stopped at %d): not a new chain", st.LatestHeight, before.LatestHeight)
	}
	if st.Validators[0].Address == firstValidator {
		t.Fatal("after --reset the validator key is the old one")
	}
	if _, err := api.Tx(t.Context(), res.Hash); !client.IsCode(err, client.CodeTxNotFound) {
		t.Fatalf("tx of the old network after --reset: want %s, got %v", client.CodeTxNotFound, err)
	}
	stopDev(t, p)
}

// devSummary is what otc dev printed about the network it runs.
type devSummary struct {
	state   string // "generated" or "resumed"
	chainID string
	apis    []string // API URL of each node
}

// waitSummary waits until otc dev has printed its whole summary and parses
// it. If portClash is allowed and otc dev ended because a port was in use,
// it returns true instead of failing.
func waitSummary(t *testing.T, p *proc, portClashOK bool) (s devSummary, portClash bool) {
	t.Helper()
	poll(t, startTimeout, "otc dev to print its summary", func() (bool, string) {
		if p.exited() {
			if portClashOK && strings.Contains(lastLines(p.errPath, 20), "in use") {
				portClash = true
				return true, ""
			}
			t.Fatalf("otc dev exited: %s\n%s", p.state, p.tail(40))
		}
		return strings.Contains(p.stdout(), "stop with Ctrl-C."), "no summary yet"
	})
	if portClash {
		return s, true
	}
	for _, line := range strings.Split(p.stdout(), "\n") {
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "otcchain dev network ("):
			s.state, _, _ = strings.Cut(strings.TrimPrefix(line, "otcchain dev network ("), ")")
		case len(f) == 3 && f[0] == "chain" && f[1] == "id":
			s.chainID = f[2]
		case len(f) >= 4 && strings.HasPrefix(f[0], "node") && strings.HasPrefix(f[3], "http://"):
			s.apis = append(s.apis, f[3])
		}
	}
	return s, false
}

func devStatus(t *testing.T, api *client.Client) *client.Status {
	t.Helper()
	ctx, cancel := callCtx()
	defer cancel()
	st, err := api.Status(ctx)
	if err != nil {
		t.Fatalf("status of %s: %v", api.BaseURL(), err)
	}
	if len(st.Validators) == 0 {
		t.Fatalf("status of %s lists no validators", api.BaseURL())
	}
	return st
}

// stopDev interrupts otc dev as Ctrl-C would and checks that it stops cleanly.
func stopDev(t *testing.T, p *proc) {
	t.Helper()
	st, ok := p.stop(syscall.SIGINT, stopTimeout)
	if !ok {
		t.Fatalf("otc dev did not stop within %s of SIGINT\n%s", stopTimeout, p.tail(40))
	}
	if !st.Success() || !strings.Contains(p.stdout(), "stopped.") {
		t.Fatalf("otc dev after SIGINT: %s\n%s", st, p.tail(40))
	}
}

// cliAnchorReceiptVerify runs otc anchor, otc receipt and otc verify --file
// against a running otc dev network, as docs/operations.md shows them.
func cliAnchorReceiptVerify(t *testing.T, ps *procs, home, api string) {
	t.Helper()
	doc := filepath.Join(ps.dir, "report.pdf")
	if err := os.WriteFile(doc, []byte("quarterly report "+time.Now().String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := ps.runEnv(env{"OTC_PASSPHRASE=" + node.DevPassphrase}, time.Minute,
		"anchor", doc, "--home", home, "--as", "fm-alpha/operator")
	m := regexp.MustCompile(`committed ([0-9a-f]{64}) at height (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("otc anchor output has no committed tx:\n%s", out)
	}
	receipt := filepath.Join(ps.dir, "receipt.json")
	// The receipt needs the block after the tx (it commits to the result):
	// otc receipt answers receipt_not_ready until then.
	poll(t, commitTimeout, "otc receipt to succeed", func() (bool, string) {
		p, ok := ps.try(nil, time.Minute, "receipt", m[1], "--api", api, "--out", receipt)
		return ok, lastLines(p.errPath, 3)
	})
	genesis := filepath.Join(home, "node0", "config", "genesis.json")
	out = ps.run(time.Minute, "verify", receipt, "--genesis", genesis, "--file", doc)
	if !strings.Contains(out, "receipt verifies") || !strings.Contains(out, "matches hash") {
		t.Fatalf("otc verify --file:\n%s", out)
	}
	other := filepath.Join(ps.dir, "other.pdf")
	if err := os.WriteFile(other, []byte("a different document"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, ok := ps.try(nil, time.Minute, "verify", receipt, "--genesis", genesis, "--file", other); ok {
		t.Fatalf("otc verify --file accepted a file the tx did not anchor:\n%s", p.stdout())
	}
}

// startDev starts a new one-validator otc dev network in home on free
// ports (other ones if a port is taken meanwhile) and returns its process
// and summary.
func startDev(t *testing.T, ps *procs, home string) (*proc, devSummary) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		base := strconv.Itoa(freeBasePort(t, 10))
		p := ps.start("dev", nil, "dev", "--home", home, "--validators", "1", "--base-port", base, "--reset")
		if sum, clash := waitSummary(t, p, attempt < 2); !clash {
			return p, sum
		}
	}
}
