package rest

import "github.com/labstack/echo/v4"

// SSO is what the single sign-on, trusted-application and client-area
// endpoints need from the sso package.
type SSO interface{}

// ssoRoutes registers the click and redemption endpoints (on root), the
// trusted-application and client-area endpoints (on v1, with their own
// authentication) and the staff SSO endpoints (on staff).
func (s *Server) ssoRoutes(root *echo.Echo, v1, staff *echo.Group) {}
