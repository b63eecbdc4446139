package app_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files in testdata/")

// golden compares got with testdata/name (or rewrites it with -rewrite).
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./app -run %s -rewrite to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Fatalf("%s changed; if deliberate, run with -rewrite.\n--- want\n%s\n--- got\n%s", p, want, got)
	}
}

// Result codes are consensus state: their values never change.
func TestCodesGolden(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	var b strings.Builder
	for _, e := range h.app.Registry().AllCodes() {
		fmt.Fprintf(&b, "%s\t%d\t%s\n", e.Codespace, e.Code, e.Name)
	}
	golden(t, "codes.golden", b.String())
}

// The role x message table, pinned, and then checked cell by cell against
// CheckTx with a real identity of each role.
func TestRoleTable(t *testing.T) {
	c := consortium(t)
	h := newHarness(t, c)
	var b strings.Builder
	b.WriteString("message")
	for _, r := range module.AllRoles() {
		b.WriteString("\t" + string(r))
	}
	b.WriteString("\tbatchable\n")
	table := h.app.Registry().RoleTable()
	for _, row := range table {
		b.WriteString(row.Type)
		for _, r := range module.AllRoles() {
			if row.Allowed[r] {
				b.WriteString("\tyes")
			} else {
				b.WriteString("\t-")
			}
		}
		fmt.Fprintf(&b, "\t%v\n", row.Batchable)
	}
	golden(t, "roles.golden", b.String())
	h.block() // commit genesis: CheckTx reads committed state

	holder := map[module.Role]string{
		module.RoleInvestor:    "rs-bank/investor",
		module.RoleReseller:    "rs-bank/operator",
		module.RoleFundManager: "fm-alpha/operator",
		module.RoleCustodian:   "cust-trust/operator",
		module.RoleRegulator:   "regulator/operator",
		module.RoleAdmin:       "fm-beta/admin",
		module.RoleSeal:        "cust-trust/seal",
	}
	for _, row := range table {
		for _, role := range module.AllRoles() {
			for _, batched := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/batch=%v", row.Type, role, batched)
				if batched && !row.Batchable {
					continue
				}
				t.Run(name, func(t *testing.T) {
					m := tx.Any{Type: row.Type, Value: json.RawMessage(`{}`)}
					if batched {
						m = batch(m)
					}
					r := h.check(c.Tx(c.User(holder[role]), h.expiry(), m))
					refused := r.Codespace == app.Codes.Codespace && r.Code == app.ErrRoleNotPermitted.Code
					// Anything else the app says before the role check would make the cell meaningless.
					if r.Codespace == app.Codes.Codespace && r.Code >= app.ErrUnknownSigner.Code && r.Code <= app.ErrReplay.Code {
						t.Fatalf("the tx failed before the role check: %s", r.Log)
					}
					if refused == row.Allowed[role] {
						t.Fatalf("allowed=%v but CheckTx said %s/%d %s", row.Allowed[role], r.Codespace, r.Code, r.Log)
					}
				})
			}
		}
	}
}
