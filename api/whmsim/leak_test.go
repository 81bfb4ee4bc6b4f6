package whmsim_test

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/applinks/applinks/api/whmsim"
)

func TestCloseLeavesNoGoroutines(t *testing.T) {
	http.DefaultClient.CloseIdleConnections()
	before := runtime.NumGoroutine()
	sim := whmsim.New(nil)
	var servers []*whmsim.Server
	for _, f := range []whmsim.Faults{{}, {Latency: time.Millisecond}, {TimeoutRate: 1}} {
		srv, err := sim.Start(whmsim.ServerConfig{Token: "T", Accounts: []whmsim.Account{{User: "alice"}}, Faults: f})
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, srv)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, srv := range servers[:2] {
		if _, _, err := apiCall(ctx, srv, "list_integration_links", "user=alice"); err != nil {
			t.Fatal(err)
		}
	}
	go func() { _, _, _ = apiCall(ctx, servers[2], "version", "") }()
	waitFor(t, func() bool { return servers[2].Stats().InFlight == 1 })
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	http.DefaultClient.CloseIdleConnections()
	waitFor(t, func() bool { return runtime.NumGoroutine() <= before })
}
