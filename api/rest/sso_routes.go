package rest

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// SSO is what the single sign-on, trusted-application and client-area
// endpoints need from the sso package.
type SSO interface {
	Click(ctx context.Context, req sso.ClickRequest) (string, error)
	Redeem(ctx context.Context, accessToken, ip string) (sso.Session, error)
	RedeemOrHold(ctx context.Context, accessToken, ip string, hold sso.Hold) (sso.Session, error)
	Decline(ctx context.Context, accessToken, ip string) error
	Fallback(ctx context.Context, destination, subscriberID string) string
	Continue(ctx context.Context, userID int64, key, sub, ip string) (string, error)
	Landing(ctx context.Context, sess sso.Session) (string, error)
	Authenticate(ctx context.Context, identifier, secret string) (links.APICredential, error)
	IssueForApplication(ctx context.Context, cred links.APICredential, req links.SSOTokenRequest, ip string) (links.SSOTokenAnswer, error)
	CreateCredential(ctx context.Context, name string, perms []string, createdBy int64) (links.NewAPICredential, error)
	Credentials(ctx context.Context) ([]links.APICredential, error)
	RevokeCredential(ctx context.Context, id int64) error
	Events(ctx context.Context, f links.SSOEventFilter) ([]links.SSOEvent, int64, error)
	Record(ctx context.Context, e links.SSOEvent)

	Login(ctx context.Context, email, password string) (links.User, error)
	Account(ctx context.Context, userID, clientID int64) (sso.Account, error)
	EndSessions(ctx context.Context, userID int64) error
	UpdateProfile(ctx context.Context, userID int64, ch sso.ProfileChange) (string, error)
	AuthorizePanelSession(ctx context.Context, a sso.Account, serviceID int64, ip string) (links.Service, error)

	Limits() sso.Limits
	RetryAfter() int
}

var _ SSO = (*sso.Service)(nil)

// portalCookie is the name of the client-area session cookie.
const portalCookie = "applinks_portal"

// portalSessionTTL is how long a client-area session lasts.
const portalSessionTTL = 8 * time.Hour

// ssoAPI holds the SSO and client-area handlers with what they share: the
// cookie's Secure flag and the cross-origin check of the portal.
type ssoAPI struct {
	*Server
	secure bool
	cop    *http.CrossOriginProtection
}

// ssoRoutes registers the click and redemption endpoints (on root), the
// trusted-application and client-area endpoints (on v1, with their own
// authentication) and the staff SSO endpoints (on staff). Without an SSO
// service none are served.
func (s *Server) ssoRoutes(root *echo.Echo, v1, staff *echo.Group) {
	if s.sso == nil {
		return
	}
	h := &ssoAPI{Server: s, cop: http.NewCrossOriginProtection()}
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Scheme != "" && u.Host != "" {
		h.secure = u.Scheme == "https"
		if err := h.cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			s.logger.Warn("sso: public URL is not a valid origin", "err", err)
		}
	}
	lim := s.sso.Limits()
	perIP := func(n float64, burst int) echo.MiddlewareFunc { return rateLimit(n, burst, nil) }
	byKey := func(n float64, burst int, key func(echo.Context) string) echo.MiddlewareFunc {
		return rateLimit(n, burst, key)
	}

	clicks := root.Group("/sso", noStore)
	clicks.POST("/cpanel/token", h.click, middleware.BodyLimit("64K"),
		perIP(lim.ClickPerIP, lim.Burst),
		byKey(lim.ClickPerCredential, lim.PerCredentialBurst, func(c echo.Context) string {
			return "sub:" + c.Request().PostFormValue("subscriber_unique_id")
		}))
	clicks.GET("/redeem", h.redeem, perIP(lim.RedeemPerIP, lim.Burst))
	clicks.POST("/redeem", h.redeemConfirmed, middleware.BodyLimit("4K"), perIP(lim.RedeemPerIP, lim.Burst))
	// The fallback page tells a refusal's reason to whoever holds the
	// subscriber id: limited per IP like the redemption.
	clicks.GET("/fallback", h.fallback, perIP(lim.RedeemPerIP, lim.Burst))
	clicks.GET("/continue", h.continueLink, perIP(lim.RedeemPerIP, lim.Burst))

	v1.POST("/sso/tokens", h.createToken, perIP(lim.TokenAPIPerIP, lim.Burst),
		byKey(lim.TokenAPIPerCred, lim.Burst, func(c echo.Context) string {
			id, _, _ := c.Request().BasicAuth()
			return "cred:" + id
		}), h.requireCredential)
	staff.GET("/sso/events", h.listEvents, requirePerm(links.PermViewSSOEvents))

	creds := staff.Group("/api-credentials", requirePerm(links.PermManageAPICredentials))
	creds.GET("", h.listCredentials)
	creds.POST("", h.createCredential)
	creds.DELETE("/:id", h.revokeCredential)

	portal := v1.Group("/portal", noStore, h.portalCSRF)
	portal.POST("/login", h.portalLogin, perIP(lim.PortalLoginPerIP, 5))
	portal.POST("/logout", h.portalLogout)
	in := portal.Group("", h.requirePortal)
	in.GET("/me", h.portalMe)
	in.POST("/switch", h.portalSwitch)
	// Who may open what: links.ClientAreaRules. "Log in to cPanel" is
	// checked (and audited) by the sso rules, which need services too.
	services := h.requirePermission(links.UserPermServices)
	in.GET("/services", h.portalServices, services)
	in.GET("/services/:id", h.portalService, services)
	in.POST("/services/:id/sso", h.portalPanelSession, byKey(lim.PanelSessionPerUser, 5, func(c echo.Context) string {
		return "user:" + strconv.FormatInt(currentAccount(c).User.ID, 10)
	}))
	in.GET("/profile", h.portalProfile)
	// An e-mail change checks the password: limited like a sign-in, per IP
	// and per user (a user probing addresses meets it too).
	in.PATCH("/profile", h.portalUpdateProfile, perIP(lim.PortalLoginPerIP, 5), byKey(lim.PortalLoginPerIP, 5, func(c echo.Context) string {
		return "profile:user:" + strconv.FormatInt(currentAccount(c).User.ID, 10)
	}))
	in.GET("/security", h.portalSecurity, h.requireOwner)
	in.PATCH("/security", h.portalUpdateSecurity, h.requireOwner)
	in.GET("/users", h.portalUsers, h.requireOwner)
	in.PATCH("/users/:id", h.portalUpdateUser, h.requireOwner)
	in.GET("/network-status", h.portalNetworkStatus)
	in.GET("/sso-events", h.portalEvents)
	in.GET("/activity", h.portalAudit, h.requireOwner)
}

// noStore keeps SSO and client-area answers out of caches and their URLs
// (which may carry a token) out of Referer headers.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		return next(c)
	}
}
