package provisioning_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// locations counts the link_states rows of a server.
func locations(t *testing.T, st *store.Store, serverID int64) int {
	t.Helper()
	db, err := st.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM link_states WHERE server_id = ?", serverID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Accounts created one by one while the application is enabled get their
// links with no operation of their own, in shared batches: about one WHM
// request per BatchSize accounts, not one per account.
func TestServicesAddedOneByOneShareBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		st.SetLifecycleDelay(time.Second)
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 1})
		e := startEngine(t, st, testConfig()) // BatchSize 3
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		srv := w.servers["cpa"]
		before := srv.Stats().Requests
		const added = 30
		for i := range added {
			user := fmt.Sprintf("new%02d", i)
			if err := srv.AddAccount(whmsim.Account{User: user, Domain: user + ".example.test"}); err != nil {
				t.Fatal(err)
			}
			svc := w.addService("cpa", user, links.ServiceActive)
			e.ServiceChanged(ctx, nil, &svc)
			time.Sleep(10 * time.Millisecond) // one by one, as a billing system creates them
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		waitFor(t, func() bool {
			for i := range added {
				if len(srv.Links(fmt.Sprintf("new%02d", i))) != len(want) {
					return false
				}
			}
			return true
		})
		w.expectLinks(want, "cpa")
		if n := srv.Stats().Requests - before; n > added/3+4 {
			t.Errorf("%d WHM requests for %d accounts added one by one (batch size 3)", n, added)
		}
		if _, total, _ := st.ListOperations(ctx, links.OperationFilter{Page: links.Page{Page: 1, PerPage: 10}}); total != 1 {
			t.Errorf("%d operations, want the activation only", total)
		}
		waitStatus(t, e, links.StateActive)
	})
}

// A server added (or reactivated) after enabling gets its links with no
// repair; a deleted service's location is cleaned and its row dropped.
func TestAServerAddedAfterEnablingGetsItsLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 2})
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.addServer(srvSpec{name: "cpb", accounts: 7})
		// Every account, not the last one only: a pass's batches answer in
		// any order.
		waitFor(t, func() bool {
			for i := 1; i <= 7; i++ {
				if len(w.servers["cpb"].Links(fmt.Sprintf("cpbu%03d", i))) != len(want) {
					return false
				}
			}
			return true
		})
		w.expectLinks(want, "cpa", "cpb")
		// The pass that pushed them has ended: a pass already running when
		// the server is deactivated may finish what it found due.
		waitFor(t, func() bool {
			srv, err := st.ServerWork(ctx, w.ids["cpb"])
			return err == nil && srv.DoneGen >= srv.WantedGen
		})

		off, on := false, true
		if _, err := st.UpdateServer(ctx, w.ids["cpb"], links.ServerPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		gone := w.services["cpbu001"]
		if _, err := st.DeleteService(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		delete(w.services, "cpbu001")
		time.Sleep(1500 * time.Millisecond) // past the coalescing window: an inactive server is skipped
		if len(w.servers["cpb"].Links("cpbu001")) != len(want) {
			t.Fatal("an inactive server was worked")
		}
		if _, err := st.UpdateServer(ctx, w.ids["cpb"], links.ServerPatch{Active: &on}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { return len(w.servers["cpb"].Links("cpbu001")) == 0 && locations(t, st, w.ids["cpb"]) == 6 })
		if len(w.servers["cpb"].Groups("cpbu001")) != 0 {
			t.Error("the deleted service's group is left")
		}
		w.expectLinks(want, "cpa", "cpb")
		ops, total, _ := st.ListOperations(ctx, links.OperationFilter{Page: links.Page{Page: 1, PerPage: 10}})
		if total != 1 {
			t.Fatalf("%d operations, want the activation only", total)
		}
		// The removal is logged with the activation, and the account
		// filter finds it though no service owns the account any more.
		removed, _, err := st.ListLog(ctx, links.LogFilter{OperationID: ops[0].ID, Account: "cpbu001", Page: links.Page{Page: 1, PerPage: 10}})
		if err != nil || len(removed) == 0 || removed[len(removed)-1].Message != "Removed the links of account cpbu001 on server cpb." {
			t.Errorf("the log of account cpbu001 = %+v (%v), want its removal", removed, err)
		}
	})
}

// A refused account backs off, becomes terminal after MaxAttempts, shows
// in the status as failed, and is tried again once its desired links change.
func TestARefusedAccountIsTerminalUntilItsDesiredStateChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 4, faults: whmsim.Faults{RefuseAccounts: []string{"cpau002"}}})
		e := startEngine(t, st, testConfig())
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, op.ID); d.AccountsDone != 3 || d.AccountsFailed != 1 {
			t.Fatalf("activation = %+v", d.Operation)
		}
		if s, _ := waitStatus(t, e, links.StateActive); s.AccountsFailed != 1 {
			t.Fatalf("status = %+v, want one account failed", s)
		}
		requests := w.servers["cpa"].Stats().Requests
		time.Sleep(300 * time.Millisecond)
		if n := w.servers["cpa"].Stats().Requests; n != requests {
			t.Fatalf("a terminal account was tried again (%d more requests)", n-requests)
		}
		if err := w.servers["cpa"].SetFaults(whmsim.Faults{}); err != nil {
			t.Fatal(err)
		}
		want, cop := relabel(t, e, "Change Plan")
		if d := waitOp(t, st, cop.ID); d.AccountsDone != 4 || d.AccountsFailed != 0 || d.AccountsTotal != 4 {
			t.Fatalf("configuration = %+v", d.Operation)
		}
		w.expectLinks(want, "cpa")
		if s, _ := waitStatus(t, e, links.StateActive); s.AccountsFailed != 0 {
			t.Fatalf("status = %+v", s)
		}
	})
}

// The status is never active while an account is out of date: a poller
// checks every active it sees against the simulator, while an account is
// refused for a while (it backs off) and accounts are added.
func TestStatusIsNeverActiveWhileAnAccountIsOutOfDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		st.SetLifecycleDelay(50 * time.Millisecond)
		lat := whmsim.Faults{Latency: 5 * time.Millisecond, RefuseAccounts: []string{"cpau005"}}
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 12, faults: lat}, srvSpec{name: "cpb", accounts: 12, faults: whmsim.Faults{Latency: 5 * time.Millisecond}})
		cfg := testConfig()
		cfg.MaxAttempts, cfg.RetryBase = 8, 40*time.Millisecond
		e := startEngine(t, st, cfg)
		var mu sync.Mutex // guards the services map and the checks
		var actives, bad atomic.Int64
		var firstBad atomic.Value
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
				mu.Lock()
				s, err := e.Status(ctx, links.ModuleCPanel)
				if err == nil && s.State == links.StateActive {
					actives.Add(1)
					want, _ := e.Links(ctx, links.ModuleCPanel)
					if msg := outOfDate(w, want); msg != "" {
						bad.Add(1)
						firstBad.CompareAndSwap(nil, msg)
					}
				}
				mu.Unlock()
			}
		})
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond) // a few refusals of cpau005
		if err := w.servers["cpa"].SetFaults(whmsim.Faults{Latency: 5 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, op.ID); d.AccountsFailed != 0 {
			t.Fatalf("activation = %+v", d.Operation)
		}
		// Lifecycle work with no operation: accounts added after the
		// activation (within the coalescing window), one refused a while.
		waitStatus(t, e, links.StateActive)
		st.SetLifecycleDelay(200 * time.Millisecond)
		if err := w.servers["cpb"].SetFaults(whmsim.Faults{Latency: 5 * time.Millisecond, RefuseAccounts: []string{"late0"}}); err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			user := fmt.Sprintf("late%d", i)
			if err := w.servers["cpb"].AddAccount(whmsim.Account{User: user, Domain: user + ".example.test"}); err != nil {
				t.Fatal(err)
			}
			// The API answers a creation once the engine heard of it
			// (the status cache dropped): both before the poller looks.
			mu.Lock()
			svc := w.addService("cpb", user, links.ServiceActive)
			e.ServiceChanged(ctx, nil, &svc)
			mu.Unlock()
		}
		time.Sleep(400 * time.Millisecond)
		if err := w.servers["cpb"].SetFaults(whmsim.Faults{Latency: 5 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return outOfDate(w, want) == "" })
		waitStatus(t, e, links.StateActive)
		time.Sleep(50 * time.Millisecond)
		close(stop)
		wg.Wait()
		if bad.Load() > 0 {
			t.Fatalf("%d of %d active statuses while an account was out of date, e.g. %v", bad.Load(), actives.Load(), firstBad.Load())
		}
		if actives.Load() == 0 {
			t.Fatal("the poller never saw active")
		}
	})
}

// outOfDate names an account of the world without exactly the desired
// apps, or returns "".
func outOfDate(w *world, want []links.Link) string {
	n := 0
	for _, l := range want {
		if l.Enabled {
			n++
		}
	}
	for name, srv := range w.servers {
		for _, a := range srv.Accounts() {
			if svc, ok := w.services[a.User]; ok && svc.Qualifies(true) && len(srv.Links(a.User)) != n {
				return fmt.Sprintf("%s/%s has %d links, want %d", name, a.User, len(srv.Links(a.User)), n)
			}
		}
	}
	return ""
}

// An account whose link token cannot be unsealed (tampered with, or sealed
// with another key) is refused with a warning and never stops the others.
func TestAnUnreadableCredentialFailsOnlyItsAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 5})
		db, err := st.SQLDB()
		if err != nil {
			t.Fatal(err)
		}
		bad := w.services["cpau002"]
		if _, err := db.Exec("UPDATE link_credentials SET token_enc = 'garbage' WHERE service_id = ?", bad.ID); err != nil {
			t.Fatal(err)
		}
		e := startEngine(t, st, testConfig())
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, op.ID); d.AccountsDone != 4 || d.AccountsFailed != 1 {
			t.Fatalf("activation = %+v", d.Operation)
		}
		warns := logOf(t, st, op.ID, links.LevelWarning)
		if len(warns) == 0 || !strings.Contains(warns[len(warns)-1].Message, "Account cpau002 on server cpa was refused: its link credential could not be read") {
			t.Fatalf("warnings = %+v", warns)
		}
		delete(w.services, "cpau002")
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa")
	})
}

// A removal the panel refuses backs off and becomes terminal like a push:
// the deactivation ends with the account failed, not tried again. A removal
// from an account the panel no longer has (terminated in WHM) is done.
func TestRemovalsEndWhenRefusedOrTheAccountIsGone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 4})
		srv := w.servers["cpa"]
		if err := srv.RemoveAccount("cpau003"); err != nil {
			t.Fatal(err)
		}
		if err := srv.SetFaults(whmsim.Faults{RefuseAccounts: []string{"cpau002"}}); err != nil {
			t.Fatal(err)
		}
		before := srv.Stats().Requests
		dop, err := e.Disable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, dop.ID); d.State != links.OpCompleted || d.AccountsDone != 3 || d.AccountsFailed != 1 {
			t.Fatalf("deactivation = %+v, want 3 done (one of them gone from the panel) and 1 failed", d.Operation)
		}
		// Two batches, then cpau002 alone until terminal (3 attempts).
		if n := srv.Stats().Requests - before; n > 6 {
			t.Errorf("the deactivation made %d requests, want at most 6", n)
		}
		for _, u := range []string{"cpau001", "cpau004"} {
			if len(srv.Links(u)) != 0 {
				t.Errorf("%s kept its links", u)
			}
		}
		if len(srv.Links("cpau002")) == 0 {
			t.Error("the refused account lost its links")
		}
	})
}

// A verify reads an account that should carry nothing and that the panel
// no longer has as it should be: no drift, no "could not verify".
func TestAVerifyOfAGoneAccountThatShouldHaveNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 3})
		term := links.ServiceTerminated
		before, after, err := st.UpdateService(ctx, w.services["cpau003"].ID, links.ServicePatch{Status: &term})
		if err != nil {
			t.Fatal(err)
		}
		e.ServiceChanged(ctx, &before, &after)
		srv := w.servers["cpa"]
		waitFor(t, func() bool { return len(srv.Links("cpau003")) == 0 })
		if _, err := waitStatus(t, e, links.StateActive); err != nil {
			t.Fatal(err)
		}
		if err := srv.RemoveAccount("cpau003"); err != nil {
			t.Fatal(err)
		}
		vop, err := e.Verify(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if v := waitOp(t, st, vop.ID); v.State != links.OpCompleted || v.Warnings != 0 {
			t.Fatalf("verify = %+v, want completed without warnings", v.Operation)
		}
		var verified []string
		for _, en := range logOf(t, st, vop.ID, links.LevelInfo) {
			if strings.HasPrefix(en.Message, "Verified") {
				verified = append(verified, en.Message)
			}
		}
		if len(verified) != 1 || !strings.Contains(verified[0], "Verified 3 accounts of server cpa: 0 differed from their desired links, 0 could not be read.") {
			t.Errorf("verify entries = %q", verified)
		}
	})
}
