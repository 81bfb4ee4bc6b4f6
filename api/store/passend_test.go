package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// A pass's done generation drops the empty rows no service owns while a
// service creation is taking one over: the new service must keep a row.
func TestATakeOverKeepsItsRowWhenAPassDropsIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if s.Dialect() != store.DialectMySQL {
			t.Skip("SQLite serialises writers (_txlock=immediate)")
		}
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "race@acme.test")
		old := newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		if _, err := s.DeleteService(ctx, old.ID); err != nil { // alice: no owner, nothing confirmed
			t.Fatal(err)
		}
		if ok, err := s.ClaimServer(ctx, a.ID, "me", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		wanted, _, _ := gens(t, s, a.ID)
		id, err := store.TakeOverWithInterleave(ctx, s, c.ID, a.ID, "alice", a.Module, func() {
			if _, err := s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "me", DoneGen: wanted}); err != nil {
				t.Error(err)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		got, ok := page(t, s, a.ID)["alice"]
		if !ok || got.ServiceID == nil || *got.ServiceID != id {
			t.Fatalf("service %d has no location row after the take-over: %+v (present %v)", id, got, ok)
		}
	})
}

// A service change locks its location's row, then bumps its server (as
// followService: retryLocation, then bumpLater). A pass's done generation
// must not lock them in the other order (a deadlock on MariaDB, whose
// victim is the service change).
func TestAPassEndLocksLocationsBeforeItsServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if s.Dialect() != store.DialectMySQL {
			t.Skip("SQLite serialises writers")
		}
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "lock@acme.test")
		newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		if ok, err := s.ClaimServer(ctx, a.ID, "me", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		wanted, _, _ := gens(t, s, a.ID)
		db, _ := s.SQLDB()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Exec("UPDATE link_states SET failed_fp = '', attempts = 0 WHERE server_id = ? AND username = ?", a.ID, "alice"); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "me", DoneGen: wanted})
			done <- err
		}()
		time.Sleep(300 * time.Millisecond) // the record reaches its locks first (an order, not a timed assertion)
		_, errT1 := tx.Exec("UPDATE servers SET wanted_gen = wanted_gen + 1 WHERE id = ?", a.ID)
		if errT1 == nil {
			errT1 = tx.Commit()
		}
		errT2 := <-done
		if errT1 != nil || errT2 != nil {
			t.Fatalf("service change: %v; done generation: %v", errT1, errT2)
		}
	})
}
