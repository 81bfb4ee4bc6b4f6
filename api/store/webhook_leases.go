package store

import (
	"context"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// ClaimWebhookDeliveries leases up to limit due deliveries, oldest first,
// to the claim token lease (unique to this call) until now+ttl, and
// returns them with their receiver URL and opened secret. With perHook
// above zero, a subscription gets at most perHook minus busy[its id] (what
// the caller has in flight for it) of them, so that one receiver's backlog
// cannot take every slot. Each row is taken by one conditional UPDATE that
// only a pending, due, unleased (or lease-expired) row passes, so of any
// number of replicas claiming at once exactly one gets a row. ttl must
// outlast an attempt, so that a live worker's lease never expires under
// it; a crashed worker's rows are taken again after ttl.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, lease string, now time.Time, ttl time.Duration, limit, perHook int, busy map[int64]int) ([]links.WebhookDispatch, error) {
	now = utc(now)
	q := s.db.WithContext(ctx).Model(&webhookDeliveryRow{}).
		Where("state = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)", links.DeliveryPending, now, now)
	candidates := limit
	if perHook > 0 {
		var full []int64
		for id, n := range busy {
			if n >= perHook {
				full = append(full, id)
			}
		}
		if len(full) > 0 {
			q = q.Where("webhook_id NOT IN ?", full)
		}
		candidates = 4 * limit // room to pass over a busy subscription's rows
	}
	var rows []webhookDeliveryRow
	err := q.Select("id", "webhook_id").Order("next_attempt_at, id").Limit(candidates).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, translate(err, "webhook deliveries")
	}
	taken := maps.Clone(busy)
	if taken == nil {
		taken = map[int64]int{}
	}
	var ids []int64
	for _, r := range rows {
		if len(ids) == limit {
			break
		}
		if perHook <= 0 || taken[r.WebhookID] < perHook {
			taken[r.WebhookID]++
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.claim(ctx, lease, now, ttl, ids)
}

// ClaimWebhookDelivery leases one delivery, due or not (the test button
// sends at once); ok is false when another worker holds it or it is done.
func (s *Store) ClaimWebhookDelivery(ctx context.Context, lease string, id int64, now time.Time, ttl time.Duration) (links.WebhookDispatch, bool, error) {
	out, err := s.claim(ctx, lease, utc(now), ttl, []int64{id})
	if err != nil || len(out) == 0 {
		return links.WebhookDispatch{}, false, err
	}
	return out[0], true, nil
}

func (s *Store) claim(ctx context.Context, lease string, now time.Time, ttl time.Duration, ids []int64) ([]links.WebhookDispatch, error) {
	db := s.db.WithContext(ctx)
	until := now.Add(ttl)
	res := db.Model(&webhookDeliveryRow{}).
		Where("id IN ? AND state = ? AND (lease_until IS NULL OR lease_until < ?)", ids, links.DeliveryPending, now).
		Updates(map[string]any{"lease_owner": lease, "lease_until": until})
	if res.Error != nil || res.RowsAffected == 0 {
		return nil, translate(res.Error, "webhook deliveries")
	}
	var rows []webhookDeliveryRow
	if err := db.Where("id IN ? AND lease_owner = ?", ids, lease).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "webhook deliveries")
	}
	hooks := map[int64]webhookRow{}
	for _, r := range rows {
		hooks[r.WebhookID] = webhookRow{}
	}
	var subs []webhookRow
	if err := db.Where("id IN ?", slices.Collect(maps.Keys(hooks))).Find(&subs).Error; err != nil {
		return nil, translate(err, "webhooks")
	}
	for _, w := range subs {
		hooks[w.ID] = w
	}
	out := make([]links.WebhookDispatch, 0, len(rows))
	for _, r := range rows {
		w := hooks[r.WebhookID]
		sec, err := s.box.Open(w.SecretEnc, webhookSecretAAD(w.ID))
		if err != nil {
			return nil, err
		}
		out = append(out, links.WebhookDispatch{Delivery: deliveryFromRow(r), URL: w.URL, Secret: sec,
			Body: []byte(r.Body), Created: r.CreatedAt.UTC(), Lease: lease})
	}
	return out, nil
}

// FinishWebhookAttempt records an attempt's outcome and releases the
// lease: delivered, pending again at a.Next, or failed. It changes nothing
// (and says so) when the lease is no longer d's: the row was taken over
// after the lease expired, and the new owner's outcome counts.
func (s *Store) FinishWebhookAttempt(ctx context.Context, d links.WebhookDispatch, a links.WebhookAttempt) (bool, error) {
	state := links.DeliveryFailed
	var next *time.Time
	switch {
	case a.OK:
		state = links.DeliveryDelivered
	case !a.Next.IsZero():
		state = links.DeliveryPending
		n := utc(a.Next)
		next = &n
	}
	at := utc(a.At)
	res := s.db.WithContext(ctx).Model(&webhookDeliveryRow{}).
		Where("id = ? AND lease_owner = ?", d.Delivery.ID, d.Lease).
		Updates(map[string]any{
			"state": state, "next_attempt_at": next, "attempts": gorm.Expr("attempts + 1"),
			"status_code": a.StatusCode, "duration_ms": a.Duration.Milliseconds(), "error": truncate(a.Error, 300),
			"last_attempt_at": at, "lease_owner": "", "lease_until": nil,
		})
	if res.Error != nil {
		return false, translate(res.Error, "webhook delivery")
	}
	return res.RowsAffected == 1, nil
}
