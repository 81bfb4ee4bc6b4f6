package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the server endpoints, and their converters to and from
// the links domain. A converter that is a plain struct conversion keeps the
// two in step: a field added to the domain type fails to compile here until
// the wire type has it too (or the converter says field by field what goes out).

// ServerAnswer is a cPanel & WHM or WP Squared server. Its API token is
// write-only: has_api_token tells whether one is stored.
type ServerAnswer struct {
	ID        int64  `json:"id" example:"1"`
	Module    string `json:"module" example:"cpanel"`
	Name      string `json:"name" example:"cp1"`
	Hostname  string `json:"hostname" example:"cp1.example.com"`
	Port      int    `json:"port" example:"2087"`
	Secure    bool   `json:"secure" example:"true"`
	VerifyTLS bool   `json:"verify_tls" example:"true"`
	Username  string `json:"username" example:"root"`
	HasToken  bool   `json:"has_api_token" example:"true"`
	Active    bool   `json:"active" example:"true"`
	// SSOSources are the addresses (IPs or CIDR ranges) cPanel clicks may
	// come from; empty means any.
	SSOSources []string `json:"sso_sources" example:"203.0.113.7,198.51.100.0/24"`
	// Detected by the last connection test or support check.
	Version       string     `json:"version" example:"11.120.0.16"`
	Profile       string     `json:"profile" example:"cpanel"`
	SupportsLinks *bool      `json:"supports_links" extensions:"x-nullable"`
	SupportReason string     `json:"support_reason" example:""`
	CheckedAt     *time.Time `json:"checked_at" extensions:"x-nullable"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	// Services counts the hosting accounts on this server.
	Services int64 `json:"services" example:"42"`
}

func toServer(s links.Server) ServerAnswer {
	if s.SSOSources == nil {
		s.SSOSources = []string{}
	}
	return ServerAnswer(s)
}

func toServers(ss []links.Server) []ServerAnswer {
	out := make([]ServerAnswer, len(ss))
	for i, s := range ss {
		out[i] = toServer(s)
	}
	return out
}

// ServerInput creates a server.
type ServerInput struct {
	Module    string `json:"module" example:"cpanel" enums:"cpanel,wpsquared"`
	Name      string `json:"name" example:"cp1"`
	Hostname  string `json:"hostname" example:"cp1.example.com"`
	Port      *int   `json:"port,omitempty" example:"2087"`
	Secure    *bool  `json:"secure,omitempty" example:"true"`
	VerifyTLS *bool  `json:"verify_tls,omitempty" example:"true"`
	Username  string `json:"username,omitempty" example:"root"`
	APIToken  string `json:"api_token" example:"ABCDEF0123456789"`
	Active    *bool  `json:"active,omitempty" example:"true"`
	// SSOSources lists the addresses (IPs or CIDR ranges) cPanel clicks
	// may come from; empty or absent means any.
	SSOSources []string `json:"sso_sources,omitempty" example:"203.0.113.7,198.51.100.0/24"`
}

func (in ServerInput) domain() links.ServerInput { return links.ServerInput(in) }

// ServerPatch changes some fields of a server; absent fields stay as they
// are. An empty api_token keeps the stored one, unless the patch changes
// where or how the server is reached.
type ServerPatch struct {
	Name      *string `json:"name,omitempty"`
	Hostname  *string `json:"hostname,omitempty"`
	Port      *int    `json:"port,omitempty"`
	Secure    *bool   `json:"secure,omitempty"`
	VerifyTLS *bool   `json:"verify_tls,omitempty"`
	Username  *string `json:"username,omitempty"`
	APIToken  *string `json:"api_token,omitempty"`
	Active    *bool   `json:"active,omitempty"`
	// SSOSources replaces the list of SSO source addresses when present
	// (an empty list allows any source); absent or null keeps it.
	SSOSources []string `json:"sso_sources,omitempty" example:"203.0.113.7,198.51.100.0/24"`
}

func (p ServerPatch) domain() links.ServerPatch { return links.ServerPatch(p) }

// SupportAnswer is the result of a panel's support check of one server.
type SupportAnswer struct {
	Supported bool `json:"supported"`
	// Reason says why not, when supported is false.
	Reason  string `json:"reason,omitempty"`
	Version string `json:"version"`
	Profile string `json:"profile"`
}

// SSOSourceSeen is one source address of recent cPanel clicks on a server.
type SSOSourceSeen struct {
	IP      string    `json:"ip" example:"203.0.113.7"`
	Clicks  int64     `json:"clicks" example:"12"`
	Refused int64     `json:"refused" example:"0"`
	LastAt  time.Time `json:"last_at"`
	// Allowed tells whether the server's current list lets this address in
	// (always true while the list is empty).
	Allowed bool `json:"allowed" example:"true"`
}

// ServerSSOSources is what a server's page shows to fill its list: the
// current list and the source addresses of recent clicks, most recent first.
type ServerSSOSources struct {
	SSOSources []string        `json:"sso_sources" example:"203.0.113.0/24"`
	Since      time.Time       `json:"since"`
	Items      []SSOSourceSeen `json:"items"`
}
