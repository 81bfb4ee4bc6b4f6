package rest

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// The server page's recent click sources: the last 30 days, at most 50
// addresses.
const (
	clickSourcesWindow = 30 * 24 * time.Hour
	clickSourcesLimit  = 50
)

// serverSSOSources lists where a server's recent cPanel clicks came from.
//
//	@Summary		Recent SSO click sources of a server
//	@Description	The distinct source addresses of the cPanel clicks on this server's services in the last 30 days (at most 50, most recently seen first), each with its number of clicks and of refusals, the time of its last click and whether the server's current `sso_sources` list allows it; plus the current list. Only clicks that carried a link's valid credentials count, so an address that merely guessed is never offered. The address is the client IP as the service sees it (X-Forwarded-For when APPLINKS_TRUST_PROXY is on). Staff fill the list from it with `PATCH /api/v1/servers/{id}` and `sso_sources`.
//	@Tags			servers
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		int	true	"server id"
//	@Success		200	{object}	ServerSSOSources
//	@Failure		400	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Router			/api/v1/servers/{id}/sso-sources [get]
func (h *serversAPI) serverSSOSources(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	srv, err := h.store.Server(ctx, id)
	if err != nil {
		return err
	}
	since := time.Now().UTC().Add(-clickSourcesWindow)
	items, err := h.store.SSOClickSources(ctx, id, since, clickSourcesLimit)
	if err != nil {
		return err
	}
	out := ServerSSOSources{SSOSources: toServer(srv).SSOSources, Since: since, Items: make([]SSOSourceSeen, len(items))}
	for i, it := range items {
		it.Allowed = links.SSOSourceAllowed(srv.SSOSources, it.IP)
		out.Items[i] = SSOSourceSeen(it)
	}
	return c.JSON(http.StatusOK, out)
}
