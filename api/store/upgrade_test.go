package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// upgradeFromOperations makes s a database of the operations engine's
// release (before the reconciler) and migrates it again.
func upgradeFromOperations(t *testing.T, s *store.Store) {
	t.Helper()
	for _, q := range []string{
		"DROP TABLE link_states",
		"ALTER TABLE servers DROP COLUMN wanted_gen",
		"ALTER TABLE applications DROP COLUMN fingerprint",
		"DELETE FROM schema_migrations WHERE id = '2026120610_reconciler'",
	} {
		execSQL(t, s, q)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The upgrade from the operations engine: every service with a username gets
// a '?legacy' location; the first start confirms them when the module's
// last operation completed cleanly, else they stay out of date.
func TestUpgradeSettlesLegacyLocations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "up@acme.test")
		newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		newService(t, s, c.ID, a.ID, "bob", links.ServiceTerminated)
		upgradeFromOperations(t, s)
		for _, l := range page(t, s, a.ID) {
			if l.ConfirmedFP != links.ConfirmedLegacy || l.ServiceID == nil {
				t.Fatalf("migrated location = %+v", l)
			}
		}
		if w, _, _ := gens(t, s, a.ID); w != 1 {
			t.Fatalf("wanted gen after the migration = %d, want due once", w)
		}
		// The last activation did not complete: pushed again.
		op := queueFull(t, s, links.OpActivation)
		if err := s.InitApplication(ctx, links.ModuleCPanel, "fpA", "cfg", "fpA:1"); err != nil {
			t.Fatal(err)
		}
		if l := page(t, s, a.ID)["alice"]; l.ConfirmedFP != links.ConfirmedLegacy {
			t.Fatalf("after an unfinished activation: %+v", l)
		}
		execSQL(t, s, "UPDATE server_tasks SET state = 'done'")
		if _, won, err := s.CompleteOperation(ctx, op.ID, nil); err != nil || !won {
			t.Fatal(won, err)
		}
		if err := s.InitApplication(ctx, links.ModuleCPanel, "fpA", "cfg", "fpA:1"); err != nil {
			t.Fatal(err)
		}
		loc := page(t, s, a.ID)
		if loc["alice"].ConfirmedFP != "fpA:1" || loc["bob"].ConfirmedFP != "" {
			t.Fatalf("after a clean activation: %+v", loc)
		}
		// A configuration changed between two starts wakes the servers.
		w, _, _ := gens(t, s, a.ID)
		if err := s.InitApplication(ctx, links.ModuleCPanel, "fpB", "cfg", "fpB:1"); err != nil {
			t.Fatal(err)
		}
		if w2, _, _ := gens(t, s, a.ID); w2 != w+1 {
			t.Fatalf("wanted gen %d after a new fingerprint, want %d", w2, w+1)
		}
	})
}

// legacyTask is a progress row of the operations engine: an account sync's
// names its service and location, and whether its one account failed.
type legacyTask struct {
	server   int64
	service  int64
	username string
	action   string // push, remove
	state    string // pending, running, done, failed
	failed   int
}

// legacyOperation inserts an operation as the operations engine left it,
// with its progress rows, and returns its id.
func legacyOperation(t *testing.T, s *store.Store, kind, state string, tasks ...legacyTask) int64 {
	t.Helper()
	now := time.Now().UTC()
	execSQL(t, s, "INSERT INTO operations (module, kind, state, spec, started_by, created_at, updated_at)"+
		" VALUES (?, ?, ?, '{}', 'service change', ?, ?)", links.ModuleCPanel, kind, state, now, now)
	id := queryInt(t, s, "SELECT MAX(id) FROM operations")
	for _, k := range tasks {
		var svc any
		if k.service != 0 {
			svc = k.service
		}
		done := 0
		if k.state == links.TaskDone && k.failed == 0 && kind == links.OpAccountSync {
			done = 1
		}
		execSQL(t, s, "INSERT INTO server_tasks (operation_id, server_id, action, service_id, username, state, checked,"+
			" accounts_total, accounts_done, accounts_failed, next_attempt_at, last_error, created_at, updated_at)"+
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
			id, k.server, k.action, svc, k.username, k.state, true, done+k.failed, done, k.failed, now, now, now)
	}
	return id
}

// After a clean activation, the upgrade confirms an account only when the
// account syncs that concern it completed: one still open, or one queued
// after the activation that failed, leaves the account to be pushed once.
// An account sync that failed before the activation does not count (the
// activation pushed the account again); one still open does.
func TestUpgradePushesAccountsAnAccountSyncLeftBehind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "sync@acme.test")
		svc := map[string]int64{}
		for _, u := range []string{"alice", "bob", "carol", "dave", "erin", "fred", "hank"} {
			svc[u] = newService(t, s, c.ID, a.ID, u, links.ServiceActive).ID
		}
		svc["grace"] = newService(t, s, c.ID, a.ID, "grace", links.ServiceTerminated).ID
		upgradeFromOperations(t, s)
		sync := func(u, action, state string, failed int) legacyTask {
			return legacyTask{server: a.ID, service: svc[u], username: u, action: action, state: state, failed: failed}
		}
		opState := map[string]string{links.TaskPending: links.OpQueued, links.TaskRunning: links.OpRunning}
		accountSync := func(k legacyTask) {
			st, ok := opState[k.state]
			if !ok {
				st = links.OpCompleted
			}
			legacyOperation(t, s, links.OpAccountSync, st, k)
		}
		accountSync(sync("fred", "push", links.TaskDone, 1))    // failed, then pushed by the activation
		accountSync(sync("hank", "push", links.TaskPending, 0)) // still open: whenever queued
		legacyOperation(t, s, links.OpActivation, links.OpCompleted,
			legacyTask{server: a.ID, action: "push", state: links.TaskDone})
		accountSync(sync("bob", "push", links.TaskDone, 1))       // refused by the panel
		accountSync(sync("carol", "push", links.TaskPending, 0))  // never ran
		accountSync(sync("dave", "push", links.TaskRunning, 0))   // its process died
		accountSync(sync("erin", "push", links.TaskDone, 0))      // pushed
		accountSync(sync("grace", "remove", links.TaskFailed, 0)) // its server was unreachable
		if err := s.InitApplication(ctx, links.ModuleCPanel, "fpA", "cfg", "fpA:1"); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"alice": "fpA:1", "erin": "fpA:1", "fred": "fpA:1",
			"bob": links.ConfirmedLegacy, "carol": links.ConfirmedLegacy, "dave": links.ConfirmedLegacy, "grace": links.ConfirmedLegacy,
			"hank": links.ConfirmedLegacy}
		loc := page(t, s, a.ID)
		for u, fp := range want {
			if loc[u].ConfirmedFP != fp {
				t.Errorf("%s confirmed at %q, want %q", u, loc[u].ConfirmedFP, fp)
			}
		}
		if w, d, _ := gens(t, s, a.ID); w <= d {
			t.Fatalf("server at generation %d of %d: the accounts left behind are never pushed", d, w)
		}
	})
}

// The old location of a service moved (or deleted) before the upgrade has
// no row; when the account sync that was to remove its links there did not
// finish, the upgrade gives it a row of no owner, so that the loop removes
// them. One that removed them leaves no row.
func TestUpgradeRemovesWhatAnAccountSyncLeftAtAnOldLocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		b := newServer(t, s, "cp2", "cp2.example.com", true)
		c := newClient(t, s, "moved@acme.test")
		ivan := newService(t, s, c.ID, b.ID, "ivan", links.ServiceActive).ID // moved from cp1
		kim := newService(t, s, c.ID, b.ID, "kim", links.ServiceActive).ID   // moved from cp1
		upgradeFromOperations(t, s)
		legacyOperation(t, s, links.OpActivation, links.OpCompleted,
			legacyTask{server: a.ID, action: "push", state: links.TaskDone}, legacyTask{server: b.ID, action: "push", state: links.TaskDone})
		legacyOperation(t, s, links.OpAccountSync, links.OpCompleted,
			legacyTask{server: a.ID, service: ivan, username: "ivan", action: "remove", state: links.TaskDone, failed: 1},
			legacyTask{server: b.ID, service: ivan, username: "ivan", action: "push", state: links.TaskDone})
		legacyOperation(t, s, links.OpAccountSync, links.OpCompleted,
			legacyTask{server: a.ID, service: kim, username: "kim", action: "remove", state: links.TaskDone},
			legacyTask{server: b.ID, service: kim, username: "kim", action: "push", state: links.TaskDone})
		legacyOperation(t, s, links.OpAccountSync, links.OpQueued, // a deleted service
			legacyTask{server: a.ID, service: 999999, username: "judy", action: "remove", state: links.TaskPending})
		if err := s.InitApplication(ctx, links.ModuleCPanel, "fpA", "cfg", "fpA:1"); err != nil {
			t.Fatal(err)
		}
		old := page(t, s, a.ID)
		for _, u := range []string{"ivan", "judy"} {
			if l, ok := old[u]; !ok || l.ServiceID != nil || l.ConfirmedFP != links.ConfirmedLegacy {
				t.Errorf("old location of %s = %+v (%v), want a legacy row of no owner", u, l, ok)
			}
		}
		if _, ok := old["kim"]; ok {
			t.Errorf("kim's old location got a row: its account sync removed the links there")
		}
		now := page(t, s, b.ID)
		if now["ivan"].ConfirmedFP != "fpA:1" || now["kim"].ConfirmedFP != "fpA:1" {
			t.Errorf("new locations = %+v, want confirmed", now)
		}
	})
}

// A live process holds its configuration once the hold is older than
// renewBefore (once per lease TTL), not at every poll; a configuration no
// process held since staleBefore is reported stale to the others.
func TestHoldConfigRenewsOnlyAnOldHold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.InitApplication(ctx, links.ModuleCPanel, "fpA", "cfgA", "fpA:1"); err != nil {
			t.Fatal(err)
		}
		held := time.Now().Add(-10 * time.Second).UTC().Truncate(time.Second)
		execSQL(t, s, "UPDATE applications SET config_at = ? WHERE config_fp = 'cfgA'", held)
		stillHeld := func() bool {
			return queryInt(t, s, "SELECT COUNT(*) FROM applications WHERE config_fp = 'cfgA' AND config_at = ?", held) == 1
		}
		hold := func(configFP string, renewBefore, staleBefore time.Time) bool {
			t.Helper()
			stale, err := s.HoldConfig(ctx, configFP, renewBefore, staleBefore)
			if err != nil {
				t.Fatal(err)
			}
			return stale
		}
		now := time.Now()
		if hold("cfgA", now.Add(-time.Minute), now.Add(-3*time.Minute)) || !stillHeld() {
			t.Fatal("a hold younger than renewBefore was written again (or reported stale)")
		}
		if hold("cfgA", now.Add(-5*time.Second), now.Add(-3*time.Minute)) || stillHeld() {
			t.Fatal("a hold older than renewBefore was not renewed")
		}
		if hold("cfgB", now.Add(-time.Minute), now.Add(-time.Minute)) {
			t.Fatal("another process's configuration, just held, was reported stale")
		}
		if !hold("cfgB", now.Add(-time.Minute), now.Add(time.Minute)) {
			t.Fatal("another process's configuration, not held since staleBefore, was not reported stale")
		}
	})
}

// upgradeEach runs test, for each dialect, on a store opened on a database
// that prepare made one of an earlier release (with a first store), as a
// new process opens it: a process's pooled SQLite connections keep the
// schema they read, so the same store would misread the changed tables.
func upgradeEach(t *testing.T, prepare func(old *store.Store), test func(t *testing.T, s *store.Store)) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			url := storetest.URL(t, d)
			old := storetest.Open(t, url)
			prepare(old)
			_ = old.Close()
			test(t, storetest.Open(t, url))
		})
	}
}

// The rows read after an upgrade carry the columns it added: a read
// connection that looked at the table during the migration (gormigrate's
// checks) and then read it with SELECT * missed them (give-ups read 0).
func TestAnUpgradeIsReadWithItsNewColumns(t *testing.T) {
	var serverID int64
	upgradeEach(t, func(old *store.Store) {
		serverID = newServer(t, old, "cp1", "cp1.example.com", true).ID
		execSQL(t, old, "ALTER TABLE servers DROP COLUMN give_ups")
		execSQL(t, old, "DELETE FROM schema_migrations WHERE id = '2026120770_server_give_ups'")
	}, func(t *testing.T, s *store.Store) {
		execSQL(t, s, "UPDATE servers SET give_ups = 3 WHERE id = ?", serverID)
		if w, err := s.ServerWork(context.Background(), serverID); err != nil || w.GiveUps != 3 {
			t.Fatalf("after the upgrade: %d give-ups (%v), want 3", w.GiveUps, err)
		}
	})
}
