package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"
	echoSwagger "github.com/swaggo/echo-swagger"

	// The generated OpenAPI document, served at /api/docs.
	_ "github.com/applinks/applinks/docs"

	"github.com/applinks/applinks/api/links"
)

// routes lists every route of the service in one place.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/api/docs", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/api/docs/index.html") })
	e.GET("/api/docs/*", echoSwagger.WrapHandler, docsHeaders)

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", s.login, rateLimit(s.cfg.LoginPerMinute, 5, nil))

	staff := v1.Group("", s.requireStaff)
	staff.GET("/auth/me", s.me)
	staff.POST("/auth/logout", s.logout)

	servers := staff.Group("/servers", requirePerm(links.PermManageServers))
	servers.GET("", s.listServers)
	servers.POST("", s.createServer)
	servers.GET("/:id", s.getServer)
	servers.PATCH("/:id", s.updateServer)
	servers.DELETE("/:id", s.deleteServer)
	servers.POST("/:id/test", s.testServer)
	servers.POST("/:id/import", s.importServer)
	servers.GET("/:id/import", s.importProgress)
	servers.GET("/:id/sso-sources", s.serverSSOSources)

	clients := staff.Group("/clients", requirePerm(links.PermManageClients))
	clients.GET("", s.listClients)
	// A literal colon: Echo would read an unescaped ":batch" as a parameter.
	clients.PUT(`\:batch`, s.batchClients)
	clients.POST("", s.createClient)
	clients.GET("/:id", s.getClient)
	clients.PATCH("/:id", s.updateClient)
	clients.DELETE("/:id", s.deleteClient)
	clients.POST("/:id/owner", s.transferOwner)
	clients.GET("/:id/users", s.listClientUsers)
	clients.POST("/:id/users", s.addClientUser)
	clients.PATCH("/:id/users/:userId", s.updateClientUser)
	clients.DELETE("/:id/users/:userId", s.removeClientUser)

	services := staff.Group("/services", requirePerm(links.PermManageClients))
	services.GET("", s.listServices)
	services.PUT(`\:batch`, s.batchServices)
	services.POST("", s.createService)
	services.GET("/:id", s.getService)
	services.PATCH("/:id", s.updateService)
	services.DELETE("/:id", s.deleteService)

	admins := staff.Group("", requirePerm(links.PermManageAdmins))
	admins.GET("/admins", s.listAdmins)
	admins.POST("/admins", s.createAdmin)
	admins.PATCH("/admins/:id", s.updateAdmin)
	admins.GET("/roles", s.listRoles)
	admins.POST("/roles", s.createRole)
	admins.PATCH("/roles/:id", s.updateRole)
	admins.DELETE("/roles/:id", s.deleteRole)

	staff.GET("/audit", s.listAudit, requirePerm(links.PermViewAuditLog))

	s.provisioningRoutes(staff)
	s.ssoRoutes(e, v1, staff)
	s.handoffRoutes(staff)
	s.webhookRoutes(staff)

	// Anything else under /api is a JSON 404, never the SPA.
	e.Any("/api/*", notFound)
	e.Any("/api", notFound)
	s.spaRoutes()
}

func notFound(echo.Context) error { return echo.ErrNotFound }
