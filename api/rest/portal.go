package rest

import (
	"context"
	"mime"
	"net/http"
	"slices"
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

type portalKeyType int

const portalKey portalKeyType = 0

// currentAccount returns the signed-in client-area account of a request.
func currentAccount(c echo.Context) sso.Account {
	a, _ := c.Request().Context().Value(portalKey).(sso.Account)
	return a
}

// portalCSRF refuses cross-site and non-JSON state-changing requests.
func (h *ssoAPI) portalCSRF(next echo.HandlerFunc) echo.HandlerFunc {
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

// startSession sets the session cookie for a user on an account, at the
// user's session version.
func (h *ssoAPI) startSession(c echo.Context, a sso.Account) error {
	token, exp, err := h.tokens.issue(strconv.FormatInt(a.User.ID, 10), AudiencePortal, portalSessionTTL,
		map[string]any{"cid": a.Current.ID, "sv": a.User.SessionVersion})
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: portalCookie, Value: token, Path: "/", Expires: exp, MaxAge: int(portalSessionTTL / time.Second),
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (h *ssoAPI) endSession(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: portalCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

// portalSession is what a valid session cookie says.
type portalSession struct {
	userID, clientID, version int64
}

// sessionCookie reads and verifies the session cookie. A cookie that is
// present but invalid is cleared.
func (h *ssoAPI) sessionCookie(c echo.Context) (portalSession, error) {
	sess, present, ok := h.peekSession(c)
	switch {
	case !present:
		return portalSession{}, links.Errorf(links.EUNAUTHORIZED, "Sign in to the client area first.")
	case !ok:
		h.endSession(c)
		return portalSession{}, links.Errorf(links.EUNAUTHORIZED, "Your session is invalid or has expired; sign in again.")
	}
	return sess, nil
}

// requirePortal authenticates the session cookie and loads the account.
// A session of an older session version (signed out since) is refused.
func (h *ssoAPI) requirePortal(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := h.sessionCookie(c)
		if err != nil {
			return err
		}
		a, err := h.sso.Account(c.Request().Context(), sess.userID, sess.clientID)
		if err != nil {
			if code := links.ErrorCode(err); code == links.EUNAUTHORIZED || code == links.EFORBIDDEN {
				h.endSession(c)
			}
			return err
		}
		if a.User.SessionVersion != sess.version {
			h.endSession(c)
			return links.Errorf(links.EUNAUTHORIZED, "Your session has ended (you signed out); sign in again.")
		}
		c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), portalKey, a)))
		withActor(c, links.Actor{Kind: links.ActorUser, ID: a.User.ID, Name: a.User.Email})
		return next(c)
	}
}

// requireOwner refuses users other than the current account's owner.
func (h *ssoAPI) requireOwner(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !currentAccount(c).Membership.Owner {
			return links.Errorf(links.EFORBIDDEN, "Only the account owner may do this.")
		}
		return next(c)
	}
}

// PortalAccount is one account a client-area user belongs to.
type PortalAccount struct {
	ID          int64    `json:"id" example:"1"`
	Name        string   `json:"name" example:"Acme Ltd"`
	Status      string   `json:"status" example:"Active"`
	AllowSSO    bool     `json:"allow_sso" example:"true"`
	Owner       bool     `json:"owner" example:"true"`
	Permissions []string `json:"permissions" example:"sso"`
}

// PortalMe is the signed-in client-area user.
type PortalMe struct {
	User     links.User      `json:"user"`
	Accounts []PortalAccount `json:"accounts"`
	// Current is the account the session works on; Permissions and Owner
	// are the user's on it.
	Current     PortalAccount `json:"current_account"`
	Permissions []string      `json:"permissions" example:"sso"`
	Owner       bool          `json:"owner" example:"true"`
	// Pages says, for each part of the client area, whether the user may
	// open it on the current account (links.ClientAreaRules).
	Pages []PortalPageAccess `json:"pages"`
}

func portalAccount(c links.Client, m links.Membership) PortalAccount {
	perms := m.Permissions
	if perms == nil {
		perms = []string{}
	}
	return PortalAccount{ID: c.ID, Name: c.Name, Status: c.Status, AllowSSO: c.AllowSSO, Owner: m.Owner, Permissions: perms}
}

func portalMe(a sso.Account) PortalMe {
	me := PortalMe{User: a.User, Accounts: make([]PortalAccount, len(a.Clients)), Current: portalAccount(a.Current, a.Membership)}
	for i, c := range a.Clients {
		me.Accounts[i] = portalAccount(c, a.Memberships[i])
	}
	me.Permissions, me.Owner = me.Current.Permissions, me.Current.Owner
	me.Pages = portalPages(a.Membership)
	return me
}

// PortalLoginRequest signs a client-area user in.
type PortalLoginRequest struct {
	Email    string `json:"email" example:"jane@acme.test"`
	Password string `json:"password" example:"correct horse battery"`
	// ClientID picks the current account; default the user's first.
	ClientID int64 `json:"client_id" example:"0"`
}

// portalLogin signs a client-area user in.
//
//	@Summary		Client-area sign-in
//	@Description	Checks e-mail and password and starts the session: sets the HttpOnly, SameSite=Lax cookie `applinks_portal` (Secure behind https). Failures are generic (no account enumeration) and rate limited per IP, and per account: after 5 failures in a row each attempt waits a doubling delay (1 s up to 15 min), reset by a success (429 with Retry-After). A Closed account cannot be signed in to (403, saying so). CSRF: like every state-changing portal call, the body must be JSON (Content-Type: application/json) and the request same-origin (Sec-Fetch-Site same-origin, or Origin equal to the public URL or the request's host).
//	@Tags			portal
//	@Accept			json
//	@Produce		json
//	@Param			body	body		PortalLoginRequest	true	"Credentials"
//	@Success		200		{object}	PortalMe
//	@Failure		400		{object}	ErrorBody
//	@Failure		401		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Failure		415		{object}	ErrorBody
//	@Failure		429		{object}	ErrorBody
//	@Router			/api/v1/portal/login [post]
func (h *ssoAPI) portalLogin(c echo.Context) error {
	var req PortalLoginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var u links.User
	err := h.logins.guardLogin(loginKey("portal", req.Email), func() (err error) {
		u, err = h.sso.Login(ctx, req.Email, req.Password)
		return err
	})
	if err != nil {
		if links.ErrorCode(err) == links.EUNAUTHORIZED {
			h.logger.Info("portal login refused", "ip", c.RealIP())
		}
		return err
	}
	a, err := h.sso.Account(ctx, u.ID, req.ClientID)
	if err != nil {
		if err == sso.ErrNoSession {
			return links.FieldError("client_id", "You are not on client %d.", req.ClientID)
		}
		return err
	}
	if err := h.startSession(c, a); err != nil {
		return err
	}
	h.logger.Info("portal login", "user_id", u.ID, "ip", c.RealIP())
	return c.JSON(http.StatusOK, portalMe(a))
}

// portalLogout ends the client-area session.
//
//	@Summary		Client-area sign-out
//	@Description	Clears the session cookie and ends every client-area session of the user, on every device. CSRF: JSON content type and same-origin required (send `{}`).
//	@Tags			portal
//	@Accept			json
//	@Success		204
//	@Failure		403	{object}	ErrorBody
//	@Failure		415	{object}	ErrorBody
//	@Router			/api/v1/portal/logout [post]
func (h *ssoAPI) portalLogout(c echo.Context) error {
	if sess, err := h.sessionCookie(c); err == nil {
		if err := h.sso.EndSessions(c.Request().Context(), sess.userID); err != nil && links.ErrorCode(err) != links.ENOTFOUND {
			return err
		}
	}
	h.endSession(c)
	return c.NoContent(http.StatusNoContent)
}

// portalMe returns the signed-in user, the accounts and the current one.
//
//	@Summary		The signed-in client-area user
//	@Description	The user, every account the user is on, the current account and the user's permissions on it. Session cookie `applinks_portal` required.
//	@Tags			portal
//	@Produce		json
//	@Success		200	{object}	PortalMe
//	@Failure		401	{object}	ErrorBody
//	@Router			/api/v1/portal/me [get]
func (h *ssoAPI) portalMe(c echo.Context) error {
	return c.JSON(http.StatusOK, portalMe(currentAccount(c)))
}

// PortalSwitchRequest changes the current account.
type PortalSwitchRequest struct {
	ClientID int64 `json:"client_id" example:"2"`
}

// portalSwitch changes the current account.
//
//	@Summary		Switch account
//	@Description	Makes another of the user's accounts the current one (renews the session cookie). CSRF: JSON and same-origin.
//	@Tags			portal
//	@Accept			json
//	@Produce		json
//	@Param			body	body		PortalSwitchRequest	true	"The account"
//	@Success		200		{object}	PortalMe
//	@Failure		400		{object}	ErrorBody
//	@Failure		401		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Router			/api/v1/portal/switch [post]
func (h *ssoAPI) portalSwitch(c echo.Context) error {
	var req PortalSwitchRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.ClientID <= 0 {
		return links.FieldError("client_id", "Give the client_id of one of your accounts.")
	}
	cur := currentAccount(c)
	a, err := h.sso.Account(c.Request().Context(), cur.User.ID, req.ClientID)
	if err == sso.ErrNoSession {
		return links.Errorf(links.EFORBIDDEN, "You are not on client %d.", req.ClientID)
	} else if err != nil {
		return err
	}
	if err := h.startSession(c, a); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, portalMe(a))
}

// PortalService is a hosting account as the client area shows it, with
// whether "Log in to cPanel" is allowed and why not.
type PortalService struct {
	links.Service
	ServerName string `json:"server_name" example:"cp1"`
	// PanelLogin tells whether "Log in to cPanel" is offered.
	PanelLogin bool `json:"panel_login" example:"true"`
	// PanelLoginReason is the refusal code when it is not (sso_disabled,
	// client_closed, no_sso_permission, no_destination_permission,
	// service_inactive).
	PanelLoginReason string `json:"panel_login_reason,omitempty" example:""`
	// PanelLoginMessage says why in words.
	PanelLoginMessage string `json:"panel_login_message,omitempty" example:""`
}

// portalServers loads the servers of some services once each.
func (h *ssoAPI) portalServers(ctx context.Context, svcs []links.Service) (map[int64]links.Server, error) {
	out := map[int64]links.Server{}
	for _, svc := range svcs {
		if _, ok := out[svc.ServerID]; ok {
			continue
		}
		srv, err := h.store.Server(ctx, svc.ServerID)
		if err != nil {
			return nil, err
		}
		out[svc.ServerID] = srv
	}
	return out, nil
}

func portalService(a sso.Account, svc links.Service, srv links.Server) PortalService {
	ok, reason, msg := sso.PanelSSOAllowed(a.Current, a.Membership, svc, srv.Active)
	return PortalService{Service: svc, ServerName: srv.Name, PanelLogin: ok, PanelLoginReason: reason, PanelLoginMessage: msg}
}

// portalServices lists the current account's services.
//
//	@Summary		The account's services
//	@Description	The current account's hosting accounts, each with panel_login (whether "Log in to cPanel" is allowed) and, when not, the reason. Needs the services permission on the account (403 otherwise; the owner holds every permission).
//	@Tags			portal
//	@Produce		json
//	@Param			page		query		int	false	"page, from 1"
//	@Param			per_page	query		int	false	"page size, 1 to 200"
//	@Success		200			{object}	List[PortalService]
//	@Failure		401			{object}	ErrorBody
//	@Failure		403			{object}	ErrorBody
//	@Router			/api/v1/portal/services [get]
func (h *ssoAPI) portalServices(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	a := currentAccount(c)
	ctx := c.Request().Context()
	svcs, total, err := h.store.ListServices(ctx, links.ServiceFilter{ClientID: a.Current.ID, Page: p})
	if err != nil {
		return err
	}
	servers, err := h.portalServers(ctx, svcs)
	if err != nil {
		return err
	}
	out := make([]PortalService, len(svcs))
	for i, svc := range svcs {
		out[i] = portalService(a, svc, servers[svc.ServerID])
	}
	return c.JSON(http.StatusOK, listOf(out, total, p))
}

// accountService returns a service of the current account; others are not
// found, whether they exist or not.
func (h *ssoAPI) accountService(c echo.Context) (links.Service, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return links.Service{}, err
	}
	svc, err := h.store.Service(c.Request().Context(), id)
	if links.ErrorCode(err) == links.ENOTFOUND || (err == nil && svc.ClientID != currentAccount(c).Current.ID) {
		return links.Service{}, links.Errorf(links.ENOTFOUND, "Service %d is not on your account.", id)
	}
	return svc, err
}

// portalService returns one service of the current account.
//
//	@Summary		One of the account's services
//	@Description	Needs the services permission on the account (403 otherwise).
//	@Tags			portal
//	@Produce		json
//	@Param			id	path		int	true	"service id"
//	@Success		200	{object}	PortalService
//	@Failure		401	{object}	ErrorBody
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Router			/api/v1/portal/services/{id} [get]
func (h *ssoAPI) portalService(c echo.Context) error {
	svc, err := h.accountService(c)
	if err != nil {
		return err
	}
	srv, err := h.store.Server(c.Request().Context(), svc.ServerID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, portalService(currentAccount(c), svc, srv))
}

// PanelSessionAnswer is a one-time login URL into the account's panel.
type PanelSessionAnswer struct {
	URL string `json:"url" example:"https://cp1.example.com:2083/cpsess1234567890/login/?session=acme:..."`
}

// portalPanelSession signs the user into the service's cPanel.
//
//	@Summary		Log in to cPanel
//	@Description	Asks the service's server for a one-time session (WHM create_user_session) and answers its URL: open it in the browser. Allowed only when the user holds the sso and services permissions on the account (no_sso_permission, no_destination_permission), the account allows single sign-on and is not Closed, and the service qualifies (Active or Suspended, with a username, on an active server); refusals are 403 with the reason and are audited. A panel that fails answers 503. CSRF: JSON and same-origin (send `{}`).
//	@Tags			portal
//	@Accept			json
//	@Produce		json
//	@Param			id	path		int	true	"service id"
//	@Success		200	{object}	PanelSessionAnswer
//	@Failure		401	{object}	ErrorBody
//	@Failure		403	{object}	SSOErrorBody
//	@Failure		404	{object}	SSOErrorBody
//	@Failure		429	{object}	ErrorBody
//	@Failure		503	{object}	ErrorBody
//	@Router			/api/v1/portal/services/{id}/sso [post]
func (h *ssoAPI) portalPanelSession(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a := currentAccount(c)
	ctx := c.Request().Context()
	svc, err := h.sso.AuthorizePanelSession(ctx, a, id, c.RealIP())
	if err != nil {
		return ssoError(c, err)
	}
	ev := links.SSOEvent{Kind: links.SSOKindSession, Source: links.SSOSourcePortal, UserID: &a.User.ID, ClientID: &a.Current.ID,
		ServiceID: &svc.ID, ServerID: &svc.ServerID, Destination: svc.Module, IP: c.RealIP()}
	panel, ok := h.panels[svc.Module]
	if !ok {
		ev.Outcome, ev.Reason = links.SSORefused, links.SSOReasonPanelError
		h.sso.Record(ctx, ev)
		return links.Errorf(links.EUNAVAILABLE, "Signing into %s servers is not available.", svc.Module)
	}
	conn, err := h.store.ServerConn(ctx, svc.ServerID)
	if err != nil {
		return err
	}
	u, err := panel.CreateSession(ctx, conn, svc.Username)
	if err != nil {
		h.logger.Warn("portal: panel session failed", "service_id", svc.ID, "server_id", svc.ServerID, "err", err)
		ev.Outcome, ev.Reason = links.SSORefused, links.SSOReasonPanelError
		h.sso.Record(ctx, ev)
		return links.Errorf(links.EUNAVAILABLE, "The server could not open a session for this account right now; try again in a moment.")
	}
	ev.Outcome = links.SSOSuccess
	h.sso.Record(ctx, ev)
	return c.JSON(http.StatusOK, PanelSessionAnswer{URL: u})
}

// portalProfile returns the user's own profile.
//
//	@Summary		My profile
//	@Description	The signed-in user's own name and sign-in e-mail (not the account's details). Open to every user.
//	@Tags			portal
//	@Produce		json
//	@Success		200	{object}	links.User
//	@Failure		401	{object}	ErrorBody
//	@Router			/api/v1/portal/profile [get]
func (h *ssoAPI) portalProfile(c echo.Context) error {
	return c.JSON(http.StatusOK, currentAccount(c).User)
}

// PortalSecurity is the account's Security Settings.
type PortalSecurity struct {
	ClientID int64 `json:"client_id" example:"1"`
	AllowSSO bool  `json:"allow_sso" example:"true"`
}

// PortalSecurityPatch switches the account's single sign-on.
type PortalSecurityPatch struct {
	AllowSSO *bool `json:"allow_sso" example:"false"`
}

// portalSecurity returns the account's Security Settings.
//
//	@Summary	Security Settings (owner only)
//	@Tags		portal
//	@Produce	json
//	@Success	200	{object}	PortalSecurity
//	@Failure	401	{object}	ErrorBody
//	@Failure	403	{object}	ErrorBody
//	@Router		/api/v1/portal/security [get]
func (h *ssoAPI) portalSecurity(c echo.Context) error {
	a := currentAccount(c)
	return c.JSON(http.StatusOK, PortalSecurity{ClientID: a.Current.ID, AllowSSO: a.Current.AllowSSO})
}

// portalUpdateSecurity switches the account's single sign-on.
//
//	@Summary		Change Security Settings (owner only)
//	@Description	allow_sso=false refuses, at once, every single sign-on into this account (cPanel clicks, trusted-application tokens, tokens not yet redeemed) and "Log in to cPanel". CSRF: JSON and same-origin.
//	@Tags			portal
//	@Accept			json
//	@Produce		json
//	@Param			body	body		PortalSecurityPatch	true	"The setting"
//	@Success		200		{object}	PortalSecurity
//	@Failure		400		{object}	ErrorBody
//	@Failure		401		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Router			/api/v1/portal/security [patch]
func (h *ssoAPI) portalUpdateSecurity(c echo.Context) error {
	var p PortalSecurityPatch
	if err := bindJSON(c, &p); err != nil {
		return err
	}
	if p.AllowSSO == nil {
		return links.FieldError("allow_sso", "Give allow_sso: true or false.")
	}
	cl, err := h.store.UpdateClient(c.Request().Context(), currentAccount(c).Current.ID, links.ClientPatch{AllowSSO: p.AllowSSO})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, PortalSecurity{ClientID: cl.ID, AllowSSO: cl.AllowSSO})
}

// portalUsers lists the account's users (User Management).
//
//	@Summary	User Management: the account's users (owner only)
//	@Tags		portal
//	@Produce	json
//	@Success	200	{array}		links.Membership
//	@Failure	401	{object}	ErrorBody
//	@Failure	403	{object}	ErrorBody
//	@Router		/api/v1/portal/users [get]
func (h *ssoAPI) portalUsers(c echo.Context) error {
	users, err := h.store.ClientUsers(c.Request().Context(), currentAccount(c).Current.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, users)
}

// portalUpdateUser replaces a user's permissions on the account.
//
//	@Summary		User Management: change a user's permissions (owner only)
//	@Description	Replaces the user's permissions on the current account; leave out "sso" to revoke Perform Single Sign-On, effective at once. The owner's own permissions cannot be revoked (403); a user not on the account is 404. CSRF: JSON and same-origin.
//	@Tags			portal
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int						true	"user id"
//	@Param			body	body		links.MembershipPatch	true	"The permissions"
//	@Success		200		{object}	links.Membership
//	@Failure		400		{object}	ErrorBody
//	@Failure		401		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Router			/api/v1/portal/users/{id} [patch]
func (h *ssoAPI) portalUpdateUser(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var p links.MembershipPatch
	if err := bindJSON(c, &p); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	a := currentAccount(c)
	if id == a.User.ID {
		return links.Errorf(links.EFORBIDDEN, "The account owner's permissions cannot be revoked.")
	}
	m, err := h.store.SetUserPermissions(c.Request().Context(), a.Current.ID, id, p.Permissions)
	if links.ErrorCode(err) == links.ENOTFOUND {
		return links.Errorf(links.ENOTFOUND, "User %d is not on your account.", id)
	} else if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// PortalServerStatus is the last known state of a server the account's
// services live on; no hostname, no secret.
type PortalServerStatus struct {
	ID            int64      `json:"id" example:"1"`
	Name          string     `json:"name" example:"cp1"`
	Module        string     `json:"module" example:"cpanel"`
	Active        bool       `json:"active" example:"true"`
	SupportsLinks *bool      `json:"supports_links" extensions:"x-nullable"`
	CheckedAt     *time.Time `json:"checked_at" extensions:"x-nullable"`
	// Services counts the account's services on the server.
	Services int `json:"services" example:"1"`
}

// portalNetworkStatus lists the servers of the account's services.
//
//	@Summary		Network status
//	@Description	The state of the servers the account's services live on. Open to every user on the account.
//	@Tags			portal
//	@Produce		json
//	@Success		200	{array}		PortalServerStatus
//	@Failure		401	{object}	ErrorBody
//	@Router			/api/v1/portal/network-status [get]
func (h *ssoAPI) portalNetworkStatus(c echo.Context) error {
	ctx := c.Request().Context()
	svcs, _, err := h.store.ListServices(ctx, links.ServiceFilter{ClientID: currentAccount(c).Current.ID, Page: links.Page{Page: 1, PerPage: 1000}})
	if err != nil {
		return err
	}
	servers, err := h.portalServers(ctx, svcs)
	if err != nil {
		return err
	}
	out := []PortalServerStatus{}
	for _, svc := range svcs {
		i := slices.IndexFunc(out, func(s PortalServerStatus) bool { return s.ID == svc.ServerID })
		if i < 0 {
			srv := servers[svc.ServerID]
			out = append(out, PortalServerStatus{ID: srv.ID, Name: srv.Name, Module: srv.Module, Active: srv.Active,
				SupportsLinks: srv.SupportsLinks, CheckedAt: srv.CheckedAt})
			i = len(out) - 1
		}
		out[i].Services++
	}
	return c.JSON(http.StatusOK, out)
}

// portalEvents lists the account's SSO activity.
//
//	@Summary		SSO activity of the account
//	@Description	The owner sees every SSO event of the current account; other users see only their own. Newest first.
//	@Tags			portal
//	@Produce		json
//	@Param			outcome		query		string	false	"success or refused"
//	@Param			source		query		string	false	"cpanel, api, portal or unknown (a redemption of a token this service did not issue)"
//	@Param			page		query		int		false	"page, from 1"
//	@Param			per_page	query		int		false	"page size, 1 to 200"
//	@Success		200			{object}	List[links.SSOEvent]
//	@Failure		400			{object}	ErrorBody
//	@Failure		401			{object}	ErrorBody
//	@Router			/api/v1/portal/sso-events [get]
func (h *ssoAPI) portalEvents(c echo.Context) error {
	f, err := eventFilter(c)
	if err != nil {
		return err
	}
	a := currentAccount(c)
	f.ClientID, f.UserID = a.Current.ID, 0
	if !a.Membership.Owner {
		f.UserID = a.User.ID
	}
	items, total, err := h.sso.Events(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(items, total, f.Page))
}
