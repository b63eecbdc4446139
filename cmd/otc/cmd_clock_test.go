package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/node"
)

// TestClockCLI: on a sandbox network (otc testnet --business-clock: the
// regulator advances the clock) otc clock show and advance move business
// time forward each way, print it in China time labelled simulated, refuse
// going back and other roles; otc status and receipts show the simulated
// business time. On a network without the clock, advance is refused with
// clock_not_simulated.
func TestClockCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nodes")
	}
	tn := startTestNet(t, "otc-clock-cli", "clock-cli-pass", time.Time{}, func(c *node.TestnetConfig) {
		c.BusinessClock = []module.Role{module.RoleRegulator}
	})
	dir, ctx, env := tn.dir, context.Background(), tn.env()
	clk := func(who string, args ...string) (string, error) {
		return run(t, ctx, env, append(append([]string{"clock"}, args...), "--home", dir, "--as", who)...)
	}

	o, err := run(t, ctx, env, "clock", "show", "--api", tn.api)
	if err != nil || !strings.Contains(o, "China time (UTC+8), simulated") || !strings.Contains(o, "advances") {
		t.Fatalf("show: %v\n%s", err, o)
	}

	// --to without seconds, two days ahead at 15:05 China time.
	day := time.Now().In(fund.ChinaZone()).AddDate(0, 0, 2)
	target := time.Date(day.Year(), day.Month(), day.Day(), 15, 5, 0, 0, fund.ChinaZone())
	o, err = clk("regulator/operator", "advance", "--to", target.Format("2006-01-02T15:04-07:00"))
	want := target.Format("2006-01-02 15:04:05") + " China time (UTC+8), simulated"
	if err != nil || !strings.Contains(o, "after   "+want) || !strings.Contains(o, "before  ") {
		t.Fatalf("advance --to: %v\n%s", err, o)
	}
	txHash := regexp.MustCompile(`tx ([0-9a-f]{64})`).FindStringSubmatch(o)
	if txHash == nil {
		t.Fatalf("no tx hash in\n%s", o)
	}
	// Back to the morning of that day: refused, nothing changed.
	back := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, fund.ChinaZone())
	if o, err := clk("regulator/operator", "advance", "--to", back.Format(time.RFC3339)); err == nil || !strings.Contains(err.Error(), "clock_backwards") {
		t.Fatalf("backwards: %v\n%s", err, o)
	}
	// Another role than the genesis names: refused.
	if o, err := clk("fm-alpha/operator", "advance", "--next-cutoff"); err == nil || !strings.Contains(err.Error(), "clock_role_not_permitted") {
		t.Fatalf("fund manager: %v\n%s", err, o)
	}
	if o, err := clk("regulator/operator", "advance", "--to", "2026-12-08 15:05"); err == nil || !strings.Contains(err.Error(), "zone") {
		t.Fatalf("no zone: %v\n%s", err, o)
	}
	if o, err := clk("regulator/operator", "advance", "--next-cutoff", "--next-trading-day"); err == nil || !strings.Contains(err.Error(), "exactly one") {
		t.Fatalf("two targets: %v\n%s", err, o)
	}

	o, err = clk("regulator/operator", "advance", "--next-cutoff")
	if err != nil || !regexp.MustCompile(`after   \d{4}-\d\d-\d\d 15:00:00 China time \(UTC\+8\), simulated`).MatchString(o) {
		t.Fatalf("advance --next-cutoff: %v\n%s", err, o)
	}
	o, err = clk("regulator/operator", "advance", "--next-trading-day")
	if err != nil || !regexp.MustCompile(`after   \d{4}-\d\d-\d\d 09:00:00 China time \(UTC\+8\), simulated`).MatchString(o) {
		t.Fatalf("advance --next-trading-day: %v\n%s", err, o)
	}
	if o, err = run(t, ctx, env, "clock", "show", "--api", tn.api); err != nil || !strings.Contains(o, "advances       3") {
		t.Fatalf("show after: %v\n%s", err, o)
	}
	if o, err = run(t, ctx, env, "status", "--api", tn.api); err != nil || !strings.Contains(o, "simulated") || !strings.Contains(o, "business time") {
		t.Fatalf("status: %v\n%s", err, o)
	}

	// The receipt of the first advance carries the business time it ran at
	// (before the advance), labelled simulated; otc verify prints it.
	rf := filepath.Join(t.TempDir(), "receipt.json")
	if o, err = run(t, ctx, env, "receipt", txHash[1], "--api", tn.api, "--out", rf); err != nil {
		t.Fatalf("receipt: %v\n%s", err, o)
	}
	b, _ := os.ReadFile(rf)
	if !strings.Contains(string(b), `"clock":{"simulated":true,"business_time":"`) {
		t.Fatalf("receipt without the clock note: %.300s", b)
	}
	gen := filepath.Join(tn.res.Homes[0], node.GenesisFile)
	if o, err = run(t, ctx, env, "verify", rf, "--genesis", gen); err != nil || !strings.Contains(o, "China time (UTC+8), simulated (not covered by the proof)") {
		t.Fatalf("verify: %v\n%s", err, o)
	}

	// A network without the clock.
	pn := startTestNet(t, "otc-clock-prod", "clock-prod-pass", time.Time{})
	o, err = run(t, ctx, pn.env(), "clock", "advance", "--next-cutoff", "--home", pn.dir, "--as", "regulator/operator")
	if err == nil || !strings.Contains(err.Error(), "clock_not_simulated") {
		t.Fatalf("production advance: %v\n%s", err, o)
	}
	if o, err = run(t, ctx, pn.env(), "clock", "show", "--api", pn.api); err != nil || !strings.Contains(o, "not simulated") || strings.Contains(o, ", simulated") {
		t.Fatalf("production show: %v\n%s", err, o)
	}
	if o, err = run(t, ctx, pn.env(), "status", "--api", pn.api); err != nil || !strings.Contains(o, "not simulated") {
		t.Fatalf("production status: %v\n%s", err, o)
	}
}
