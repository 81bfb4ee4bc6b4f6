package store_test

import (
	"context"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// A database of the release before the log filters gets the log's
// (operation, account) index, and none of the filter's indexes of then.
func TestUpgradeAddsTheLogFilterIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		dropIndex(t, s, "log_entries", "idx_log_entries_op_account")
		dropIndex(t, s, "log_entries", "idx_log_entries_module_account")
		execSQL(t, s, "DELETE FROM schema_migrations WHERE id IN ('2026120730_log_filters', '2026120920_log_accounts')")
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]bool{"idx_log_entries_op_account": true, "idx_log_entries_module_account": true,
			"idx_log_entries_op_service": false, "idx_services_username": false} {
			if hasIndex(t, s, name) != want {
				t.Errorf("after the upgrade: index %s there %v, want %v", name, !want, want)
			}
		}
	})
}

// The log's account filter finds the entries about an account whose
// service was deleted since (the entry names the account itself), and,
// after an upgrade, the entries written before it (they take their
// service's username); the former filter's indexes are dropped.
func TestTheLogAccountFilterOutlivesTheService(t *testing.T) {
	var opID int64
	upgradeEach(t, func(old *store.Store) {
		ctx := context.Background()
		srv := newServer(t, old, "cp1", "cp1.example.com", true)
		alice := newService(t, old, newClient(t, old, "log@acme.test").ID, srv.ID, "alice", links.ServiceActive)
		op, err := old.QueueOperation(ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRepair, Spec: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		opID = op.ID
		execSQL(t, old, "INSERT INTO log_entries (operation_id, module, time, level, server_id, service_id, account, message)"+
			" VALUES (?, 'cpanel', ?, 'debug', ?, ?, '', 'Pushed the links of account alice on server cp1.')",
			op.ID, op.CreatedAt, srv.ID, alice.ID)
		execSQL(t, old, "INSERT INTO log_entries (operation_id, module, time, level, server_id, service_id, account, message)"+
			" VALUES (?, 'cpanel', ?, 'debug', ?, NULL, 'bob', 'Removed the links of account bob on server cp1.')",
			op.ID, op.CreatedAt, srv.ID)
		dropIndex(t, old, "log_entries", "idx_log_entries_op_account")
		dropIndex(t, old, "log_entries", "idx_log_entries_module_account")
		execSQL(t, old, "ALTER TABLE log_entries DROP COLUMN account")
		execSQL(t, old, "CREATE INDEX idx_log_entries_op_service ON log_entries (operation_id, service_id)")
		execSQL(t, old, "CREATE INDEX idx_services_username ON services (username)")
		execSQL(t, old, "DELETE FROM schema_migrations WHERE id = '2026120920_log_accounts'")
	}, func(t *testing.T, s *store.Store) {
		if hasIndex(t, s, "idx_log_entries_op_service") || hasIndex(t, s, "idx_services_username") {
			t.Error("the former account filter's indexes are still there")
		}
		entries, total, err := s.ListLog(context.Background(), links.LogFilter{OperationID: opID, Account: "alice",
			Page: links.Page{Page: 1, PerPage: 10}})
		if err != nil || total != 1 || entries[0].Account != "alice" {
			t.Fatalf("alice's entries = %+v (%d, %v), want the one written before the upgrade", entries, total, err)
		}
		// An entry about an account no service owns (bob's removal, as
		// the engine writes it now) is found by its account.
		execSQL(t, s, "INSERT INTO log_entries (operation_id, module, time, level, server_id, service_id, account, message)"+
			" VALUES (?, 'cpanel', CURRENT_TIMESTAMP, 'debug', NULL, NULL, 'carol', 'Removed the links of account carol on server cp1.')", opID)
		for user, want := range map[string]int64{"carol": 1, "bob": 0, "dave": 0} {
			if _, total, err := s.ListLog(context.Background(), links.LogFilter{OperationID: opID, Account: user,
				Page: links.Page{Page: 1, PerPage: 10}}); err != nil || total != want {
				t.Errorf("%s: %d entries (%v), want %d", user, total, err, want)
			}
		}
		// An account's history spans the operations of its application.
		later, err := s.QueueOperation(context.Background(), links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpVerify, Spec: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		execSQL(t, s, "INSERT INTO log_entries (operation_id, module, time, level, server_id, service_id, account, message)"+
			" VALUES (?, 'cpanel', CURRENT_TIMESTAMP, 'warning', NULL, NULL, 'carol', 'Could not verify account carol.')", later.ID)
		history, total, err := s.ListLog(context.Background(), links.LogFilter{Module: links.ModuleCPanel, Account: "carol",
			Order: links.OrderOldest, Page: links.Page{Page: 1, PerPage: 10}})
		if err != nil || total != 2 || history[0].OperationID != opID || history[1].OperationID != later.ID {
			t.Errorf("carol's history = %+v (%d, %v), want an entry in each operation", history, total, err)
		}
	})
}

func dropIndex(t *testing.T, s *store.Store, table, name string) {
	t.Helper()
	if isMySQL(t, s) {
		execSQL(t, s, "ALTER TABLE "+table+" DROP INDEX "+name)
	} else {
		execSQL(t, s, "DROP INDEX "+name)
	}
	if hasIndex(t, s, name) {
		t.Fatalf("%s still there", name)
	}
}

func hasIndex(t *testing.T, s *store.Store, name string) bool {
	t.Helper()
	db, err := s.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?"
	if isMySQL(t, s) {
		q = "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = ?"
	}
	var n int
	if err := db.QueryRowContext(context.Background(), q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
