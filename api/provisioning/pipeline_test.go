package provisioning_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// slowCommits is a store whose task commits take a while, recording them.
type slowCommits struct {
	provisioning.Store
	delay   time.Duration
	mu      sync.Mutex
	commits []links.TaskProgress
}

func (s *slowCommits) CommitProgress(ctx context.Context, p links.TaskProgress) (string, error) {
	time.Sleep(s.delay)
	s.mu.Lock()
	s.commits = append(s.commits, p)
	s.mu.Unlock()
	return s.Store.CommitProgress(ctx, p)
}

// When the database is slower than the panel, the batches keep going out
// and their answers are committed together, in order: the check with the
// first, cursors that only move forward, every account counted once.
func TestSlowCommitsAreTakenTogetherInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		const accounts = 30
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: accounts})
		slow := &slowCommits{Store: st, delay: 40 * time.Millisecond}
		cfg := testConfig()
		cfg.BatchSize, cfg.PerServerCap = 1, 4
		e := startEngine(t, slow, cfg)
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		d := waitOp(t, st, op.ID)
		if d.State != links.OpCompleted || d.AccountsDone != accounts || d.AccountsFailed != 0 {
			t.Fatalf("operation = %+v", d.Operation)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa")

		slow.mu.Lock()
		defer slow.mu.Unlock()
		var batches, counted int
		var cursor int64
		for i, p := range slow.commits {
			if p.Checked != (i == 0) || (i == 0 && (p.AccountsTotal != accounts || p.Check == nil || !p.Check.Support.Supported)) {
				t.Errorf("commit %d (%+v): want the check with %d accounts on the first commit only", i, p, accounts)
			}
			if p.State != "" && i != len(slow.commits)-1 {
				t.Errorf("commit %d ends the task before commit %d", i, len(slow.commits)-1)
			}
			if p.AccountsDone > 0 { // the last one may end the task too
				batches++
				counted += p.AccountsDone
				if p.Cursor <= cursor {
					t.Errorf("commit %d moves the cursor from %d to %d", i, cursor, p.Cursor)
				}
				cursor = p.Cursor
			}
		}
		if counted != accounts {
			t.Errorf("the commits count %d accounts, want %d", counted, accounts)
		}
		// 30 one-account batches, 4 in flight, 40 ms per commit: the
		// answers outrun the commits, which take several batches each.
		if batches >= accounts {
			t.Errorf("%d commits for %d batches: none taken together", batches, accounts)
		}
	})
}

// The answers of one round of requests share a commit when the database is
// fast too: each waits briefly for the next one in flight.
func TestAnswersOfARoundShareACommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		const accounts = 40
		newWorld(t, st, srvSpec{name: "cpa", accounts: accounts, faults: whmsim.Faults{Latency: 30 * time.Millisecond, Jitter: 2 * time.Millisecond}})
		rec := &slowCommits{Store: st}
		cfg := testConfig()
		cfg.BatchSize, cfg.PerServerCap = 1, 4
		e := startEngine(t, rec, cfg)
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, op.ID); d.State != links.OpCompleted || d.AccountsDone != accounts {
			t.Fatalf("operation = %+v", d.Operation)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		var batches, counted int
		for _, p := range rec.commits {
			if p.AccountsDone > 0 {
				batches++
				counted += p.AccountsDone
			}
		}
		// 40 one-account batches in rounds of 4 answered within 2 ms of each
		// other: about one commit a round (10 here, 14 to 22 under the race
		// detector); 29 to 35 without the wait.
		if most := accounts * 2 / 3; counted != accounts || batches > most {
			t.Errorf("%d commits for %d batches counting %d accounts: want at most %d commits", batches, accounts, counted, most)
		}
		// The last answers end the task and give its leases up in the
		// same commit.
		if last := rec.commits[len(rec.commits)-1]; last.State != links.TaskDone || last.AccountsDone == 0 || last.ReleaseServer == 0 {
			t.Errorf("last commit = %+v: want the last answers with the task's end", last)
		}
	})
}

// An operation with no server to work ends as soon as it is queued, without
// waiting for the claim loop's next tick.
func TestAnOperationWithoutServersEndsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 1})
		cfg := testConfig()
		cfg.PollInterval = time.Hour
		e := startEngine(t, st, cfg)
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		off := false
		if _, err := st.UpdateServer(ctx, w.ids["cpa"], links.ServerPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if op, err = e.Sync(ctx, links.ModuleCPanel, ""); err != nil {
			t.Fatal(err)
		}
		if op.ServersTotal != 0 {
			t.Fatalf("the sync has %d servers to work", op.ServersTotal)
		}
		end := time.Now().Add(20 * time.Second)
		for {
			d, err := st.Operation(ctx, op.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Open() {
				if d.State != links.OpCompleted {
					t.Fatalf("operation = %+v", d.Operation)
				}
				return
			}
			if time.Now().After(end) {
				t.Fatalf("the operation without servers is still %s", d.State)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// A server that goes down mid-run is given up after three whole requests
// failed in a row: its remaining accounts are not each tried in turn, but
// each is named in a warning of its own (once), and one more warning says
// the server was given up.
func TestAServerDownMidRunIsGivenUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		const accounts = 90
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: accounts, faults: whmsim.Faults{Latency: 20 * time.Millisecond}})
		cfg := testConfig()
		cfg.MaxAttempts = 2
		e := startEngine(t, st, cfg)
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitProgress(t, st, op.ID, 6)
		if err := w.servers["cpa"].Stop(); err != nil {
			t.Fatal(err)
		}
		d := waitOp(t, st, op.ID)
		if d.State != links.OpCompleted || d.AccountsDone+d.AccountsFailed != accounts || d.Servers[0].State != links.TaskFailed {
			t.Fatalf("operation = %+v, task = %+v", d.Operation, d.Servers[0])
		}
		var gaveUp, tried, notTried int
		named := map[int64]int{}
		for _, wn := range logOf(t, st, op.ID, links.LevelWarning) {
			switch {
			case strings.Contains(wn.Message, "Gave up on server cpa after"):
				gaveUp++
			case strings.Contains(wn.Message, "was not updated"):
				if wn.ServiceID == nil {
					t.Fatalf("warning without its account: %q", wn.Message)
				}
				named[*wn.ServiceID]++
				if strings.Contains(wn.Message, "the server was given up") {
					notTried++
				} else {
					tried++
				}
			}
		}
		// Every account not done is named once; only the batches sent
		// before the third failure was committed were tried (up to two
		// failures committed before, the commit with the third, at most
		// twice the cap, and up to twice the cap queued behind it).
		for id, n := range named {
			if n != 1 {
				t.Errorf("service %d named in %d warnings", id, n)
			}
		}
		if gaveUp != 1 || len(named) != d.AccountsFailed || tried+notTried != d.AccountsFailed || notTried == 0 ||
			tried > (2+4*cfg.PerServerCap)*cfg.BatchSize {
			t.Errorf("%d give-up warnings, %d accounts named (%d tried, %d not tried) of %d failed", gaveUp, len(named), tried, notTried, d.AccountsFailed)
		}
	})
}

// failingReads is a store whose account reads fail: a worker that cannot go
// on (database trouble), whatever the panel says.
type failingReads struct{ provisioning.Store }

func (failingReads) PushAccounts(context.Context, int64, int64, int) ([]links.PushAccount, error) {
	return nil, errors.New("the database is away")
}

// A task whose worker fails every attempt is given up after MaxAttempts: it
// fails with a warning saying so, the operation completes, and the task's
// and the server's leases are given up (the server can be worked again).
func TestATaskFailingEveryAttemptIsGivenUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		newWorld(t, st, srvSpec{name: "cpa", accounts: 5})
		cfg := testConfig()
		tr := newLeaseTracker()
		cfg.OnLease = tr.hook
		e := startEngine(t, failingReads{st}, cfg)
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		d := waitOp(t, st, op.ID)
		if d.State != links.OpCompleted || d.Servers[0].State != links.TaskFailed {
			t.Fatalf("operation = %+v, task = %+v", d.Operation, d.Servers[0])
		}
		warnings := logOf(t, st, op.ID, links.LevelWarning)
		if len(warnings) != 1 || !strings.Contains(warnings[0].Message, fmt.Sprintf("Gave up on server cpa after %d attempts", cfg.MaxAttempts)) {
			t.Fatalf("warnings = %+v", warnings)
		}
		db, err := st.SQLDB()
		if err != nil {
			t.Fatal(err)
		}
		var taskOwner, serverOwner string
		if err := db.QueryRowContext(ctx, "SELECT lease_owner FROM server_tasks WHERE operation_id = ?", op.ID).Scan(&taskOwner); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, "SELECT owner FROM server_leases").Scan(&serverOwner); err != nil {
			t.Fatal(err)
		}
		tr.mu.Lock()
		defer tr.mu.Unlock()
		if taskOwner != "" || serverOwner != "" || len(tr.holders) != 0 || tr.taken != cfg.MaxAttempts || len(tr.violations) != 0 {
			t.Errorf("after the give-up: task lease %q, server lease %q, holders %v, %d claims, violations %v", taskOwner, serverOwner, tr.holders, tr.taken, tr.violations)
		}
	})
}
