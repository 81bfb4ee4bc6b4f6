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

// A targeted intent queued while a verify reads its servers is accepted
// (not a 409): it supersedes the verify, whose walks stop before their
// start on every server (those the intent concerns and the others), and it
// completes. Staff need not wait for a long periodic verify to rotate a
// leaked secret or repair an account.
func TestATargetedIntentSupersedesAVerify(t *testing.T) {
	intents := map[string]func(e *provisioning.Engine, w *world) (links.Operation, error){
		"sync server": func(e *provisioning.Engine, w *world) (links.Operation, error) {
			return e.SyncServer(context.Background(), w.ids["cpa"], "staff@example.test")
		},
		"sync service": func(e *provisioning.Engine, w *world) (links.Operation, error) {
			return e.SyncService(context.Background(), w.services["cpau001"].ID, "staff@example.test")
		},
		"rotate one": func(e *provisioning.Engine, w *world) (links.Operation, error) {
			return e.RotateLinkSecret(context.Background(), w.services["cpau001"].ID, "staff@example.test")
		},
		"rotate all": func(e *provisioning.Engine, w *world) (links.Operation, error) {
			return e.RotateLinkSecrets(context.Background(), links.ModuleCPanel, "staff@example.test")
		},
		"retry failed": func(e *provisioning.Engine, w *world) (links.Operation, error) {
			return e.RetryFailed(context.Background(), links.ModuleCPanel, "staff@example.test")
		},
	}
	for name, intent := range intents {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				testTargetedSupersedesVerify(t, st, intent, name == "retry failed")
			})
		})
	}
}

// testTargetedSupersedesVerify runs a verify, then intent; failed: an
// account fails for good at the activation (for a retry to have one).
func testTargetedSupersedesVerify(t *testing.T, st *store.Store, intent func(*provisioning.Engine, *world) (links.Operation, error), failed bool) {
	ctx := context.Background()
	a := srvSpec{name: "cpa", accounts: 4}
	if failed {
		a.faults = whmsim.Faults{RefuseAccounts: []string{"cpau002"}}
	}
	w := newWorld(t, st, a, srvSpec{name: "cpb", accounts: 3})
	gate := newReadGate(panels()[0]) // cPanel: the verify's reads wait
	e, op := enableOver(t, st, testConfig(), gate)
	t.Cleanup(gate.open) // before the engine stops, should the test fail
	if d := waitOp(t, st, op.ID); (d.AccountsFailed == 1) != failed {
		t.Fatalf("activation = %+v", d.Operation)
	}
	if err := w.servers["cpa"].SetFaults(whmsim.Faults{}); err != nil {
		t.Fatal(err)
	}
	vop, err := e.Verify(ctx, links.ModuleCPanel, "")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-gate.arrived: // a server's reads are held: the verify runs
	case <-time.After(30 * time.Second):
		t.Fatal("the verify read no account in 30s")
	}
	top, err := intent(e, w)
	if err != nil {
		t.Fatalf("a targeted intent during a verify = %v, want it accepted", err)
	}
	gate.open()
	if d := waitOp(t, st, top.ID); d.State != links.OpCompleted || d.AccountsFailed != 0 {
		t.Errorf("%s = %+v, want completed", top.Kind, d.Operation)
	}
	v := waitOp(t, st, vop.ID)
	if v.State != links.OpSuperseded || v.SupersededBy == nil || *v.SupersededBy != top.ID {
		t.Fatalf("verify = %+v, want superseded by %d", v.Operation, top.ID)
	}
	for _, p := range v.Servers {
		if p.State != links.TaskSuperseded || p.Checked {
			t.Errorf("verify's progress row on server %d = %s (started %v), want superseded unstarted", p.ServerID, p.State, p.Checked)
		}
	}
	waitStatus(t, e, links.StateActive)
	w.expectLinks(mustLinks(t, e), "cpa", "cpb")
}
