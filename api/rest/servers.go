package rest

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// serverStore is what the server endpoints need from the database.
type serverStore interface {
	CreateServer(ctx context.Context, in links.ServerInput) (links.Server, error)
	Server(ctx context.Context, id int64) (links.Server, error)
	ListServers(ctx context.Context, f links.ServerFilter) ([]links.Server, int64, error)
	UpdateServer(ctx context.Context, id int64, p links.ServerPatch) (links.Server, error)
	DeleteServer(ctx context.Context, id int64) error
	ServerConn(ctx context.Context, id int64) (links.ServerConn, error)
	SetServerSupport(ctx context.Context, id int64, sup links.Support, at time.Time) error
	SSOClickSources(ctx context.Context, serverID int64, since time.Time, limit int) ([]links.SSOSourceSeen, error)
	ImportStore
}

// serversAPI serves the panel servers: their records, the connection test,
// the account import and the SSO sources seen.
type serversAPI struct {
	store     serverStore
	panels    map[string]links.Panel // by module
	lifecycle Lifecycle
}

// listServers lists servers.
//
//	@Summary	List servers
//	@Tags		servers
//	@Produce	json
//	@Security	BearerAuth
//	@Param		module		query		string	false	"cpanel or wpsquared"
//	@Param		active		query		bool	false	"only active or inactive servers"
//	@Param		q			query		string	false	"search name or hostname"
//	@Param		page		query		int		false	"page, from 1"
//	@Param		per_page	query		int		false	"page size, 1 to 200"
//	@Success	200			{object}	List[ServerAnswer]
//	@Failure	400			{object}	ErrorBody
//	@Failure	401			{object}	ErrorBody
//	@Router		/api/v1/servers [get]
func (h *serversAPI) listServers(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	active, err := queryBool(c, "active")
	if err != nil {
		return err
	}
	f := links.ServerFilter{Module: c.QueryParam("module"), Active: active, Query: c.QueryParam("q"), Page: p}
	if err := oneOf("module", f.Module, links.ModuleCPanel, links.ModuleWPSquared); err != nil {
		return err
	}
	items, total, err := h.store.ListServers(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toServers(items), total, p))
}

// createServer adds a server.
//
//	@Summary		Add a server
//	@Description	The API token is stored encrypted and never returned. Port defaults to 2087 (2086 when secure is false). `sso_sources` (optional, at most 50) lists the addresses cPanel clicks may come from: each an IPv4 or IPv6 address or CIDR range, stored normalised (a single address as a bare address, a range from its first address, e.g. 10.0.0.5/24 becomes 10.0.0.0/24; duplicates dropped); empty means any. A bad entry is a 400 naming `sso_sources[i]`.
//	@Tags			servers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		ServerInput	true	"The server"
//	@Success		201		{object}	ServerAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/servers [post]
func (h *serversAPI) createServer(c echo.Context) error {
	var body ServerInput
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	in := body.domain()
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	srv, err := h.store.CreateServer(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toServer(srv))
}

// getServer returns one server.
//
//	@Summary	Get a server
//	@Tags		servers
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		int	true	"server id"
//	@Success	200	{object}	ServerAnswer
//	@Failure	404	{object}	ErrorBody
//	@Router		/api/v1/servers/{id} [get]
func (h *serversAPI) getServer(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	srv, err := h.store.Server(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toServer(srv))
}

// updateServer changes a server.
//
//	@Summary		Change a server
//	@Description	Only the fields present change. An empty or absent api_token keeps the stored token, except when hostname, port, secure, verify_tls or username change: then api_token is required in the same request (422 otherwise, and nothing is written), so that the stored token is never sent to an address it was not entered for. `sso_sources` replaces the list of addresses cPanel clicks may come from (see Add a server; `[]` allows any source, absent keeps it) and needs no api_token. Setting active=false deactivates it: its accounts are skipped from then on.
//	@Tags			servers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int					true	"server id"
//	@Param			body	body		ServerPatch	true	"Fields to change"
//	@Success		200		{object}	ServerAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Failure		422		{object}	ErrorBody	"where or how the server is reached changes without api_token"
//	@Router			/api/v1/servers/{id} [patch]
func (h *serversAPI) updateServer(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body ServerPatch
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	p := body.domain()
	if err := p.Validate(); err != nil {
		return err
	}
	srv, err := h.store.UpdateServer(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toServer(srv))
}

// deleteServer deletes a server without services.
//
//	@Summary	Delete a server
//	@Tags		servers
//	@Security	BearerAuth
//	@Param		id	path	int	true	"server id"
//	@Success	204
//	@Failure	404	{object}	ErrorBody
//	@Failure	409	{object}	ErrorBody	"the server still has services"
//	@Router		/api/v1/servers/{id} [delete]
func (h *serversAPI) deleteServer(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteServer(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// ServerTestResult is what a connection test found.
type ServerTestResult struct {
	OK            bool          `json:"ok"`
	Support       SupportAnswer `json:"support"`
	Error         string        `json:"error,omitempty" example:"cp1: connection refused"`
	Server        ServerAnswer  `json:"server"`
	DurationMilli int64         `json:"duration_ms" example:"120"`
}

// testServer connects to a server and checks whether it supports links.
//
//	@Summary		Test the connection to a server
//	@Description	Calls version, applist and get_current_profile on the server and records what it found. A server that cannot be reached is not an error of this call: ok is false and error says why.
//	@Tags			servers
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		int	true	"server id"
//	@Success		200	{object}	ServerTestResult
//	@Failure		404	{object}	ErrorBody
//	@Router			/api/v1/servers/{id}/test [post]
func (h *serversAPI) testServer(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	conn, err := h.store.ServerConn(ctx, id)
	if err != nil {
		return err
	}
	panel, ok := h.panels[conn.Module]
	if !ok {
		return links.Errorf(links.EINTERNAL, "No panel type for module %q.", conn.Module)
	}
	start := time.Now()
	sup, checkErr := panel.CheckSupport(ctx, conn)
	res := ServerTestResult{OK: checkErr == nil, Support: SupportAnswer(sup), DurationMilli: time.Since(start).Milliseconds()}
	if checkErr != nil {
		res.Error = checkErr.Error()
	} else if err := h.store.SetServerSupport(ctx, id, sup, time.Now()); err != nil {
		return err
	}
	srv, err := h.store.Server(ctx, id)
	if err != nil {
		return err
	}
	res.Server = toServer(srv)
	return c.JSON(http.StatusOK, res)
}
