package reliability

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/whmsim"
)

// TestReplicas runs three processes on one MariaDB database, queues an
// activation, kills one replica with SIGKILL while it holds server leases,
// and checks that the others complete the work: every account carries the
// desired links, the counters are exact, and no simulated server ever saw
// more requests in flight than the per-server cap (two replicas working one
// server at once would exceed it).
func TestReplicas(t *testing.T) {
	sz := gate(t)
	dialect := mysqlOrSkip(t)
	ctx := context.Background()
	// Cap 2 with 4 workers: one process can reach the cap on a server, two
	// processes on the same server would exceed it.
	const perServerCap = 2
	st := newStack(t, dialect, harness.FleetPlan{Servers: sz.replicaServers, AccountsPerServer: sz.replicaAccounts,
		Faults: func(int) whmsim.Faults {
			return whmsim.Faults{Latency: 40 * time.Millisecond, Jitter: 20 * time.Millisecond}
		}})
	port0, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	// Every replica pushes the same public URL, as behind a load balancer;
	// four workers each.
	env := map[string]string{"APPLINKS_PUBLIC_URL": "http://127.0.0.1:" + strconv.Itoa(port0), "APPLINKS_LEASE_TTL": "2s",
		"APPLINKS_WORKERS": "4", "APPLINKS_PER_SERVER_CAP": strconv.Itoa(perServerCap), "APPLINKS_BATCH_SIZE": "2"}
	replicas := []*harness.Service{st.start(port0, env), st.start(0, env), st.start(0, env)}
	api := st.client(replicas[0])
	for _, s := range st.fleet.Servers {
		s.Sim.ResetStats()
	}
	conn, err := st.db.Conn()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	// Kill the third replica once it holds the lease of a server (it works
	// it). It polls for work every second, so the others may finish an
	// operation alone: then queue another (a repair sync) and try again.
	victim := replicas[2]
	held, attempts := 0, 0
	var op links.Operation
	for action := "enable"; held == 0 && attempts < 8; action = "sync" {
		attempts++
		if op, err = api.Queue(ctx, "cpanel", action); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM server_leases WHERE owner LIKE ?",
				"%-"+strconv.Itoa(victim.PID)+"-%").Scan(&held)
			if err != nil {
				t.Fatal(err)
			}
			if held > 0 {
				break
			}
			if d, err := api.Operation(ctx, op.ID); err == nil && !d.Open() {
				break
			}
		}
	}
	if held == 0 {
		t.Fatalf("the victim replica held no task in %d operations", attempts)
	}
	victim.Kill()
	done, err := api.WaitOperation(ctx, op.ID, 50*time.Millisecond, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	problems := checkOperation(ctx, t, api, st.fleet, done)
	apps, err := api.DesiredApps(ctx, "cpanel")
	if err != nil {
		t.Fatal(err)
	}
	checked, bad, mism := harness.VerifyLinks(st.fleet, apps, 1)
	if bad > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d accounts without the desired links, e.g. %v", bad, checked, mism))
	}
	maxInFlight := int64(0)
	for _, s := range st.fleet.Servers {
		m := s.Sim.Stats().MaxInFlight
		maxInFlight = max(maxInFlight, m)
		if m > perServerCap {
			problems = append(problems, fmt.Sprintf("server %s saw %d requests in flight, cap %d", s.Name, m, perServerCap))
		}
	}
	// The worker that ends a server's last progress row releases its lease
	// just after; a lease the killed replica held past its work stays named
	// but expires. Once the operation completed, every lease must be free
	// or expired within the lease TTL (2 s): a live lease then is a worker
	// heartbeating with nothing to do.
	var owners int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM server_leases WHERE owner <> '' AND expires_at > ?", time.Now().UTC()).Scan(&owners); err != nil {
			t.Fatal(err)
		}
		if owners == 0 || time.Now().After(deadline) {
			break
		}
	}
	if owners != 0 {
		problems = append(problems, fmt.Sprintf("%d server leases still held 5 s after the run", owners))
	}
	for _, p := range problems {
		t.Error(p)
	}
	outcome := "ok"
	if len(problems) > 0 {
		outcome = "**FAILED**: " + strings.Join(problems, "; ")
	}
	record("Replicas",
		fmt.Sprintf("%s, 3 processes on one database (4 workers each, per-server cap %d, lease TTL 2 s), %d servers x %d accounts (%d), simulated latency 40-60 ms. 2 accounts per batch. The third replica was killed with SIGKILL while it held the lease of %d server(s) during operation %d (%s, attempt %d: a replica polls for work every second, so an operation may end before it claims any).",
			dialect, perServerCap, sz.replicaServers, sz.replicaAccounts, st.fleet.Accounts, held, op.ID, op.Kind, attempts),
		"",
		fmt.Sprintf("- Operation %s: %d accounts done, %d failed, %d warnings; %d accounts verified in the simulator.", done.State, done.AccountsDone, done.AccountsFailed, done.Warnings, checked),
		fmt.Sprintf("- Highest requests in flight on any one server: %d (cap %d).", maxInFlight, perServerCap),
		"- Outcome: "+outcome+".")
}
