package app

import (
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/otcchain/otcchain/module"
)

// metrics are the app's Prometheus metrics. Label names are the same
// everywhere: codespace, code (always the result code's name, "ok" for
// success), module, and the business labels below.
//
// The business counters are derived from the events of committed blocks
// only: FinalizeBlock stages the counts of its block (tally) and Commit
// adds them, so a block finalized again after a crash is never counted
// twice and no state logic depends on them.
type metrics struct {
	txs           *prometheus.CounterVec
	checkRejected *prometheus.CounterVec
	height        prometheus.Gauge

	orders        *prometheus.CounterVec
	confirmations *prometheus.CounterVec
	navs          *prometheus.CounterVec
	investors     *prometheus.CounterVec
	contracts     *prometheus.CounterVec
	exchange      *prometheus.CounterVec
	alerts        *prometheus.CounterVec
	interventions *prometheus.CounterVec

	names map[string]map[uint32]string // codespace -> code -> name
}

func newMetrics(reg *prometheus.Registry) *metrics {
	cv := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "otc", Subsystem: "app", Name: name, Help: help}, labels)
	}
	m := &metrics{
		txs:           cv("txs_total", "Transactions executed in blocks, by result codespace and code name.", "codespace", "code"),
		checkRejected: cv("checktx_rejected_total", "Transactions refused by CheckTx, by codespace and code name.", "codespace", "code"),
		height:        prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "otc", Subsystem: "app", Name: "height", Help: "Height of the last finalized block."}),

		orders: cv("fund_orders_total", "Fund orders of committed blocks by business type (the order's business code, e.g. 022 purchase, 024 redemption) and status (received, cancelled, confirmed).",
			"business", "status"),
		confirmations: cv("fund_confirmations_total", "Order confirmations of committed blocks by business type and return code (0000 success).",
			"business", "return_code"),
		navs: cv("fund_navs_total", "NAVs of committed blocks by status: published by the fund manager, final once co-signed by the custodian.",
			"status"),
		investors: cv("fund_investors_registered_total", "Investors registered in committed blocks, by risk level (C1..C5).", "risk"),
		contracts: cv("contracts_total", "Contract lifecycle events of committed blocks by status (the action: created, signed, effective, ...).",
			"status"),
		exchange: cv("exchange_records_total", "Exchange records of committed blocks by event (file_sent: one per recipient, file_acknowledged, ...) and category.",
			"event", "category"),
		alerts: cv("supervision_alerts_total", "Compliance alerts raised in committed blocks, by rule.", "rule"),
		interventions: cv("supervision_interventions_total", "Supervisory interventions of committed blocks by stage (proposed, approved, effective, withdrawn) and action.",
			"stage", "action"),
		names: map[string]map[uint32]string{},
	}
	if reg != nil {
		reg.MustRegister(m.txs, m.checkRejected, m.height, m.orders, m.confirmations, m.navs, m.investors,
			m.contracts, m.exchange, m.alerts, m.interventions)
	}
	return m
}

// learnCodes records the names of codes for the code label.
func (m *metrics) learnCodes(codes []*module.Error) {
	for _, e := range codes {
		if m.names[e.Codespace] == nil {
			m.names[e.Codespace] = map[uint32]string{}
		}
		m.names[e.Codespace][e.Code] = e.Name
	}
}

// codeName is the name of a tx result's code ("ok" for success).
func (m *metrics) codeName(r *abci.ExecTxResult) string {
	if r.Code == 0 {
		return "ok"
	}
	if n, ok := m.names[r.Codespace][r.Code]; ok {
		return n
	}
	return fmt.Sprintf("code_%d", r.Code)
}

// count is one increment of a counter with its label values.
type count struct {
	c      *prometheus.CounterVec
	labels []string
}

// tally returns the business counts of a block's events (the txs' and the
// end-block's), to be added once the block is committed.
func (m *metrics) tally(results []*abci.ExecTxResult, block []abci.Event) []count {
	var out []count
	add := func(c *prometheus.CounterVec, labels ...string) { out = append(out, count{c, labels}) }
	each := func(evs []abci.Event) {
		for _, e := range evs {
			a := func(k string) string {
				for _, at := range e.Attributes {
					if at.Key == k {
						return at.Value
					}
				}
				return ""
			}
			switch e.Type {
			case "order_received":
				add(m.orders, a("business"), "received")
			case "order_cancelled":
				add(m.orders, cmpOr(a("business"), "unknown"), "cancelled")
			case "order_confirmed":
				add(m.orders, a("business"), "confirmed")
				add(m.confirmations, a("business"), a("return_code"))
			case "nav_published":
				add(m.navs, "published")
			case "nav_final":
				add(m.navs, "final")
			case "investor_registered":
				add(m.investors, a("risk"))
			case "file_sent", "file_acknowledged", "file_rejected":
				add(m.exchange, e.Type, a("category"))
			case "compliance_alert":
				add(m.alerts, a("rule"))
			case "intervention_proposed", "intervention_approved", "intervention_effective", "intervention_withdrawn":
				add(m.interventions, e.Type[len("intervention_"):], a("action"))
			default:
				if len(e.Type) > len("contract_") && e.Type[:len("contract_")] == "contract_" && e.Type != "contract_type_set" {
					add(m.contracts, e.Type[len("contract_"):])
				}
			}
		}
	}
	for _, r := range results {
		if r.Code == 0 {
			each(r.Events)
		}
	}
	each(block)
	return out
}

// commit adds the counts of a committed block.
func (m *metrics) commit(cs []count) {
	for _, c := range cs {
		c.c.WithLabelValues(c.labels...).Inc()
	}
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
