package rest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// Provisioning is what the application-links endpoints need from the
// provisioning engine.
type Provisioning interface {
	Applications(ctx context.Context) ([]links.ApplicationView, error)
	Application(ctx context.Context, module string) (links.ApplicationView, error)
	Enable(ctx context.Context, module, by string) (links.Operation, error)
	Disable(ctx context.Context, module, by string) (links.Operation, error)
	Sync(ctx context.Context, module, by string) (links.Operation, error)
	RetryFailed(ctx context.Context, module, by string) (links.Operation, error)
	Verify(ctx context.Context, module, by string) (links.Operation, error)
	RotateLinkSecret(ctx context.Context, serviceID int64, by string) (links.Operation, error)
	RotateLinkSecrets(ctx context.Context, module, by string) (links.Operation, error)
	SyncServer(ctx context.Context, serverID int64, by string) (links.Operation, error)
	SyncService(ctx context.Context, serviceID int64, by string) (links.Operation, error)
	Links(ctx context.Context, module string) ([]links.Link, error)
	SaveLinks(ctx context.Context, module string, in []links.LinkInput, by string) ([]links.Link, *links.Operation, error)
	Status(ctx context.Context, module string) (links.ApplicationStatus, error)
	Log(ctx context.Context, module string, f links.LogFilter) ([]links.LogEntry, int64, error)
	LogEach(ctx context.Context, module string, f links.LogFilter, fn func([]links.LogEntry) error) error
	Operations(ctx context.Context, f links.OperationFilter) ([]links.Operation, int64, error)
	Operation(ctx context.Context, id int64) (links.OperationDetail, error)
}

// applicationsAPI serves the application links: the applications, their
// links, status, log and operations, and the targeted actions. Every route
// passes requireProvisioning first.
type applicationsAPI struct {
	prov Provisioning // nil when the process runs no engine
	// httpPublic tells whether the service's own public URL is http (the
	// demo): only then may a link's external target be http too.
	httpPublic bool
}

// requireProvisioning answers 503 when the service runs without an engine.
func (h *applicationsAPI) requireProvisioning(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h.prov == nil {
			return links.Errorf(links.EUNAVAILABLE, "Provisioning is not running in this process.")
		}
		return next(c)
	}
}

// listApplications lists the applications.
//
//	@Summary		List applications
//	@Description	Every application (cPanel & WHM, WP Squared) with its switch and status.
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Success		200	{array}		ApplicationView
//	@Failure		403	{object}	ErrorBody
//	@Router			/api/v1/applications [get]
func (h *applicationsAPI) listApplications(c echo.Context) error {
	apps, err := h.prov.Applications(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toApplicationViews(apps))
}

// getApplication returns one application.
//
//	@Summary	Get an application
//	@Tags		applications
//	@Produce	json
//	@Security	BearerAuth
//	@Param		module	path		string	true	"cpanel or wpsquared"
//	@Success	200		{object}	ApplicationView
//	@Failure	403		{object}	ErrorBody
//	@Failure	404		{object}	ErrorBody
//	@Router		/api/v1/applications/{module} [get]
func (h *applicationsAPI) getApplication(c echo.Context) error {
	app, err := h.prov.Application(c.Request().Context(), c.Param("module"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toApplicationView(app))
}

// enableApplication switches application links on.
//
//	@Summary		Enable application links
//	@Description	Queues an activation: every qualifying account of every active server of the module gets the enabled links. Needs at least one active server of the module (409 otherwise); enabling an enabled application is a 409 too.
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module	path		string	true	"cpanel or wpsquared"
//	@Success		202		{object}	OperationAnswer
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/enable [post]
func (h *applicationsAPI) enableApplication(c echo.Context) error {
	op, err := h.prov.Enable(c.Request().Context(), c.Param("module"), currentAdmin(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toOperation(op))
}

// disableApplication switches application links off.
//
//	@Summary		Disable application links
//	@Description	Queues a deactivation: every link and the group are removed from every account. Disabling a disabled application is a 409.
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module	path		string	true	"cpanel or wpsquared"
//	@Success		202		{object}	OperationAnswer
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/disable [post]
func (h *applicationsAPI) disableApplication(c echo.Context) error {
	op, err := h.prov.Disable(c.Request().Context(), c.Param("module"), currentAdmin(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toOperation(op))
}

// syncApplication queues a manual sync (repair).
//
//	@Summary		Sync (repair) every account
//	@Description	Queues a repair: every qualifying account gets the current configuration again. Supersedes a running operation of the application. A 404 for an unknown module; a 409 while the application is disabled (there are no links to repair: the links left on a server that was down at the disable are removed when it answers again).
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module	path		string	true	"cpanel or wpsquared"
//	@Success		202		{object}	OperationAnswer
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/sync [post]
func (h *applicationsAPI) syncApplication(c echo.Context) error {
	op, err := h.prov.Sync(c.Request().Context(), c.Param("module"), currentAdmin(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toOperation(op))
}

// getLinks returns the link configuration.
//
//	@Summary		Get the links of an application
//	@Description	The 14 catalogue links with their label, enabled switch, order and target (client_area, or external with its url_template and handoff switch), sorted by order.
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module	path		string	true	"cpanel or wpsquared"
//	@Success		200		{array}		LinkAnswer
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/links [get]
func (h *applicationsAPI) getLinks(c echo.Context) error {
	ls, err := h.prov.Links(c.Request().Context(), c.Param("module"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toLinks(ls))
}

// putLinks saves the link configuration.
//
//	@Summary		Save the links of an application
//	@Description	Takes the complete list: every one of the 14 catalogue keys exactly once, and up to 10 custom links of your own (key `custom_<slug>`, the slug 1 to 24 lowercase letters, digits or underscores; a client_area custom link gives its own `route`, a relative path under /portal), each once: a custom link left out of the list is removed, from every account too. Every link has a label (1 to 64 characters, no single quote), enabled, and a distinct non-negative order. Each link may name a target: `client_area` (the default) or `external` with a `url_template` (an https URL, http only while APPLINKS_PUBLIC_URL is http; the scheme and host written out; placeholders {client_id}, {client_external_id}, {service_id}, {service_external_id}, {username}, {domain}, {destination}, filled URL-escaped at redemption; an external id is empty for a client or service without one) and `handoff` (add a signed `applinks_assertion` JWT, see docs/handoff.md). A bad template is a 400 naming the link's field (`links[i].url_template`), and nothing is saved. The pushed links do not change with the target: it is resolved when the click is redeemed. When the application is enabled this queues a configuration operation (202); otherwise it only saves (200).
//	@Tags			applications
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module	path		string				true	"cpanel or wpsquared"
//	@Param			body	body		[]LinkInput	true	"Every link"
//	@Success		200		{object}	LinksAnswer
//	@Success		202		{object}	LinksAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/links [put]
func (h *applicationsAPI) putLinks(c echo.Context) error {
	var body []LinkInput
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	in := linkInputs(body)
	if err := links.ValidateLinkTargets(in, h.httpPublic); err != nil {
		return err
	}
	ls, op, err := h.prov.SaveLinks(c.Request().Context(), c.Param("module"), in, currentAdmin(c).Email)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if op != nil {
		status = http.StatusAccepted
	}
	return c.JSON(status, LinksAnswer{Links: toLinks(ls), Operation: toOperationPtr(op)})
}

// getStatus returns the application's state and progress.
//
//	@Summary		Get the provisioning status
//	@Description	State (disabled, provisioning, active, syncing, deprovisioning): active or disabled only when no account of a supported active server is out of date, pending or waiting for a retry. Progress counts and warnings of the current or last operation; accounts_pending (waiting for a retry) and accounts_failed (failed for good: "active with warnings") over the whole application. Cheap to poll: send the ETag back in If-None-Match to get 304 while nothing changed.
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module			path		string	true	"cpanel or wpsquared"
//	@Param			If-None-Match	header		string	false	"the ETag of the last answer"
//	@Success		200				{object}	ApplicationStatus
//	@Success		304
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/status [get]
func (h *applicationsAPI) getStatus(c echo.Context) error {
	st, err := h.prov.Status(c.Request().Context(), c.Param("module"))
	if err != nil {
		return err
	}
	body, err := json.Marshal(toApplicationStatus(st))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	hd := c.Response().Header()
	hd.Set("ETag", etag)
	hd.Set("Cache-Control", "no-cache")
	if etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSONBlob(http.StatusOK, body)
}

// etagMatches reads an If-None-Match list (weak tags compare equal).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
