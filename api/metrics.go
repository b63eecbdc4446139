package api

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	streams  prometheus.Gauge
	waiters  prometheus.Gauge
	height   prometheus.Gauge

	blobAccess  *prometheus.CounterVec
	blobBytes   *prometheus.CounterVec
	auditErrors prometheus.Counter
	ofdRecords  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "otcchain", Subsystem: "api", Name: "requests_total",
			Help: "API requests by route pattern and HTTP status (status; code labels elsewhere are result code names).",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "otcchain", Subsystem: "api", Name: "request_duration_seconds",
			Help:    "API request latency by route pattern and HTTP status code (event streams: their lifetime).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route", "status"}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "otcchain", Subsystem: "api", Name: "event_streams",
			Help: "Open event streams (GET /v1/events).",
		}),
		waiters: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "otcchain", Subsystem: "api", Name: "tx_waiters",
			Help: "Requests waiting for a tx to commit.",
		}),
		height: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "otcchain", Subsystem: "api", Name: "feed_height",
			Help: "Latest block height the API's block feed has seen.",
		}),
		blobAccess: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "otcchain", Subsystem: "api", Name: "access_total",
			Help: "Audited events by action (the audit entry's kind: tx_rejected, personal_data_read, document_read, blob_fetch, blob_refused, blob_store, read_refused, audit_export) and outcome (served, refused, rejected, stored, unknown, missing, invalid).",
		}, []string{"action", "outcome"}),
		blobBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "otcchain", Subsystem: "api", Name: "blob_bytes_total",
			Help: "Blob bytes received (in) and sent (out).",
		}, []string{"direction"}),
		auditErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "otcchain", Subsystem: "api", Name: "audit_write_errors_total",
			Help: "Audit log appends that failed (reads of personal data, documents and blobs are then refused with 503 audit_unavailable).",
		}),
		ofdRecords: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "otcchain", Subsystem: "api", Name: "ofd_records_total",
			Help: "GB/T 39595 records checked for import (POST /v1/ofd/check) by file type and outcome: mapped (to a fund message), refused (by the chain's rules), invalid (malformed).",
		}, []string{"file_type", "outcome"}),
	}
	var err error
	m.requests, err = register(reg, m.requests)
	if err == nil {
		m.duration, err = register(reg, m.duration)
	}
	if err == nil {
		m.streams, err = register(reg, m.streams)
	}
	if err == nil {
		m.waiters, err = register(reg, m.waiters)
	}
	if err == nil {
		m.height, err = register(reg, m.height)
	}
	if err == nil {
		m.blobAccess, err = register(reg, m.blobAccess)
	}
	if err == nil {
		m.blobBytes, err = register(reg, m.blobBytes)
	}
	if err == nil {
		m.auditErrors, err = register(reg, m.auditErrors)
	}
	if err == nil {
		m.ofdRecords, err = register(reg, m.ofdRecords)
	}
	if err != nil {
		return nil, fmt.Errorf("api: register metrics: %w", err)
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// the same description (a second server on the same registry shares it).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old, nil
			}
		}
		return c, err
	}
	return c, nil
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, code).Inc()
	m.duration.WithLabelValues(route, code).Observe(d.Seconds())
}
