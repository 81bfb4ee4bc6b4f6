package imports_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/imports"
	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// t0 is the runners' clock: leases expire when a test says, not with time.
var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

const leaseTTL = 30 * time.Second

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// newJob adds an active server and queues the import of n accounts.
func newJob(t *testing.T, s *store.Store, n int) links.ImportJob {
	t.Helper()
	ctx := context.Background()
	active := true
	in := links.ServerInput{Module: links.ModuleCPanel, Name: "cp1", Hostname: "cp1.example.com", APIToken: "TOKEN", Active: &active}
	in.Normalize()
	srv, err := s.CreateServer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	accts := make([]links.PanelAccount, n)
	for i := range accts {
		accts[i] = links.PanelAccount{Username: fmt.Sprintf("acct%d", i), Domain: fmt.Sprintf("d%d.example.test", i),
			Email: fmt.Sprintf("owner%d@example.test", i)}
	}
	job, err := s.CreateImportJob(ctx, srv.ID, accts)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// dying is a store through which a worker dies (its goroutine ends, as in
// a kill -9: no release, no failure recorded) after its first chunk.
type dying struct {
	*store.Store
	steps int
}

func (d *dying) ImportJobStep(ctx context.Context, id int64, owner string, now time.Time, ttl time.Duration) (links.ImportJob, error) {
	if d.steps == 1 {
		runtime.Goexit()
	}
	d.steps++
	return d.Store.ImportJobStep(ctx, id, owner, now, ttl)
}

// wakes counts the lifecycle's calls by module.
type wakes struct {
	mu sync.Mutex
	by map[string]int
}

func (w *wakes) ServiceChanged(_ context.Context, _, after *links.Service) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.by[after.Module]++
}

// TestRunnerResumesAKilledJob kills a runner after its first chunk: no
// runner takes the job while the dead one's lease runs; once it expires,
// another finishes it from where the first stopped, without duplicates.
func TestRunnerResumesAKilledJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		job := newJob(t, s, 1200)
		killed := imports.New(&dying{Store: s}, imports.Config{LeaseTTL: leaseTTL, Now: at(t0)})
		dead := make(chan struct{})
		go func() { defer close(dead); killed.Drain(ctx) }()
		<-dead
		if got, _ := s.ImportJob(ctx, job.ID); got.State != links.ImportJobRunning || got.Done != 500 {
			t.Fatalf("after the kill: %+v, want running with the first chunk done", got)
		}

		if n := imports.New(s, imports.Config{LeaseTTL: leaseTTL, Now: at(t0.Add(leaseTTL / 2))}).Drain(ctx); n != 0 {
			t.Fatalf("a runner took a job whose lease runs (%d)", n)
		}
		w := &wakes{by: map[string]int{}}
		next := imports.New(s, imports.Config{LeaseTTL: leaseTTL, Now: at(t0.Add(leaseTTL + time.Second)), Lifecycle: w})
		if n := next.Drain(ctx); n != 1 {
			t.Fatalf("the next runner worked %d jobs, want 1", n)
		}
		got, err := s.ImportJob(ctx, job.ID)
		if err != nil || got.State != links.ImportJobDone || got.Done != 1200 || got.NewClients != 1200 || got.Error != "" {
			t.Fatalf("resumed job: %+v, %v", got, err)
		}
		_, clients, _ := s.ListClients(ctx, links.ClientFilter{})
		_, services, _ := s.ListServices(ctx, links.ServiceFilter{})
		if clients != 1200 || services != 1200 {
			t.Fatalf("clients %d, services %d; want 1200 each", clients, services)
		}
		if w.by[links.ModuleCPanel] != 2 { // the two chunks it applied
			t.Fatalf("lifecycle calls %v, want 2 for cpanel", w.by)
		}
	})
}

// cancelling is a store whose first chunk ends the runner's context (a
// shutdown) once applied.
type cancelling struct {
	*store.Store
	cancel context.CancelFunc
}

func (c *cancelling) ImportJobStep(ctx context.Context, id int64, owner string, now time.Time, ttl time.Duration) (links.ImportJob, error) {
	job, err := c.Store.ImportJobStep(ctx, id, owner, now, ttl)
	c.cancel()
	return job, err
}

// TestRunnerShutdownGivesTheJobBack: a runner stopped between chunks
// keeps the chunk it applied and releases its lease, so the next runner
// need not wait for it to expire.
func TestRunnerShutdownGivesTheJobBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		job := newJob(t, s, 700)
		ctx, cancel := context.WithCancel(context.Background())
		imports.New(&cancelling{Store: s, cancel: cancel}, imports.Config{LeaseTTL: leaseTTL, Now: at(t0)}).Drain(ctx)
		bg := context.Background()
		if got, _ := s.ImportJob(bg, job.ID); got.Done != 500 || got.State != links.ImportJobRunning {
			t.Fatalf("after the shutdown: %+v", got)
		}
		if n := imports.New(s, imports.Config{LeaseTTL: leaseTTL, Now: at(t0)}).Drain(bg); n != 1 {
			t.Fatalf("the next runner worked %d jobs at once, want the released one", n)
		}
		if got, _ := s.ImportJob(bg, job.ID); got.State != links.ImportJobDone || got.Done != 700 {
			t.Fatalf("finished job: %+v", got)
		}
	})
}

// TestRunnerRecordsFailure: a job its server no longer takes ends failed,
// with a message that says where it stopped and why.
func TestRunnerRecordsFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		job := newJob(t, s, 3)
		inactive := false
		if _, err := s.UpdateServer(ctx, job.ServerID, links.ServerPatch{Active: &inactive}); err != nil {
			t.Fatal(err)
		}
		if n := imports.New(s, imports.Config{Now: at(t0)}).Drain(ctx); n != 1 {
			t.Fatalf("worked %d jobs, want 1", n)
		}
		got, err := s.ImportJob(ctx, job.ID)
		if err != nil || got.State != links.ImportJobFailed || got.FinishedAt == nil {
			t.Fatalf("job: %+v, %v", got, err)
		}
		for _, want := range []string{"stopped after 0 of 3 accounts", "inactive", "Start it again"} {
			if !strings.Contains(got.Error, want) {
				t.Fatalf("error %q does not say %q", got.Error, want)
			}
		}
		if n := imports.New(s, imports.Config{Now: at(t0.Add(time.Hour))}).Drain(ctx); n != 0 {
			t.Fatalf("a failed job was worked again (%d)", n)
		}
	})
}
