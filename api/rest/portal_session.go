package rest

import (
	"context"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// The client area (portal) authenticates with the session cookie
// applinks_portal: an HttpOnly, SameSite=Lax cookie (Secure behind https)
// holding a JWT for the portal audience with the user (sub) and the current
// account (cid). Every request reloads the user's memberships, so a revoked
// permission, a removed user or a switched-off account takes effect at once.
//
// CSRF defence of every state-changing portal call (POST, PATCH, DELETE):
// the body must be JSON (Content-Type: application/json, which a cross-site
// HTML form cannot send and which makes a cross-site fetch need a CORS
// preflight we never grant), and the request must be same-origin by the
// browser's own word: Sec-Fetch-Site same-origin (or none), or an Origin
// equal to APPLINKS_PUBLIC_URL or to the request's host (Go's
// http.CrossOriginProtection). Requests with neither header are not from a
// browser and carry no ambient cookie risk.

// portalCookie is the name of the client-area session cookie.
const portalCookie = "applinks_portal"

// portalSessionTTL is how long a client-area session lasts.
const portalSessionTTL = 8 * time.Hour

// currentAccount returns the signed-in client-area account of a request.
func currentAccount(c echo.Context) sso.Account {
	a, _ := c.Request().Context().Value(portalKey).(sso.Account)
	return a
}

// portalSessions issues, reads and clears the client-area session cookie:
// the portal starts and ends sessions, the redemption starts them and peeks
// at the current one (the login-switch check).
type portalSessions struct {
	tokens tokens
	secure bool // the cookie's Secure flag: the public URL is https
}

// start sets the session cookie for a user on an account, at the
// user's session version.
func (ps *portalSessions) start(c echo.Context, a sso.Account) error {
	token, exp, err := ps.tokens.issue(strconv.FormatInt(a.User.ID, 10), AudiencePortal, portalSessionTTL,
		map[string]any{"cid": a.Current.ID, "sv": a.User.SessionVersion})
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: portalCookie, Value: token, Path: "/", Expires: exp, MaxAge: int(portalSessionTTL / time.Second),
		HttpOnly: true, Secure: ps.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// end clears the session cookie.
func (ps *portalSessions) end(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: portalCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, Secure: ps.secure, SameSite: http.SameSiteLaxMode})
}

// portalSession is what a valid session cookie says.
type portalSession struct {
	userID, clientID, version int64
}

// read reads and verifies the session cookie. A cookie that is
// present but invalid is cleared.
func (ps *portalSessions) read(c echo.Context) (portalSession, error) {
	sess, present, ok := ps.peek(c)
	switch {
	case !present:
		return portalSession{}, links.Errorf(links.EUNAUTHORIZED, "Sign in to the client area first.")
	case !ok:
		ps.end(c)
		return portalSession{}, links.Errorf(links.EUNAUTHORIZED, "Your session is invalid or has expired; sign in again.")
	}
	return sess, nil
}

// peek reads and verifies the session cookie's signature, audience
// and expiry, without the database and without touching the cookie:
// present tells whether there is one, ok whether it verified. Whether its
// session version is still current takes a database read (portalAPI.requirePortal).
func (ps *portalSessions) peek(c echo.Context) (sess portalSession, present, ok bool) {
	ck, err := c.Cookie(portalCookie)
	if err != nil || ck.Value == "" {
		return portalSession{}, false, false
	}
	claims, err := ps.tokens.verify(ck.Value, AudiencePortal)
	userID, idOK := subjectID(claims)
	cid, _ := claims["cid"].(float64)
	if err != nil || !idOK || cid < 1 {
		return portalSession{}, true, false
	}
	return portalSession{userID: userID, clientID: int64(cid), version: sessionVersion(claims)}, true, true
}

// portalCSRF refuses cross-site and non-JSON state-changing requests.
func (h *portalAPI) portalCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
		if err != nil || mt != echo.MIMEApplicationJSON {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Client-area changes must be sent as JSON with Content-Type: application/json.")
		}
		if err := h.cop.Check(r); err != nil {
			return links.Errorf(links.EFORBIDDEN, "Cross-origin request refused: the client area accepts changes only from its own pages.")
		}
		return next(c)
	}
}

// requirePortal authenticates the session cookie and loads the account.
// A session of an older session version (signed out since) is refused.
func (h *portalAPI) requirePortal(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := h.sessions.read(c)
		if err != nil {
			return err
		}
		a, err := h.sso.Account(c.Request().Context(), sess.userID, sess.clientID)
		if err != nil {
			if code := links.ErrorCode(err); code == links.EUNAUTHORIZED || code == links.EFORBIDDEN {
				h.sessions.end(c)
			}
			return err
		}
		if a.User.SessionVersion != sess.version {
			h.sessions.end(c)
			return links.Errorf(links.EUNAUTHORIZED, "Your session has ended (you signed out); sign in again.")
		}
		c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), portalKey, a)))
		withActor(c, links.Actor{Kind: links.ActorUser, ID: a.User.ID, Name: a.User.Email})
		return next(c)
	}
}

// requireOwner refuses users other than the current account's owner.
func requireOwner(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !currentAccount(c).Membership.Owner {
			return links.Errorf(links.EFORBIDDEN, "Only the account owner may do this.")
		}
		return next(c)
	}
}
