package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
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

func newService(t *testing.T, s *store.Store, clientID, serverID int64, username, status string) links.Service {
	t.Helper()
	svc, err := s.CreateService(context.Background(), links.ServiceInput{ClientID: clientID, ServerID: serverID, Username: username, Domain: "acme.test", Status: status})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func serviceIDs(accts []links.PushAccount) []int64 {
	ids := make([]int64, len(accts))
	for i, a := range accts {
		ids[i] = a.ServiceID
	}
	return ids
}

// The qualifying accounts of a server: Active or Suspended, with a
// username, on an active server; in id order after the cursor, up to the
// limit, with their credentials unsealed.
func TestPushAccountsQualifyingAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		other := newServer(t, s, "cp2", "cp2.example.com", true)
		c := newClient(t, s, "push@acme.test")
		var want []int64
		add := func(username, status string, qualifies bool) links.Service {
			svc := newService(t, s, c.ID, srv.ID, username, status)
			if qualifies {
				want = append(want, svc.ID)
			}
			return svc
		}
		add("acta", links.ServiceActive, true)
		add("pend", links.ServicePending, false)
		add("susp", links.ServiceSuspended, true)
		add("term", links.ServiceTerminated, false)
		add("canc", links.ServiceCancelled, false)
		add("", links.ServicePending, false)
		noName := add("noname", links.ServiceActive, false)
		execSQL(t, s, "UPDATE services SET username = NULL WHERE id = ?", noName.ID)
		emptyName := add("empty", links.ServiceSuspended, false)
		execSQL(t, s, "UPDATE services SET username = '' WHERE id = ?", emptyName.ID)
		add("actb", links.ServiceActive, true)
		onOther := newService(t, s, c.ID, other.ID, "elsewhere", links.ServiceActive)
		add("actc", links.ServiceActive, true)

		all, err := s.PushAccounts(ctx, srv.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got := serviceIDs(all); !slices.Equal(got, want) {
			t.Fatalf("PushAccounts = %v, want %v", got, want)
		}
		db, err := s.SQLDB()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all {
			var username, sub, hash string
			err := db.QueryRowContext(ctx, `SELECT s.username, c.subscriber_unique_id, c.token_hash FROM services s
				JOIN link_credentials c ON c.service_id = s.id WHERE s.id = ?`, a.ServiceID).Scan(&username, &sub, &hash)
			if err != nil {
				t.Fatal(err)
			}
			cr := a.Creds
			if a.Username != username || cr.Username != username || cr.ServiceID != a.ServiceID || cr.SubscriberUniqueID != sub ||
				cr.Token == "" || secret.Hash(cr.Token) != hash {
				t.Errorf("account %d = %+v; want username %q, subscriber %q and the token of hash %s", a.ServiceID, a, username, sub, hash)
			}
		}
		if n, err := s.CountPushAccounts(ctx, srv.ID); err != nil || n != len(want) {
			t.Fatalf("CountPushAccounts = %d, %v; want %d", n, err, len(want))
		}

		// The cursor and the limit.
		var pages [][]int64
		for cursor := int64(0); ; {
			page, err := s.PushAccounts(ctx, srv.ID, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			pages = append(pages, serviceIDs(page))
			cursor = page[len(page)-1].ServiceID
		}
		if fmt.Sprint(pages) != fmt.Sprint([][]int64{want[:2], want[2:]}) {
			t.Fatalf("pages of 2 = %v, want %v", pages, want)
		}
		if got, err := s.PushAccounts(ctx, srv.ID, want[0], 100); err != nil || !slices.Equal(serviceIDs(got), want[1:]) {
			t.Fatalf("after %d = %v, %v", want[0], serviceIDs(got), err)
		}
		if got, err := s.PushAccounts(ctx, srv.ID, want[0]-1, 1); err != nil || !slices.Equal(serviceIDs(got), want[:1]) {
			t.Fatalf("after %d, limit 1 = %v, %v", want[0]-1, serviceIDs(got), err)
		}
		if got, err := s.PushAccounts(ctx, srv.ID, want[len(want)-1], 100); err != nil || len(got) != 0 {
			t.Fatalf("after the last = %v, %v", serviceIDs(got), err)
		}
		if got, err := s.PushAccounts(ctx, srv.ID, 0, 0); err != nil || len(got) != 0 {
			t.Fatalf("limit 0 = %v, %v", serviceIDs(got), err)
		}
		if got, err := s.PushAccounts(ctx, srv.ID, 0, -1); err != nil || !slices.Equal(serviceIDs(got), want) {
			t.Fatalf("no limit = %v, %v", serviceIDs(got), err)
		}
		if got, err := s.PushAccounts(ctx, other.ID, 0, 100); err != nil || !slices.Equal(serviceIDs(got), []int64{onOther.ID}) {
			t.Fatalf("the other server = %v, %v", serviceIDs(got), err)
		}

		// One account.
		for _, id := range want {
			a, err := s.PushAccount(ctx, srv.ID, id)
			if err != nil || a == nil || a.ServiceID != id || a.Creds.Token == "" {
				t.Fatalf("PushAccount(%d) = %+v, %v", id, a, err)
			}
			if i := slices.IndexFunc(all, func(b links.PushAccount) bool { return b.ServiceID == id }); *a != all[i] {
				t.Errorf("PushAccount(%d) = %+v, PushAccounts had %+v", id, *a, all[i])
			}
		}
		for _, id := range []int64{noName.ID, emptyName.ID, want[len(want)-1] + 100} {
			if a, err := s.PushAccount(ctx, srv.ID, id); err != nil || a != nil {
				t.Fatalf("PushAccount(%d) of an account that does not qualify = %+v, %v", id, a, err)
			}
		}
		if a, err := s.PushAccount(ctx, srv.ID, onOther.ID); err != nil || a != nil {
			t.Fatalf("PushAccount of another server's account = %+v, %v", a, err)
		}

		// An inactive server has none.
		if _, err := s.UpdateServer(ctx, srv.ID, links.ServerPatch{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.PushAccounts(ctx, srv.ID, 0, 100); err != nil || len(got) != 0 {
			t.Fatalf("inactive server = %v, %v", serviceIDs(got), err)
		}
		if a, err := s.PushAccount(ctx, srv.ID, want[0]); err != nil || a != nil {
			t.Fatalf("PushAccount on an inactive server = %+v, %v", a, err)
		}
		if n, err := s.CountPushAccounts(ctx, srv.ID); err != nil || n != 0 {
			t.Fatalf("CountPushAccounts of an inactive server = %d, %v", n, err)
		}
	})
}

// A link token that does not open fails the read, naming its service.
func TestPushAccountsTamperedToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "tamper@acme.test")
		svc := newService(t, s, c.ID, srv.ID, "acme", links.ServiceActive)
		execSQL(t, s, "UPDATE link_credentials SET token_enc = 'garbage' WHERE service_id = ?", svc.ID)
		want := fmt.Sprintf("open the link token of service %d", svc.ID)
		if got, err := s.PushAccounts(ctx, srv.ID, 0, 10); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("PushAccounts = %v, %v", got, err)
		}
		if got, err := s.PushAccount(ctx, srv.ID, svc.ID); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("PushAccount = %v, %v", got, err)
		}
	})
}

func sameID(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// claimOne queues an operation on one new server and claims its task as A.
func claimOne(t *testing.T, s *store.Store) (links.Operation, *links.ClaimedTask) {
	t.Helper()
	newServer(t, s, "cp1", "cp1.example.com", true)
	op := queueFull(t, s, links.OpActivation)
	ct, err := s.ClaimTask(context.Background(), "A", time.Minute)
	if err != nil || ct == nil {
		t.Fatalf("claim = %+v, %v", ct, err)
	}
	return op, ct
}

// Each field of a progress commit lands on the task, and only when set.
func TestCommitProgressFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		op, ct := claimOne(t, s)
		task := func() links.ServerTask {
			t.Helper()
			d, err := s.Operation(ctx, op.ID)
			if err != nil || len(d.Servers) != 1 {
				t.Fatal(d, err)
			}
			return d.Servers[0]
		}
		commit := func(p links.TaskProgress) string {
			t.Helper()
			p.TaskID, p.OperationID, p.Owner = ct.Task.ID, op.ID, "A"
			state, err := s.CommitProgress(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			return state
		}
		if st := commit(links.TaskProgress{Checked: true, Supported: false, AccountsTotal: 7}); st != links.TaskRunning {
			t.Fatalf("state = %q", st)
		}
		if got := task(); !got.Checked || got.AccountsTotal != 7 || got.Cursor != 0 || got.State != links.TaskRunning || got.FinishedAt != nil {
			t.Fatalf("after the check: %+v", got)
		}
		if d, _ := s.Operation(ctx, op.ID); d.ServersSupport != 0 {
			t.Fatalf("unsupported counted as supported: %+v", d.Operation)
		}
		commit(links.TaskProgress{Cursor: 40, AccountsDone: 3, AccountsFailed: 2})
		commit(links.TaskProgress{AccountsDone: 1}) // no cursor: it stays
		if got := task(); got.Cursor != 40 || got.AccountsDone != 4 || got.AccountsFailed != 2 || got.AccountsTotal != 7 || !got.Checked {
			t.Fatalf("after the batches: %+v", got)
		}
		long := strings.Repeat("é", 1500) // 3000 bytes: cut at 2000
		if st := commit(links.TaskProgress{State: links.TaskFailed, LastError: long}); st != links.TaskFailed {
			t.Fatalf("final state = %q", st)
		}
		got := task()
		if got.State != links.TaskFailed || got.FinishedAt == nil || got.LastError != long[:2000] || got.AccountsDone != 4 || got.Cursor != 40 {
			t.Fatalf("after the end: state %q, finished %v, last error of %d bytes, %+v", got.State, got.FinishedAt, len(got.LastError), got)
		}
	})
}

// A commit's entries go to the log with its counters: the module read from
// the operation when the caller has none, the entry's time or the commit's,
// the server and service ids or none; more than one INSERT's worth of them.
func TestCommitProgressEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		op, ct := claimOne(t, s)
		at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		sid := int64(99)
		entries := []links.LogEntry{
			{Level: links.LevelWarning, ServerID: &ct.Task.ServerID, ServiceID: &sid, Message: "refused"},
			{Level: links.LevelInfo, Time: at, Message: "note"},
		}
		for i := range 128 {
			entries = append(entries, links.LogEntry{Level: links.LevelWarning, ServerID: &ct.Task.ServerID, Message: fmt.Sprintf("w%03d", i)})
		}
		before := time.Now().Add(-time.Second)
		state, err := s.CommitProgress(ctx, links.TaskProgress{TaskID: ct.Task.ID, OperationID: op.ID, Owner: "A", Cursor: 5, AccountsDone: 1, Entries: entries})
		if err != nil || state != links.TaskRunning {
			t.Fatalf("commit = %q, %v", state, err)
		}
		log, total, err := s.ListLog(ctx, links.LogFilter{OperationID: op.ID, Page: links.Page{Page: 1, PerPage: 500}})
		if err != nil || total != int64(len(entries)) || len(log) != len(entries) {
			t.Fatalf("log = %d of %d, %v; want %d", len(log), total, err, len(entries))
		}
		for i, e := range log {
			w := entries[i]
			if e.OperationID != op.ID || e.Module != links.ModuleCPanel || e.Level != w.Level || e.Message != w.Message ||
				!sameID(e.ServerID, w.ServerID) || !sameID(e.ServiceID, w.ServiceID) {
				t.Errorf("entry %d = %+v, want %+v", i, e, w)
			}
		}
		if !log[1].Time.Equal(at) {
			t.Errorf("an entry's own time: %v, want %v", log[1].Time, at)
		}
		if log[0].Time.Before(before) || log[0].Time.After(time.Now().Add(time.Second)) {
			t.Errorf("an entry without a time: %v, want the commit's", log[0].Time)
		}
		d, _ := s.Operation(ctx, op.ID)
		if d.Warnings != 129 || d.Servers[0].Cursor != 5 || d.Servers[0].AccountsDone != 1 {
			t.Fatalf("after the commit: warnings %d, %+v", d.Warnings, d.Servers[0])
		}

		// An operation that is gone: its module cannot be read.
		if _, err := s.CommitProgress(ctx, links.TaskProgress{TaskID: ct.Task.ID, OperationID: op.ID + 1000, Owner: "A",
			Entries: []links.LogEntry{{Level: links.LevelInfo, Message: "x"}}}); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("commit for a missing operation = %v", err)
		}
	})
}

// A commit is atomic: when its log entries cannot be written, its counters
// are not either, and the store goes on (the writer is free again). A
// commit by a worker that lost the lease writes nothing.
func TestCommitProgressIsAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		op, ct := claimOne(t, s)
		if s.Dialect() == store.DialectMySQL {
			execSQL(t, s, `CREATE TRIGGER refuse_boom BEFORE INSERT ON log_entries FOR EACH ROW
				BEGIN IF NEW.message = 'boom' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END IF; END`)
		} else {
			execSQL(t, s, `CREATE TRIGGER refuse_boom BEFORE INSERT ON log_entries WHEN NEW.message = 'boom'
				BEGIN SELECT RAISE(ABORT, 'boom'); END`)
		}
		bad := links.TaskProgress{TaskID: ct.Task.ID, OperationID: op.ID, Module: op.Module, Owner: "A", Cursor: 9, AccountsDone: 3, AccountsFailed: 1,
			Entries: []links.LogEntry{{Level: links.LevelWarning, Message: "fine"}, {Level: links.LevelWarning, Message: "boom"}}}
		if _, err := s.CommitProgress(ctx, bad); err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("commit with a refused entry = %v", err)
		}
		check := func(cursor int64, done, warnings int, logged int64) {
			t.Helper()
			d, err := s.Operation(ctx, op.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, n, err := s.ListLog(ctx, links.LogFilter{OperationID: op.ID, Page: links.Page{Page: 1, PerPage: 10}})
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Servers[0]; got.Cursor != cursor || got.AccountsDone != done || d.Warnings != warnings || n != logged {
				t.Fatalf("cursor %d, done %d, warnings %d, %d log entries; want %d, %d, %d, %d",
					got.Cursor, got.AccountsDone, d.Warnings, n, cursor, done, warnings, logged)
			}
		}
		check(0, 0, 0, 0)

		good := bad
		good.Entries = bad.Entries[:1]
		if state, err := s.CommitProgress(ctx, good); err != nil || state != links.TaskRunning {
			t.Fatalf("commit after the failed one = %q, %v", state, err)
		}
		check(9, 3, 1, 1)

		stranger := good
		stranger.Owner, stranger.Cursor = "B", 20
		if _, err := s.CommitProgress(ctx, stranger); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("commit by a stranger = %v", err)
		}
		stranger.Entries = nil
		if _, err := s.CommitProgress(ctx, stranger); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("commit by a stranger without entries = %v", err)
		}
		check(9, 3, 1, 1)
	})
}

// A progress commit carrying a support check records it on the server in
// the same transaction: not at all when the commit fails.
func TestCommitProgressRecordsTheCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		op, ct := claimOne(t, s)
		server := func() links.Server {
			t.Helper()
			srv, err := s.Server(ctx, ct.Task.ServerID)
			if err != nil {
				t.Fatal(err)
			}
			return srv
		}
		if srv := server(); srv.CheckedAt != nil || srv.SupportsLinks != nil {
			t.Fatalf("a new server is checked: %+v", srv)
		}
		execSQL(t, s, "UPDATE server_tasks SET lease_owner = 'B' WHERE id = "+strconv.FormatInt(ct.Task.ID, 10))
		at := time.Now().Add(-time.Minute).Truncate(time.Second)
		p := links.TaskProgress{TaskID: ct.Task.ID, OperationID: op.ID, Module: op.Module, Owner: "A", Checked: true, Supported: true, AccountsTotal: 2,
			Check: &links.ServerCheck{ServerID: ct.Task.ServerID, Support: links.Support{Supported: true, Version: "11.120.0.1", Profile: "DEFAULT"}, At: at}}
		if _, err := s.CommitProgress(ctx, p); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("commit by a stranger = %v", err)
		}
		if srv := server(); srv.CheckedAt != nil || srv.SupportsLinks != nil || srv.Version != "" {
			t.Fatalf("a refused commit recorded its check: %+v", srv)
		}
		execSQL(t, s, "UPDATE server_tasks SET lease_owner = 'A' WHERE id = "+strconv.FormatInt(ct.Task.ID, 10))
		if _, err := s.CommitProgress(ctx, p); err != nil {
			t.Fatal(err)
		}
		srv := server()
		if srv.SupportsLinks == nil || !*srv.SupportsLinks || srv.Version != "11.120.0.1" || srv.Profile != "DEFAULT" ||
			srv.CheckedAt == nil || !srv.CheckedAt.Equal(at) {
			t.Fatalf("server after the check = %+v", srv)
		}
	})
}

// A final commit that releases gives the task's lease and its server's up
// in the same transaction; by a stranger, nothing.
func TestFinalCommitReleasesTheLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		op, ct := claimOne(t, s)
		leases := func() (task, server string) {
			t.Helper()
			db, err := s.SQLDB()
			if err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowContext(ctx, "SELECT lease_owner FROM server_tasks WHERE id = ?", ct.Task.ID).Scan(&task); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowContext(ctx, "SELECT owner FROM server_leases WHERE server_id = ?", ct.Task.ServerID).Scan(&server); err != nil {
				t.Fatal(err)
			}
			return task, server
		}
		if task, server := leases(); task != "A" || server != "A" {
			t.Fatalf("leases after the claim: task %q, server %q", task, server)
		}
		final := links.TaskProgress{TaskID: ct.Task.ID, OperationID: op.ID, Module: op.Module, Owner: "B", State: links.TaskDone, ReleaseServer: ct.Task.ServerID}
		if _, err := s.CommitProgress(ctx, final); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("final commit by a stranger = %v", err)
		}
		if task, server := leases(); task != "A" || server != "A" {
			t.Fatalf("leases after a stranger's commit: task %q, server %q", task, server)
		}
		final.Owner = "A"
		if state, err := s.CommitProgress(ctx, final); err != nil || state != links.TaskDone {
			t.Fatalf("final commit = %q, %v", state, err)
		}
		if task, server := leases(); task != "" || server != "" {
			t.Fatalf("leases after the final commit: task %q, server %q", task, server)
		}
		if next, err := s.ClaimTask(ctx, "C", time.Minute); err != nil || next != nil {
			t.Fatalf("the finished task was claimed again: %+v, %v", next, err)
		}
	})
}

// On SQLite the accounts are read through the read pool, beside a write in
// progress, and commits go through the one writer connection, after it.
func TestSQLiteReadsBesideTheWriter(t *testing.T) {
	s := storetest.New(t, store.DialectSQLite)
	ctx := context.Background()
	op, ct := claimOne(t, s)
	c := newClient(t, s, "pool@acme.test")
	svc := newService(t, s, c.ID, ct.Task.ServerID, "acme", links.ServiceActive)
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
	if got, err := s.PushAccounts(short, ct.Task.ServerID, 0, 10); err != nil || !slices.Equal(serviceIDs(got), []int64{svc.ID}) {
		t.Fatalf("PushAccounts beside a write = %v, %v", serviceIDs(got), err)
	}
	if a, err := s.PushAccount(short, ct.Task.ServerID, svc.ID); err != nil || a == nil {
		t.Fatalf("PushAccount beside a write = %v, %v", a, err)
	}
	if n, err := s.CountPushAccounts(short, ct.Task.ServerID); err != nil || n != 1 {
		t.Fatalf("CountPushAccounts beside a write = %d, %v", n, err)
	}
	p := links.TaskProgress{TaskID: ct.Task.ID, OperationID: op.ID, Owner: "A", Cursor: svc.ID, AccountsDone: 1}
	blocked, cancelBlocked := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelBlocked()
	if _, err := s.CommitProgress(blocked, p); err == nil {
		t.Fatal("a commit went past the writer's open transaction")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitProgress(ctx, p); err != nil {
		t.Fatal(err)
	}
}
