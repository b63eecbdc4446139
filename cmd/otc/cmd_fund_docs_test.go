package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/clock"
	"github.com/otcchain/otcchain/contract"
	"github.com/otcchain/otcchain/evidence"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/gov"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/supervision"
)

var updateDocs = flag.Bool("update", false, "rewrite the generated code tables in docs/")

// docCodeTables are the code tables the docs list, by codespace.
var docCodeTables = map[string]*module.Codes{
	"app": app.Codes, "member": member.Codes, "evidence": evidence.Codes, "fund": fund.Codes,
	"clock": clock.Codes, "supervision": supervision.Codes, "contract": contract.Codes,
	"exchange": exchange.Codes, "gov": gov.Codes,
}

// codeTable renders a code table as the docs show it.
func codeTable(c *module.Codes) string {
	var b strings.Builder
	b.WriteString("| code | name | meaning |\n|---:|---|---|\n")
	for _, e := range c.All() {
		fmt.Fprintf(&b, "| %s/%d | `%s` | %s |\n", e.Codespace, e.Code, e.Name, strings.ReplaceAll(e.Message, "|", `\|`))
	}
	return b.String()
}

var codeRegion = regexp.MustCompile(`(?s)(<!-- BEGIN codes (\w+) -->\n)(.*?)(<!-- END codes -->)`)

// TestCodeTablesInDocs: the code tables in docs/fund-cli.md and
// docs/codes.md are the pinned tables of the code (go test -run
// TestCodeTablesInDocs -update rewrites them); every table of
// docCodeTables is in codes.md.
func TestCodeTablesInDocs(t *testing.T) {
	for _, doc := range []string{"fund-cli.md", "codes.md"} {
		path := filepath.Join("..", "..", "docs", doc)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		out := codeRegion.ReplaceAllStringFunc(string(b), func(region string) string {
			m := codeRegion.FindStringSubmatch(region)
			space := m[2]
			seen[space] = true
			c, ok := docCodeTables[space]
			if !ok {
				t.Errorf("%s: no code table %q", doc, space)
				return region
			}
			want := codeTable(c)
			if m[3] != want && !*updateDocs {
				t.Errorf("%s: the %s code table differs from %s.Codes (run go test ./cmd/otc -run TestCodeTablesInDocs -update):\n%s",
					doc, space, space, lineDiff(m[3], want))
			}
			return m[1] + want + m[4]
		})
		if doc == "codes.md" {
			for space := range docCodeTables {
				if !seen[space] {
					t.Errorf("%s lists no %s codes", doc, space)
				}
			}
		}
		if *updateDocs && out != string(b) {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// lineDiff lists the lines only in the doc (-) and only in the code (+).
func lineDiff(doc, code string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	d, c := in(doc), in(code)
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !c[l] {
			fmt.Fprintf(&b, "- %s (doc only)\n", l)
		}
	}
	for _, l := range strings.Split(code, "\n") {
		if !d[l] {
			fmt.Fprintf(&b, "+ %s (code only)\n", l)
		}
	}
	if b.Len() == 0 {
		return "(same lines, another order)"
	}
	return b.String()
}

var docExample = regexp.MustCompile("(?s)<!-- example: (\\w+) -->\n```json\n(.*?)```")

// docExamples returns the JSON examples of docs/fund-cli.md by name.
func docExamples(t *testing.T) map[string]string {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "fund-cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	ex := map[string]string{}
	for _, m := range docExample.FindAllStringSubmatch(string(b), -1) {
		ex[m[1]] = m[2]
	}
	return ex
}

// TestFundJSONDocExamples registers the fund of docs/fund-cli.md's
// register_fund example and replaces its terms with the terms example, both
// exactly as the doc shows them, and reads the result back.
func TestFundJSONDocExamples(t *testing.T) {
	ex := docExamples(t)
	dir := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"register_fund", "terms"} {
		if ex[name] == "" {
			t.Fatalf("docs/fund-cli.md has no %q example", name)
		}
		files[name] = filepath.Join(dir, name+".json")
		if err := os.WriteFile(files[name], []byte(ex[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Every documented field is in the example (a strict decoder refuses
	// unknown ones, so the example cannot name a field that does not exist).
	for _, f := range []string{"code", "name", "type", "share_class", "risk", "manager", "custodian", "offering_start", "offering_end",
		"rounding", "private", "resellers", "terms", "min_first", "min_additional", "daily_limit", "min_redemption", "min_holding",
		"subscription_fees", "purchase_fees", "redemption_fees", "dividend_method", "require_investor_sig", "require_agreement"} {
		if !strings.Contains(ex["register_fund"], `"`+f+`"`) {
			t.Errorf("the register_fund example lacks %q", f)
		}
	}
	if testing.Short() {
		t.Skip("starts a node")
	}
	tn := startTestNet(t, "otc-fund-docs", "fund-docs-pass", time.Time{})
	ctx := context.Background()
	as := []string{"--home", tn.dir, "--as", "fm-alpha/operator"}
	if o, err := run(t, ctx, tn.env(), append([]string{"fund", "register", "--file", files["register_fund"]}, as...)...); err != nil {
		t.Fatalf("fund register with the doc's example: %v\n%s", err, o)
	}
	if o, err := run(t, ctx, tn.env(), append([]string{"fund", "terms", "--fund", "000101", "--file", files["terms"]}, as...)...); err != nil {
		t.Fatalf("fund terms with the doc's example: %v\n%s", err, o)
	}
	o, err := run(t, ctx, nil, "fund", "show", "000101", "--api", tn.api)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Alpha Dividend Equity Fund C", `"min_first": "5000.00"`, `"dividend_method": "reinvest"`, "rs-broker"} {
		if !strings.Contains(o, want) {
			t.Errorf("fund show lacks %q:\n%s", want, o)
		}
	}
}
