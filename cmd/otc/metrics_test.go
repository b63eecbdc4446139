package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// ownMetrics returns the node's /metrics exposition restricted to the
// project's own metric families (otc_ and otcchain_; CometBFT's and the Go
// runtime's are their own).
func ownMetrics(t *testing.T, api string) string {
	t.Helper()
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %v %s", err, resp.Status)
	}
	var out strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		name := line
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			name = line[len("# HELP "):]
		}
		if strings.HasPrefix(name, "otc_") || strings.HasPrefix(name, "otcchain_") {
			out.WriteString(line + "\n")
		}
	}
	return out.String()
}

// checkMetrics asserts that every wanted series is in the node's own
// metrics and that promtool check metrics finds nothing to say about them.
// Without promtool on PATH the lint is skipped, unless OTC_REQUIRE_PROMTOOL
// is set (scripts/test installs promtool and sets it).
func checkMetrics(t *testing.T, api string, want ...string) {
	t.Helper()
	text := ownMetrics(t, api)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("OTC_REQUIRE_PROMTOOL") != "" {
			t.Fatal("promtool is not installed (scripts/test installs it)")
		}
		t.Log("promtool not installed: metrics lint skipped")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var o bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &o
	if err := cmd.Run(); err != nil || strings.TrimSpace(o.String()) != "" {
		t.Errorf("promtool check metrics: %v\n%s", err, o.String())
	}
}
