package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// listOperations lists provisioning operations.
//
//	@Summary	List provisioning operations
//	@Tags		operations
//	@Produce	json
//	@Security	BearerAuth
//	@Param		module		query		string	false	"cpanel or wpsquared"
//	@Param		page		query		int		false	"page, from 1"
//	@Param		per_page	query		int		false	"page size, 1 to 200"
//	@Success	200			{object}	List[OperationAnswer]
//	@Failure	400			{object}	ErrorBody
//	@Failure	403			{object}	ErrorBody
//	@Router		/api/v1/operations [get]
func (h *applicationsAPI) listOperations(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	module := c.QueryParam("module")
	if err := oneOf("module", module, links.ModuleCPanel, links.ModuleWPSquared); err != nil {
		return err
	}
	items, total, err := h.prov.Operations(c.Request().Context(), links.OperationFilter{Module: module, Page: p})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toOperations(items), total, p))
}

// getOperation returns one operation with its per-server breakdown.
//
//	@Summary	Get a provisioning operation
//	@Tags		operations
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		int	true	"operation id"
//	@Success	200	{object}	OperationDetail
//	@Failure	403	{object}	ErrorBody
//	@Failure	404	{object}	ErrorBody
//	@Router		/api/v1/operations/{id} [get]
func (h *applicationsAPI) getOperation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	op, err := h.prov.Operation(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOperationDetail(op))
}
