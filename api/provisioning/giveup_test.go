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
// once while the server stays down.
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
		var named, giveUps int
		waitFor(t, func() bool {
			named, giveUps = 0, 0
			for _, en := range logOf(t, st, op.ID, links.LevelWarning) {
				switch {
				case strings.HasPrefix(en.Message, "Account late6 on server cpa was not updated: the server was given up after") &&
					en.ServiceID != nil && *en.ServiceID == late.ID:
					named++
				case strings.HasPrefix(en.Message, "Gave up on server cpa"):
					giveUps++
				}
			}
			return named > 0 && giveUps >= 2
		})
		if named != 1 {
			t.Errorf("late6 named in %d warnings over %d give-ups, want 1", named, giveUps)
		}
	})
}
