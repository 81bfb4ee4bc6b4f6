package rest

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// healthAPI serves the liveness and readiness probes.
type healthAPI struct {
	store interface {
		Ping(ctx context.Context) error
	}
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "applinks_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "applinks_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	// The process and Go collectors may already be registered by the caller.
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *httpMetrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" || strings.HasSuffix(route, "/*") {
			route = "other"
		}
		method := c.Request().Method
		m.requests.WithLabelValues(route, method, strconv.Itoa(c.Response().Status)).Inc()
		m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		return nil
	}
}

// secretParams are query parameters whose values never reach a log line.
var secretParams = []string{"access_token", "token", "secret", "password"}

// maskQuery replaces secret query values with "***".
func maskQuery(u *url.URL) string {
	if u.RawQuery == "" {
		return u.Path
	}
	q := u.Query()
	for _, k := range secretParams {
		if q.Has(k) {
			q.Set(k, "***")
		}
	}
	return u.Path + "?" + q.Encode()
}

// requestLogger writes one structured line per request, with secrets masked.
func requestLogger(logger *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogLatency: true, LogMethod: true, LogRequestID: true, LogRemoteIP: true,
		// Errors are turned into their answer first, so the line shows the real status.
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			if c.Path() == "/healthz" || c.Path() == "/readyz" {
				level = slog.LevelDebug
			}
			logger.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("uri", maskQuery(c.Request().URL)),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency),
				slog.String("ip", v.RemoteIP), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

// Health answers.
type Health struct {
	Status string `json:"status" example:"ok"`
}

// healthz tells that the process is alive.
//
//	@Summary	Liveness
//	@Tags		operations
//	@Produce	json
//	@Success	200	{object}	Health
//	@Router		/healthz [get]
func (h *healthAPI) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, Health{Status: "ok"})
}

// readyz tells whether the service can serve: the database answers.
//
//	@Summary	Readiness (checks the database)
//	@Tags		operations
//	@Produce	json
//	@Success	200	{object}	Health
//	@Failure	503	{object}	ErrorBody
//	@Router		/readyz [get]
func (h *healthAPI) readyz(c echo.Context) error {
	if err := h.store.Ping(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Health{Status: "ready"})
}

// MetricsHandler serves the service's Prometheus metrics (the registry of
// Deps, with the HTTP counters of this server). It is not on the API's
// router: the caller serves it on a listener of its own
// (APPLINKS_METRICS_ADDR), away from the public service.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}
