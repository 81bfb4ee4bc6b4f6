package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// TestImportSpansChunks imports more accounts than one transaction
// takes, with accounts of one e-mail in different chunks: the dry run
// foresees what the real run (the job) does, and a second run changes
// nothing.
func TestImportSpansChunks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		var accts []links.PanelAccount
		for i := range 1100 {
			email := fmt.Sprintf("user%d@example.test", i)
			if i%550 == 7 { // accounts 7 and 557: one owner, two chunks
				email = "shared@example.test"
			}
			accts = append(accts, links.PanelAccount{Username: fmt.Sprintf("u%d", i), Domain: fmt.Sprintf("d%d.example.test", i),
				Email: email, Suspended: i%3 == 0})
		}
		dry, err := s.PreviewImport(ctx, srv.ID, accts)
		if err != nil {
			t.Fatal(err)
		}
		if _, total, _ := s.ListServices(ctx, links.ServiceFilter{}); total != 0 {
			t.Fatalf("the dry run wrote %d services", total)
		}
		got := fmt.Sprintf("%d %d %d %d %d %d rows=%d", dry.Accounts, dry.NewClients, dry.NewServices, dry.Updated, dry.Unchanged, dry.Conflicts, len(dry.Rows))
		if want := "1100 1099 1 0 0 0 rows=101"; got != want {
			t.Fatalf("dry run %s, want %s", got, want)
		}
		if got := jobCounts(runImport(t, s, srv.ID, accts)); got != "done 1100/1100 new_clients=1099 new_services=1 updated=0 unchanged=0 conflicts=0" {
			t.Fatalf("real run %s", got)
		}
		if _, total, _ := s.ListClients(ctx, links.ClientFilter{}); total != 1099 {
			t.Fatalf("clients = %d, want 1099", total)
		}
		if got := jobCounts(runImport(t, s, srv.ID, accts)); got != "done 1100/1100 new_clients=0 new_services=0 updated=0 unchanged=1100 conflicts=0" {
			t.Fatalf("second run %s", got)
		}
	})
}

// TestImportConflicts checks that an account without a usable contact
// e-mail is reported and not imported.
func TestImportConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		accts := []links.PanelAccount{{Username: "noemail", Domain: "a.example.test"},
			{Username: "bademail", Domain: "b.example.test", Email: "not an address"},
			{Username: "Bad_User", Domain: "c.example.test", Email: "c@example.test"}}
		job := runImport(t, s, srv.ID, accts)
		if job.Conflicts != 3 || len(job.ConflictRows) != 3 || job.Done != 3 {
			t.Fatalf("job = %+v", job)
		}
		for _, r := range job.ConflictRows {
			if r.Kind != links.ImportConflict || r.Reason == "" {
				t.Fatalf("row %+v, want a conflict with its reason", r)
			}
		}
		if _, total, _ := s.ListClients(ctx, links.ClientFilter{}); total != 0 {
			t.Fatalf("conflicts wrote %d clients", total)
		}
	})
}
