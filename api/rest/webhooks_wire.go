package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the webhook endpoints, and their converters to and
// from the links domain.

// WebhookAnswer is a subscription: where events of the chosen types are POSTed.
type WebhookAnswer struct {
	ID          int64     `json:"id" example:"1"`
	URL         string    `json:"url" example:"https://hooks.example.com/applinks"`
	Description string    `json:"description" example:"Helpdesk"`
	Events      []string  `json:"events" example:"sso.redeemed"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// NewWebhookAnswer is a created subscription with its signing secret, which is
// shown only this once.
type NewWebhookAnswer struct {
	WebhookAnswer
	// Secret signs every delivery (Standard Webhooks: whsec_ and the
	// base64 key).
	Secret string `json:"secret" example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"`
}

// WebhookDelivery is one message to one subscription, with the outcome of
// its latest attempt. A redelivery is a new delivery with the same
// MessageID (the webhook-id header), so receivers drop the duplicate.
type WebhookDelivery struct {
	ID        int64  `json:"id" example:"1"`
	WebhookID int64  `json:"webhook_id" example:"1"`
	MessageID string `json:"message_id" example:"msg_2b7fRrRkYk1lSx3fB9Xx"`
	EventType string `json:"event_type" example:"sso.redeemed"`
	State     string `json:"state" example:"delivered" enums:"pending,delivered,failed"`
	Attempts  int    `json:"attempts" example:"1"`
	// StatusCode is the receiver's HTTP status at the latest attempt (0:
	// none, the connection failed).
	StatusCode int `json:"status_code" example:"200"`
	// DurationMS is how long the latest attempt took.
	DurationMS int64 `json:"duration_ms" example:"42"`
	// Error is a short reason of the latest failure: never a secret, at
	// most a few hundred bytes of the receiver's answer.
	Error         string     `json:"error" example:""`
	NextAttemptAt *time.Time `json:"next_attempt_at" extensions:"x-nullable"`
	CreatedAt     time.Time  `json:"created_at"`
	LastAttemptAt *time.Time `json:"last_attempt_at" extensions:"x-nullable"`
}

// WebhookInput creates a subscription.
type WebhookInput struct {
	URL         string   `json:"url" example:"https://hooks.example.com/applinks"`
	Description string   `json:"description,omitempty" example:"Helpdesk"`
	Events      []string `json:"events" example:"sso.redeemed"`
	// Active defaults to true.
	Active *bool `json:"active,omitempty"`
}

// WebhookPatch changes a subscription; absent fields stay.
type WebhookPatch struct {
	URL         *string  `json:"url,omitempty" example:"https://hooks.example.com/applinks"`
	Description *string  `json:"description,omitempty" example:"Helpdesk"`
	Events      []string `json:"events,omitempty" example:"sso.refused"`
	Active      *bool    `json:"active,omitempty"`
}

func toWebhook(w links.Webhook) WebhookAnswer {
	w.Events = nonNil(w.Events)
	return WebhookAnswer(w)
}

func toWebhooks(ws []links.Webhook) []WebhookAnswer {
	out := make([]WebhookAnswer, len(ws))
	for i, w := range ws {
		out[i] = toWebhook(w)
	}
	return out
}

func toNewWebhook(w links.NewWebhook) NewWebhookAnswer {
	return NewWebhookAnswer{WebhookAnswer: toWebhook(w.Webhook), Secret: w.Secret}
}

func toDelivery(d links.WebhookDelivery) WebhookDelivery { return WebhookDelivery(d) }

func toDeliveries(ds []links.WebhookDelivery) []WebhookDelivery {
	out := make([]WebhookDelivery, len(ds))
	for i, d := range ds {
		out[i] = toDelivery(d)
	}
	return out
}

func (in WebhookInput) domain() links.WebhookInput { return links.WebhookInput(in) }

func (p WebhookPatch) domain() links.WebhookPatch { return links.WebhookPatch(p) }
