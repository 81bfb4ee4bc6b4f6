package rest

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
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

var (
	_ Provisioning = (*provisioning.Engine)(nil)
	_ Lifecycle    = (*provisioning.Engine)(nil)
)

// provisioningRoutes registers the application, link, status, log and
// operation endpoints on the authenticated staff group.
func (s *Server) provisioningRoutes(staff *echo.Group) {
	// Per-route middleware rather than a group: a group with an empty
	// prefix would also catch unknown paths under /api/v1.
	mw := []echo.MiddlewareFunc{requirePerm(links.PermConfigureApplicationLinks), s.requireProvisioning}
	staff.GET("/applications", s.listApplications, mw...)
	staff.GET("/applications/:module", s.getApplication, mw...)
	staff.POST("/applications/:module/enable", s.enableApplication, mw...)
	staff.POST("/applications/:module/disable", s.disableApplication, mw...)
	staff.GET("/applications/:module/links", s.getLinks, mw...)
	staff.PUT("/applications/:module/links", s.putLinks, mw...)
	staff.GET("/applications/:module/status", s.getStatus, mw...)
	staff.GET("/applications/:module/log", s.getLog, mw...)
	staff.GET("/applications/:module/log.csv", s.getLogCSV, mw...)
	staff.POST("/applications/:module/sync", s.syncApplication, mw...)
	staff.POST("/applications/:module/retry-failed", s.retryFailed, mw...)
	staff.POST("/applications/:module/verify", s.verifyApplication, mw...)
	staff.POST("/applications/:module/rotate-link-secrets", s.rotateLinkSecrets, mw...)
	staff.POST("/services/:id/rotate-link-secret", s.rotateLinkSecret, mw...)
	staff.POST("/servers/:id/sync", s.syncServer, mw...)
	staff.POST("/services/:id/sync", s.syncService, mw...)
	staff.GET("/operations", s.listOperations, mw...)
	staff.GET("/operations/:id", s.getOperation, mw...)
}

// requireProvisioning answers 503 when the service runs without an engine.
func (s *Server) requireProvisioning(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.prov == nil {
			return links.Errorf(links.EUNAVAILABLE, "Provisioning is not running in this process.")
		}
		return next(c)
	}
}
