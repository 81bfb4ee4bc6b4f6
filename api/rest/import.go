package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// importServer brings a server's hosting accounts in.
//
//	@Summary		Import the accounts of a server
//	@Description	Lists every account the server's credentials see (WHM listaccts; a reseller token sees only its own) and, for each: an account already known (same server and username) gets its domain and suspended state (Active or Suspended; a Terminated or Cancelled service stays); an account whose contact e-mail is a client owner's becomes a new service under that client; any other becomes a new client named after its domain (Active), its owner (a new user without a password: they sign in by single sign-on and may set one in the client area) and the service. An account without a valid contact e-mail, or whose e-mail belongs to a user who owns no client, is a conflict and is not imported. With dry_run the answer tells what would happen and nothing is written. A real run writes 500 accounts per transaction: a run cut short leaves whole chunks applied, and running it again finishes it without duplicating anything (accounts are found by server and username, clients by their owner's e-mail); a second run of the same server changes nothing. The import creates no operation: the reconciler pushes the links to the new accounts when the application is enabled. The answer has the counts and the first 100 rows of each kind. A server that does not answer or answers garbage is a 503 and nothing is written; one that lists no account answers zero counts and a message. An inactive server is a 409.
//	@Tags			servers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int					true	"server id"
//	@Param			body	body		links.ImportInput	true	"dry_run and the match rule"
//	@Success		200		{object}	links.ImportResult
//	@Failure		400		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Failure		422		{object}	ErrorBody
//	@Failure		503		{object}	ErrorBody
//	@Router			/api/v1/servers/{id}/import [post]
func (h *serversAPI) importServer(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in links.ImportInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	srv, err := h.store.Server(ctx, id)
	if err != nil {
		return err
	}
	if !srv.Active {
		return links.Errorf(links.ECONFLICT, "Server %d (%s) is inactive: activate it before importing its accounts.", id, srv.Name)
	}
	panel, ok := h.panels[srv.Module]
	if !ok {
		return links.Errorf(links.EUNPROCESSABLE, "Server %d has the module %q, whose accounts cannot be listed.", id, srv.Module)
	}
	conn, err := h.store.ServerConn(ctx, id)
	if err != nil {
		return err
	}
	accts, err := panel.ListAccounts(ctx, conn)
	if err != nil {
		return links.Errorf(links.EUNAVAILABLE, "Server %s did not list its accounts (%v): nothing was imported. Check it with Test connection.", srv.Name, err)
	}
	if len(accts) == 0 {
		return c.JSON(http.StatusOK, links.ImportResult{DryRun: in.DryRun, Rows: []links.ImportRow{},
			Message: "The server lists no accounts: there is nothing to import."})
	}
	res, err := h.store.ImportAccounts(ctx, id, accts, in.DryRun)
	if err != nil {
		return err
	}
	if !in.DryRun && res.NewClients+res.NewServices+res.Updated > 0 {
		// The lifecycle hook hears of the application whose accounts
		// changed (their locations are already written).
		h.lifecycle.ServiceChanged(ctx, nil, &links.Service{Module: srv.Module})
	}
	return c.JSON(http.StatusOK, res)
}
