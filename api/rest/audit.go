package rest

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// withActor makes the request's changes recorded in the audit trail as
// made by a, from the request's client address.
func withActor(c echo.Context, a links.Actor) {
	a.IP = c.RealIP()
	c.SetRequest(c.Request().WithContext(links.WithActor(c.Request().Context(), a)))
}

// AuditStore is what the audit endpoints read.
type AuditStore interface {
	ListAudit(ctx context.Context, f links.AuditFilter) ([]links.AuditRecord, int64, error)
}

// auditAPI serves the staff audit trail.
type auditAPI struct {
	audit AuditStore
}

// queryTime parses an optional RFC 3339 time query parameter.
func queryTime(c echo.Context, name string) (*time.Time, error) {
	s := c.QueryParam(name)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, links.FieldError(name, "The query parameter %s must be a time such as 2026-12-01T00:00:00Z.", name)
	}
	return &t, nil
}

// auditFilter reads the audit trail's filters.
func auditFilter(c echo.Context) (links.AuditFilter, error) {
	p, err := page(c)
	if err != nil {
		return links.AuditFilter{}, err
	}
	f := links.AuditFilter{ActorKind: c.QueryParam("actor_kind"), Resource: c.QueryParam("resource"),
		ResourceID: c.QueryParam("resource_id"), Action: c.QueryParam("action"), Page: p}
	if err := oneOf("actor_kind", f.ActorKind, links.ActorAdmin, links.ActorCredential, links.ActorUser); err != nil {
		return f, err
	}
	if err := oneOf("resource", f.Resource, links.AuditResources...); err != nil {
		return f, err
	}
	if err := oneOf("action", f.Action, links.AuditActions...); err != nil {
		return f, err
	}
	if len(f.ResourceID) > 64 {
		return f, links.FieldError("resource_id", "The resource_id must be at most 64 characters long.")
	}
	if f.ActorID, err = queryInt(c, "actor_id"); err != nil {
		return f, err
	}
	if f.ClientID, err = queryInt(c, "client_id"); err != nil {
		return f, err
	}
	if f.From, err = queryTime(c, "from"); err != nil {
		return f, err
	}
	if f.To, err = queryTime(c, "to"); err != nil {
		return f, err
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return f, links.FieldError("to", "The time range is empty: to must be after from.")
	}
	return f, nil
}

// listAudit lists the staff audit trail.
//
//	@Summary		Staff audit trail
//	@Description	Every change made by staff, by a trusted application (API credential) or by an account owner in the client area: who, when, from which IP, what (resource, id, action) and the fields before and after (secrets only as "changed"). Each record is written in the change's own transaction. Newest first; kept for APPLINKS_AUDIT_RETENTION (default 365 days).
//	@Tags			audit
//	@Produce		json
//	@Security		BearerAuth
//	@Param			actor_kind	query		string	false	"admin, api_credential or user"
//	@Param			actor_id	query		int		false	"the admin, credential or user id"
//	@Param			resource	query		string	false	"server, client, user, membership, service, role, admin, api_credential or application"
//	@Param			resource_id	query		string	false	"the resource's id (a module for applications, client:user for memberships)"
//	@Param			action		query		string	false	"create, update, delete, revoke, enable, disable, configure or repair"
//	@Param			client_id	query		int		false	"changes that concern this client account"
//	@Param			from		query		string	false	"from this time on (RFC 3339)"
//	@Param			to			query		string	false	"before this time (RFC 3339)"
//	@Param			page		query		int		false	"page, from 1"
//	@Param			per_page	query		int		false	"page size, 1 to 200"
//	@Success		200			{object}	List[AuditRecord]
//	@Failure		400			{object}	ErrorBody
//	@Failure		401			{object}	ErrorBody
//	@Failure		403			{object}	ErrorBody
//	@Router			/api/v1/audit [get]
func (h *auditAPI) listAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	items, total, err := h.audit.ListAudit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toAuditRecords(items), total, f.Page))
}
