package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// fallback is the url cPanel sends the browser to when our autologin
// answer was a refusal (links.FallbackPageURL).
//
// It is a redirect to the client area's login page rather than a page of
// its own: that page already turns every refusal code into words
// (frontend sso-reasons.ts, for ?error=) and offers the sign-in that
// continues to ?next=, so the reasons are written once and the form is the
// one customers know, with its own CSRF defence and rate limit.
//
//	@Summary		The fallback url of a link (the browser lands here after a refused click)
//	@Description	cPanel sends the browser here when the autologin call (`POST /sso/cpanel/token`) was refused; every pushed link carries this url with its destination and the account's public subscriber id. Answers 302 to the client-area login `/portal/login?next=<route>` that continues to the destination's page after sign-in. When the subscriber's service had a refused click within the last 2 minutes, the login also explains the latest refusal: `/portal/login?error=<reason>&next=<route>` (sso_disabled, no_sso_permission, client_closed, service_inactive, forbidden_source, invalid_credentials, ...), and a page about one service continues to that service's page. Reveals nothing about other subscribers: an unknown or malformed subscriber id and one without a recent refusal get the same answer (a page about one service continues to the list of services; an unknown destination to the client area's home). Answers carry `Referrer-Policy: no-referrer` and `Cache-Control: no-store`. Rate limited per IP.
//	@Tags			sso
//	@Param			destination	query	string	false	"the link's catalogue key, or custom link key (which continues to the client area's home)"
//	@Param			sub			query	string	false	"the link's subscriber_unique_id"
//	@Success		302			"to the client-area login"
//	@Failure		429			{object}	ErrorBody
//	@Router			/sso/fallback [get]
func (h *ssoAPI) fallback(c echo.Context) error {
	q := c.QueryParams()
	return c.Redirect(http.StatusFound, h.sso.Fallback(c.Request().Context(), q.Get("destination"), q.Get("sub")))
}
