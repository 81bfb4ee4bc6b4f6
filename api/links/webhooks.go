package links

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Webhook event types (docs/webhooks.md describes their data).
const (
	EventSSORedeemed       = "sso.redeemed"       // a sign-in token was redeemed: a session started
	EventSSORefused        = "sso.refused"        // an issue, redemption or session was refused
	EventOperationFinished = "operation.finished" // an application links operation ended
	EventAccountFailed     = "account.failed"     // an account's links could not be pushed
	EventDriftFound        = "drift.found"        // an account's links differ from the configured ones
	EventServerUnsupported = "server.unsupported" // a server cannot take application links
	// EventWebhookTest is what the test button sends; nobody subscribes to it.
	EventWebhookTest = "webhook.test"
)

// WebhookEventTypes lists every event type a subscription can name.
var WebhookEventTypes = []string{EventSSORedeemed, EventSSORefused, EventOperationFinished,
	EventAccountFailed, EventDriftFound, EventServerUnsupported}

// Webhook delivery states.
const (
	DeliveryPending   = "pending"   // waiting for its next attempt
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // given up: 24 hours of retries, or a test that failed
)

// MaxWebhookURLLength bounds a receiver URL.
const MaxWebhookURLLength = 2000

// Webhook is a subscription: where events of the chosen types are POSTed.
type Webhook struct {
	ID          int64     `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	Events      []string  `json:"events"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// NewWebhook is a created subscription with its signing secret, which is
// shown only this once.
type NewWebhook struct {
	Webhook
	// Secret signs every delivery (Standard Webhooks: whsec_ and the
	// base64 key).
	Secret string `json:"secret"`
}

// WebhookInput creates a subscription.
type WebhookInput struct {
	URL         string   `json:"url"`
	Description string   `json:"description,omitempty"`
	Events      []string `json:"events"`
	// Active defaults to true.
	Active *bool `json:"active,omitempty"`
}

// WebhookPatch changes a subscription; absent fields stay.
type WebhookPatch struct {
	URL         *string  `json:"url,omitempty"`
	Description *string  `json:"description,omitempty"`
	Events      []string `json:"events,omitempty"`
	Active      *bool    `json:"active,omitempty"`
}

// WebhookDelivery is one message to one subscription, with the outcome of
// its latest attempt. A redelivery is a new delivery with the same
// MessageID (the webhook-id header), so receivers drop the duplicate.
type WebhookDelivery struct {
	ID        int64  `json:"id"`
	WebhookID int64  `json:"webhook_id"`
	MessageID string `json:"message_id"`
	EventType string `json:"event_type"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	// StatusCode is the receiver's HTTP status at the latest attempt (0:
	// none, the connection failed).
	StatusCode int `json:"status_code"`
	// DurationMS is how long the latest attempt took.
	DurationMS int64 `json:"duration_ms"`
	// Error is a short reason of the latest failure: never a secret, at
	// most a few hundred bytes of the receiver's answer.
	Error         string     `json:"error"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	CreatedAt     time.Time  `json:"created_at"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
}

// WebhookEvent is something that happened, to be sent to every active
// subscription of its type.
type WebhookEvent struct {
	Type string
	Time time.Time
	Data any // marshalled as the body's data
}

// AccountEventData is the data of account.failed and drift.found: the
// account (location), its server and what went wrong or differed.
type AccountEventData struct {
	Module      string `json:"module" example:"cpanel"`
	OperationID int64  `json:"operation_id,omitempty" example:"12"`
	ServerID    int64  `json:"server_id" example:"2"`
	ServerName  string `json:"server_name" example:"cp1"`
	ServiceID   *int64 `json:"service_id" example:"40"`
	Username    string `json:"username" example:"acme"`
	// Error is the panel's message (account.failed).
	Error string `json:"error,omitempty"`
	// Differences are what differed (drift.found), as in the Notice.
	Differences []string `json:"differences,omitempty"`
}

// ServerEventData is the data of server.unsupported.
type ServerEventData struct {
	Module      string `json:"module" example:"cpanel"`
	OperationID int64  `json:"operation_id,omitempty" example:"12"`
	ServerID    int64  `json:"server_id" example:"2"`
	ServerName  string `json:"server_name" example:"cp1"`
	Hostname    string `json:"hostname" example:"cp1.example.com"`
	Reason      string `json:"reason" example:"cPanel & WHM 11.110 is older than 11.118"`
	Version     string `json:"version" example:"11.110.0.1"`
	Profile     string `json:"profile" example:"STANDARD"`
}

// WebhookDispatch is a claimed delivery, with what its attempt needs.
type WebhookDispatch struct {
	Delivery WebhookDelivery
	URL      string
	Secret   string // whsec_...
	Body     []byte
	// Created is when the message was first written: retries end 24
	// hours after it.
	Created time.Time
	// Lease is the claim that holds the delivery: only its holder may
	// record the outcome.
	Lease string
}

// WebhookAttempt is the outcome of one attempt.
type WebhookAttempt struct {
	StatusCode int
	Duration   time.Duration
	Error      string
	At         time.Time
	// Next is when to try again; zero means no retry (delivered, or given up).
	Next time.Time
	OK   bool
}

// ValidateWebhookURL checks a receiver URL: https, or http to a loopback IP
// literal (127.0.0.0/8, ::1) for tests and the demo; a host; no user info;
// no link-local or unspecified IP literal. It reports whether the URL names
// a loopback address, which is the only case its deliveries may connect to
// loopback.
func ValidateWebhookURL(field, raw string) (loopback bool, err error) {
	const want = "an https URL (http only to 127.0.0.1 or [::1]), e.g. https://hooks.example.com/applinks"
	switch {
	case strings.TrimSpace(raw) == "":
		return false, FieldError(field, "The webhook needs a URL: %s.", want)
	case len(raw) > MaxWebhookURLLength:
		return false, FieldError(field, "The URL must be at most %d bytes long.", MaxWebhookURLLength)
	case !utf8.ValidString(raw) || strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || r == '\\' }):
		return false, FieldError(field, "The URL must not contain spaces, backslashes or control characters.")
	}
	u, perr := url.Parse(raw)
	if perr != nil || u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return false, FieldError(field, "The URL must be %s.", want)
	}
	if u.User != nil {
		return false, FieldError(field, "The URL must not carry a user name or password: deliveries are signed instead.")
	}
	if u.Fragment != "" {
		return false, FieldError(field, "The URL must not have a #fragment.")
	}
	if ip, ipErr := netip.ParseAddr(u.Hostname()); ipErr == nil {
		ip = ip.Unmap()
		loopback = ip.IsLoopback()
		if ip.IsUnspecified() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsMulticast() {
			return false, FieldError(field, "The URL's host %s is a link-local, multicast or unspecified address, which never reaches a receiver.", ip)
		}
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback {
			return false, FieldError(field, "The URL must be %s: plain http is accepted only to a loopback address.", want)
		}
	default:
		return false, FieldError(field, "The URL must be %s.", want)
	}
	return loopback, nil
}

// ValidateWebhookEvents checks a subscription's event types: at least one,
// each known, no repeats. It returns them in catalogue order.
func ValidateWebhookEvents(field string, events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, FieldError(field, "Choose at least one event type: %s.", strings.Join(WebhookEventTypes, ", "))
	}
	for _, e := range events {
		if !slices.Contains(WebhookEventTypes, e) {
			return nil, FieldError(field, "Unknown event type %q: the types are %s.", e, strings.Join(WebhookEventTypes, ", "))
		}
	}
	out := make([]string, 0, len(events))
	for _, t := range WebhookEventTypes {
		if slices.Contains(events, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// ValidateWebhookDescription checks the optional description.
func ValidateWebhookDescription(field, d string) error {
	if len(d) > 190 || !utf8.ValidString(d) {
		return FieldError(field, "The description must be valid text of at most 190 bytes.")
	}
	return nil
}

// SSOWebhookEvent is the webhook event of an SSO audit event, if it has
// one: a successful redemption is sso.redeemed, any refusal sso.refused.
func SSOWebhookEvent(e SSOEvent) (WebhookEvent, bool) {
	var typ string
	switch {
	case e.Outcome == SSORefused:
		typ = EventSSORefused
	case e.Kind == SSOKindRedeem && e.Outcome == SSOSuccess:
		typ = EventSSORedeemed
	default:
		return WebhookEvent{}, false
	}
	return WebhookEvent{Type: typ, Time: e.Time, Data: SSOWebhookData{
		EventID: e.ID, Kind: e.Kind, Outcome: e.Outcome, Reason: e.Reason, Source: e.Source, Destination: e.Destination,
		UserID: e.UserID, ClientID: e.ClientID, ServiceID: e.ServiceID, ServerID: e.ServerID, CredentialID: e.CredentialID, IP: e.IP,
	}}, true
}

// SSOWebhookData is the data of the sso.redeemed and sso.refused events.
type SSOWebhookData struct {
	EventID      int64  `json:"sso_event_id"` // the line of the SSO audit
	Kind         string `json:"kind"`
	Outcome      string `json:"outcome"`
	Reason       string `json:"reason"`
	Source       string `json:"source"`
	Destination  string `json:"destination"`
	UserID       *int64 `json:"user_id"`
	ClientID     *int64 `json:"client_id"`
	ServiceID    *int64 `json:"service_id"`
	ServerID     *int64 `json:"server_id"`
	CredentialID *int64 `json:"credential_id"`
	IP           string `json:"ip"`
}
