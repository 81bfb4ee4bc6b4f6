package rest

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// ImportStore is what the import of a server's accounts needs from the
// database: a preview, and the background job of a real run (worked by
// package imports).
type ImportStore interface {
	// PreviewImport tells what importing the listed accounts would do,
	// writing nothing.
	PreviewImport(ctx context.Context, serverID int64, accts []links.PanelAccount) (links.ImportResult, error)
	// CreateImportJob queues a real run (a conflict while one of the
	// server runs).
	CreateImportJob(ctx context.Context, serverID int64, accts []links.PanelAccount) (links.ImportJob, error)
	// LatestImportJob returns the server's running or last import job.
	LatestImportJob(ctx context.Context, serverID int64) (links.ImportJob, error)
}

// importServer previews a server's accounts or starts their import.
//
//	@Summary		Import the accounts of a server
//	@Description	Lists every account the server's credentials see (WHM listaccts; a reseller token sees only its own) and, for each: an account already known (same server and username) gets its domain and suspended state (Active or Suspended; a Terminated or Cancelled service stays); an account whose contact e-mail is a client owner's becomes a new service under that client; any other becomes a new client named after its domain (Active), its owner (a new user without a password: they sign in by single sign-on and may set one in the client area) and the service. An account without a valid contact e-mail, or whose e-mail belongs to a user who owns no client, is a conflict and is not imported.
//	@Description	With dry_run the answer (200) tells what would happen, with the counts and the first 100 rows of each kind, and nothing is written.
//	@Description	A real run answers 202 with a background job (follow it with GET /api/v1/servers/{id}/import): it applies the accounts listed now, 500 per transaction, and records its counts as it goes; a crash or a restart resumes it where it stopped, on this replica or another. It never duplicates anything (accounts are found by server and username, clients by their owner's e-mail), so a second import of the same server changes nothing. One import per server runs at a time: another is a 409. The import creates no operation: the reconciler pushes the links to the new accounts when the application is enabled.
//	@Description	A server that does not answer or answers garbage is a 503 and nothing is written; one that lists no account answers 200 with zero counts and a message, and starts no job. An inactive server is a 409.
//	@Tags			servers
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int					true	"server id"
//	@Param			body	body		ImportInput	true	"dry_run and the match rule"
//	@Success		200		{object}	ImportResult	"the dry run's preview, or a server with nothing to import"
//	@Success		202		{object}	ImportJob		"the real run, queued"
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
	var body ImportInput
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	in := links.ImportInput(body)
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
	if !in.DryRun {
		// Before listing: a running import makes the listing useless.
		if job, err := h.store.LatestImportJob(ctx, id); err == nil && !job.Finished() {
			return links.Errorf(links.ECONFLICT, "Import %d of server %d (%s) is still %s (%d of %d accounts): wait for it to finish.",
				job.ID, id, srv.Name, job.State, job.Done, job.Total)
		}
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
		return c.JSON(http.StatusOK, ImportResult{DryRun: in.DryRun, Rows: []ImportRow{},
			Message: "The server lists no accounts: there is nothing to import."})
	}
	if in.DryRun {
		res, err := h.store.PreviewImport(ctx, id, accts)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toImportResult(res))
	}
	job, err := h.store.CreateImportJob(ctx, id, accts)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toImportJob(job))
}

// importProgress answers a server's import job.
//
//	@Summary		The import of a server's accounts: progress
//	@Description	The server's import job running now, or else its last one: state (queued, running, done, failed), the accounts listed (total) and applied so far (done), the counts so far, the first 100 conflicts and, for a failed job, why it stopped. A 404 when the server has never been imported.
//	@Tags			servers
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		int	true	"server id"
//	@Success		200	{object}	ImportJob
//	@Failure		400	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Router			/api/v1/servers/{id}/import [get]
func (h *serversAPI) importProgress(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.store.Server(ctx, id); err != nil {
		return err
	}
	job, err := h.store.LatestImportJob(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toImportJob(job))
}
