package provisioning_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

func TestADeactivatedServerIsSkippedFromThenOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "live", accounts: 5}, srvSpec{name: "gone", accounts: 5})
		off := false
		if _, err := st.UpdateServer(ctx, w.ids["gone"], links.ServerPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		e := provisioning.New(testConfig(), st, panels(), quiet, nil)
		op, err := e.Enable(ctx, links.ModuleCPanel, "admin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		e.Start(ctx)
		defer func() { _ = e.Stop(ctx) }()
		done := waitOp(t, st, op.ID)
		if done.ServersTotal != 1 || done.AccountsDone != 5 || done.Warnings != 0 {
			t.Fatalf("activation = %+v, want only the active server's 5 accounts", done.Operation)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "live")
		w.expectNoLinks("gone")
		if n := w.servers["gone"].Stats().Requests; n != 0 {
			t.Fatalf("the inactive server got %d requests", n)
		}
		// Deactivating the live one too: a repair has nothing left to do,
		// and enabling anew would be refused.
		if _, err := st.UpdateServer(ctx, w.ids["live"], links.ServerPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		before := w.servers["live"].Stats().Requests
		if rop, err := e.Sync(ctx, links.ModuleCPanel, "admin@example.com"); err == nil {
			if d := waitOp(t, st, rop.ID); d.ServersTotal != 0 || d.AccountsDone != 0 {
				t.Fatalf("repair over no active server = %+v", d.Operation)
			}
		} else if links.ErrorCode(err) != links.ECONFLICT {
			t.Fatalf("Sync = %v", err)
		}
		if after := w.servers["live"].Stats().Requests; after != before {
			t.Fatalf("the deactivated server got %d more requests", after-before)
		}
	})
}

// An account waiting for a retry on a server that is then deactivated
// holds the status no more: nothing on an active server is out of date,
// so it is active, with no account pending.
func TestAServerDeactivatedDuringABackoffLeavesTheStatusActive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "live", accounts: 3},
			srvSpec{name: "flaky", accounts: 3, faults: whmsim.Faults{RefuseAccounts: []string{"flakyu002"}}})
		cfg := testConfig()
		cfg.RetryBase = time.Hour // the refused account waits for the whole test
		e := startEngine(t, st, cfg)
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitStatusWith(t, e, "one account pending", func(s links.ApplicationStatus) bool { return s.AccountsPending == 1 })
		off := false
		if _, err := st.UpdateServer(ctx, w.ids["flaky"], links.ServerPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		if s, _ := waitStatus(t, e, links.StateActive); s.AccountsPending != 0 || s.AccountsFailed != 0 {
			t.Fatalf("status = %+v, want nothing pending or failed", s)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "live")
	})
}

// A terminal failure on a deactivated server is neither shown nor retried
// (Retry failed answers why); reactivated, the server shows it again and
// Retry failed retries it.
func TestAFailureOnADeactivatedServerIsNotShownNorRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "live", accounts: 3},
			srvSpec{name: "flaky", accounts: 3, faults: whmsim.Faults{RefuseAccounts: []string{"flakyu002"}}})
		e := startEngine(t, st, testConfig())
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		waitStatusWith(t, e, "active, one account failed", func(s links.ApplicationStatus) bool {
			return s.State == links.StateActive && s.AccountsFailed == 1
		})
		on, off := true, false
		if _, err := st.UpdateServer(ctx, w.ids["flaky"], links.ServerPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		waitStatusWith(t, e, "active, no account failed", func(s links.ApplicationStatus) bool {
			return s.State == links.StateActive && s.AccountsFailed == 0
		})
		_, err = e.RetryFailed(ctx, links.ModuleCPanel, "")
		if links.ErrorCode(err) != links.ECONFLICT || !strings.Contains(err.Error(), "deactivated servers") {
			t.Fatalf("RetryFailed = %v, want a conflict naming the deactivated servers", err)
		}
		if err := w.servers["flaky"].SetFaults(whmsim.Faults{}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateServer(ctx, w.ids["flaky"], links.ServerPatch{Active: &on}); err != nil {
			t.Fatal(err)
		}
		waitStatusWith(t, e, "active, the failure shown again", func(s links.ApplicationStatus) bool {
			return s.State == links.StateActive && s.AccountsFailed == 1
		})
		rop, err := e.RetryFailed(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, rop.ID)
		if s, _ := waitStatus(t, e, links.StateActive); s.AccountsFailed != 0 {
			t.Fatalf("status = %+v, want no account failed after the retry", s)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "live", "flaky")
	})
}

// waitStatusWith waits until the module's status satisfies ok.
func waitStatusWith(t *testing.T, e *provisioning.Engine, what string, ok func(links.ApplicationStatus) bool) links.ApplicationStatus {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, err := e.Status(context.Background(), links.ModuleCPanel)
		if err == nil && ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %+v, %v; want %s", s, err, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
