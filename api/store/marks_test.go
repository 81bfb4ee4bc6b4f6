package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// An answer applies only while the location reads as it did before the
// request. A second repair, or a second owner, while an answer read after
// the first is in flight must win: the answer was sent for a state the
// newer intent replaced (an owner's push carries that owner's credential).
func TestANewerMarkVoidsTheAnswersInFlight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "marks@acme.test")
		newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		queueFull(t, s, links.OpRepair)
		read := page(t, s, a.ID)["alice"].ConfirmedFP // the pass reads the first repair's mark
		queueFull(t, s, links.OpRepair)
		if ok, err := s.ClaimServer(ctx, a.ID, "me", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		answer := links.BatchRecord{ServerID: a.ID, Owner: "me",
			Updates: []links.LinkStateUpdate{{Username: "alice", ReadFP: read, ConfirmedFP: "fp:1", Done: true}}}
		if n, err := s.RecordBatch(ctx, time.Minute, answer); err != nil || n != 0 {
			t.Fatalf("an answer read before the second repair: %d applied, %v; want none", n, err)
		}

		// Deleted, and the username given to another account, twice, while
		// the first new owner's push is in flight.
		remove := func(id int64) {
			if _, err := s.DeleteService(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		remove(*page(t, s, a.ID)["alice"].ServiceID)
		first := newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		read = page(t, s, a.ID)["alice"].ConfirmedFP
		remove(first.ID)
		newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		answer.Updates[0].ReadFP = read
		if n, err := s.RecordBatch(ctx, time.Minute, answer); err != nil || n != 0 {
			t.Fatalf("the previous owner's push: %d applied, %v; want none", n, err)
		}
	})
}
