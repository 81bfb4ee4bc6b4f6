package store_test

import (
	"context"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// TestLookupsOfNothingAreNotFound: a lookup that finds nothing answers
// ENOTFOUND, never a nil result without an error.
func TestLookupsOfNothingAreNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "lookups@acme.test")
		newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		if task, err := s.OpenTask(ctx, a.ID); links.ErrorCode(err) != links.ENOTFOUND || task != nil {
			t.Fatalf("OpenTask before any operation = %+v, %v; want ENOTFOUND", task, err)
		}
		if op, err := s.LatestOperation(ctx, links.ModuleCPanel); links.ErrorCode(err) != links.ENOTFOUND || op != nil {
			t.Fatalf("LatestOperation before any operation = %+v, %v; want ENOTFOUND", op, err)
		}
		queued := queueFull(t, s, links.OpRepair)
		if task, err := s.OpenTask(ctx, a.ID); err != nil || task.OperationID != queued.ID {
			t.Fatalf("OpenTask after an operation = %+v, %v; want a row of operation %d", task, err, queued.ID)
		}
		if op, err := s.LatestOperation(ctx, links.ModuleCPanel); err != nil || op.ID != queued.ID {
			t.Fatalf("LatestOperation = %+v, %v; want operation %d", op, err, queued.ID)
		}
		if op, err := s.LatestOperation(ctx, links.ModuleWPSquared); links.ErrorCode(err) != links.ENOTFOUND || op != nil {
			t.Fatalf("LatestOperation of another module = %+v, %v; want ENOTFOUND", op, err)
		}
	})
}
