package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

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

// A deactivation in flight (its transaction holds the server row, not yet
// committed) while a targeted repair is queued: the queuing transaction's
// check is a locking read, so it waits for the deactivation and refuses,
// instead of reading active from its snapshot (MariaDB) and writing a
// progress row on a deactivated server once the bump's lock is granted.
func TestATargetedOperationWaitsForADeactivationInFlight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if s.Dialect() != store.DialectMySQL {
			t.Skip("SQLite serializes writers (_txlock=immediate)")
		}
		ctx := context.Background()
		a := newServer(t, s, "cpa", "a.example.test", true)
		d, err := s.Writer().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, "UPDATE servers SET active = 0 WHERE id = ?", a.ID); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := s.QueueTargeted(ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRepair, Spec: "{}"},
				links.OpTarget{ServerID: a.ID})
			done <- err
		}()
		time.Sleep(500 * time.Millisecond) // the queuing tx has read the server and waits on its row
		if err := d.Commit(); err != nil {
			t.Fatal(err)
		}
		err = <-done
		open := queryInt(t, s, "SELECT COUNT(*) FROM server_tasks t JOIN servers s ON s.id = t.server_id WHERE s.active = ? AND t.state IN ('pending','running')", false)
		if err == nil || open > 0 {
			t.Fatalf("queued on a server deactivated meanwhile: err=%v, open progress rows on inactive servers=%d", err, open)
		}
	})
}
