package rest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// clientArea is what the client-area endpoints need from the sso package.
type clientArea interface {
	Login(ctx context.Context, email, password string) (links.User, error)
	Account(ctx context.Context, userID, clientID int64) (sso.Account, error)
	EndSessions(ctx context.Context, userID int64) error
	UpdateProfile(ctx context.Context, userID int64, ch sso.ProfileChange) (string, error)
	PanelSession(ctx context.Context, a sso.Account, serviceID int64, ip string) (string, error)
	Events(ctx context.Context, f links.SSOEventFilter) ([]links.SSOEvent, int64, error)
}

// portalStore is what the client-area endpoints read and change in the
// database directly: the current account's services, their servers, its
// single sign-on switch and its users' permissions.
type portalStore interface {
	ListServices(ctx context.Context, f links.ServiceFilter) ([]links.Service, int64, error)
	Service(ctx context.Context, id int64) (links.Service, error)
	Server(ctx context.Context, id int64) (links.Server, error)
	UpdateClient(ctx context.Context, id int64, p links.ClientPatch) (links.Client, error)
	ClientUsers(ctx context.Context, clientID int64) ([]links.Membership, error)
	SetUserPermissions(ctx context.Context, clientID, userID int64, perms []string) (links.Membership, error)
	AuditStore
}

// portalAPI serves the client area (/api/v1/portal): sign-in, the session,
// the account's services, profile, security settings, users and activity.
type portalAPI struct {
	sso      clientArea
	store    portalStore
	sessions *portalSessions
	logins   *loginGuard
	cop      *http.CrossOriginProtection // the same-origin check of changes
	logger   *slog.Logger
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
	User     UserAnswer      `json:"user"`
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
	me := PortalMe{User: toUser(a.User), Accounts: make([]PortalAccount, len(a.Clients)), Current: portalAccount(a.Current, a.Membership)}
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
	ClientID int64 `json:"client_id,omitempty" example:"0"`
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
func (h *portalAPI) portalLogin(c echo.Context) error {
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
		if errors.Is(err, sso.ErrNoSession) {
			return links.FieldError("client_id", "You are not on client %d.", req.ClientID)
		}
		return err
	}
	if err := h.sessions.start(c, a); err != nil {
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
func (h *portalAPI) portalLogout(c echo.Context) error {
	if sess, err := h.sessions.read(c); err == nil {
		if err := h.sso.EndSessions(c.Request().Context(), sess.userID); err != nil && links.ErrorCode(err) != links.ENOTFOUND {
			return err
		}
	}
	h.sessions.end(c)
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
func (h *portalAPI) portalMe(c echo.Context) error {
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
func (h *portalAPI) portalSwitch(c echo.Context) error {
	var req PortalSwitchRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.ClientID <= 0 {
		return links.FieldError("client_id", "Give the client_id of one of your accounts.")
	}
	cur := currentAccount(c)
	a, err := h.sso.Account(c.Request().Context(), cur.User.ID, req.ClientID)
	if errors.Is(err, sso.ErrNoSession) {
		return links.Errorf(links.EFORBIDDEN, "You are not on client %d.", req.ClientID)
	} else if err != nil {
		return err
	}
	if err := h.sessions.start(c, a); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, portalMe(a))
}
