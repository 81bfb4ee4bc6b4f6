package rest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/sso"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

// provEnv is a service under test with a running provisioning engine and
// one simulated cPanel server with a few accounts.
func provEnv(t *testing.T, st *store.Store) (*env, *whmsim.Server) {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sim := whmsim.New(quiet, whmsim.WithSeed(1))
	t.Cleanup(func() { _ = sim.Close() })
	var accts []whmsim.Account
	for i := 1; i <= 4; i++ {
		accts = append(accts, whmsim.Account{User: fmt.Sprintf("acct%d", i), Domain: fmt.Sprintf("acct%d.example.test", i)})
	}
	srv, err := sim.Start(whmsim.ServerConfig{Name: "cp1", Token: "TOKENCP1", Accounts: accts})
	if err != nil {
		t.Fatal(err)
	}
	panels := []links.Panel{whm.NewCPanel(whm.Options{AllowLoopback: true}), whm.NewWPSquared(whm.Options{AllowLoopback: true})}
	eng := provisioning.New(provisioning.Config{PublicURL: "https://billing.example.test", PollInterval: 50 * time.Millisecond,
		RetryBase: 10 * time.Millisecond}, st, panels, quiet, nil)
	eng.Start(ctx)
	t.Cleanup(func() { _ = eng.Stop(context.Background()) })
	e := newEnv(t, st, func(_ *rest.Config, d *rest.Deps) {
		d.Provisioning, d.Lifecycle, d.Panels = eng, eng, panels
		d.SSO = sso.New(st, sso.Config{PublicURL: "https://billing.example.test", Logger: quiet})
	})
	return e, srv
}

func (e *env) addSimServer(srv *whmsim.Server) int64 {
	e.t.Helper()
	var out links.Server
	e.staff(http.MethodPost, "/api/v1/servers", map[string]any{
		"module": "cpanel", "name": srv.Name(), "hostname": srv.Host(), "port": srv.Port(), "secure": false,
		"verify_tls": false, "api_token": srv.Token()}, http.StatusCreated, &out)
	var client links.Client
	e.staff(http.MethodPost, "/api/v1/clients", map[string]any{"name": "Acme", "email": "billing@acme.test",
		"owner": map[string]string{"email": "jane@acme.test", "name": "Jane", "password": "jane-password-1"}}, http.StatusCreated, &client)
	for _, a := range srv.Accounts() {
		e.staff(http.MethodPost, "/api/v1/services", map[string]any{"client_id": client.ID, "server_id": out.ID,
			"username": a.User, "domain": a.Domain, "status": "Active"}, http.StatusCreated, nil)
	}
	return out.ID
}

func (e *env) waitState(module, state string) links.ApplicationStatus {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var st links.ApplicationStatus
		e.staff(http.MethodGet, "/api/v1/applications/"+module+"/status", nil, http.StatusOK, &st)
		if st.State == state && (st.Operation == nil || !st.Operation.Open()) {
			return st
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("status %+v, want %s", st, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestApplicationLinksEndpointsNeedThePermission(t *testing.T) {
	e, _ := provEnv(t, storetest.New(t, store.DialectSQLite))
	ctx := context.Background()
	role, err := e.store.CreateRole(ctx, "Support", []string{links.PermManageClients})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := secret.HashPassword("support-password-1", bcrypt.MinCost)
	if _, err := e.store.CreateAdmin(ctx, "support@example.com", "Support", hash, role.ID); err != nil {
		t.Fatal(err)
	}
	token := e.login("support@example.com", "support-password-1")
	for _, r := range [][2]string{
		{http.MethodGet, "/api/v1/applications"}, {http.MethodGet, "/api/v1/applications/cpanel"},
		{http.MethodPost, "/api/v1/applications/cpanel/enable"}, {http.MethodPost, "/api/v1/applications/cpanel/disable"},
		{http.MethodGet, "/api/v1/applications/cpanel/links"}, {http.MethodPut, "/api/v1/applications/cpanel/links"},
		{http.MethodGet, "/api/v1/applications/cpanel/status"}, {http.MethodGet, "/api/v1/applications/cpanel/log"},
		{http.MethodPost, "/api/v1/applications/cpanel/sync"}, {http.MethodGet, "/api/v1/operations"},
		{http.MethodGet, "/api/v1/operations/1"}, {http.MethodPost, "/api/v1/applications/cpanel/retry-failed"},
		{http.MethodPost, "/api/v1/applications/cpanel/verify"}, {http.MethodPost, "/api/v1/applications/cpanel/rotate-link-secrets"},
		{http.MethodPost, "/api/v1/services/1/rotate-link-secret"},
		{http.MethodPost, "/api/v1/servers/1/sync"}, {http.MethodPost, "/api/v1/services/1/sync"},
	} {
		resp, data := e.request(r[0], r[1], token, nil)
		e.wantError(resp, data, http.StatusForbidden, links.EFORBIDDEN, "")
		resp, data = e.request(r[0], r[1], "", nil)
		e.wantError(resp, data, http.StatusUnauthorized, links.EUNAUTHORIZED, "")
	}
}

func TestApplicationLinksThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, srv := provEnv(t, st)

		var apps []links.ApplicationView
		e.staff(http.MethodGet, "/api/v1/applications", nil, http.StatusOK, &apps)
		if len(apps) != 2 || apps[0].Module != "cpanel" || apps[0].Enabled || apps[0].Status.State != links.StateDisabled {
			t.Fatalf("applications = %+v", apps)
		}
		resp, data := e.request(http.MethodGet, "/api/v1/applications/plesk", e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")

		// No active server yet: 409 naming the application.
		resp, data = e.request(http.MethodPost, "/api/v1/applications/cpanel/enable", e.token, nil)
		body := e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")
		if !strings.Contains(body.Error.Message, "You can't enable Application Links for cPanel & WHM until you configure at least one active server") {
			t.Errorf("message = %q", body.Error.Message)
		}
		resp, data = e.request(http.MethodPost, "/api/v1/applications/cpanel/disable", e.token, nil)
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")

		serverID := e.addSimServer(srv)

		// Links: saved while disabled, nothing queued.
		var ls []links.Link
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/links", nil, http.StatusOK, &ls)
		if len(ls) != 14 || ls[0].Key != "upgrade" || ls[0].Label != "Upgrade/Downgrade" || !ls[0].Enabled || ls[0].Order != 1 {
			t.Fatalf("links = %+v", ls)
		}
		in := make([]map[string]any, len(ls))
		for i, l := range ls {
			in[i] = map[string]any{"key": l.Key, "label": l.Label, "enabled": l.Enabled, "order": l.Order}
		}
		in[13]["enabled"] = false
		in[0]["label"] = "Change Plan"
		var saved rest.LinksAnswer
		e.staff(http.MethodPut, "/api/v1/applications/cpanel/links", in, http.StatusOK, &saved)
		if saved.Operation != nil || saved.Links[0].Label != "Change Plan" {
			t.Fatalf("saved = %+v", saved)
		}

		// Bad input: 400 naming the field.
		badCases := []struct {
			name  string
			mut   func(in []map[string]any) any
			field string
		}{
			{"apostrophe", func(in []map[string]any) any { in[0]["label"] = "Client's area"; return in }, "links[0].label"},
			{"too long", func(in []map[string]any) any { in[0]["label"] = strings.Repeat("é", 65); return in }, "links[0].label"},
			{"empty label", func(in []map[string]any) any { in[2]["label"] = " "; return in }, "links[2].label"},
			{"negative order", func(in []map[string]any) any { in[1]["order"] = -3; return in }, "links[1].order"},
			{"duplicate order", func(in []map[string]any) any { in[1]["order"] = in[0]["order"]; return in }, "links[1].order"},
			{"unknown key", func(in []map[string]any) any { in[3]["key"] = "webmail"; return in }, "links[3].key"},
			{"duplicate key", func(in []map[string]any) any { in[3]["key"] = in[2]["key"]; return in }, "links[3].key"},
			{"missing key", func(in []map[string]any) any { return in[:13] }, "links"},
			{"unknown field", func(in []map[string]any) any { in[0]["icon"] = "x"; return in }, "icon"},
			{"not a list", func(in []map[string]any) any { return map[string]any{"links": in} }, ""},
		}
		for _, tc := range badCases {
			fresh := make([]map[string]any, len(in))
			for i, m := range in {
				fresh[i] = map[string]any{}
				for k, v := range m {
					fresh[i][k] = v
				}
			}
			resp, data := e.request(http.MethodPut, "/api/v1/applications/cpanel/links", e.token, tc.mut(fresh))
			e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, tc.field)
		}
		resp, data = e.request(http.MethodPut, "/api/v1/applications/nope/links", e.token, in)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")

		// Enable: 202 with the activation, then active.
		var op links.Operation
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/enable", nil, http.StatusAccepted, &op)
		if op.Kind != links.OpActivation || op.Module != "cpanel" || op.StartedBy != adminEmail {
			t.Fatalf("operation = %+v", op)
		}
		resp, data = e.request(http.MethodPost, "/api/v1/applications/cpanel/enable", e.token, nil)
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")
		status := e.waitState("cpanel", links.StateActive)
		if status.AccountsDone != 4 || status.ServersSupport != 1 || status.Operation.ID != op.ID {
			t.Fatalf("status = %+v", status)
		}
		if got := srv.Links("acct1"); len(got) != 13 {
			t.Fatalf("acct1 has %d links, want 13", len(got))
		}

		// ETag and 304.
		resp, _ = e.request(http.MethodGet, "/api/v1/applications/cpanel/status", e.token, nil)
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		resp, data = e.request(http.MethodGet, "/api/v1/applications/cpanel/status", e.token, nil, "If-None-Match", etag)
		if resp.StatusCode != http.StatusNotModified || len(data) != 0 {
			t.Fatalf("If-None-Match: %d %s", resp.StatusCode, data)
		}
		resp, _ = e.request(http.MethodGet, "/api/v1/applications/cpanel/status", e.token, nil, "If-None-Match", `"other"`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("stale ETag: %d", resp.StatusCode)
		}

		// Log: filters and paging.
		var log rest.List[links.LogEntry]
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?level=debug&order=oldest", nil, http.StatusOK, &log)
		if log.Total != 4 || log.Items[0].Level != links.LevelDebug || !strings.Contains(log.Items[0].Message, "Started activation") {
			t.Fatalf("log = %+v", log)
		}
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/applications/cpanel/log?server_id=%d&per_page=1&page=2&order=oldest", serverID), nil, http.StatusOK, &log)
		if log.Total != 2 || len(log.Items) != 1 || *log.Items[0].ServerID != serverID || !strings.Contains(log.Items[0].Message, "Finished server cp1") {
			t.Fatalf("server log = %+v", log)
		}
		resp, data = e.request(http.MethodGet, "/api/v1/applications/cpanel/log?level=error", e.token, nil)
		e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "level")
		resp, data = e.request(http.MethodGet, "/api/v1/applications/cpanel/log?server_id=x", e.token, nil)
		e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "server_id")

		// Save while enabled: 202 with a configuration; then a sync.
		in[13]["enabled"] = true
		e.staff(http.MethodPut, "/api/v1/applications/cpanel/links", in, http.StatusAccepted, &saved)
		if saved.Operation == nil || saved.Operation.Kind != links.OpConfiguration {
			t.Fatalf("saved = %+v", saved)
		}
		e.waitState("cpanel", links.StateActive)
		if got := srv.Links("acct1"); len(got) != 14 {
			t.Fatalf("acct1 has %d links, want 14", len(got))
		}
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/sync", nil, http.StatusAccepted, &op)
		if op.Kind != links.OpRepair {
			t.Fatalf("sync = %+v", op)
		}
		e.waitState("cpanel", links.StateActive)

		// Operations: history and breakdown.
		var ops rest.List[links.Operation]
		e.staff(http.MethodGet, "/api/v1/operations?module=cpanel&per_page=2", nil, http.StatusOK, &ops)
		if ops.Total != 3 || len(ops.Items) != 2 || ops.Items[0].ID != op.ID {
			t.Fatalf("operations = %+v", ops)
		}
		resp, data = e.request(http.MethodGet, "/api/v1/operations?module=plesk", e.token, nil)
		e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "module")
		var detail links.OperationDetail
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/operations/%d", op.ID), nil, http.StatusOK, &detail)
		if len(detail.Servers) != 1 || detail.Servers[0].ServerName != "cp1" || detail.Servers[0].AccountsDone != 4 || detail.Servers[0].State != links.TaskDone {
			t.Fatalf("detail = %+v", detail)
		}
		resp, data = e.request(http.MethodGet, "/api/v1/operations/99999", e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")

		// A new service gets its links through the lifecycle hook.
		if err := srv.AddAccount(whmsim.Account{User: "late", Domain: "late.example.test"}); err != nil {
			t.Fatal(err)
		}
		e.staff(http.MethodPost, "/api/v1/services", map[string]any{"client_id": 1, "server_id": serverID,
			"username": "late", "domain": "late.example.test", "status": "Active"}, http.StatusCreated, nil)
		deadline := time.Now().Add(30 * time.Second)
		for len(srv.Links("late")) != 14 {
			if time.Now().After(deadline) {
				t.Fatalf("late has %d links", len(srv.Links("late")))
			}
			time.Sleep(20 * time.Millisecond)
		}

		// Disable: 202, then disabled and no link left.
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/disable", nil, http.StatusAccepted, &op)
		if op.Kind != links.OpDeactivation {
			t.Fatalf("disable = %+v", op)
		}
		e.waitState("cpanel", links.StateDisabled)
		for _, a := range srv.Accounts() {
			if len(srv.Links(a.User)) != 0 || len(srv.Groups(a.User)) != 0 {
				t.Fatalf("%s still has links", a.User)
			}
		}
	})
}
