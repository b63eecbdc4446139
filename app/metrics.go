package app

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	txs           *prometheus.CounterVec
	checkRejected *prometheus.CounterVec
	height        prometheus.Gauge
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "otc", Subsystem: "app", Name: "txs_total",
			Help: "Transactions executed in blocks, by result codespace and code."}, []string{"codespace", "code"}),
		checkRejected: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "otc", Subsystem: "app", Name: "checktx_rejected_total",
			Help: "Transactions refused by CheckTx, by codespace and code name."}, []string{"codespace", "name"}),
		height: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "otc", Subsystem: "app", Name: "height", Help: "Height of the last finalized block."}),
	}
	if reg != nil {
		reg.MustRegister(m.txs, m.checkRejected, m.height)
	}
	return m
}
