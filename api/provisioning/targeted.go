package provisioning

import (
	"context"
	"fmt"
	"strconv"

	"github.com/applinks/applinks/api/links"
)

// RetryFailed clears the terminal failures of the module's accounts and
// wakes their servers: they are tried again from their first attempt. It
// opens a retry operation (the human record); a conflict when no account
// failed or another operation of the module is open.
func (e *Engine) RetryFailed(ctx context.Context, module, by string) (links.Operation, error) {
	if _, err := application(module); err != nil {
		return links.Operation{}, err
	}
	what := "the failed accounts of " + appName(module)
	return e.targeted(ctx, module, links.OpRetry, by, what, links.OpTarget{Retry: true,
		Resource: links.AuditApplication, ID: module, Action: links.AuditRetry})
}

// SyncServer re-pushes every account of one server (or, on a server the
// application no longer wants, removes their links again): each location
// is marked out of date and the server woken now. The server must be
// active and its application enabled.
func (e *Engine) SyncServer(ctx context.Context, serverID int64, by string) (links.Operation, error) {
	srv, err := e.store.Server(ctx, serverID)
	if err != nil {
		return links.Operation{}, err
	}
	if err := e.syncable(ctx, srv); err != nil {
		return links.Operation{}, err
	}
	return e.targeted(ctx, srv.Module, links.OpRepair, by, "server "+srv.Name, links.OpTarget{ServerID: srv.ID,
		Resource: links.AuditServer, ID: strconv.FormatInt(srv.ID, 10), Action: links.AuditSync})
}

// SyncService re-pushes one account: its location is marked out of date
// and its server woken now. The service needs a username, an active server
// and an enabled application.
func (e *Engine) SyncService(ctx context.Context, serviceID int64, by string) (links.Operation, error) {
	svc, err := e.store.Service(ctx, serviceID)
	if err != nil {
		return links.Operation{}, err
	}
	if svc.Username == "" {
		return links.Operation{}, links.Errorf(links.ECONFLICT, "Service %d has no username yet: there is no account to sync.", svc.ID)
	}
	srv, err := e.store.Server(ctx, svc.ServerID)
	if err != nil {
		return links.Operation{}, err
	}
	if err := e.syncable(ctx, srv); err != nil {
		return links.Operation{}, err
	}
	return e.targeted(ctx, srv.Module, links.OpRepair, by, fmt.Sprintf("account %s on server %s", svc.Username, srv.Name),
		links.OpTarget{ServerID: srv.ID, Username: svc.Username, Resource: links.AuditService,
			ID: strconv.FormatInt(svc.ID, 10), Action: links.AuditSync})
}

// syncable refuses a targeted repair on a deactivated server or while the
// server's application is disabled (there is nothing to push).
func (e *Engine) syncable(ctx context.Context, srv links.Server) error {
	if !srv.Active {
		return links.Errorf(links.ECONFLICT, "Server %s is deactivated: activate it first.", srv.Name)
	}
	enabled, _, err := e.store.ApplicationSettings(ctx, srv.Module)
	if err != nil {
		return err
	}
	if !enabled {
		return links.Errorf(links.ECONFLICT, "%s is disabled: enable it first.", appName(srv.Module))
	}
	return nil
}

// targeted opens a targeted operation of kind on what and wakes the
// scheduler.
func (e *Engine) targeted(ctx context.Context, module, kind, by, what string, t links.OpTarget) (links.Operation, error) {
	nop := links.NewOperation{Module: module, Kind: kind, Spec: encodeSpec(spec{}), StartedBy: by,
		Entries: func(op links.Operation) []links.LogEntry {
			return []links.LogEntry{{Level: links.LevelDebug, Message: fmt.Sprintf("Started %s of %s (requested by %s).",
				kindName(kind), what, orUnknown(by))}}
		}}
	op, err := e.store.QueueTargeted(ctx, nop, t)
	if err != nil {
		return links.Operation{}, err
	}
	e.queued(module)
	return op, nil
}

// RotateLinkSecret gives one account a new link secret (the subscriber id
// stays) and a new credential version; its server pushes the token
// (update_integration_link_token, or a full push where a link is missing).
// The old secret is accepted until the panel confirmed the new one. The
// service needs a username, an active server and an enabled application.
func (e *Engine) RotateLinkSecret(ctx context.Context, serviceID int64, by string) (links.Operation, error) {
	svc, err := e.store.Service(ctx, serviceID)
	if err != nil {
		return links.Operation{}, err
	}
	if svc.Username == "" {
		return links.Operation{}, links.Errorf(links.ECONFLICT, "Service %d has no username yet: it carries no link secret to rotate.", svc.ID)
	}
	srv, err := e.store.Server(ctx, svc.ServerID)
	if err != nil {
		return links.Operation{}, err
	}
	if err := e.syncable(ctx, srv); err != nil {
		return links.Operation{}, err
	}
	return e.targeted(ctx, srv.Module, links.OpRotation, by, fmt.Sprintf("the link secret of account %s on server %s", svc.Username, srv.Name),
		links.OpTarget{Rotate: true, ServiceID: svc.ID, ServerID: srv.ID, Username: svc.Username, Resource: links.AuditService,
			ID: strconv.FormatInt(svc.ID, 10), Action: links.AuditRotate})
}

// RotateLinkSecrets rotates the link secret of every account of the
// module (see RotateLinkSecret) and wakes its active servers.
func (e *Engine) RotateLinkSecrets(ctx context.Context, module, by string) (links.Operation, error) {
	if _, err := application(module); err != nil {
		return links.Operation{}, err
	}
	enabled, _, err := e.store.ApplicationSettings(ctx, module)
	if err != nil {
		return links.Operation{}, err
	}
	if !enabled {
		return links.Operation{}, links.Errorf(links.ECONFLICT, "%s is disabled: enable it first.", appName(module))
	}
	return e.targeted(ctx, module, links.OpRotation, by, "the link secrets of "+appName(module), links.OpTarget{Rotate: true,
		Resource: links.AuditApplication, ID: module, Action: links.AuditRotate})
}
