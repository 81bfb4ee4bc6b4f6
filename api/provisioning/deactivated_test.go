package provisioning_test

import (
	"context"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
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
