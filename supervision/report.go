package supervision

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/otcchain/otcchain/module"
)

// Report is the supervisory report of a period (query supervision/report
// with from and to, China dates, inclusive). `otc supervise report` adds
// the governance sections and writes it as JSON or CSV.
type Report struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Height int64  `json:"height"` // the committed height it was read at

	ByFund    []VolumeRow `json:"volumes_by_fund"`    // accepted orders per fund and kind
	ByChannel []VolumeRow `json:"volumes_by_channel"` // per reseller (or manager's direct sales) and kind

	Alerts        []*Alert        `json:"alerts"`         // raised in the period
	AlertsByRule  []AlertCount    `json:"alerts_by_rule"` // of those: per rule, action and status
	Interventions []*Intervention `json:"interventions"`  // proposed or effective in the period

	Sandbox        []*SandboxEntry `json:"sandbox"`         // entries active at some time in the period
	SandboxVolumes []VolumeRow     `json:"sandbox_volumes"` // accepted orders per entry and kind in the period
}

// VolumeRow is one line of a volume table.
type VolumeRow struct {
	Key  string `json:"key"` // fund, channel or sandbox entry
	Kind string `json:"kind"`
	Volume
}

// AlertCount counts the period's alerts of a rule, action and status.
type AlertCount struct {
	Rule   string `json:"rule"`
	Action string `json:"action"`
	Status string `json:"status"`
	Count  int    `json:"count"`
}

// MaxReportDays bounds a report's period.
const MaxReportDays = 3660

func report(qc *module.QueryContext, kv module.KVReader, p map[string]string) (*Report, error) {
	from, err := parseDay(p["from"])
	if err != nil {
		return nil, ErrInvalidRequest.Wrapf("from: %v", err)
	}
	to, err := parseDay(p["to"])
	if err != nil {
		return nil, ErrInvalidRequest.Wrapf("to: %v", err)
	}
	if to < from || to-from >= MaxReportDays {
		return nil, ErrInvalidRequest.Wrapf("the period runs from %s to %s: want from <= to, at most %d days", p["from"], p["to"], MaxReportDays)
	}
	r := &Report{From: dateOf(from), To: dateOf(to), Height: qc.Height}
	in := func(day int64) bool { return day >= from && day <= to }

	byFund, byChannel, bySandbox := map[[2]string]*Volume{}, map[[2]string]*Volume{}, map[[2]string]*Volume{}
	sum := func(m map[[2]string]*Volume, key, kind string, v Volume) {
		x := m[[2]string{key, kind}]
		if x == nil {
			x = &Volume{}
			m[[2]string{key, kind}] = x
		}
		x.Orders += v.Orders
		x.Amount += v.Amount
		x.Shares += v.Shares
	}
	scan := func(prefix string, fn func(parts []string, v Volume)) error {
		start, end := []byte(prefix+dateOf(from)), []byte(prefix+dateOf(to+1))
		return kv.Iterate(start, end, func(k, v []byte) bool {
			fn(strings.Split(string(k[len(prefix):]), "/"), getVolume(v))
			return true
		})
	}
	if err := scan("vol/", func(parts []string, v Volume) {
		if len(parts) == 4 { // date, fund, channel, kind
			sum(byFund, parts[1], parts[3], v)
			sum(byChannel, parts[2], parts[3], v)
		}
	}); err != nil {
		return nil, err
	}
	if err := scan("svol/", func(parts []string, v Volume) {
		if len(parts) == 3 { // date, entry, kind
			sum(bySandbox, parts[1], parts[2], v)
		}
	}); err != nil {
		return nil, err
	}
	r.ByFund, r.ByChannel, r.SandboxVolumes = rows(byFund), rows(byChannel), rows(bySandbox)

	all, err := listAlerts(kv, nil)
	if err != nil {
		return nil, err
	}
	counts := map[[3]string]int{}
	r.Alerts = []*Alert{}
	for _, a := range all {
		if d, err := parseDay(a.Date); err == nil && in(d) {
			r.Alerts = append(r.Alerts, a)
			counts[[3]string{a.Rule, a.Action, a.Status}]++
		}
	}
	r.AlertsByRule = []AlertCount{}
	for k, n := range counts {
		r.AlertsByRule = append(r.AlertsByRule, AlertCount{Rule: k[0], Action: k[1], Status: k[2], Count: n})
	}
	sort.Slice(r.AlertsByRule, func(i, j int) bool {
		a, b := r.AlertsByRule[i], r.AlertsByRule[j]
		return a.Rule+"/"+a.Action+"/"+a.Status < b.Rule+"/"+b.Action+"/"+b.Status
	})

	r.Interventions = []*Intervention{}
	if err := iterate(kv, []byte("iv/"), func(v []byte) error {
		var iv Intervention
		if err := json.Unmarshal(v, &iv); err != nil {
			return err
		}
		for _, ap := range iv.Approvals {
			if t, err := time.Parse(time.RFC3339, ap.Time); err == nil && in(dayOf(t)) {
				r.Interventions = append(r.Interventions, &iv)
				break
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}

	entries, err := listSandbox(qc, kv)
	if err != nil {
		return nil, err
	}
	r.Sandbox = []*SandboxEntry{}
	for _, e := range entries {
		admitted, err1 := time.Parse(time.RFC3339, e.AdmittedAt)
		closed, err2 := time.Parse(time.RFC3339, e.ClosedAt)
		if err1 == nil && dayOf(admitted) <= to && (e.ClosedAt == "" || err2 == nil && dayOf(closed) >= from) {
			r.Sandbox = append(r.Sandbox, e)
		}
	}
	return r, nil
}

func rows(m map[[2]string]*Volume) []VolumeRow {
	out := make([]VolumeRow, 0, len(m))
	for k, v := range m {
		out = append(out, VolumeRow{Key: k[0], Kind: k[1], Volume: *v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}
