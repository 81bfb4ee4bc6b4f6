package rest

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// credentialIssuer is what the API credential endpoints need from the sso
// package.
type credentialIssuer interface {
	CreateCredential(ctx context.Context, name string, perms []string, createdBy int64) (links.NewAPICredential, error)
	Credentials(ctx context.Context) ([]links.APICredential, error)
	RevokeCredential(ctx context.Context, id int64) error
}

// credentialsAPI serves the trusted applications' API credentials.
type credentialsAPI struct {
	sso    credentialIssuer
	logger *slog.Logger
}

// listCredentials lists the trusted applications.
//
//	@Summary		List API credentials
//	@Description	Trusted applications, revoked ones included (revoked_at set). Secrets are never shown again.
//	@Tags			api-credentials
//	@Produce		json
//	@Security		BearerAuth
//	@Success		200	{array}		APICredentialAnswer
//	@Failure		403	{object}	ErrorBody
//	@Router			/api/v1/api-credentials [get]
func (h *credentialsAPI) listCredentials(c echo.Context) error {
	items, err := h.sso.Credentials(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCredentials(items))
}

// createCredential creates a trusted application.
//
//	@Summary		Create an API credential
//	@Description	Answers the identifier and the secret; the secret is shown only this once and stored as a hash. The application authenticates POST /api/v1/sso/tokens with HTTP Basic identifier:secret.
//	@Tags			api-credentials
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		CredentialInput	true	"The application"
//	@Success		201		{object}	NewAPICredentialAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Router			/api/v1/api-credentials [post]
func (h *credentialsAPI) createCredential(c echo.Context) error {
	var in CredentialInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	cred, err := h.sso.CreateCredential(c.Request().Context(), in.Name, in.Permissions, currentAdmin(c).ID)
	if err != nil {
		return err
	}
	h.logger.Info("api credential created", "credential_id", cred.ID, "admin_id", currentAdmin(c).ID)
	return c.JSON(http.StatusCreated, NewAPICredentialAnswer{APICredentialAnswer: toCredential(cred.APICredential), Secret: cred.Secret})
}

// revokeCredential revokes a trusted application.
//
//	@Summary		Revoke an API credential
//	@Description	Takes effect at once: the credential's next call is refused, and so is the redemption of a sign-in token it issued that is not used yet (reason credential_forbidden). Revoking twice is harmless.
//	@Tags			api-credentials
//	@Security		BearerAuth
//	@Param			id	path	int	true	"credential id"
//	@Success		204
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Router			/api/v1/api-credentials/{id} [delete]
func (h *credentialsAPI) revokeCredential(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.sso.RevokeCredential(c.Request().Context(), id); err != nil {
		return err
	}
	h.logger.Info("api credential revoked", "credential_id", id, "admin_id", currentAdmin(c).ID)
	return c.NoContent(http.StatusNoContent)
}
