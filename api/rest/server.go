// Package rest is the HTTP face of the service: the Echo server with its one
// route table, thin handlers annotated for swag, staff authentication, the
// one error model, health and metrics endpoints and the embedded SPA.
//
//	@title						applinks API
//	@version					1.0
//	@description				Application Links for cPanel & WHM and WP Squared: push billing and support links into every hosting account and sign customers into the client area with one click. Errors are always {"error":{"code","message"}}.
//	@BasePath					/
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@securityDefinitions.basic	BasicAuth
package rest

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// Store is what the REST layer needs from the database.
type Store interface {
	Ping(ctx context.Context) error

	AdminCredentials(ctx context.Context, email string) (links.Admin, string, error)
	Admin(ctx context.Context, id int64) (links.Admin, error)
	ListAdmins(ctx context.Context) ([]links.Admin, error)
	CreateAdmin(ctx context.Context, email, name, passwordHash string, roleID int64) (links.Admin, error)
	UpdateAdmin(ctx context.Context, id int64, p links.AdminPatch) (links.Admin, error)
	ListRoles(ctx context.Context) ([]links.Role, error)
	CreateRole(ctx context.Context, name string, perms []string) (links.Role, error)

	CreateServer(ctx context.Context, in links.ServerInput) (links.Server, error)
	Server(ctx context.Context, id int64) (links.Server, error)
	ListServers(ctx context.Context, f links.ServerFilter) ([]links.Server, int64, error)
	UpdateServer(ctx context.Context, id int64, p links.ServerPatch) (links.Server, error)
	DeleteServer(ctx context.Context, id int64) error
	ServerConn(ctx context.Context, id int64) (links.ServerConn, error)
	SetServerSupport(ctx context.Context, id int64, sup links.Support, at time.Time) error

	CreateClient(ctx context.Context, in links.ClientInput) (links.Client, error)
	Client(ctx context.Context, id int64) (links.Client, error)
	ListClients(ctx context.Context, f links.ClientFilter) ([]links.Client, int64, error)
	UpdateClient(ctx context.Context, id int64, p links.ClientPatch) (links.Client, error)
	ClientUsers(ctx context.Context, clientID int64) ([]links.Membership, error)
	AddClientUser(ctx context.Context, clientID int64, in links.ClientUserInput) (links.Membership, error)
	SetUserPermissions(ctx context.Context, clientID, userID int64, perms []string) (links.Membership, error)

	CreateService(ctx context.Context, in links.ServiceInput) (links.Service, error)
	Service(ctx context.Context, id int64) (links.Service, error)
	ListServices(ctx context.Context, f links.ServiceFilter) ([]links.Service, int64, error)
	UpdateService(ctx context.Context, id int64, p links.ServicePatch) (before, after links.Service, err error)
	DeleteService(ctx context.Context, id int64) (links.Service, error)
}

// Config holds the settings of the HTTP layer.
type Config struct {
	PublicURL     string
	JWTKey        []byte
	StaffTokenTTL time.Duration
	// TrustProxy takes the client IP from X-Forwarded-For (behind a proxy).
	TrustProxy bool
	// LoginPerMinute bounds login attempts per IP.
	LoginPerMinute float64
}

// Server is the HTTP server. Build it with New and serve Handler().
type Server struct {
	cfg       Config
	store     Store
	panels    map[string]links.Panel
	logger    *slog.Logger
	tokens    tokens
	echo      *echo.Echo
	spa       fs.FS
	registry  *prometheus.Registry
	metrics   *httpMetrics
	lifecycle Lifecycle
	prov      Provisioning
	sso       SSO
}

// Deps are the collaborators of the HTTP layer.
type Deps struct {
	Store  Store
	Panels []links.Panel
	Logger *slog.Logger
	// SPA is the built single-page app (the folder holding index.html); nil
	// serves none.
	SPA fs.FS
	// Registry collects the service's Prometheus metrics; GET /metrics
	// serves it.
	Registry *prometheus.Registry
	// Lifecycle hears about changed services; nil ignores them.
	Lifecycle Lifecycle
	// Provisioning runs application links operations.
	Provisioning Provisioning
	// SSO issues and redeems single sign-on tokens and runs the client area.
	SSO SSO
	// Mounts serves extra handlers under path prefixes (e.g. the demo's
	// simulator under "/__sim/").
	Mounts map[string]http.Handler
}

// New builds the server and its routes.
func New(cfg Config, d Deps) *Server {
	if cfg.StaffTokenTTL == 0 {
		cfg.StaffTokenTTL = time.Hour
	}
	if cfg.LoginPerMinute == 0 {
		cfg.LoginPerMinute = 10
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		cfg: cfg, store: d.Store, logger: d.Logger, spa: d.SPA, registry: d.Registry, lifecycle: d.Lifecycle,
		prov: d.Provisioning, sso: d.SSO,
		tokens: tokens{key: cfg.JWTKey, issuer: "applinks", now: time.Now},
		panels: map[string]links.Panel{},
	}
	for _, p := range d.Panels {
		s.panels[p.Module()] = p
	}
	s.metrics = newHTTPMetrics(d.Registry)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Logger)
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Logger.Error("panic in handler", "err", err, "path", c.Path(), "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.RequestID())
	e.Use(s.metrics.middleware)
	e.Use(requestLogger(d.Logger))
	e.Use(middleware.BodyLimit("1M"))
	s.echo = e
	for prefix, h := range d.Mounts {
		e.Any(prefix+"*", echo.WrapHandler(h))
	}
	s.routes()
	return s
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Secret helpers the handlers share.
func checkPassword(hash, password string) bool { return secret.CheckPassword(hash, password) }
