package module_test

import (
	"bytes"
	"errors"
	"sort"
	"testing"

	"github.com/otcchain/otcchain/module"
)

// mapKV is a sorted in-memory KV used only to test the prefix views.
type mapKV map[string][]byte

func (m mapKV) Get(k []byte) ([]byte, error) { return m[string(k)], nil }
func (m mapKV) Set(k, v []byte) error        { m[string(k)] = v; return nil }
func (m mapKV) Delete(k []byte) error        { delete(m, string(k)); return nil }
func (m mapKV) Iterate(s, e []byte, fn func(k, v []byte) bool) error {
	var keys []string
	for k := range m {
		if k >= string(s) && (e == nil || k < string(e)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !fn([]byte(k), m[k]) {
			break
		}
	}
	return nil
}

func TestPrefixedIsolation(t *testing.T) {
	base := mapKV{}
	a := module.Prefixed(base, "a/")
	b := module.Prefixed(base, "b/")
	_ = a.Set([]byte("k"), []byte("1"))
	_ = b.Set([]byte("k"), []byte("2"))
	if v, _ := a.Get([]byte("k")); string(v) != "1" {
		t.Fatalf("a sees %q", v)
	}
	var seen []string
	_ = a.Iterate(nil, nil, func(k, v []byte) bool { seen = append(seen, string(k)+"="+string(v)); return true })
	if len(seen) != 1 || seen[0] != "k=1" {
		t.Fatalf("a iterates %v", seen)
	}
	if _, ok := base["b/k"]; !ok {
		t.Fatal("b wrote outside its prefix")
	}
}

func TestPrefixEnd(t *testing.T) {
	cases := []struct{ in, want []byte }{
		{[]byte("ab"), []byte("ac")},
		{[]byte{0x01, 0xff}, []byte{0x02}},
		{[]byte{0xff, 0xff}, nil},
	}
	for _, c := range cases {
		if got := module.PrefixEnd(c.in); !bytes.Equal(got, c.want) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", c.in, got, c.want)
		}
	}
}

func TestCodes(t *testing.T) {
	c := module.NewCodes("x")
	e := c.Register(1, "one", "first")
	w := e.Wrapf("detail %d", 5)
	if !errors.Is(w, e) || w.Message != "detail 5" || e.Message != "first" {
		t.Fatalf("wrap: %+v %+v", w, e)
	}
	if module.AsError(errors.Join(errors.New("ctx"), w)) == nil {
		t.Fatal("AsError misses a wrapped code")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate code accepted")
		}
	}()
	c.Register(1, "again", "dup")
}

func TestRoles(t *testing.T) {
	for _, r := range module.AllRoles() {
		if got, err := module.ParseRole(string(r)); err != nil || got != r {
			t.Fatalf("ParseRole(%s) = %s, %v", r, got, err)
		}
	}
	if _, err := module.ParseRole("root"); err == nil {
		t.Fatal("unknown role accepted")
	}
	if !module.RoleAllowedForOrg(module.OrgReseller, module.RoleInvestor) || module.RoleAllowedForOrg(module.OrgCustodian, module.RoleInvestor) {
		t.Fatal("investor issuance rule wrong")
	}
	if module.RoleAllowedForOrg(module.OrgReseller, module.RoleRegulator) {
		t.Fatal("a reseller may not issue regulator certificates")
	}
}
