package store_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// A batch's plain successes are written as one group; a row changed since
// it was read (bob) is neither overwritten nor counted, and the rows that
// still apply are counted, logged on the progress row and their rotations
// confirmed.
func TestGroupedBatchSkipsStaleRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "grp@acme.test")
		ids := map[string]int64{}
		for _, u := range []string{"alice", "bob", "carol", "dave"} {
			ids[u] = newService(t, s, c.ID, a.ID, u, links.ServiceActive).ID
		}
		op := queueFull(t, s, links.OpRepair)
		execSQL(t, s, "UPDATE link_states SET confirmed_fp = ?", links.ConfirmedRepair) // the mark, as the batches read it
		if ok, err := s.ClaimServer(ctx, a.ID, "me", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		task, _ := s.OpenTask(ctx, a.ID)
		execSQL(t, s, "UPDATE server_tasks SET state = 'running' WHERE id = ?", task.ID)
		execSQL(t, s, "UPDATE link_states SET confirmed_fp = 'fp:other' WHERE username = 'bob'")
		execSQL(t, s, "UPDATE link_credentials SET prev_token_hash = 'old', version = 1")
		batch := func(names ...string) links.BatchRecord {
			rec := links.BatchRecord{ServerID: a.ID, Owner: "me", TaskID: task.ID, OperationID: op.ID, Module: links.ModuleCPanel}
			for _, u := range names {
				rec.Updates = append(rec.Updates, links.LinkStateUpdate{Username: u, ReadFP: links.ConfirmedRepair, ConfirmedFP: "fp:1",
					Done: true, ServiceID: ids[u], CredVersion: 1})
			}
			return rec
		}
		if n, err := s.RecordBatch(ctx, time.Minute, batch("alice", "bob", "carol")); err != nil || n != 2 {
			t.Fatalf("RecordBatch = %d, %v; want 2 applied", n, err)
		}
		loc := page(t, s, a.ID)
		if loc["alice"].ConfirmedFP != "fp:1" || loc["carol"].ConfirmedFP != "fp:1" || loc["bob"].ConfirmedFP != "fp:other" ||
			loc["dave"].ConfirmedFP != links.ConfirmedRepair {
			t.Fatalf("locations = %+v", loc)
		}
		if n := queryInt(t, s, "SELECT accounts_done FROM server_tasks WHERE id = ?", task.ID); n != 2 {
			t.Fatalf("accounts done = %d, want 2", n)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM link_credentials WHERE prev_token_hash = 'old' AND prev_confirmed_at IS NULL"); n != 2 {
			t.Fatalf("%d rotations pending, want 2 (bob's and dave's)", n)
		}
		// A group that applies in full.
		execSQL(t, s, "UPDATE link_states SET confirmed_fp = ? WHERE username IN ('alice', 'carol')", links.ConfirmedRepair)
		if n, err := s.RecordBatch(ctx, time.Minute, batch("alice", "carol", "dave")); err != nil || n != 3 {
			t.Fatalf("RecordBatch = %d, %v; want 3 applied", n, err)
		}
		if n := queryInt(t, s, "SELECT accounts_done FROM server_tasks WHERE id = ?", task.ID); n != 5 {
			t.Fatalf("accounts done = %d, want 5", n)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM link_credentials WHERE prev_token_hash = 'old' AND prev_confirmed_at IS NULL"); n != 1 {
			t.Fatalf("%d rotations pending, want 1 (bob's)", n)
		}
	})
}

// Batches of one server recorded while a transaction of theirs is being
// written share the next transaction (one fence: the lease's counter moves
// once), and each is told how many of its own updates applied: a row
// changed since it was read (bob) makes the shared group apply in part, and
// the transaction is written again row by row.
func TestQueuedBatchesShareOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "queue@acme.test")
		ids := map[string]int64{}
		for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
			ids[u] = newService(t, s, c.ID, a.ID, u, links.ServiceActive).ID
		}
		op := queueFull(t, s, links.OpRepair)
		execSQL(t, s, "UPDATE link_states SET confirmed_fp = ?", links.ConfirmedRepair) // the mark, as the batches read it
		if ok, err := s.ClaimServer(ctx, a.ID, "me", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		task, _ := s.OpenTask(ctx, a.ID)
		execSQL(t, s, "UPDATE server_tasks SET state = 'running' WHERE id = ?", task.ID)
		execSQL(t, s, "UPDATE link_credentials SET prev_token_hash = 'old', version = 1")
		ok := func(u string) links.LinkStateUpdate {
			return links.LinkStateUpdate{Username: u, ReadFP: links.ConfirmedRepair, ConfirmedFP: "fp:1", Done: true, ServiceID: ids[u], CredVersion: 1}
		}
		next := time.Now().Add(time.Minute)
		refused := links.LogEntry{Level: links.LevelWarning, ServerID: &a.ID, Message: "dave refused"}
		refusal := links.LinkStateUpdate{Username: "dave", ReadFP: links.ConfirmedRepair, ConfirmedFP: links.ConfirmedRepair, Attempts: 1,
			NextAttemptAt: &next, LastError: "refused", Entry: &refused}
		rec := func(entries []links.LogEntry, us ...links.LinkStateUpdate) links.BatchRecord {
			return links.BatchRecord{ServerID: a.ID, Owner: "me", TaskID: task.ID, OperationID: op.ID, Module: links.ModuleCPanel,
				Updates: us, Entries: entries}
		}
		// record writes the batches while they queue, and returns how many
		// updates of each applied and how many transactions fenced them.
		record := func(recs ...links.BatchRecord) ([]int, int64) {
			fence := queryInt(t, s, "SELECT task_id FROM server_leases WHERE server_id = ?", a.ID)
			queued, write := s.HoldRecords(a.ID, "me")
			applied := make([]int, len(recs))
			errs := make([]error, len(recs))
			var wg sync.WaitGroup
			for i, r := range recs {
				wg.Go(func() { applied[i], errs[i] = s.RecordBatch(ctx, time.Minute, r) })
			}
			for queued() < len(recs) {
				runtime.Gosched()
			}
			write(ctx, time.Minute)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			return applied, queryInt(t, s, "SELECT task_id FROM server_leases WHERE server_id = ?", a.ID) - fence
		}

		execSQL(t, s, "UPDATE link_states SET confirmed_fp = 'fp:other' WHERE username = 'bob'")
		note := links.LogEntry{Level: links.LevelInfo, ServerID: &a.ID, Message: "a batch note"}
		applied, txs := record(rec(nil, ok("alice"), ok("bob")), rec(nil, ok("carol"), refusal), rec([]links.LogEntry{note}, ok("erin")))
		if applied[0] != 1 || applied[1] != 2 || applied[2] != 1 || txs != 1 {
			t.Fatalf("applied %v in %d transactions; want [1 2 1] in 1", applied, txs)
		}
		loc := page(t, s, a.ID)
		for u, want := range map[string]string{"alice": "fp:1", "bob": "fp:other", "carol": "fp:1", "dave": links.ConfirmedRepair, "erin": "fp:1"} {
			if loc[u].ConfirmedFP != want {
				t.Errorf("%s confirmed %q, want %q", u, loc[u].ConfirmedFP, want)
			}
		}
		if loc["dave"].Attempts != 1 || loc["dave"].NextAttemptAt == nil {
			t.Errorf("dave = %+v, want a backoff", loc["dave"])
		}
		if n := queryInt(t, s, "SELECT accounts_done FROM server_tasks WHERE id = ?", task.ID); n != 3 {
			t.Errorf("accounts done = %d, want 3", n)
		}
		if n := queryInt(t, s, "SELECT warnings FROM server_tasks WHERE id = ?", task.ID); n != 1 {
			t.Errorf("warnings = %d, want 1", n)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM log_entries WHERE message IN ('dave refused', 'a batch note')"); n != 2 {
			t.Errorf("%d entries logged, want 2", n)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM link_credentials WHERE prev_token_hash = 'old' AND prev_confirmed_at IS NULL"); n != 2 {
			t.Errorf("%d rotations pending, want 2 (bob's and dave's)", n)
		}

		// Nothing changed under them: the shared group applies in full.
		execSQL(t, s, "UPDATE link_states SET confirmed_fp = ? WHERE username IN ('alice', 'bob', 'carol')", links.ConfirmedRepair)
		applied, txs = record(rec(nil, ok("alice")), rec(nil, ok("bob"), ok("carol")))
		if applied[0] != 1 || applied[1] != 2 || txs != 1 {
			t.Fatalf("applied %v in %d transactions; want [1 2] in 1", applied, txs)
		}
		if n := queryInt(t, s, "SELECT accounts_done FROM server_tasks WHERE id = ?", task.ID); n != 6 {
			t.Errorf("accounts done = %d, want 6", n)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM link_credentials WHERE prev_token_hash = 'old' AND prev_confirmed_at IS NULL"); n != 1 {
			t.Errorf("%d rotations pending, want 1 (dave's)", n)
		}
	})
}
