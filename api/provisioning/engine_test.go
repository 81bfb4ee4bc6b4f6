package provisioning_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

func TestEnableConfigureDisableEndWithExactlyTheDesiredLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st,
			srvSpec{name: "cpa", accounts: 20},
			srvSpec{name: "cpb", accounts: 15},
			srvSpec{name: "old", accounts: 15, version: whmsim.OldVersion},
			srvSpec{name: "empty", accounts: 0})
		e := provisioning.New(testConfig(), st, panels(), quiet, nil)

		op, err := e.Enable(ctx, links.ModuleCPanel, "admin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := e.Status(ctx, links.ModuleCPanel); s.State != links.StateProvisioning || s.ServersTotal != 4 {
			t.Fatalf("status before the run = %+v, want provisioning on 4 servers", s)
		}
		e.Start(ctx)
		defer func() { _ = e.Stop(ctx) }()
		done := waitOp(t, st, op.ID)
		if done.State != links.OpCompleted || done.ServersSupport != 3 || done.AccountsDone != 35 || done.AccountsFailed != 0 || done.Warnings != 0 {
			t.Fatalf("activation = %+v", done.Operation)
		}
		// Each server's check is recorded on it: with the first batch's
		// commit, with the end of a server without accounts, with the end
		// of an unsupported one.
		for name, supported := range map[string]bool{"cpa": true, "empty": true, "old": false} {
			srv, err := st.Server(ctx, w.ids[name])
			if err != nil || srv.SupportsLinks == nil || *srv.SupportsLinks != supported || srv.CheckedAt == nil || srv.Version == "" {
				t.Errorf("server %s after the activation = %+v, %v; want supports_links %v, checked", name, srv, err, supported)
			}
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa", "cpb")
		w.expectNoLinks("old")
		if s, _ := waitStatus(t, e, links.StateActive); s.AccountsDone != 35 {
			t.Fatalf("status = %+v", s)
		}
		infos := logOf(t, st, op.ID, links.LevelInfo)
		if len(infos) != 1 || !strings.Contains(infos[0].Message, "old") || !strings.Contains(infos[0].Message, "11.54") || *infos[0].ServerID != w.ids["old"] {
			t.Fatalf("info entries = %+v", infos)
		}
		if debug := logOf(t, st, op.ID, links.LevelDebug); len(debug) != 2+3*2+1 { // op start/end, start/end of 3 servers, start of the old one
			t.Errorf("debug entries = %d: %+v", len(debug), debug)
		}

		// Configure: two links off, one renamed, two swapped.
		in := settingsOf(want)
		off := false
		in[1].Enabled, in[5].Enabled = &off, &off
		in[0].Label = "Change Plan"
		o2, o3 := *in[2].Order, *in[3].Order
		in[2].Order, in[3].Order = &o3, &o2
		ls, cop, err := e.SaveLinks(ctx, links.ModuleCPanel, in, "admin@example.com")
		if err != nil || cop == nil || cop.Kind != links.OpConfiguration {
			t.Fatalf("SaveLinks = %v, %+v", err, cop)
		}
		if d := waitOp(t, st, cop.ID); d.AccountsDone != 35 || d.Warnings != 0 {
			t.Fatalf("configuration = %+v", d.Operation)
		}
		w.expectLinks(ls, "cpa", "cpb")

		dop, err := e.Disable(ctx, links.ModuleCPanel, "admin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, dop.ID); d.AccountsDone != 35 || d.Warnings != 0 {
			t.Fatalf("deactivation = %+v", d.Operation)
		}
		w.expectNoLinks("cpa", "cpb", "old")
		waitStatus(t, e, links.StateDisabled)
	})
}

func waitStatus(t *testing.T, e *provisioning.Engine, state string) (links.ApplicationStatus, error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, err := e.Status(context.Background(), links.ModuleCPanel)
		if err == nil && s.State == state {
			return s, nil
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %+v, %v; want %s", s, err, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAPanelFailingMidRunYieldsWarningsAndAFinishedOperation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 12}, srvSpec{name: "cpb", accounts: 6})
		cfg := testConfig()
		cfg.MaxAttempts = 2
		e := startEngine(t, st, cfg)
		// cpb answers HTML garbage to every request: its check fails.
		if err := w.servers["cpb"].SetFaults(whmsim.Faults{HTTP500Rate: 1}); err != nil {
			t.Fatal(err)
		}
		// cpa refuses or times out now and then.
		if err := w.servers["cpa"].SetFaults(whmsim.Faults{ErrorRate: 0.3, HTMLRate: 0.2}); err != nil {
			t.Fatal(err)
		}
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		d := waitOp(t, st, op.ID)
		if d.State != links.OpCompleted || d.Warnings == 0 || d.AccountsDone+d.AccountsFailed != 12 {
			t.Fatalf("operation = %+v", d.Operation)
		}
		for _, task := range d.Servers {
			if task.ServerName == "cpb" && task.State != links.TaskFailed {
				t.Errorf("cpb task = %+v", task)
			}
		}
	})
}

func TestANewerOperationSupersedesTheRunningOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 30, faults: whmsim.Faults{Latency: 30 * time.Millisecond}},
			srvSpec{name: "cpb", accounts: 30, faults: whmsim.Faults{Latency: 30 * time.Millisecond}})
		cfg := testConfig()
		cfg.PerServerCap = 1
		cfg.BatchSize = 2
		tr := newLeaseTracker()
		cfg.OnLease = tr.hook
		e := startEngine(t, st, cfg)
		first, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitProgress(t, st, first.ID, 4)
		ls, _ := e.Links(ctx, links.ModuleCPanel)
		in := settingsOf(ls)
		off := false
		in[4].Enabled = &off
		in[6].Label = "Docs"
		want, second, err := e.SaveLinks(ctx, links.ModuleCPanel, in, "")
		if err != nil || second == nil {
			t.Fatal(err)
		}
		d := waitOp(t, st, second.ID)
		old := waitOp(t, st, first.ID)
		if old.State != links.OpSuperseded || old.SupersededBy == nil || *old.SupersededBy != second.ID {
			t.Fatalf("first = %+v", old.Operation)
		}
		if d.State != links.OpCompleted || d.AccountsDone != 60 {
			t.Fatalf("second = %+v", d.Operation)
		}
		w.expectLinks(want, "cpa", "cpb")
		if len(tr.violations) > 0 {
			t.Fatalf("lease violations: %v", tr.violations)
		}
	})
}

// waitProgress waits until the operation has done at least n accounts.
func waitProgress(t *testing.T, st *store.Store, id int64, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		op, err := st.Operation(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if op.AccountsDone >= n {
			return
		}
		if !op.Open() || time.Now().After(deadline) {
			t.Fatalf("operation %d ended or stalled before %d accounts: %+v", id, n, op.Operation)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAStoppedProcessIsResumedByAFreshEngine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 30, faults: whmsim.Faults{Latency: 20 * time.Millisecond}},
			srvSpec{name: "cpb", accounts: 20, faults: whmsim.Faults{Latency: 20 * time.Millisecond, RefuseAccounts: []string{"cpbu019"}}})
		cfg := testConfig()
		cfg.PerServerCap = 1
		cfg.BatchSize = 2
		cfg.LeaseTTL = time.Second
		crashCtx, crash := context.WithCancel(ctx)
		a := provisioning.New(cfg, st, panels(), quiet, nil)
		op, err := a.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		a.Start(crashCtx)
		waitProgress(t, st, op.ID, 10)
		crash() // no cleanup: leases stay until they expire

		startEngine(t, st, cfg)
		d := waitOp(t, st, op.ID)
		// cpbu019 is refused at each of its 3 attempts (a warning each,
		// never twice for one attempt), then terminal.
		if d.State != links.OpCompleted || d.AccountsDone != 49 || d.AccountsFailed != 1 || d.Warnings != 3 || d.AccountsTotal != 50 {
			t.Fatalf("operation = %+v", d.Operation)
		}
		for i, wn := range logOf(t, st, op.ID, links.LevelWarning) {
			if want := fmt.Sprintf("(attempt %d of 3)", i+1); i < 2 && !strings.Contains(wn.Message, want) || i == 2 && !strings.HasSuffix(wn.Message, "(gave up after 3 attempts).") {
				t.Errorf("warning %d = %q", i, wn.Message)
			}
		}
		delete(w.services, "cpbu019")
		want, _ := a.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa", "cpb")
	})
}

func TestTwoEnginesOnOneDatabaseWorkEachServerOneAtATime(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, dialect)
			st1, st2 := storetest.Open(t, url), storetest.Open(t, url)
			lat := whmsim.Faults{Latency: 10 * time.Millisecond, Jitter: 10 * time.Millisecond}
			w := newWorld(t, st1, srvSpec{name: "cpa", accounts: 24, faults: lat}, srvSpec{name: "cpb", accounts: 24, faults: lat},
				srvSpec{name: "cpc", accounts: 24, faults: lat}, srvSpec{name: "cpd", accounts: 24, faults: lat})
			cfg := testConfig()
			cfg.PerServerCap = 2
			cfg.BatchSize = 2
			tr := newLeaseTracker()
			cfg.OnLease = tr.hook
			e1 := startEngine(t, st1, cfg)
			startEngine(t, st2, cfg)
			op, err := e1.Enable(ctx, links.ModuleCPanel, "")
			if err != nil {
				t.Fatal(err)
			}
			d := waitOp(t, st1, op.ID)
			if d.AccountsDone != 96 || d.Warnings != 0 {
				t.Fatalf("operation = %+v", d.Operation)
			}
			// A repair right after, worked by whoever claims first.
			rop, err := e1.Sync(ctx, links.ModuleCPanel, "")
			if err != nil {
				t.Fatal(err)
			}
			if d := waitOp(t, st1, rop.ID); d.AccountsDone != 96 {
				t.Fatalf("repair = %+v", d.Operation)
			}
			want, _ := e1.Links(ctx, links.ModuleCPanel)
			w.expectLinks(want, "cpa", "cpb", "cpc", "cpd")
			for name, srv := range w.servers {
				if m := srv.Stats().MaxInFlight; m > int64(cfg.PerServerCap) {
					t.Errorf("%s: %d requests in flight at once, cap %d", name, m, cfg.PerServerCap)
				}
			}
			tr.mu.Lock()
			defer tr.mu.Unlock()
			if len(tr.violations) > 0 {
				t.Fatalf("lease violations: %v", tr.violations)
			}
		})
	}
}

func TestAccountLifecycleFollowsTheService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, op := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 3}, srvSpec{name: "cpb", accounts: 1})
		want, _ := e.Links(ctx, links.ModuleCPanel)

		// A new account on cpa gets its links.
		if err := w.servers["cpa"].AddAccount(whmsim.Account{User: "newbie", Domain: "newbie.example.test"}); err != nil {
			t.Fatal(err)
		}
		svc := w.addService("cpa", "newbie", links.ServiceActive)
		e.ServiceChanged(ctx, nil, &svc)
		waitFor(t, func() bool { return len(w.servers["cpa"].Links("newbie")) == len(want) })
		w.expectLinks(want, "cpa")
		// View Log shows the lifecycle push, in the latest operation's log.
		waitFor(t, func() bool {
			for _, en := range logOf(t, st, op.ID, links.LevelDebug) {
				if en.Message == "Pushed the links of account newbie on server cpa." && en.ServiceID != nil && *en.ServiceID == svc.ID {
					return true
				}
			}
			return false
		})

		// Terminated: removed.
		term := links.ServiceTerminated
		before, after, err := st.UpdateService(ctx, svc.ID, links.ServicePatch{Status: &term})
		if err != nil {
			t.Fatal(err)
		}
		e.ServiceChanged(ctx, &before, &after)
		waitFor(t, func() bool {
			return len(w.servers["cpa"].Links("newbie")) == 0 && len(w.servers["cpa"].Groups("newbie")) == 0
		})

		// Moved from cpa to cpb (same username exists on both panels): removed there, pushed here.
		if err := w.servers["cpb"].AddAccount(whmsim.Account{User: "cpau001", Domain: "cpau001.example.test"}); err != nil {
			t.Fatal(err)
		}
		cpb := w.ids["cpb"]
		moved := w.services["cpau001"]
		before, after, err = st.UpdateService(ctx, moved.ID, links.ServicePatch{ServerID: &cpb})
		if err != nil {
			t.Fatal(err)
		}
		e.ServiceChanged(ctx, &before, &after)
		waitFor(t, func() bool {
			return len(w.servers["cpa"].Links("cpau001")) == 0 && len(w.servers["cpb"].Links("cpau001")) == len(want)
		})
		// The account syncs never superseded the activation.
		if d, _ := st.Operation(ctx, op.ID); d.State != links.OpCompleted {
			t.Fatalf("activation = %+v", d.Operation)
		}
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBadInputIsRefusedAndQueuesNothing(t *testing.T) {
	st := storetest.New(t, store.DialectSQLite)
	ctx := context.Background()
	e := provisioning.New(testConfig(), st, panels(), quiet, nil)
	if _, err := e.Enable(ctx, links.ModuleCPanel, ""); links.ErrorCode(err) != links.ECONFLICT ||
		!strings.Contains(links.ErrorMessage(err), "at least one active server") {
		t.Fatalf("enable without servers = %v", err)
	}
	if _, err := e.Enable(ctx, "plesk", ""); links.ErrorCode(err) != links.ENOTFOUND {
		t.Fatalf("enable plesk = %v", err)
	}
	newWorld(t, st, srvSpec{name: "cpa", accounts: 1})
	if _, err := e.Disable(ctx, links.ModuleCPanel, ""); links.ErrorCode(err) != links.ECONFLICT {
		t.Fatalf("disable a disabled application = %v", err)
	}
	if _, err := e.Enable(ctx, links.ModuleCPanel, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Enable(ctx, links.ModuleCPanel, ""); links.ErrorCode(err) != links.ECONFLICT {
		t.Fatalf("enable twice = %v", err)
	}
	ls, _ := e.Links(ctx, links.ModuleCPanel)
	bad := func(mut func(in []links.LinkInput) []links.LinkInput, field string) {
		t.Helper()
		_, op, err := e.SaveLinks(ctx, links.ModuleCPanel, mut(settingsOf(ls)), "")
		var le *links.Error
		if op != nil || err == nil || !asErr(err, &le) || le.Code != links.EINVALID || !strings.Contains(le.Field, field) {
			t.Errorf("want invalid %s, got %v, %v", field, err, op)
		}
	}
	neg, dup := -1, 3
	bad(func(in []links.LinkInput) []links.LinkInput { in[0].Label = "It's"; return in }, "label")
	bad(func(in []links.LinkInput) []links.LinkInput { in[0].Label = strings.Repeat("x", 65); return in }, "label")
	bad(func(in []links.LinkInput) []links.LinkInput { in[0].Order = &neg; return in }, "order")
	bad(func(in []links.LinkInput) []links.LinkInput { in[0].Order = &dup; return in }, "order")
	bad(func(in []links.LinkInput) []links.LinkInput { in[0].Key = "nope"; return in }, "key")
	bad(func(in []links.LinkInput) []links.LinkInput { in[0].Key = in[1].Key; return in }, "key")
	bad(func(in []links.LinkInput) []links.LinkInput { return in[1:] }, "links")
	ops, total, _ := st.ListOperations(ctx, links.OperationFilter{Page: links.Page{Page: 1, PerPage: 10}})
	if total != 1 || ops[0].Kind != links.OpActivation {
		t.Fatalf("operations = %+v", ops)
	}
}

func asErr(err error, target **links.Error) bool { return errors.As(err, target) }
