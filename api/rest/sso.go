package rest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// ssoFlows is what the click, the redemption, the trusted-application token
// and the staff SSO audit need from the sso package.
type ssoFlows interface {
	Click(ctx context.Context, req sso.ClickRequest) (string, error)
	RetryAfter() int
	Redeem(ctx context.Context, accessToken, ip string) (sso.Session, error)
	RedeemOrHold(ctx context.Context, accessToken, ip string, hold sso.Hold) (sso.Session, error)
	Decline(ctx context.Context, accessToken, ip string) error
	Account(ctx context.Context, userID, clientID int64) (sso.Account, error)
	Landing(ctx context.Context, sess sso.Session) (string, error)
	Fallback(ctx context.Context, destination, subscriberID string) string
	Continue(ctx context.Context, userID int64, key, sub, ip string) (string, error)
	AuthenticateApplication(ctx context.Context, identifier, secret, ip string) (links.APICredential, error)
	IssueForApplication(ctx context.Context, cred links.APICredential, req links.SSOTokenRequest, ip string) (links.SSOTokenAnswer, error)
	Events(ctx context.Context, f links.SSOEventFilter) ([]links.SSOEvent, int64, error)
}

// ssoAPI serves single sign-on: cPanel's click, the redemption (with its
// login-switch confirmation), the fallback page, trusted applications'
// tokens and the staff SSO audit.
type ssoAPI struct {
	sso      ssoFlows
	sessions *portalSessions
	cop      *http.CrossOriginProtection // the redemption form's same-origin check
	logger   *slog.Logger
}

// noStore keeps SSO and client-area answers out of caches and their URLs
// (which may carry a token) out of Referer headers.
var noStore = responseHeaders("Cache-Control", "no-store", "Referrer-Policy", "no-referrer")

// ClickAnswer is the autologin answer cPanel sends the browser on with.
type ClickAnswer struct {
	RedirectURL string `json:"redirect_url" example:"https://billing.example.com/sso/redeem?access_token=q1Zx..."`
}

// RetryAnswer asks cPanel to call again after Retry seconds.
type RetryAnswer struct {
	Retry   int `json:"retry" example:"2"`
	Attempt int `json:"attempt" example:"1"`
}

// refused marks an error of a single sign-on endpoint as a refusal, so the
// error handler adds its reason to the answer (sso.Reason: e.g.
// invalid_request for bad input). Unexpected errors and outages pass as
// they are.
func refused(err error) error {
	var r *sso.Refusal
	var le *links.Error
	if errors.As(err, &r) || !errors.As(err, &le) {
		return err
	}
	if status, ok := codeStatus[le.Code]; !ok || status >= 500 {
		return err
	}
	if reason := sso.Reason(err); reason != "" {
		return &sso.Refusal{Reason: reason, Err: le}
	}
	return err
}

// click is cPanel's autologin call when a customer clicks a link.
//
//	@Summary		cPanel autologin (the click)
//	@Description	Called by the cPanel or WP Squared server (not the browser) with a form body holding the link's `subscriber_unique_id` and `token` (verified in constant time) and `attempt`; `app` and `user` are ignored. The destination travels in the registered URL's query. On success the answer is `{"redirect_url": "<PUBLIC_URL>/sso/redeem?access_token=..."}` with a one-time token for the account owner (32 random bytes, stored hashed, valid at most 60 s). A refusal is a 4xx JSON error with a `reason` (invalid_credentials, invalid_destination, forbidden_source when the server has SSO source addresses and the caller's address is not on them, client_closed, sso_disabled, service_inactive): cPanel then sends the browser to the link's fallback url (the login page). When the database is briefly unavailable the answer is `{"retry": N, "attempt": A}` (A is the attempt being answered). Rate limited per calling server IP and per subscriber id (429 with Retry-After). Every issue and refusal is an SSO event.
//	@Tags			sso
//	@Accept			x-www-form-urlencoded
//	@Produce		json
//	@Param			destination				query		string	true	"catalogue key (e.g. invoice_history) or custom link key (custom_<slug>)"
//	@Param			subscriber_unique_id	formData	string	true	"the link's public subscriber id"
//	@Param			token					formData	string	true	"the link's secret token"
//	@Param			attempt					formData	int		false	"1 to 3"
//	@Success		200						{object}	ClickAnswer	"or RetryAnswer when the database is briefly unavailable"
//	@Failure		400						{object}	ErrorBody
//	@Failure		401						{object}	ErrorBody
//	@Failure		403						{object}	ErrorBody
//	@Failure		429						{object}	ErrorBody
//	@Router			/sso/cpanel/token [post]
func (h *ssoAPI) click(c echo.Context) error {
	r := c.Request()
	_ = r.ParseForm() // a malformed body leaves the fields empty: refused below
	attempt, err := strconv.Atoi(r.PostFormValue("attempt"))
	if err != nil || attempt < 1 || attempt > 3 {
		attempt = 1
	}
	redirect, err := h.sso.Click(r.Context(), sso.ClickRequest{
		Destination:  c.QueryParam("destination"),
		SubscriberID: r.PostFormValue("subscriber_unique_id"),
		Token:        r.PostFormValue("token"),
		IP:           c.RealIP(),
	})
	switch {
	case err == nil:
		return c.JSON(http.StatusOK, ClickAnswer{RedirectURL: redirect})
	case links.ErrorCode(err) == links.EUNAVAILABLE:
		h.logger.Warn("sso: click answered retry, database unavailable", "err", err, "attempt", attempt)
		return c.JSON(http.StatusOK, RetryAnswer{Retry: h.sso.RetryAfter(), Attempt: attempt})
	}
	return refused(err)
}

// redeem turns a one-time token into a client-area session.
//
//	@Summary		Redeem an SSO token (the browser lands here)
//	@Description	Consumes the token atomically (of concurrent redemptions exactly one wins), re-checks the rules (for a trusted application's token its credential not revoked since, account not Closed, single sign-on allowed, the user's sso permission and the permission of the destination's page (links.ClientAreaRules: e.g. invoices for invoice_history; the owner holds every permission), the service still qualifying for cPanel tokens), starts the client-area session (HttpOnly, SameSite=Lax cookie `applinks_portal`, Secure behind https, a JWT for the portal audience carrying the user and the current account) and redirects to the destination: its client-area page or, for a cPanel click on a link whose target is external, the URL rendered from the link's template, carrying `applinks_assertion=<JWT>` when the link hands off (docs/handoff.md). A token to a custom link (from a click, a trusted application or the fallback page's `/sso/continue`) lands where the link leads when it is redeemed: its client-area path (whose permission the user needs) or its external target; a custom link removed meanwhile lands on the client area's home. Any failure redirects to `/portal/login?error=<reason>&next=<destination>`; reasons: invalid_token, expired_token, used_token, credential_forbidden, client_closed, sso_disabled, no_sso_permission, no_destination_permission, service_inactive, user_not_on_client, unavailable. Login-CSRF defence: when the browser is signed in to the client area as another user (a valid, current session; the same user on any account goes straight through), a token that would start a session is not consumed; the answer is instead a confirmation page (200, text/html: "You are signed in as A. Continue as B?", both by name and e-mail) whose form posts the choice to `POST /sso/redeem`. Answers carry `Referrer-Policy: no-referrer` and `Cache-Control: no-store`. Rate limited per IP.
//	@Tags			sso
//	@Param			access_token	query	string	true	"the one-time token"
//	@Success		200				{string}	string	"the confirmation page, when another user is signed in"
//	@Success		302				"to the destination, with the session cookie"
//	@Failure		429				{object}	ErrorBody
//	@Router			/sso/redeem [get]
func (h *ssoAPI) redeem(c echo.Context) error {
	token := c.QueryParam("access_token")
	hold, st := h.switchHold(c)
	sess, err := h.sso.RedeemOrHold(c.Request().Context(), token, c.RealIP(), hold)
	if errors.Is(err, sso.ErrHeld) {
		return h.confirmSwitch(c, token, st)
	}
	return h.finishRedeem(c, http.StatusFound, sess, err)
}

// finishRedeem starts the session of a redemption and redirects (with
// status) to its destination, or to the login page with the reason.
func (h *ssoAPI) finishRedeem(c echo.Context, status int, sess sso.Session, err error) error {
	if err != nil {
		reason := sso.Reason(err)
		if reason == "" {
			h.logger.Error("sso: redemption failed", "err", err)
			reason = "error"
		}
		return c.Redirect(status, sso.LoginURL(reason, sess.Location))
	}
	a, err := h.sso.Account(c.Request().Context(), sess.UserID, sess.ClientID)
	if err == nil {
		err = h.sessions.start(c, a)
	}
	if err != nil {
		h.logger.Error("sso: could not start the session", "err", err)
		return c.Redirect(status, sso.LoginURL("error", sess.Location))
	}
	// The session is started whatever the link's target, so the customer
	// can come back to the client area. A target that cannot be resolved
	// now (an outage, a template the policy no longer admits) lands on
	// the client-area page instead of failing the sign-in.
	loc, err := h.sso.Landing(c.Request().Context(), sess)
	if err != nil {
		h.logger.Warn("sso: the link's external target could not be resolved; landing in the client area",
			"err", err, "destination", sess.Destination, "service_id", sess.ServiceID)
		loc = sess.Location
	}
	return c.Redirect(status, loc)
}

// requireCredential authenticates a trusted application with HTTP Basic
// (identifier:secret).
func (h *ssoAPI) requireCredential(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, secretText, ok := c.Request().BasicAuth()
		if !ok {
			c.Response().Header().Set("WWW-Authenticate", `Basic realm="applinks"`)
			return &sso.Refusal{Reason: links.SSOReasonBadCredentials, Err: links.Errorf(links.EUNAUTHORIZED, "Authenticate with HTTP Basic: the API credential's identifier and secret.")}
		}
		// A refusal is audited by sso; the error handler adds the Basic
		// challenge to its 401.
		cred, err := h.sso.AuthenticateApplication(c.Request().Context(), strings.TrimSpace(id), secretText, c.RealIP())
		if err != nil {
			return err
		}
		c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), credentialKey, cred)))
		withActor(c, links.Actor{Kind: links.ActorCredential, ID: cred.ID, Name: cred.Name})
		return next(c)
	}
}

// createToken is CreateSsoToken for trusted applications.
//
//	@Summary		Create an SSO token (trusted application)
//	@Description	Authenticated with HTTP Basic: an API credential's identifier and secret (constant-time check). Give `client_id` and/or `user_id` (default: the account owner; a user_id alone must be on exactly one account), a `destination` (a catalogue key such as invoice_history, a custom link key `custom_<slug>`, `home`, `services`, or `custom` with a relative `redirect_path` on this site: absolute URLs, `//host`, backslashes and control characters are refused), and `service_id` for service pages (upgrade, billing_info). A custom link key lands where the link leads: its client-area path, or its external target (rendered for `service_id`, which it then needs, with the signed hand-off when the link has it; docs/handoff.md); the link is that of the service's application, or, without `service_id`, of the one application that has the key. An unknown or removed custom link key is a 400 naming `destination`. Send the user to `redirect_url` within `expires_at` (at most 60 s); the token works once. Errors name the cause, with a `reason`: invalid_client ("Invalid client"), invalid_user, user_not_on_client, invalid_service, invalid_destination, sso_disabled ("SSO authentication blocked for client N"), client_closed, no_sso_permission, no_destination_permission (the user lacks the permission the destination's page needs, e.g. invoices for invoice_history: leave that link out for this user). Rate limited per IP and per credential.
//	@Tags			sso
//	@Accept			json
//	@Produce		json
//	@Security		BasicAuth
//	@Param			body	body		SSOTokenRequest	true	"Who and where"
//	@Success		201		{object}	SSOTokenAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		401		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		429		{object}	ErrorBody
//	@Router			/api/v1/sso/tokens [post]
func (h *ssoAPI) createToken(c echo.Context) error {
	cred, _ := c.Request().Context().Value(credentialKey).(links.APICredential)
	var body SSOTokenRequest
	if err := bindJSON(c, &body); err != nil {
		return refused(err)
	}
	tok, err := h.sso.IssueForApplication(c.Request().Context(), cred, body.domain(), c.RealIP())
	if err != nil {
		return refused(err)
	}
	return c.JSON(http.StatusCreated, SSOTokenAnswer(tok))
}

// eventFilter reads the filters of an SSO event list.
func eventFilter(c echo.Context) (links.SSOEventFilter, error) {
	p, err := page(c)
	if err != nil {
		return links.SSOEventFilter{}, err
	}
	f := links.SSOEventFilter{Outcome: c.QueryParam("outcome"), Source: c.QueryParam("source"), Page: p}
	if f.ClientID, err = queryInt(c, "client_id"); err != nil {
		return f, err
	}
	if f.UserID, err = queryInt(c, "user_id"); err != nil {
		return f, err
	}
	if err := oneOf("outcome", f.Outcome, links.SSOSuccess, links.SSORefused); err != nil {
		return f, err
	}
	return f, oneOf("source", f.Source, links.SSOSourceCPanel, links.SSOSourceAPI, links.SSOSourcePortal, links.SSOSourceUnknown)
}

// listEvents is the staff SSO audit.
//
//	@Summary		SSO events (audit)
//	@Description	Every token issue, redemption, panel session and refusal, newest first: who, which account and service, from which server or API credential, the destination, the outcome and reason, and the IP.
//	@Tags			sso
//	@Produce		json
//	@Security		BearerAuth
//	@Param			client_id	query		int		false	"only this account's"
//	@Param			user_id		query		int		false	"only this user's"
//	@Param			outcome		query		string	false	"success or refused"
//	@Param			source		query		string	false	"cpanel, api, portal or unknown (a redemption of a token this service did not issue)"
//	@Param			page		query		int		false	"page, from 1"
//	@Param			per_page	query		int		false	"page size, 1 to 200"
//	@Success		200			{object}	List[SSOEvent]
//	@Failure		400			{object}	ErrorBody
//	@Failure		403			{object}	ErrorBody
//	@Router			/api/v1/sso/events [get]
func (h *ssoAPI) listEvents(c echo.Context) error {
	f, err := eventFilter(c)
	if err != nil {
		return err
	}
	items, total, err := h.sso.Events(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toSSOEvents(items), total, f.Page))
}
