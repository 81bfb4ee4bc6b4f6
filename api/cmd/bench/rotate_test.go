package main

import (
	"context"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/whm"
)

// benchmarkRotateAll enables the links of 10 servers x 5,000 accounts, then
// rotates every account's link secret b.N times: the intent is timed
// apart from the whole rotation (until its operation ended).
//
//	go test -run '^$' -bench RotateAll -benchtime 1x ./api/cmd/bench
func benchmarkRotateAll(b *testing.B, dialect string) {
	h := newHotStack(b, dialect, harness.FleetPlan{Servers: 10, AccountsPerServer: 5000})
	ctx := context.Background()
	opts := whm.Options{Timeout: 10 * time.Second, AllowLoopback: true}
	eng := provisioning.New(provisioning.Config{PublicURL: "http://127.0.0.1:1", PollInterval: 50 * time.Millisecond},
		h.st, []links.Panel{whm.NewCPanel(opts), whm.NewWPSquared(opts)}, nil, nil)
	eng.Start(ctx)
	defer func() { _ = eng.Stop(context.Background()) }()
	wait := func(op links.Operation) {
		for {
			if d, err := h.st.Operation(ctx, op.ID); err != nil {
				b.Fatal(err)
			} else if !d.Open() {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	op, err := eng.Enable(ctx, "cpanel", "bench")
	if err != nil {
		b.Fatal(err)
	}
	wait(op)
	b.ResetTimer()
	var intents, rotations []float64
	for i := 0; i < b.N; i++ {
		start := time.Now()
		op, err := eng.RotateLinkSecrets(ctx, "cpanel", "bench")
		if err != nil {
			b.Fatal(err)
		}
		intents = append(intents, ms(time.Since(start)))
		wait(op)
		rotations = append(rotations, ms(time.Since(start)))
	}
	b.ReportMetric(median(intents), "intent-ms")
	b.ReportMetric(median(rotations), "rotation-ms")
}

// BenchmarkRotateAllSQLite rotates 50,000 link secrets on SQLite.
func BenchmarkRotateAllSQLite(b *testing.B) { benchmarkRotateAll(b, harness.SQLite) }

// BenchmarkRotateAllMySQL does the same on MariaDB.
func BenchmarkRotateAllMySQL(b *testing.B) { benchmarkRotateAll(b, harness.MySQL) }
