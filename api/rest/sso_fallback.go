package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/sso"
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
//	@Description	cPanel sends the browser here when the autologin call (`POST /sso/cpanel/token`) was refused; every pushed link carries this url with its destination and the account's public subscriber id. Answers 302 to the client-area login `/portal/login?next=<route>` that continues to the destination's page after sign-in. When the subscriber's service had a refused click within the last 2 minutes, the login also explains the latest refusal: `/portal/login?error=<reason>&next=<route>` (sso_disabled, no_sso_permission, client_closed, service_inactive, forbidden_source, invalid_credentials, ...), and a page about one service continues to that service's page. Reveals nothing about other subscribers: an unknown or malformed subscriber id and one without a recent refusal get the same answer (a page about one service continues to the list of services; an unknown destination to the client area's home). A custom link continues to where it leads: its own client-area path, or, for an external target, `/sso/continue?destination=<key>&sub=<subscriber id>`, which after the sign-in reaches the target through a redemption like a click's. Answers carry `Referrer-Policy: no-referrer` and `Cache-Control: no-store`. Rate limited per IP.
//	@Tags			sso
//	@Param			destination	query	string	false	"the link's catalogue key, or custom link key (which continues to the link's client-area path, or through /sso/continue to its external target)"
//	@Param			sub			query	string	false	"the link's subscriber_unique_id"
//	@Success		302			"to the client-area login"
//	@Failure		429			{object}	ErrorBody
//	@Router			/sso/fallback [get]
func (h *ssoAPI) fallback(c echo.Context) error {
	q := c.QueryParams()
	return c.Redirect(http.StatusFound, h.sso.Fallback(c.Request().Context(), q.Get("destination"), q.Get("sub")))
}

// continueLink is where the fallback page's sign-in continues to for a
// custom link with an external target (sso.ContinueURL).
//
//	@Summary		Continue to a custom link after signing in (browser)
//	@Description	The fallback page (`/sso/fallback`) of a custom link whose target is external sends the customer to the client-area login with `next=/sso/continue?destination=<key>&sub=<subscriber id>`. With a client-area session, this issues a one-time token to the link for the subscriber's service (the user must be on its account; the rules of a click apply to that user: account not Closed, single sign-on allowed, the sso permission, the service still active; an SSO event of source `portal`) and answers 303 to `/sso/redeem?access_token=...`, which lands on the link's target like a click (with the signed hand-off when the link has it). Without a valid session: 302 to the login that continues here. A refusal: 303 to `/portal/login?error=<reason>` (invalid_service for a subscriber not of the user's accounts, invalid_destination for an unknown or removed link, or the rule's reason). Rate limited per IP.
//	@Tags			sso
//	@Param			destination	query	string	true	"the custom link's key (custom_<slug>)"
//	@Param			sub			query	string	true	"the link's subscriber_unique_id"
//	@Success		303			"to the redemption"
//	@Failure		429			{object}	ErrorBody
//	@Router			/sso/continue [get]
func (h *ssoAPI) continueLink(c echo.Context) error {
	q := c.QueryParams()
	dest, sub := q.Get("destination"), q.Get("sub")
	ctx := c.Request().Context()
	sess, _, ok := h.sessions.peek(c)
	var a sso.Account
	var live bool
	var err error
	if ok {
		a, live, err = h.sessionAccount(ctx, sess)
	}
	if !live || err != nil {
		return c.Redirect(http.StatusFound, sso.LoginURL("", sso.ContinueURL(dest, sub)))
	}
	redirect, err := h.sso.Continue(ctx, a.User.ID, dest, sub, c.RealIP())
	if err != nil {
		reason := sso.Reason(err)
		if reason == "" {
			h.logger.Error("sso: continuation failed", "err", err)
			reason = "error"
		}
		return c.Redirect(http.StatusSeeOther, sso.LoginURL(reason, ""))
	}
	return c.Redirect(http.StatusSeeOther, redirect)
}
