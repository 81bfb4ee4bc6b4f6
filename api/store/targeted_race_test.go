package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// The intents check that a target's server is active before they queue;
// the store checks again in the queuing transaction: a deactivation
// committed in between left a progress row on a server no pass works, and
// the operation open (status syncing, every other targeted intent a 409)
// until the server was reactivated. A service moved meanwhile is refused too.
func TestATargetedOperationIsRefusedOnAServerDeactivatedMeanwhile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cpa", "a.example.test", true)
		// (the intent's syncable check passed here) ... then another admin:
		f := false
		if _, err := s.UpdateServer(ctx, a.ID, links.ServerPatch{Active: &f}); err != nil {
			t.Fatal(err)
		}
		op, err := s.QueueTargeted(ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRepair, Spec: "{}"},
			links.OpTarget{ServerID: a.ID})
		if links.ErrorCode(err) != links.ECONFLICT || !strings.Contains(links.ErrorMessage(err), "deactivated") {
			t.Fatalf("a repair of a deactivated server = %+v, %v; want a conflict", op, err)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM operations"); n != 0 {
			t.Fatalf("%d operations queued", n)
		}
		// A service moved from b to a after the intent read it.
		b := newServer(t, s, "cpb", "b.example.test", true)
		c := newClient(t, s, "moved@acme.test")
		svc := newService(t, s, c.ID, b.ID, "alice", links.ServiceActive)
		tr := true
		if _, err := s.UpdateServer(ctx, a.ID, links.ServerPatch{Active: &tr}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.UpdateService(ctx, svc.ID, links.ServicePatch{ServerID: &a.ID}); err != nil {
			t.Fatal(err)
		}
		_, err = s.QueueTargeted(ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRepair, Spec: "{}"},
			links.OpTarget{ServerID: b.ID, ServiceID: svc.ID, Username: "alice"})
		if links.ErrorCode(err) != links.ECONFLICT {
			t.Fatalf("a sync of a service moved meanwhile = %v; want a conflict", err)
		}
	})
}
