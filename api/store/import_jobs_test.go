package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// importer is the staff member the tests' imports are started by.
var importer = links.Actor{Kind: links.ActorAdmin, ID: 1, Name: "staff@example.test", IP: "192.0.2.1"}

// t0 is the tests' clock: claims and leases are given their times, never
// read from the wall clock.
var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

const leaseTTL = 30 * time.Second

// runImport starts the import of accts as importer and works it to its end
// as one worker would.
func runImport(t *testing.T, s *store.Store, serverID int64, accts []links.PanelAccount) links.ImportJob {
	t.Helper()
	ctx := context.Background()
	job, err := s.CreateImportJob(links.WithActor(ctx, importer), serverID, accts)
	if err != nil {
		t.Fatal(err)
	}
	claimed, ok, err := s.ClaimImportJob(ctx, "worker", t0, leaseTTL)
	if err != nil || !ok || claimed.ID != job.ID {
		t.Fatalf("claim = %+v, %v, %v; want job %d", claimed, ok, err, job.ID)
	}
	for !job.Finished() {
		if job, err = s.ImportJobStep(ctx, job.ID, "worker", t0, leaseTTL); err != nil {
			t.Fatal(err)
		}
	}
	return job
}

// jobCounts is what a job says of its progress.
func jobCounts(j links.ImportJob) string {
	return fmt.Sprintf("%s %d/%d new_clients=%d new_services=%d updated=%d unchanged=%d conflicts=%d",
		j.State, j.Done, j.Total, j.NewClients, j.NewServices, j.Updated, j.Unchanged, j.Conflicts)
}

// manyAccounts are n accounts with an e-mail of their own each.
func manyAccounts(n int) []links.PanelAccount {
	accts := make([]links.PanelAccount, n)
	for i := range accts {
		accts[i] = links.PanelAccount{Username: fmt.Sprintf("acct%d", i), Domain: fmt.Sprintf("d%d.example.test", i),
			Email: fmt.Sprintf("owner%d@example.test", i)}
	}
	return accts
}

// TestImportJobResumesAfterCrash kills a worker after its first chunk
// (it simply never comes back): while its lease runs nobody else takes the
// job, then another worker finishes it from the cursor, the dead worker's
// late step is refused without writing, and nothing is duplicated.
func TestImportJobResumesAfterCrash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		accts := manyAccounts(1200) // three chunks
		job, err := s.CreateImportJob(links.WithActor(ctx, importer), srv.ID, accts)
		if err != nil {
			t.Fatal(err)
		}
		if got := jobCounts(job); got != "queued 0/1200 new_clients=0 new_services=0 updated=0 unchanged=0 conflicts=0" {
			t.Fatalf("new job: %s", got)
		}
		if _, ok, err := s.ClaimImportJob(ctx, "a", t0, leaseTTL); !ok || err != nil {
			t.Fatalf("worker a's claim: %v, %v", ok, err)
		}
		if job, err = s.ImportJobStep(ctx, job.ID, "a", t0, leaseTTL); err != nil {
			t.Fatal(err)
		}
		if got := jobCounts(job); got != "running 500/1200 new_clients=500 new_services=0 updated=0 unchanged=0 conflicts=0" {
			t.Fatalf("after a's first chunk: %s", got)
		}
		// Worker a dies here. Its lease still runs: b finds nothing.
		if _, ok, err := s.ClaimImportJob(ctx, "b", t0.Add(leaseTTL-time.Second), leaseTTL); ok || err != nil {
			t.Fatalf("b claimed a leased job: %v, %v", ok, err)
		}
		later := t0.Add(leaseTTL + time.Second)
		resumed, ok, err := s.ClaimImportJob(ctx, "b", later, leaseTTL)
		if !ok || err != nil || resumed.Done != 500 || resumed.State != links.ImportJobRunning {
			t.Fatalf("b's claim after the lease: %+v, %v, %v", resumed, ok, err)
		}
		// a's step, late: refused, nothing written.
		if _, err := s.ImportJobStep(ctx, job.ID, "a", later, leaseTTL); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("a's late step: %v, want the lease lost", err)
		}
		if _, err := s.FailImportJob(ctx, job.ID, "a", "late", later); !errors.Is(err, links.ErrLeaseLost) {
			t.Fatalf("a's late failure: %v, want the lease lost", err)
		}
		if got, _ := s.ImportJob(ctx, job.ID); got.Done != 500 || got.State != links.ImportJobRunning {
			t.Fatalf("a's late step wrote: %s", jobCounts(got))
		}
		for job = resumed; !job.Finished(); {
			if job, err = s.ImportJobStep(ctx, job.ID, "b", later, leaseTTL); err != nil {
				t.Fatal(err)
			}
		}
		if got := jobCounts(job); got != "done 1200/1200 new_clients=1200 new_services=0 updated=0 unchanged=0 conflicts=0" {
			t.Fatalf("finished job: %s", got)
		}
		if job.FinishedAt == nil || job.StartedAt == nil || !job.StartedAt.Equal(t0) || job.StartedBy != importer.Name {
			t.Fatalf("finished job: %+v", job)
		}
		_, clients, _ := s.ListClients(ctx, links.ClientFilter{})
		_, services, _ := s.ListServices(ctx, links.ServiceFilter{})
		if clients != 1200 || services != 1200 {
			t.Fatalf("clients %d, services %d; want 1200 each", clients, services)
		}
		if _, ok, _ := s.ClaimImportJob(ctx, "c", later.Add(time.Hour), leaseTTL); ok {
			t.Fatal("a finished job was claimed again")
		}
		if got := jobCounts(runImport(t, s, srv.ID, accts)); got != "done 1200/1200 new_clients=0 new_services=0 updated=0 unchanged=1200 conflicts=0" {
			t.Fatalf("a second import: %s", got)
		}
	})
}

// TestImportJobOnePerServer refuses a second import of a server while one
// is queued or running, and lets other servers import meanwhile.
func TestImportJobOnePerServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cp1 := newServer(t, s, "cp1", "cp1.example.com", true)
		cp2 := newServer(t, s, "cp2", "cp2.example.com", true)
		first, err := s.CreateImportJob(ctx, cp1.ID, manyAccounts(2))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateImportJob(ctx, cp1.ID, manyAccounts(2))
		if links.ErrorCode(err) != links.ECONFLICT || !strings.Contains(links.ErrorMessage(err), "still queued") {
			t.Fatalf("second import of cp1: %v, want a conflict", err)
		}
		if _, err := s.CreateImportJob(ctx, cp2.ID, manyAccounts(2)); err != nil {
			t.Fatalf("an import of cp2 meanwhile: %v", err)
		}
		if _, err := s.CreateImportJob(ctx, 999, manyAccounts(2)); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("import of an unknown server: %v", err)
		}
		if latest, err := s.LatestImportJob(ctx, cp1.ID); err != nil || latest.ID != first.ID {
			t.Fatalf("latest of cp1: %+v, %v", latest, err)
		}
		for range 2 {
			job, ok, err := s.ClaimImportJob(ctx, "w", t0, leaseTTL)
			if !ok || err != nil {
				t.Fatalf("claim: %v, %v", ok, err)
			}
			for !job.Finished() {
				if job, err = s.ImportJobStep(ctx, job.ID, "w", t0, leaseTTL); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := s.CreateImportJob(ctx, cp1.ID, manyAccounts(2)); err != nil {
			t.Fatalf("a new import of cp1 once the first is done: %v", err)
		}
		if _, err := s.LatestImportJob(ctx, newServer(t, s, "cp3", "cp3.example.com", true).ID); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("latest of a server never imported: %v", err)
		}
	})
}

// TestImportJobFailure: a chunk the server no longer takes (it was
// deactivated) stops the job; the failure is recorded with its message,
// the chunks before it stay, and the server is free for a new import.
func TestImportJobFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		job, err := s.CreateImportJob(ctx, srv.ID, manyAccounts(700))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.ClaimImportJob(ctx, "w", t0, leaseTTL); !ok || err != nil {
			t.Fatalf("claim: %v, %v", ok, err)
		}
		if job, err = s.ImportJobStep(ctx, job.ID, "w", t0, leaseTTL); err != nil || job.Done != 500 {
			t.Fatalf("first chunk: %+v, %v", job, err)
		}
		if _, err := s.UpdateServer(ctx, srv.ID, links.ServerPatch{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		_, err = s.ImportJobStep(ctx, job.ID, "w", t0, leaseTTL)
		if links.ErrorCode(err) != links.EINVALID || !strings.Contains(links.ErrorMessage(err), "inactive") {
			t.Fatalf("a chunk for an inactive server: %v", err)
		}
		failed, err := s.FailImportJob(ctx, job.ID, "w", "The import stopped: the server is inactive.", t0)
		if err != nil || failed.State != links.ImportJobFailed || failed.Error == "" || failed.Done != 500 || failed.FinishedAt == nil {
			t.Fatalf("failed job: %+v, %v", failed, err)
		}
		if got, _ := s.LatestImportJob(ctx, srv.ID); got.State != links.ImportJobFailed || got.Error != failed.Error {
			t.Fatalf("the failure was not recorded: %+v", got)
		}
		if _, total, _ := s.ListServices(ctx, links.ServiceFilter{}); total != 500 {
			t.Fatalf("services = %d, want the first chunk's 500", total)
		}
		if _, ok, _ := s.ClaimImportJob(ctx, "w2", t0.Add(time.Hour), leaseTTL); ok {
			t.Fatal("a failed job was claimed again")
		}
		if _, err := s.CreateImportJob(ctx, srv.ID, manyAccounts(1)); err != nil {
			t.Fatalf("a new import after the failure: %v", err)
		}
	})
}

// TestImportJobAudit: the job's start, and every client, owner,
// membership and service its chunks write, are recorded as made by the
// staff member who started it, although a worker applies them later.
func TestImportJobAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		job := runImport(t, s, srv.ID, manyAccounts(3))
		recs, _, err := s.ListAudit(ctx, links.AuditFilter{Page: links.Page{Page: 1, PerPage: 100}})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, r := range recs {
			if r.ActorName != importer.Name || r.ActorKind != importer.Kind || r.IP != importer.IP {
				t.Fatalf("record %+v is not the importer's", r)
			}
			seen[r.Resource+" "+r.Action]++
		}
		want := map[string]int{"import create": 1, "client create": 3, "user create": 3, "membership create": 3, "service create": 3}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Fatalf("audit trail %v, want %v", seen, want)
		}
		members, _, _ := s.ListAudit(ctx, links.AuditFilter{Resource: links.AuditMembership, Page: links.Page{Page: 1, PerPage: 1}})
		if len(members) != 1 || members[0].After["owner"] != true || members[0].ClientID == nil {
			t.Fatalf("owner membership record: %+v", members)
		}
		imp, _, _ := s.ListAudit(ctx, links.AuditFilter{Resource: links.AuditImport, Page: links.Page{Page: 1, PerPage: 1}})
		if len(imp) != 1 || imp[0].ResourceID != fmt.Sprint(job.ID) || imp[0].After["accounts"] != float64(3) {
			t.Fatalf("import record: %+v", imp)
		}
	})
}
