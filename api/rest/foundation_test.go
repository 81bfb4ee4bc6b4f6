package rest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

func serverBody(name, host string) map[string]any {
	return map[string]any{"module": "cpanel", "name": name, "hostname": host, "api_token": "SECRETTOKEN" + name}
}

func TestLoginIssuesTokenAndRefusesGenerically(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var me links.Admin
		e.staff(http.MethodGet, "/api/v1/auth/me", nil, http.StatusOK, &me)
		if me.Email != adminEmail || !me.Can(links.PermConfigureApplicationLinks) {
			t.Fatalf("me = %+v", me)
		}
		wrong, data := e.request(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": "nope-nope"})
		wrongBody := e.wantError(wrong, data, http.StatusUnauthorized, links.EUNAUTHORIZED, "")
		unknown, data := e.request(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": "who@example.com", "password": "nope-nope"})
		unknownBody := e.wantError(unknown, data, http.StatusUnauthorized, links.EUNAUTHORIZED, "")
		if wrongBody.Error.Message != unknownBody.Error.Message {
			t.Fatalf("messages differ, enumerating accounts: %q vs %q", wrongBody.Error.Message, unknownBody.Error.Message)
		}
	})
}

func TestStaffRoutesRefuseBadTokens(t *testing.T) {
	s := storetest.New(t, store.DialectSQLite)
	e := newEnv(t, s)
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	now := time.Now()
	valid := jwt.MapClaims{"sub": fmt.Sprint(e.admin.ID), "iss": "applinks", "aud": rest.AudienceStaff, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range valid {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	parts := strings.Split(e.token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	claims["sub"] = "999"
	forged, _ := json.Marshal(claims)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	cases := map[string]string{
		"no token":         "",
		"garbage":          "not-a-jwt",
		"alg none":         none,
		"wrong key":        sign(jwt.SigningMethodHS256, []byte("another-key-another-key-another-key"), valid),
		"expired":          sign(jwt.SigningMethodHS256, testJWTKey, with("exp", now.Add(-time.Hour).Unix())),
		"no expiry":        sign(jwt.SigningMethodHS256, testJWTKey, with("exp", nil)),
		"portal audience":  sign(jwt.SigningMethodHS256, testJWTKey, with("aud", rest.AudiencePortal)),
		"other issuer":     sign(jwt.SigningMethodHS256, testJWTKey, with("iss", "evil")),
		"HS512":            sign(jwt.SigningMethodHS512, testJWTKey, valid),
		"tampered payload": parts[0] + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + parts[2],
		"unknown admin":    sign(jwt.SigningMethodHS256, testJWTKey, with("sub", "999")),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			resp, data := e.request(http.MethodGet, "/api/v1/servers", tok, nil)
			e.wantError(resp, data, http.StatusUnauthorized, links.EUNAUTHORIZED, "")
		})
	}
	e.call(http.MethodGet, "/api/v1/servers", sign(jwt.SigningMethodHS256, testJWTKey, valid), nil, http.StatusOK, nil)
}

func TestLoginIsRateLimitedPerIP(t *testing.T) {
	s := storetest.New(t, store.DialectSQLite)
	e := newEnv(t, s, func(c *rest.Config, _ *rest.Deps) { c.LoginPerMinute = 1 })
	var last *http.Response
	var data []byte
	for i := 0; i < 10; i++ {
		last, data = e.request(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": "wrong-password"})
		if last.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	e.wantError(last, data, http.StatusTooManyRequests, links.ERATELIMITED, "")
	if last.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}

func TestServerTokenIsWriteOnlyAndSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var srv links.Server
		data := e.staff(http.MethodPost, "/api/v1/servers", serverBody("cp1", "cp1.example.com"), http.StatusCreated, &srv)
		if strings.Contains(string(data), "SECRETTOKEN") || !srv.HasToken || srv.Port != 2087 {
			t.Fatalf("create answered %s", data)
		}
		data = e.staff(http.MethodGet, fmt.Sprintf("/api/v1/servers/%d", srv.ID), nil, http.StatusOK, nil)
		list := e.staff(http.MethodGet, "/api/v1/servers?module=cpanel&q=CP1", nil, http.StatusOK, nil)
		if strings.Contains(string(data)+string(list), "SECRETTOKEN") {
			t.Fatal("the API token is readable through the API")
		}
		var page rest.List[links.Server]
		_ = json.Unmarshal(list, &page)
		if page.Total != 1 || len(page.Items) != 1 {
			t.Fatalf("search: %s", list)
		}
		if found := storetest.FindPlaintext(t, s, "SECRETTOKENcp1"); len(found) > 0 {
			t.Fatalf("API token stored in plain text in %v", found)
		}
		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/servers/%d", srv.ID), map[string]any{"active": false, "api_token": ""}, http.StatusOK, &srv)
		if srv.Active || !srv.HasToken {
			t.Fatalf("patch: %+v", srv)
		}
	})
}

// counts returns how many servers, clients and services exist.
func counts(t *testing.T, s *store.Store) [3]int64 {
	t.Helper()
	ctx := context.Background()
	one := links.Page{Page: 1, PerPage: 1}
	_, a, err1 := s.ListServers(ctx, links.ServerFilter{Page: one})
	_, b, err2 := s.ListClients(ctx, links.ClientFilter{Page: one})
	_, c, err3 := s.ListServices(ctx, links.ServiceFilter{Page: one})
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	return [3]int64{a, b, c}
}

func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var active, inactive links.Server
		e.staff(http.MethodPost, "/api/v1/servers", serverBody("cp1", "cp1.example.com"), http.StatusCreated, &active)
		inBody := serverBody("cp2", "cp2.example.com")
		inBody["active"] = false
		e.staff(http.MethodPost, "/api/v1/servers", inBody, http.StatusCreated, &inactive)
		var client links.Client
		e.staff(http.MethodPost, "/api/v1/clients", map[string]any{"name": "Acme", "email": "billing@acme.test",
			"owner": map[string]any{"email": "jane@acme.test", "name": "Jane", "password": "password-1"}}, http.StatusCreated, &client)
		var svc links.Service
		e.staff(http.MethodPost, "/api/v1/services", map[string]any{"client_id": client.ID, "server_id": active.ID, "username": "acme", "domain": "acme.test", "status": "Active"}, http.StatusCreated, &svc)

		huge := `{"module":"cpanel","name":"` + strings.Repeat("x", 1<<20+10) + `"}`
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"malformed JSON", "POST", "/api/v1/servers", `{"module": "cpanel",`, 400, links.EINVALID, ""},
			{"not an object", "POST", "/api/v1/servers", `[1,2]`, 400, links.EINVALID, ""},
			{"two values", "POST", "/api/v1/servers", `{} {}`, 400, links.EINVALID, ""},
			{"empty body", "POST", "/api/v1/servers", ``, 400, links.EINVALID, ""},
			{"wrong type", "POST", "/api/v1/servers", `{"module":"cpanel","name":"x","hostname":"h.example.com","port":"2087","api_token":"t"}`, 400, links.EINVALID, "port"},
			{"unknown field", "POST", "/api/v1/servers", `{"module":"cpanel","name":"x","hostname":"h.example.com","api_token":"t","colour":"red"}`, 400, links.EINVALID, "colour"},
			{"oversized body", "POST", "/api/v1/servers", huge, 413, links.EINVALID, ""},
			{"unknown module", "POST", "/api/v1/servers", `{"module":"plesk","name":"x","hostname":"h.example.com","api_token":"t"}`, 400, links.EINVALID, "module"},
			{"hostname with scheme", "POST", "/api/v1/servers", `{"module":"cpanel","name":"x","hostname":"https://h.example.com/","api_token":"t"}`, 400, links.EINVALID, "hostname"},
			{"hostname with credentials", "POST", "/api/v1/servers", `{"module":"cpanel","name":"x","hostname":"root:pw@h.example.com","api_token":"t"}`, 400, links.EINVALID, "hostname"},
			{"port out of range", "POST", "/api/v1/servers", `{"module":"cpanel","name":"x","hostname":"h.example.com","port":70000,"api_token":"t"}`, 400, links.EINVALID, "port"},
			{"missing token", "POST", "/api/v1/servers", `{"module":"cpanel","name":"x","hostname":"h.example.com"}`, 400, links.EINVALID, "api_token"},
			{"duplicate server name", "POST", "/api/v1/servers", serverBody("cp1", "other.example.com"), 409, links.ECONFLICT, "name"},
			{"duplicate server host", "POST", "/api/v1/servers", serverBody("cp9", "cp1.example.com"), 409, links.ECONFLICT, "hostname"},
			{"patch to a taken name", "PATCH", fmt.Sprintf("/api/v1/servers/%d", inactive.ID), `{"name":"cp1"}`, 409, links.ECONFLICT, "name"},
			{"delete server with services", "DELETE", fmt.Sprintf("/api/v1/servers/%d", active.ID), nil, 409, links.ECONFLICT, ""},
			{"bad path id", "GET", "/api/v1/servers/abc", nil, 400, links.EINVALID, "id"},
			{"signed path id", "GET", fmt.Sprintf("/api/v1/servers/+%d", active.ID), nil, 400, links.EINVALID, "id"},
			{"zero-padded path id", "GET", fmt.Sprintf("/api/v1/servers/0%d", active.ID), nil, 400, links.EINVALID, "id"},
			{"page size zero", "GET", "/api/v1/servers?per_page=0", nil, 400, links.EINVALID, "per_page"},
			{"missing server", "GET", "/api/v1/servers/99999", nil, 404, links.ENOTFOUND, ""},
			{"bad page size", "GET", "/api/v1/servers?per_page=1000", nil, 400, links.EINVALID, "per_page"},
			{"client without owner", "POST", "/api/v1/clients", `{"name":"B","email":"b@b.test"}`, 400, links.EINVALID, "owner"},
			{"client with taken owner e-mail", "POST", "/api/v1/clients", `{"name":"B","email":"b@b.test","owner":{"email":"jane@acme.test","name":"J","password":"password-1"}}`, 409, links.ECONFLICT, "owner.email"},
			{"client with short owner password", "POST", "/api/v1/clients", `{"name":"B","email":"b@b.test","owner":{"email":"x@b.test","name":"J","password":"short"}}`, 400, links.EINVALID, "owner.password"},
			{"client bad status", "PATCH", fmt.Sprintf("/api/v1/clients/%d", client.ID), `{"status":"Deleted"}`, 400, links.EINVALID, "status"},
			{"revoke the owner", "PATCH", fmt.Sprintf("/api/v1/clients/%d/users/%d", client.ID, client.OwnerUserID), `{"permissions":[]}`, 403, links.EFORBIDDEN, ""},
			{"unknown user permission", "PATCH", fmt.Sprintf("/api/v1/clients/%d/users/%d", client.ID, client.OwnerUserID), `{"permissions":["root"]}`, 400, links.EINVALID, "permissions"},
			{"service on inactive server", "POST", "/api/v1/services", map[string]any{"client_id": client.ID, "server_id": inactive.ID, "username": "beta", "status": "Active"}, 400, links.EINVALID, "server_id"},
			{"service on missing client", "POST", "/api/v1/services", map[string]any{"client_id": 999, "server_id": active.ID, "username": "beta", "status": "Active"}, 400, links.EINVALID, "client_id"},
			{"duplicate username", "POST", "/api/v1/services", map[string]any{"client_id": client.ID, "server_id": active.ID, "username": "acme", "status": "Active"}, 409, links.ECONFLICT, "username"},
			{"bad cPanel username", "POST", "/api/v1/services", map[string]any{"client_id": client.ID, "server_id": active.ID, "username": "Bad User", "status": "Active"}, 400, links.EINVALID, "username"},
			{"active service without username", "POST", "/api/v1/services", map[string]any{"client_id": client.ID, "server_id": active.ID, "status": "Active"}, 400, links.EINVALID, "username"},
			{"move to inactive server", "PATCH", fmt.Sprintf("/api/v1/services/%d", svc.ID), map[string]any{"server_id": inactive.ID}, 400, links.EINVALID, "server_id"},
			{"bad service status", "PATCH", fmt.Sprintf("/api/v1/services/%d", svc.ID), `{"status":"Gone"}`, 400, links.EINVALID, "status"},
			{"unknown API path", "GET", "/api/v1/nothing-here", nil, 404, links.ENOTFOUND, ""},
			{"unknown API path outside v1", "POST", "/api/nothing", nil, 404, links.ENOTFOUND, ""},
			{"wrong method", "PUT", "/api/v1/servers", `{}`, 405, links.EINVALID, ""},
		}
		before := counts(t, s)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				resp, data := e.request(tc.method, tc.path, e.token, tc.body)
				e.wantError(resp, data, tc.status, tc.code, tc.field)
			})
		}
		if after := counts(t, s); after != before {
			t.Fatalf("bad input wrote rows: before %v, after %v", before, after)
		}

		got, err := s.Service(context.Background(), svc.ID)
		if err != nil || got.ServerID != active.ID || got.Status != "Active" {
			t.Fatalf("service changed by refused patches: %+v %v", got, err)
		}
	})
}

// A body of the wrong kind, or none, is refused naming what the endpoint
// expects: an object, or an array (the links).
func TestABodyOfTheWrongKindSaysWhatIsExpected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, _ := provEnv(t, st)
		for _, tc := range []struct{ method, path, body, want string }{
			{"POST", "/api/v1/servers", `[1]`, "The request body must be an object, not a JSON array."},
			{"PUT", "/api/v1/applications/cpanel/links", `{}`, "The request body must be an array, not a JSON object."},
			{"PUT", "/api/v1/applications/cpanel/links", ``, "The request body is empty: send a JSON array."},
			{"POST", "/api/v1/servers", ``, "The request body is empty: send a JSON object."},
		} {
			resp, data := e.request(tc.method, tc.path, e.token, tc.body)
			if body := e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, ""); body.Error.Message != tc.want {
				t.Errorf("%s %s %q: message %q, want %q", tc.method, tc.path, tc.body, body.Error.Message, tc.want)
			}
		}
	})
}

func TestPermissionsAreEnforcedPerRole(t *testing.T) {
	s := storetest.New(t, store.DialectSQLite)
	e := newEnv(t, s)
	var role links.Role
	e.staff(http.MethodPost, "/api/v1/roles", map[string]any{"name": "Support", "permissions": []string{"manage_clients"}}, http.StatusCreated, &role)
	e.staff(http.MethodPost, "/api/v1/admins", map[string]any{"email": "support@example.com", "name": "Sup", "password": "support-pass", "role_id": role.ID}, http.StatusCreated, nil)
	tok := e.login("support@example.com", "support-pass")
	e.call(http.MethodGet, "/api/v1/clients", tok, nil, http.StatusOK, nil)
	resp, data := e.request(http.MethodGet, "/api/v1/servers", tok, nil)
	e.wantError(resp, data, http.StatusForbidden, links.EFORBIDDEN, "")
	resp, data = e.request(http.MethodGet, "/api/v1/admins", tok, nil)
	e.wantError(resp, data, http.StatusForbidden, links.EFORBIDDEN, "")
	// The last Full Administrator cannot be deactivated.
	resp, data = e.request(http.MethodPatch, fmt.Sprintf("/api/v1/admins/%d", e.admin.ID), e.token, map[string]any{"active": false})
	e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")
	// A deactivated admin's token stops working at once.
	var admins rest.List[links.Admin]
	e.staff(http.MethodGet, "/api/v1/admins", nil, http.StatusOK, &admins)
	for _, a := range admins.Items {
		if a.Email == "support@example.com" {
			e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/admins/%d", a.ID), map[string]any{"active": false}, http.StatusOK, nil)
		}
	}
	resp, data = e.request(http.MethodGet, "/api/v1/clients", tok, nil)
	e.wantError(resp, data, http.StatusUnauthorized, links.EUNAUTHORIZED, "")
}

// An admin cannot lock themselves out (deactivate their own account, take a
// role that cannot manage staff); another admin can do both. A taken e-mail
// is a conflict on the email field.
func TestAdminsCannotLockThemselvesOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var support links.Role
		e.staff(http.MethodPost, "/api/v1/roles", map[string]any{"name": "Support", "permissions": []string{"manage_clients"}}, http.StatusCreated, &support)
		var second links.Admin
		e.staff(http.MethodPost, "/api/v1/admins", map[string]any{"email": "second@example.com", "name": "Second", "password": "second-pass",
			"role_id": e.admin.RoleID}, http.StatusCreated, &second)
		resp, data := e.request(http.MethodPost, "/api/v1/admins", e.token, map[string]any{"email": "SECOND@example.com", "name": "Again",
			"password": "second-pass", "role_id": e.admin.RoleID})
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "email")

		self := fmt.Sprintf("/api/v1/admins/%d", e.admin.ID)
		resp, data = e.request(http.MethodPatch, self, e.token, map[string]any{"active": false})
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "active")
		resp, data = e.request(http.MethodPatch, self, e.token, map[string]any{"role_id": support.ID})
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "role_id")
		e.staff(http.MethodPatch, self, map[string]any{"name": "Renamed", "role_id": e.admin.RoleID, "active": true}, http.StatusOK, nil)

		// Another admin may do what the admin may not do to themselves.
		tok := e.login("second@example.com", "second-pass")
		e.call(http.MethodPatch, self, tok, map[string]any{"role_id": support.ID}, http.StatusOK, nil)
		e.call(http.MethodPatch, self, tok, map[string]any{"active": false}, http.StatusOK, nil)
		resp, data = e.request(http.MethodGet, "/api/v1/clients", e.token, nil)
		e.wantError(resp, data, http.StatusUnauthorized, links.EUNAUTHORIZED, "")
	})
}

// Roles can be renamed, given other permissions (effective at once for
// their admins) and deleted when nobody holds them; the built-in role and an
// admin's own manage_admins stay.
func TestRolesCanBeChangedAndDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var support, other links.Role
		e.staff(http.MethodPost, "/api/v1/roles", map[string]any{"name": "Support", "permissions": []string{"manage_clients"}}, http.StatusCreated, &support)
		e.staff(http.MethodPost, "/api/v1/roles", map[string]any{"name": "Other", "permissions": []string{}}, http.StatusCreated, &other)
		e.staff(http.MethodPost, "/api/v1/admins", map[string]any{"email": "sup@example.com", "name": "Sup", "password": "support-pass",
			"role_id": support.ID}, http.StatusCreated, nil)
		tok := e.login("sup@example.com", "support-pass")
		resp, data := e.request(http.MethodGet, "/api/v1/servers", tok, nil)
		e.wantError(resp, data, http.StatusForbidden, links.EFORBIDDEN, "")

		path := fmt.Sprintf("/api/v1/roles/%d", support.ID)
		var changed links.Role
		e.staff(http.MethodPatch, path, map[string]any{"name": "Support desk", "permissions": []string{"manage_clients", "manage_servers"}}, http.StatusOK, &changed)
		if changed.Name != "Support desk" || !slices.Equal(changed.Permissions, []string{"manage_clients", "manage_servers"}) {
			t.Fatalf("changed role %+v", changed)
		}
		e.call(http.MethodGet, "/api/v1/servers", tok, nil, http.StatusOK, nil) // at once, same token

		resp, data = e.request(http.MethodPatch, path, e.token, map[string]any{"name": "Other"})
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "name")
		resp, data = e.request(http.MethodPatch, path, e.token, map[string]any{"permissions": []string{"fly"}})
		e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "permissions")
		full := fmt.Sprintf("/api/v1/roles/%d", e.admin.RoleID)
		resp, data = e.request(http.MethodPatch, full, e.token, map[string]any{"name": "Boss"})
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")
		resp, data = e.request(http.MethodDelete, full, e.token, nil)
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")

		// In use: refused; unused: deleted.
		resp, data = e.request(http.MethodDelete, path, e.token, nil)
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")
		e.staff(http.MethodDelete, fmt.Sprintf("/api/v1/roles/%d", other.ID), nil, http.StatusNoContent, nil)
		resp, data = e.request(http.MethodDelete, fmt.Sprintf("/api/v1/roles/%d", other.ID), e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")

		// An admin whose role manages staff cannot take that away from it.
		var staffRole links.Role
		e.staff(http.MethodPost, "/api/v1/roles", map[string]any{"name": "Staff", "permissions": []string{"manage_admins"}}, http.StatusCreated, &staffRole)
		e.staff(http.MethodPost, "/api/v1/admins", map[string]any{"email": "lead@example.com", "name": "Lead", "password": "lead-password",
			"role_id": staffRole.ID}, http.StatusCreated, nil)
		lead := e.login("lead@example.com", "lead-password")
		resp, data = e.request(http.MethodPatch, fmt.Sprintf("/api/v1/roles/%d", staffRole.ID), lead, map[string]any{"permissions": []string{"manage_clients"}})
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "permissions")
		e.call(http.MethodPatch, fmt.Sprintf("/api/v1/roles/%d", staffRole.ID), e.token, map[string]any{"permissions": []string{"manage_clients"}}, http.StatusOK, nil)
	})
}

func TestClientsUsersAndServicesLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var srv links.Server
		e.staff(http.MethodPost, "/api/v1/servers", serverBody("cp1", "cp1.example.com"), http.StatusCreated, &srv)
		var c links.Client
		data := e.staff(http.MethodPost, "/api/v1/clients", map[string]any{"name": "Acme", "email": "billing@acme.test",
			"owner": map[string]any{"email": "jane@acme.test", "name": "Jane", "password": "password-1"}}, http.StatusCreated, &c)
		if !c.AllowSSO || c.Status != "Active" || strings.Contains(string(data), "password") {
			t.Fatalf("client: %s", data)
		}
		var m links.Membership
		e.staff(http.MethodPost, fmt.Sprintf("/api/v1/clients/%d/users", c.ID), map[string]any{"email": "dev@acme.test", "name": "Dev", "password": "password-2"}, http.StatusCreated, &m)
		if m.Owner || !m.Has(links.UserPermSSO) {
			t.Fatalf("new user: %+v", m)
		}
		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/clients/%d/users/%d", c.ID, m.UserID), map[string]any{"permissions": []string{"invoices"}}, http.StatusOK, &m)
		if m.Has(links.UserPermSSO) {
			t.Fatalf("sso not revoked: %+v", m)
		}
		var users []links.Membership
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/clients/%d/users", c.ID), nil, http.StatusOK, &users)
		if len(users) != 2 || !users[0].Owner || users[0].User.Email != "jane@acme.test" {
			t.Fatalf("users: %+v", users)
		}
		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/clients/%d", c.ID), map[string]any{"allow_sso": false}, http.StatusOK, &c)
		if c.AllowSSO {
			t.Fatal("allow_sso not switched off")
		}
		var clients rest.List[links.Client]
		e.staff(http.MethodGet, "/api/v1/clients?q=ACME", nil, http.StatusOK, &clients)
		if clients.Total != 1 {
			t.Fatalf("search clients: %+v", clients)
		}
		var svc links.Service
		e.staff(http.MethodPost, "/api/v1/services", map[string]any{"client_id": c.ID, "server_id": srv.ID, "username": "acme", "domain": "Acme.test", "status": "Active"}, http.StatusCreated, &svc)
		if svc.Domain != "acme.test" || svc.Module != "cpanel" {
			t.Fatalf("service: %+v", svc)
		}
		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/services/%d", svc.ID), map[string]any{"status": "Suspended"}, http.StatusOK, &svc)
		var services rest.List[links.Service]
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services?client_id=%d&status=Suspended", c.ID), nil, http.StatusOK, &services)
		if services.Total != 1 || services.Items[0].ID != svc.ID {
			t.Fatalf("services: %+v", services)
		}
		e.staff(http.MethodDelete, fmt.Sprintf("/api/v1/services/%d", svc.ID), nil, http.StatusNoContent, nil)
		e.staff(http.MethodDelete, fmt.Sprintf("/api/v1/servers/%d", srv.ID), nil, http.StatusNoContent, nil)
	})
}

func TestMetricsHandlerCountsTheRouterRequests(t *testing.T) {
	s := storetest.New(t, store.DialectSQLite)
	srv := rest.New(rest.Config{PublicURL: "http://127.0.0.1", JWTKey: testJWTKey},
		rest.Deps{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := srv.Handler()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	rec := httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `applinks_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
		t.Fatalf("metrics: %d %.500s", rec.Code, rec.Body.String())
	}
}

func TestHealthMetricsAndSPAFallback(t *testing.T) {
	s := storetest.New(t, store.DialectSQLite)
	e := newEnv(t, s)
	e.call(http.MethodGet, "/healthz", "", nil, http.StatusOK, nil)
	e.call(http.MethodGet, "/readyz", "", nil, http.StatusOK, nil)
	for _, p := range []string{"/", "/portal/invoices", "/settings/application-links"} {
		resp, data := e.request(http.MethodGet, p, "", nil)
		if resp.StatusCode != 200 || !strings.Contains(string(data), `id=root`) {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, data)
		}
		h := resp.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Cache-Control"), "no-cache") {
			t.Fatalf("%s: headers %v", p, h)
		}
	}
	resp, _ := e.request(http.MethodGet, "/assets/app-1a2b.js", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("asset: %d %v", resp.StatusCode, resp.Header)
	}
	// /metrics is served on its own listener (see MetricsHandler), not here.
	for _, p := range []string{"/api/v1/unknown", "/sso/unknown", "/assets/missing.js", "/metrics", "/metricsx"} {
		resp, data := e.request(http.MethodGet, p, "", nil)
		if p == "/metricsx" {
			if resp.StatusCode != 404 {
				t.Fatalf("%s: %d", p, resp.StatusCode)
			}
			continue
		}
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")
	}
	resp, data := e.request(http.MethodGet, "/api/docs/doc.json", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"swagger"`) {
		t.Fatalf("docs: %d", resp.StatusCode)
	}
}

func TestPasswordsAreNotStoredInPlainText(t *testing.T) {
	s := storetest.New(t, store.DialectSQLite)
	e := newEnv(t, s)
	e.staff(http.MethodPost, "/api/v1/clients", map[string]any{"name": "Acme", "email": "billing@acme.test",
		"owner": map[string]any{"email": "jane@acme.test", "name": "Jane", "password": "plain-owner-password"}}, http.StatusCreated, nil)
	for _, secretText := range []string{"plain-owner-password", adminPassword} {
		if found := storetest.FindPlaintext(t, s, secretText); len(found) > 0 {
			t.Fatalf("%q stored in plain text in %v", secretText, found)
		}
	}
	_ = secret.Hash
}
