// Package querycheck checks, in tests, that module query answers fit the
// JSON Schema the API's OpenAPI document gives them (package schema, from
// each spec's answer type): the modules' test harnesses read through Read,
// and Main reports which queries of a module the package's tests reached.
//
// It is for tests only; no production package may import it.
package querycheck

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/schema"
)

var (
	mu      sync.Mutex
	gen     = schema.New()
	checked = map[string]int{} // "<module>/<spec path>" -> answers validated
)

// Read is a.Read, and on success checks the answer against the schema of
// the answer type of the query spec that served it (t.Errorf on a
// mismatch).
func Read(t testing.TB, a *app.App, path string, params map[string]string, caller *module.Identity) (any, error) {
	t.Helper()
	v, err := a.Read(path, params, caller)
	if err != nil {
		return v, err
	}
	if err := Check(a, path, v); err != nil {
		t.Errorf("querycheck: %v", err)
	}
	return v, nil
}

// Check validates answer v of the query at path ("<module>/<query path>")
// against its spec's schema.
func Check(a *app.App, path string, v any) error {
	modName, rest, _ := strings.Cut(path, "/")
	m, ok := a.Registry().Module(modName)
	if !ok {
		return fmt.Errorf("%s: no module %s", path, modName)
	}
	var spec *module.QuerySpec
	for _, q := range m.Queries() {
		if match(q.Path, rest) {
			spec = &q
			break
		}
	}
	if spec == nil {
		return fmt.Errorf("%s: no query spec", path)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: encode the answer: %v", path, err)
	}
	var dec any
	if err := json.Unmarshal(b, &dec); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	s, err := gen.Schema(spec.Answer())
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := schema.Validate(gen.Components(), s, dec); err != nil {
		return fmt.Errorf("%s (%s/%s, %v): the answer does not fit its schema: %v\n%s", path, modName, spec.Path, spec.Answer(), err, b)
	}
	checked[modName+"/"+spec.Path]++
	return nil
}

func match(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if xs[i] == "" {
				return false
			}
		} else if p != xs[i] {
			return false
		}
	}
	return true
}

// Checked returns the queries whose answers were validated, "<module>/<spec
// path>" with a count, sorted.
func Checked() map[string]int {
	mu.Lock()
	defer mu.Unlock()
	out := make(map[string]int, len(checked))
	for k, v := range checked {
		out[k] = v
	}
	return out
}

// Main runs the package's tests and, with -v or when OTC_QUERYCHECK is set,
// prints which queries of mods were validated and which were not reached.
func Main(m *testing.M, mods ...module.Module) int {
	code := m.Run()
	if !testing.Verbose() && os.Getenv("OTC_QUERYCHECK") == "" {
		return code
	}
	got := Checked()
	var hit, miss []string
	for _, mod := range mods {
		for _, q := range mod.Queries() {
			k := mod.Name() + "/" + q.Path
			if n := got[k]; n > 0 {
				hit = append(hit, fmt.Sprintf("%s (%d)", k, n))
			} else {
				miss = append(miss, k)
			}
		}
	}
	sort.Strings(hit)
	sort.Strings(miss)
	fmt.Printf("querycheck: %d answers validated against their schemas: %s\n", len(hit), strings.Join(hit, ", "))
	fmt.Printf("querycheck: %d queries not reached: %s\n", len(miss), strings.Join(miss, ", "))
	return code
}
