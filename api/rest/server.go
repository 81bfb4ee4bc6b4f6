// Package rest is the HTTP face of the service: the Echo server with its one
// route table, thin handlers annotated for swag, staff authentication, the
// one error model, health endpoints, the metrics handler and the embedded SPA.
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
	"slices"
	"strings"
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
	ListAdmins(ctx context.Context, p links.Page) ([]links.Admin, int64, error)
	CreateAdmin(ctx context.Context, email, name, passwordHash string, roleID int64) (links.Admin, error)
	UpdateAdmin(ctx context.Context, id int64, p links.AdminPatch) (links.Admin, error)
	EndAdminSessions(ctx context.Context, id int64) error
	ListRoles(ctx context.Context, p links.Page) ([]links.Role, int64, error)
	Role(ctx context.Context, id int64) (links.Role, error)
	CreateRole(ctx context.Context, name string, perms []string) (links.Role, error)
	UpdateRole(ctx context.Context, id int64, name *string, perms []string) (links.Role, error)
	DeleteRole(ctx context.Context, id int64) error

	CreateServer(ctx context.Context, in links.ServerInput) (links.Server, error)
	Server(ctx context.Context, id int64) (links.Server, error)
	ListServers(ctx context.Context, f links.ServerFilter) ([]links.Server, int64, error)
	UpdateServer(ctx context.Context, id int64, p links.ServerPatch) (links.Server, error)
	DeleteServer(ctx context.Context, id int64) error
	ServerConn(ctx context.Context, id int64) (links.ServerConn, error)
	SetServerSupport(ctx context.Context, id int64, sup links.Support, at time.Time) error
	SSOClickSources(ctx context.Context, serverID int64, since time.Time, limit int) ([]links.SSOSourceSeen, error)

	CreateClient(ctx context.Context, in links.ClientInput) (links.Client, error)
	Client(ctx context.Context, id int64) (links.Client, error)
	ListClients(ctx context.Context, f links.ClientFilter) ([]links.Client, int64, error)
	UpdateClient(ctx context.Context, id int64, p links.ClientPatch) (links.Client, error)
	ClientUsers(ctx context.Context, clientID int64) ([]links.Membership, error)
	AddClientUser(ctx context.Context, clientID int64, in links.ClientUserInput) (links.Membership, error)
	SetUserPermissions(ctx context.Context, clientID, userID int64, perms []string) (links.Membership, error)
	RemoveClientUser(ctx context.Context, clientID, userID int64) error
	TransferOwnership(ctx context.Context, clientID, userID int64) (links.Client, error)
	DeleteClient(ctx context.Context, id int64) error

	CreateService(ctx context.Context, in links.ServiceInput) (links.Service, error)
	Service(ctx context.Context, id int64) (links.Service, error)
	ListServices(ctx context.Context, f links.ServiceFilter) ([]links.Service, int64, error)
	// ServiceLinkStates returns the link state of each service by id, in
	// one query (links.LinkStateOf).
	ServiceLinkStates(ctx context.Context, ids []int64) (map[int64]links.ServiceLinkState, error)
	UpdateService(ctx context.Context, id int64, p links.ServicePatch) (before, after links.Service, err error)
	DeleteService(ctx context.Context, id int64) (links.Service, error)
	// BatchClients and BatchServices fill the results of the items that
	// res does not hold in error yet, in one transaction.
	BatchClients(ctx context.Context, items []links.ClientBatchItem, res *links.BatchResult) error
	BatchServices(ctx context.Context, items []links.ServiceBatchItem, res *links.BatchResult) (modules []string, err error)
	// ImportAccounts imports a server's listed accounts, a chunk per
	// transaction (nothing written with dryRun).
	ImportAccounts(ctx context.Context, serverID int64, accts []links.PanelAccount, dryRun bool) (links.ImportResult, error)

	AuditStore
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
	// PasswordCost is the bcrypt cost of staff password hashes; zero means
	// bcrypt's default.
	PasswordCost int
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
	known     map[string][]string // route path -> methods
	prov      Provisioning
	sso       SSO
	handoff   Handoff
	webhooks  Webhooks
	audit     AuditStore
	logins    *loginGuard
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
		prov: d.Provisioning, sso: d.SSO, handoff: d.Handoff, webhooks: d.Webhooks, audit: d.Store,
		tokens: tokens{key: cfg.JWTKey, issuer: "applinks", now: time.Now},
		panels: map[string]links.Panel{},
		logins: newLoginGuard(time.Now),
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
	if strings.HasPrefix(strings.ToLower(cfg.PublicURL), "https://") {
		e.Use(strictTransportSecurity)
	}
	e.Use(middleware.RequestID())
	e.Use(s.metrics.middleware)
	e.Use(requestLogger(d.Logger))
	e.Use(middleware.BodyLimit("1M"))
	e.Use(s.unknownRoutes)
	s.echo = e
	for prefix, h := range d.Mounts {
		e.Any(prefix+"*", echo.WrapHandler(h))
	}
	s.routes()
	s.known = knownRoutes(e)
	return s
}

// knownRoutes maps each registered route path to its methods, leaving out
// the catch-all "not found" routes that Echo adds for group middleware.
func knownRoutes(e *echo.Echo) map[string][]string {
	known := map[string][]string{}
	for _, r := range e.Routes() {
		if r.Method != echo.RouteNotFound {
			known[r.Path] = append(known[r.Path], r.Method)
		}
	}
	return known
}

// unknownRoutes answers 404 for paths no route serves and 405 (with Allow)
// for a known path asked with another method, before any group middleware
// (authentication, permissions) runs: Echo routes such requests to the
// not-found routes it registers for group middleware, which would otherwise
// answer 401 or 403 for paths that do not exist.
func (s *Server) unknownRoutes(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		methods := s.known[c.Path()]
		if slices.Contains(methods, c.Request().Method) || slices.Contains(methods, echo.RouteNotFound) {
			return next(c)
		}
		allowed := s.allowedMethods(c.Request().URL.Path)
		if len(allowed) == 0 {
			return echo.ErrNotFound
		}
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allowed, ", "))
		return echo.ErrMethodNotAllowed
	}
}

// allowedMethods lists the methods that have a real route for path (the
// SPA's catch-all aside).
func (s *Server) allowedMethods(path string) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		c := s.echo.NewContext(nil, nil)
		s.echo.Router().Find(m, path, c)
		if !strings.HasSuffix(c.Path(), "/*") && slices.Contains(s.known[c.Path()], m) {
			out = append(out, m)
		}
	}
	return out
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Secret helpers the handlers share.
func checkPassword(hash, password string) bool { return secret.CheckPassword(hash, password) }

// httpPublicURL tells whether the service's own public URL is http (the
// demo): only then may a link's external target be http too.
func (s *Server) httpPublicURL() bool {
	return strings.HasPrefix(strings.ToLower(s.cfg.PublicURL), "http://")
}
