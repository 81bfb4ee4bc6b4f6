package applications

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/applinks/applinks/api/links"
)

// Each intent is one store transaction; refusals write nothing.

// Init stores each module's fingerprint as this process computes it (a
// changed configuration, e.g. PUBLIC_URL, wakes the module's servers) and
// settles the locations carried over from the operations engine (see store
// InitApplication).
func (s *Service) Init(ctx context.Context) error {
	var errs []error
	for _, a := range links.Applications {
		enabled, settings, err := s.store.ApplicationSettings(ctx, a.Module)
		if err == nil {
			fp := s.fingerprint(enabled, settings)
			legacy := links.DesiredFP(links.DesiredInput{AtLocation: true, Status: links.ServiceActive, ServerActive: true,
				ServerSupported: true, AppEnabled: enabled, AppFP: fp, CredVersion: 1})
			err = s.store.InitApplication(ctx, a.Module, fp, s.configFP, legacy)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", a.Module, err))
		}
	}
	return errors.Join(errs...)
}

// SaveLinks validates and stores a complete link configuration. When the
// application is enabled it queues a configuration operation, returned.
func (s *Service) SaveLinks(ctx context.Context, module string, in []links.LinkInput, by string) ([]links.Link, *links.Operation, error) {
	if _, err := App(module); err != nil {
		return nil, nil, err
	}
	settings, err := links.ValidateLinkInputs(in)
	if err != nil {
		return nil, nil, err
	}
	nop, err := s.intent(ctx, module, links.OpConfiguration, by, nil, settings)
	if err != nil {
		return nil, nil, err
	}
	op, err := s.store.SaveLinkSettings(ctx, module, settings, nop)
	if err != nil {
		return nil, nil, err
	}
	if op != nil {
		s.queued(module)
	}
	return links.ApplyLinkSettings(settings), op, nil
}

// Enable switches the application on and queues its activation. Without an
// active server of the module, or when it is on already, it is a conflict.
func (s *Service) Enable(ctx context.Context, module, by string) (links.Operation, error) {
	return s.setEnabled(ctx, module, by, true)
}

// Disable switches the application off and queues its deactivation (every
// link and the group removed from every account).
func (s *Service) Disable(ctx context.Context, module, by string) (links.Operation, error) {
	return s.setEnabled(ctx, module, by, false)
}

func (s *Service) setEnabled(ctx context.Context, module, by string, on bool) (links.Operation, error) {
	kind := links.OpDeactivation
	if on {
		kind = links.OpActivation
	}
	nop, err := s.intent(ctx, module, kind, by, &on, nil)
	if err != nil {
		return links.Operation{}, err
	}
	return s.queue(module, func() (links.Operation, error) { return s.store.SetApplicationEnabled(ctx, module, on, nop) })
}

// Sync queues a repair: every account gets the current configuration
// again. It is refused while the application is disabled: there are no
// links to repair (the reconciler removes them wherever still present).
func (s *Service) Sync(ctx context.Context, module, by string) (links.Operation, error) {
	if err := s.requireEnabled(ctx, module, "%s is disabled: there are no links to repair (enable it to push them)."); err != nil {
		return links.Operation{}, err
	}
	nop, err := s.intent(ctx, module, links.OpRepair, by, nil, nil)
	if err != nil {
		return links.Operation{}, err
	}
	return s.queue(module, func() (links.Operation, error) { return s.store.QueueOperation(ctx, nop) })
}

// intent describes an operation of kind (it supersedes older ones and logs
// its start) with the application fingerprint it leads to: enabled (nil:
// as it is) with settings (nil: as stored).
func (s *Service) intent(ctx context.Context, module, kind, by string, enabled *bool, settings []links.LinkSetting) (links.NewOperation, error) {
	if _, err := App(module); err != nil {
		return links.NewOperation{}, err
	}
	on, stored, err := s.store.ApplicationSettings(ctx, module)
	if err != nil {
		return links.NewOperation{}, err
	}
	if enabled != nil {
		on = *enabled
	}
	if settings == nil {
		settings = stored
	}
	// The spec records the desired links with the operation (the loop
	// reads the application's current state); none for a deactivation.
	var spec struct {
		Links []links.Link `json:"links,omitempty"`
	}
	if on {
		spec.Links = links.ApplyLinkSettings(settings)
	}
	b, _ := json.Marshal(spec)
	what := func(op links.Operation) string {
		return fmt.Sprintf("%s on %s", appName(module), links.Count(op.ServersTotal, "active server"))
	}
	return links.NewOperation{Module: module, Kind: kind, Spec: string(b), StartedBy: by, Supersede: true,
		Fingerprint: s.fingerprint(on, settings), Entries: startEntries(kind, by, what)}, nil
}

// EndEntries are the last entries of an operation, written when it
// completes: its counts, and a Notice when no server supported links (of
// the application, for the intents that work all its servers; of the
// operation, for those that may target one server or account).
func EndEntries(op links.Operation) []links.LogEntry {
	var out []links.LogEntry
	var took time.Duration
	if op.StartedAt != nil {
		took = time.Since(*op.StartedAt)
	}
	name := appName(op.Module)
	switch {
	case op.Kind == links.OpAccountSync || op.ServersSupport > 0:
	case op.Kind == links.OpActivation || op.Kind == links.OpConfiguration || op.Kind == links.OpDeactivation:
		out = append(out, links.LogEntry{Level: links.LevelNotice,
			Message: fmt.Sprintf("No server of %s supports application links: no account was changed.", name)})
	default: // a repair, verify, rotation or retry may have targeted one server or account
		out = append(out, links.LogEntry{Level: links.LevelNotice,
			Message: "No server of this operation supports application links: no account was changed."})
	}
	return append(out, links.LogEntry{Level: links.LevelDebug, Message: fmt.Sprintf(
		"Finished %s of %s: %s (%d supported), %s, %d done, %d failed, %s, in %s.",
		KindName(op.Kind), name, links.Count(op.ServersTotal, "server"), op.ServersSupport, links.Count(op.AccountsTotal, "account"),
		op.AccountsDone, op.AccountsFailed, links.Count(op.Warnings, "warning"), took.Round(time.Millisecond))})
}

// startEntries is the first entry of an operation on what.
func startEntries(kind, by string, what func(op links.Operation) string) func(links.Operation) []links.LogEntry {
	if by == "" {
		by = "the system"
	}
	return func(op links.Operation) []links.LogEntry {
		return []links.LogEntry{{Level: links.LevelDebug, Message: fmt.Sprintf("Started %s of %s (requested by %s).", KindName(kind), what(op), by)}}
	}
}

// aboutAccount names the one account an operation targets (t) in the
// entries of next, so that the log's account filter finds them.
func aboutAccount(next func(links.Operation) []links.LogEntry, t links.OpTarget) func(links.Operation) []links.LogEntry {
	return func(op links.Operation) []links.LogEntry {
		es := next(op)
		for i := range es {
			es[i].ServerID, es[i].ServiceID, es[i].Account = &t.ServerID, &t.ServiceID, t.Username
		}
		return es
	}
}

// queue runs a store intent and, when it is queued, wakes the scheduler:
// the servers concerned are due, and an operation with no server completes
// at its sweep.
func (s *Service) queue(module string, fn func() (links.Operation, error)) (links.Operation, error) {
	op, err := fn()
	if err == nil {
		s.queued(module)
	}
	return op, err
}

func (s *Service) queued(module string) {
	s.Forget(module)
	s.wake()
}

// ServiceChanged hears that a hosting account changed. The store has
// already recorded what its links should become and woken its servers (in
// the service change's own transaction, after the coalescing window): this
// only refreshes the status and pokes the scheduler.
func (s *Service) ServiceChanged(_ context.Context, before, after *links.Service) {
	for _, svc := range []*links.Service{before, after} {
		if svc != nil {
			s.Forget(svc.Module)
		}
	}
	s.wake()
}

// RetryFailed clears the terminal failures of the module's accounts and
// wakes their servers: they are tried again from their first attempt. A
// conflict when no account failed or another operation of the module than
// a verify is open.
func (s *Service) RetryFailed(ctx context.Context, module, by string) (links.Operation, error) {
	if _, err := App(module); err != nil {
		return links.Operation{}, err
	}
	return s.targeted(ctx, module, links.OpRetry, by, "the failed accounts of "+appName(module), links.OpTarget{Retry: true,
		Resource: links.AuditApplication, ID: module, Action: links.AuditRetry})
}

// Verify opens a verify operation: each active server of the module reads
// its accounts' links back, marks the accounts that differ out of date and
// repairs them (see api/provisioning). A conflict when the application is
// disabled, has no active server, or another operation of it is open.
func (s *Service) Verify(ctx context.Context, module, by string) (links.Operation, error) {
	if err := s.requireEnabled(ctx, module, "%s is disabled: there are no links to verify."); err != nil {
		return links.Operation{}, err
	}
	return s.targeted(ctx, module, links.OpVerify, by, "the links of "+appName(module), links.OpTarget{All: true,
		Resource: links.AuditApplication, ID: module, Action: links.AuditVerify})
}

// RotateLinkSecrets rotates the link secret of every account of the
// module (see RotateLinkSecret) and wakes its active servers.
func (s *Service) RotateLinkSecrets(ctx context.Context, module, by string) (links.Operation, error) {
	if err := s.requireEnabled(ctx, module, "%s is disabled: enable it first."); err != nil {
		return links.Operation{}, err
	}
	return s.targeted(ctx, module, links.OpRotation, by, "the link secrets of "+appName(module), links.OpTarget{Rotate: true,
		Resource: links.AuditApplication, ID: module, Action: links.AuditRotate})
}

// SyncServer re-pushes every account of one server: each location is
// marked out of date and the server woken now. The server must be active
// and its application enabled.
func (s *Service) SyncServer(ctx context.Context, serverID int64, by string) (links.Operation, error) {
	srv, err := s.store.Server(ctx, serverID)
	if err == nil {
		err = s.syncable(ctx, srv)
	}
	if err != nil {
		return links.Operation{}, err
	}
	return s.targeted(ctx, srv.Module, links.OpRepair, by, "server "+srv.Name, links.OpTarget{ServerID: srv.ID,
		Resource: links.AuditServer, ID: strconv.FormatInt(srv.ID, 10), Action: links.AuditSync})
}

// SyncService re-pushes one account: its location is marked out of date
// and its server woken now. The service needs a username, an active server
// and an enabled application.
func (s *Service) SyncService(ctx context.Context, serviceID int64, by string) (links.Operation, error) {
	svc, srv, err := s.account(ctx, serviceID, "there is no account to sync")
	if err != nil {
		return links.Operation{}, err
	}
	return s.targeted(ctx, srv.Module, links.OpRepair, by, fmt.Sprintf("account %s on server %s", svc.Username, srv.Name),
		links.OpTarget{ServerID: srv.ID, ServiceID: svc.ID, Username: svc.Username, Resource: links.AuditService,
			ID: strconv.FormatInt(svc.ID, 10), Action: links.AuditSync})
}

// RotateLinkSecret gives one account a new link secret (the subscriber id
// stays) and a new credential version; its server pushes the token
// (update_integration_link_token, or a full push where a link is missing).
// The old secret is accepted until the panel confirmed the new one. The
// service needs a username, an active server and an enabled application.
func (s *Service) RotateLinkSecret(ctx context.Context, serviceID int64, by string) (links.Operation, error) {
	svc, srv, err := s.account(ctx, serviceID, "it carries no link secret to rotate")
	if err != nil {
		return links.Operation{}, err
	}
	return s.targeted(ctx, srv.Module, links.OpRotation, by, fmt.Sprintf("the link secret of account %s on server %s", svc.Username, srv.Name),
		links.OpTarget{Rotate: true, ServiceID: svc.ID, ServerID: srv.ID, Username: svc.Username, Resource: links.AuditService,
			ID: strconv.FormatInt(svc.ID, 10), Action: links.AuditRotate})
}

// account returns a service with a username (else a conflict saying why
// not: none) and its server, which must be syncable.
func (s *Service) account(ctx context.Context, serviceID int64, none string) (links.Service, links.Server, error) {
	svc, err := s.store.Service(ctx, serviceID)
	if err != nil {
		return svc, links.Server{}, err
	}
	if svc.Username == "" {
		return svc, links.Server{}, links.Errorf(links.ECONFLICT, "Service %d has no username yet: %s.", svc.ID, none)
	}
	srv, err := s.store.Server(ctx, svc.ServerID)
	if err == nil {
		err = s.syncable(ctx, srv)
	}
	return svc, srv, err
}

// syncable refuses a targeted intent on a deactivated server or while the
// server's application is disabled (there is nothing to push).
func (s *Service) syncable(ctx context.Context, srv links.Server) error {
	if !srv.Active {
		return links.ServerDeactivated(srv.Name)
	}
	return s.requireEnabled(ctx, srv.Module, "%s is disabled: enable it first.")
}

// requireEnabled refuses (msg, with the application's name) while the
// application is disabled.
func (s *Service) requireEnabled(ctx context.Context, module, msg string) error {
	if _, err := App(module); err != nil {
		return err
	}
	enabled, _, err := s.store.ApplicationSettings(ctx, module)
	if err == nil && !enabled {
		err = links.Errorf(links.ECONFLICT, msg, appName(module))
	}
	return err
}

// targeted opens a targeted operation of kind on what: it supersedes an
// open verify (a verify supersedes nothing), and the store refuses it
// while another operation is open.
func (s *Service) targeted(ctx context.Context, module, kind, by, what string, t links.OpTarget) (links.Operation, error) {
	start := startEntries(kind, by, func(links.Operation) string { return what })
	if t.Username != "" {
		start = aboutAccount(start, t)
	}
	nop := links.NewOperation{Module: module, Kind: kind, Spec: "{}", StartedBy: by, Entries: start}
	return s.queue(module, func() (links.Operation, error) { return s.store.QueueTargeted(ctx, nop, t) })
}

func appName(module string) string {
	if a, err := links.ApplicationByModule(module); err == nil {
		return a.Name
	}
	return module
}

// KindName is an operation kind for messages.
func KindName(kind string) string { return strings.ReplaceAll(kind, "_", " ") }

// VerifyDue opens a verify of each enabled application whose last verify
// (or, before any, since) is older than interval at now. A conflict
// (another operation open, possibly another process's verify) skips the
// module until the next call.
func (s *Service) VerifyDue(ctx context.Context, interval time.Duration, since, now time.Time) error {
	var errs []error
	for _, a := range links.Applications {
		last, err := s.store.LastOperationAt(ctx, a.Module, links.OpVerify)
		if err == nil && (last == nil || now.Sub(*last) >= interval) && now.Sub(since) >= interval {
			_, err = s.Verify(ctx, a.Module, "")
		}
		if err != nil && links.ErrorCode(err) != links.ECONFLICT {
			errs = append(errs, fmt.Errorf("%s: %w", a.Module, err))
		}
	}
	return errors.Join(errs...)
}
