package provisioning_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// gatedPanel holds the push naming its account until released, then
// refuses the whole batch; the other pushes go to the real panel.
type gatedPanel struct {
	links.Panel
	mu      sync.Mutex
	user    string
	entered chan struct{}
	release chan struct{}
}

func (g *gatedPanel) PushLinks(ctx context.Context, s links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	g.mu.Lock()
	user := g.user
	g.mu.Unlock()
	for _, a := range req.Accounts {
		if user != "" && a.Username == user {
			close(g.entered)
			<-g.release
			g.mu.Lock()
			g.user = ""
			g.mu.Unlock()
			out := make([]links.AccountResult, len(req.Accounts))
			for i, a := range req.Accounts {
				out[i] = links.AccountResult{Username: a.Username, Err: errors.New("refused by the panel")}
			}
			return out, nil
		}
	}
	return g.Panel.PushLinks(ctx, s, req)
}

// A refusal recorded after the account's desired state changed back to
// what the panel has (created, then terminated while its first push is in
// flight) leaves a retry time on a location no walk selects again: it is
// not pending, and the status comes back to active (it said syncing
// forever when every retry time counted).
func TestARefusalOfAnEarlierDesiredStateLeavesNothingPending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		g := &gatedPanel{Panel: panels()[0], entered: make(chan struct{}), release: make(chan struct{})}
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 2})
		e, op := enableOver(t, st, testConfig(), g)
		waitOp(t, st, op.ID)
		waitStatus(t, e, links.StateActive)

		st.SetLifecycleDelay(0)
		if err := w.servers["cpa"].AddAccount(whmsim.Account{User: "new01", Domain: "new01.example.test"}); err != nil {
			t.Fatal(err)
		}
		g.mu.Lock()
		g.user = "new01"
		g.mu.Unlock()
		svc := w.addService("cpa", "new01", links.ServiceActive)
		e.ServiceChanged(ctx, nil, &svc)
		select {
		case <-g.entered:
		case <-time.After(20 * time.Second):
			t.Fatal("push never sent")
		}
		// While the push is in flight, the service is terminated: its
		// location should carry nothing, and carries nothing (never pushed).
		term := links.ServiceTerminated
		before, after, err := st.UpdateService(ctx, svc.ID, links.ServicePatch{Status: &term})
		if err != nil {
			t.Fatal(err)
		}
		e.ServiceChanged(ctx, &before, &after)
		close(g.release)

		// Nothing is out of date any more: the status must come back to active.
		deadline := time.Now().Add(10 * time.Second)
		var s links.ApplicationStatus
		for time.Now().Before(deadline) {
			s, _ = e.Status(ctx, links.ModuleCPanel)
			if s.State == links.StateActive {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		db, _ := st.SQLDB()
		var confirmed string
		var attempts int
		var next *time.Time
		if err := db.QueryRowContext(ctx, "SELECT confirmed_fp, attempts, next_attempt_at FROM link_states WHERE username = 'new01'").Scan(&confirmed, &attempts, &next); err != nil {
			t.Fatal(err)
		}
		t.Fatalf("status stays %s after 10s (pending %d, behind %d); row new01 of a Terminated service: confirmed %q, attempts %d, next_attempt_at %v",
			s.State, s.AccountsPending, s.ServersBehind, confirmed, attempts, next)
	})
}
