package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// webhookRow is a subscription. The signing secret is sealed, bound to the
// row id, since every delivery needs it in plain text to sign.
type webhookRow struct {
	ID          int64  `gorm:"primaryKey"`
	URL         string `gorm:"column:url;size:2000;not null"`
	Description string `gorm:"size:190;not null;default:''"`
	Events      string `gorm:"size:500;not null"` // comma-separated event types
	Active      bool   `gorm:"not null;index"`
	SecretEnc   string `gorm:"type:text;not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func webhookSecretAAD(id int64) string { return fmt.Sprintf("webhook:%d:secret", id) }

func webhookFromRow(r webhookRow) links.Webhook {
	return links.Webhook{ID: r.ID, URL: r.URL, Description: r.Description, Events: splitList(r.Events),
		Active: r.Active, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CreateWebhook stores a validated subscription with its secret sealed,
// audited in the same transaction.
func (s *Store) CreateWebhook(ctx context.Context, in links.WebhookInput, secret string) (links.Webhook, error) {
	row := webhookRow{URL: in.URL, Description: in.Description, Events: joinList(in.Events), Active: in.Active == nil || *in.Active}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		sealed, err := s.box.Seal(secret, webhookSecretAAD(row.ID))
		if err != nil {
			return err
		}
		if err := tx.Model(&row).Update("secret_enc", sealed).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditWebhook, id: auditID(row.ID), action: links.AuditCreate,
			after: webhookFromRow(row), secrets: []string{"secret"}})
	})
	if err != nil {
		return links.Webhook{}, translate(err, "webhook")
	}
	return webhookFromRow(row), nil
}

// Webhook returns one subscription.
func (s *Store) Webhook(ctx context.Context, id int64) (links.Webhook, error) {
	var row webhookRow
	if err := s.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return links.Webhook{}, translate(err, fmt.Sprintf("webhook %d", id))
	}
	return webhookFromRow(row), nil
}

// ListWebhooks lists every subscription, oldest first.
func (s *Store) ListWebhooks(ctx context.Context) ([]links.Webhook, error) {
	var rows []webhookRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "webhooks")
	}
	out := make([]links.Webhook, len(rows))
	for i, r := range rows {
		out[i] = webhookFromRow(r)
	}
	return out, nil
}

// UpdateWebhook applies a validated patch, audited in the same transaction.
func (s *Store) UpdateWebhook(ctx context.Context, id int64, p links.WebhookPatch) (links.Webhook, error) {
	var row webhookRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := locked(tx).Take(&row, id).Error; err != nil {
			return translate(err, fmt.Sprintf("webhook %d", id))
		}
		before := webhookFromRow(row)
		changes := map[string]any{}
		if p.URL != nil {
			changes["url"], row.URL = *p.URL, *p.URL
		}
		if p.Description != nil {
			changes["description"], row.Description = *p.Description, *p.Description
		}
		if p.Events != nil {
			changes["events"], row.Events = joinList(p.Events), joinList(p.Events)
		}
		if p.Active != nil {
			changes["active"], row.Active = *p.Active, *p.Active
		}
		if len(changes) == 0 {
			return nil
		}
		if err := tx.Model(&webhookRow{ID: id}).Updates(changes).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditWebhook, id: auditID(id), action: links.AuditUpdate,
			before: before, after: webhookFromRow(row)})
	})
	if err != nil {
		return links.Webhook{}, translate(err, "webhook")
	}
	return s.Webhook(ctx, id)
}

// DeleteWebhook deletes a subscription and its deliveries (pending ones
// are not sent), audited in the same transaction.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row webhookRow
		if err := tx.Take(&row, id).Error; err != nil {
			return translate(err, fmt.Sprintf("webhook %d", id))
		}
		if err := tx.Where("webhook_id = ?", id).Delete(&webhookDeliveryRow{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&webhookRow{}, id).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditWebhook, id: auditID(id), action: links.AuditDelete,
			before: webhookFromRow(row)})
	})
	return translate(err, "webhook")
}
