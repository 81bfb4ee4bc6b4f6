package provisioning_test

import (
	"context"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// operationCount counts the operations of every module.
func operationCount(t *testing.T, st *store.Store) int64 {
	t.Helper()
	_, total, err := st.ListOperations(context.Background(), links.OperationFilter{Page: links.Page{Page: 1, PerPage: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// Retry failed tries the terminal accounts again at once, on their servers
// only, and the status loses its warning; with nothing failed it is a
// conflict that queues nothing.
func TestRetryFailedTriesTheFailedAccountsAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 4, faults: whmsim.Faults{RefuseAccounts: []string{"cpau002"}}},
			srvSpec{name: "cpb", accounts: 2})
		e := startEngine(t, st, testConfig())
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, op.ID); d.AccountsFailed != 1 {
			t.Fatalf("activation = %+v", d.Operation)
		}
		if s, _ := waitStatus(t, e, links.StateActive); s.AccountsFailed != 1 {
			t.Fatalf("status = %+v, want one account failed", s)
		}
		if err := w.servers["cpa"].SetFaults(whmsim.Faults{}); err != nil {
			t.Fatal(err)
		}
		other := w.servers["cpb"].Stats().Requests
		rop, err := e.RetryFailed(ctx, links.ModuleCPanel, "staff@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if rop.Kind != links.OpRetry || rop.ServersTotal != 1 {
			t.Fatalf("retry = %+v, want a retry of one server", rop)
		}
		if d := waitOp(t, st, rop.ID); d.AccountsDone != 1 || d.AccountsFailed != 0 {
			t.Fatalf("retry = %+v", d.Operation)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa", "cpb")
		if s, _ := waitStatus(t, e, links.StateActive); s.AccountsFailed != 0 {
			t.Fatalf("status = %+v, want no account failed", s)
		}
		if n := w.servers["cpb"].Stats().Requests; n != other {
			t.Errorf("a server without failures got %d requests", n-other)
		}
		before := operationCount(t, st)
		if _, err := e.RetryFailed(ctx, links.ModuleCPanel, ""); links.ErrorCode(err) != links.ECONFLICT {
			t.Fatalf("retry with nothing failed = %v", err)
		}
		if n := operationCount(t, st); n != before {
			t.Fatalf("a refused retry queued an operation (%d, was %d)", n, before)
		}
	})
}

// A targeted sync re-pushes one account, or one server's accounts, and
// nothing else: links deleted on the panel come back.
func TestSyncServerAndServiceRepushOnlyTheirTarget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 4}, srvSpec{name: "cpb", accounts: 5})
		e := startEngine(t, st, testConfig()) // BatchSize 3
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		want, _ := e.Links(ctx, links.ModuleCPanel)
		cpa, cpb := w.servers["cpa"], w.servers["cpb"]
		for _, l := range cpa.Links("cpau001") {
			if err := cpa.RemoveLink("cpau001", l.App); err != nil {
				t.Fatal(err)
			}
		}
		a, b := cpa.Stats().Requests, cpb.Stats().Requests
		sop, err := e.SyncService(ctx, w.services["cpau001"].ID, "staff@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, sop.ID); sop.Kind != links.OpRepair || d.ServersTotal != 1 || d.AccountsDone != 1 {
			t.Fatalf("service sync = %+v", d.Operation)
		}
		w.expectLinks(want, "cpa", "cpb")
		if da, db := cpa.Stats().Requests-a, cpb.Stats().Requests-b; da != 1 || db != 0 {
			t.Errorf("a service sync made %d requests to its server and %d to another, want 1 and 0", da, db)
		}
		a, b = cpa.Stats().Requests, cpb.Stats().Requests
		vop, err := e.SyncServer(ctx, w.ids["cpb"], "staff@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, vop.ID); d.ServersTotal != 1 || d.AccountsDone != 5 {
			t.Fatalf("server sync = %+v", d.Operation)
		}
		if da, db := cpa.Stats().Requests-a, cpb.Stats().Requests-b; da != 0 || db != 2 {
			t.Errorf("a server sync made %d requests to another server and %d to its own, want 0 and 2", da, db)
		}
		w.expectLinks(want, "cpa", "cpb")
	})
}

// Targeted syncs refuse what they cannot do, and queue nothing.
func TestTargetedSyncRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 2}, srvSpec{name: "cpb", accounts: 1})
		e := startEngine(t, st, testConfig())
		refused := func(what string, code string, err error) {
			t.Helper()
			if links.ErrorCode(err) != code {
				t.Errorf("%s = %v, want %s", what, err, code)
			}
		}
		_, err := e.SyncServer(ctx, w.ids["cpa"], "")
		refused("sync while disabled", links.ECONFLICT, err)
		_, err = e.RetryFailed(ctx, "plesk", "")
		refused("retry an unknown module", links.ENOTFOUND, err)
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		before := operationCount(t, st)
		_, err = e.SyncServer(ctx, 99999, "")
		refused("sync an unknown server", links.ENOTFOUND, err)
		_, err = e.SyncService(ctx, 99999, "")
		refused("sync an unknown service", links.ENOTFOUND, err)
		pending, err := st.CreateService(ctx, links.ServiceInput{ClientID: w.clientID, ServerID: w.ids["cpa"], Domain: "pending.example.test",
			Status: links.ServicePending})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.SyncService(ctx, pending.ID, "")
		refused("sync a service without a username", links.ECONFLICT, err)
		off := false
		if _, err := st.UpdateServer(ctx, w.ids["cpb"], links.ServerPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		_, err = e.SyncServer(ctx, w.ids["cpb"], "")
		refused("sync a deactivated server", links.ECONFLICT, err)
		if n := operationCount(t, st); n != before {
			t.Fatalf("refused syncs queued %d operations", n-before)
		}
		// While an operation is open, a targeted one would leave a
		// progress row behind: refused. The engine is stopped so that the
		// configuration stays open.
		if err := e.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		relabel(t, e, "Another label")
		before = operationCount(t, st)
		_, err = e.SyncServer(ctx, w.ids["cpa"], "")
		refused("sync beside an open operation", links.ECONFLICT, err)
		if n := operationCount(t, st); n != before {
			t.Fatalf("a refused sync queued %d operations", n-before)
		}
	})
}

// Failed accounts left only on a deactivated server cannot be retried:
// the refusal says why, and nothing is queued.
func TestRetryFailedOnADeactivatedServerSaysWhy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 2, faults: whmsim.Faults{RefuseAccounts: []string{"cpau002"}}},
			srvSpec{name: "cpb", accounts: 1})
		e := startEngine(t, st, testConfig())
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, op.ID); d.AccountsFailed != 1 {
			t.Fatalf("activation = %+v", d.Operation)
		}
		off := false
		if _, err := st.UpdateServer(ctx, w.ids["cpa"], links.ServerPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		before := operationCount(t, st)
		_, err = e.RetryFailed(ctx, links.ModuleCPanel, "")
		if links.ErrorCode(err) != links.ECONFLICT || !strings.Contains(links.ErrorMessage(err), "deactivated servers") {
			t.Fatalf("retry = %v", err)
		}
		if n := operationCount(t, st); n != before {
			t.Fatalf("a refused retry queued %d operations", n-before)
		}
	})
}
