package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/otcchain/otcchain/api"
	"github.com/otcchain/otcchain/api/apitest"
	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
)

// ofdApp adds the reads the check endpoint makes to the test app.
type ofdApp struct{ *apitest.App }

func (a ofdApp) Read(path string, params map[string]string, caller *module.Identity) (any, error) {
	switch path {
	case "member/orgs":
		return []member.Org{{ID: "bank1", Type: module.OrgReseller}, {ID: "fund1", Type: module.OrgFundManager}}, nil
	case "fund/calendar":
		from, _ := fund.ParseDate("2026-01-01")
		to, _ := fund.ParseDate("2028-12-31")
		return fund.WeekdayCalendar(from, to, nil, nil)
	}
	return a.App.Read(path, params, caller)
}

// TestOFDCheck streams the shared 03 sample's 1,006 mappings and a summary;
// a broken record makes the file not ok; a header the mapper cannot use is
// a 400; anonymous callers and investors are refused.
func TestOFDCheck(t *testing.T) {
	env := apitest.NewEnv(t, func(c *api.Config) {
		if a, ok := c.App.(*apitest.App); ok {
			c.App = ofdApp{a}
		}
	})
	ctx := context.Background()
	login := func(org string, role module.Role) string {
		id, key := env.App.AddIdentity(t, org, role, crypto.Ed25519)
		c := client.New(env.URL)
		if _, err := c.Login(ctx, id, key.Sign); err != nil {
			t.Fatal(err)
		}
		return c.Token()
	}
	bank, investor := login("bank1", module.RoleReseller), login("bank1", module.RoleInvestor)
	sample, err := os.ReadFile("../ofd/testdata/OFD_996_H0_20170427_03.TXT")
	if err != nil {
		t.Fatal(err)
	}
	post := func(token, query string, body []byte) (*http.Response, []map[string]json.RawMessage) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "POST", env.URL+"/v1/ofd/check?"+query, bytes.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		// A client uploading a file asks first (RFC 9110 100-continue): a
		// request the server refuses before reading (no token, bad
		// parameters) is answered without the body being sent, instead of
		// the server closing the connection under a half-sent upload.
		req.Header.Set("Expect", "100-continue")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var lines []map[string]json.RawMessage
		if resp.StatusCode == 200 {
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<20)
			defer func() {
				if sc.Err() != nil {
					t.Logf("scan: %v", sc.Err())
				}
			}()
			for sc.Scan() {
				var m map[string]json.RawMessage
				if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				lines = append(lines, m)
			}
		} else {
			_, _ = io.Copy(io.Discard, resp.Body)
		}
		return resp, lines
	}
	q := "distributor=996:bank1&trade_date=2017-04-27"
	resp, lines := post(bank, q, sample)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" || len(lines) != 1007 {
		t.Fatalf("status %d, %d lines, last %s", resp.StatusCode, len(lines), lines[len(lines)-1]["summary"])
	}
	var first struct {
		Line    int    `json:"line"`
		Status  string `json:"status"`
		OrderID string `json:"order_id"`
		Msg     struct {
			Type  string `json:"type"`
			Value struct {
				Amount string `json:"amount"`
			} `json:"value"`
		} `json:"msg"`
	}
	b, _ := json.Marshal(lines[0])
	_ = json.Unmarshal(b, &first)
	if first.Line != 86 || first.Status != "mapped" || first.OrderID != "bank1:432017042600000000023002" || first.Msg.Type != fund.TypePurchase || first.Msg.Value.Amount != "10.01" {
		t.Fatalf("first line %s", b)
	}
	var sum api.OFDCheckSummary
	if err := json.Unmarshal(lines[1006]["summary"], &sum); err != nil || !sum.FileOK || sum.Records != 1006 || sum.Mapped != 1006 {
		t.Fatalf("summary %s", lines[1006]["summary"])
	}
	if text, err := env.Client.Metrics(context.Background()); err != nil || !strings.Contains(text, `otcchain_api_ofd_records_total{file_type="03",outcome="mapped"} 1006`) {
		t.Errorf("ofd records metric: %v", err)
	}
	// Without trade_date the chain's trade date of now: the 2017 orders are refused per record.
	if _, lines := post(bank, "distributor=996:bank1", sample); !strings.Contains(string(lines[0]["code"]), "trade_date") {
		t.Fatalf("no trade date check: %s", lines[0]["code"])
	}
	// A record cut short: its line says invalid, the summary refuses the file.
	broken := bytes.Replace(sample, []byte("\r\n432017042600000000010004"), []byte("\r\n43201704260000000001000"), 1)
	_, lines = post(bank, q, broken)
	_ = json.Unmarshal(lines[len(lines)-1]["summary"], &sum)
	if sum.FileOK || sum.Invalid != 1 || string(lines[1]["status"]) != `"invalid"` || string(lines[1]["line"]) != "87" {
		t.Fatalf("broken: %+v %v", sum, lines[1])
	}
	// A wrong record count: fatal at the end.
	_, lines = post(bank, q, bytes.Replace(sample, []byte("\r\n00001006\r\n"), []byte("\r\n00001009\r\n"), 1))
	_ = json.Unmarshal(lines[len(lines)-1]["summary"], &sum)
	if sum.FileOK || !strings.Contains(sum.Error, "record_count") {
		t.Fatalf("count: %+v", sum)
	}
	for _, c := range []struct {
		token, query string
		body         []byte
		status       int
	}{
		{"", q, sample, 401},
		{investor, q, sample, 403},
		{bank, "trade_date=2017-04-27", sample, 400},                       // 996 is not a distributor code
		{bank, q, []byte("OFDCFDAT\r\nxx\r\n"), 400},                       // header
		{bank, "distributor=996:bank2&trade_date=2017-04-27", sample, 400}, // 996 is another org's code
	} {
		if resp, _ := post(c.token, c.query, c.body); resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.query, resp.StatusCode, c.status)
		}
	}

}
