package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func newServer(t testing.TB, s *store.Store, name, host string, active bool) links.Server {
	t.Helper()
	in := links.ServerInput{Module: "cpanel", Name: name, Hostname: host, APIToken: "TOKEN" + name, Active: ptr(active)}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	srv, err := s.CreateServer(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func newClient(t testing.TB, s *store.Store, email string) links.Client {
	t.Helper()
	in := links.ClientInput{Name: "Acme", Email: email, Owner: &links.OwnerInput{Email: "owner-" + email, Name: "Owner", Password: "password123"}}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateClient(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}

func TestServerTokenIsSealedAndUniqueness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		if !srv.HasToken || srv.Port != 2087 || !srv.Secure || !srv.VerifyTLS {
			t.Fatalf("defaults not applied: %+v", srv)
		}
		conn, err := s.ServerConn(ctx, srv.ID)
		if err != nil || conn.APIToken != "TOKENcp1" {
			t.Fatalf("ServerConn = %+v, %v", conn, err)
		}
		in := links.ServerInput{Module: "cpanel", Name: "cp1", Hostname: "other.example.com", APIToken: "x"}
		in.Normalize()
		_, err = s.CreateServer(ctx, in)
		if links.ErrorCode(err) != links.ECONFLICT || !strings.Contains(links.ErrorMessage(err), "named") {
			t.Fatalf("duplicate name: %v", err)
		}
		in.Name, in.Hostname = "cp2", "cp1.example.com"
		_, err = s.CreateServer(ctx, in)
		if links.ErrorCode(err) != links.ECONFLICT {
			t.Fatalf("duplicate host: %v", err)
		}
		_, err = s.UpdateServer(ctx, srv.ID, links.ServerPatch{APIToken: ptr("NEWTOKEN")})
		if err != nil {
			t.Fatal(err)
		}
		conn, _ = s.ServerConn(ctx, srv.ID)
		if conn.APIToken != "NEWTOKEN" {
			t.Fatalf("token not rotated: %q", conn.APIToken)
		}
	})
}

func TestServicesRespectServerStateAndUsernames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		active := newServer(t, s, "cp1", "cp1.example.com", true)
		inactive := newServer(t, s, "cp2", "cp2.example.com", false)
		c := newClient(t, s, "a@acme.test")
		in := links.ServiceInput{ClientID: c.ID, ServerID: inactive.ID, Username: "acme", Domain: "acme.test", Status: "Active"}
		if _, err := s.CreateService(ctx, in); links.ErrorCode(err) != links.EINVALID {
			t.Fatalf("service on inactive server: %v", err)
		}
		in.ServerID = active.ID
		svc, err := s.CreateService(ctx, in)
		if err != nil || svc.Module != "cpanel" {
			t.Fatalf("create: %+v %v", svc, err)
		}
		if _, err := s.CreateService(ctx, in); links.ErrorCode(err) != links.ECONFLICT {
			t.Fatalf("duplicate username: %v", err)
		}
		if err := s.DeleteServer(ctx, active.ID); links.ErrorCode(err) != links.ECONFLICT {
			t.Fatalf("delete server with services: %v", err)
		}
		before, after, err := s.UpdateService(ctx, svc.ID, links.ServicePatch{Status: ptr("Suspended")})
		if err != nil || before.Status != "Active" || after.Status != "Suspended" {
			t.Fatalf("update: %v %v %v", before, after, err)
		}
		if _, _, err := s.UpdateService(ctx, svc.ID, links.ServicePatch{Username: ptr("")}); links.ErrorCode(err) != links.EINVALID {
			t.Fatalf("active service without username: %v", err)
		}
		list, total, err := s.ListServices(ctx, links.ServiceFilter{ClientID: c.ID, Page: links.Page{Page: 1, PerPage: 10}})
		if err != nil || total != 1 || len(list) != 1 || list[0].Module != "cpanel" {
			t.Fatalf("list: %v %d %v", list, total, err)
		}
		if _, err := s.DeleteService(ctx, svc.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteServer(ctx, active.ID); err != nil {
			t.Fatalf("delete empty server: %v", err)
		}
	})
}

func TestOwnerPermissionsCannotBeRevoked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s, "b@acme.test")
		if _, err := s.SetUserPermissions(ctx, c.ID, c.OwnerUserID, nil); links.ErrorCode(err) != links.EFORBIDDEN {
			t.Fatalf("revoking the owner: %v", err)
		}
		add := links.ClientUserInput{Email: "dev@acme.test", Name: "Dev", Password: "password123"}
		if err := add.Validate(); err != nil {
			t.Fatal(err)
		}
		m, err := s.AddClientUser(ctx, c.ID, add)
		if err != nil || m.Owner || !m.Has("sso") {
			t.Fatalf("add user: %+v %v", m, err)
		}
		m, err = s.SetUserPermissions(ctx, c.ID, m.UserID, []string{"invoices"})
		if err != nil || m.Has("sso") {
			t.Fatalf("revoke sso: %+v %v", m, err)
		}
		users, err := s.ClientUsers(ctx, c.ID)
		if err != nil || len(users) != 2 || !users[0].Owner {
			t.Fatalf("users: %+v %v", users, err)
		}
	})
}
