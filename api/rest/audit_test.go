package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// auditTrail reads the audit trail as the signed-in admin.
func (e *env) auditTrail(query string) []links.AuditRecord {
	e.t.Helper()
	var page rest.List[links.AuditRecord]
	e.staff(http.MethodGet, "/api/v1/audit?per_page=200&"+query, nil, http.StatusOK, &page)
	return page.Items
}

// oneRecord finds the one record of resource, id and action.
func oneRecord(t *testing.T, recs []links.AuditRecord, resource, id, action string) links.AuditRecord {
	t.Helper()
	var found []links.AuditRecord
	for _, r := range recs {
		if r.Resource == resource && r.ResourceID == id && r.Action == action {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d records of %s %s %s, want 1, in %+v", len(found), action, resource, id, recs)
	}
	return found[0]
}

func TestEveryStaffChangeIsInTheAuditTrail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, sim := provEnv(t, s)
		// Servers, clients, users, services (addSimServer makes them).
		serverID := e.addSimServer(sim)
		sid := fmt.Sprint(serverID)
		srvPath := "/api/v1/servers/" + sid
		e.staff(http.MethodPatch, srvPath, map[string]any{"name": "cp1-renamed"}, http.StatusOK, nil)
		e.staff(http.MethodPatch, srvPath, map[string]any{"api_token": "ROTATEDTOKEN"}, http.StatusOK, nil)
		var svcs rest.List[links.Service]
		e.staff(http.MethodGet, "/api/v1/services?server_id="+sid, nil, http.StatusOK, &svcs)
		svc := svcs.Items[0]
		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/services/%d", svc.ID), map[string]any{"status": "Suspended"}, http.StatusOK, nil)
		clientPath := fmt.Sprintf("/api/v1/clients/%d", svc.ClientID)
		e.staff(http.MethodPatch, clientPath, map[string]any{"allow_sso": false}, http.StatusOK, nil)
		var m links.Membership
		e.staff(http.MethodPost, clientPath+"/users", map[string]any{"email": "dev@acme.test", "name": "Dev",
			"password": "dev-password-1", "permissions": []string{"sso"}}, http.StatusCreated, &m)
		e.staff(http.MethodPatch, fmt.Sprintf("%s/users/%d", clientPath, m.UserID), map[string]any{"permissions": []string{}}, http.StatusOK, nil)
		// Roles, admins, API credentials.
		var role links.Role
		e.staff(http.MethodPost, "/api/v1/roles", map[string]any{"name": "Support", "permissions": []string{links.PermManageClients}}, http.StatusCreated, &role)
		var bob links.Admin
		e.staff(http.MethodPost, "/api/v1/admins", map[string]any{"email": "bob@example.com", "name": "Bob",
			"password": "bob-password-1", "role_id": role.ID}, http.StatusCreated, &bob)
		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/admins/%d", bob.ID), map[string]any{"password": "bob-password-2"}, http.StatusOK, nil)
		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/admins/%d", bob.ID), map[string]any{"name": "Bobby", "active": false}, http.StatusOK, nil)
		var cred links.NewAPICredential
		e.staff(http.MethodPost, "/api/v1/api-credentials", map[string]any{"name": "billing"}, http.StatusCreated, &cred)
		e.staff(http.MethodDelete, fmt.Sprintf("/api/v1/api-credentials/%d", cred.ID), nil, http.StatusNoContent, nil)
		// The application: configure, enable, repair, disable.
		var ls []links.Link
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/links", nil, http.StatusOK, &ls)
		in := make([]map[string]any, len(ls))
		for i, l := range ls {
			in[i] = map[string]any{"key": l.Key, "label": l.Label, "enabled": l.Enabled, "order": l.Order}
		}
		in[0]["label"] = "Change Plan"
		e.staff(http.MethodPut, "/api/v1/applications/cpanel/links", in, http.StatusOK, nil)
		for _, a := range []string{"enable", "sync", "disable"} {
			e.staff(http.MethodPost, "/api/v1/applications/cpanel/"+a, nil, http.StatusAccepted, nil)
		}
		e.staff(http.MethodDelete, fmt.Sprintf("/api/v1/services/%d", svc.ID), nil, http.StatusNoContent, nil)
		e.staff(http.MethodDelete, fmt.Sprintf("/api/v1/roles/%d", role.ID+1000), nil, http.StatusNotFound, nil)

		recs := e.auditTrail("")
		for _, r := range recs {
			if r.ActorKind != links.ActorAdmin || r.ActorID != e.admin.ID || r.ActorName != adminEmail || r.IP != "127.0.0.1" {
				t.Fatalf("record without its actor: %+v", r)
			}
		}
		rec := oneRecord(t, recs, links.AuditServer, sid, links.AuditCreate)
		if rec.Before != nil || rec.After["hostname"] != sim.Host() || rec.After["api_token"] != links.SecretChanged {
			t.Fatalf("server creation: %+v", rec)
		}
		updates := 0
		for _, r := range recs {
			if r.Resource == links.AuditServer && r.Action == links.AuditUpdate {
				updates++
				switch {
				case r.After["name"] == "cp1-renamed":
					if r.Before["name"] != sim.Name() || len(r.After) != 1 {
						t.Fatalf("rename: %+v", r)
					}
				case r.After["api_token"] == links.SecretChanged:
				default:
					t.Fatalf("server update: %+v", r)
				}
			}
		}
		if updates != 2 {
			t.Fatalf("%d server updates recorded, want 2", updates)
		}
		rec = oneRecord(t, recs, links.AuditService, fmt.Sprint(svc.ID), links.AuditUpdate)
		if rec.Before["status"] != "Active" || rec.After["status"] != "Suspended" || rec.ClientID == nil || *rec.ClientID != svc.ClientID {
			t.Fatalf("service update: %+v", rec)
		}
		oneRecord(t, recs, links.AuditService, fmt.Sprint(svc.ID), links.AuditDelete)
		oneRecord(t, recs, links.AuditClient, fmt.Sprint(svc.ClientID), links.AuditUpdate)
		oneRecord(t, recs, links.AuditUser, fmt.Sprint(m.UserID), links.AuditCreate)
		oneRecord(t, recs, links.AuditMembership, fmt.Sprintf("%d:%d", svc.ClientID, m.UserID), links.AuditCreate)
		rec = oneRecord(t, recs, links.AuditMembership, fmt.Sprintf("%d:%d", svc.ClientID, m.UserID), links.AuditUpdate)
		if fmt.Sprint(rec.Before["permissions"]) != "[sso]" || fmt.Sprint(rec.After["permissions"]) != "[]" {
			t.Fatalf("permissions: %+v", rec)
		}
		oneRecord(t, recs, links.AuditRole, fmt.Sprint(role.ID), links.AuditCreate)
		oneRecord(t, recs, links.AuditAdmin, fmt.Sprint(bob.ID), links.AuditCreate)
		var adminUpdates []links.AuditRecord
		for _, r := range recs {
			if r.Resource == links.AuditAdmin && r.Action == links.AuditUpdate {
				adminUpdates = append(adminUpdates, r)
			}
		}
		if len(adminUpdates) != 2 {
			t.Fatalf("admin updates: %+v", adminUpdates)
		}
		// Newest first: the rename and deactivation, then the password.
		if rec := adminUpdates[0]; rec.Before["name"] != "Bob" || rec.After["name"] != "Bobby" || rec.Before["active"] != true || rec.After["active"] != false {
			t.Fatalf("rename and deactivation: %+v", rec)
		}
		if rec := adminUpdates[1]; rec.After["password"] != links.SecretChanged || len(rec.After) != 1 {
			t.Fatalf("password change: %+v", rec)
		}
		oneRecord(t, recs, links.AuditAPICredential, fmt.Sprint(cred.ID), links.AuditCreate)
		oneRecord(t, recs, links.AuditAPICredential, fmt.Sprint(cred.ID), links.AuditRevoke)
		rec = oneRecord(t, recs, links.AuditApplication, "cpanel", links.AuditConfigure)
		if fmt.Sprint(rec.After["upgrade"]) == fmt.Sprint(rec.Before["upgrade"]) || !strings.Contains(fmt.Sprint(rec.After["upgrade"]), "Change Plan") {
			t.Fatalf("configure: %+v", rec)
		}
		for _, a := range []string{links.AuditEnable, links.AuditRepair, links.AuditDisable} {
			oneRecord(t, recs, links.AuditApplication, "cpanel", a)
		}
		for _, secretText := range []string{"ROTATEDTOKEN", sim.Token(), "bob-password", "dev-password", cred.Secret} {
			if found := storetest.FindPlaintext(t, s, secretText); len(found) > 0 {
				t.Fatalf("a secret is in plain text in %v", found)
			}
		}

		// Filters.
		only := e.auditTrail("resource=server&action=update")
		if len(only) != 2 {
			t.Fatalf("filtered: %+v", only)
		}
		if got := e.auditTrail("actor_kind=user"); len(got) != 0 {
			t.Fatalf("no user changed anything: %+v", got)
		}
		future := url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		if got := e.auditTrail("from=" + future); len(got) != 0 {
			t.Fatalf("records from the future: %+v", got)
		}
		for _, q := range []string{"resource=planet", "action=explode", "from=yesterday", "actor_id=-1"} {
			resp, data := e.request(http.MethodGet, "/api/v1/audit?"+q, e.token, nil)
			e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "")
		}
	})
}

func TestAuditRecordsShareTheChangesTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var srv links.Server
		e.staff(http.MethodPost, "/api/v1/servers", serverBody("cp1", "cp1.example.com"), http.StatusCreated, &srv)
		// A refused change writes no record.
		resp, data := e.request(http.MethodPatch, fmt.Sprintf("/api/v1/servers/%d", srv.ID), e.token, map[string]any{"port": 2083})
		e.wantError(resp, data, http.StatusUnprocessableEntity, links.EUNPROCESSABLE, "api_token")
		if recs := e.auditTrail("action=update"); len(recs) != 0 {
			t.Fatalf("a refused change was recorded: %+v", recs)
		}
		// A change whose record cannot be written does not happen.
		db, err := s.SQLDB()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(context.Background(), "DROP TABLE audit_records"); err != nil {
			t.Fatal(err)
		}
		resp, _ = e.request(http.MethodPatch, fmt.Sprintf("/api/v1/servers/%d", srv.ID), e.token, map[string]any{"name": "renamed"})
		if resp.StatusCode < 500 {
			t.Fatalf("a change without its record answered %d", resp.StatusCode)
		}
		got, err := s.Server(context.Background(), srv.ID)
		if err != nil || got.Name != "cp1" {
			t.Fatalf("the change happened without its record: %+v %v", got, err)
		}
	})
}

func TestTheAuditTrailNeedsItsPermission(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		role, err := s.CreateRole(context.Background(), "Support", []string{links.PermManageClients})
		if err != nil {
			t.Fatal(err)
		}
		e.staff(http.MethodPost, "/api/v1/admins", map[string]any{"email": "bob@example.com", "name": "Bob",
			"password": "bob-password-1", "role_id": role.ID}, http.StatusCreated, nil)
		resp, data := e.request(http.MethodGet, "/api/v1/audit", e.login("bob@example.com", "bob-password-1"), nil)
		e.wantError(resp, data, http.StatusForbidden, links.EFORBIDDEN, "")
	})
}

func TestOwnersChangesAreRecordedAndShownToThem(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		b := e.portalLogin(e.owner.Email)
		e.mustJSON(e.do(b, "PATCH", "/api/v1/portal/security", map[string]any{"allow_sso": false}), 200, nil)
		var page rest.List[links.AuditRecord]
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/activity", nil), 200, &page)
		if len(page.Items) != 1 {
			t.Fatalf("owner's activity: %+v", page.Items)
		}
		r := page.Items[0]
		if r.ActorKind != links.ActorUser || r.ActorID != e.owner.ID || r.Resource != links.AuditClient ||
			r.Before["allow_sso"] != true || r.After["allow_sso"] != false || r.ClientID == nil || *r.ClientID != e.client.ID {
			t.Fatalf("owner's change: %+v", r)
		}
		var staff rest.List[links.AuditRecord]
		e.mustJSON(e.do(nil, "GET", "/api/v1/audit?actor_kind=user", nil, withStaff(e.staff)), 200, &staff)
		if len(staff.Items) != 1 || staff.Items[0].ID != r.ID {
			t.Fatalf("staff do not see the owner's change: %+v", staff.Items)
		}
	})
}
