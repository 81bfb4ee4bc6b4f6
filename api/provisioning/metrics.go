package provisioning

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the engine's Prometheus collectors.
type metrics struct {
	operations *prometheus.CounterVec
	accounts   *prometheus.CounterVec
	whmCalls   *prometheus.HistogramVec
	queueDepth prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "applinks_provisioning_operations_total",
			Help: "Provisioning operations that ended, by kind and outcome (completed).",
		}, []string{"kind", "outcome"}),
		accounts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "applinks_provisioning_accounts_total",
			Help: "Accounts handled by provisioning, by module and result (pushed, removed, failed).",
		}, []string{"module", "result"}),
		whmCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "applinks_whm_call_duration_seconds",
			Help:    "Latency of the panel calls provisioning makes, by function and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10),
		}, []string{"function", "outcome"}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "applinks_provisioning_queue_depth",
			Help: "Active servers behind their wanted generation (work pending), as last seen by this process.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.operations, m.accounts, m.whmCalls, m.queueDepth)
	}
	return m
}

// observe times one panel call (fn: check_support, push_links, ...).
func (m *metrics) observe(fn string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.whmCalls.WithLabelValues(fn, outcome).Observe(time.Since(start).Seconds())
}
