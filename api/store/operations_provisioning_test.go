package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

func queueFull(t *testing.T, s *store.Store, kind string) links.Operation {
	t.Helper()
	op, err := s.QueueOperation(context.Background(), links.NewOperation{Module: links.ModuleCPanel, Kind: kind, Spec: "{}", Supersede: true})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func TestOneLeaseHolderPerServerAcrossOperations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		first := queueFull(t, s, links.OpActivation)
		if first.ServersTotal != 1 {
			t.Fatalf("first = %+v", first)
		}
		a, err := s.ClaimTask(ctx, "A", time.Minute)
		if err != nil || a == nil || a.Task.ServerID != srv.ID || a.Operation.State != links.OpRunning {
			t.Fatalf("claim A = %+v, %v", a, err)
		}
		// Nothing else is due while A holds the task.
		if b, err := s.ClaimTask(ctx, "B", time.Minute); err != nil || b != nil {
			t.Fatalf("claim B = %+v, %v", b, err)
		}
		// A newer operation supersedes the first; its task on the same
		// server waits for A's server lease.
		second := queueFull(t, s, links.OpConfiguration)
		if b, err := s.ClaimTask(ctx, "B", time.Minute); err != nil || b != nil {
			t.Fatalf("claim B while A holds the server = %+v, %v", b, err)
		}
		// A's commit still lands and tells it that it was superseded.
		state, err := s.CommitProgress(ctx, links.TaskProgress{TaskID: a.Task.ID, OperationID: first.ID, Owner: "A", Cursor: 5, AccountsDone: 2,
			Entries: []links.LogEntry{{Level: links.LevelWarning, Message: "refused"}}})
		if err != nil || state != links.TaskSuperseded {
			t.Fatalf("commit A = %q, %v", state, err)
		}
		if err := s.ReleaseLease(ctx, a.Task.ID, srv.ID, "A", time.Now(), ""); err != nil {
			t.Fatal(err)
		}
		b, err := s.ClaimTask(ctx, "B", time.Minute)
		if err != nil || b == nil || b.Operation.ID != second.ID {
			t.Fatalf("claim B after release = %+v, %v", b, err)
		}
		op, _ := s.Operation(ctx, first.ID)
		if op.State != links.OpSuperseded || op.AccountsDone != 2 || op.Warnings != 1 || *op.SupersededBy != second.ID {
			t.Fatalf("first = %+v", op.Operation)
		}
		// A no longer holds anything: its writes are fenced off.
		if _, err := s.CommitProgress(ctx, links.TaskProgress{TaskID: b.Task.ID, OperationID: second.ID, Owner: "A", Cursor: 9}); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("commit by a stranger = %v", err)
		}
		if err := s.RenewLease(ctx, b.Task.ID, srv.ID, "A", time.Minute); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("renew by a stranger = %v", err)
		}
		if err := s.RenewLease(ctx, b.Task.ID, srv.ID, "B", time.Minute); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAnExpiredLeaseIsTakenOverFromItsCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		newServer(t, s, "cp1", "cp1.example.com", true)
		op := queueFull(t, s, links.OpActivation)
		a, err := s.ClaimTask(ctx, "A", 50*time.Millisecond)
		if err != nil || a == nil {
			t.Fatal(a, err)
		}
		if _, err := s.CommitProgress(ctx, links.TaskProgress{TaskID: a.Task.ID, OperationID: op.ID, Owner: "A", Checked: true, Supported: true, AccountsTotal: 10, Cursor: 42, AccountsDone: 3}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // past the expiry, even at MySQL's second precision
		b, err := s.ClaimTask(ctx, "B", time.Minute)
		if err != nil || b == nil || b.Task.ID != a.Task.ID || b.Task.Cursor != 42 || !b.Task.Checked || b.Task.AccountsDone != 3 {
			t.Fatalf("takeover = %+v, %v", b, err)
		}
		if _, err := s.CommitProgress(ctx, links.TaskProgress{TaskID: a.Task.ID, OperationID: op.ID, Owner: "A", Cursor: 50}); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("late commit by the old holder = %v", err)
		}
		if _, err := s.CommitProgress(ctx, links.TaskProgress{TaskID: b.Task.ID, OperationID: op.ID, Owner: "B", State: links.TaskDone}); err != nil {
			t.Fatal(err)
		}
		done, won, err := s.CompleteOperation(ctx, op.ID, func(links.Operation) []links.LogEntry {
			return []links.LogEntry{{Level: links.LevelDebug, Message: "end"}}
		})
		if err != nil || !won || done.State != links.OpCompleted || done.ServersDone != 1 || done.AccountsTotal != 10 {
			t.Fatalf("complete = %+v, %v, %v", done, won, err)
		}
		if _, won, _ := s.CompleteOperation(ctx, op.ID, nil); won {
			t.Fatal("completed twice")
		}
	})
}

func TestPurgeDropsOldFinishedOperations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		op := queueFull(t, s, links.OpRepair) // no server: no task
		if _, won, err := s.CompleteOperation(ctx, op.ID, func(links.Operation) []links.LogEntry {
			return []links.LogEntry{{Level: links.LevelNotice, Message: "no server"}}
		}); err != nil || !won {
			t.Fatal(won, err)
		}
		open := queueFull(t, s, links.OpActivation)
		if n, err := s.PurgeOperations(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("purge of nothing old = %d, %v", n, err)
		}
		if n, err := s.PurgeOperations(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("purge = %d, %v", n, err)
		}
		if _, err := s.Operation(ctx, op.ID); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("purged operation = %v", err)
		}
		if _, err := s.Operation(ctx, open.ID); err != nil {
			t.Fatalf("the open operation was purged: %v", err)
		}
	})
}

// TestCountersAreSummedFromTasks: commits touch only their task, the
// operation's counters are the sums, and the migration from the releases
// that kept the counters on the operation row neither loses nor doubles any.
func TestCountersAreSummedFromTasks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		newServer(t, s, "cp1", "cp1.example.com", true)
		newServer(t, s, "cp2", "cp2.example.com", true)
		op := queueFull(t, s, links.OpActivation)
		a, _ := s.ClaimTask(ctx, "A", time.Minute)
		b, _ := s.ClaimTask(ctx, "B", time.Minute)
		if a == nil || b == nil {
			t.Fatal("two tasks expected")
		}
		commit := func(p links.TaskProgress) {
			t.Helper()
			p.OperationID = op.ID
			if _, err := s.CommitProgress(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		warn := []links.LogEntry{{Level: links.LevelWarning, Message: "refused"}, {Level: links.LevelInfo, Message: "note"}}
		commit(links.TaskProgress{TaskID: a.Task.ID, Owner: "A", Checked: true, Supported: true, AccountsTotal: 10})
		commit(links.TaskProgress{TaskID: a.Task.ID, Owner: "A", Cursor: 9, AccountsDone: 9, AccountsFailed: 1, Entries: warn})
		commit(links.TaskProgress{TaskID: a.Task.ID, Owner: "A", State: links.TaskDone})
		commit(links.TaskProgress{TaskID: b.Task.ID, Owner: "B", Checked: true, Supported: true, AccountsTotal: 5})
		commit(links.TaskProgress{TaskID: b.Task.ID, Owner: "B", Cursor: 2, AccountsDone: 2})
		want := links.Operation{ServersTotal: 2, ServersDone: 1, ServersSupport: 2, AccountsTotal: 15, AccountsDone: 11, AccountsFailed: 1, Warnings: 1}
		check := func(when string, want links.Operation) {
			t.Helper()
			d, err := s.Operation(ctx, op.ID)
			if err != nil {
				t.Fatal(err)
			}
			latest, err := s.LatestOperation(ctx, links.ModuleCPanel)
			if err != nil {
				t.Fatal(err)
			}
			list, _, err := s.ListOperations(ctx, links.OperationFilter{Page: links.Page{Page: 1, PerPage: 10}})
			if err != nil || len(list) != 1 {
				t.Fatal(list, err)
			}
			for name, got := range map[string]links.Operation{"Operation": d.Operation, "LatestOperation": *latest, "ListOperations": list[0]} {
				g := links.Operation{ServersTotal: got.ServersTotal, ServersDone: got.ServersDone, ServersSupport: got.ServersSupport,
					AccountsTotal: got.AccountsTotal, AccountsDone: got.AccountsDone, AccountsFailed: got.AccountsFailed, Warnings: got.Warnings}
				if g != want {
					t.Errorf("%s: %s counters = %+v\nwant %+v", when, name, g, want)
				}
			}
		}
		check("before the migration", want)

		// Make it a database of the previous release: the operation row
		// holds every counter, the tasks lack the new columns.
		db, err := s.SQLDB()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			"UPDATE operations SET servers_done = 1, servers_supported = 2, accounts_total = 15, accounts_done = 11, accounts_failed = 1, warnings = 1",
			"ALTER TABLE server_tasks DROP COLUMN warnings",
			"ALTER TABLE server_tasks DROP COLUMN supported",
			"ALTER TABLE server_tasks DROP COLUMN in_op_totals",
			"DELETE FROM schema_migrations WHERE id = '2026112902_task_counters'",
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		check("after the migration", want)

		// The open task goes on under the new release.
		commit(links.TaskProgress{TaskID: b.Task.ID, Owner: "B", Cursor: 5, AccountsDone: 2, AccountsFailed: 1, Entries: warn})
		commit(links.TaskProgress{TaskID: b.Task.ID, Owner: "B", State: links.TaskDone})
		want.ServersDone, want.AccountsDone, want.AccountsFailed, want.Warnings = 2, 13, 2, 2
		check("after the open task finished", want)
		done, won, err := s.CompleteOperation(ctx, op.ID, nil)
		if err != nil || !won || done.AccountsDone != 13 || done.ServersDone != 2 || done.Warnings != 2 {
			t.Fatalf("complete = %+v, %v, %v", done, won, err)
		}
	})
}

// One call claims a task on each of several servers in one transaction,
// skipping the servers held; concurrent calls (several processes) never
// give one server to two holders, and together they claim every task.
func TestClaimTasksTakesSeveralServersAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const servers = 12
		for i := range servers {
			name := fmt.Sprintf("cp%02d", i)
			newServer(t, s, name, name+".example.com", true)
		}
		queueFull(t, s, links.OpActivation)
		held, err := s.ClaimTask(ctx, "H", time.Minute)
		if err != nil || held == nil {
			t.Fatalf("claim H = %+v, %v", held, err)
		}
		cts, err := s.ClaimTasks(ctx, []string{"A1", "A2", "A3"}, time.Minute)
		if err != nil || len(cts) != 3 {
			t.Fatalf("claim 3 = %d, %v", len(cts), err)
		}
		got := map[int64]string{held.Task.ServerID: "H"}
		for i, ct := range cts {
			if ct.Owner != fmt.Sprintf("A%d", i+1) || ct.Operation.State != links.OpRunning || ct.Task.ServerName == "" {
				t.Errorf("claim %d = owner %q, operation %s, server %q", i, ct.Owner, ct.Operation.State, ct.Task.ServerName)
			}
			// The claim reads the server's connection too, token opened.
			if c := ct.Conn; c == nil || c.ID != ct.Task.ServerID || c.Name != ct.Task.ServerName || c.APIToken != "TOKEN"+c.Name {
				t.Errorf("claim %d: connection %+v", i, c)
			}
			if prev, dup := got[ct.Task.ServerID]; dup {
				t.Errorf("server %d given to %s and %s", ct.Task.ServerID, prev, ct.Owner)
			}
			got[ct.Task.ServerID] = ct.Owner
		}

		// The other 8 servers, claimed by 4 concurrent calls asking for 4
		// each: every server once, nobody twice.
		var mu sync.Mutex
		var wg sync.WaitGroup
		for c := range 4 {
			wg.Go(func() {
				owners := []string{}
				for k := range 4 {
					owners = append(owners, fmt.Sprintf("P%d-%d", c, k))
				}
				cts, err := s.ClaimTasks(ctx, owners, time.Minute)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("concurrent claim %d: %v", c, err)
				}
				for _, ct := range cts {
					if prev, dup := got[ct.Task.ServerID]; dup {
						t.Errorf("server %d given to %s and %s", ct.Task.ServerID, prev, ct.Owner)
					}
					got[ct.Task.ServerID] = ct.Owner
				}
			})
		}
		wg.Wait()
		if len(got) != servers {
			t.Errorf("the concurrent calls claimed %d of the %d servers", len(got)-4, servers-4)
		}
		if rest, err := s.ClaimTasks(ctx, []string{"Z"}, time.Minute); err != nil || len(rest) != 0 {
			t.Errorf("a task left to claim: %d, %v", len(rest), err)
		}
	})
}

// The claims of a call are made together; what changed between the
// candidates' selection and the claim is honoured: a server whose lease was
// taken is reported held, a won server lease whose task was taken goes back,
// and the owners left over claim the next candidates.
func TestClaimsHonourLeasesTakenMeanwhile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var srvs []links.Server
		for i := range 4 {
			name := fmt.Sprintf("cp%d", i)
			srvs = append(srvs, newServer(t, s, name, name+".example.com", true))
		}
		op := queueFull(t, s, links.OpActivation)
		// Every server gets its lease row, free again after the release.
		cts, err := s.ClaimTasks(ctx, []string{"W0", "W1", "W2", "W3"}, time.Minute)
		if err != nil || len(cts) != 4 {
			t.Fatalf("first claims = %d, %v", len(cts), err)
		}
		tasks := make([][2]int64, 4)
		for _, ct := range cts {
			i := slices.IndexFunc(srvs, func(sv links.Server) bool { return sv.ID == ct.Task.ServerID })
			tasks[i] = [2]int64{ct.Task.ID, ct.Task.ServerID}
			if err := s.ReleaseLease(ctx, ct.Task.ID, ct.Task.ServerID, ct.Owner, time.Now(), ""); err != nil {
				t.Fatal(err)
			}
		}
		later := time.Now().Add(time.Hour)
		execSQL(t, s, "UPDATE server_leases SET owner = 'H', expires_at = ? WHERE server_id = ?", later, srvs[0].ID)
		execSQL(t, s, "UPDATE server_tasks SET lease_owner = 'X', lease_expires_at = ? WHERE id = ?", later, tasks[1][0])

		won, held, err := s.ClaimCandidates(ctx, tasks, []string{"A", "B"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[int64]string{tasks[2][0]: "A", tasks[3][0]: "B"}; !maps.Equal(won, want) || !slices.Equal(held, []int64{tasks[0][0]}) {
			t.Fatalf("claims = %v, held %v; want %v, held %v", won, held, want, tasks[0][0])
		}
		db, err := s.SQLDB()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.QueryContext(ctx, "SELECT server_id, lease_owner FROM server_tasks WHERE operation_id = ?", op.ID)
		if err != nil {
			t.Fatal(err)
		}
		owners := map[int64]string{}
		for rows.Next() {
			var id int64
			var owner string
			if err := rows.Scan(&id, &owner); err != nil {
				t.Fatal(err)
			}
			owners[id] = owner
		}
		_ = rows.Close()
		if owners[srvs[1].ID] != "X" || owners[srvs[2].ID] != "A" || owners[srvs[3].ID] != "B" || owners[srvs[0].ID] != "" {
			t.Errorf("task lease owners by server = %v", owners)
		}
		// The lease of the server whose task was taken went back: the
		// task's holder, or anyone once it is free, can have it.
		execSQL(t, s, "UPDATE server_tasks SET lease_owner = '', lease_expires_at = NULL WHERE id = ?", tasks[1][0])
		if won, _, err := s.ClaimCandidates(ctx, tasks[1:2], []string{"C"}, time.Minute); err != nil || won[tasks[1][0]] != "C" {
			t.Fatalf("claim of the freed server = %v, %v", won, err)
		}
	})
}

// Releasing an open task books a retry (attempts, last error, next attempt
// time); releasing a finished one only drops the lease.
func TestReleaseBooksARetryOnlyForAnOpenTask(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		op := queueFull(t, s, links.OpActivation)
		a, err := s.ClaimTask(ctx, "A", time.Minute)
		if err != nil || a == nil {
			t.Fatalf("claim A = %+v, %v", a, err)
		}
		if err := s.ReleaseLease(ctx, a.Task.ID, srv.ID, "A", time.Now().Add(time.Hour), "connection refused"); err != nil {
			t.Fatal(err)
		}
		d, _ := s.Operation(ctx, op.ID)
		if got := d.Servers[0]; got.Attempts != 1 || got.LastError != "connection refused" || got.State != links.TaskRunning {
			t.Fatalf("after a failed attempt: %+v", got)
		}
		if b, err := s.ClaimTask(ctx, "B", time.Minute); err != nil || b != nil {
			t.Fatalf("claimed before its retry time: %+v, %v", b, err)
		}
		if err := s.ReleaseLease(ctx, a.Task.ID, srv.ID, "A", time.Now(), "late"); err != nil {
			t.Fatal(err) // no longer the holder: nothing changes
		}
		if d, _ := s.Operation(ctx, op.ID); d.Servers[0].Attempts != 1 || d.Servers[0].LastError != "connection refused" {
			t.Fatalf("a stranger's release changed the task: %+v", d.Servers[0])
		}

		// Due again at once; finished, then released with an error: the
		// retry columns stay.
		second := queueFull(t, s, links.OpConfiguration)
		b, err := s.ClaimTask(ctx, "B", time.Minute)
		if err != nil || b == nil || b.Operation.ID != second.ID {
			t.Fatalf("claim B = %+v, %v", b, err)
		}
		if _, err := s.CommitProgress(ctx, links.TaskProgress{TaskID: b.Task.ID, OperationID: second.ID, Owner: "B", State: links.TaskDone}); err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseLease(ctx, b.Task.ID, srv.ID, "B", time.Now().Add(time.Hour), "ignored"); err != nil {
			t.Fatal(err)
		}
		d, _ = s.Operation(ctx, second.ID)
		if got := d.Servers[0]; got.Attempts != 0 || got.LastError != "" || got.State != links.TaskDone {
			t.Fatalf("a finished task after its release: %+v", got)
		}
		// Its server is free for the next holder.
		third := queueFull(t, s, links.OpConfiguration)
		if c, err := s.ClaimTask(ctx, "C", time.Minute); err != nil || c == nil || c.Operation.ID != third.ID {
			t.Fatalf("claim C = %+v, %v", c, err)
		}
	})
}
