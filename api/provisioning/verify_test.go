package provisioning_test

import (
	"context"
	"errors"
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

// Verify reads every account back, names each drift in a Notice (server,
// account, the differences), repairs exactly the drifted accounts, and
// reports a server that does not support links as information.
func TestVerifyFindsAndRepairsDrift(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 7}, srvSpec{name: "old", accounts: 2, version: whmsim.OldVersion})
		e := startEngine(t, st, testConfig()) // BatchSize 3, PerServerCap 2
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		want, _ := e.Links(ctx, links.ModuleCPanel)
		cpa := w.servers["cpa"]
		if err := cpa.RemoveLink("cpau001", "billing_upgrade"); err != nil {
			t.Fatal(err)
		}
		if err := cpa.EditLink("cpau005", "billing_profile", func(l *whmsim.Link) { l.Label = "Hacked" }); err != nil {
			t.Fatal(err)
		}
		cpa.ResetStats()
		vop, err := e.Verify(ctx, links.ModuleCPanel, "staff@example.test")
		if err != nil {
			t.Fatal(err)
		}
		d := waitOp(t, st, vop.ID)
		if d.Kind != links.OpVerify || d.AccountsDone != 2 || d.AccountsFailed != 0 {
			t.Fatalf("verify = %+v, want the two drifted accounts repaired", d.Operation)
		}
		w.expectLinks(want, "cpa")
		notices := logOf(t, st, vop.ID, links.LevelNotice)
		all := ""
		for _, n := range notices {
			all += n.Message + "\n"
		}
		if len(notices) != 2 || !strings.Contains(all, "cpau001 on server cpa differs from its desired links (link billing_upgrade missing)") ||
			!strings.Contains(all, `cpau005 on server cpa differs from its desired links (label of billing_profile is "Hacked"`) {
			t.Fatalf("notices = %+v", notices)
		}
		infos := logOf(t, st, vop.ID, links.LevelInfo)
		var counted, unsupported bool
		for _, in := range infos {
			counted = counted || strings.Contains(in.Message, "Verified 7 accounts of server cpa: 2 differed")
			unsupported = unsupported || strings.Contains(in.Message, "Server old does not support application links")
		}
		if !counted || !unsupported {
			t.Fatalf("info entries = %+v", infos)
		}
		if warnings := logOf(t, st, vop.ID, links.LevelWarning); len(warnings) != 0 {
			t.Fatalf("warnings = %+v", warnings)
		}
		expectStartedFirst(t, logOf(t, st, vop.ID, ""), "Started verify of server cpa ")
		// 7 accounts read 3 at a time, then one push of the 2 drifted.
		if n := cpa.Stats().Requests; n != 4 {
			t.Errorf("%d WHM requests, want 3 reads and 1 push", n)
		}
		if s, _ := waitStatus(t, e, links.StateActive); s.AccountsFailed != 0 {
			t.Fatalf("status = %+v", s)
		}
	})
}

// A verify of a disabled or unknown application is refused, and queues
// nothing; the periodic verify runs once per interval, checked at the times
// the test sends (real time plus an offset of minutes: the operations'
// creation times are real).
func TestVerifyRefusesAndRunsPeriodically(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		newWorld(t, st, srvSpec{name: "cpa", accounts: 2})
		cfg := testConfig()
		ticks := make(chan time.Time) // unbuffered: a send returns once the scheduler took it
		cfg.VerifyInterval, cfg.VerifyTicks = time.Hour, ticks
		e := startEngine(t, st, cfg)
		if _, err := e.Verify(ctx, links.ModuleCPanel, ""); links.ErrorCode(err) != links.ECONFLICT {
			t.Fatalf("verify a disabled application = %v", err)
		}
		if _, err := e.Verify(ctx, "plesk", ""); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("verify an unknown application = %v", err)
		}
		if n := operationCount(t, st); n != 0 {
			t.Fatalf("refused verifies queued %d operations", n)
		}
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		// check sends a check at now+offset, then one at now, which opens
		// nothing (the engine started less than an interval ago) and
		// returns once the first check is done.
		check := func(offset time.Duration) {
			t.Helper()
			for _, d := range []time.Duration{offset, 0} {
				select {
				case ticks <- time.Now().Add(d):
				case <-time.After(30 * time.Second):
					t.Fatal("the scheduler took no verify check")
				}
			}
		}
		verifies := func() (n int, open bool, latest links.Operation) {
			ops, _, _ := st.ListOperations(ctx, links.OperationFilter{Module: links.ModuleCPanel, Page: links.Page{Page: 1, PerPage: 10}})
			for _, o := range ops {
				if o.Kind == links.OpVerify {
					if n++; n == 1 {
						latest = o
					}
					open = open || o.Open()
				}
			}
			return n, open, latest
		}
		steps := []struct {
			offset time.Duration
			want   int
		}{
			{30 * time.Minute, 0}, // within the first interval since the start
			{61 * time.Minute, 1}, // an interval since the start
			{61 * time.Minute, 1}, // 31 minutes after that verify (dated +30m below)
			{91 * time.Minute, 2}, // an interval after it
		}
		for i, s := range steps {
			check(s.offset)
			if n, _, _ := verifies(); n != s.want {
				t.Fatalf("after a check at +%s: %d verifies, want %d", s.offset, n, s.want)
			}
			waitFor(t, func() bool { _, open, _ := verifies(); return !open })
			if i == 1 {
				// The first verify dated 30 minutes later: an interval has
				// passed since the start, but not since that verify.
				_, _, v := verifies()
				db, err := st.SQLDB()
				if err == nil {
					_, err = db.ExecContext(ctx, "UPDATE operations SET created_at = ? WHERE id = ?", v.CreatedAt.Add(30*time.Minute), v.ID)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// readGate is a panel whose ReadLinks calls wait until the gate is opened;
// it signals the first call.
type readGate struct {
	links.Panel
	arrived chan struct{} // one value once a call reached the gate
	opened  chan struct{}
	open    func()
}

func newReadGate(p links.Panel) *readGate {
	g := &readGate{Panel: p, arrived: make(chan struct{}, 1), opened: make(chan struct{})}
	g.open = sync.OnceFunc(func() { close(g.opened) })
	return g
}

func (g *readGate) ReadLinks(ctx context.Context, s links.ServerConn, req links.ReadRequest) ([]links.AccountLinks, error) {
	select {
	case g.arrived <- struct{}{}:
	default:
	}
	select {
	case <-g.opened:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Panel.ReadLinks(ctx, s, req)
}

// A repair queued while a verify reads its server stops the verify: after
// its next page the walk sees the repair's progress row, and the verify
// neither logs counts of a partial read nor starts; the verify ends
// superseded and the repair brings every account to its desired links.
func TestAVerifyStopsForANewerIntent(t *testing.T) {
	// One page (the repair comes after the walk's only read), and one
	// account more than a page of the walk (500 locations: the verify
	// reads a second page after the repair is queued).
	for _, total := range []int{7, 501} {
		t.Run(fmt.Sprint(total), func(t *testing.T) { testVerifyStopsForANewerIntent(t, total) })
	}
}

func testVerifyStopsForANewerIntent(t *testing.T, total int) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: total})
		cfg := testConfig()
		// 5 reads a page, 2 in flight: while the gate holds the reads, the
		// walk waits for a slot within its first page.
		cfg.BatchSize, cfg.PerServerCap = 100, 2
		gate := newReadGate(panels()[0]) // cPanel
		e, op := enableOver(t, st, cfg, gate)
		t.Cleanup(gate.open) // before the engine stops, should the test fail
		if d := waitOp(t, st, op.ID); d.AccountsDone != total {
			t.Fatalf("activation = %+v", d.Operation)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		// Drift on the last account, which only the repair reaches.
		if err := w.servers["cpa"].RemoveLink(fmt.Sprintf("cpau%03d", total), "billing_upgrade"); err != nil {
			t.Fatal(err)
		}
		vop, err := e.Verify(ctx, links.ModuleCPanel, "staff@example.test")
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-gate.arrived: // the first page is read, its reads held
		case <-time.After(30 * time.Second):
			t.Fatal("the verify read no account in 30s")
		}
		rop, err := e.Sync(ctx, links.ModuleCPanel, "staff@example.test")
		if err != nil {
			t.Fatal(err)
		}
		gate.open()
		r := waitOp(t, st, rop.ID)
		if r.State != links.OpCompleted || r.AccountsDone != total || r.AccountsFailed != 0 {
			t.Errorf("repair = %+v, want every account pushed again", r.Operation)
		}
		w.expectLinks(want, "cpa")
		// The repair's worker held the lease after the verify's: whatever
		// the verify wrote is in its log by now.
		expectStoppedVerify(t, st, vop.ID, rop.ID)
	})
}

// expectStartedFirst checks that, oldest first, the log has the entry
// starting with started before any entry naming an account of its server.
func expectStartedFirst(t *testing.T, log []links.LogEntry, started string) {
	t.Helper()
	for _, en := range log {
		if strings.HasPrefix(en.Message, started) {
			return
		}
		if en.ServiceID != nil {
			t.Fatalf("%s %q is logged before %q", en.Level, en.Message, started)
		}
	}
	t.Fatalf("no %q in the log", started)
}

// expectStoppedVerify checks that a verify was superseded by operation by
// before its one server started (its read pass, logged as started, was cut
// short), and logged no counts.
func expectStoppedVerify(t *testing.T, st *store.Store, id, by int64) {
	t.Helper()
	v := waitOp(t, st, id)
	if v.State != links.OpSuperseded || v.SupersededBy == nil || *v.SupersededBy != by {
		t.Fatalf("verify = %+v", v.Operation)
	}
	if len(v.Servers) != 1 || v.Servers[0].State != links.TaskSuperseded || v.Servers[0].Checked {
		t.Fatalf("verify's progress rows = %+v", v.Servers)
	}
	for _, en := range logOf(t, st, id, "") {
		if strings.Contains(en.Message, "Verified") {
			t.Errorf("the superseded verify logged %s %q", en.Level, en.Message)
		}
	}
}

// The accounts a verify could not read are Warnings of the operation, and
// counted in its warnings like every other Warning it logs (the read pass
// logs them before the start that counts them).
func TestAVerifyCountsTheAccountsItCouldNotRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 4}) // two read batches
		if err := w.servers["cpa"].SetFaults(whmsim.Faults{HTTP500Rate: 1}); err != nil {
			t.Fatal(err)
		}
		vop, err := e.Verify(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		done := waitOp(t, st, vop.ID)
		warnings := logOf(t, st, vop.ID, links.LevelWarning)
		unread := 0
		for _, en := range warnings {
			if strings.HasPrefix(en.Message, "Could not verify account ") {
				unread++
			}
		}
		if unread != 4 || done.Warnings != len(warnings) {
			t.Fatalf("%d accounts not read, %d warnings logged, the operation counts %d", unread, len(warnings), done.Warnings)
		}
		expectStartedFirst(t, logOf(t, st, vop.ID, ""), "Started verify of server cpa ")
	})
}

// A repair of one server that does not support links ends with its
// Information entry and a Notice about the operation, never one saying that
// no server of the application supports links (another one does).
func TestATargetedRepairOfAnOldServerBlamesNoOtherServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 2}, srvSpec{name: "old", accounts: 1, version: whmsim.OldVersion})
		op, err := e.SyncServer(ctx, w.ids["old"], "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		var notices []string
		for _, en := range logOf(t, st, op.ID, links.LevelNotice) {
			notices = append(notices, en.Message)
		}
		if len(notices) != 1 || notices[0] != "No server of this operation supports application links: no account was changed." {
			t.Fatalf("notices = %q", notices)
		}
		if len(logOf(t, st, op.ID, links.LevelInfo)) == 0 {
			t.Fatal("no Information entry names the server")
		}
	})
}

// A verify whose reads fail abortAfter times in a row gives the server up
// before its start: the start entry, logged before the read, is not logged
// again with the give-up, and the server counts as supporting links (it
// was not counted among the supported ones).
func TestAVerifyGivenUpLogsItsStartOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 9}) // three read batches
		if err := w.servers["cpa"].SetFaults(whmsim.Faults{HTTP500Rate: 1}); err != nil {
			t.Fatal(err)
		}
		vop, err := e.Verify(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		// Given up, the server still counts as one that supports links.
		if d := waitOp(t, st, vop.ID); len(d.Servers) != 1 || d.Servers[0].State != links.TaskFailed || d.ServersSupport != 1 {
			t.Fatalf("verify = %+v, servers %+v, want its server given up, supporting links", d.Operation, d.Servers)
		}
		started, gaveUp := 0, 0
		for _, en := range logOf(t, st, vop.ID, "") {
			if strings.HasPrefix(en.Message, "Started verify of server cpa ") {
				started++
			}
			if strings.HasPrefix(en.Message, "Gave up on server cpa ") {
				gaveUp++
			}
		}
		if started != 1 || gaveUp != 1 {
			t.Fatalf("the log starts the server %d times and gives it up %d times, want once each", started, gaveUp)
		}
	})
}

// flapReads fails every read while down, except the first, which waits
// until the worker logged 30 accounts it could not read (three requests
// failed, the server given up) and is then answered: the server is back.
type flapReads struct {
	links.Panel
	held    atomic.Bool
	counted func() bool
}

func (p *flapReads) ReadLinks(ctx context.Context, s links.ServerConn, req links.ReadRequest) ([]links.AccountLinks, error) {
	if !p.held.CompareAndSwap(false, true) {
		return nil, errors.New("dial tcp: connection refused")
	}
	for !p.counted() {
		time.Sleep(5 * time.Millisecond)
	}
	return p.Panel.ReadLinks(ctx, s, req)
}

// A verify's read pass given up stays given up when a read answers after
// the third failure: the walk was cut short, so its counts would miss
// accounts (a push pass walks again instead). The server ends failed, its
// start logged once.
func TestAVerifyGivenUpStaysGivenUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		newWorld(t, st, srvSpec{name: "cpa", accounts: 40})
		cfg := testConfig()
		cfg.BatchSize, cfg.PerServerCap = 10, 4 // the 4 reads in flight at once
		var verify atomic.Int64
		panel := &flapReads{Panel: panels()[0]}
		panel.counted = warningsLogged(st, &verify, "", 30)
		e, op := enableOver(t, st, cfg, panel)
		waitOp(t, st, op.ID)
		vop, err := e.Verify(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		verify.Store(vop.ID)
		d := waitOp(t, st, vop.ID)
		started := 0
		for _, en := range logOf(t, st, vop.ID, "") {
			if strings.HasPrefix(en.Message, "Started verify of server cpa ") {
				started++
			}
		}
		if len(d.Servers) != 1 || d.Servers[0].State != links.TaskFailed || started != 1 {
			t.Fatalf("verify = %+v, servers %+v, started %d times; want its server given up, started once", d.Operation, d.Servers, started)
		}
	})
}
