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
)

// claimWonWithError wins its first claim but reports an error with it, as
// ClaimServer does when the claim applied and clearing the server's
// wake-up failed; it counts the claims.
type claimWonWithError struct {
	*store.Store
	mu    sync.Mutex
	calls int
}

func (s *claimWonWithError) ClaimServer(ctx context.Context, id int64, owner string, ttl time.Duration) (bool, error) {
	won, err := s.Store.ClaimServer(ctx, id, owner, ttl)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls++; s.calls == 1 && won && err == nil {
		err = errors.New("clearing the wake-up failed")
	}
	return won, err
}

// TestAClaimWonWithAnErrorIsWorked: the lease is held, so the server is
// worked at once, not left until the lease expires and claimed again.
func TestAClaimWonWithAnErrorIsWorked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		newWorld(t, st, srvSpec{name: "c1", accounts: 3})
		claims := &claimWonWithError{Store: st}
		e := startEngine(t, claims, testConfig())
		op, err := e.Enable(context.Background(), links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if done := waitOp(t, st, op.ID); done.State != links.OpCompleted || done.AccountsDone != 3 {
			t.Errorf("activation = %+v", done.Operation)
		}
		claims.mu.Lock()
		defer claims.mu.Unlock()
		if claims.calls != 1 {
			t.Errorf("%d claims, want 1: the first was won and should have been worked", claims.calls)
		}
	})
}
