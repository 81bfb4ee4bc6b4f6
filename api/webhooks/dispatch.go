package webhooks

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/applinks/applinks/api/links"
)

// lease names one claim: this replica and a number, so that a worker
// records outcomes only for the rows of its own claim.
func (s *Service) lease() string {
	return fmt.Sprintf("%s/%d", s.owner, s.claims.Add(1))
}

// Run delivers due messages until ctx ends: it claims up to Workers
// deliveries at a time, sends them concurrently, records each outcome and
// claims again at once while there is a backlog, else after Poll. It also
// purges finished deliveries older than Retention, hourly. Every replica
// runs one; leases keep them off each other's rows.
func (s *Service) Run(ctx context.Context) {
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	var lastPurge time.Time
	for {
		s.drain(ctx)
		if now := s.cfg.Now(); now.Sub(lastPurge) >= time.Hour {
			lastPurge = now
			s.purge(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// drain claims batch after batch while they come back full.
func (s *Service) drain(ctx context.Context) {
	for ctx.Err() == nil {
		if s.RunOnce(ctx) < s.cfg.Workers {
			return
		}
	}
}

// RunOnce claims one batch of due deliveries, sends them and returns how
// many it claimed.
func (s *Service) RunOnce(ctx context.Context) int {
	batch, err := s.store.ClaimWebhookDeliveries(ctx, s.lease(), s.cfg.Now(), s.cfg.LeaseTTL, s.cfg.Workers)
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.Logger.Warn("webhooks: claim failed", "err", err)
		}
		return 0
	}
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
