package rest

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// Lifecycle hears about hosting accounts that changed, so their links follow:
// pushed when an account starts to qualify or moves, removed when it stops.
// before is nil for a new service, after is nil for a deleted one.
type Lifecycle interface {
	ServiceChanged(ctx context.Context, before, after *links.Service)
}

// serviceStore is what the service endpoints need from the database.
type serviceStore interface {
	CreateService(ctx context.Context, in links.ServiceInput) (links.Service, error)
	Service(ctx context.Context, id int64) (links.Service, error)
	ListServices(ctx context.Context, f links.ServiceFilter) ([]links.Service, int64, error)
	// ServiceLinkStates returns the link state of each service by id, in
	// one query (links.LinkStateOf).
	ServiceLinkStates(ctx context.Context, ids []int64) (map[int64]links.ServiceLinkState, error)
	UpdateService(ctx context.Context, id int64, p links.ServicePatch) (before, after links.Service, err error)
	DeleteService(ctx context.Context, id int64) (links.Service, error)
	// BatchServices fills the results of the items that res does not hold
	// in error yet, in one transaction, and names the modules it touched.
	BatchServices(ctx context.Context, items []links.ServiceBatchItem, res *links.BatchResult) (modules []string, err error)
}

// servicesAPI serves the hosting accounts; every change is told to the
// lifecycle, so the account's links follow.
type servicesAPI struct {
	store     serviceStore
	lifecycle Lifecycle
}

// listServices lists hosting accounts.
//
//	@Summary	List services (hosting accounts)
//	@Tags		services
//	@Produce	json
//	@Security	BearerAuth
//	@Param		client_id	query		int		false	"only this client's"
//	@Param		server_id	query		int		false	"only this server's"
//	@Param		module		query		string	false	"cpanel or wpsquared"
//	@Param		status		query		string	false	"Pending, Active, Suspended, Terminated or Cancelled"
//	@Param		q			query		string	false	"search username or domain"
//	@Param		external_id	query		string	false	"only the service with this external_id"
//	@Param		order		query		string	false	"oldest (default, by id) or newest (newest first)"	Enums(oldest, newest)
//	@Param		page		query		int		false	"page, from 1"
//	@Param		per_page	query		int		false	"page size, 1 to 200"
//	@Success	200			{object}	List[ServiceAnswer]
//	@Failure	400			{object}	ErrorBody
//	@Router		/api/v1/services [get]
func (h *servicesAPI) listServices(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	clientID, err := queryInt(c, "client_id")
	if err != nil {
		return err
	}
	serverID, err := queryInt(c, "server_id")
	if err != nil {
		return err
	}
	f := links.ServiceFilter{ClientID: clientID, ServerID: serverID, Module: c.QueryParam("module"),
		Status: c.QueryParam("status"), Query: c.QueryParam("q"), Order: c.QueryParam("order"),
		ExternalID: c.QueryParam("external_id"), Page: p}
	if err := oneOf("order", f.Order, links.OrderOldest, links.OrderNewest); err != nil {
		return err
	}
	if err := oneOf("module", f.Module, links.ModuleCPanel, links.ModuleWPSquared); err != nil {
		return err
	}
	if err := oneOf("status", f.Status, links.ServiceStatuses...); err != nil {
		return err
	}
	items, total, err := h.store.ListServices(c.Request().Context(), f)
	if err != nil {
		return err
	}
	answers, err := h.serviceAnswers(c.Request().Context(), items)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(answers, total, p))
}

// ServiceAnswer is a service as the staff API lists it: with the link
// state of its account.
type ServiceAnswer struct {
	ServiceRecord
	LinkState ServiceLinkState `json:"link_state"`
}

// serviceAnswers adds the link states of a page of services, read in one
// query.
func (h *servicesAPI) serviceAnswers(ctx context.Context, svcs []links.Service) ([]ServiceAnswer, error) {
	ids := make([]int64, len(svcs))
	for i, svc := range svcs {
		ids[i] = svc.ID
	}
	states, err := h.store.ServiceLinkStates(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ServiceAnswer, len(svcs))
	for i, svc := range svcs {
		st, ok := states[svc.ID]
		if !ok {
			st = links.LinkStateOf(links.LinkStateFacts{}) // deleted meanwhile: nothing to show
		}
		out[i] = ServiceAnswer{ServiceRecord: toService(svc), LinkState: ServiceLinkState(st)}
	}
	return out, nil
}

// createService creates a hosting account.
//
//	@Summary		Create a service
//	@Description	An Active or Suspended service with a username on an active server gets its links when the application is enabled, after the coalescing window APPLINKS_LIFECYCLE_DELAY (services created together share WHM batches).
//	@Tags			services
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		ServiceInput	true	"The service"
//	@Success		201		{object}	ServiceRecord
//	@Failure		400		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/services [post]
func (h *servicesAPI) createService(c echo.Context) error {
	var body ServiceInput
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	in := body.domain()
	if err := in.Validate(); err != nil {
		return err
	}
	svc, err := h.store.CreateService(c.Request().Context(), in)
	if err != nil {
		return err
	}
	h.lifecycle.ServiceChanged(c.Request().Context(), nil, &svc)
	return c.JSON(http.StatusCreated, toService(svc))
}

// getService returns one hosting account.
//
//	@Summary	Get a service
//	@Tags		services
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		int	true	"service id"
//	@Success	200	{object}	ServiceAnswer
//	@Failure	404	{object}	ErrorBody
//	@Router		/api/v1/services/{id} [get]
func (h *servicesAPI) getService(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	svc, err := h.store.Service(c.Request().Context(), id)
	if err != nil {
		return err
	}
	answers, err := h.serviceAnswers(c.Request().Context(), []links.Service{svc})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, answers[0])
}

// updateService changes a hosting account: suspend, unsuspend, terminate, move.
//
//	@Summary		Change a service
//	@Description	Only the fields present change. Unsuspending or moving (server_id) pushes the links; Terminated or Cancelled removes them; a move or a rename removes them from the old account. The work follows after the coalescing window APPLINKS_LIFECYCLE_DELAY.
//	@Tags			services
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int					true	"service id"
//	@Param			body	body		ServicePatch	true	"Fields to change"
//	@Success		200		{object}	ServiceRecord
//	@Failure		400		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/services/{id} [patch]
func (h *servicesAPI) updateService(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body ServicePatch
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	p := body.domain()
	if err := p.Validate(); err != nil {
		return err
	}
	before, after, err := h.store.UpdateService(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	h.lifecycle.ServiceChanged(c.Request().Context(), &before, &after)
	return c.JSON(http.StatusOK, toService(after))
}

// deleteService deletes a hosting account and removes its links.
//
//	@Summary	Delete a service
//	@Tags		services
//	@Security	BearerAuth
//	@Param		id	path	int	true	"service id"
//	@Success	204
//	@Failure	404	{object}	ErrorBody
//	@Router		/api/v1/services/{id} [delete]
func (h *servicesAPI) deleteService(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	svc, err := h.store.DeleteService(c.Request().Context(), id)
	if err != nil {
		return err
	}
	h.lifecycle.ServiceChanged(c.Request().Context(), &svc, nil)
	return c.NoContent(http.StatusNoContent)
}
