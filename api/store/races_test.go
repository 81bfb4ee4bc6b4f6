package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// Races that only MariaDB can show: a plain read inside a transaction sees
// the snapshot taken at its first plain read, not what another transaction
// committed since. Each test holds a change in a transaction of its own,
// runs a store method, and commits the change once the method waits for
// its locks (or has returned: the method then read around the change).

// onMariaDB runs fn on a fresh MariaDB database; skipped without one.
func onMariaDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range storetest.Dialects() {
		if d == store.DialectMySQL {
			fn(t, storetest.New(t, d))
			return
		}
	}
	t.Skip(storetest.MySQLEnv + " is not set")
}

// commitAround runs call while another transaction holds the change of
// hold (uncommitted), commits the change once call waits for a row lock of
// this database or has returned, and returns call's error.
func commitAround(t *testing.T, s *store.Store, hold string, args []any, call func() error) error {
	t.Helper()
	ctx := context.Background()
	db, err := s.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, hold, args...); err != nil {
		_ = tx.Rollback()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- call() }()
	var callErr error
	returned := false
	for deadline := time.Now().Add(20 * time.Second); !returned && lockWaits(t, db) == 0; {
		select {
		case callErr = <-done:
			returned = true
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = tx.Rollback()
			t.Fatal("the call neither waited for a lock nor returned")
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if !returned {
		callErr = <-done
	}
	return callErr
}

// lockWaits counts the statements on this database, other than this
// one, that have run for more than 100 ms: here, waiting for a lock
// (MariaDB's InnoDB status does not always say so).
func lockWaits(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()" +
		" AND COMMAND = 'Query' AND TIME_MS > 100").Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// An enable that read a server as active just before its deactivation
// committed opens no progress row on it: the row would never end (an
// inactive server is never worked), and the operation would stay open.
func TestAServerDeactivatedDuringAnEnableGetsNoProgressRow(t *testing.T) {
	onMariaDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		b := newServer(t, s, "cp2", "cp2.example.com", true)
		var op links.Operation
		err := commitAround(t, s, "UPDATE servers SET active = 0 WHERE id = ?", []any{b.ID}, func() error {
			var err error
			op, err = s.SetApplicationEnabled(ctx, links.ModuleCPanel, true, links.NewOperation{Module: links.ModuleCPanel,
				Kind: links.OpActivation, Spec: "{}", Supersede: true, Fingerprint: "fpA"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rows := queryInt(t, s, "SELECT COUNT(*) FROM server_tasks WHERE operation_id = ? AND server_id = ?", op.ID, b.ID)
		if op.ServersTotal != 1 || rows != 0 {
			t.Fatalf("the enable counts %d servers and opened %d progress rows on the deactivated one; want %d (cp1 only), none",
				op.ServersTotal, rows, a.ID)
		}
	})
}

// Two Full Administrators deactivating each other at the same time leave
// one of them active: the second change is refused.
func TestTheLastFullAdministratorStaysWhateverTheOrder(t *testing.T) {
	onMariaDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		full, err := s.EnsureFullAdministrator(ctx)
		if err != nil {
			t.Fatal(err)
		}
		x, err := s.CreateAdmin(ctx, "x@acme.test", "X", "hash", full.ID)
		if err != nil {
			t.Fatal(err)
		}
		y, err := s.CreateAdmin(ctx, "y@acme.test", "Y", "hash", full.ID)
		if err != nil {
			t.Fatal(err)
		}
		off := false
		err = commitAround(t, s, "UPDATE admins SET active = 0 WHERE id = ?", []any{x.ID}, func() error {
			_, err := s.UpdateAdmin(ctx, y.ID, links.AdminPatch{Active: &off})
			return err
		})
		var lerr *links.Error
		if !errors.As(err, &lerr) || lerr.Code != links.ECONFLICT {
			t.Fatalf("deactivating the other one: %v, want a conflict", err)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM admins WHERE active = 1"); n != 1 {
			t.Fatalf("%d active Full Administrators, want 1", n)
		}
	})
}

// A service changed by another transaction while an update reads it is
// changed from what that transaction committed: the update names the
// server the service was moved to as its "before" (a stale copy left the
// old location and woke the wrong server).
func TestAServiceUpdateStartsFromTheLatestRow(t *testing.T) {
	onMariaDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		b := newServer(t, s, "cp2", "cp2.example.com", true)
		c := newServer(t, s, "cp3", "cp3.example.com", true)
		svc := newService(t, s, newClient(t, s, "move@acme.test").ID, a.ID, "mover", links.ServiceActive)
		var before links.Service
		err := commitAround(t, s, "UPDATE services SET server_id = ? WHERE id = ?", []any{c.ID, svc.ID}, func() error {
			var err error
			before, _, err = s.UpdateService(ctx, svc.ID, links.ServicePatch{ServerID: &b.ID})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if before.ServerID != c.ID {
			t.Fatalf("the update started from the service on server %d, want %d (where it was moved)", before.ServerID, c.ID)
		}
	})
}
