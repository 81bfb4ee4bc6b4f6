package rest

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// PortalService is a hosting account as the client area shows it, with
// whether "Log in to cPanel" is allowed and why not.
type PortalService struct {
	ServiceRecord
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
func (h *portalAPI) portalServers(ctx context.Context, svcs []links.Service) (map[int64]links.Server, error) {
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
	return PortalService{ServiceRecord: toService(svc), ServerName: srv.Name, PanelLogin: ok, PanelLoginReason: reason, PanelLoginMessage: msg}
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
func (h *portalAPI) portalServices(c echo.Context) error {
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
func (h *portalAPI) accountService(c echo.Context) (links.Service, error) {
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
func (h *portalAPI) portalService(c echo.Context) error {
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
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Failure		429	{object}	ErrorBody
//	@Failure		503	{object}	ErrorBody
//	@Router			/api/v1/portal/services/{id}/sso [post]
func (h *portalAPI) portalPanelSession(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, err := h.sso.PanelSession(c.Request().Context(), currentAccount(c), id, c.RealIP())
	if err != nil {
		return refused(err)
	}
	return c.JSON(http.StatusOK, PanelSessionAnswer{URL: u})
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
func (h *portalAPI) portalNetworkStatus(c echo.Context) error {
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
