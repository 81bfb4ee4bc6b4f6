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
// foresees what the real run does, and a second run changes nothing.
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
		counts := func(r links.ImportResult) string {
			return fmt.Sprintf("%d %d %d %d %d %d rows=%d", r.Accounts, r.NewClients, r.NewServices, r.Updated, r.Unchanged, r.Conflicts, len(r.Rows))
		}
		dry, err := s.ImportAccounts(ctx, srv.ID, accts, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, total, _ := s.ListServices(ctx, links.ServiceFilter{}); total != 0 {
			t.Fatalf("the dry run wrote %d services", total)
		}
		real, err := s.ImportAccounts(ctx, srv.ID, accts, false)
		if err != nil {
			t.Fatal(err)
		}
		const want = "1100 1099 1 0 0 0 rows=101"
		if counts(dry) != want || counts(real) != want {
			t.Fatalf("dry run %s, real run %s, want %s", counts(dry), counts(real), want)
		}
		if _, total, _ := s.ListClients(ctx, links.ClientFilter{}); total != 1099 {
			t.Fatalf("clients = %d, want 1099", total)
		}
		again, err := s.ImportAccounts(ctx, srv.ID, accts, false)
		if err != nil || counts(again) != "1100 0 0 0 1100 0 rows=100" {
			t.Fatalf("second run %s, %v", counts(again), err)
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
		res, err := s.ImportAccounts(ctx, srv.ID, accts, false)
		if err != nil || res.Conflicts != 3 || len(res.Rows) != 3 {
			t.Fatalf("res = %+v, %v", res, err)
		}
		for _, r := range res.Rows {
			if r.Kind != links.ImportConflict || r.Reason == "" {
				t.Fatalf("row %+v, want a conflict with its reason", r)
			}
		}
		if _, total, _ := s.ListClients(ctx, links.ClientFilter{}); total != 0 {
			t.Fatalf("conflicts wrote %d clients", total)
		}
	})
}
