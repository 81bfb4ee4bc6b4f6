package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// rowCounts counts the rows of the tables a client's administration writes.
func rowCounts(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	db, err := s.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, table := range []string{"clients", "users", "memberships", "services", "audit_records"} {
		var n int
		if err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// wantUnchanged checks that the refused requests wrote nothing.
func wantUnchanged(t *testing.T, s *store.Store, before map[string]int) {
	t.Helper()
	if after := rowCounts(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a refused request wrote: %v, then %v", before, after)
	}
}

// newClientWithUser makes a client (owner Jane) with a second user, Dev.
func (e *env) newClientWithUser(name string) (links.Client, links.Membership) {
	e.t.Helper()
	var cl links.Client
	e.staff(http.MethodPost, "/api/v1/clients", map[string]any{"name": name, "email": "billing@" + name + ".test",
		"owner": map[string]string{"email": "jane@" + name + ".test", "name": "Jane", "password": "jane-password-1"}}, http.StatusCreated, &cl)
	var m links.Membership
	e.staff(http.MethodPost, fmt.Sprintf("/api/v1/clients/%d/users", cl.ID), map[string]any{"email": "dev@" + name + ".test",
		"name": "Dev", "password": "dev-password-1", "permissions": []string{"sso"}}, http.StatusCreated, &m)
	return cl, m
}

func TestRemoveClientUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		acme, dev := e.newClientWithUser("acme")
		other, _ := e.newClientWithUser("other")
		// Dev is on both clients.
		e.staff(http.MethodPost, fmt.Sprintf("/api/v1/clients/%d/users", other.ID), map[string]any{"user_id": dev.UserID}, http.StatusCreated, nil)
		usersPath := fmt.Sprintf("/api/v1/clients/%d/users/", acme.ID)

		before := rowCounts(t, s)
		for _, bad := range []struct {
			path   string
			status int
			code   string
		}{
			{usersPath + fmt.Sprint(acme.OwnerUserID), http.StatusConflict, links.ECONFLICT},
			{usersPath + "99999", http.StatusNotFound, links.ENOTFOUND},
			{"/api/v1/clients/99999/users/" + fmt.Sprint(dev.UserID), http.StatusNotFound, links.ENOTFOUND},
			{usersPath + "x", http.StatusBadRequest, links.EINVALID},
		} {
			resp, data := e.request(http.MethodDelete, bad.path, e.token, nil)
			body := e.wantError(resp, data, bad.status, bad.code, "")
			if bad.code == links.ECONFLICT && !strings.Contains(body.Error.Message, "transfer the ownership") {
				t.Fatalf("the owner's refusal should say what to do: %q", body.Error.Message)
			}
		}
		wantUnchanged(t, s, before)

		// Removed from acme: still a user (on other), sessions ended.
		u0, _ := s.User(ctx, dev.UserID)
		e.staff(http.MethodDelete, usersPath+fmt.Sprint(dev.UserID), nil, http.StatusNoContent, nil)
		u1, err := s.User(ctx, dev.UserID)
		if err != nil || u1.SessionVersion != u0.SessionVersion+1 {
			t.Fatalf("the removed user's sessions should end: %+v %v (was %d)", u1, err, u0.SessionVersion)
		}
		if _, err := s.Membership(ctx, acme.ID, dev.UserID); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("membership still there: %v", err)
		}
		recs := e.auditTrail("")
		oneRecord(t, recs, links.AuditMembership, fmt.Sprintf("%d:%d", acme.ID, dev.UserID), links.AuditDelete)
		// Removed from its last client: the user goes too.
		e.staff(http.MethodDelete, fmt.Sprintf("/api/v1/clients/%d/users/%d", other.ID, dev.UserID), nil, http.StatusNoContent, nil)
		if _, err := s.User(ctx, dev.UserID); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("a user on no client should be deleted: %v", err)
		}
		oneRecord(t, e.auditTrail(""), links.AuditUser, fmt.Sprint(dev.UserID), links.AuditDelete)
	})
}

func TestTransferClientOwnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		acme, dev := e.newClientWithUser("acme")
		_, stranger := e.newClientWithUser("other")
		ownerPath := fmt.Sprintf("/api/v1/clients/%d/owner", acme.ID)

		before := rowCounts(t, s)
		for _, bad := range []struct {
			path   string
			body   any
			status int
			code   string
			field  string
		}{
			{ownerPath, map[string]any{"user_id": stranger.UserID}, http.StatusBadRequest, links.EINVALID, "user_id"},
			{ownerPath, map[string]any{"user_id": 0}, http.StatusBadRequest, links.EINVALID, "user_id"},
			{ownerPath, map[string]any{"user_id": "two"}, http.StatusBadRequest, links.EINVALID, ""},
			{"/api/v1/clients/99999/owner", map[string]any{"user_id": dev.UserID}, http.StatusNotFound, links.ENOTFOUND, ""},
		} {
			resp, data := e.request(http.MethodPost, bad.path, e.token, bad.body)
			e.wantError(resp, data, bad.status, bad.code, bad.field)
		}
		wantUnchanged(t, s, before)

		var cl links.Client
		e.staff(http.MethodPost, ownerPath, map[string]any{"user_id": dev.UserID}, http.StatusOK, &cl)
		if cl.OwnerUserID != dev.UserID {
			t.Fatalf("owner: %+v", cl)
		}
		newOwner, _ := s.Membership(ctx, acme.ID, dev.UserID)
		oldOwner, err := s.Membership(ctx, acme.ID, acme.OwnerUserID)
		if err != nil || !newOwner.Owner || oldOwner.Owner || len(oldOwner.Permissions) != len(links.AllUserPermissions) {
			t.Fatalf("after the transfer: new %+v, old %+v %v", newOwner, oldOwner, err)
		}
		rec := oneRecord(t, e.auditTrail("resource=client&action=update"), links.AuditClient, fmt.Sprint(acme.ID), links.AuditUpdate)
		if fmt.Sprint(rec.Before["owner_user_id"]) != fmt.Sprint(acme.OwnerUserID) || fmt.Sprint(rec.After["owner_user_id"]) != fmt.Sprint(dev.UserID) {
			t.Fatalf("transfer record: %+v", rec)
		}
		// The new owner had only sso: the record shows every permission granted.
		oneRecord(t, e.auditTrail("resource=membership&action=update"), links.AuditMembership, fmt.Sprintf("%d:%d", acme.ID, dev.UserID), links.AuditUpdate)
		// The old owner can now be removed; the new one cannot.
		e.staff(http.MethodDelete, fmt.Sprintf("/api/v1/clients/%d/users/%d", acme.ID, acme.OwnerUserID), nil, http.StatusNoContent, nil)
		resp, data := e.request(http.MethodDelete, fmt.Sprintf("/api/v1/clients/%d/users/%d", acme.ID, dev.UserID), e.token, nil)
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")
	})
}

func TestDeleteClient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		acme, dev := e.newClientWithUser("acme")
		other, _ := e.newClientWithUser("other")
		e.staff(http.MethodPost, fmt.Sprintf("/api/v1/clients/%d/users", other.ID), map[string]any{"user_id": dev.UserID}, http.StatusCreated, nil)
		var srv links.Server
		e.staff(http.MethodPost, "/api/v1/servers", serverBody("cp1", "cp1.example.com"), http.StatusCreated, &srv)
		var svc links.Service
		for _, u := range []string{"acme1", "acme2"} {
			e.staff(http.MethodPost, "/api/v1/services", map[string]any{"client_id": acme.ID, "server_id": srv.ID,
				"username": u, "domain": u + ".test", "status": "Active"}, http.StatusCreated, &svc)
		}
		path := fmt.Sprintf("/api/v1/clients/%d", acme.ID)

		before := rowCounts(t, s)
		resp, data := e.request(http.MethodDelete, path, e.token, nil)
		body := e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")
		if !strings.Contains(body.Error.Message, "2 service") {
			t.Fatalf("the refusal should count the services: %q", body.Error.Message)
		}
		resp, data = e.request(http.MethodDelete, "/api/v1/clients/99999", e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")
		wantUnchanged(t, s, before)

		var svcs struct{ Items []links.Service }
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services?client_id=%d", acme.ID), nil, http.StatusOK, &svcs)
		for _, x := range svcs.Items {
			e.staff(http.MethodDelete, fmt.Sprintf("/api/v1/services/%d", x.ID), nil, http.StatusNoContent, nil)
		}
		e.staff(http.MethodDelete, path, nil, http.StatusNoContent, nil)
		if _, err := s.Client(ctx, acme.ID); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("client still there: %v", err)
		}
		// Jane was only on acme: gone. Dev is on other too: kept, still on other.
		if _, err := s.User(ctx, acme.OwnerUserID); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("the owner of only this client should go: %v", err)
		}
		if _, err := s.Membership(ctx, other.ID, dev.UserID); err != nil {
			t.Fatalf("a user of another client should stay: %v", err)
		}
		recs := e.auditTrail("")
		rec := oneRecord(t, recs, links.AuditClient, fmt.Sprint(acme.ID), links.AuditDelete)
		if rec.Before["name"] != "acme" || rec.ClientID == nil || *rec.ClientID != acme.ID {
			t.Fatalf("client deletion record: %+v", rec)
		}
		oneRecord(t, recs, links.AuditUser, fmt.Sprint(acme.OwnerUserID), links.AuditDelete)
		oneRecord(t, recs, links.AuditMembership, fmt.Sprintf("%d:%d", acme.ID, dev.UserID), links.AuditDelete)
		oneRecord(t, recs, links.AuditMembership, fmt.Sprintf("%d:%d", acme.ID, acme.OwnerUserID), links.AuditDelete)
		for _, r := range recs {
			if r.Resource == links.AuditUser && r.Action == links.AuditDelete && r.ResourceID == fmt.Sprint(dev.UserID) {
				t.Fatalf("a user on another client was deleted: %+v", r)
			}
		}
	})
}

func TestServicesListNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		acme, _ := e.newClientWithUser("acme")
		var srv links.Server
		e.staff(http.MethodPost, "/api/v1/servers", serverBody("cp1", "cp1.example.com"), http.StatusCreated, &srv)
		for _, u := range []string{"first", "second", "third"} {
			e.staff(http.MethodPost, "/api/v1/services", map[string]any{"client_id": acme.ID, "server_id": srv.ID,
				"username": u, "domain": u + ".test", "status": "Active"}, http.StatusCreated, nil)
		}
		names := func(q string) string {
			var out struct{ Items []links.Service }
			e.staff(http.MethodGet, "/api/v1/services?"+q, nil, http.StatusOK, &out)
			var n []string
			for _, x := range out.Items {
				n = append(n, x.Username)
			}
			return strings.Join(n, ",")
		}
		if got := names("order=newest&per_page=2"); got != "third,second" {
			t.Fatalf("newest first: %s", got)
		}
		if got := names("order=newest&per_page=2&page=2"); got != "first" {
			t.Fatalf("newest first, page 2: %s", got)
		}
		for _, q := range []string{"", "order=oldest"} {
			if got := names(q); got != "first,second,third" {
				t.Fatalf("%q: %s", q, got)
			}
		}
		resp, data := e.request(http.MethodGet, "/api/v1/services?order=random", e.token, nil)
		e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "order")
	})
}
