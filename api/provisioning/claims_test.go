package provisioning_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// slowClaims holds every lease claim until gate closes, counting them.
type slowClaims struct {
	*store.Store
	gate  chan struct{}
	first chan struct{}
	once  sync.Once
	mu    sync.Mutex
	calls map[int64]int
}

func (s *slowClaims) ClaimServer(ctx context.Context, id int64, owner string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	s.calls[id]++
	s.mu.Unlock()
	s.once.Do(func() { close(s.first) })
	<-s.gate
	return s.Store.ClaimServer(ctx, id, owner, ttl)
}

// TestOneClaimWhileAClaimIsWritten: while a server's claim is being
// written the due list still names it; the scheduler, on its ticks and
// pokes meanwhile, must not start a second worker claiming it.
func TestOneClaimWhileAClaimIsWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, srvSpec{name: "c1", accounts: 3})
		slow := &slowClaims{Store: st, gate: make(chan struct{}), first: make(chan struct{}), calls: map[int64]int{}}
		cfg := testConfig()
		cfg.PollInterval = 5 * time.Millisecond
		e := startEngine(t, slow, cfg)
		op, err := e.Enable(context.Background(), links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-slow.first:
		case <-time.After(10 * time.Second):
			t.Fatal("no claim")
		}
		time.Sleep(100 * time.Millisecond) // some 20 ticks of the scheduler
		slow.mu.Lock()
		n := slow.calls[w.ids["c1"]]
		slow.mu.Unlock()
		close(slow.gate)
		if n != 1 {
			t.Errorf("%d claims of the server while its first was being written, want 1", n)
		}
		if done := waitOp(t, st, op.ID); done.State != links.OpCompleted || done.AccountsDone != 3 {
			t.Errorf("activation = %+v", done.Operation)
		}
	})
}
