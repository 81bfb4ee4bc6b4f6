package webhooks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/webhooks"
)

// enqueue queues n messages of type typ, one transaction each.
func enqueue(tb testing.TB, s *store.Store, typ string, n int) {
	tb.Helper()
	for i := range n {
		ev := links.WebhookEvent{Type: typ, Time: time.Now(), Data: map[string]any{"n": i}}
		if err := s.EnqueueWebhook(context.Background(), ev); err != nil {
			tb.Fatal(err)
		}
	}
}

// waitFor polls cond until it holds; it fails the test after a minute,
// which only a dispatcher that stopped sending reaches.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("still waiting for %s", what)
		}
	}
}

// A receiver that hangs holds one slot, not the dispatcher: while its
// delivery waits (its attempt timeout is longer than the test), the other
// slots keep claiming and sending everything else.
func TestHangingReceiverHoldsOneSlotOnly(t *testing.T) { testBesideHanging(t, 1) }

// A subscription with a backlog of hanging deliveries (older than all the
// others, so claimed first) gets three of the 4 slots at most: the fourth
// keeps the other subscription's messages going.
func TestHangingBacklogLeavesASlotToOthers(t *testing.T) { testBesideHanging(t, 6) }

// testBesideHanging queues hanging messages to a receiver that never
// answers, then 30 to one that does, and waits until the 30 arrive.
func testBesideHanging(t *testing.T, hanging int) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		release := make(chan struct{})
		hang := newHangingServer(t, release)
		good := newReceiver(t)
		svc := webhooks.New(s, webhooks.Config{Workers: 4, Poll: 20 * time.Millisecond, Timeout: 5 * time.Minute})
		subscribe(t, svc, hang.URL, true, links.EventDriftFound)
		subscribe(t, svc, good.URL, true, links.EventSSORedeemed)
		enqueue(t, s, links.EventDriftFound, hanging) // claimed first: the oldest
		enqueue(t, s, links.EventSSORedeemed, 30)

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); svc.Run(ctx) }()
		stop := sync.OnceFunc(func() { close(release); cancel(); <-done })
		t.Cleanup(stop) // before the servers close, also when the test fails
		waitFor(t, "30 deliveries beside the hanging ones", func() bool { return len(good.requests()) == 30 })
		stop()
		if n := len(good.requests()); n != 30 {
			t.Fatalf("the good receiver got %d requests, want 30", n)
		}
	})
}

// One subscription's backlog flows at its share of the slots without
// waiting for the poll: a claim the per-subscription share cut short is
// followed by another as soon as an attempt ends. The poll here is an
// hour, so only claims on ended attempts can deliver the 40 messages.
func TestBacklogDoesNotWaitForThePoll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		good := newReceiver(t)
		svc := webhooks.New(s, webhooks.Config{Workers: 4, Poll: time.Hour})
		subscribe(t, svc, good.URL, true, links.EventSSORedeemed)
		enqueue(t, s, links.EventSSORedeemed, 40)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); svc.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		waitFor(t, "40 deliveries with an hourly poll", func() bool { return len(good.requests()) == 40 })
	})
}

// BenchmarkDispatch200ms measures the delivery rate to one receiver that
// answers every message in 200 ms: `go test -run '^$' -bench Dispatch
// -benchtime 1x ./api/webhooks/`. It reports messages/s; there is no bar.
func BenchmarkDispatch200ms(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(d, func(b *testing.B) {
			const n = 200
			s := storetest.New(b, d)
			var got atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				time.Sleep(200 * time.Millisecond)
				got.Add(1)
			}))
			b.Cleanup(srv.Close)
			svc := webhooks.New(s, webhooks.Config{}) // the defaults: a claim every second, 32 slots
			active := true
			if _, err := svc.Create(context.Background(), links.WebhookInput{URL: srv.URL, Events: []string{links.EventSSORedeemed}, Active: &active}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				got.Store(0)
				enqueue(b, s, links.EventSSORedeemed, n)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				start := time.Now()
				go func() { defer close(done); svc.Run(ctx) }()
				for got.Load() < n {
					time.Sleep(5 * time.Millisecond)
				}
				elapsed := time.Since(start)
				cancel()
				<-done
				b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
			}
		})
	}
}
