package provisioning_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// Lifecycle work given up (no operation is open: accounts were added)
// names each account it left out of date, in the latest operation's log,
// once while the server stays down; so does the warning of a request that
// failed as a whole (it grew by a page per server at every backoff).
func TestALifecycleGiveUpNamesTheAccountsLeftOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		st.SetLifecycleDelay(0)
		w, e, op := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 2})
		srv := w.servers["cpa"]
		if err := srv.SetFaults(whmsim.Faults{HTTP500Rate: 1}); err != nil {
			t.Fatal(err)
		}
		// 7 accounts, 3 batches of testConfig's 3: the third whole request
		// failed gives the server up.
		var late links.Service
		for i := range 7 {
			user := fmt.Sprintf("late%d", i)
			if err := srv.AddAccount(whmsim.Account{User: user, Domain: user + ".example.test"}); err != nil {
				t.Fatal(err)
			}
			late = w.addService("cpa", user, links.ServiceActive)
			e.ServiceChanged(ctx, nil, &late)
		}
		// The first give-up names each account; the next ones (the server
		// is still down, tried again after each backoff) do not repeat them.
		var named, notSent, giveUps int
		waitFor(t, func() bool {
			named, notSent, giveUps = 0, 0, 0
			for _, en := range logOf(t, st, op.ID, links.LevelWarning) {
				switch {
				case strings.HasPrefix(en.Message, "Account late6 on server cpa was not updated: the server was given up after") &&
					en.ServiceID != nil && *en.ServiceID == late.ID:
					named++
				case strings.HasPrefix(en.Message, "Account late6 on server cpa was not updated, will retry"):
					notSent++
				case strings.HasPrefix(en.Message, "Gave up on server cpa"):
					giveUps++
				}
			}
			return named > 0 && giveUps >= 4
		})
		if named != 1 || notSent > 1 {
			t.Errorf("late6 named in %d give-up warnings and %d request warnings over %d give-ups, want 1 and at most 1", named, notSent, giveUps)
		}
	})
}

// A server unreachable during an operation is given up (its accounts named,
// counted failed in the operation) but its accounts are not failed for
// good: a request that failed as a whole is no refusal of theirs. Once the
// server answers again, they get the new links without a Retry failed.
// (A server of two batches never reached three whole failures in one
// worker, and each pass counted an attempt of every account: they all
// ended terminal and stayed so.)
func TestAnOutageFailsNoAccountForGood(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 4}) // two batches
		srv := w.servers["cpa"]
		if err := srv.SetFaults(whmsim.Faults{Refuse: true}); err != nil {
			t.Fatal(err)
		}
		_, op := relabel(t, e, "Relabelled while down")
		done := waitOp(t, st, op.ID)
		if done.AccountsFailed != 4 || len(logOf(t, st, op.ID, links.LevelWarning)) == 0 {
			t.Fatalf("the operation on a server down = %+v; want its 4 accounts failed in it", done)
		}
		if s, err := e.Status(ctx, links.ModuleCPanel); err != nil || s.AccountsFailed != 0 || s.State == links.StateActive {
			t.Fatalf("status while the server is down = %+v, %v; want syncing, no account failed for good", s, err)
		}
		for _, en := range logOf(t, st, op.ID, links.LevelWarning) {
			if strings.Contains(en.Message, "was refused") { // an attempt counted
				t.Errorf("warning %q while the server was down", en.Message)
			}
		}
		if err := srv.SetFaults(whmsim.Faults{}); err != nil {
			t.Fatal(err)
		}
		if s, err := waitStatus(t, e, links.StateActive); err != nil || s.AccountsFailed != 0 {
			t.Fatalf("status once the server is back = %+v, %v", s, err)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa")
	})
}
