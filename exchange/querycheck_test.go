package exchange_test

import (
	"os"
	"testing"

	"github.com/otcchain/otcchain/app"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// TestMain runs the tests; every query the harness reads is checked
// against the schema of its answer type (querycheck.Read), and with -v the
// queries reached and not reached are listed.
func TestMain(m *testing.M) {
	os.Exit(querycheck.Main(m, append([]module.Module{member.New()}, app.DefaultModules()...)...))
}
