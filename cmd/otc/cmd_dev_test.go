package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestDevBannerRuns starts otc dev (one validator), reads the example
// commands its banner prints and runs each as printed, in order: every one
// must succeed (the export line sets the environment of the next ones).
func TestDevBannerRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a dev network")
	}
	base, err := ports.FreeBase(1)
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "dev")
	ctx, cancel := context.WithCancel(context.Background())
	m, out, _ := testMain(nil)
	if err := m.ParseFlags(ctx, []string{"dev", "--home", home, "--validators", "1", "--base-port", strconv.Itoa(base), "--log-level", "error", "--engine-log-level", "none"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("otc dev: %v", err)
		}
	}()
	for deadline := time.Now().Add(2 * time.Minute); !strings.Contains(out.String(), "stop with Ctrl-C"); {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("otc dev ended: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	banner := out.String()
	env := map[string]string{}
	var ran []string
	for _, line := range strings.Split(banner, "\n") {
		if !strings.HasPrefix(line, "  otc ") && !strings.HasPrefix(line, "  export ") {
			continue
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		words, err := shellWords(strings.TrimSpace(line))
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if words[0] == "export" {
			k, v, _ := strings.Cut(words[1], "=")
			env[k] = v
			continue
		}
		ran = append(ran, words[1]+" "+words[2])
		if o, err := run(t, ctx, env, words[1:]...); err != nil {
			t.Errorf("as printed, %s\nfails: %v\n%s", line, err, o)
		}
	}
	// The banner shows the fund day: read, register, account, purchase, clock.
	for _, want := range []string{"status --api", "fund show", "fund investor", "fund account", "fund purchase", "clock show", "clock advance"} {
		found := false
		for _, r := range ran {
			found = found || strings.HasPrefix(r+" ", want+" ") || strings.HasPrefix(r, want)
		}
		if !found {
			t.Errorf("the banner prints no %q example (ran %q):\n%s", want, ran, banner)
		}
	}
}

// shellWords splits a command line as sh does for the banner's lines:
// blanks separate words, double or single quotes group them.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote in %q", s)
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}
