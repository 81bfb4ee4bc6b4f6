package rest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/imports"
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

// runImport starts a real import through the API and works it as the
// service's runner would (Drain), then answers the job as GET reports it.
func (e *env) runImport(serverID int64) links.ImportJob {
	e.t.Helper()
	path := fmt.Sprintf("/api/v1/servers/%d/import", serverID)
	var queued, job links.ImportJob
	e.staff(http.MethodPost, path, map[string]any{"dry_run": false}, http.StatusAccepted, &queued)
	if queued.ID == 0 || queued.State != links.ImportJobQueued || queued.Done != 0 || queued.Total == 0 {
		e.t.Fatalf("queued job: %+v", queued)
	}
	if n := imports.New(e.store, imports.Config{}).Drain(context.Background()); n != 1 {
		e.t.Fatalf("the runner worked %d jobs, want 1", n)
	}
	e.staff(http.MethodGet, path, nil, http.StatusOK, &job)
	if job.ID != queued.ID || job.State != links.ImportJobDone {
		e.t.Fatalf("job after the run: %+v", job)
	}
	return job
}

// jobCounts is what an import job answers, without its rows.
func jobCounts(j links.ImportJob) string {
	return fmt.Sprintf("accounts=%d new_clients=%d new_services=%d updated=%d unchanged=%d conflicts=%d",
		j.Done, j.NewClients, j.NewServices, j.Updated, j.Unchanged, j.Conflicts)
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

		job := e.runImport(id)
		if got := jobCounts(job); got != want || job.Total != 7 || job.StartedBy != adminEmail {
			t.Fatalf("real run = %s (%+v), want %s", got, job, want)
		}
		// Every write is audited, as made by the admin who started the
		// job: 2 owners with their memberships, 2 clients, 4 services and
		// 1 update, beside the setup's Jane, Dev (and their memberships),
		// Acme and its 2 services.
		audited := map[string]int{}
		for _, r := range e.auditTrail("") {
			audited[r.Resource+" "+r.Action]++
			if r.ActorName != adminEmail {
				t.Fatalf("record %+v is not the admin's", r)
			}
		}
		if audited["user create"] != 4 || audited["client create"] != 3 || audited["membership create"] != 4 ||
			audited["service create"] != 6 || audited["service update"] != 1 || audited["import create"] != 1 {
			t.Fatalf("audit trail: %v", audited)
		}
		if len(job.ConflictRows) != 1 {
			t.Fatalf("conflict rows: %+v", job.ConflictRows)
		}
		if r := job.ConflictRows[0]; r.Username != "devacct" || r.Reason == "" || r.ServiceID != 0 {
			t.Fatalf("dev's account: %+v", r)
		}
		svcs := map[string]links.Service{}
		var list rest.List[links.Service]
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services?per_page=100&server_id=%d", id), nil, http.StatusOK, &list)
		for _, svc := range list.Items {
			svcs[svc.Username] = svc
		}
		if svcs["carl2"].ClientID != svcs["carl"].ClientID || svcs["bob"].ClientID != svcs["known"].ClientID {
			t.Fatalf("accounts of one e-mail went to different clients: %+v", svcs)
		}
		var alice links.Client
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/clients/%d", svcs["alice"].ClientID), nil, http.StatusOK, &alice)
		if alice.Name != "alice.example" || alice.Status != links.ClientActive {
			t.Fatalf("alice's client: %+v", alice)
		}
		if _, hash, err := s.UserCredentials(ctx, "alice@alice.example"); err != nil || hash != "" {
			t.Fatalf("alice's owner: hash %q, %v; want a user without a password", hash, err)
		}
		if svc := svcs["known"]; svc.Domain != "new.example" || svc.Status != links.ServiceSuspended {
			t.Fatalf("the known account was not updated: %+v", svc)
		}
		// The new services are written as CreateService writes them: each
		// has its location for the reconciler.
		states, err := s.LinkStatePage(ctx, links.Walk{ServerID: id}, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(states) != 6 {
			t.Fatalf("link states = %+v, want the 6 accounts imported or known", states)
		}

		records := len(e.auditTrail(""))
		after := e.footprint(id)
		again := e.runImport(id)
		if got := jobCounts(again); got != "accounts=7 new_clients=0 new_services=0 updated=0 unchanged=6 conflicts=1" {
			t.Fatalf("second run = %s", got)
		}
		// Nothing changed: only the second job's own record is new.
		unchanged := strings.Replace(after, fmt.Sprintf("audit=%d", records), fmt.Sprintf("audit=%d", records+1), 1)
		if got := e.footprint(id); got != unchanged {
			t.Fatalf("the second run changed something:\n%s\nwant\n%s", got, unchanged)
		}
	})
}

// TestImportJobProgress follows a real run: queued (and reported so) until
// a runner works it, one at a time per server, then done.
func TestImportJobProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, _, id := importEnv(t, s, importAccounts)
		path := fmt.Sprintf("/api/v1/servers/%d/import", id)
		resp, data := e.request(http.MethodGet, path, e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")
		resp, data = e.request(http.MethodGet, "/api/v1/servers/999/import", e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")

		var queued, seen links.ImportJob
		e.staff(http.MethodPost, path, map[string]any{}, http.StatusAccepted, &queued)
		e.staff(http.MethodGet, path, nil, http.StatusOK, &seen)
		if seen.ID != queued.ID || seen.State != links.ImportJobQueued || seen.Total != 7 || seen.Done != 0 || seen.StartedAt != nil {
			t.Fatalf("queued job as reported: %+v", seen)
		}
		resp, data = e.request(http.MethodPost, path, e.token, map[string]any{})
		body := e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, "")
		if !strings.Contains(body.Error.Message, "wait for it to finish") {
			t.Fatalf("second import: %s", body.Error.Message)
		}
		// A dry run is fine meanwhile: it writes nothing.
		e.staff(http.MethodPost, path, map[string]any{"dry_run": true}, http.StatusOK, nil)

		if n := imports.New(s, imports.Config{}).Drain(context.Background()); n != 1 {
			t.Fatalf("worked %d jobs, want 1", n)
		}
		e.staff(http.MethodGet, path, nil, http.StatusOK, &seen)
		if seen.State != links.ImportJobDone || seen.Done != 7 || seen.StartedAt == nil || seen.FinishedAt == nil {
			t.Fatalf("finished job: %+v", seen)
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
