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
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/sso"
)

// Server is the HTTP server. Build it with New and serve Handler().
type Server struct {
	echo     *echo.Echo
	known    map[string][]string // route path -> methods
	registry *prometheus.Registry
	metrics  *httpMetrics
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
	if d.Lifecycle == nil {
		d.Lifecycle = ignoreChanges{}
	}
	s := &Server{registry: d.Registry, metrics: newHTTPMetrics(d.Registry)}
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
	s.routes(cfg, newHandlers(cfg, d))
	s.known = knownRoutes(e)
	return s
}

// handlers are the handler types of the routes, each holding only what its
// endpoints use. The SSO, client-area, hand-off and webhook ones are nil
// when the service runs without that collaborator.
type handlers struct {
	health   *healthAPI
	auth     *staffAuth
	servers  *serversAPI
	clients  *clientsAPI
	services *servicesAPI
	admins   *adminsAPI
	audit    *auditAPI
	apps     *applicationsAPI
	sso      *ssoAPI
	creds    *credentialsAPI
	portal   *portalAPI
	limits   sso.Limits // of the SSO and client-area routes
	handoff  *handoffAPI
	webhooks *webhooksAPI
	spa      *spaHandler
}

// newHandlers builds the handler types from the dependencies.
func newHandlers(cfg Config, d Deps) handlers {
	panels := map[string]links.Panel{}
	for _, p := range d.Panels {
		panels[p.Module()] = p
	}
	tok := tokens{key: cfg.JWTKey, issuer: "applinks", now: time.Now}
	logins := newLoginGuard(time.Now)
	h := handlers{
		health:   &healthAPI{store: d.Store},
		auth:     &staffAuth{store: d.Store, tokens: tok, ttl: cfg.StaffTokenTTL, logins: logins, logger: d.Logger},
		servers:  &serversAPI{store: d.Store, panels: panels, lifecycle: d.Lifecycle},
		clients:  &clientsAPI{store: d.Store},
		services: &servicesAPI{store: d.Store, lifecycle: d.Lifecycle},
		admins:   &adminsAPI{store: d.Store, passwordCost: cfg.PasswordCost},
		audit:    &auditAPI{audit: d.Store},
		apps:     &applicationsAPI{prov: d.Provisioning, httpPublic: strings.HasPrefix(strings.ToLower(cfg.PublicURL), "http://")},
		spa:      &spaHandler{spa: d.SPA},
	}
	if d.SSO != nil {
		// The portal's changes and the redemption's form are accepted only
		// from this origin; the session cookie is Secure behind https.
		cop := http.NewCrossOriginProtection()
		sessions := &portalSessions{tokens: tok}
		if u, err := url.Parse(cfg.PublicURL); err == nil && u.Scheme != "" && u.Host != "" {
			sessions.secure = u.Scheme == "https"
			if err := cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
				d.Logger.Warn("sso: public URL is not a valid origin", "err", err)
			}
		}
		h.sso = &ssoAPI{sso: d.SSO, sessions: sessions, cop: cop, logger: d.Logger}
		h.creds = &credentialsAPI{sso: d.SSO, logger: d.Logger}
		h.portal = &portalAPI{sso: d.SSO, store: d.Store, sessions: sessions, logins: logins, cop: cop, logger: d.Logger}
		h.limits = d.SSO.Limits()
	}
	if d.Handoff != nil {
		h.handoff = &handoffAPI{handoff: d.Handoff}
	}
	if d.Webhooks != nil {
		h.webhooks = &webhooksAPI{webhooks: d.Webhooks, logger: d.Logger}
	}
	return h
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
