package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

func sqlCount(t *testing.T, s *store.Store, q string, args ...any) int {
	t.Helper()
	db, err := s.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// wantResults checks each item's result; "error:FIELD" wants an error
// naming that field.
func wantResults(t *testing.T, got links.BatchResult, want ...string) {
	t.Helper()
	if !got.Applied || len(got.Items) != len(want) {
		t.Fatalf("batch = %+v, want %d items applied", got, len(want))
	}
	for i, w := range want {
		it := got.Items[i]
		res, field, _ := strings.Cut(w, ":")
		if it.Index != i || it.Result != res {
			t.Errorf("items[%d] = %+v, want %s", i, it, w)
			continue
		}
		if res == links.BatchError {
			if it.Error == nil || it.Error.Field != field || it.Error.Message == "" || it.ID != nil {
				t.Errorf("items[%d] error = %+v, want field %s", i, it.Error, field)
			}
		} else if it.ID == nil || *it.ID <= 0 || it.Error != nil {
			t.Errorf("items[%d] = %+v, want an id", i, it)
		}
	}
}

func clientItem(ext, name string) map[string]any {
	return map[string]any{"external_id": ext, "name": name, "email": "billing@" + ext + ".test",
		"owner": map[string]any{"email": "owner@" + ext + ".test", "name": "Owner " + ext}}
}

func TestClientsBatchUpserts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		shared := clientItem("c3", "Gamma")
		shared["owner"] = map[string]any{"email": "Owner@c1.test", "name": "Same owner"}
		withPassword := clientItem("c4", "Delta")
		withPassword["owner"].(map[string]any)["password"] = "delta-password-1"
		items := []any{
			clientItem("c1", "Alpha"),
			map[string]any{"external_id": "c2", "name": "Beta", "email": "b@beta.test", "allow_sso": "yes"},
			shared,
			withPassword,
			map[string]any{"external_id": "c5", "name": "No owner", "email": "x@c5.test"},
			map[string]any{"external_id": " c6", "name": "Spaces", "email": "x@c6.test"},
			map[string]any{"external_id": "c7", "name": "Bad", "email": "x@c7.test", "owner": map[string]any{"email": "o@c7.test", "name": "O", "password": "short"}},
			"not an object",
			map[string]any{"external_id": "c9", "name": "Extra", "email": "x@c9.test", "colour": "blue"},
		}
		var res links.BatchResult
		e.staff(http.MethodPut, "/api/v1/clients:batch", items, http.StatusOK, &res)
		wantResults(t, res, "created", "error:items[1].allow_sso", "created", "created", "error:items[4].owner",
			"error:items[5].external_id", "error:items[6].owner.password", "error:items[7]", "error:items[8].colour")
		if res.Created != 3 || res.Errors != 6 {
			t.Fatalf("counts = %+v", res)
		}
		// c1 and c3 share their owner (the e-mail compared in lower case).
		var c1, c3 links.Client
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/clients/%d", *res.Items[0].ID), nil, http.StatusOK, &c1)
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/clients/%d", *res.Items[2].ID), nil, http.StatusOK, &c3)
		if c1.OwnerUserID != c3.OwnerUserID || c1.ExternalID == nil || *c1.ExternalID != "c1" || !c1.AllowSSO || c1.Status != links.ClientActive {
			t.Fatalf("c1 = %+v, c3 = %+v", c1, c3)
		}
		if n := sqlCount(t, st, "SELECT COUNT(*) FROM users WHERE password_hash = ''"); n != 1 {
			t.Fatalf("%d users without a password, want 1 (c1's owner)", n)
		}
		// A password is hashed; without one, no password signs in.
		for email, pw := range map[string]string{"owner@c4.test": "delta-password-1", "owner@c1.test": ""} {
			_, hash, err := st.UserCredentials(context.Background(), email)
			if err != nil || secret.CheckPassword(hash, pw) != (pw != "") {
				t.Fatalf("%s: hash %q, %v", email, hash, err)
			}
		}
		if n := sqlCount(t, st, "SELECT COUNT(*) FROM audit_records WHERE resource = 'client' AND action = 'create'"); n != 3 {
			t.Fatalf("%d client creations audited, want 3", n)
		}
		// Each new client's owner membership has a record of its own.
		for _, c := range []links.Client{c1, c3} {
			rec := oneRecord(t, e.auditTrail("resource=membership"), links.AuditMembership, fmt.Sprintf("%d:%d", c.ID, c.OwnerUserID), links.AuditCreate)
			if rec.After["owner"] != true || rec.ClientID == nil || *rec.ClientID != c.ID {
				t.Fatalf("owner membership record: %+v", rec)
			}
		}

		// The same request again: unchanged. A changed field: updated.
		e.staff(http.MethodPut, "/api/v1/clients:batch", items, http.StatusOK, &res)
		if res.Unchanged != 3 || res.Created != 0 || res.Updated != 0 || *res.Items[0].ID != c1.ID {
			t.Fatalf("second run = %+v", res)
		}
		again := clientItem("c1", "Alpha Two")
		again["status"] = links.ClientClosed
		delete(again, "owner")
		e.staff(http.MethodPut, "/api/v1/clients:batch", []any{again, clientItem("c3", "Gamma")}, http.StatusOK, &res)
		wantResults(t, res, "updated", "unchanged")
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/clients/%d", c1.ID), nil, http.StatusOK, &c1)
		if c1.Name != "Alpha Two" || c1.Status != links.ClientClosed || !c1.AllowSSO {
			t.Fatalf("updated c1 = %+v", c1)
		}
		var list rest_List
		e.staff(http.MethodGet, "/api/v1/clients?external_id=c3", nil, http.StatusOK, &list)
		if list.Total != 1 || list.Items[0].ID != c3.ID {
			t.Fatalf("list = %+v", list)
		}
	})
}

// rest_List is a page of clients.
type rest_List struct {
	Items []links.Client `json:"items"`
	Total int64          `json:"total"`
}

func TestBatchRequestProblemsWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		before := rowCounts(t, st)
		many := make([]any, links.MaxBatchItems+1)
		for i := range many {
			many[i] = clientItem(fmt.Sprintf("c%d", i), "Client")
		}
		for _, path := range []string{"/api/v1/clients:batch", "/api/v1/services:batch"} {
			for _, body := range []any{`{"items": []}`, `[{"external_id": "x"}`, "not json", `"a string"`, many} {
				resp, data := e.request(http.MethodPut, path, e.token, body)
				e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "")
			}
			resp, data := e.request(http.MethodPut, path, "", []any{})
			e.wantError(resp, data, http.StatusUnauthorized, links.EUNAUTHORIZED, "")
			resp, data = e.request(http.MethodGet, path, e.token, nil)
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Fatalf("GET %s: %d %s", path, resp.StatusCode, data)
			}
		}
		wantUnchanged(t, st, before)
		// The literal colon: nothing else matches the batch routes.
		for _, path := range []string{"/api/v1/clients:other", "/api/v1/clientsbatch", "/api/v1/services:batchx"} {
			resp, data := e.request(http.MethodPut, path, e.token, []any{})
			e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")
		}
		var empty links.BatchResult
		e.staff(http.MethodPut, "/api/v1/services:batch", []any{}, http.StatusOK, &empty)
		if !empty.Applied || len(empty.Items) != 0 {
			t.Fatalf("empty batch = %+v", empty)
		}
	})
}

func newTestServer(t *testing.T, st *store.Store, name string, active bool) int64 {
	t.Helper()
	in := links.ServerInput{Module: "cpanel", Name: name, Hostname: name + ".example.test", APIToken: "TOKEN" + name, Active: &active}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	srv, err := st.CreateServer(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return srv.ID
}

func svcItem(ext, client string, server int64, username, status string) map[string]any {
	m := map[string]any{"external_id": ext, "client_external_id": client, "server_id": server, "username": username,
		"domain": username + ".example.test"}
	if status != "" {
		m["status"] = status
	}
	return m
}

func TestServicesBatchUpserts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		a, b, off := newTestServer(t, st, "cpa", true), newTestServer(t, st, "cpb", true), newTestServer(t, st, "cpoff", false)
		var res links.BatchResult
		e.staff(http.MethodPut, "/api/v1/clients:batch", []any{clientItem("c1", "One"), clientItem("c2", "Two")}, http.StatusOK, &res)
		c2 := *res.Items[1].ID
		e.staff(http.MethodPost, "/api/v1/services", map[string]any{"client_id": c2, "server_id": a, "username": "taken",
			"status": "Active"}, http.StatusCreated, nil)
		noUser := svcItem("s11", "c1", a, "", links.ServiceActive)
		noUser["domain"] = "nouser.example.test"
		badDomain := svcItem("s12", "c1", a, "dom", "")
		badDomain["domain"] = "not a domain"
		byID := svcItem("s10", "", b, "carol", links.ServiceSuspended)
		delete(byID, "client_external_id")
		byID["client_id"] = c2
		items := []any{
			svcItem("s1", "c1", a, "alice", links.ServiceActive),
			svcItem("s2", "c1", a, "bob", ""),
			svcItem("s3", "nope", a, "nope", ""),
			svcItem("s4", "c1", 99999, "four", ""),
			svcItem("s5", "c1", a, "taken", ""),
			svcItem("d", "c1", a, "dupone", ""),
			svcItem("d", "c1", a, "duptwo", ""),
			map[string]any{"external_id": "s7", "client_external_id": "c1", "server_id": "x"},
			svcItem("s8", "c1", off, "eight", ""),
			svcItem("s9", "c1", a, "alice", ""),
			byID, noUser, badDomain,
		}
		e.staff(http.MethodPut, "/api/v1/services:batch", items, http.StatusOK, &res)
		want := []string{"created", "created", "error:items[2].client_external_id", "error:items[3].server_id",
			"error:items[4].username", "error:items[5].external_id", "error:items[6].external_id", "error:items[7].server_id",
			"error:items[8].server_id", "error:items[9].username", "created", "error:items[11].username", "error:items[12].domain"}
		wantResults(t, res, want...)
		if res.Items[4].Error.Code != links.ECONFLICT {
			t.Fatalf("taken username: %+v", res.Items[4].Error)
		}
		s1 := *res.Items[0].ID
		// Every new account has its location, and its server is due.
		for _, loc := range []struct {
			server   int64
			username string
		}{{a, "alice"}, {a, "bob"}, {b, "carol"}} {
			if n := sqlCount(t, st, "SELECT COUNT(*) FROM link_states WHERE server_id = ? AND username = ? AND service_id IS NOT NULL", loc.server, loc.username); n != 1 {
				t.Fatalf("no link_states row for %v", loc)
			}
		}
		for _, srv := range []int64{a, b} {
			if n := sqlCount(t, st, "SELECT wanted_gen - done_gen FROM servers WHERE id = ?", srv); n < 1 {
				t.Fatalf("server %d not bumped", srv)
			}
		}
		if n := sqlCount(t, st, "SELECT COUNT(*) FROM link_credentials lc JOIN services s ON s.id = lc.service_id WHERE s.external_id IS NOT NULL"); n != 3 {
			t.Fatalf("%d link credentials for the new services, want 3", n)
		}
		if n := sqlCount(t, st, "SELECT COUNT(*) FROM audit_records WHERE resource = 'service' AND action = 'create'"); n != 4 {
			t.Fatalf("%d service creations audited, want 4", n)
		}

		// Again: unchanged. Then a move, a rename and a place handed over
		// within one batch.
		e.staff(http.MethodPut, "/api/v1/services:batch", items, http.StatusOK, &res)
		want[0], want[1], want[10] = "unchanged", "unchanged", "unchanged"
		wantResults(t, res, want...)
		e.staff(http.MethodPut, "/api/v1/services:batch", []any{
			svcItem("s20", "c2", a, "bob", links.ServiceActive),
			svcItem("s1", "c1", b, "alice", links.ServiceSuspended),
			svcItem("s2", "c1", a, "bobby", ""),
			svcItem("s21", "c2", a, "alice", links.ServiceActive),
		}, http.StatusOK, &res)
		wantResults(t, res, "error:items[0].username", "updated", "updated", "created")
		var moved links.Service
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services/%d", s1), nil, http.StatusOK, &moved)
		if moved.ServerID != b || moved.Status != links.ServiceSuspended || *moved.ExternalID != "s1" {
			t.Fatalf("moved = %+v", moved)
		}
		if n := sqlCount(t, st, "SELECT COUNT(*) FROM link_states WHERE server_id = ? AND username = 'bob' AND service_id IS NULL", a); n != 1 {
			t.Fatal("the renamed account's old place is not left for removal")
		}
		if n := sqlCount(t, st, "SELECT COUNT(*) FROM link_states WHERE server_id = ? AND username = 'alice' AND service_id = ?", a, *res.Items[3].ID); n != 1 {
			t.Fatal("the new service did not take over the place the move left")
		}
		var list rest_ServiceList
		e.staff(http.MethodGet, "/api/v1/services?external_id=s2", nil, http.StatusOK, &list)
		if list.Total != 1 || list.Items[0].Username != "bobby" {
			t.Fatalf("list = %+v", list)
		}
	})
}

// rest_ServiceList is a page of services.
type rest_ServiceList struct {
	Items []links.Service `json:"items"`
	Total int64           `json:"total"`
}

// With the engine running and the application enabled, the accounts a
// batch creates get their links.
func TestServicesBatchGetLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, srv := provEnv(t, st)
		serverID := e.addSimServer(srv)
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/enable", nil, http.StatusAccepted, nil)
		e.waitState("cpanel", links.StateActive)
		var res links.BatchResult
		e.staff(http.MethodPut, "/api/v1/clients:batch", []any{clientItem("c1", "One")}, http.StatusOK, &res)
		var items []any
		for i := 1; i <= 3; i++ {
			user := fmt.Sprintf("bulk%d", i)
			if err := srv.AddAccount(whmsim.Account{User: user, Domain: user + ".example.test"}); err != nil {
				t.Fatal(err)
			}
			items = append(items, svcItem("s"+user, "c1", serverID, user, links.ServiceActive))
		}
		e.staff(http.MethodPut, "/api/v1/services:batch", items, http.StatusOK, &res)
		wantResults(t, res, "created", "created", "created")
		deadline := time.Now().Add(30 * time.Second)
		for _, user := range []string{"bulk1", "bulk2", "bulk3"} {
			for len(srv.Links(user)) != 14 {
				if time.Now().After(deadline) {
					t.Fatalf("%s has %d links", user, len(srv.Links(user)))
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	})
}
