package provisioning_test

import (
	"context"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// Lifecycle work opens no operation: while it is due, the status is
// syncing with the last operation's figures, closed, beside the servers
// behind that say how much is left; then it is active again.
func TestLifecycleSyncingShowsTheServersBehind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 3}, srvSpec{name: "cpb", accounts: 3})
		if s, _ := waitStatus(t, e, links.StateActive); s.ServersBehind != 0 {
			t.Fatalf("status = %+v, want no server behind", s)
		}
		st.SetLifecycleDelay(time.Hour) // the new account waits while the status is read
		if err := w.servers["cpa"].AddAccount(whmsim.Account{User: "new01", Domain: "new01.example.test"}); err != nil {
			t.Fatal(err)
		}
		svc := w.addService("cpa", "new01", links.ServiceActive)
		e.ServiceChanged(ctx, nil, &svc)
		s, _ := waitStatus(t, e, links.StateSyncing)
		if s.ServersBehind != 1 || s.Operation == nil || s.Operation.Open() || s.AccountsDone != 6 {
			t.Fatalf("status = %+v, want one server behind beside the last operation's figures", s)
		}
		// Another account with no delay wakes the server now: both are pushed.
		st.SetLifecycleDelay(0)
		if err := w.servers["cpa"].AddAccount(whmsim.Account{User: "new02", Domain: "new02.example.test"}); err != nil {
			t.Fatal(err)
		}
		svc2 := w.addService("cpa", "new02", links.ServiceActive)
		e.ServiceChanged(ctx, nil, &svc2)
		if s, _ := waitStatus(t, e, links.StateActive); s.ServersBehind != 0 {
			t.Fatalf("status = %+v, want no server behind", s)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa", "cpb")
	})
}
