package harness

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/applinks/applinks/api/whmsim"
)

// TestSmoke seeds a tiny fleet on SQLite, starts the real binary on it,
// signs in and runs a short bounded closed loop: the harness works end to
// end. It asserts outcomes, never timings.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin, err := BuildBinary(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := NewScratchDB(ctx, SQLite, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Drop()
	fleet, err := SeedFleet(ctx, db, FleetPlan{Servers: 2, AccountsPerServer: 5, Faults: func(int) whmsim.Faults { return whmsim.Faults{} }})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Sim.Close()
	if len(fleet.Creds) != 10 {
		t.Fatalf("seeded %d services, want 10", len(fleet.Creds))
	}
	svc, err := StartService(ctx, ServiceConfig{Bin: bin, DB: db, SecretKey: fleet.SecretKey, LogPath: dir + "/service.log"})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Kill()
	api := NewClient(svc.URL)
	if err := api.Login(ctx); err != nil {
		t.Fatal(err)
	}
	var svcOut struct {
		Username string `json:"username"`
		Status   string `json:"status"`
	}
	if err := api.Do(ctx, http.MethodGet, "/api/v1/services/10", nil, &svcOut); err != nil {
		t.Fatal(err)
	}
	if svcOut.Username != fleet.Creds[10].Username || svcOut.Status != "Active" {
		t.Fatalf("service 10 = %+v, want %s Active", svcOut, fleet.Creds[10].Username)
	}
	res := Closed(ctx, "healthz", 4, 200, 5*time.Second, func(ctx context.Context, i int) error {
		return api.Do(ctx, http.MethodGet, "/healthz", nil, nil)
	})
	if res.Requests != 200 || res.Errors != 0 {
		t.Fatalf("closed loop: %+v", res)
	}
	if PeakRSSKiB(svc.PID) <= 0 {
		t.Fatal("no VmHWM for the service process")
	}
	if err := svc.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}
