package webhooks_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/webhooks"
)

// The outbox row is written with the redemption: nothing is sent while no
// worker runs (a crash between the event and its delivery), and a worker
// started later (a restarted replica) sends it exactly once, signed.
func TestRedeemedClickDeliversOnceSignedAfterRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		subscribed, paused, other := newReceiver(t), newReceiver(t), newReceiver(t)
		before := newService(s, nil)
		hook := subscribe(t, before, subscribed.URL+"/hook", true, links.EventSSORedeemed)
		subscribe(t, before, paused.URL, false, links.EventSSORedeemed)
		subscribe(t, before, other.URL, true, links.EventSSORefused, links.EventDriftFound)

		redeem(t, s, newClient(t, s, "hook@acme.test"), "h1")
		if got := deliveries(t, s, hook.ID); len(got) != 1 || got[0].State != links.DeliveryPending {
			t.Fatalf("outbox after the redemption: %+v", got)
		}
		if n := len(subscribed.requests()); n != 0 {
			t.Fatalf("%d requests before any worker ran", n)
		}

		after := newService(s, nil) // the restarted replica
		for range 3 {
			after.RunOnce(ctx)
		}
		reqs := subscribed.requests()
		if len(reqs) != 1 {
			t.Fatalf("subscriber got %d requests, want exactly 1", len(reqs))
		}
		body := verify(t, hook.Secret, reqs[0])
		data, _ := body["data"].(map[string]any)
		if body["type"] != links.EventSSORedeemed || body["timestamp"] == "" || data["kind"] != links.SSOKindRedeem || data["destination"] != "profile" {
			t.Fatalf("body %v", body)
		}
		if !strings.HasPrefix(reqs[0].Header.Get("webhook-id"), "msg_") || reqs[0].Header.Get("Content-Type") != "application/json" {
			t.Fatalf("headers %v", reqs[0].Header)
		}
		if n := len(paused.requests()) + len(other.requests()); n != 0 {
			t.Fatalf("a paused or unsubscribed receiver got %d requests", n)
		}
		got := deliveries(t, s, hook.ID)
		if len(got) != 1 || got[0].State != links.DeliveryDelivered || got[0].Attempts != 1 || got[0].StatusCode != 200 {
			t.Fatalf("log %+v", got)
		}
	})
}

// A refused redemption (an unknown token) is sso.refused; a redemption
// that did not happen (no event) queues nothing.
func TestRefusalIsDeliveredAsSSORefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newReceiver(t)
		svc := newService(s, nil)
		hook := subscribe(t, svc, r.URL, true, links.EventSSORefused)
		if err := s.RecordSSOEvent(ctx, links.SSOEvent{Kind: links.SSOKindRedeem, Source: links.SSOSourceUnknown,
			Outcome: links.SSORefused, Reason: links.SSOReasonInvalidToken}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ConsumeSSOToken(ctx, "no-such", time.Now(), &links.SSOEvent{Kind: links.SSOKindRedeem}); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("unknown token: %v", err)
		}
		svc.RunOnce(ctx)
		reqs := r.requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests, want 1", len(reqs))
		}
		body := verify(t, hook.Secret, reqs[0])
		if data, _ := body["data"].(map[string]any); body["type"] != links.EventSSORefused || data["reason"] != links.SSOReasonInvalidToken {
			t.Fatalf("body %v", body)
		}
	})
}

// A receiver answering 500 is retried with doubling delays and logged, then
// given up 24 hours after the event; a 2xx later delivers it.
func TestFailingReceiverIsRetriedWithBackoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newReceiver(t)
		r.setStatus(http.StatusInternalServerError)
		clk := &clock{t: time.Now().UTC()}
		svc := newService(s, clk)
		hook := subscribe(t, svc, r.URL, true, links.EventDriftFound)
		if err := s.EnqueueWebhook(ctx, links.WebhookEvent{Type: links.EventDriftFound, Data: map[string]int{"service_id": 7}}); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Second) // the store's clock is the real one
		svc.RunOnce(ctx)
		d := deliveries(t, s, hook.ID)[0]
		if d.State != links.DeliveryPending || d.Attempts != 1 || d.StatusCode != 500 || !strings.Contains(d.Error, "500") || d.NextAttemptAt == nil {
			t.Fatalf("after a 500: %+v", d)
		}
		if delay := d.NextAttemptAt.Sub(clk.now()); delay < 9*time.Second || delay > 11*time.Second {
			t.Fatalf("first retry in %s, want 10s", delay)
		}
		if svc.RunOnce(ctx) != 0 {
			t.Fatal("retried before its time")
		}
		clk.add(11 * time.Second)
		svc.RunOnce(ctx)
		d = deliveries(t, s, hook.ID)[0]
		if delay := d.NextAttemptAt.Sub(clk.now()); d.Attempts != 2 || delay < 19*time.Second || delay > 21*time.Second {
			t.Fatalf("second retry in %s after %d attempts, want 20s after 2", delay, d.Attempts)
		}
		clk.add(25 * time.Hour)
		svc.RunOnce(ctx)
		if d = deliveries(t, s, hook.ID)[0]; d.State != links.DeliveryFailed || d.NextAttemptAt != nil || d.Attempts != 3 {
			t.Fatalf("after 24 hours: %+v", d)
		}
		if n := len(r.requests()); n != 3 {
			t.Fatalf("%d requests, want 3", n)
		}
	})
}

// A receiver that hangs, or sends headers and never closes its answer,
// holds a worker for the timeout at most and is logged as failed.
func TestHangingReceiverTimesOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		release := make(chan struct{})
		var once sync.Once
		done := func() { once.Do(func() { close(release) }) }
		t.Cleanup(done)
		hang := newHangingServer(t, release)
		svc := webhooks.New(s, webhooks.Config{Timeout: 300 * time.Millisecond})
		hook := subscribe(t, svc, hang.URL, true, links.EventServerUnsupported)
		if err := s.EnqueueWebhook(ctx, links.WebhookEvent{Type: links.EventServerUnsupported, Data: map[string]int{"server_id": 1}}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		svc.RunOnce(ctx)
		if took := time.Since(start); took > 3*time.Second {
			t.Fatalf("the attempt held the worker %s", took)
		}
		d := deliveries(t, s, hook.ID)[0]
		if d.State != links.DeliveryPending || d.Attempts != 1 || !strings.Contains(d.Error, "in time") {
			t.Fatalf("after a hang: %+v", d)
		}
		done()
	})
}

// Redeliver sends the message again with the same webhook-id and body.
func TestRedeliverKeepsTheWebhookID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newReceiver(t)
		svc := newService(s, nil)
		hook := subscribe(t, svc, r.URL, true, links.EventSSORedeemed)
		redeem(t, s, newClient(t, s, "re@acme.test"), "h2")
		svc.RunOnce(ctx)
		first := deliveries(t, s, hook.ID)[0]
		again, err := svc.Redeliver(ctx, hook.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID == first.ID || again.MessageID != first.MessageID || again.State != links.DeliveryPending {
			t.Fatalf("redelivery %+v of %+v", again, first)
		}
		svc.RunOnce(ctx)
		reqs := r.requests()
		if len(reqs) != 2 || reqs[0].Header.Get("webhook-id") != reqs[1].Header.Get("webhook-id") || string(reqs[0].Body) != string(reqs[1].Body) {
			t.Fatalf("requests %v", reqs)
		}
		verify(t, hook.Secret, reqs[1])
		if _, err := svc.Redeliver(ctx, hook.ID+1, first.ID); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("another webhook's delivery: %v", err)
		}
	})
}

// Two workers claiming at once from one database never send the same row
// at the same time: every message arrives exactly once.
func TestTwoWorkersNeverDeliverTheSameRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newCounter(t)
		a, b := newService(s, nil), newService(s, nil)
		subscribe(t, a, c.URL, true, links.EventOperationFinished)
		const events = 40
		for i := range events {
			if err := s.EnqueueWebhook(ctx, links.WebhookEvent{Type: links.EventOperationFinished, Data: map[string]int{"operation_id": i}}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for _, svc := range []*webhooks.Service{a, b} {
			wg.Go(func() {
				for svc.RunOnce(ctx) > 0 {
				}
			})
		}
		wg.Wait()
		c.check(t, events)
	})
}

// A worker that claimed and died holds its rows until the lease expires;
// then another worker sends them.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newReceiver(t)
		clk := &clock{t: time.Now().UTC()}
		svc := newService(s, clk)
		subscribe(t, svc, r.URL, true, links.EventAccountFailed)
		if err := s.EnqueueWebhook(ctx, links.WebhookEvent{Type: links.EventAccountFailed, Data: map[string]int{"service_id": 3}}); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Second)
		claimed, err := s.ClaimWebhookDeliveries(ctx, "dead/1", clk.now(), time.Minute, 10, 0, nil)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if svc.RunOnce(ctx) != 0 {
			t.Fatal("took a row under a live lease")
		}
		clk.add(61 * time.Second)
		if svc.RunOnce(ctx) != 1 || len(r.requests()) != 1 {
			t.Fatal("the expired lease was not taken over")
		}
		if ok, err := s.FinishWebhookAttempt(ctx, claimed[0], links.WebhookAttempt{At: clk.now()}); ok || err != nil {
			t.Fatalf("the dead worker's late outcome was recorded: %v %v", ok, err)
		}
	})
}
