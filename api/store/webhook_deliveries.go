package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// webhookDeliveryRow is the outbox: one message to one subscription,
// written in the transaction of the event it reports, so that an event
// that happened is never lost to a crash and one that was rolled back is
// never sent. Body is the exact JSON that is signed and POSTed. A worker
// owns a row while LeaseOwner is its claim and LeaseUntil is ahead.
type webhookDeliveryRow struct {
	ID            int64      `gorm:"primaryKey"`
	WebhookID     int64      `gorm:"not null;index"`
	MessageID     string     `gorm:"size:64;not null;index"`
	EventType     string     `gorm:"size:32;not null"`
	Body          string     `gorm:"type:text;not null"`
	State         string     `gorm:"size:16;not null;index:idx_webhook_deliveries_due,priority:1"`
	NextAttemptAt *time.Time `gorm:"index:idx_webhook_deliveries_due,priority:2"`
	LeaseOwner    string     `gorm:"size:80;not null;default:''"`
	LeaseUntil    *time.Time
	Attempts      int    `gorm:"not null;default:0"`
	StatusCode    int    `gorm:"not null;default:0"`
	DurationMS    int64  `gorm:"column:duration_ms;not null;default:0"`
	Error         string `gorm:"size:300;not null;default:''"`
	LastAttemptAt *time.Time
	CreatedAt     time.Time `gorm:"not null;index"`
}

func (webhookDeliveryRow) TableName() string { return "webhook_deliveries" }

func deliveryFromRow(r webhookDeliveryRow) links.WebhookDelivery {
	return links.WebhookDelivery{ID: r.ID, WebhookID: r.WebhookID, MessageID: r.MessageID, EventType: r.EventType,
		State: r.State, Attempts: r.Attempts, StatusCode: r.StatusCode, DurationMS: r.DurationMS, Error: r.Error,
		NextAttemptAt: r.NextAttemptAt, CreatedAt: r.CreatedAt.UTC(), LastAttemptAt: r.LastAttemptAt}
}

// webhookBody is the JSON body of a delivery (Standard Webhooks).
type webhookBody struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

func newMessageID() (string, error) {
	t, err := secret.Token(16)
	return "msg_" + t, err
}

// EnqueueWebhookTx writes, in the caller's transaction tx, one delivery of
// ev to every active subscription of its type, all with one message id
// (the webhook-id). It is the one way an event reaches the outbox: call it
// inside the transaction that records the event (the SSO events do; the
// provisioning engine's operation.finished, account.failed, drift.found
// and server.unsupported are to be written the same way, in the
// transaction that commits the outcome), so the delivery commits or rolls
// back with it. It sends nothing: the dispatcher does, later.
func (s *Store) EnqueueWebhookTx(tx *gorm.DB, ev links.WebhookEvent) error {
	var subs []webhookRow
	if err := tx.Select("id", "events").Where("active = ?", true).Find(&subs).Error; err != nil {
		return err
	}
	var ids []int64
	for _, w := range subs {
		if slices.Contains(splitList(w.Events), ev.Type) {
			ids = append(ids, w.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return s.insertDeliveries(tx, ids, ev)
}

// EnqueueWebhook is EnqueueWebhookTx in a transaction of its own, for an
// event that has no other write.
func (s *Store) EnqueueWebhook(ctx context.Context, ev links.WebhookEvent) error {
	return translate(s.tx(ctx, func(tx *gorm.DB) error { return s.EnqueueWebhookTx(tx, ev) }), "webhook delivery")
}

func (s *Store) insertDeliveries(tx *gorm.DB, webhookIDs []int64, ev links.WebhookEvent) error {
	if ev.Time.IsZero() {
		ev.Time = s.now()
	}
	body, err := json.Marshal(webhookBody{Type: ev.Type, Timestamp: utc(ev.Time).Format(time.RFC3339Nano), Data: ev.Data})
	if err != nil {
		return fmt.Errorf("webhook body of %s: %w", ev.Type, err)
	}
	msgID, err := newMessageID()
	if err != nil {
		return err
	}
	now := s.now()
	rows := make([]webhookDeliveryRow, len(webhookIDs))
	for i, id := range webhookIDs {
		rows[i] = webhookDeliveryRow{WebhookID: id, MessageID: msgID, EventType: ev.Type, Body: string(body),
			State: links.DeliveryPending, NextAttemptAt: &now, CreatedAt: now}
	}
	return tx.Create(&rows).Error
}

// CreateTestDelivery queues a webhook.test message to one subscription,
// paused or not, and returns it.
func (s *Store) CreateTestDelivery(ctx context.Context, webhookID int64, ev links.WebhookEvent) (links.WebhookDelivery, error) {
	var row webhookDeliveryRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Select("id").Take(&webhookRow{}, webhookID).Error; err != nil {
			return translate(err, fmt.Sprintf("webhook %d", webhookID))
		}
		if err := s.insertDeliveries(tx, []int64{webhookID}, ev); err != nil {
			return err
		}
		return tx.Where("webhook_id = ?", webhookID).Order("id DESC").Take(&row).Error
	})
	if err != nil {
		return links.WebhookDelivery{}, translate(err, "webhook delivery")
	}
	return deliveryFromRow(row), nil
}

// Redeliver queues a delivery again, as a new delivery with the same
// message id and body, due now, audited. The old one keeps its log.
func (s *Store) Redeliver(ctx context.Context, webhookID, deliveryID int64) (links.WebhookDelivery, error) {
	var row webhookDeliveryRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var old webhookDeliveryRow
		if err := tx.Take(&old, "id = ? AND webhook_id = ?", deliveryID, webhookID).Error; err != nil {
			return translate(err, fmt.Sprintf("delivery %d of webhook %d", deliveryID, webhookID))
		}
		now := s.now()
		row = webhookDeliveryRow{WebhookID: webhookID, MessageID: old.MessageID, EventType: old.EventType, Body: old.Body,
			State: links.DeliveryPending, NextAttemptAt: &now, CreatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditWebhook, id: auditID(webhookID), action: links.AuditRedeliver,
			after: map[string]any{"delivery_id": row.ID, "redelivery_of": old.ID, "message_id": old.MessageID}})
	})
	if err != nil {
		return links.WebhookDelivery{}, translate(err, "webhook delivery")
	}
	return deliveryFromRow(row), nil
}

// ListWebhookDeliveries returns one page of a subscription's deliveries,
// newest first, and their total.
func (s *Store) ListWebhookDeliveries(ctx context.Context, webhookID int64, p links.Page) ([]links.WebhookDelivery, int64, error) {
	q := s.db.WithContext(ctx).Model(&webhookDeliveryRow{}).Where("webhook_id = ?", webhookID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "webhook deliveries")
	}
	var rows []webhookDeliveryRow
	if err := q.Omit("body").Order("id DESC").Offset(p.Offset()).Limit(p.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "webhook deliveries")
	}
	out := make([]links.WebhookDelivery, len(rows))
	for i, r := range rows {
		out[i] = deliveryFromRow(r)
	}
	return out, total, nil
}

// WebhookDelivery returns one delivery.
func (s *Store) WebhookDelivery(ctx context.Context, id int64) (links.WebhookDelivery, error) {
	var row webhookDeliveryRow
	if err := s.db.WithContext(ctx).Omit("body").Take(&row, id).Error; err != nil {
		return links.WebhookDelivery{}, translate(err, fmt.Sprintf("webhook delivery %d", id))
	}
	return deliveryFromRow(row), nil
}

// PurgeWebhookDeliveries deletes the finished deliveries created before
// before, a batch at a time, and returns how many went. Pending ones stay
// until they finish.
func (s *Store) PurgeWebhookDeliveries(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	for {
		var ids []int64
		db := s.db.WithContext(ctx)
		err := db.Model(&webhookDeliveryRow{}).Where("created_at < ? AND state <> ?", utc(before), links.DeliveryPending).
			Order("id").Limit(1000).Pluck("id", &ids).Error
		if err != nil {
			return n, translate(err, "webhook deliveries")
		}
		if len(ids) == 0 {
			return n, nil
		}
		res := db.Where("id IN ?", ids).Delete(&webhookDeliveryRow{})
		if res.Error != nil {
			return n, translate(res.Error, "webhook deliveries")
		}
		n += res.RowsAffected
	}
}
