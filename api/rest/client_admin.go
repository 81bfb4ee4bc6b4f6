package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// OwnerTransfer names the user of a client who becomes its owner.
type OwnerTransfer struct {
	UserID int64 `json:"user_id" example:"2"`
}

// removeClientUser takes a user off a client.
//
//	@Summary		Remove a user from a client
//	@Description	Never the owner (409: transfer the ownership first). The user's client-area sessions end at once. A user who is on no other client is deleted with the membership.
//	@Tags			clients
//	@Security		BearerAuth
//	@Param			id		path	int	true	"client id"
//	@Param			userId	path	int	true	"user id"
//	@Success		204
//	@Failure		404	{object}	ErrorBody
//	@Failure		409	{object}	ErrorBody
//	@Router			/api/v1/clients/{id}/users/{userId} [delete]
func (h *clientsAPI) removeClientUser(c echo.Context) error {
	id, userID, err := clientUserIDs(c)
	if err != nil {
		return err
	}
	if err := h.store.RemoveClientUser(c.Request().Context(), id, userID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// transferOwner makes another user of the client its owner.
//
//	@Summary		Transfer a client's ownership
//	@Description	The user must already be on the client. The new owner gets every permission; the old owner stays on the client with every permission (narrow them or remove the user afterwards).
//	@Tags			clients
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int				true	"client id"
//	@Param			body	body		OwnerTransfer	true	"The new owner"
//	@Success		200		{object}	ClientAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Router			/api/v1/clients/{id}/owner [post]
func (h *clientsAPI) transferOwner(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in OwnerTransfer
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.UserID <= 0 {
		return links.FieldError("user_id", "Give the user_id of a user of the client.")
	}
	cl, err := h.store.TransferOwnership(c.Request().Context(), id, in.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toClient(cl))
}

// deleteClient deletes a client without services.
//
//	@Summary		Delete a client
//	@Description	Only a client with no services (409 with their count otherwise). Its memberships go, and so do its users who are on no other client. To keep the record, close the client instead (status Closed).
//	@Tags			clients
//	@Security		BearerAuth
//	@Param			id	path	int	true	"client id"
//	@Success		204
//	@Failure		404	{object}	ErrorBody
//	@Failure		409	{object}	ErrorBody
//	@Router			/api/v1/clients/{id} [delete]
func (h *clientsAPI) deleteClient(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteClient(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
