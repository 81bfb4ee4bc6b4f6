package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

func wantFieldCode(t *testing.T, err error, code, field string) {
	t.Helper()
	var le *links.Error
	if !errors.As(err, &le) || le.Code != code || le.Field != field {
		t.Fatalf("err = %v, want %s on %s", err, code, field)
	}
}

func TestExternalIDsAreUniqueExactAndOptional(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		mk := func(email, ext string) (links.Client, error) {
			in := links.ClientInput{Name: "Acme", Email: email, ExternalID: ext,
				Owner: &links.OwnerInput{Email: "o-" + email, Name: "O", Password: "password123"}}
			if err := in.Validate(); err != nil {
				t.Fatal(err)
			}
			return s.CreateClient(ctx, in)
		}
		a, err := mk("a@acme.test", "cust-1")
		if err != nil || a.ExternalID == nil || *a.ExternalID != "cust-1" {
			t.Fatalf("a = %+v, %v", a, err)
		}
		_, err = mk("b@acme.test", "cust-1")
		wantFieldCode(t, err, links.ECONFLICT, "external_id")
		// Exact comparison on both databases; many clients without one.
		if _, err := mk("c@acme.test", "CUST-1"); err != nil {
			t.Fatal(err)
		}
		for _, e := range []string{"d@acme.test", "e@acme.test"} {
			if c, err := mk(e, ""); err != nil || c.ExternalID != nil {
				t.Fatalf("%+v, %v", c, err)
			}
		}
		got, total, err := s.ListClients(ctx, links.ClientFilter{ExternalID: "cust-1", Page: links.Page{Page: 1, PerPage: 10}})
		if err != nil || total != 1 || got[0].ID != a.ID {
			t.Fatalf("list = %+v %d %v", got, total, err)
		}
		// Patch: "" stores NULL.
		if c, err := s.UpdateClient(ctx, a.ID, links.ClientPatch{ExternalID: ptr("")}); err != nil || c.ExternalID != nil {
			t.Fatalf("cleared = %+v, %v", c, err)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM clients WHERE external_id = ''"); n != 0 {
			t.Fatalf("%d empty external ids stored", n)
		}

		svc, err := s.CreateService(ctx, links.ServiceInput{ClientID: a.ID, ServerID: srv.ID, Username: "acme", Status: links.ServiceActive, ExternalID: "svc-1"})
		if err != nil || *svc.ExternalID != "svc-1" {
			t.Fatalf("svc = %+v, %v", svc, err)
		}
		_, err = s.CreateService(ctx, links.ServiceInput{ClientID: a.ID, ServerID: srv.ID, Username: "other", Status: links.ServiceActive, ExternalID: "svc-1"})
		wantFieldCode(t, err, links.ECONFLICT, "external_id")
		other := newService(t, s, a.ID, srv.ID, "bob", links.ServiceActive)
		_, _, err = s.UpdateService(ctx, other.ID, links.ServicePatch{ExternalID: ptr("svc-1")})
		wantFieldCode(t, err, links.ECONFLICT, "external_id")
		if _, after, err := s.UpdateService(ctx, other.ID, links.ServicePatch{ExternalID: ptr("svc-2")}); err != nil || *after.ExternalID != "svc-2" {
			t.Fatalf("after = %+v, %v", after, err)
		}
		list, total, err := s.ListServices(ctx, links.ServiceFilter{ExternalID: "svc-2", Page: links.Page{Page: 1, PerPage: 10}})
		if err != nil || total != 1 || list[0].ID != other.ID {
			t.Fatalf("services = %+v %d %v", list, total, err)
		}
	})
}

// A database of the previous release gets the columns and their indexes.
func TestUpgradeAddsExternalIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s, "up@acme.test")
		for _, table := range []string{"clients", "services"} {
			if isMySQL(t, s) {
				execSQL(t, s, "ALTER TABLE "+table+" DROP INDEX idx_"+table+"_external_id")
			} else {
				execSQL(t, s, "DROP INDEX idx_"+table+"_external_id")
			}
			execSQL(t, s, "ALTER TABLE "+table+" DROP COLUMN external_id")
		}
		execSQL(t, s, "DELETE FROM schema_migrations WHERE id = '2026120710_external_ids'")
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateClient(ctx, c.ID, links.ClientPatch{ExternalID: ptr("x-1")}); err != nil {
			t.Fatal(err)
		}
		// The unique index is back.
		other := newClient(t, s, "up2@acme.test")
		db, _ := s.SQLDB()
		if _, err := db.ExecContext(ctx, "UPDATE clients SET external_id = 'x-1' WHERE id = ?", other.ID); err == nil {
			t.Fatal("a second client took the external id x-1")
		}
	})
}

func isMySQL(t *testing.T, s *store.Store) bool {
	t.Helper()
	db, err := s.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	var v string
	return db.QueryRowContext(context.Background(), "SELECT VERSION()").Scan(&v) == nil
}
