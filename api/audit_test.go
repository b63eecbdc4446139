package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/audit"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/module"
)

// personalApp answers fund/investors/{id} the way the fund module does for
// this test: the channel bank1 and regulators may read INV1.
type personalApp struct{ *apitest.App }

func (a *personalApp) Read(path string, params map[string]string, caller *module.Identity) (any, error) {
	if path == "fund/investors/INV1" {
		if caller == nil {
			return nil, &module.Error{Codespace: "fund", Code: 1, Name: "auth_required", Message: "log in"}
		}
		if caller.Org != "bank1" && caller.Role != module.RoleRegulator {
			return nil, &module.Error{Codespace: "fund", Code: 2, Name: "not_permitted", Message: "not this investor's channel"}
		}
		return map[string]any{"id": "INV1", "personal": "sealed"}, nil
	}
	return a.App.Read(path, params, caller)
}

// get sends an authenticated GET and returns the status, headers and body.
func get(t *testing.T, c *client.Client, path string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.BaseURL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok := c.Token(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

func TestAuditLog(t *testing.T) {
	alog := openAudit(t)
	app := &personalApp{}
	env := apitest.NewEnv(t, func(c *api.Config) {
		if app.App == nil {
			app.App = c.App.(*apitest.App)
		}
		c.App, c.Audit = app, alog
	})
	ctx := context.Background()
	login := func(org string, role module.Role) (*client.Client, string) {
		id, key := env.App.AddIdentity(t, org, role, crypto.Ed25519)
		c := client.New(env.URL)
		if _, err := c.Login(ctx, id, key.Sign); err != nil {
			t.Fatal(err)
		}
		return c, id
	}
	bank, bankID := login("bank1", module.RoleReseller)
	other, otherID := login("bank2", module.RoleReseller)
	reg, regID := login("regulator", module.RoleRegulator)

	// Public reads write nothing.
	if _, err := env.Client.Orgs(ctx); err != nil {
		t.Fatal(err)
	}
	if h := alog.Head(); h.Seq != 0 {
		t.Fatalf("a public read was recorded: %+v", h)
	}
	// A personal-data read served, one refused, one anonymous; a refused
	// read of another module path.
	if _, err := bank.Query(ctx, "fund/investors/INV1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Query(ctx, "fund/investors/INV1", nil); !client.IsCode(err, "not_permitted") {
		t.Fatalf("other bank: %v", err)
	}
	if _, err := env.Client.Query(ctx, "fund/investors/INV1", nil); !client.IsCode(err, "auth_required") {
		t.Fatalf("anonymous: %v", err)
	}
	if _, err := other.Query(ctx, "test/secret", nil); !client.IsCode(err, "not_permitted") {
		t.Fatalf("secret: %v", err)
	}
	// A tx refused by CheckTx.
	if _, err := env.Client.BroadcastTx(ctx, []byte("reject=1"), false); !client.IsCode(err, client.CodeTxRejected) {
		t.Fatalf("reject: %v", err)
	}

	// An anonymous event stream is refused, and recorded like a refused
	// read; a logged-in one is not recorded.
	if st, _, b := get(t, env.Client, "/v1/events"); st != http.StatusUnauthorized || !strings.Contains(string(b), client.CodeInvalidToken) {
		t.Fatalf("anonymous event stream: %d %s", st, b)
	}

	// Only regulators export.
	if st, _, _ := get(t, env.Client, "/v1/audit"); st != http.StatusUnauthorized {
		t.Fatalf("anonymous export: %d", st)
	}
	if st, _, b := get(t, bank, "/v1/audit"); st != http.StatusForbidden || !strings.Contains(string(b), "not_permitted") {
		t.Fatalf("bank export: %d %s", st, b)
	}
	if st, _, _ := get(t, bank, "/v1/audit/head"); st != http.StatusForbidden {
		t.Fatalf("bank head: %d", st)
	}
	st, hdr, body := get(t, reg, "/v1/audit")
	if st != http.StatusOK || hdr.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("regulator export: %d %s", st, body)
	}
	var entries []audit.Entry
	rep, err := audit.VerifyEach(bytes.NewReader(body), func(e audit.Entry) { entries = append(entries, e) })
	if err != nil || rep.Genesis == nil || rep.Genesis.Node != "node0" {
		t.Fatalf("export does not verify: %+v %v\n%s", rep, err, body)
	}
	if hdr.Get(api.HeaderAuditHash) != rep.Head || hdr.Get(api.HeaderAuditSeq) != "10" {
		t.Fatalf("head headers %v, export head %d %s", hdr, rep.Last, rep.Head)
	}
	type key struct{ kind, who, subject, outcome string }
	got := map[key]audit.Entry{}
	for _, e := range entries[1:] {
		got[key{e.Kind, e.Identity, e.Subject, e.Outcome}] = e
		if e.Time == "" || e.Remote == "" {
			t.Errorf("entry without when or where: %+v", e)
		}
	}
	for _, k := range []key{
		{audit.KindPersonalDataRead, bankID, "fund/investors/INV1", "served"},
		{audit.KindPersonalDataRead, otherID, "fund/investors/INV1", "refused"},
		{audit.KindPersonalDataRead, "", "fund/investors/INV1", "refused"},
		{audit.KindReadRefused, otherID, "test/secret", "refused"},
		{audit.KindReadRefused, "", "audit", "refused"},
		{audit.KindReadRefused, bankID, "audit", "refused"},
		{audit.KindReadRefused, bankID, "audit/head", "refused"},
		{audit.KindReadRefused, "", "events", "refused"},
		{audit.KindAuditExport, regID, "audit?from=0&limit=0", "served"},
	} {
		if _, ok := got[k]; !ok {
			t.Errorf("no audit entry %+v in\n%s", k, body)
		}
	}
	if e := got[key{audit.KindPersonalDataRead, bankID, "fund/investors/INV1", "served"}]; e.Org != "bank1" || e.Role != "reseller" || e.Record != "INV1" {
		t.Errorf("served read: %+v", e)
	}
	var rej *audit.Entry
	for i := range entries {
		if entries[i].Kind == audit.KindTxRejected {
			rej = &entries[i]
		}
	}
	if rej == nil || rej.Codespace != "test" || rej.Code != 5 || rej.Reason != "rejected on purpose" || rej.Subject != client.TxHash([]byte("reject=1")) || rej.Outcome != "rejected" {
		t.Fatalf("tx rejection: %+v", rej)
	}

	// The head, and a partial export from a seq.
	st, _, b := get(t, reg, "/v1/audit/head")
	var head audit.Head
	if st != http.StatusOK || json.Unmarshal(b, &head) != nil || head.Seq != 10 || head.Hash != rep.Head || head.ChainID != apitest.ChainID {
		t.Fatalf("head %d %s", st, b)
	}
	st, _, b = get(t, reg, "/v1/audit?from=3&limit=2")
	if prep, err := audit.Verify(bytes.NewReader(b)); st != http.StatusOK || err != nil || prep.First != 3 || prep.Last != 4 || prep.Anchor != entries[2].Hash {
		t.Fatalf("partial export %d %+v %v\n%s", st, prep, err, b)
	}
	if st, _, _ := get(t, reg, "/v1/audit?from=x"); st != http.StatusBadRequest {
		t.Fatalf("bad from: %d", st)
	}

	// Fail closed: without a writable log, personal data is not served.
	if err := alog.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := bank.Query(ctx, "fund/investors/INV1", nil); !client.IsCode(err, "audit_unavailable") {
		t.Fatalf("read with a closed audit log: %v", err)
	}
	m, _ := env.Client.Metrics(ctx)
	for _, line := range []string{`otcchain_api_access_total{action="personal_data_read",outcome="served"} 1`, `otcchain_api_audit_write_errors_total 1`} {
		if !strings.Contains(m, line) {
			t.Errorf("metrics lack %s", line)
		}
	}
}
