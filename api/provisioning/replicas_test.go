package provisioning_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// During a rolling upgrade (or with replicas configured apart), the process
// started last stores its configuration fingerprint and wakes every server;
// a process still running with another public URL leaves the servers alone
// instead of finding nothing due by its own fingerprint and ending their
// work (the status said active while every account kept the old URL, and
// nothing was ever due again). Once it stops, the new one pushes every
// account.
func TestAProcessWithAnotherConfigurationLeavesTheServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, old, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 3})
		id := w.ids["cpa"]

		cfg := testConfig()
		cfg.PublicURL = "https://billing-new.example.test"
		upgraded := provisioning.New(cfg, st, panels(), quiet, nil)
		if err := upgraded.Init(ctx); err != nil { // its start, before it works
			t.Fatal(err)
		}
		bumped, err := st.ServerWork(ctx, id)
		if err != nil || bumped.DoneGen >= bumped.WantedGen {
			t.Fatalf("the new configuration woke nothing: %+v, %v", bumped, err)
		}
		// The old process claims the server and leaves it for a while.
		waitFor(t, func() bool {
			sw, err := st.ServerWork(ctx, id)
			return err == nil && sw.WakeAt != nil && sw.WakeAt.After(time.Now())
		})
		if sw, _ := st.ServerWork(ctx, id); sw.DoneGen >= bumped.WantedGen {
			t.Fatalf("the old process ended the server's work: %+v", sw)
		}

		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := old.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		upgraded.Start(ctx)
		t.Cleanup(func() { _ = upgraded.Stop(context.Background()) })
		if _, err := waitStatus(t, upgraded, links.StateActive); err != nil {
			t.Fatal(err)
		}
		pushed := 0
		for _, a := range w.servers["cpa"].Accounts() {
			for _, l := range w.servers["cpa"].Links(a.User) {
				if !strings.HasPrefix(l.URL, cfg.PublicURL) {
					t.Fatalf("%s: link %s still points at %s", a.User, l.App, l.URL)
				}
				pushed++
			}
		}
		if pushed == 0 {
			t.Fatal("no account carries links")
		}
	})
}

// initFailsOnce is a store whose first engine start fails to be stored.
type initFailsOnce struct {
	*store.Store
	failed atomic.Bool
}

func (s *initFailsOnce) InitApplication(ctx context.Context, module, fp, configFP, legacyFP string) error {
	if s.failed.CompareAndSwap(false, true) {
		return errors.New("the database went away for a moment")
	}
	return s.Store.InitApplication(ctx, module, fp, configFP, legacyFP)
}

// An engine whose start could not be stored (the database away for a
// moment) stores it at a later tick: until then a changed configuration
// has woken no server, and its workers would leave every server alone.
func TestAnEngineStartThatFailedIsStoredLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		startEngine(t, &initFailsOnce{Store: st}, testConfig())
		waitFor(t, func() bool {
			fp, err := st.ConfigFingerprint(ctx, links.ModuleCPanel)
			return err == nil && fp != ""
		})
	})
}

// An aborted rolling update: a new process started (its configuration
// stored, every server woken) and stopped before it worked. The old
// process, never restarted and now the only one, left every server to it
// for good; it takes the configuration over once no process has held the
// stored one for three lease TTLs, and an ordinary relabel completes.
func TestARolledBackUpdateLeavesTheServersToTheSurvivor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, old, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 3})
		cfg := testConfig()
		cfg.PublicURL = "https://billing-new.example.test"
		canary := provisioning.New(cfg, st, panels(), quiet, nil)
		if err := canary.Init(ctx); err != nil { // then it is gone
			t.Fatal(err)
		}
		_, op := relabel(t, old, "Relabelled after the rollback")
		if done := waitOp(t, st, op.ID); done.State != links.OpCompleted || done.AccountsFailed != 0 {
			t.Fatalf("the relabel = %+v", done)
		}
		if _, err := waitStatus(t, old, links.StateActive); err != nil {
			t.Fatal(err)
		}
		want, _ := old.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa")
	})
}
