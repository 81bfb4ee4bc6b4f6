package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the single sign-on endpoints, and their converters to
// and from the links domain.

// SSOEvent is one line of the single sign-on audit: every issue, redemption
// and refusal.
type SSOEvent struct {
	ID           int64     `json:"id" example:"1"`
	Time         time.Time `json:"time"`
	Kind         string    `json:"kind" example:"issue" enums:"issue,redeem,session,email_change"`
	UserID       *int64    `json:"user_id" example:"1" extensions:"x-nullable"`
	ClientID     *int64    `json:"client_id" example:"1" extensions:"x-nullable"`
	ServiceID    *int64    `json:"service_id" example:"1" extensions:"x-nullable"`
	Source       string    `json:"source" example:"cpanel" enums:"cpanel,api,portal,unknown"`
	ServerID     *int64    `json:"server_id" example:"1" extensions:"x-nullable"`
	CredentialID *int64    `json:"credential_id" extensions:"x-nullable"`
	Destination  string    `json:"destination" example:"invoice_history"`
	Outcome      string    `json:"outcome" example:"success" enums:"success,refused"`
	Reason       string    `json:"reason" example:""`
	IP           string    `json:"ip" example:"203.0.113.7"`
}

// SSOTokenAnswer is a token for a trusted application to send the user to.
type SSOTokenAnswer struct {
	AccessToken string    `json:"access_token" example:"q1Zx8bC0..."`
	RedirectURL string    `json:"redirect_url" example:"https://billing.example.com/sso/redeem?access_token=q1Zx8bC0..."`
	ExpiresAt   time.Time `json:"expires_at"`
}

// SSOTokenRequest is a trusted application's CreateSsoToken call.
type SSOTokenRequest struct {
	ClientID int64 `json:"client_id" example:"1"`
	UserID   int64 `json:"user_id,omitempty" example:"0"`
	// Destination is one of the 14 catalogue keys (upgrade, register_domain, transfer_domain, open_ticket, ticket_history, announcements, downloads, knowledgebase, network_status, profile, billing_info, manage_billing, email_history, invoice_history), a custom link key (custom_<slug>, as the Configure screen lists it), home, services, or custom (with redirect_path).
	Destination  string `json:"destination" example:"invoice_history"`
	RedirectPath string `json:"redirect_path,omitempty" example:""`
	ServiceID    int64  `json:"service_id,omitempty" example:"0"`
}

func toSSOEvents(es []links.SSOEvent) []SSOEvent {
	out := make([]SSOEvent, len(es))
	for i, e := range es {
		out[i] = SSOEvent(e)
	}
	return out
}

func (r SSOTokenRequest) domain() links.SSOTokenRequest { return links.SSOTokenRequest(r) }
