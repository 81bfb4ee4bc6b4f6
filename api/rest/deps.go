package rest

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/sso"
)

// Store is what the REST layer needs from the database: the union of the
// small interfaces each handler type declares beside itself (staffStore in
// auth.go, serverStore in servers.go, ...). A handler is tested, or backed
// by another storage, with only its own.
type Store interface {
	Ping(ctx context.Context) error
	staffStore
	adminStore
	serverStore
	clientStore
	serviceStore
	portalStore
	AuditStore
}

// SSO is what the single sign-on, API-credential and client-area endpoints
// need from the sso package: the union of ssoFlows (sso.go),
// credentialIssuer (credentials.go) and clientArea (portal.go), and the
// limits the route table applies.
type SSO interface {
	ssoFlows
	credentialIssuer
	clientArea
	Limits() sso.Limits
}

var (
	_ SSO          = (*sso.Service)(nil)
	_ Provisioning = (*provisioning.Engine)(nil)
	_ Lifecycle    = (*provisioning.Engine)(nil)
)

// Config holds the settings of the HTTP layer.
type Config struct {
	PublicURL     string
	JWTKey        []byte
	StaffTokenTTL time.Duration
	// TrustProxy takes the client IP from X-Forwarded-For (behind a proxy).
	TrustProxy bool
	// LoginPerMinute bounds login attempts per IP.
	LoginPerMinute float64
	// PasswordCost is the bcrypt cost of new staff password hashes.
	PasswordCost int
}

// Deps are the collaborators of the HTTP layer.
type Deps struct {
	Store  Store
	Panels []links.Panel
	Logger *slog.Logger
	// SPA is the built single-page app (the folder holding index.html); nil
	// serves none.
	SPA fs.FS
	// Registry collects the service's Prometheus metrics; MetricsHandler
	// serves it.
	Registry *prometheus.Registry
	// Lifecycle hears about changed services; nil ignores them.
	Lifecycle Lifecycle
	// Provisioning runs application links operations.
	Provisioning Provisioning
	// SSO issues and redeems single sign-on tokens and runs the client area.
	SSO SSO
	// Handoff signs hand-off assertions and keeps their keys; nil serves
	// neither the key set nor the rotation.
	Handoff Handoff
	// Webhooks manages the webhook subscriptions; nil serves none.
	Webhooks Webhooks
	// Mounts serves extra handlers under path prefixes (e.g. the demo's
	// simulator under "/__sim/").
	Mounts map[string]http.Handler
}

// ignoreChanges is the Lifecycle of a server built without one.
type ignoreChanges struct{}

func (ignoreChanges) ServiceChanged(context.Context, *links.Service, *links.Service) {}
