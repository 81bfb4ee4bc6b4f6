package provisioning_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// closeRecorder is a panel type that notes the servers whose idle
// connections it was told to close.
type closeRecorder struct {
	links.Panel
	mu     sync.Mutex
	closed []string
}

func (p *closeRecorder) CloseIdle(s links.ServerConn) {
	p.mu.Lock()
	p.closed = append(p.closed, s.Name)
	p.mu.Unlock()
	p.Panel.CloseIdle(s)
}

func TestAWorkedServerKeepsNoIdleConnections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		newWorld(t, st, srvSpec{name: "cpa", accounts: 7}, srvSpec{name: "cpb", accounts: 5})
		ps := panels()
		rec := &closeRecorder{Panel: ps[0]}
		ps[0] = rec
		e := provisioning.New(testConfig(), st, ps, quiet, nil)
		op, err := e.Enable(ctx, links.ModuleCPanel, "admin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		e.Start(ctx)
		if done := waitOp(t, st, op.ID); done.State != links.OpCompleted {
			_ = e.Stop(ctx)
			t.Fatalf("enable = %+v", done.Operation)
		}
		// Stop waits for the workers to end: each has let its server go.
		if err := e.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, name := range []string{"cpa", "cpb"} {
			if !slices.Contains(rec.closed, name) {
				t.Errorf("idle connections closed for %v, want %s among them", rec.closed, name)
			}
		}
	})
}
