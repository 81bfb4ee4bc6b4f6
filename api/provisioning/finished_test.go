package provisioning_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// markedBeforeRecord marks one account's location out of date (as a repair
// does) just before the first record confirming it is written: that update
// does not apply, and the account is pushed and recorded again.
type markedBeforeRecord struct {
	*store.Store
	user string
	once sync.Once
}

func (s *markedBeforeRecord) RecordBatch(ctx context.Context, ttl time.Duration, b links.BatchRecord) (int, error) {
	for _, u := range b.Updates {
		if u.Username == s.user && u.Done {
			var err error
			s.once.Do(func() {
				db, _ := s.SQLDB()
				_, err = db.ExecContext(ctx, "UPDATE link_states SET confirmed_fp = ? WHERE username = ?", links.ConfirmedRepair, s.user)
			})
			if err != nil {
				return 0, err
			}
		}
	}
	return s.Store.RecordBatch(ctx, ttl, b)
}

// TestTheServerEndEntryCountsWhatWasRecorded: the end entry of a server
// given up counts what its progress row recorded. The first batch's
// confirmation applies in part (one account was marked out of date
// meanwhile), then the panel goes down and the next three batches of the
// same pass fail whole: the account marked is named as left out, and
// counted failed, not done as well (the entry said 3 done, 8 failed of 10
// when it added the worker's own tally).
func TestTheServerEndEntryCountsWhatWasRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		newWorld(t, st, srvSpec{name: "c1", accounts: 10})
		panel := &downPanel{poisonPanel: poisonPanel{Panel: panels()[0]}}
		panel.downAfter.Store(1)
		cfg := testConfig()
		cfg.PerServerCap = 1 // the batches in order: 3, 3, 3, 1 accounts
		marked := &markedBeforeRecord{Store: st, user: "c1u002"}
		e := startEngineWith(t, marked, cfg, []links.Panel{panel})
		op, err := e.Enable(context.Background(), links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		done := waitOp(t, st, op.ID)
		if done.AccountsDone != 2 || done.AccountsFailed != 8 {
			t.Fatalf("operation = %+v, want 2 done and 8 failed", done.Operation)
		}
		var ends []string
		for _, en := range logOf(t, st, op.ID, "") {
			if strings.HasPrefix(en.Message, "Finished server c1:") {
				ends = append(ends, en.Message)
			}
		}
		want := fmt.Sprintf("Finished server c1: %s done, 8 failed,", links.Count(2, "account"))
		if len(ends) != 1 || !strings.HasPrefix(ends[0], want) {
			t.Fatalf("end entries %q, want one starting %q", ends, want)
		}
	})
}
