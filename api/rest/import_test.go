package rest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

// importEnv starts a simulated server with accounts and a router that may
// reach it; the server is added, with Acme (owner jane, user dev) and two
// services already known: "known" and "same".
func importEnv(t *testing.T, s *store.Store, accts []whmsim.Account) (*env, *whmsim.Server, int64) {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sim := whmsim.New(quiet, whmsim.WithSeed(1))
	t.Cleanup(func() { _ = sim.Close() })
	cp, err := sim.Start(whmsim.ServerConfig{Name: "cp1", Token: "TOKENCP1", Accounts: accts})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, s, func(_ *rest.Config, d *rest.Deps) {
		d.Panels = []links.Panel{whm.NewCPanel(whm.Options{AllowLoopback: true}), whm.NewWPSquared(whm.Options{AllowLoopback: true})}
	})
	var srv links.Server
	e.staff(http.MethodPost, "/api/v1/servers", map[string]any{"module": "cpanel", "name": "cp1", "hostname": cp.Host(),
		"port": cp.Port(), "secure": false, "verify_tls": false, "api_token": "TOKENCP1"}, http.StatusCreated, &srv)
	acme, _ := e.newClientWithUser("acme")
	for _, svc := range []map[string]any{{"username": "known", "domain": "old.example"}, {"username": "same", "domain": "same.example"}} {
		svc["client_id"], svc["server_id"], svc["status"] = acme.ID, srv.ID, "Active"
		e.staff(http.MethodPost, "/api/v1/services", svc, http.StatusCreated, nil)
	}
	return e, cp, srv.ID
}

// importAccounts are the simulated accounts of TestImportServer, one of
// each kind.
var importAccounts = []whmsim.Account{
	{User: "alice", Domain: "alice.example", Email: "Alice@alice.example"},           // new client
	{User: "carl", Domain: "carl.example", Email: "carl@shared.example"},             // new client
	{User: "carl2", Domain: "carl2.example", Email: "carl@shared.example"},           // new service under carl's client
	{User: "bob", Domain: "bob.example", Email: "jane@acme.test", Suspended: true},   // new service under Acme
	{User: "devacct", Domain: "dev.example", Email: "dev@acme.test"},                 // conflict: dev owns no client
	{User: "known", Domain: "new.example", Email: "jane@acme.test", Suspended: true}, // updated
	{User: "same", Domain: "same.example", Email: "somebody@else.example"},           // unchanged
}

// importCounts is what an import answers, without its rows.
func importCounts(r links.ImportResult) string {
	return fmt.Sprintf("accounts=%d new_clients=%d new_services=%d updated=%d unchanged=%d conflicts=%d",
		r.Accounts, r.NewClients, r.NewServices, r.Updated, r.Unchanged, r.Conflicts)
}

// footprint is what the database holds that an import may change.
func (e *env) footprint(serverID int64) string {
	e.t.Helper()
	var svcs rest.List[links.Service]
	e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services?per_page=100&server_id=%d", serverID), nil, http.StatusOK, &svcs)
	var clients, audit rest.List[map[string]any]
	e.staff(http.MethodGet, "/api/v1/clients", nil, http.StatusOK, &clients)
	e.staff(http.MethodGet, "/api/v1/audit", nil, http.StatusOK, &audit)
	out := fmt.Sprintf("clients=%d audit=%d", clients.Total, audit.Total)
	for _, s := range svcs.Items {
		out += fmt.Sprintf(" %s/%d/%s/%s", s.Username, s.ClientID, s.Domain, s.Status)
	}
	return out
}

func TestImportServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e, _, id := importEnv(t, s, importAccounts)
		path := fmt.Sprintf("/api/v1/servers/%d/import", id)
		before := e.footprint(id)

		var dry links.ImportResult
		e.staff(http.MethodPost, path, map[string]any{"dry_run": true, "match": "email"}, http.StatusOK, &dry)
		const want = "accounts=7 new_clients=2 new_services=2 updated=1 unchanged=1 conflicts=1"
		if got := importCounts(dry); got != want || !dry.DryRun || len(dry.Rows) != 7 {
			t.Fatalf("dry run = %s (%d rows), want %s", got, len(dry.Rows), want)
		}
		if got := e.footprint(id); got != before {
			t.Fatalf("the dry run wrote:\n%s\nwas\n%s", got, before)
		}

		var res links.ImportResult
		e.staff(http.MethodPost, path, map[string]any{"dry_run": false}, http.StatusOK, &res)
		if got := importCounts(res); got != want || res.DryRun {
			t.Fatalf("real run = %s, want %s", got, want)
		}
		// Every write is audited: 2 owners, 2 clients, 4 services and 1
		// update, beside the setup's Jane, Dev, Acme and its 2 services.
		audited := map[string]int{}
		for _, r := range e.auditTrail("") {
			audited[r.Resource+" "+r.Action]++
		}
		if audited["user create"] != 4 || audited["client create"] != 3 || audited["service create"] != 6 || audited["service update"] != 1 {
			t.Fatalf("audit trail: %v", audited)
		}
		rows := map[string]links.ImportRow{}
		for _, r := range res.Rows {
			rows[r.Username] = r
		}
		if r := rows["devacct"]; r.Kind != links.ImportConflict || r.Reason == "" || r.ServiceID != 0 {
			t.Fatalf("dev's account: %+v", r)
		}
		if rows["carl2"].ClientID != rows["carl"].ClientID || rows["bob"].ClientID != rows["known"].ClientID {
			t.Fatalf("accounts of one e-mail went to different clients: %+v", rows)
		}
		var alice links.Client
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/clients/%d", rows["alice"].ClientID), nil, http.StatusOK, &alice)
		if alice.Name != "alice.example" || alice.Status != links.ClientActive {
			t.Fatalf("alice's client: %+v", alice)
		}
		if _, hash, err := s.UserCredentials(ctx, "alice@alice.example"); err != nil || hash != "" {
			t.Fatalf("alice's owner: hash %q, %v; want a user without a password", hash, err)
		}
		var svc links.Service
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services/%d", rows["known"].ServiceID), nil, http.StatusOK, &svc)
		if svc.Domain != "new.example" || svc.Status != links.ServiceSuspended {
			t.Fatalf("the known account was not updated: %+v", svc)
		}
		// The new services are written as CreateService writes them: each
		// has its location for the reconciler.
		states, err := s.LinkStatePage(ctx, id, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(states) != 6 {
			t.Fatalf("link states = %+v, want the 6 accounts imported or known", states)
		}

		after := e.footprint(id)
		var again links.ImportResult
		e.staff(http.MethodPost, path, map[string]any{"dry_run": false}, http.StatusOK, &again)
		if got := importCounts(again); got != "accounts=7 new_clients=0 new_services=0 updated=0 unchanged=6 conflicts=1" {
			t.Fatalf("second run = %s", got)
		}
		if got := e.footprint(id); got != after {
			t.Fatalf("the second run changed something:\n%s\nwas\n%s", got, after)
		}
	})
}

// TestImportResumes checks that a run cut short after some chunks is
// finished by the next one, without duplicates.
func TestImportResumes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, _, id := importEnv(t, s, importAccounts)
		// What a crash after the first accounts' transaction leaves.
		prefix := []links.PanelAccount{{Username: "alice", Domain: "alice.example", Email: "alice@alice.example"},
			{Username: "carl", Domain: "carl.example", Email: "carl@shared.example"}}
		if _, err := s.ImportAccounts(context.Background(), id, prefix, false); err != nil {
			t.Fatal(err)
		}
		var res links.ImportResult
		e.staff(http.MethodPost, fmt.Sprintf("/api/v1/servers/%d/import", id), map[string]any{}, http.StatusOK, &res)
		if got := importCounts(res); got != "accounts=7 new_clients=0 new_services=2 updated=1 unchanged=3 conflicts=1" {
			t.Fatalf("resumed run = %s", got)
		}
		var clients rest.List[links.Client]
		e.staff(http.MethodGet, "/api/v1/clients", nil, http.StatusOK, &clients)
		if clients.Total != 3 { // acme, alice.example, carl.example
			t.Fatalf("clients after the resumed run = %d, want 3", clients.Total)
		}
	})
}

func TestImportRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, cp, id := importEnv(t, s, importAccounts)
		path := fmt.Sprintf("/api/v1/servers/%d/import", id)
		before := e.footprint(id)

		resp, data := e.request(http.MethodPost, path, e.token, map[string]any{"match": "name"})
		e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "match")
		resp, data = e.request(http.MethodPost, "/api/v1/servers/999/import", e.token, map[string]any{})
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")

		if err := cp.SetFaults(whmsim.Faults{HTMLRate: 1}); err != nil {
			t.Fatal(err)
		}
		resp, data = e.request(http.MethodPost, path, e.token, map[string]any{})
		e.wantError(resp, data, http.StatusServiceUnavailable, links.EUNAVAILABLE, "")
		if err := cp.SetFaults(whmsim.Faults{Refuse: true}); err != nil {
			t.Fatal(err)
		}
		resp, data = e.request(http.MethodPost, path, e.token, map[string]any{})
		e.wantError(resp, data, http.StatusServiceUnavailable, links.EUNAVAILABLE, "")
		if err := cp.SetFaults(whmsim.Faults{}); err != nil {
			t.Fatal(err)
		}
		if got := e.footprint(id); got != before {
			t.Fatalf("a refused import wrote:\n%s\nwas\n%s", got, before)
		}

		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/servers/%d", id), map[string]any{"active": false}, http.StatusOK, nil)
		resp, data = e.request(http.MethodPost, path, e.token, map[string]any{})
		e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")
		var svcs rest.List[links.Service]
		e.staff(http.MethodGet, "/api/v1/services", nil, http.StatusOK, &svcs)
		if svcs.Total != 2 {
			t.Fatalf("services after the refused imports = %d, want the 2 known", svcs.Total)
		}
	})
}

func TestImportEmptyServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, _, id := importEnv(t, s, nil)
		before := e.footprint(id)
		var res links.ImportResult
		e.staff(http.MethodPost, fmt.Sprintf("/api/v1/servers/%d/import", id), map[string]any{}, http.StatusOK, &res)
		if res.Accounts != 0 || res.Message == "" {
			t.Fatalf("empty server: %+v", res)
		}
		if got := e.footprint(id); got != before {
			t.Fatalf("an empty import wrote:\n%s\nwas\n%s", got, before)
		}
	})
}
