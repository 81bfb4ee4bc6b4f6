package rest

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	echoSwagger "github.com/swaggo/echo-swagger"

	// The generated OpenAPI document, served at /api/docs.
	_ "github.com/applinks/applinks/docs"

	"github.com/applinks/applinks/api/links"
)

// routes lists every route of the service, with its middleware and the
// staff permission it needs, in one table: find an endpoint here, then its
// handler in the file of its resource (docs/architecture.md). A route that
// a missing collaborator cannot serve is not registered (its path answers
// the JSON 404), except the provisioning routes, which answer 503.
//
// It is long on purpose: one line a route reads better than a split.
func (s *Server) routes(cfg Config, h handlers) {
	e := s.echo
	e.GET("/healthz", h.health.healthz)
	e.GET("/readyz", h.health.readyz)
	e.GET("/api/docs", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/api/docs/index.html") })
	e.GET("/api/docs/*", echoSwagger.WrapHandler, docsHeaders)

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", h.auth.login, rateLimit(cfg.LoginPerMinute, 5, nil))

	// Staff: a bearer token from /auth/login, then the group's permission.
	staff := v1.Group("", h.auth.requireStaff)
	staff.GET("/auth/me", h.auth.me)
	staff.POST("/auth/logout", h.auth.logout)

	servers := staff.Group("/servers", requirePerm(links.PermManageServers))
	servers.GET("", h.servers.listServers)
	servers.POST("", h.servers.createServer)
	servers.GET("/:id", h.servers.getServer)
	servers.PATCH("/:id", h.servers.updateServer)
	servers.DELETE("/:id", h.servers.deleteServer)
	servers.POST("/:id/test", h.servers.testServer)
	servers.POST("/:id/import", h.servers.importServer)
	servers.GET("/:id/import", h.servers.importProgress)
	servers.GET("/:id/sso-sources", h.servers.serverSSOSources)

	clients := staff.Group("/clients", requirePerm(links.PermManageClients))
	clients.GET("", h.clients.listClients)
	// A literal colon: Echo would read an unescaped ":batch" as a parameter.
	clients.PUT(`\:batch`, h.clients.batchClients)
	clients.POST("", h.clients.createClient)
	clients.GET("/:id", h.clients.getClient)
	clients.PATCH("/:id", h.clients.updateClient)
	clients.DELETE("/:id", h.clients.deleteClient)
	clients.POST("/:id/owner", h.clients.transferOwner)
	clients.GET("/:id/users", h.clients.listClientUsers)
	clients.POST("/:id/users", h.clients.addClientUser)
	clients.PATCH("/:id/users/:userId", h.clients.updateClientUser)
	clients.DELETE("/:id/users/:userId", h.clients.removeClientUser)

	services := staff.Group("/services", requirePerm(links.PermManageClients))
	services.GET("", h.services.listServices)
	services.PUT(`\:batch`, h.services.batchServices)
	services.POST("", h.services.createService)
	services.GET("/:id", h.services.getService)
	services.PATCH("/:id", h.services.updateService)
	services.DELETE("/:id", h.services.deleteService)

	admins := staff.Group("", requirePerm(links.PermManageAdmins))
	admins.GET("/admins", h.admins.listAdmins)
	admins.POST("/admins", h.admins.createAdmin)
	admins.PATCH("/admins/:id", h.admins.updateAdmin)
	admins.GET("/roles", h.admins.listRoles)
	admins.POST("/roles", h.admins.createRole)
	admins.PATCH("/roles/:id", h.admins.updateRole)
	admins.DELETE("/roles/:id", h.admins.deleteRole)

	staff.GET("/audit", h.audit.listAudit, requirePerm(links.PermViewAuditLog))

	// Application links. Per-route middleware rather than a group: a group
	// with an empty prefix would also catch unknown paths under /api/v1.
	apps := []echo.MiddlewareFunc{requirePerm(links.PermConfigureApplicationLinks), h.apps.requireProvisioning}
	staff.GET("/applications", h.apps.listApplications, apps...)
	staff.GET("/applications/:module", h.apps.getApplication, apps...)
	staff.POST("/applications/:module/enable", h.apps.enableApplication, apps...)
	staff.POST("/applications/:module/disable", h.apps.disableApplication, apps...)
	staff.GET("/applications/:module/links", h.apps.getLinks, apps...)
	staff.PUT("/applications/:module/links", h.apps.putLinks, apps...)
	staff.GET("/applications/:module/status", h.apps.getStatus, apps...)
	staff.GET("/applications/:module/log", h.apps.getLog, apps...)
	staff.GET("/applications/:module/log.csv", h.apps.getLogCSV, apps...)
	staff.POST("/applications/:module/sync", h.apps.syncApplication, apps...)
	staff.POST("/applications/:module/retry-failed", h.apps.retryFailed, apps...)
	staff.POST("/applications/:module/verify", h.apps.verifyApplication, apps...)
	staff.POST("/applications/:module/rotate-link-secrets", h.apps.rotateLinkSecrets, apps...)
	staff.POST("/services/:id/rotate-link-secret", h.apps.rotateLinkSecret, apps...)
	staff.POST("/servers/:id/sync", h.apps.syncServer, apps...)
	staff.POST("/services/:id/sync", h.apps.syncService, apps...)
	staff.GET("/operations", h.apps.listOperations, apps...)
	staff.GET("/operations/:id", h.apps.getOperation, apps...)

	if h.sso != nil {
		lim := h.limits
		// cPanel's click and the browser's redemption, on the root.
		clicks := e.Group("/sso", noStore)
		clicks.POST("/cpanel/token", h.sso.click, middleware.BodyLimit("64K"),
			rateLimit(lim.ClickPerIP, lim.Burst, nil),
			rateLimit(lim.ClickPerCredential, lim.PerCredentialBurst, func(c echo.Context) string {
				return "sub:" + c.Request().PostFormValue("subscriber_unique_id")
			}))
		clicks.GET("/redeem", h.sso.redeem, rateLimit(lim.RedeemPerIP, lim.Burst, nil))
		clicks.POST("/redeem", h.sso.redeemConfirmed, middleware.BodyLimit("4K"), rateLimit(lim.RedeemPerIP, lim.Burst, nil))
		// The fallback page tells a refusal's reason to whoever holds the
		// subscriber id: limited per IP like the redemption.
		clicks.GET("/fallback", h.sso.fallback, rateLimit(lim.RedeemPerIP, lim.Burst, nil))
		clicks.GET("/continue", h.sso.continueLink, rateLimit(lim.RedeemPerIP, lim.Burst, nil))

		// Trusted applications: HTTP Basic with an API credential.
		v1.POST("/sso/tokens", h.sso.createToken, rateLimit(lim.TokenAPIPerIP, lim.Burst, nil),
			rateLimit(lim.TokenAPIPerCred, lim.Burst, func(c echo.Context) string {
				id, _, _ := c.Request().BasicAuth()
				return "cred:" + id
			}), h.sso.requireCredential)
		staff.GET("/sso/events", h.sso.listEvents, requirePerm(links.PermViewSSOEvents))

		creds := staff.Group("/api-credentials", requirePerm(links.PermManageAPICredentials))
		creds.GET("", h.creds.listCredentials)
		creds.POST("", h.creds.createCredential)
		creds.DELETE("/:id", h.creds.revokeCredential)

		// The client area: the session cookie, JSON and same-origin for
		// changes (portalCSRF). Who may open what: links.ClientAreaRules.
		portal := v1.Group("/portal", noStore, h.portal.portalCSRF)
		portal.POST("/login", h.portal.portalLogin, rateLimit(lim.PortalLoginPerIP, 5, nil))
		portal.POST("/logout", h.portal.portalLogout)
		in := portal.Group("", h.portal.requirePortal)
		in.GET("/me", h.portal.portalMe)
		in.POST("/switch", h.portal.portalSwitch)
		// "Log in to cPanel" is checked (and audited) by the sso rules,
		// which need services too.
		svcPerm := requirePermission(links.UserPermServices)
		in.GET("/services", h.portal.portalServices, svcPerm)
		in.GET("/services/:id", h.portal.portalService, svcPerm)
		in.POST("/services/:id/sso", h.portal.portalPanelSession, rateLimit(lim.PanelSessionPerUser, 5, func(c echo.Context) string {
			return "user:" + strconv.FormatInt(currentAccount(c).User.ID, 10)
		}))
		in.GET("/profile", h.portal.portalProfile)
		// An e-mail change checks the password: limited like a sign-in, per
		// IP and per user (a user probing addresses meets it too).
		in.PATCH("/profile", h.portal.portalUpdateProfile, rateLimit(lim.PortalLoginPerIP, 5, nil),
			rateLimit(lim.PortalLoginPerIP, 5, func(c echo.Context) string {
				return "profile:user:" + strconv.FormatInt(currentAccount(c).User.ID, 10)
			}))
		in.GET("/security", h.portal.portalSecurity, requireOwner)
		in.PATCH("/security", h.portal.portalUpdateSecurity, requireOwner)
		in.GET("/users", h.portal.portalUsers, requireOwner)
		in.PATCH("/users/:id", h.portal.portalUpdateUser, requireOwner)
		in.GET("/network-status", h.portal.portalNetworkStatus)
		in.GET("/sso-events", h.portal.portalEvents)
		in.GET("/activity", h.portal.portalAudit, requireOwner)
	}

	if h.handoff != nil {
		e.GET("/.well-known/jwks.json", h.handoff.jwks)
		staff.POST("/signing-keys/rotate", h.handoff.rotateSigningKey, requirePerm(links.PermConfigureApplicationLinks))
	}

	if h.webhooks != nil {
		hooks := staff.Group("/webhooks", requirePerm(links.PermManageWebhooks))
		hooks.GET("", h.webhooks.listWebhooks)
		hooks.POST("", h.webhooks.createWebhook)
		hooks.GET("/:id", h.webhooks.getWebhook)
		hooks.PATCH("/:id", h.webhooks.updateWebhook)
		hooks.DELETE("/:id", h.webhooks.deleteWebhook)
		hooks.POST("/:id/test", h.webhooks.testWebhook)
		hooks.GET("/:id/deliveries", h.webhooks.listWebhookDeliveries)
		hooks.POST("/:id/deliveries/:deliveryId/redeliver", h.webhooks.redeliverWebhook)
	}

	// Anything else under /api is a JSON 404, never the SPA.
	e.Any("/api/*", notFound)
	e.Any("/api", notFound)
	e.GET("/*", h.spa.serveSPA)
	e.HEAD("/*", h.spa.serveSPA)
}

func notFound(echo.Context) error { return echo.ErrNotFound }
