package store_test

import (
	"context"
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
