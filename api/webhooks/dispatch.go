package webhooks

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/applinks/applinks/api/links"
)

// lease names one claim: this replica and a number, so that a worker
// records outcomes only for the rows of its own claim.
func (s *Service) lease() string {
	return fmt.Sprintf("%s/%d", s.owner, s.claims.Add(1))
}

// Run delivers due messages until ctx ends. It keeps up to Workers
// attempts in flight: whenever at least a quarter of the slots are free it
// claims that many due deliveries and starts each in a slot of its own, so
// a slow receiver holds only its own slots (for Timeout at most) while the
// others go on, and one subscription never holds more than three quarters
// of them.
// It claims again whenever an attempt ends (its slot, or its
// subscription's share, may be what held the rest back) and after every
// Poll (new messages). It also purges finished deliveries older than
// Retention, hourly. It returns when ctx ends and the attempts in flight
// have recorded their outcomes. Every replica runs one; leases keep them
// off each other's rows.
func (s *Service) Run(ctx context.Context) {
	p := newPool(s.cfg.Workers)
	defer p.wg.Wait()
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	var lastPurge time.Time
	for ctx.Err() == nil {
		if free := p.free(); free >= max(1, s.cfg.Workers/4) {
			batch := s.claim(ctx, free, max(1, s.cfg.Workers*3/4), p.busy())
			for _, d := range batch {
				p.start(d.Delivery.WebhookID, func() { s.attempt(ctx, d) })
			}
		}
		if now := s.cfg.Now(); now.Sub(lastPurge) >= time.Hour {
			lastPurge = now
			s.purge(ctx)
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		case <-p.freed:
		}
	}
}

// pool counts the attempts in flight, in all and per subscription.
type pool struct {
	wg      sync.WaitGroup
	freed   chan struct{} // a slot came free since Run last looked
	size    int
	mu      sync.Mutex
	running int
	perHook map[int64]int
}

func newPool(size int) *pool {
	return &pool{freed: make(chan struct{}, 1), size: size, perHook: map[int64]int{}}
}

func (p *pool) free() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size - p.running
}

// busy returns what each subscription has in flight.
func (p *pool) busy() map[int64]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.perHook)
}

// start runs fn in a slot of its own for subscription hook.
func (p *pool) start(hook int64, fn func()) {
	p.mu.Lock()
	p.running++
	p.perHook[hook]++
	p.mu.Unlock()
	p.wg.Go(func() {
		defer p.done(hook)
		fn()
	})
}

func (p *pool) done(hook int64) {
	p.mu.Lock()
	p.running--
	if p.perHook[hook]--; p.perHook[hook] == 0 {
		delete(p.perHook, hook)
	}
	p.mu.Unlock()
	select {
	case p.freed <- struct{}{}:
	default:
	}
}

// claim leases up to n due deliveries, up to perHook less busy for each
// subscription (no cap with perHook 0).
func (s *Service) claim(ctx context.Context, n, perHook int, busy map[int64]int) []links.WebhookDispatch {
	batch, err := s.store.ClaimWebhookDeliveries(ctx, s.lease(), s.cfg.Now(), s.cfg.LeaseTTL, n, perHook, busy)
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.Logger.Warn("webhooks: claim failed", "err", err)
		}
		return nil
	}
	return batch
}

// RunOnce claims up to Workers due deliveries, sends them, waits for all
// of them and returns how many it claimed: one step of Run, for tests and
// tools.
func (s *Service) RunOnce(ctx context.Context) int {
	batch := s.claim(ctx, s.cfg.Workers, 0, nil)
	var wg sync.WaitGroup
	for _, d := range batch {
		wg.Go(func() { s.attempt(ctx, d) })
	}
	wg.Wait()
	return len(batch)
}

// attempt sends one claimed delivery and records the outcome with the
// next attempt's time, if any. The outcome is recorded even when ctx ended
// meanwhile (shutdown), so the log says what happened.
func (s *Service) attempt(ctx context.Context, d links.WebhookDispatch) {
	a := s.send.send(ctx, d)
	if !a.OK {
		a.Next = s.nextAttempt(d, a.At)
	}
	recorded, err := s.store.FinishWebhookAttempt(context.WithoutCancel(ctx), d, a)
	switch {
	case err != nil:
		s.cfg.Logger.Warn("webhooks: record attempt failed", "delivery_id", d.Delivery.ID, "err", err)
	case !recorded:
		s.cfg.Logger.Warn("webhooks: lease lost before the attempt was recorded", "delivery_id", d.Delivery.ID)
	case !a.OK:
		s.cfg.Logger.Info("webhooks: delivery failed", "delivery_id", d.Delivery.ID, "webhook_id", d.Delivery.WebhookID,
			"status", a.StatusCode, "err", a.Error, "retry_at", a.Next)
	}
}

// nextAttempt is when to retry after the failed attempt number
// d.Delivery.Attempts+1 made at at: RetryBase doubled for each earlier
// attempt, at most RetryMax, and never later than RetryWindow after the
// message was written (zero: give up). A test message is not retried.
func (s *Service) nextAttempt(d links.WebhookDispatch, at time.Time) time.Time {
	if d.Delivery.EventType == links.EventWebhookTest {
		return time.Time{}
	}
	delay := s.cfg.RetryBase
	for i := 0; i < d.Delivery.Attempts && delay < s.cfg.RetryMax; i++ {
		delay *= 2
	}
	delay = min(delay, s.cfg.RetryMax)
	next := at.Add(delay)
	if end := d.Created.Add(s.cfg.RetryWindow); next.After(end) {
		return time.Time{}
	}
	return next
}

func (s *Service) purge(ctx context.Context) {
	n, err := s.store.PurgeWebhookDeliveries(ctx, s.cfg.Now().Add(-s.cfg.Retention))
	switch {
	case err != nil && ctx.Err() == nil:
		s.cfg.Logger.Warn("webhooks: purge failed", "err", err)
	case n > 0:
		s.cfg.Logger.Info("webhooks: purged old deliveries", "deliveries", n)
	}
}
