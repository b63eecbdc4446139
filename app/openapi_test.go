package app_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

var update = flag.Bool("update", false, "rewrite api/openapi.json with the module queries")

// openAPIPath is the committed OpenAPI document (embedded by package api).
const openAPIPath = "../api/openapi.json"

// standardModules are the modules of a standard node, member first.
func standardModules() []module.Module {
	return append([]module.Module{member.New()}, app.DefaultModules()...)
}

// TestOpenAPIQueries fails when api/openapi.json does not describe the
// module queries as their specs say (paths, parameters, access, answer
// schemas); -update rewrites it.
func TestOpenAPIQueries(t *testing.T) {
	doc, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := api.WithQueries(doc, standardModules())
	if err != nil {
		t.Fatal(err)
	}
	again, err := api.WithQueries(got, standardModules())
	if err != nil || !bytes.Equal(again, got) {
		t.Fatalf("generating twice changes the document (%v)", err)
	}
	if bytes.Equal(got, doc) {
		return
	}
	if *update {
		if err := os.WriteFile(openAPIPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote", openAPIPath)
		return
	}
	t.Fatalf("%s is out of date with the module queries: run go test ./app -run TestOpenAPIQueries -update", openAPIPath)
}
