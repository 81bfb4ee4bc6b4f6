package provisioning

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/applinks/applinks/api/links"
)

// statusTTL is how long a computed status is served from memory: hundreds
// of pollers cost the database a few queries per second at most.
const statusTTL = 250 * time.Millisecond

func application(module string) (links.Application, error) {
	a, err := links.ApplicationByModule(module)
	if err != nil {
		return a, &links.Error{Code: links.ENOTFOUND, Field: "module", Message: links.ErrorMessage(err)}
	}
	return a, nil
}

// Applications lists every application with its switch and status.
func (e *Engine) Applications(ctx context.Context) ([]links.ApplicationView, error) {
	out := make([]links.ApplicationView, 0, len(links.Applications))
	for _, a := range links.Applications {
		v, err := e.Application(ctx, a.Module)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Application returns one application with its switch and status.
func (e *Engine) Application(ctx context.Context, module string) (links.ApplicationView, error) {
	a, err := application(module)
	if err != nil {
		return links.ApplicationView{}, err
	}
	st, err := e.Status(ctx, module)
	if err != nil {
		return links.ApplicationView{}, err
	}
	return links.ApplicationView{Application: a, Enabled: st.Enabled, Status: st}, nil
}

// Links returns the application's catalogue with its overrides, by order.
func (e *Engine) Links(ctx context.Context, module string) ([]links.Link, error) {
	if _, err := application(module); err != nil {
		return nil, err
	}
	_, settings, err := e.store.ApplicationSettings(ctx, module)
	if err != nil {
		return nil, err
	}
	return links.ApplyLinkSettings(settings), nil
}

// SaveLinks validates and stores a complete link configuration. When the
// application is enabled it queues a configuration operation, returned.
func (e *Engine) SaveLinks(ctx context.Context, module string, in []links.LinkInput, by string) ([]links.Link, *links.Operation, error) {
	if _, err := application(module); err != nil {
		return nil, nil, err
	}
	settings, err := links.ValidateLinkInputs(in)
	if err != nil {
		return nil, nil, err
	}
	nop, err := e.intent(ctx, module, links.OpConfiguration, by, nil, settings)
	if err != nil {
		return nil, nil, err
	}
	op, err := e.store.SaveLinkSettings(ctx, module, settings, nop)
	if err != nil {
		return nil, nil, err
	}
	if op != nil {
		e.queued(module)
	}
	return links.ApplyLinkSettings(settings), op, nil
}

// Enable switches the application on and queues its activation. Without an
// active server of the module, or when it is on already, it is a conflict.
func (e *Engine) Enable(ctx context.Context, module, by string) (links.Operation, error) {
	return e.setEnabled(ctx, module, by, true)
}

// Disable switches the application off and queues its deactivation (every
// link and the group removed from every account).
func (e *Engine) Disable(ctx context.Context, module, by string) (links.Operation, error) {
	return e.setEnabled(ctx, module, by, false)
}

func (e *Engine) setEnabled(ctx context.Context, module, by string, on bool) (links.Operation, error) {
	kind := links.OpDeactivation
	if on {
		kind = links.OpActivation
	}
	nop, err := e.intent(ctx, module, kind, by, &on, nil)
	if err != nil {
		return links.Operation{}, err
	}
	op, err := e.store.SetApplicationEnabled(ctx, module, on, nop)
	if err != nil {
		return links.Operation{}, err
	}
	e.queued(module)
	return op, nil
}

// Sync queues a repair: every account gets the current configuration again
// (or, when the application is disabled, has every link removed again).
func (e *Engine) Sync(ctx context.Context, module, by string) (links.Operation, error) {
	nop, err := e.intent(ctx, module, links.OpRepair, by, nil, nil)
	if err != nil {
		return links.Operation{}, err
	}
	op, err := e.store.QueueOperation(ctx, nop)
	if err != nil {
		return links.Operation{}, err
	}
	e.queued(module)
	return op, nil
}

// intent describes an operation of kind (it supersedes older ones and logs
// its start) with the application fingerprint it leads to: enabled (nil:
// as it is) with settings (nil: as stored).
func (e *Engine) intent(ctx context.Context, module, kind, by string, enabled *bool, settings []links.LinkSetting) (links.NewOperation, error) {
	if _, err := application(module); err != nil {
		return links.NewOperation{}, err
	}
	on, stored, err := e.store.ApplicationSettings(ctx, module)
	if err != nil {
		return links.NewOperation{}, err
	}
	if enabled != nil {
		on = *enabled
	}
	if settings == nil {
		settings = stored
	}
	sp := spec{}
	if on {
		sp.Links = links.ApplyLinkSettings(settings)
	}
	return links.NewOperation{
		Module: module, Kind: kind, Spec: encodeSpec(sp), StartedBy: by, Supersede: true, Fingerprint: e.fingerprint(on, settings),
		Entries: func(op links.Operation) []links.LogEntry {
			return []links.LogEntry{{Level: links.LevelDebug, Message: fmt.Sprintf("Started %s of %s on %d active servers (requested by %s).",
				kindName(kind), appName(module), op.ServersTotal, orUnknown(by))}}
		},
	}, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "the system"
	}
	return s
}

// queued wakes the scheduler: the servers of the module are due, and an
// operation with no server completes at its sweep.
func (e *Engine) queued(module string) {
	e.forgetStatus(module)
	e.poke()
}

// Status is what the dashboard polls: the application's state, the
// progress of its current (or last) operation, and the accounts waiting
// for a retry or failed for good. It is active only when no server of the
// module that may support links is behind its wanted generation, no
// account waits for a retry and no operation is open.
func (e *Engine) Status(ctx context.Context, module string) (links.ApplicationStatus, error) {
	if _, err := application(module); err != nil {
		return links.ApplicationStatus{}, err
	}
	e.statusMu.Lock()
	c, ok := e.statusCache[module]
	gen := e.statusGen
	e.statusMu.Unlock()
	if ok && time.Since(c.at) < statusTTL {
		return c.status, nil
	}
	st, err := e.status(ctx, module)
	if err != nil {
		return links.ApplicationStatus{}, err
	}
	e.statusMu.Lock()
	if e.statusGen == gen { // else it may predate a change: not kept
		e.statusCache[module] = cachedStatus{at: time.Now(), status: st}
	}
	e.statusMu.Unlock()
	return st, nil
}

// status computes the status (see Status). The counts are read before the
// operation: an operation that completes in between shows as still open,
// never the other way round.
func (e *Engine) status(ctx context.Context, module string) (links.ApplicationStatus, error) {
	enabled, _, err := e.store.ApplicationSettings(ctx, module)
	if err != nil {
		return links.ApplicationStatus{}, err
	}
	counts, err := e.store.ReconcileCounts(ctx, module)
	if err != nil {
		return links.ApplicationStatus{}, err
	}
	op, err := e.store.LatestOperation(ctx, module) // op is nil when there is none
	if err != nil && links.ErrorCode(err) != links.ENOTFOUND {
		return links.ApplicationStatus{}, err
	}
	st := links.ApplicationStatus{Module: module, Enabled: enabled, State: links.StateDisabled,
		AccountsFailed: counts.AccountsFailed, AccountsPending: counts.AccountsPending}
	if enabled {
		st.State = links.StateActive
	}
	busy := counts.ServersBehind > 0 || counts.AccountsPending > 0
	if op != nil {
		st.Operation = op
		st.ServersTotal, st.ServersSupport, st.ServersDone = op.ServersTotal, op.ServersSupport, op.ServersDone
		st.AccountsTotal, st.AccountsDone = op.AccountsTotal, op.AccountsDone
		st.Warnings = op.Warnings
	}
	switch {
	case op != nil && op.Open() && op.Kind == links.OpActivation:
		st.State = links.StateProvisioning
	case op != nil && op.Open() && op.Kind == links.OpDeactivation:
		st.State = links.StateDeprovisioning
	case op != nil && op.Open(), busy:
		st.State = links.StateSyncing
	}
	return st, nil
}

func (e *Engine) forgetStatus(module string) {
	e.statusMu.Lock()
	delete(e.statusCache, module)
	e.statusGen++
	e.statusMu.Unlock()
}

// Log returns one page of an operation's log: f.OperationID, or the
// application's last operation when zero.
func (e *Engine) Log(ctx context.Context, module string, f links.LogFilter) ([]links.LogEntry, int64, error) {
	found, err := e.logOperation(ctx, module, &f)
	if err != nil || !found {
		return []links.LogEntry{}, 0, err
	}
	return e.store.ListLog(ctx, f)
}

// LogEach calls fn with every entry of an operation's log that f selects,
// a batch at a time (see Log for the operation); nothing when there is no
// operation yet.
func (e *Engine) LogEach(ctx context.Context, module string, f links.LogFilter, fn func([]links.LogEntry) error) error {
	found, err := e.logOperation(ctx, module, &f)
	if err != nil || !found {
		return err
	}
	return e.store.LogEach(ctx, f, fn)
}

// logOperation checks f and sets f.OperationID to the operation whose log
// is asked for; found is false when the application has none yet.
func (e *Engine) logOperation(ctx context.Context, module string, f *links.LogFilter) (found bool, err error) {
	if _, err := application(module); err != nil {
		return false, err
	}
	if f.Level != "" {
		if err := oneOf("level", f.Level, links.LogLevels); err != nil {
			return false, err
		}
	}
	if f.OperationID == 0 {
		op, err := e.store.LatestOperation(ctx, module)
		if links.ErrorCode(err) == links.ENOTFOUND {
			return false, nil
		} else if err != nil {
			return false, err
		}
		f.OperationID = op.ID
		return true, nil
	}
	op, err := e.store.Operation(ctx, f.OperationID)
	if err != nil {
		return false, err
	}
	if op.Module != module {
		return false, links.Errorf(links.ENOTFOUND, "Operation %d is not an operation of %s.", f.OperationID, appName(module))
	}
	return true, nil
}

func oneOf(field, v string, allowed []string) error {
	for _, a := range allowed {
		if a == v {
			return nil
		}
	}
	return links.FieldError(field, "The %s must be one of %v.", field, allowed)
}

// Operations returns one page of the operation history, newest first.
func (e *Engine) Operations(ctx context.Context, f links.OperationFilter) ([]links.Operation, int64, error) {
	if f.Module != "" {
		if _, err := application(f.Module); err != nil {
			return nil, 0, err
		}
	}
	return e.store.ListOperations(ctx, f)
}

// Operation returns one operation with its per-server breakdown.
func (e *Engine) Operation(ctx context.Context, id int64) (links.OperationDetail, error) {
	return e.store.Operation(ctx, id)
}

// ServiceChanged hears that a hosting account changed. The store has
// already recorded what its links should become and woken its servers (in
// the service change's own transaction, after the coalescing window): this
// only refreshes the status and pokes the scheduler.
func (e *Engine) ServiceChanged(_ context.Context, before, after *links.Service) {
	for _, svc := range []*links.Service{before, after} {
		if svc != nil {
			e.forgetStatus(svc.Module)
		}
	}
	e.poke()
}

// spec is an operation's desired links as recorded with it (the human
// record; the loop reads the application's current state).
type spec struct {
	// Links is the whole catalogue with its overrides; nil for a
	// deactivation (remove everything).
	Links []links.Link `json:"links,omitempty"`
}

func encodeSpec(sp spec) string {
	b, _ := json.Marshal(sp)
	return string(b)
}
