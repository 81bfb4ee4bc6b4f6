package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

func execSQL(t *testing.T, s *store.Store, q string, args ...any) {
	t.Helper()
	db, err := s.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func queryInt(t *testing.T, s *store.Store, q string, args ...any) int64 {
	t.Helper()
	db, err := s.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func newService(t *testing.T, s *store.Store, clientID, serverID int64, username, status string) links.Service {
	t.Helper()
	svc, err := s.CreateService(context.Background(), links.ServiceInput{ClientID: clientID, ServerID: serverID, Username: username, Domain: "acme.test", Status: status})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func queueFull(t *testing.T, s *store.Store, kind string) links.Operation {
	t.Helper()
	op, err := s.QueueOperation(context.Background(), links.NewOperation{Module: links.ModuleCPanel, Kind: kind, Spec: "{}", Supersede: true})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// page returns the server's locations by username.
func page(t *testing.T, s *store.Store, serverID int64) map[string]links.LinkState {
	t.Helper()
	rows, err := s.LinkStatePage(context.Background(), links.Walk{ServerID: serverID}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]links.LinkState{}
	for _, r := range rows {
		out[r.Username] = r
	}
	return out
}

func gens(t *testing.T, s *store.Store, serverID int64) (wanted, done int64, wake *time.Time) {
	t.Helper()
	w, err := s.ServerWork(context.Background(), serverID)
	if err != nil {
		t.Fatal(err)
	}
	db, _ := s.SQLDB()
	var at sqlNullTime
	if err := db.QueryRow("SELECT wake_at FROM servers WHERE id = ?", serverID).Scan(&at); err != nil {
		t.Fatal(err)
	}
	if at.Valid {
		wake = &at.Time
	}
	return w.WantedGen, w.DoneGen, wake
}

// Service changes write their locations in the same transaction and wake
// the servers concerned after the coalescing window.
func TestLocationsFollowTheirServices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.SetLifecycleDelay(time.Minute)
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		b := newServer(t, s, "cp2", "cp2.example.com", true)
		c := newClient(t, s, "loc@acme.test")
		if w, d, wake := gens(t, s, a.ID); w != 1 || d != 0 || wake != nil {
			t.Fatalf("a new server: wanted %d done %d wake %v; want due at once", w, d, wake)
		}
		execSQL(t, s, "UPDATE servers SET done_gen = wanted_gen")
		svc := newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		newService(t, s, c.ID, a.ID, "", links.ServiceActive) // no username: no location
		loc := page(t, s, a.ID)
		if len(loc) != 1 || loc["alice"].ServiceID == nil || *loc["alice"].ServiceID != svc.ID || !loc["alice"].AtLocation() ||
			loc["alice"].SubscriberUniqueID == "" || loc["alice"].CredVersion != 1 {
			t.Fatalf("locations after create = %+v", loc)
		}
		w, d, wake := gens(t, s, a.ID)
		if w != 2 || d != 1 || wake == nil || time.Until(*wake) < 30*time.Second {
			t.Fatalf("after create: wanted %d done %d wake %v; want bumped, woken after the window", w, d, wake)
		}
		// A second change keeps the earlier wake-up.
		term := links.ServiceTerminated
		if _, _, err := s.UpdateService(ctx, svc.ID, links.ServicePatch{Status: &term}); err != nil {
			t.Fatal(err)
		}
		if w2, _, wake2 := gens(t, s, a.ID); w2 != 3 || !wake2.Equal(*wake) {
			t.Fatalf("after a status change: wanted %d wake %v, want 3 and %v", w2, wake2, wake)
		}
		// Moved: the old location is left (no owner), the new one taken.
		execSQL(t, s, "UPDATE link_states SET confirmed_fp = 'fp:1'")
		active := links.ServiceActive
		if _, _, err := s.UpdateService(ctx, svc.ID, links.ServicePatch{ServerID: &b.ID, Status: &active}); err != nil {
			t.Fatal(err)
		}
		if old := page(t, s, a.ID)["alice"]; old.ServiceID != nil || old.ConfirmedFP != "fp:1" {
			t.Fatalf("the old location = %+v, want unowned, still confirmed", old)
		}
		if nl := page(t, s, b.ID)["alice"]; nl.ServiceID == nil || *nl.ServiceID != svc.ID || nl.ConfirmedFP != "" || !nl.AtLocation() {
			t.Fatalf("the new location = %+v", nl)
		}
		if w, _, _ := gens(t, s, b.ID); w != 2 {
			t.Fatalf("the new server was not bumped: %d", w)
		}
		// Another service taking over a location that carries links:
		// those were pushed with another credential, it is out of date.
		bob := newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		if got := page(t, s, a.ID)["alice"]; got.ServiceID == nil || *got.ServiceID != bob.ID || !strings.HasPrefix(got.ConfirmedFP, links.ConfirmedOwner) {
			t.Fatalf("a location taken over = %+v", got)
		}
		// Renamed, then deleted: left behind each time.
		name := "alice2"
		if _, _, err := s.UpdateService(ctx, bob.ID, links.ServicePatch{Username: &name}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteService(ctx, svc.ID); err != nil {
			t.Fatal(err)
		}
		locA, locB := page(t, s, a.ID), page(t, s, b.ID)
		if locA["alice"].ServiceID != nil || locA["alice2"].ServiceID == nil || locB["alice"].ServiceID != nil || locB["alice"].AtLocation() {
			t.Fatalf("after rename and delete: %+v / %+v", locA, locB)
		}
	})
}

// sqlNullTime scans a nullable time.
type sqlNullTime struct {
	Time  time.Time
	Valid bool
}

func (n *sqlNullTime) Scan(v any) error {
	switch t := v.(type) {
	case nil:
		n.Valid = false
	case time.Time:
		n.Time, n.Valid = t, true
	default:
		return fmt.Errorf("unexpected %T", v)
	}
	return nil
}

// Enable, configure, disable and repair bump every active server of the
// module in the operation's transaction, each with a progress row; a
// repair marks every location out of date; failures are cleared.
func TestTriggersBumpGenerationsAndOpenProgressRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		off := newServer(t, s, "cp2", "cp2.example.com", false)
		c := newClient(t, s, "trig@acme.test")
		newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		newService(t, s, c.ID, a.ID, "bob", links.ServiceActive)
		execSQL(t, s, "UPDATE link_states SET confirmed_fp = 'fp:1', failed_fp = 'x', attempts = 4 WHERE username = 'bob'")
		before, _, _ := gens(t, s, a.ID)
		op, err := s.SetApplicationEnabled(ctx, links.ModuleCPanel, true, links.NewOperation{Module: links.ModuleCPanel,
			Kind: links.OpActivation, Spec: "{}", Supersede: true, Fingerprint: "fpA"})
		if err != nil {
			t.Fatal(err)
		}
		w, _, wake := gens(t, s, a.ID)
		if w != before+1 || wake == nil || op.ServersTotal != 1 {
			t.Fatalf("enable: wanted %d (was %d), wake %v, servers %d", w, before, wake, op.ServersTotal)
		}
		if w2, _, _ := gens(t, s, off.ID); w2 != 1 {
			t.Fatalf("the inactive server was bumped: %d", w2)
		}
		task, err := s.OpenTask(ctx, a.ID)
		if err != nil || task == nil || task.OperationID != op.ID || task.TargetGen != w || task.Checked || task.Kind != links.OpActivation {
			t.Fatalf("progress row = %+v, %v", task, err)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM applications WHERE fingerprint = 'fpA'"); n != 1 {
			t.Fatal("the fingerprint was not stored")
		}
		if bob := page(t, s, a.ID)["bob"]; bob.FailedFP != "" || bob.Attempts != 0 || bob.ConfirmedFP != "fp:1" {
			t.Fatalf("bob after enable = %+v, want its failure cleared", bob)
		}
		rep := queueFull(t, s, links.OpRepair)
		for _, l := range page(t, s, a.ID) {
			if !strings.HasPrefix(l.ConfirmedFP, links.ConfirmedRepair) {
				t.Fatalf("after a repair: %+v", l)
			}
		}
		old, err := s.Operation(ctx, op.ID)
		if err != nil || old.State != links.OpSuperseded || old.Servers[0].State != links.TaskSuperseded {
			t.Fatalf("the enable after a repair = %+v, %v", old, err)
		}
		if task, _ := s.OpenTask(ctx, a.ID); task == nil || task.OperationID != rep.ID || task.TargetGen != w+1 {
			t.Fatalf("progress row after the repair = %+v", task)
		}
	})
}

// One holder per server: concurrent claims never give one server to two
// owners; a lost lease fences every write; a due server is active, behind
// its generation and awake.
func TestDueServersAndOneLeaseHolder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		b := newServer(t, s, "cp2", "cp2.example.com", true)
		newServer(t, s, "cp3", "cp3.example.com", false)
		execSQL(t, s, "UPDATE servers SET wake_at = ? WHERE id = ?", time.Now().Add(time.Hour).UTC(), b.ID)
		due, err := s.DueServers(ctx, 10)
		if err != nil || len(due) != 1 || due[0] != a.ID {
			t.Fatalf("due = %v, %v; want only %d", due, err, a.ID)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var winners []string
		for i := range 8 {
			wg.Go(func() {
				owner := fmt.Sprintf("w%d", i)
				if ok, err := s.ClaimServer(ctx, a.ID, owner, time.Minute); err != nil {
					t.Error(err)
				} else if ok {
					mu.Lock()
					winners = append(winners, owner)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("winners = %v, want one", winners)
		}
		holder := winners[0]
		if due, err := s.DueServers(ctx, 10); err != nil || len(due) != 0 {
			t.Fatalf("due while leased = %v, %v; want none (a claim could only fail)", due, err)
		}
		if err := s.RenewServerLease(ctx, a.ID, holder, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.RenewServerLease(ctx, a.ID, "other", time.Minute); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("renew by another = %v", err)
		}
		// Expired: taken over, and the old holder's writes are refused.
		execSQL(t, s, "UPDATE server_leases SET expires_at = ? WHERE server_id = ?", time.Now().Add(-time.Minute).UTC(), a.ID)
		if due, err := s.DueServers(ctx, 10); err != nil || len(due) != 1 || due[0] != a.ID {
			t.Fatalf("due once the lease expired = %v, %v; want %d", due, err, a.ID)
		}
		if ok, err := s.ClaimServer(ctx, a.ID, "next", time.Minute); err != nil || !ok {
			t.Fatalf("takeover = %v, %v", ok, err)
		}
		w, _, _ := gens(t, s, a.ID)
		if _, err := s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: holder, DoneGen: w}); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("finish by the old holder = %v", err)
		}
		if _, d, _ := gens(t, s, a.ID); d != 0 {
			t.Fatal("a fenced write went through")
		}
		if _, err := s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "next", DoneGen: w}); err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseServer(ctx, a.ID, "next"); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.DueServers(ctx, 10); len(due) != 0 {
			t.Fatalf("due after the pass = %v", due)
		}
		if ok, err := s.ClaimServer(ctx, a.ID, "again", time.Minute); err != nil || !ok {
			t.Fatalf("claim after a release = %v, %v", ok, err)
		}
	})
}

// A batch's answers apply in one fenced transaction, each only while the
// location is as it was read; counters go to the open progress row.
func TestRecordBatchAppliesOnlyUnchangedLocations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "rec@acme.test")
		alice := newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		newService(t, s, c.ID, a.ID, "bob", links.ServiceActive)
		carol := newService(t, s, c.ID, a.ID, "carol", links.ServiceActive)
		dave := newService(t, s, c.ID, a.ID, "dave", links.ServiceActive)
		if _, err := s.DeleteService(ctx, dave.ID); err != nil {
			t.Fatal(err)
		}
		op := queueFull(t, s, links.OpActivation)
		if ok, err := s.ClaimServer(ctx, a.ID, "me", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		task, _ := s.OpenTask(ctx, a.ID)
		start := links.BatchRecord{ServerID: a.ID, Owner: "me", Step: &links.TaskStep{Task: *task, Start: true, Supported: true, AccountsTotal: 3}}
		if n, err := s.RecordBatch(ctx, time.Minute, start); err != nil || n != 1 {
			t.Fatal(n, err)
		}
		if n, _ := s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "me", Step: &links.TaskStep{Task: *task, Start: true}}); n != 0 {
			t.Fatal("a start was recorded twice")
		}
		queueFull(t, s, links.OpRepair)                                                 // bob's row changes under the batch
		execSQL(t, s, "UPDATE link_states SET confirmed_fp = ?", links.ConfirmedRepair) // the mark, as the batch read it
		execSQL(t, s, "UPDATE server_tasks SET state = 'running' WHERE id = ?", task.ID)
		next := time.Now().Add(time.Minute)
		warn := links.LogEntry{Level: links.LevelWarning, ServerID: &a.ID, ServiceID: &carol.ID, Message: "carol refused"}
		n, err := s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "me", TaskID: task.ID, OperationID: op.ID, Module: links.ModuleCPanel,
			Updates: []links.LinkStateUpdate{
				{Username: "alice", ReadFP: links.ConfirmedRepair, ConfirmedFP: "fp:1", Done: true},
				{Username: "bob", ReadFP: "", ConfirmedFP: "fp:1", Done: true}, // read before the repair
				{Username: "carol", ReadFP: links.ConfirmedRepair, ConfirmedFP: links.ConfirmedRepair, Attempts: 1, NextAttemptAt: &next, LastError: "refused", Entry: &warn},
				{Username: "dave", ReadFP: links.ConfirmedRepair, Delete: true},
			}})
		if err != nil || n != 3 {
			t.Fatalf("RecordBatch = %d, %v; want 3 applied", n, err)
		}
		loc := page(t, s, a.ID)
		if loc["alice"].ConfirmedFP != "fp:1" || loc["bob"].ConfirmedFP != links.ConfirmedRepair || loc["carol"].Attempts != 1 ||
			loc["carol"].NextAttemptAt == nil || len(loc) != 3 || *loc["alice"].ServiceID != alice.ID {
			t.Fatalf("locations = %+v", loc)
		}
		d, _ := s.Operation(ctx, op.ID)
		if d.Servers[0].AccountsDone != 1 || d.Servers[0].AccountsTotal != 3 {
			t.Fatalf("progress = %+v", d.Servers[0])
		}
		if c, err := s.ReconcileCounts(ctx, links.ModuleCPanel, "fp:"); err != nil || c.AccountsPending != 1 || c.AccountsFailed != 0 || c.ServersBehind != 1 {
			t.Fatalf("counts = %+v, %v", c, err)
		}
		// Another holder now: nothing of a batch is written.
		execSQL(t, s, "UPDATE server_leases SET owner = 'other'")
		_, err = s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "me", Updates: []links.LinkStateUpdate{
			{Username: "bob", ReadFP: links.ConfirmedRepair, ConfirmedFP: "fp:1", Done: true}}, Entries: []links.LogEntry{warn}, OperationID: op.ID})
		if !errors.Is(err, links.ErrLeaseLost) || page(t, s, a.ID)["bob"].ConfirmedFP != links.ConfirmedRepair {
			t.Fatalf("a batch without the lease = %v", err)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM log_entries WHERE message = 'carol refused'"); n != 1 {
			t.Fatalf("%d warnings logged, want 1", n)
		}
	})
}

func TestPurgeDropsOldFinishedOperations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		op := queueFull(t, s, links.OpRepair) // no server: no progress row
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

// On SQLite the locations are read through the read pool, beside a write in
// progress, and batch records go through the one writer connection, after it.
func TestSQLiteReadsBesideTheWriter(t *testing.T) {
	s := storetest.New(t, store.DialectSQLite)
	s.SetLifecycleDelay(0) // the new service's server is due at once
	ctx := context.Background()
	a := newServer(t, s, "cp1", "cp1.example.com", true)
	c := newClient(t, s, "pool@acme.test")
	newService(t, s, c.ID, a.ID, "acme", links.ServiceActive)
	b := newServer(t, s, "cp2", "cp2.example.com", true)
	newService(t, s, c.ID, b.ID, "bob", links.ServiceActive)
	if ok, err := s.ClaimServer(ctx, a.ID, "me", time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	writer, err := s.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := writer.BeginTx(ctx, nil) // holds the writer connection
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if got, err := s.LinkStatePage(short, links.Walk{ServerID: a.ID}, "", 10); err != nil || len(got) != 1 {
		t.Fatalf("LinkStatePage beside a write = %v, %v", got, err)
	}
	if due, err := s.DueServers(short, 10); err != nil || len(due) != 1 || due[0] != b.ID {
		t.Fatalf("DueServers beside a write = %v, %v; want the unleased %d", due, err, b.ID)
	}
	rec := links.BatchRecord{ServerID: a.ID, Owner: "me", Updates: []links.LinkStateUpdate{{Username: "acme", ConfirmedFP: "fp:1", Done: true}}}
	blocked, cancelBlocked := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelBlocked()
	if _, err := s.RecordBatch(blocked, time.Minute, rec); err == nil {
		t.Fatal("a record went past the writer's open transaction")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.RecordBatch(ctx, time.Minute, rec); err != nil || n != 1 {
		t.Fatal(n, err)
	}
}

// A server reached differently or reactivated is due at once (its support
// checked again); a deactivated one ends its open progress rows, so that
// their operations can complete.
func TestServerChangesWakeOrSkipTheServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		execSQL(t, s, "UPDATE servers SET done_gen = wanted_gen, supports_links = ?, checked_at = ?", true, time.Now().UTC())
		token := "NEWTOKEN"
		if _, err := s.UpdateServer(ctx, a.ID, links.ServerPatch{APIToken: &token}); err != nil {
			t.Fatal(err)
		}
		w, d, _ := gens(t, s, a.ID)
		if srv, _ := s.Server(ctx, a.ID); w != d+1 || srv.SupportsLinks != nil {
			t.Fatalf("after a new token: wanted %d done %d support %v; want due, support unknown", w, d, srv.SupportsLinks)
		}
		// The first check (from unknown) records; a change of support
		// (an upgrade) wakes the server, the same answer again does not.
		for i, c := range []struct {
			supported bool
			bump      int64
		}{{false, 0}, {false, 0}, {true, 1}, {true, 0}} {
			w0, _, _ := gens(t, s, a.ID)
			if err := s.SetServerSupport(ctx, a.ID, links.Support{Supported: c.supported, Version: "11.120"}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if w1, _, _ := gens(t, s, a.ID); w1 != w0+c.bump {
				t.Fatalf("check %d (supported %v): wanted %d -> %d, want +%d", i, c.supported, w0, w1, c.bump)
			}
		}
		w, _, _ = gens(t, s, a.ID)
		name := "cp1-renamed"
		if _, err := s.UpdateServer(ctx, a.ID, links.ServerPatch{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if w2, _, _ := gens(t, s, a.ID); w2 != w {
			t.Fatalf("a rename bumped the server: %d", w2)
		}
		op := queueFull(t, s, links.OpActivation)
		off, on := false, true
		if _, err := s.UpdateServer(ctx, a.ID, links.ServerPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		d2, err := s.Operation(ctx, op.ID)
		if err != nil || d2.Servers[0].State != links.TaskDone {
			t.Fatalf("progress row after a deactivation = %+v, %v", d2.Servers, err)
		}
		if ids, _ := s.FinishableOperations(ctx); len(ids) != 1 || ids[0] != op.ID {
			t.Fatalf("finishable = %v, want %d", ids, op.ID)
		}
		w3, _, _ := gens(t, s, a.ID)
		if _, err := s.UpdateServer(ctx, a.ID, links.ServerPatch{Active: &on}); err != nil {
			t.Fatal(err)
		}
		if w4, _, _ := gens(t, s, a.ID); w4 != w3+1 {
			t.Fatalf("a reactivation did not bump the server: %d -> %d", w3, w4)
		}
	})
}

// A server's give-ups in a row are stored with it (every process backs off
// the same), and a pass that ends resets them.
func TestGiveUpsCountUntilAPassEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		if ok, err := s.ClaimServer(ctx, a.ID, "me", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		later := time.Now().Add(time.Hour)
		for range 2 {
			if _, err := s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "me", GaveUp: true, WakeAt: &later}); err != nil {
				t.Fatal(err)
			}
		}
		w, err := s.ServerWork(ctx, a.ID)
		if err != nil || w.GiveUps != 2 || w.WakeAt == nil {
			t.Fatalf("after two give-ups: %d give-ups, wake %v, %v", w.GiveUps, w.WakeAt, err)
		}
		if _, err := s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "me", DoneGen: w.WantedGen}); err != nil {
			t.Fatal(err)
		}
		if w, err = s.ServerWork(ctx, a.ID); err != nil || w.GiveUps != 0 || w.DoneGen != w.WantedGen {
			t.Fatalf("after a pass ended: %d give-ups, done %d of %d, %v", w.GiveUps, w.DoneGen, w.WantedGen, err)
		}
	})
}

// The status counts judge each location in backoff or failed against its
// desired state, as the walk does: a retry time or a failure left by a
// refusal of an earlier desired state, on a location the panel has up to
// date, counts neither as pending nor as failed.
func TestStatusCountsJudgeLocationsByTheirDesiredState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "counts@acme.test")
		for _, u := range []string{"alice", "bob", "carol"} {
			newService(t, s, c.ID, a.ID, u, links.ServiceActive)
		}
		next := time.Now().Add(time.Minute).UTC()
		// alice is up to date at fp:1 with a stale retry time and failure,
		// bob failed at fp:1, carol waits for a retry of fp:1.
		execSQL(t, s, "UPDATE link_states SET confirmed_fp = 'fp:1', failed_fp = 'old:1', attempts = 4, next_attempt_at = ? WHERE username = 'alice'", next)
		execSQL(t, s, "UPDATE link_states SET failed_fp = 'fp:1', attempts = 4 WHERE username = 'bob'")
		execSQL(t, s, "UPDATE link_states SET attempts = 1, next_attempt_at = ? WHERE username = 'carol'", next)
		c1, err := s.ReconcileCounts(ctx, links.ModuleCPanel, "fp:")
		if err != nil || c1.AccountsPending != 1 || c1.AccountsFailed != 1 {
			t.Fatalf("counts = %+v, %v; want 1 pending (carol), 1 failed (bob)", c1, err)
		}
		// Configured anew (prefix fp2:): bob's failure is of the earlier
		// state, and alice is out of date and waits for her retry.
		if c2, err := s.ReconcileCounts(ctx, links.ModuleCPanel, "fp2:"); err != nil || c2.AccountsPending != 2 || c2.AccountsFailed != 0 {
			t.Fatalf("counts after a new configuration = %+v, %v; want 2 pending, 0 failed", c2, err)
		}
	})
}
