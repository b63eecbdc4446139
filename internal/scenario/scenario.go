// Package scenario reads and runs the data-driven scenario scripts of the
// modules' tests (fund, contract, exchange testdata/scenarios/*.txt): each
// case is one or more command lines, a line "----", and the expected output,
// ended by a blank line; lines starting with "#" are comments. Run compares
// each case's output with its expectation, or rewrites the expectations in
// place (keeping comments) when asked to.
package scenario

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Case is one command and its expected and actual output.
type Case struct {
	Line   int      // line of the first command line
	Input  []string // the command lines
	Expect string
	Got    string
}

// idRun matches identity ids and hashes, which change with the fixture's
// fresh keys on every run; outputs print them as "<id>".
var idRun = regexp.MustCompile(`[0-9a-f]{32,}`)

// Parse reads the cases of a scenario file.
func Parse(t testing.TB, path string) []*Case {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n")
	var cases []*Case
	var cur *Case
	inExpect := false
	var exp []string
	for i, l := range lines {
		switch {
		case inExpect && l == "":
			cur.Expect = strings.Join(exp, "\n")
			cases = append(cases, cur)
			cur, inExpect, exp = nil, false, nil
		case inExpect:
			exp = append(exp, l)
		case l == "----":
			if cur == nil {
				t.Fatalf("%s:%d: ---- without a command", path, i+1)
			}
			inExpect = true
		case strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "":
		default:
			if cur == nil {
				cur = &Case{Line: i + 1}
			}
			cur.Input = append(cur.Input, l)
		}
	}
	if inExpect {
		cur.Expect = strings.Join(exp, "\n")
		cases = append(cases, cur)
	} else if cur != nil {
		t.Fatalf("%s:%d: command without ----", path, cur.Line)
	}
	return cases
}

// Run runs every case of path through run (output trimmed, ids masked).
// With check it compares with the expectations — or, with rewrite, writes
// the new outputs into the file instead.
func Run(t testing.TB, path string, run func(in []string) string, check, rewrite bool) {
	t.Helper()
	cases := Parse(t, path)
	failed := false
	for _, c := range cases {
		c.Got = idRun.ReplaceAllString(strings.TrimRight(run(c.Input), "\n"), "<id>")
		if check && c.Got != c.Expect && !rewrite {
			failed = true
			t.Errorf("%s:%d: %s\n--- want\n%s\n--- got\n%s", path, c.Line, c.Input[0], c.Expect, c.Got)
		}
	}
	if rewrite && check {
		write(t, path, cases)
	} else if failed {
		t.Log("run with -rewrite to accept the new output (and review the diff)")
	}
}

// write rewrites the expectations in place, keeping comments.
func write(t testing.TB, path string, cases []*Case) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	var out []string
	ci := 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		out = append(out, l)
		if l == "----" && ci < len(cases) {
			for i+1 < len(lines) && lines[i+1] != "" {
				i++
			}
			if cases[ci].Got != "" {
				out = append(out, strings.Split(cases[ci].Got, "\n")...)
			}
			ci++
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}
