package store_test

import (
	"context"
	"testing"

	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// A database of the previous release gets the log filters' indexes.
func TestUpgradeAddsTheLogFilterIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		indexes := map[string]string{"idx_services_username": "services", "idx_log_entries_op_service": "log_entries"}
		for name, table := range indexes {
			if isMySQL(t, s) {
				execSQL(t, s, "ALTER TABLE "+table+" DROP INDEX "+name)
			} else {
				execSQL(t, s, "DROP INDEX "+name)
			}
			if hasIndex(t, s, name) {
				t.Fatalf("%s still there", name)
			}
		}
		execSQL(t, s, "DELETE FROM schema_migrations WHERE id = '2026120730_log_filters'")
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		for name := range indexes {
			if !hasIndex(t, s, name) {
				t.Errorf("%s missing after the upgrade", name)
			}
		}
	})
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
