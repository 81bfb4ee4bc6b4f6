// Package webhooks tells other systems what happened, by the Standard
// Webhooks conventions: subscriptions (URL, event types, a signing secret),
// an outbox the store writes in each event's own transaction, and a
// dispatcher that claims due deliveries through leases, POSTs them signed
// and retries with exponential backoff for 24 hours. See docs/webhooks.md.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/applinks/applinks/api/links"
)

// Store is what the webhooks need from the database.
type Store interface {
	CreateWebhook(ctx context.Context, in links.WebhookInput, secret string) (links.Webhook, error)
	Webhook(ctx context.Context, id int64) (links.Webhook, error)
	ListWebhooks(ctx context.Context) ([]links.Webhook, error)
	UpdateWebhook(ctx context.Context, id int64, p links.WebhookPatch) (links.Webhook, error)
	DeleteWebhook(ctx context.Context, id int64) error

	CreateTestDelivery(ctx context.Context, webhookID int64, ev links.WebhookEvent) (links.WebhookDelivery, error)
	Redeliver(ctx context.Context, webhookID, deliveryID int64) (links.WebhookDelivery, error)
	ListWebhookDeliveries(ctx context.Context, webhookID int64, p links.Page) ([]links.WebhookDelivery, int64, error)
	WebhookDelivery(ctx context.Context, id int64) (links.WebhookDelivery, error)
	PurgeWebhookDeliveries(ctx context.Context, before time.Time) (int64, error)

	ClaimWebhookDeliveries(ctx context.Context, lease string, now time.Time, ttl time.Duration, limit, perHook int, busy map[int64]int) ([]links.WebhookDispatch, error)
	ClaimWebhookDelivery(ctx context.Context, lease string, id int64, now time.Time, ttl time.Duration) (links.WebhookDispatch, bool, error)
	FinishWebhookAttempt(ctx context.Context, d links.WebhookDispatch, a links.WebhookAttempt) (bool, error)
}

// Config tunes the dispatcher; zero fields take the defaults.
type Config struct {
	Workers     int           // attempts in flight per replica (32); one subscription gets 3/4 at most
	Poll        time.Duration // how often to look for due deliveries (1s)
	Timeout     time.Duration // one attempt, connection to last byte (10s)
	LeaseTTL    time.Duration // a claim; must outlast Timeout (60s)
	RetryBase   time.Duration // the first retry's delay, doubled each time (10s)
	RetryMax    time.Duration // the longest delay between attempts (2h)
	RetryWindow time.Duration // retries end this long after the event (24h)
	Retention   time.Duration // finished deliveries are purged after it (the log retention)
	Logger      *slog.Logger
	Now         func() time.Time
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Workers <= 0 {
		c.Workers = 32
	}
	def(&c.Poll, time.Second)
	def(&c.Timeout, 10*time.Second)
	def(&c.LeaseTTL, 60*time.Second)
	def(&c.RetryBase, 10*time.Second)
	def(&c.RetryMax, 2*time.Hour)
	def(&c.RetryWindow, 24*time.Hour)
	def(&c.Retention, 90*24*time.Hour)
	if c.LeaseTTL < 2*c.Timeout {
		c.LeaseTTL = 2 * c.Timeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Service manages subscriptions and delivers their messages.
type Service struct {
	store  Store
	cfg    Config
	send   *sender
	owner  string        // this replica's name in leases
	claims atomic.Uint64 // numbers this replica's claims
}

// New returns the service. Start delivering with Run.
func New(store Store, cfg Config) *Service {
	cfg.defaults()
	owner := make([]byte, 6)
	_, _ = rand.Read(owner)
	return &Service{store: store, cfg: cfg, send: newSender(cfg.Timeout, cfg.Workers, cfg.Now),
		owner: base64.RawURLEncoding.EncodeToString(owner)}
}

// newSecret returns a Standard Webhooks secret: whsec_ and 32 random bytes
// in base64.
func newSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(key), nil
}

// Create validates and stores a subscription and answers its secret, once.
func (s *Service) Create(ctx context.Context, in links.WebhookInput) (links.NewWebhook, error) {
	if _, err := links.ValidateWebhookURL("url", in.URL); err != nil {
		return links.NewWebhook{}, err
	}
	events, err := links.ValidateWebhookEvents("events", in.Events)
	if err != nil {
		return links.NewWebhook{}, err
	}
	if err := links.ValidateWebhookDescription("description", in.Description); err != nil {
		return links.NewWebhook{}, err
	}
	in.Events = events
	secret, err := newSecret()
	if err != nil {
		return links.NewWebhook{}, err
	}
	w, err := s.store.CreateWebhook(ctx, in, secret)
	if err != nil {
		return links.NewWebhook{}, err
	}
	return links.NewWebhook{Webhook: w, Secret: secret}, nil
}

// Update validates and applies a patch.
func (s *Service) Update(ctx context.Context, id int64, p links.WebhookPatch) (links.Webhook, error) {
	if p.URL != nil {
		if _, err := links.ValidateWebhookURL("url", *p.URL); err != nil {
			return links.Webhook{}, err
		}
	}
	if p.Events != nil {
		events, err := links.ValidateWebhookEvents("events", p.Events)
		if err != nil {
			return links.Webhook{}, err
		}
		p.Events = events
	}
	if p.Description != nil {
		if err := links.ValidateWebhookDescription("description", *p.Description); err != nil {
			return links.Webhook{}, err
		}
	}
	return s.store.UpdateWebhook(ctx, id, p)
}

// List lists the subscriptions.
func (s *Service) List(ctx context.Context) ([]links.Webhook, error) {
	return s.store.ListWebhooks(ctx)
}

// Get returns one subscription.
func (s *Service) Get(ctx context.Context, id int64) (links.Webhook, error) {
	return s.store.Webhook(ctx, id)
}

// Delete deletes a subscription and its deliveries.
func (s *Service) Delete(ctx context.Context, id int64) error { return s.store.DeleteWebhook(ctx, id) }

// Deliveries lists a subscription's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, id int64, p links.Page) ([]links.WebhookDelivery, int64, error) {
	if _, err := s.store.Webhook(ctx, id); err != nil {
		return nil, 0, err
	}
	return s.store.ListWebhookDeliveries(ctx, id, p)
}

// Redeliver queues a delivery again with the same webhook-id; the
// dispatcher sends it within a poll.
func (s *Service) Redeliver(ctx context.Context, id, deliveryID int64) (links.WebhookDelivery, error) {
	return s.store.Redeliver(ctx, id, deliveryID)
}

// Test sends a webhook.test message to the subscription now (paused or
// not), once, without retries, and answers the logged delivery. It takes
// at most the attempt timeout.
func (s *Service) Test(ctx context.Context, id int64) (links.WebhookDelivery, error) {
	ev := links.WebhookEvent{Type: links.EventWebhookTest, Time: s.cfg.Now(),
		Data: map[string]any{"webhook_id": id, "message": "A test message from applinks."}}
	d, err := s.store.CreateTestDelivery(ctx, id, ev)
	if err != nil {
		return links.WebhookDelivery{}, err
	}
	disp, ok, err := s.store.ClaimWebhookDelivery(ctx, s.lease(), d.ID, s.cfg.Now(), s.cfg.LeaseTTL)
	if err != nil || !ok {
		return d, err
	}
	s.attempt(ctx, disp)
	return s.store.WebhookDelivery(ctx, d.ID)
}
