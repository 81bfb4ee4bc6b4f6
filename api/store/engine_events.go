package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/applinks/applinks/api/links"
)

// The provisioning engine's webhook events (operation.finished,
// account.failed, drift.found, server.unsupported) are queued in the
// engine's own transactions, so an outcome and its message commit
// together. Its fenced writes use database/sql: enqueueEvents is
// EnqueueWebhookTx for them.

const (
	activeWebhooksSQL = "SELECT id, events FROM webhooks WHERE active = ?"
	insertDeliverySQL = "INSERT INTO webhook_deliveries (webhook_id, message_id, event_type, body, state, next_attempt_at," +
		" lease_owner, attempts, status_code, duration_ms, error, created_at) VALUES (?, ?, ?, ?, ?, ?, '', 0, 0, 0, '', ?)"
)

// sub is an active subscription and its event types.
type sub struct {
	id     int64
	events []string
}

// enqueueEvents writes one delivery of each event to every active
// subscription of its type, in tx.
func (s *Store) enqueueEvents(ctx context.Context, tx sqlConn, now time.Time, evs []links.WebhookEvent) error {
	if len(evs) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, activeWebhooksSQL, true)
	if err != nil {
		return err
	}
	var subs []sub
	for rows.Next() {
		var id int64
		var events string
		if err := rows.Scan(&id, &events); err != nil {
			rows.Close()
			return err
		}
		subs = append(subs, sub{id, splitList(events)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, ev := range evs {
		if err := insertDeliveriesSQL(ctx, tx, now, subs, ev); err != nil {
			return err
		}
	}
	return nil
}

// insertDeliveriesSQL writes the deliveries of one event, one message id
// for all its subscriptions (as insertDeliveries does).
func insertDeliveriesSQL(ctx context.Context, tx sqlConn, now time.Time, subs []sub, ev links.WebhookEvent) error {
	if ev.Time.IsZero() {
		ev.Time = now
	}
	var body []byte
	var msgID string
	for _, w := range subs {
		if !slices.Contains(w.events, ev.Type) {
			continue
		}
		if body == nil {
			var err error
			if body, err = json.Marshal(webhookBody{Type: ev.Type, Timestamp: utc(ev.Time).Format(time.RFC3339Nano), Data: ev.Data}); err != nil {
				return fmt.Errorf("webhook body of %s: %w", ev.Type, err)
			}
			if msgID, err = newMessageID(); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, insertDeliverySQL, w.id, msgID, ev.Type, string(body), links.DeliveryPending, utc(now), utc(now)); err != nil {
			return err
		}
	}
	return nil
}
