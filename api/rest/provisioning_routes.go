package rest

import "github.com/labstack/echo/v4"

// Provisioning is what the application-links endpoints need from the
// provisioning engine.
type Provisioning interface{}

// provisioningRoutes registers the application, link, status, log and
// operation endpoints on the authenticated staff group.
func (s *Server) provisioningRoutes(staff *echo.Group) {}
