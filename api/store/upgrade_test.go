package store_test

import (
	"context"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// upgradeFromOperations makes s a database of the operations engine's
// release (before the reconciler) and migrates it again.
func upgradeFromOperations(t *testing.T, s *store.Store) {
	t.Helper()
	for _, q := range []string{
		"DROP TABLE link_states",
		"ALTER TABLE servers DROP COLUMN wanted_gen",
		"ALTER TABLE applications DROP COLUMN fingerprint",
		"DELETE FROM schema_migrations WHERE id = '2026120610_reconciler'",
	} {
		execSQL(t, s, q)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The upgrade from the operations engine: every service with a username gets
// a '?legacy' location; the first start confirms them when the module's
// last operation completed cleanly, else they stay out of date.
func TestUpgradeSettlesLegacyLocations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "up@acme.test")
		newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		newService(t, s, c.ID, a.ID, "bob", links.ServiceTerminated)
		upgradeFromOperations(t, s)
		for _, l := range page(t, s, a.ID) {
			if l.ConfirmedFP != links.ConfirmedLegacy || l.ServiceID == nil {
				t.Fatalf("migrated location = %+v", l)
			}
		}
		if w, _, _ := gens(t, s, a.ID); w != 1 {
			t.Fatalf("wanted gen after the migration = %d, want due once", w)
		}
		// The last activation did not complete: pushed again.
		op := queueFull(t, s, links.OpActivation)
		if err := s.InitApplication(ctx, links.ModuleCPanel, "fpA", "fpA:1"); err != nil {
			t.Fatal(err)
		}
		if l := page(t, s, a.ID)["alice"]; l.ConfirmedFP != links.ConfirmedLegacy {
			t.Fatalf("after an unfinished activation: %+v", l)
		}
		execSQL(t, s, "UPDATE server_tasks SET state = 'done'")
		if _, won, err := s.CompleteOperation(ctx, op.ID, nil); err != nil || !won {
			t.Fatal(won, err)
		}
		if err := s.InitApplication(ctx, links.ModuleCPanel, "fpA", "fpA:1"); err != nil {
			t.Fatal(err)
		}
		loc := page(t, s, a.ID)
		if loc["alice"].ConfirmedFP != "fpA:1" || loc["bob"].ConfirmedFP != "" {
			t.Fatalf("after a clean activation: %+v", loc)
		}
		// A configuration changed between two starts wakes the servers.
		w, _, _ := gens(t, s, a.ID)
		if err := s.InitApplication(ctx, links.ModuleCPanel, "fpB", "fpB:1"); err != nil {
			t.Fatal(err)
		}
		if w2, _, _ := gens(t, s, a.ID); w2 != w+1 {
			t.Fatalf("wanted gen %d after a new fingerprint, want %d", w2, w+1)
		}
	})
}
