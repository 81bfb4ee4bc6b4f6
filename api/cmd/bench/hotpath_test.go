package main

import (
	"context"
	"fmt"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/sso"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

// The benchmarks below run the hot paths in-process, so that CPU profiles
// can be taken without an opt-in in the binary:
//
//	go test -run '^$' -bench Provision -benchtime 3x -cpuprofile /tmp/prov.pprof ./api/cmd/bench
//	go tool pprof -top /tmp/prov.pprof
//
// They report custom metrics (accounts/s, clicks/s); they are never
// assertions.

// hotStack is a seeded database, its simulated fleet and an open store.
type hotStack struct {
	db    *harness.ScratchDB
	fleet *harness.Fleet
	st    *store.Store
}

func newHotStack(b *testing.B, dialect string, plan harness.FleetPlan) *hotStack {
	b.Helper()
	ctx := context.Background()
	db, err := harness.NewScratchDB(ctx, dialect, b.TempDir())
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(db.Drop)
	fleet, err := harness.SeedFleet(ctx, db, plan)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = fleet.Sim.Close() })
	key, _ := secret.ParseKey(fleet.SecretKey)
	box, _ := secret.NewBox(key)
	st, err := store.Open(ctx, store.Options{URL: db.URL, DataDir: db.Dir, Box: box})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return &hotStack{db: db, fleet: fleet, st: st}
}

func benchmarkProvision(b *testing.B, dialect string) {
	runProvision(b, newHotStack(b, dialect, harness.FleetPlan{Servers: 10, AccountsPerServer: 500}), provisioning.Config{PollInterval: 50 * time.Millisecond})
}

// runProvision enables the links, then syncs them b.N-1 times, each time
// until the operation completes.
func runProvision(b *testing.B, h *hotStack, cfg provisioning.Config) {
	ctx := context.Background()
	opts := whm.Options{Timeout: 10 * time.Second, AllowLoopback: true}
	cfg.PublicURL = "http://127.0.0.1:1"
	eng := provisioning.New(cfg, h.st, []links.Panel{whm.NewCPanel(opts), whm.NewWPSquared(opts)}, nil, nil)
	eng.Start(ctx)
	defer func() { _ = eng.Stop(context.Background()) }()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	var makespans []float64
	for i := 0; i < b.N; i++ {
		var op links.Operation
		var err error
		if i == 0 {
			op, err = eng.Enable(ctx, "cpanel", "bench")
		} else {
			op, err = eng.Sync(ctx, "cpanel", "bench")
		}
		if err != nil {
			b.Fatal(err)
		}
		for {
			d, err := h.st.Operation(ctx, op.ID)
			if err != nil {
				b.Fatal(err)
			}
			if !d.Open() {
				if d.AccountsDone != h.fleet.Accounts {
					b.Fatalf("pushed %d of %d accounts", d.AccountsDone, h.fleet.Accounts)
				}
				if d.FinishedAt != nil {
					makespans = append(makespans, ms(d.FinishedAt.Sub(d.CreatedAt)))
				}
				break
			}
			// The makespan comes from the operation's timestamps: the
			// polls need not be frequent (each one is work).
			time.Sleep(pollEvery / 2)
		}
	}
	b.ReportMetric(float64(b.N*h.fleet.Accounts)/time.Since(start).Seconds(), "accounts/s")
	b.ReportMetric(median(makespans), "makespan-ms")
	// The CPU time of the whole process (engine, store, simulator, this
	// loop) per run: with 2 CPUs, half of it is a floor of the makespan.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkProvisionSQLite pushes 5,000 accounts (10 servers, no latency)
// per iteration through the engine on SQLite.
func BenchmarkProvisionSQLite(b *testing.B) { benchmarkProvision(b, harness.SQLite) }

// BenchmarkProvisionMySQL does the same on MariaDB.
func BenchmarkProvisionMySQL(b *testing.B) { benchmarkProvision(b, harness.MySQL) }

// benchmarkLatencyBound is the latency-bound scenario of the bench command
// in-process: 20 servers x 100 accounts, 50 ms per WHM request, cap 4. The
// lower bound of one iteration is 200 ms.
func benchmarkLatencyBound(b *testing.B, dialect string) {

	h := newHotStack(b, dialect, harness.FleetPlan{Servers: 20, AccountsPerServer: 100,
		Faults: func(int) whmsim.Faults { return whmsim.Faults{Latency: 50 * time.Millisecond} }})
	runProvision(b, h, provisioning.Config{Workers: 80, PerServerCap: 4, PollInterval: time.Second})
}

// BenchmarkLatencyBoundSQLite is the latency-bound run on SQLite.
func BenchmarkLatencyBoundSQLite(b *testing.B) { benchmarkLatencyBound(b, harness.SQLite) }

// BenchmarkLatencyBoundMySQL is the latency-bound run on MariaDB.
func BenchmarkLatencyBoundMySQL(b *testing.B) { benchmarkLatencyBound(b, harness.MySQL) }

func benchmarkClick(b *testing.B, dialect string) {
	h := newHotStack(b, dialect, harness.FleetPlan{Servers: 1, AccountsPerServer: 2000})
	ctx := context.Background()
	huge := sso.Limits{ClickPerIP: 1e9, ClickPerCredential: 1e9, RedeemPerIP: 1e9, TokenAPIPerIP: 1e9, TokenAPIPerCred: 1e9,
		PortalLoginPerIP: 1e9, Burst: 1 << 30, PerCredentialBurst: 1 << 30, PanelSessionPerUser: 1e9}
	svc := sso.New(h.st, sso.Config{PublicURL: "http://127.0.0.1:1", Limits: huge})
	creds := make([]harness.ServiceCreds, 0, len(h.fleet.Creds))
	for _, c := range h.fleet.Creds {
		creds = append(creds, c)
	}
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c := creds[i%len(creds)]
			i++
			redirect, err := svc.Click(ctx, sso.ClickRequest{Destination: "invoice_history", SubscriberID: c.SubscriberUniqueID, Token: c.Token, IP: "10.0.0.1"})
			if err != nil {
				b.Error(err)
				return
			}
			u, _ := url.Parse(redirect)
			if _, err := svc.Redeem(ctx, u.Query().Get("access_token"), "10.0.0.2"); err != nil {
				b.Error(fmt.Errorf("redeem: %w", err))
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "click+redeem/s")
}

// BenchmarkClickRedeemSQLite is a click and its redemption, in parallel,
// on SQLite, without HTTP.
func BenchmarkClickRedeemSQLite(b *testing.B) { benchmarkClick(b, harness.SQLite) }

// BenchmarkClickRedeemMySQL does the same on MariaDB.
func BenchmarkClickRedeemMySQL(b *testing.B) { benchmarkClick(b, harness.MySQL) }
