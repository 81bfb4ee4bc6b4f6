package rest

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// clientStore is what the client endpoints need from the database.
type clientStore interface {
	CreateClient(ctx context.Context, in links.ClientInput) (links.Client, error)
	Client(ctx context.Context, id int64) (links.Client, error)
	ListClients(ctx context.Context, f links.ClientFilter) ([]links.Client, int64, error)
	UpdateClient(ctx context.Context, id int64, p links.ClientPatch) (links.Client, error)
	ClientUsers(ctx context.Context, clientID int64) ([]links.Membership, error)
	AddClientUser(ctx context.Context, clientID int64, in links.ClientUserInput) (links.Membership, error)
	SetUserPermissions(ctx context.Context, clientID, userID int64, perms []string) (links.Membership, error)
	RemoveClientUser(ctx context.Context, clientID, userID int64) error
	TransferOwnership(ctx context.Context, clientID, userID int64) (links.Client, error)
	DeleteClient(ctx context.Context, id int64) error
	// BatchClients fills the results of the items that res does not hold
	// in error yet, in one transaction.
	BatchClients(ctx context.Context, items []links.ClientBatchItem, res *links.BatchResult) error
}

// clientsAPI serves the client accounts and their users.
type clientsAPI struct {
	store clientStore
}

// listClients lists clients.
//
//	@Summary	List clients
//	@Tags		clients
//	@Produce	json
//	@Security	BearerAuth
//	@Param		status		query		string	false	"Active, Inactive or Closed"
//	@Param		q			query		string	false	"search name or e-mail"
//	@Param		external_id	query		string	false	"only the client with this external_id"
//	@Param		page		query		int		false	"page, from 1"
//	@Param		per_page	query		int		false	"page size, 1 to 200"
//	@Success	200			{object}	List[ClientAnswer]
//	@Failure	400			{object}	ErrorBody
//	@Router		/api/v1/clients [get]
func (h *clientsAPI) listClients(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	f := links.ClientFilter{Status: c.QueryParam("status"), Query: c.QueryParam("q"), ExternalID: c.QueryParam("external_id"), Page: p}
	if err := oneOf("status", f.Status, links.ClientActive, links.ClientInactive, links.ClientClosed); err != nil {
		return err
	}
	items, total, err := h.store.ListClients(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toClients(items), total, p))
}

// createClient creates a client with its owner.
//
//	@Summary		Create a client
//	@Description	Creates the account and its owner: a new user (owner) or an existing one (owner_user_id), in one step.
//	@Tags			clients
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		ClientInput	true	"The client"
//	@Success		201		{object}	ClientAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/clients [post]
func (h *clientsAPI) createClient(c echo.Context) error {
	var body ClientInput
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	in := body.domain()
	if err := in.Validate(); err != nil {
		return err
	}
	cl, err := h.store.CreateClient(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toClient(cl))
}

// getClient returns one client.
//
//	@Summary	Get a client
//	@Tags		clients
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		int	true	"client id"
//	@Success	200	{object}	ClientAnswer
//	@Failure	404	{object}	ErrorBody
//	@Router		/api/v1/clients/{id} [get]
func (h *clientsAPI) getClient(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cl, err := h.store.Client(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toClient(cl))
}

// updateClient changes a client, e.g. Allow Single Sign-On.
//
//	@Summary		Change a client
//	@Description	Only the fields present change. allow_sso=false refuses every single sign-on into and out of this account at once.
//	@Tags			clients
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int					true	"client id"
//	@Param			body	body		ClientPatch	true	"Fields to change"
//	@Success		200		{object}	ClientAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Router			/api/v1/clients/{id} [patch]
func (h *clientsAPI) updateClient(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body ClientPatch
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	p := body.domain()
	if err := p.Validate(); err != nil {
		return err
	}
	cl, err := h.store.UpdateClient(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toClient(cl))
}

// listClientUsers lists the users of a client.
//
//	@Summary	List the users of a client
//	@Tags		clients
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		int	true	"client id"
//	@Success	200	{array}		MembershipAnswer
//	@Failure	404	{object}	ErrorBody
//	@Router		/api/v1/clients/{id}/users [get]
func (h *clientsAPI) listClientUsers(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	users, err := h.store.ClientUsers(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMemberships(users))
}

// addClientUser adds a user to a client.
//
//	@Summary		Add a user to a client
//	@Description	A new user (email, name, password) or an existing one (user_id). Permissions default to all, sso among them.
//	@Tags			clients
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int						true	"client id"
//	@Param			body	body		ClientUserInput	true	"The user"
//	@Success		201		{object}	MembershipAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/clients/{id}/users [post]
func (h *clientsAPI) addClientUser(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body ClientUserInput
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	in := body.domain()
	if err := in.Validate(); err != nil {
		return err
	}
	m, err := h.store.AddClientUser(c.Request().Context(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toMembership(m))
}

// updateClientUser replaces a user's permissions on a client (Manage User).
//
//	@Summary		Change a user's permissions on a client
//	@Description	Replaces the permissions; leave out "sso" to revoke Perform Single Sign-On. The owner's permissions cannot be changed (403).
//	@Tags			clients
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int						true	"client id"
//	@Param			userId	path		int						true	"user id"
//	@Param			body	body		MembershipPatch	true	"The permissions"
//	@Success		200		{object}	MembershipAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Router			/api/v1/clients/{id}/users/{userId} [patch]
func (h *clientsAPI) updateClientUser(c echo.Context) error {
	id, userID, err := clientUserIDs(c)
	if err != nil {
		return err
	}
	var body MembershipPatch
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	p := body.domain()
	if err := p.Validate(); err != nil {
		return err
	}
	m, err := h.store.SetUserPermissions(c.Request().Context(), id, userID, p.Permissions)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMembership(m))
}

// clientUserIDs reads the ids of a /clients/:id/users/:userId path.
func clientUserIDs(c echo.Context) (clientID, userID int64, err error) {
	if clientID, err = pathID(c, "id"); err != nil {
		return 0, 0, err
	}
	userID, err = pathID(c, "userId")
	return clientID, userID, err
}
