package main

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves the Go runtime's profiles (net/http/pprof, under
// /debug/pprof/) on addr, a listener apart from the API and without its
// authentication: an operator's opt-in (APPLINKS_PPROF_ADDR) that belongs on
// loopback or a private network. It returns the function that stops it.
func startPprof(addr string, logger *slog.Logger) (func(), error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("profiling endpoint stopped", "err", err)
		}
	}()
	logger.Info("profiling endpoint (net/http/pprof): keep it off public networks", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}
