package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// retryFailed clears the terminal failures of an application's accounts.
//
//	@Summary		Retry the failed accounts
//	@Description	Clears the terminal failures of the application's accounts ("Active with warnings (N accounts failed)") and wakes their servers: each failed account is tried again from its first attempt. Opens a `retry` operation (202) and records it in the audit trail. A 409 when no account failed, or while another operation of the application is running (a running verify is superseded instead).
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module	path		string	true	"cpanel or wpsquared"
//	@Success		202		{object}	OperationAnswer
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/retry-failed [post]
func (h *applicationsAPI) retryFailed(c echo.Context) error {
	op, err := h.prov.RetryFailed(c.Request().Context(), c.Param("module"), currentAdmin(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toOperation(op))
}

// syncServer re-pushes every account of one server.
//
//	@Summary		Sync one server's accounts
//	@Description	A targeted repair: every account of the server gets its links pushed again and the server is woken now. Opens a `repair` operation covering that server only (202) and records it in the audit trail. A 404 for an unknown server; a 409 when the server is deactivated, its application is disabled, or another operation of the application is running (a running verify is superseded instead).
//	@Tags			servers
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		int	true	"Server id"
//	@Success		202	{object}	OperationAnswer
//	@Failure		400	{object}	ErrorBody
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Failure		409	{object}	ErrorBody
//	@Router			/api/v1/servers/{id}/sync [post]
func (h *applicationsAPI) syncServer(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	op, err := h.prov.SyncServer(c.Request().Context(), id, currentAdmin(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toOperation(op))
}

// syncService re-pushes one account.
//
//	@Summary		Sync one account
//	@Description	A targeted repair: the service's account gets its links pushed again and its server is woken now. Opens a `repair` operation covering that server (202) and records it in the audit trail. A 404 for an unknown service; a 409 when the service has no username, its server is deactivated, its application is disabled, or another operation of the application is running (a running verify is superseded instead).
//	@Tags			services
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		int	true	"Service id"
//	@Success		202	{object}	OperationAnswer
//	@Failure		400	{object}	ErrorBody
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Failure		409	{object}	ErrorBody
//	@Router			/api/v1/services/{id}/sync [post]
func (h *applicationsAPI) syncService(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	op, err := h.prov.SyncService(c.Request().Context(), id, currentAdmin(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toOperation(op))
}

// verifyApplication opens a drift check of an application.
//
//	@Summary		Verify the links of every account (drift)
//	@Description	Opens a `verify` operation (202): each active server of the application reads its accounts' links back (in WHM batches, at most APPLINKS_PER_SERVER_CAP requests in flight per server), compares them with what each account should carry, writes a Notice naming the server, the account and the differences for each account that differs, and repairs it. A server that does not support links gets an Info entry. Recorded in the audit trail. A 404 for an unknown module; a 409 when the application is disabled, has no active server, or another operation of it is running.
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module	path		string	true	"cpanel or wpsquared"
//	@Success		202		{object}	OperationAnswer
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/verify [post]
func (h *applicationsAPI) verifyApplication(c echo.Context) error {
	op, err := h.prov.Verify(c.Request().Context(), c.Param("module"), currentAdmin(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toOperation(op))
}

// rotateLinkSecret rotates one account's link secret.
//
//	@Summary		Rotate one account's link secret
//	@Description	Gives the service's link credential a new token (the subscriber id stays) and a new version, and opens a `rotation` operation on its server (202) that pushes the token (`update_integration_link_token`, or a full push where a link is missing). The old secret keeps working for SSO clicks until the panel confirmed the new one and for APPLINKS_ROTATION_GRACE (2 minutes) after (a click the panel sent with it just before it took the new one), then it is refused. Recorded in the audit trail (the secret itself never). A 404 for an unknown service; a 409 when the service has no username, its server is deactivated, its application is disabled, or another operation of it is running (a running verify is superseded instead).
//	@Tags			services
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		int	true	"Service id"
//	@Success		202	{object}	OperationAnswer
//	@Failure		400	{object}	ErrorBody
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Failure		409	{object}	ErrorBody
//	@Router			/api/v1/services/{id}/rotate-link-secret [post]
func (h *applicationsAPI) rotateLinkSecret(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	op, err := h.prov.RotateLinkSecret(c.Request().Context(), id, currentAdmin(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toOperation(op))
}

// rotateLinkSecrets rotates every account's link secret.
//
//	@Summary		Rotate every account's link secret
//	@Description	Rotates the link secret of every account of the application (see `POST /api/v1/services/{id}/rotate-link-secret`): opens a `rotation` operation over its active servers (202), whose workers give each account a new secret before they push it. Old secrets keep working until their panel confirmed the new ones and for APPLINKS_ROTATION_GRACE after; an account on a deactivated server (whose clicks are refused meanwhile) gets its new secret when the server is activated again, before its links are pushed. Recorded in the audit trail. A 404 for an unknown module; a 409 when the application is disabled, has no account or no active server, or another operation of it is running (a running verify is superseded instead).
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module	path		string	true	"cpanel or wpsquared"
//	@Success		202		{object}	OperationAnswer
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/rotate-link-secrets [post]
func (h *applicationsAPI) rotateLinkSecrets(c echo.Context) error {
	op, err := h.prov.RotateLinkSecrets(c.Request().Context(), c.Param("module"), currentAdmin(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toOperation(op))
}
