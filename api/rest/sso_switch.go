package rest

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// Login-CSRF defence of the redemption. Anyone can get a sign-in link for
// their own login (click their own cPanel link and stop before following
// it) and make a victim's browser open it; without this defence the victim
// would be silently switched into the attacker's client area and might
// then leave payment details or tickets there. So a redemption that would
// replace the signed-in session of another user asks first.
//
// Invariants:
//   - No session, or one that is no longer valid, or one of the same user
//     (on whatever account): the redemption goes straight through as
//     before. Telling these apart costs a JWT check of the cookie, no
//     database read, so the no-session path is as fast as before.
//   - A token for another user that would start a session (it exists, is
//     unused and unexpired and passes the rules) is held: nothing is
//     consumed and no event written, and the browser gets a confirmation
//     page. A token that is refused is refused as before (consumed and
//     audited); a refusal starts no session and so replaces none.
//   - The page holds the token only in a form field of an answer that is
//     not cached (Cache-Control: no-store), sent to no one else
//     (Referrer-Policy: no-referrer) and never framed (CSP frame-ancestors
//     'none'). The choice goes back by POST, so the token travels in a body
//     that no request log records.
//   - Continue is a plain redemption: atomic, single use, audited as the
//     redemption event. A replay after success is used_token.
//   - Stay consumes the token with a refused event (switch_declined): the
//     token cannot be used afterwards, not even from the browser history,
//     and the audit shows how its issue ended (and that someone was handed
//     a link for another login, which may be an attack).
//   - Both choices are accepted only from this origin's own page (the
//     browser says so in Sec-Fetch-Site or Origin); a cross-site form POST
//     could otherwise press Continue for the victim, which would void the
//     defence.

// switchState is what the confirmation page shows: who is signed in, and
// whom the token is for.
type switchState struct {
	current, next sso.Account
}

// switchHold returns the hold of a redemption, nil when the browser has no
// session cookie that verifies. The hold keeps back a token for a user other
// than the signed-in one while that session is still current (its session
// version unchanged, its account not closed), and loads both accounts into
// the state for the page. Its errors (a database outage) leave the token
// usable and are audited as the redemption's refusal.
func (h *ssoAPI) switchHold(c echo.Context) (sso.Hold, *switchState) {
	cur, _, ok := h.sessions.peek(c)
	if !ok {
		return nil, nil
	}
	st := &switchState{}
	ctx := c.Request().Context()
	return func(next sso.Session) (bool, error) {
		if next.UserID == cur.userID {
			return false, nil
		}
		a, live, err := h.sessionAccount(ctx, cur)
		if err != nil || !live {
			return false, err // an ended session: nothing to replace
		}
		st.current = a
		st.next, err = h.sso.Account(ctx, next.UserID, next.ClientID)
		return err == nil, err
	}, st
}

// sessionAccount loads the account of a verified client-area session; live
// is false when that session has ended since it was signed (the user signed
// out, the account was closed or the membership removed).
func (h *ssoAPI) sessionAccount(ctx context.Context, sess portalSession) (a sso.Account, live bool, err error) {
	a, err = h.sso.Account(ctx, sess.userID, sess.clientID)
	if code := links.ErrorCode(err); code == links.EUNAUTHORIZED || code == links.EFORBIDDEN {
		return sso.Account{}, false, nil
	} else if err != nil {
		return sso.Account{}, false, err
	}
	return a, a.User.SessionVersion == sess.version, nil
}

// switchPageCSP allows the page its inline style and its one form to this
// origin, and nothing else: no script, no framing (clickjacking of the
// Continue button).
const switchPageCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// switchPage is the confirmation page. html/template escapes the names,
// which customers choose. "Stay" comes first, so it is the form's default
// button (Enter).
var switchPage = template.Must(template.New("switch").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Switch to another login?</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2430}main{max-width:34rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}h1{font-size:1.4rem;margin-top:0}.who{background:#f4f5f7;padding:.75rem 1rem;border-radius:6px}form{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.5rem}button{font:inherit;padding:.6rem 1rem;border-radius:6px;border:1px solid #99a;background:#fff;cursor:pointer}button.stay{background:#1d4ed8;border-color:#1d4ed8;color:#fff}small{color:#556}</style>
</head><body><main>
<h1>Switch to another login?</h1>
<p class="who">You are signed in as <strong>{{.Current.Name}}</strong> ({{.Current.Email}}) on the account {{.CurrentAccount}}.</p>
<p class="who">This sign-in link is for <strong>{{.Next.Name}}</strong> ({{.Next.Email}}) on the account {{.NextAccount}}.</p>
<p>Continue as {{.Next.Name}}? If you did not just open a link from your own control panel, stay signed in: someone may have sent you a sign-in link for their login.</p>
<form method="post" action="/sso/redeem"><input type="hidden" name="access_token" value="{{.Token}}">
<button class="stay" type="submit" name="action" value="decline">Stay signed in as {{.Current.Name}}</button>
<button type="submit" name="action" value="continue">Continue as {{.Next.Name}}</button>
</form>
<p><small>The sign-in link works for one minute and only once.</small></p>
</main></body></html>
`))

// switchPageData fills the page.
type switchPageData struct {
	Current, Next               links.User
	CurrentAccount, NextAccount string
	Token                       string
}

// confirmSwitch answers the confirmation page of a held redemption.
func (h *ssoAPI) confirmSwitch(c echo.Context, token string, st *switchState) error {
	hd := c.Response().Header()
	hd.Set("Content-Security-Policy", switchPageCSP)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	var page bytes.Buffer
	if err := switchPage.Execute(&page, switchPageData{
		Current: st.current.User, CurrentAccount: st.current.Current.Name,
		Next: st.next.User, NextAccount: st.next.Current.Name, Token: token,
	}); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, page.Bytes())
}

// redeemConfirmed carries out the choice made on the confirmation page.
//
//	@Summary		Confirm or decline a login switch (the confirmation page's form)
//	@Description	The form of the page `GET /sso/redeem` answers when the browser is signed in to the client area as another user than the token's. `action=continue` redeems the token exactly like `GET /sso/redeem` without a session (atomic, single use, audited as the redemption) and answers 303 to the destination with the new session cookie, or to `/portal/login?error=<reason>&next=<destination>`. `action=decline` consumes the token with a refused redemption event (reason switch_declined), keeps the current session and answers 303 to `/portal`. CSRF: only a form POST (Content-Type: application/x-www-form-urlencoded) from this origin's own page is accepted: Sec-Fetch-Site same-origin, or Origin equal to the public URL or the request's host; a request with neither header, or a cross-site one, is refused with 403 and the token is not touched. Answers carry `Referrer-Policy: no-referrer` and `Cache-Control: no-store`. Rate limited per IP.
//	@Tags			sso
//	@Accept			x-www-form-urlencoded
//	@Produce		json
//	@Param			access_token	formData	string	true	"the one-time token"
//	@Param			action			formData	string	true	"continue or decline"	Enums(continue, decline)
//	@Success		303				"to the destination (continue) or to /portal (decline)"
//	@Failure		400				{object}	ErrorBody
//	@Failure		403				{object}	ErrorBody
//	@Failure		415				{object}	ErrorBody
//	@Failure		429				{object}	ErrorBody
//	@Router			/sso/redeem [post]
func (h *ssoAPI) redeemConfirmed(c echo.Context) error {
	r := c.Request()
	if err := h.sameOriginForm(r); err != nil {
		h.logger.Warn("sso: cross-site switch confirmation refused", "ip", c.RealIP(),
			"sec_fetch_site", r.Header.Get("Sec-Fetch-Site"), "origin", r.Header.Get("Origin"))
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); err != nil || mt != echo.MIMEApplicationForm {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Send the confirmation as the page's form (Content-Type: application/x-www-form-urlencoded).")
	}
	ctx, token, ip := r.Context(), r.PostFormValue("access_token"), c.RealIP()
	switch r.PostFormValue("action") {
	case "continue":
		sess, err := h.sso.Redeem(ctx, token, ip)
		return h.finishRedeem(c, http.StatusSeeOther, sess, err)
	case "decline":
		// An unusable token has nothing left to discard (a refusal); an
		// outage leaves it to expire within its minute. Either way the user
		// stays as is.
		var refusal *sso.Refusal
		if err := h.sso.Decline(ctx, token, ip); err != nil && !errors.As(err, &refusal) {
			h.logger.Warn("sso: could not discard a declined token", "err", err)
		}
		return c.Redirect(http.StatusSeeOther, sso.HomePath)
	}
	return links.FieldError("action", "Choose action=continue or action=decline.")
}

// sameOriginForm admits a form POST only on the browser's own word that it
// comes from a page of this origin: Sec-Fetch-Site same-origin, or (older
// browsers) an Origin equal to the public URL or the request's host
// (http.CrossOriginProtection). Unlike the portal's JSON calls, a request
// with neither header is refused too: this form signs a browser in, so only
// a browser has a reason to send it, and one always sends Origin with a
// POST.
func (h *ssoAPI) sameOriginForm(r *http.Request) error {
	if r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" {
		return links.Errorf(links.EFORBIDDEN, "Confirm the switch on the page this service showed you (the request did not say where it came from).")
	}
	if err := h.cop.Check(r); err != nil {
		return links.Errorf(links.EFORBIDDEN, "Cross-origin request refused: a login switch is confirmed only on this service's own page.")
	}
	return nil
}
