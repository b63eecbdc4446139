package fund_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/internal/fixture"
	"github.com/otcchain/otcchain/internal/querycheck"
	"github.com/otcchain/otcchain/internal/scenario"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/supervision"
	"github.com/otcchain/otcchain/tx"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/scenarios")

// TestScenarios runs the rule-book scripts in testdata/scenarios against the
// real app. Each case is command lines, "----", and the expected output,
// ended by a blank line; see docs/fund.md for the commands. Run with
// -rewrite to regenerate the expectations (then read the diff: it is the
// rule book).
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScenario(t, f) })
	}
}

func runScenario(t *testing.T, path string) {
	c, err := fixture.New("fund-test", genesisTime, fixture.DefaultOrgs())
	if err != nil {
		t.Fatal(err)
	}
	c.Sections = map[string]any{}
	if sup := supervisionGenesis(t, path); sup != nil {
		c.Sections["supervision"] = sup
	}
	if ck := clockGenesis(t, path); ck != nil {
		c.Sections["clock"] = ck
	}
	runScenarioOn(t, path, newChainOf(t, c, nil), true)
}

// runScenarioOn runs a scenario on h; check compares the output with the
// expectations (heights in the output depend on the chunk size).
func runScenarioOn(t *testing.T, path string, h *chain, check bool) {
	r := &runner{h: h}
	scenario.Run(t, path, r.run, check, *rewrite)
}

type runner struct {
	h *chain
	n int // app numbers made by the runner
}

func (r *runner) run(in []string) string {
	h := r.h
	f := strings.Fields(in[0])
	cmd, args := f[0], f[1:]
	var b strings.Builder
	switch cmd {
	case "at":
		ts, err := time.ParseInLocation("2006-01-02 15:04:05", strings.Join(args, " "), china)
		if err != nil {
			ts, err = time.ParseInLocation("2006-01-02 15:04", strings.Join(args, " "), china)
		}
		if err != nil {
			return "bad time: " + err.Error()
		}
		h.setTime(ts)
		return ""
	case "tx":
		rest := strings.SplitN(in[0], " ", 4)
		msg := r.expand(rest[1], rest[2], rest[3])
		res, evs := h.block(h.signed(rest[1], tx.Any{Type: rest[2], Value: msg}))
		b.WriteString(outcome(res[0]) + "\n")
		r.report(&b, evs)
	case "batch":
		var items []tx.Any
		for _, l := range in[1:] {
			p := strings.SplitN(l, " ", 2)
			items = append(items, tx.Any{Type: p[0], Value: r.expand(args[0], p[0], p[1])})
		}
		bm, _ := json.Marshal(tx.Batch{Items: items})
		res, evs := h.block(h.signed(args[0], tx.Any{Type: tx.BatchMsgType, Value: bm}))
		if res[0].Code != 0 {
			b.WriteString(outcome(res[0]))
			break
		}
		var d struct {
			Msgs []struct {
				Data struct {
					Items []tx.ItemResult `json:"items"`
				} `json:"data"`
			} `json:"msgs"`
		}
		_ = json.Unmarshal(res[0].Data, &d)
		for i, it := range d.Msgs[0].Data.Items {
			if it.Code != 0 {
				fmt.Fprintf(&b, "item %d: error %s\n", i, trimLog(it.Log))
			} else {
				fmt.Fprintf(&b, "item %d: ok %s\n", i, it.Data)
			}
		}
		r.report(&b, evs)
	case "investor":
		// investor CHANNEL ID TYPE RISK [identity=USER] [expires=DATE] [require_sig]
		m := h.registerInvestorMsg(args[0], args[1], args[2], args[3], opt(args, "identity"), fund.PersonalData{
			Name: "Investor " + args[1], IDType: "resident_id", IDNumber: "11010519491231002X", Phone: "13800000000", Address: "1 Finance St, Beijing"})
		if e := opt(args, "expires"); e != "" {
			m.RiskAssessed, m.RiskExpires = sdate("2025-01-02"), sdate(e)
		}
		m.RequireSig = hasFlag(args, "require_sig")
		if hasFlag(args, "no_regulator") { // sealed for the channel only
			env, commit, alg, err := fund.SealPersonal(h.user(args[0]).Key.Algorithm(), args[1], fund.PersonalData{Name: "x"}, []crypto.Recipient{h.recipient(args[0])})
			if err != nil {
				return err.Error()
			}
			m.Personal, m.Commitment, m.CommitAlg = env, commit, alg
		}
		res, _ := h.block(h.signed(args[0], anyMsg(fund.TypeRegisterInvestor, m)))
		b.WriteString(outcome(res[0]))
	case "fund":
		// fund USER CODE [key=value ...]
		m := defaultFund(args[1], h.user(args[0]).Cert.Org)
		for _, a := range args[2:] {
			if err := setFundOpt(m, a); err != nil {
				return "bad option: " + err.Error()
			}
		}
		res, _ := h.block(h.signed(args[0], anyMsg(fund.TypeRegisterFund, m)))
		b.WriteString(outcome(res[0]))
	case "nav":
		// nav FUND DATE NAV [custodian-nav]: the manager publishes, the
		// custodian co-signs (with its own figure if given), jobs run.
		fd := r.fund(args[0])
		d, nav := sdate(args[1]), mustNAV(args[2])
		cnav := nav
		if len(args) > 3 {
			cnav = mustNAV(args[3])
		}
		mgr, cus := fd.Manager+"/operator", fd.Custodian+"/operator"
		pub := fund.PublishNAV{Fund: fd.Code, Date: d, NAV: nav, Signature: r.sign(mgr, fund.NAVStatement(h.c.ChainID, fd.Code, d, nav))}
		res, _ := h.block(h.signed(mgr, anyMsg(fund.TypePublishNAV, pub)))
		if res[0].Code != 0 {
			return "publish: " + outcome(res[0])
		}
		co := fund.CosignNAV{Fund: fd.Code, Date: d, NAV: cnav, Signature: r.sign(cus, fund.NAVStatement(h.c.ChainID, fd.Code, d, cnav))}
		res, evs := h.block(h.signed(cus, anyMsg(fund.TypeCosignNAV, co)))
		if res[0].Code != 0 {
			return "cosign: " + outcome(res[0])
		}
		b.WriteString("final\n")
		r.report(&b, evs)
	case "order":
		var o fund.Order
		r.read("fund/orders/"+args[0], &o)
		fmt.Fprintf(&b, "%s %s %s trade_date=%s status=%s", o.ID, o.Business, o.Fund, o.TradeDate, o.Status)
		if c := o.Confirmation; c != nil {
			fmt.Fprintf(&b, "\n  %s %s date=%s nav=%s amount=%s fee=%s net=%s shares=%s", c.Business, c.ReturnCode, c.Date, c.NAV, c.Amount, c.Fee, c.Net, c.Shares)
			if c.Refund > 0 {
				fmt.Fprintf(&b, " refund=%s", c.Refund)
			}
			for _, l := range c.Lots {
				fmt.Fprintf(&b, "\n  lot since=%s days=%d rate=%s shares=%s proceeds=%s fee=%s", l.Since, l.Days, l.Rate, l.Shares, l.Proceeds, l.Fee)
			}
			if c.Reason != "" {
				fmt.Fprintf(&b, "\n  reason: %s", c.Reason)
			}
		}
	case "orders":
		// orders CHANNEL DATE: the channel's orders of a trade date
		var os module.List[fund.Order]
		r.read("fund/channel-orders/"+args[0]+"/"+args[1], &os)
		for _, o := range os.Items {
			code := "-"
			if o.Confirmation != nil {
				code = o.Confirmation.Business + " " + o.Confirmation.ReturnCode
			}
			fmt.Fprintf(&b, "%s %s %s %s %s%s\n", o.ID, o.Business, o.Investor, o.Status, code, strings.TrimSuffix(" "+o.Amount.String(), " 0.00"))
		}
	case "holding":
		var hs []*fund.Holding
		r.read("fund/investors/"+args[1]+"/holdings", &hs)
		for _, x := range hs {
			if x.Fund != args[0] {
				continue
			}
			fmt.Fprintf(&b, "%s %s shares=%s available=%s pending=%s frozen=%s method=%s", x.Fund, x.Investor, x.Shares, x.Available(), x.Pending, x.Frozen, x.DividendMethod)
			for _, l := range x.Lots {
				fmt.Fprintf(&b, "\n  lot since=%s shares=%s", l.Since, l.Shares)
			}
			return b.String()
		}
		return "no holding"
	case "statement":
		// statement INVESTOR: the statement's holdings and orders, one line each
		var st struct {
			Holdings []struct {
				Fund, Shares, NAV, Value string
				NAVDate                  string `json:"nav_date"`
			} `json:"holdings"`
			Orders []struct {
				ID, Business, Status string
				TradeDate            string `json:"trade_date"`
			} `json:"orders"`
		}
		r.read("fund/investors/"+args[0]+"/statement", &st)
		for _, x := range st.Holdings {
			fmt.Fprintf(&b, "holding %s shares=%s nav=%s/%s value=%s\n", x.Fund, x.Shares, x.NAVDate, x.NAV, x.Value)
		}
		for _, o := range st.Orders {
			fmt.Fprintf(&b, "order %s %s trade_date=%s status=%s\n", o.ID, o.Business, o.TradeDate, o.Status)
		}
	case "totals":
		var tot map[string]any
		r.read("fund/funds/"+args[0]+"/totals", &tot)
		fmt.Fprintf(&b, "shares=%v holders=%v pending=%v status=%v last_nav=%v/%v", tot["shares"], tot["holders"], tot["pending_orders"], tot["status"], tot["last_nav_date"], tot["last_nav"])
	case "query":
		// query USER PATH [k=v ...]
		p := map[string]string{}
		for _, kv := range args[2:] {
			k, v, _ := strings.Cut(kv, "=")
			p[k] = v
		}
		v, err := querycheck.Read(h.t, h.app, args[1], p, h.identity(args[0]))
		if err != nil {
			return "error " + trimLog(err.Error())
		}
		out, _ := json.MarshalIndent(v, "", "  ")
		return string(out)
	case "alerts":
		// alerts [STATUS]: the compliance alerts, one line each
		var as []supervision.Alert
		p := ""
		if len(args) > 0 {
			p = "?status=" + args[0]
		}
		r.readParams("supervision/alerts", p, &as)
		for _, a := range as {
			fmt.Fprintf(&b, "%s %s %s %s %s x%d orders=%s\n  %s\n", a.ID, a.Rule, a.Action, a.Subject, a.Status, a.Occurrences, strings.Join(a.Orders, ","), a.Detail)
			for _, u := range a.History {
				fmt.Fprintf(&b, "  %s at %d: %s\n", u.Status, u.Height, u.Note)
			}
		}
		if len(as) == 0 {
			return "none"
		}
	case "sandbox":
		// sandbox: the sandbox entries with their activity
		var es []supervision.SandboxEntry
		r.read("supervision/sandbox", &es)
		for _, e := range es {
			a := e.Activity
			fmt.Fprintf(&b, "%s %s %s%s status=%s expired=%v investors=%d/%d subscribed=%s/%s redeemed=%s orders=%d refusals=%d\n",
				e.ID, e.Kind, e.Fund, e.Org, e.Status, e.Expired, a.Investors, e.MaxInvestors, a.Subscribed, e.MaxSubscription, a.Redeemed, a.Orders, a.Refusals)
		}
	case "report":
		// report FROM TO: the supervisory report's tables, summarised
		var rep supervision.Report
		r.readParams("supervision/report", "?from="+args[0]+"&to="+args[1], &rep)
		for _, t := range []struct {
			name string
			rows []supervision.VolumeRow
		}{{"fund", rep.ByFund}, {"channel", rep.ByChannel}, {"sandbox", rep.SandboxVolumes}} {
			for _, v := range t.rows {
				fmt.Fprintf(&b, "%s %s %s orders=%d amount=%s shares=%s\n", t.name, v.Key, v.Kind, v.Orders, v.Amount, v.Shares)
			}
		}
		for _, c := range rep.AlertsByRule {
			fmt.Fprintf(&b, "alerts %s %s %s %d\n", c.Rule, c.Action, c.Status, c.Count)
		}
		for _, iv := range rep.Interventions {
			fmt.Fprintf(&b, "intervention %s %s %s %s\n", iv.ID, iv.Action, iv.Target.Kind, iv.Status)
		}
		for _, e := range rep.Sandbox {
			fmt.Fprintf(&b, "sandbox %s %s orders=%d\n", e.ID, e.Status, e.Activity.Orders)
		}
	case "can-read":
		// can-read USER PATH: ok, or the refusal
		_, err := querycheck.Read(h.t, h.app, args[1], nil, h.identity(args[0]))
		if err != nil {
			return "error " + trimLog(err.Error())
		}
		return "ok"
	case "decrypt":
		// decrypt USER INVESTOR: open the sealed personal data as USER
		var inv fund.Investor
		r.read("fund/investors/"+args[1], &inv)
		u := h.user(args[0])
		d, err := fund.OpenPersonal(&inv, u.ID(), u.EncKey)
		if err != nil {
			return "error " + err.Error()
		}
		return "ok " + d.Name + " " + d.IDNumber
	case "share":
		// share CHANNEL INVESTOR WITH...: rewrap for more identities; the
		// organisation shared with is the first one's
		var inv fund.Investor
		r.read("fund/investors/"+args[1], &inv)
		u := h.user(args[0])
		var more []crypto.Recipient
		for _, w := range args[2:] {
			more = append(more, h.recipient(w))
		}
		org, _, _ := strings.Cut(args[2], "/")
		env, err := crypto.Rewrap(inv.Personal, fund.PersonalAAD(inv.ID), u.ID(), u.EncKey, more)
		if err != nil {
			return "error " + err.Error()
		}
		res, _ := h.block(h.signed(args[0], anyMsg(fund.TypeSharePersonal, fund.SharePersonal{Investor: inv.ID, With: org, Personal: env})))
		return fmt.Sprintf("%s (%d recipients)", strings.SplitN(outcome(res[0]), " recipients=", 2)[0], len(env.Recipients))
	case "ledger-contains":
		// ledger-contains TEXT: does any committed key or value hold TEXT?
		found := false
		_ = h.db.Committed().Iterate(nil, nil, func(k, v []byte) bool {
			found = bytes.Contains(k, []byte(strings.Join(args, " "))) || bytes.Contains(v, []byte(strings.Join(args, " ")))
			return !found
		})
		if found {
			return "yes"
		}
		return "no"
	case "calendar":
		// calendar: the range and the count of trading days in force
		var c fund.Calendar
		r.read("fund/calendar", &c)
		fmt.Fprintf(&b, "from=%s to=%s trading_days=%d", c.From(), c.To(), len(c.Days()))
	case "blocks":
		var n int
		fmt.Sscanf(args[0], "%d", &n)
		for i := 0; i < n; i++ {
			_, evs := h.block()
			r.report(&b, evs)
		}
	default:
		return "unknown command " + cmd
	}
	return b.String()
}

// report drains the job queue and prints what the end-blocks did.
func (r *runner) report(b *strings.Builder, evs []abci.Event) {
	all := append([]abci.Event(nil), evs...)
	for i := 0; i < 1000; i++ {
		jobs, _ := querycheck.Read(r.h.t, r.h.app, "fund/jobs", nil, &module.Identity{Role: module.RoleRegulator})
		if len(jobs.(*module.List[*fund.Job]).Items) == 0 {
			break
		}
		_, e := r.h.block()
		all = append(all, e...)
	}
	for _, e := range all {
		a := map[string]string{}
		for _, at := range e.Attributes {
			a[at.Key] = at.Value
		}
		// The API's event stream shows these to the fund's manager (and
		// the order's channel): the app names the module, fund names them.
		if (e.Type == "order_confirmed" || e.Type == "dividend_paid" || e.Type == "fund_job_done") && (a["module"] != "fund" || a["manager"] == "") {
			r.h.t.Fatalf("%s without module or manager: %v", e.Type, e.Attributes)
		}
		if e.Type == "order_confirmed" && a["channel"] == "" {
			r.h.t.Fatalf("order_confirmed without channel: %v", e.Attributes)
		}
		switch e.Type {
		case "order_confirmed":
			fmt.Fprintf(b, "confirmed %s %s %s shares=%s\n", a["order"], a["business"], a["return_code"], a["shares"])
		case "dividend_paid":
			fmt.Fprintf(b, "dividend %s ex=%s holders=%s cash=%s new_shares=%s\n", a["fund"], a["ex_date"], a["holders"], a["cash"], a["new_shares"])
		}
	}
}

func (r *runner) read(path string, v any) {
	out, err := querycheck.Read(r.h.t, r.h.app, path, nil, &module.Identity{Role: module.RoleRegulator, Org: "regulator"})
	if err != nil {
		r.h.t.Fatalf("read %s: %v", path, err)
	}
	b, _ := json.Marshal(out)
	if err := json.Unmarshal(b, v); err != nil {
		r.h.t.Fatal(err)
	}
}

// readParams reads a query with "?k=v&k=v" parameters as the regulator.
func (r *runner) readParams(path, query string, v any) {
	p := map[string]string{}
	for _, kv := range strings.Split(strings.TrimPrefix(query, "?"), "&") {
		if k, val, ok := strings.Cut(kv, "="); ok {
			p[k] = val
		}
	}
	out, err := querycheck.Read(r.h.t, r.h.app, path, p, r.h.identity("regulator/operator"))
	if err != nil {
		r.h.t.Fatalf("read %s: %v", path, err)
	}
	b, _ := json.Marshal(out)
	if err := json.Unmarshal(b, v); err != nil {
		r.h.t.Fatal(err)
	}
}

func (r *runner) fund(code string) *fund.Fund {
	var f fund.Fund
	r.read("fund/funds/"+code, &f)
	return &f
}

func (r *runner) sign(user string, msg []byte) string {
	sig, err := r.h.user(user).Key.Sign(msg)
	if err != nil {
		r.h.t.Fatal(err)
	}
	return hex.EncodeToString(sig)
}

// expand fills "investor_sig": "auto:USER" with USER's signature over the
// order statement.
func (r *runner) expand(signer, typ, js string) json.RawMessage {
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return json.RawMessage(js) // malformed on purpose: sent as is
	}
	s, ok := m["investor_sig"].(string)
	if !ok || !strings.HasPrefix(s, "auto:") {
		return json.RawMessage(js)
	}
	q := ""
	for _, k := range []string{"amount", "shares", "dividend_method", "original"} {
		if v, ok := m[k].(string); ok {
			q = v
		}
	}
	str := func(k string) string { v, _ := m[k].(string); return v }
	inv, fd := str("investor"), str("fund")
	if typ == fund.TypeCancel {
		var o fund.Order
		r.read("fund/orders/"+r.h.user(signer).Cert.Org+":"+str("original"), &o)
		inv, fd = o.Investor, o.Fund
	}
	st := fund.OrderStatement(r.h.c.ChainID, r.h.user(signer).Cert.Org, typ, str("app_no"), inv, fd, q)
	m["investor_sig"] = r.sign(strings.TrimPrefix(s, "auto:"), st)
	out, _ := json.Marshal(m)
	return out
}

func outcome(res *abci.ExecTxResult) string {
	if res.Code != 0 {
		return "error " + trimLog(res.Log)
	}
	d, err := resultOf(res)
	if err != nil {
		return "bad result: " + err.Error()
	}
	var v any
	_ = json.Unmarshal(d, &v)
	return "ok " + compact(v)
}

// compact prints a result with sorted keys, dropping bulky fields.
func compact(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if k == "publisher_sig" || k == "custodian_sig" || k == "publisher" || k == "custodian" {
				continue
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+"="+compact(x[k]))
		}
		return strings.Join(parts, " ")
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, compact(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case string:
		if len(x) == 64 && strings.Trim(x, "0123456789abcdef") == "" {
			return "<id>" // identity ids and hashes change with the fixture's fresh keys
		}
		return x
	default:
		b, _ := json.Marshal(x)
		return string(bytes.Trim(b, `"`))
	}
}

// trimLog drops the "message 0 (type): " prefix of a refusal.
func trimLog(s string) string {
	if i := strings.Index(s, "): "); i > 0 && strings.Contains(s[:i], "message ") {
		head := s[:strings.Index(s, " ")]
		name := strings.Fields(s)[1]
		return head + " " + name + " " + s[i+3:]
	}
	return s
}

func opt(args []string, key string) string {
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func hasFlag(args []string, f string) bool {
	for _, a := range args {
		if a == f {
			return true
		}
	}
	return false
}

func mustNAV(s string) fund.NAV {
	n, err := fund.ParseNAV(s)
	if err != nil {
		panic(err)
	}
	return n
}

func srate(s string) *fund.Rate {
	r, err := fund.ParseRate(s)
	if err != nil {
		panic(err)
	}
	return &r
}

func samount(s string) fund.Amount {
	a, err := fund.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

func sshares(s string) fund.Shares {
	a, err := fund.ParseShares(s)
	if err != nil {
		panic(err)
	}
	return a
}

// defaultFund is the scenarios' standard product: a hybrid fund, R3, the
// fee schedule of the worked examples.
func defaultFund(code, manager string) *fund.RegisterFund {
	fixed := samount("1000.00")
	return &fund.RegisterFund{
		Product: fund.Product{Code: code, Name: "Demo Fund " + code, Type: "hybrid", ShareClass: "A", Risk: 3,
			Manager: manager, Custodian: "cust-trust", OfferingStart: sdate("2026-03-02"), OfferingEnd: sdate("2026-03-06"), Rounding: fund.Truncate},
		Terms: fund.Terms{MinFirst: samount("1000.00"), MinAdditional: samount("100.00"), MinRedemption: sshares("100.00"), MinHolding: sshares("100.00"),
			PurchaseFees: []fund.PurchaseTier{
				{UpTo: samount("1000000.00"), Rate: srate("1.50%")},
				{UpTo: samount("5000000.00"), Rate: srate("1.00%")},
				{Fixed: &fixed},
			},
			RedemptionFees: []fund.RedemptionTier{{MinDays: 0, Rate: *srate("1.50%")}, {MinDays: 7, Rate: *srate("0.50%")}, {MinDays: 365, Rate: *srate("0.25%")}, {MinDays: 730, Rate: 0}},
			DividendMethod: fund.DividendCash},
		Resellers: []string{"rs-bank"},
	}
}

func setFundOpt(m *fund.RegisterFund, kv string) error {
	k, v, _ := strings.Cut(kv, "=")
	switch k {
	case "risk":
		return m.Risk.UnmarshalText([]byte(v))
	case "daily_limit":
		m.Terms.DailyLimit = samount(v)
	case "min_first":
		m.Terms.MinFirst = samount(v)
	case "min_holding":
		m.Terms.MinHolding = sshares(v)
	case "offering":
		a, z, _ := strings.Cut(v, "..")
		m.OfferingStart, m.OfferingEnd = sdate(a), sdate(z)
	case "resellers":
		m.Resellers = nil
		if v != "" {
			m.Resellers = strings.Split(v, ",")
		}
	case "dividend_method":
		m.Terms.DividendMethod = v
	case "rounding":
		return m.Rounding.UnmarshalText([]byte(v))
	case "require_sig":
		m.Terms.RequireInvestor = v == "true"
	case "custodian":
		m.Custodian = v
	case "private":
		m.Private = v == "true"
		m.Terms.MinFirst = fund.PrivateMinFirst
	default:
		return fmt.Errorf("unknown fund option %q", k)
	}
	return nil
}
