package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// metricsListener serves the Prometheus metrics (GET /metrics) on a listener
// apart from the API (APPLINKS_METRICS_ADDR), so they are never published
// with the public service: they name routes, counts and latencies.
type metricsListener struct {
	addr string // the bound address (the real port when 0 was asked)
	srv  *http.Server
}

// startMetrics listens on addr and serves handler at /metrics; every other
// path answers 404.
func startMetrics(addr string, handler http.Handler, logger *slog.Logger) (*metricsListener, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", handler)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("metrics listener stopped", "err", err)
		}
	}()
	m := &metricsListener{addr: ln.Addr().String(), srv: srv}
	logger.Info("metrics listening", "addr", m.addr, "path", "/metrics")
	return m, nil
}

// shutdown stops accepting scrapes and waits for those in flight until ctx
// ends. It is safe on a nil listener (metrics off).
func (m *metricsListener) shutdown(ctx context.Context, logger *slog.Logger) {
	if m == nil {
		return
	}
	if err := m.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("metrics shutdown", "err", err)
	}
}

// close stops the listener at once: the deferred stop of the paths that
// return early (after shutdown it finds nothing to do).
func (m *metricsListener) close() {
	if m != nil {
		_ = m.srv.Close()
	}
}

// boundAddr is the listener's address, or "" when the metrics are off.
func (m *metricsListener) boundAddr() string {
	if m == nil {
		return ""
	}
	return m.addr
}
