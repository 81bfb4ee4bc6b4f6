package provisioning

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/applinks/applinks/api/links"
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
			Help: "Provisioning operations that ended, by kind and outcome (completed, superseded).",
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

// timedPanel wraps a panel to observe the latency of every call.
type timedPanel struct {
	links.Panel
	m *metrics
}

func (p *timedPanel) observe(fn string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	p.m.whmCalls.WithLabelValues(fn, outcome).Observe(time.Since(start).Seconds())
}

// CheckSupport times the support check.
func (p *timedPanel) CheckSupport(ctx context.Context, s links.ServerConn) (links.Support, error) {
	start := time.Now()
	sup, err := p.Panel.CheckSupport(ctx, s)
	p.observe("check_support", start, err)
	return sup, err
}

// PushLinks times a push batch.
func (p *timedPanel) PushLinks(ctx context.Context, s links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	start := time.Now()
	res, err := p.Panel.PushLinks(ctx, s, req)
	p.observe("push_links", start, err)
	return res, err
}

// RemoveLinks times a removal batch.
func (p *timedPanel) RemoveLinks(ctx context.Context, s links.ServerConn, req links.RemoveRequest) ([]links.AccountResult, error) {
	start := time.Now()
	res, err := p.Panel.RemoveLinks(ctx, s, req)
	p.observe("remove_links", start, err)
	return res, err
}
