package store_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// benchAccounts is the size of the benchmarks' server; benchLimit is a
// chunk of PushAccounts as the engine reads it by default (BatchSize 10 ×
// PerServerCap 4).
const (
	benchAccounts = 400
	benchLimit    = 40
)

// eachDialect runs fn as a sub-benchmark per dialect, each on a fresh
// database made once (not for every b.N the benchmark is run with).
func eachDialect(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	for _, d := range storetest.Dialects() {
		s := storetest.New(b, d)
		b.Run(d, func(b *testing.B) { fn(b, s) })
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op b.N times and reports, besides the usual figures, the
// process's CPU time per op (on MySQL: the client's share only).
func measure(b *testing.B, op func(i int)) {
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	for i := range b.N {
		op(i)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// pushServer makes a server with n qualifying accounts.
func pushServer(b *testing.B, s *store.Store, n int) links.Server {
	ctx := context.Background()
	srv := newServer(b, s, "cp1", "cp1.example.com", true)
	c := newClient(b, s, "bench@acme.test")
	for i := range n {
		in := links.ServiceInput{ClientID: c.ID, ServerID: srv.ID, Username: fmt.Sprintf("acct%04d", i), Domain: "acme.test", Status: links.ServiceActive}
		if _, err := s.CreateService(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	return srv
}

func BenchmarkPushAccounts(b *testing.B) {
	servers := map[*store.Store]links.Server{}
	eachDialect(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		srv, ok := servers[s]
		if !ok {
			srv = pushServer(b, s, benchAccounts)
			servers[s] = srv
		}
		var cursor int64
		measure(b, func(int) {
			accts, err := s.PushAccounts(ctx, srv.ID, cursor, benchLimit)
			if err != nil {
				b.Fatal(err)
			}
			if len(accts) < benchLimit {
				cursor = 0 // the end: from the start again
			} else {
				cursor = accts[len(accts)-1].ServiceID
			}
		})
	})
}

func BenchmarkCommitProgress(b *testing.B) {
	eachDialect(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		newServer(b, s, "cp1", "cp1.example.com", true)
		op, err := s.QueueOperation(ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpActivation, Spec: "{}"})
		if err != nil {
			b.Fatal(err)
		}
		ct, err := s.ClaimTask(ctx, "A", time.Hour)
		if err != nil || ct == nil {
			b.Fatal(ct, err)
		}
		commit := func(p links.TaskProgress) {
			p.TaskID, p.OperationID, p.Module, p.Owner = ct.Task.ID, op.ID, op.Module, "A"
			if state, err := s.CommitProgress(ctx, p); err != nil || state != links.TaskRunning {
				b.Fatal(state, err)
			}
		}
		// A batch that all went well: one UPDATE.
		b.Run("done", func(b *testing.B) {
			measure(b, func(i int) { commit(links.TaskProgress{Cursor: int64(i + 1), AccountsDone: benchLimit}) })
		})
		// A batch with a refused account: its warning goes in with the
		// counters, in one transaction.
		b.Run("warning", func(b *testing.B) {
			sid := int64(7)
			measure(b, func(i int) {
				commit(links.TaskProgress{Cursor: int64(i + 1), AccountsDone: benchLimit - 1, AccountsFailed: 1,
					Entries: []links.LogEntry{{Level: links.LevelWarning, ServerID: &ct.Task.ServerID, ServiceID: &sid, Message: "Account acct0007 on server cp1 was refused: no."}}})
			})
		})
	})
}

// seeded20 holds the stores BenchmarkQueueAndClaim20 gave its servers (the
// benchmark function runs again for each b.N).
var seeded20 = map[*store.Store]bool{}

// BenchmarkQueueAndClaim20 queues a repair of 20 servers and claims their
// tasks at once, then ends them: the start of every latency-bound run.
func BenchmarkQueueAndClaim20(b *testing.B) {
	eachDialect(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		if !seeded20[s] {
			seeded20[s] = true
			for i := range 20 {
				name := fmt.Sprintf("q%02d", i)
				newServer(b, s, name, name+".example.com", true)
			}
		}
		owners := make([]string, 32)
		var queue, claim time.Duration
		measure(b, func(i int) {
			t0 := time.Now()
			op, err := s.QueueOperation(ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRepair, Spec: "{}", Supersede: true})
			if err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			for k := range owners {
				owners[k] = fmt.Sprintf("o%d-%d", i, k)
			}
			cts, err := s.ClaimTasks(ctx, owners, time.Minute)
			if err != nil || len(cts) != 20 {
				b.Fatalf("claimed %d: %v", len(cts), err)
			}
			t2 := time.Now()
			queue += t1.Sub(t0)
			claim += t2.Sub(t1)
			b.StopTimer()
			for _, ct := range cts {
				if _, err := s.CommitProgress(ctx, links.TaskProgress{TaskID: ct.Task.ID, OperationID: op.ID, Owner: ct.Owner, State: links.TaskDone, ReleaseServer: ct.Task.ServerID}); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		})
		b.ReportMetric(float64(queue.Microseconds())/float64(b.N), "queue-µs/op")
		b.ReportMetric(float64(claim.Microseconds())/float64(b.N), "claim-µs/op")
	})
}
