// Package applications is what the API asks of application links: the
// reads (the applications with their status, their link lists, the
// operation history and the logs) and the intents (enable, configure,
// disable, repair, retry, verify, sync, rotate). Each intent is one store
// transaction, which changes the desired state, bumps the servers concerned
// and opens the operation (the human record); then it wakes the
// provisioning engine, which does the work. The status that dashboards poll
// is cached briefly.
package applications

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/applinks/applinks/api/links"
)

// statusTTL is how long a computed status is served from memory: hundreds
// of pollers cost the database a few queries per second at most.
const statusTTL = 250 * time.Millisecond

// Store is what the reads and the intents need from the database.
type Store interface {
	ApplicationSettings(ctx context.Context, module string) (bool, []links.LinkSetting, error)
	ReconcileCounts(ctx context.Context, module, prefix string) (links.ReconcileCounts, error)
	LatestOperation(ctx context.Context, module string) (*links.Operation, error)
	Operation(ctx context.Context, id int64) (links.OperationDetail, error)
	ListOperations(ctx context.Context, f links.OperationFilter) ([]links.Operation, int64, error)
	ListLog(ctx context.Context, f links.LogFilter) ([]links.LogEntry, int64, error)
	LogEach(ctx context.Context, f links.LogFilter, fn func([]links.LogEntry) error) error

	SaveLinkSettings(ctx context.Context, module string, settings []links.LinkSetting, op links.NewOperation) (*links.Operation, error)
	SetApplicationEnabled(ctx context.Context, module string, enabled bool, op links.NewOperation) (links.Operation, error)
	QueueOperation(ctx context.Context, op links.NewOperation) (links.Operation, error)
	QueueTargeted(ctx context.Context, op links.NewOperation, t links.OpTarget) (links.Operation, error)
	Server(ctx context.Context, id int64) (links.Server, error)
	Service(ctx context.Context, id int64) (links.Service, error)
	InitApplication(ctx context.Context, module, fp, configFP, legacyFP string) error
	LastOperationAt(ctx context.Context, module, kind string) (*time.Time, error)
	PurgeOperations(ctx context.Context, before time.Time) (int64, error)
}

// Service answers the reads and records the intents.
type Service struct {
	store Store
	// fingerprint is the application part of the desired state.
	fingerprint func(enabled bool, settings []links.LinkSetting) string
	// configFP is links.ConfigFingerprint of the process, stored at Init.
	configFP string
	// wake tells the engine that servers may be due.
	wake func()

	mu    sync.Mutex
	cache map[string]cachedStatus
	// gen counts Forget calls, so that a status read before a change is
	// not cached after it.
	gen uint64
}

type cachedStatus struct {
	at     time.Time
	status links.ApplicationStatus
}

// New returns the service over the store; fingerprint computes the
// application part of the desired state, configFP is the process's
// configuration fingerprint, wake wakes the engine.
func New(store Store, fingerprint func(enabled bool, settings []links.LinkSetting) string, configFP string, wake func()) *Service {
	return &Service{store: store, fingerprint: fingerprint, configFP: configFP, wake: wake, cache: map[string]cachedStatus{}}
}

// App returns the application of a module, or a not-found error naming the
// field.
func App(module string) (links.Application, error) {
	a, err := links.ApplicationByModule(module)
	if err != nil {
		return a, &links.Error{Code: links.ENOTFOUND, Field: "module", Message: links.ErrorMessage(err)}
	}
	return a, nil
}

// Applications lists every application with its switch and status.
func (s *Service) Applications(ctx context.Context) ([]links.ApplicationView, error) {
	out := make([]links.ApplicationView, 0, len(links.Applications))
	for _, a := range links.Applications {
		view, err := s.Application(ctx, a.Module)
		if err != nil {
			return nil, err
		}
		out = append(out, view)
	}
	return out, nil
}

// Application returns one application with its switch and status.
func (s *Service) Application(ctx context.Context, module string) (links.ApplicationView, error) {
	a, err := App(module)
	if err != nil {
		return links.ApplicationView{}, err
	}
	st, err := s.Status(ctx, module)
	if err != nil {
		return links.ApplicationView{}, err
	}
	return links.ApplicationView{Application: a, Enabled: st.Enabled, Status: st}, nil
}

// Links returns the application's catalogue with its overrides, by order.
func (s *Service) Links(ctx context.Context, module string) ([]links.Link, error) {
	if _, err := App(module); err != nil {
		return nil, err
	}
	_, settings, err := s.store.ApplicationSettings(ctx, module)
	if err != nil {
		return nil, err
	}
	return links.ApplyLinkSettings(settings), nil
}

// Status is what the dashboard polls: the application's state, the
// progress of its current (or last) operation, the servers behind, and the
// accounts waiting for a retry or failed for good, on the servers the
// engine works (active, and supporting links or not checked yet). It is
// active only when no such server is behind its wanted generation, no
// account of one waits for a retry and no operation is open. A verify is
// syncing too: its servers are behind until each has read its accounts
// back and repaired the drift found, so it cannot promise active before.
func (s *Service) Status(ctx context.Context, module string) (links.ApplicationStatus, error) {
	if _, err := App(module); err != nil {
		return links.ApplicationStatus{}, err
	}
	s.mu.Lock()
	c, ok := s.cache[module]
	gen := s.gen
	s.mu.Unlock()
	if ok && time.Since(c.at) < statusTTL {
		return c.status, nil
	}
	st, err := s.status(ctx, module)
	if err != nil {
		return links.ApplicationStatus{}, err
	}
	s.mu.Lock()
	if s.gen == gen { // else it may predate a change: not kept
		s.cache[module] = cachedStatus{at: time.Now(), status: st}
	}
	s.mu.Unlock()
	return st, nil
}

// Forget drops the module's cached status: it changed.
func (s *Service) Forget(module string) {
	s.mu.Lock()
	delete(s.cache, module)
	s.gen++
	s.mu.Unlock()
}

// status computes the status (see Status). The counts are read before the
// operation: an operation that completes in between shows as still open,
// never the other way round.
func (s *Service) status(ctx context.Context, module string) (links.ApplicationStatus, error) {
	enabled, settings, err := s.store.ApplicationSettings(ctx, module)
	if err != nil {
		return links.ApplicationStatus{}, err
	}
	prefix := links.DesiredPrefix(enabled, s.fingerprint(enabled, settings))
	counts, err := s.store.ReconcileCounts(ctx, module, prefix)
	if err != nil {
		return links.ApplicationStatus{}, err
	}
	op, err := links.Optional(s.store.LatestOperation(ctx, module)) // nil before the first
	if err != nil {
		return links.ApplicationStatus{}, err
	}
	st := links.ApplicationStatus{Module: module, Enabled: enabled, State: links.StateDisabled,
		AccountsFailed: counts.AccountsFailed, AccountsPending: counts.AccountsPending, ServersBehind: counts.ServersBehind}
	if enabled {
		st.State = links.StateActive
	}
	if op != nil {
		st.Operation = op
		st.ServersTotal, st.ServersSupport, st.ServersDone = op.ServersTotal, op.ServersSupport, op.ServersDone
		st.AccountsTotal, st.AccountsDone, st.Warnings = op.AccountsTotal, op.AccountsDone, op.Warnings
	}
	open := op != nil && op.Open()
	switch {
	case open && op.Kind == links.OpActivation:
		st.State = links.StateProvisioning
	case open && op.Kind == links.OpDeactivation:
		st.State = links.StateDeprovisioning
	case open, counts.ServersBehind > 0, counts.AccountsPending > 0:
		st.State = links.StateSyncing
	}
	return st, nil
}

// Log returns one page of an operation's log: f.OperationID, or the
// application's last operation when zero; with an account filter and no
// operation, that account's entries in every operation of the application.
func (s *Service) Log(ctx context.Context, module string, f links.LogFilter) ([]links.LogEntry, int64, error) {
	found, err := s.logOperation(ctx, module, &f)
	if err != nil || !found {
		return []links.LogEntry{}, 0, err
	}
	return s.store.ListLog(ctx, f)
}

// LogEach calls fn with every entry of an operation's log that f selects,
// a batch at a time (see Log for the operation); nothing when there is no
// operation yet.
func (s *Service) LogEach(ctx context.Context, module string, f links.LogFilter, fn func([]links.LogEntry) error) error {
	found, err := s.logOperation(ctx, module, &f)
	if err != nil || !found {
		return err
	}
	return s.store.LogEach(ctx, f, fn)
}

// logOperation checks f and sets f.OperationID to the operation whose log
// is asked for; found is false when the application has none yet.
func (s *Service) logOperation(ctx context.Context, module string, f *links.LogFilter) (found bool, err error) {
	a, err := App(module)
	if err != nil {
		return false, err
	}
	if f.Level != "" && !slices.Contains(links.LogLevels, f.Level) {
		return false, links.FieldError("level", "The level must be one of %v.", links.LogLevels)
	}
	if f.OperationID == 0 && f.Account != "" {
		// An account's entries, in every operation: lifecycle work on it
		// was logged with the operation that was the latest then.
		f.Module = module
		return true, nil
	}
	if f.OperationID == 0 {
		op, err := links.Optional(s.store.LatestOperation(ctx, module))
		if err != nil || op == nil {
			return false, err
		}
		f.OperationID = op.ID
		return true, nil
	}
	op, err := s.store.Operation(ctx, f.OperationID)
	if err != nil {
		return false, err
	}
	if op.Module != module {
		return false, links.Errorf(links.ENOTFOUND, "Operation %d is not an operation of %s.", f.OperationID, a.Name)
	}
	return true, nil
}

// Operations returns one page of the operation history, newest first.
func (s *Service) Operations(ctx context.Context, f links.OperationFilter) ([]links.Operation, int64, error) {
	if f.Module != "" {
		if _, err := App(f.Module); err != nil {
			return nil, 0, err
		}
	}
	return s.store.ListOperations(ctx, f)
}

// Purge deletes the operations (and their progress rows and log) that
// finished before the time given.
func (s *Service) Purge(ctx context.Context, before time.Time) error {
	for ctx.Err() == nil {
		if n, err := s.store.PurgeOperations(ctx, before); err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// Operation returns one operation with its per-server breakdown.
func (s *Service) Operation(ctx context.Context, id int64) (links.OperationDetail, error) {
	return s.store.Operation(ctx, id)
}
