package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/applinks/applinks/api/links"
)

const (
	// pageSize is how many locations one read of the walk returns.
	pageSize = 500
	// abortAfter is the number of whole requests in a row that may fail
	// before the worker gives the server up for now.
	abortAfter = 3
	// supportTTL is the age after which a support check is made again.
	supportTTL = 24 * time.Hour
)

// app is the application's desired state as a worker reads it, once per
// pass: a newer intent opens a progress row, which ends the pass.
type app struct {
	enabled bool
	fp      string
	push    links.PushRequest   // without accounts
	remove  links.RemoveRequest // without usernames
}

// worker works one claimed server until nothing on it is due, holding its
// lease: every write it makes is fenced by the lease owner.
type worker struct {
	e      *Engine
	id     int64
	owner  string
	cancel context.CancelFunc // stops the worker: the lease was lost
	srv    links.ServerWork
	panel  links.Panel
	app    app
	task   *links.ProgressTask // the open progress row of the server, if any
	opID   int64               // the operation the log entries go to (0: none)

	mu     sync.Mutex
	streak int   // whole requests failed in a row
	gaveUp error // why the server was given up, once it was
	fatal  error // a database failure: the pass stops
}

// item is one due location with its desired fingerprint.
type item struct {
	st      links.LinkState
	desired string
}

// work runs one claimed server: heartbeat, passes, then the release.
func (e *Engine) work(ctx context.Context, id int64, owner string) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &worker{e: e, id: id, owner: owner, cancel: cancel}
	hbDone := make(chan struct{})
	go w.heartbeat(wctx, hbDone)
	ended := w.run(wctx)
	cancel()
	<-hbDone
	if ctx.Err() != nil {
		return // aborted: the lease expires, as after a crash
	}
	if e.cfg.OnLease != nil {
		e.cfg.OnLease(id, owner, false)
	}
	if err := e.store.ReleaseServer(ctx, id, owner); err != nil {
		e.logger.Warn("release a server", "server", id, "err", err)
	}
	for _, op := range ended {
		e.complete(ctx, op)
	}
	e.forgetStatus(w.srv.Module)
}

// heartbeat renews the lease every TTL/3 and stops the worker once lost.
func (w *worker) heartbeat(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(w.e.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := w.e.store.RenewServerLease(ctx, w.id, w.owner, w.e.cfg.LeaseTTL)
			if errors.Is(err, links.ErrLeaseLost) {
				w.e.logger.Warn("lost the lease of a server", "server", w.id)
				w.cancel()
				return
			} else if err != nil && ctx.Err() == nil {
				w.e.logger.Warn("renew a lease", "server", w.id, "err", err)
			}
		}
	}
}

// run makes passes until the server is at its wanted generation (or waits
// for a backoff, or is given up); it returns the operations whose progress
// rows it ended.
func (w *worker) run(ctx context.Context) []int64 {
	var ended []int64
	for ctx.Err() == nil && !w.e.stopRequested() {
		srv, err := w.e.store.ServerWork(ctx, w.id)
		if err != nil {
			w.e.logger.Warn("read a server", "server", w.id, "err", err)
			return ended
		}
		w.srv, w.panel = srv, w.e.panels[srv.Module]
		if !srv.Active || srv.DoneGen >= srv.WantedGen || w.panel == nil {
			return ended
		}
		if srv.WakeAt != nil && srv.WakeAt.After(time.Now()) {
			return ended // a change's coalescing window runs: the scheduler comes back then
		}
		gen := srv.WantedGen
		if err := w.load(ctx); err != nil {
			w.e.logger.Warn("read the desired state", "server", w.id, "err", err)
			return ended
		}
		sup, err := w.support(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ended
			}
			w.gaveUp = fmt.Errorf("its support check failed: %w", err)
			return append(ended, w.giveUp(ctx)...)
		}
		if w.task != nil && !w.task.Checked {
			if ok, more := w.begin(ctx, sup); !ok {
				return append(ended, more...)
			}
		}
		if !sup.Supported {
			ended = append(ended, w.finish(ctx, gen, links.TaskUnsupported)...)
			continue
		}
		res := w.pass(ctx)
		switch {
		case w.fatal != nil:
			w.e.logger.Warn("provisioning pass", "server", w.id, "err", w.fatal)
			return ended
		case w.gaveUp != nil:
			return append(ended, w.giveUp(ctx)...)
		case ctx.Err() != nil || res.aborted || res.sent > 0:
			continue
		case res.waitUntil != nil:
			// Accounts wait for a retry: due again then, not done.
			if err := w.e.store.WakeServer(ctx, w.id, w.owner, w.e.cfg.LeaseTTL, *res.waitUntil); err != nil {
				w.e.logger.Warn("wake a server later", "server", w.id, "err", err)
			}
			return ended
		}
		ended = append(ended, w.finish(ctx, gen, links.TaskDone)...)
		w.e.mu.Lock()
		delete(w.e.giveUps, w.id)
		w.e.mu.Unlock()
	}
	return ended
}

// load reads the application's desired state and the server's open
// progress row (or the module's latest operation, for the log).
func (w *worker) load(ctx context.Context) error {
	enabled, settings, err := w.e.store.ApplicationSettings(ctx, w.srv.Module)
	if err != nil {
		return err
	}
	ls := links.ApplyLinkSettings(settings)
	// A removed custom link is in no link set: the fingerprint changes
	// with the set, and every push removes its app (RemovedApps).
	push := links.PushPlan(ls, w.e.cfg.PublicURL, w.e.cfg.LinkPrefix, w.e.cfg.GroupLabel)
	push.Remove = append(push.Remove, links.RemovedApps(settings, w.e.cfg.LinkPrefix)...)
	w.app = app{enabled: enabled, fp: links.AppFingerprint(enabled, ls, w.e.cfg.PublicURL, w.e.cfg.LinkPrefix, w.e.cfg.GroupLabel),
		push: push, remove: links.RemoveAll(w.e.cfg.LinkPrefix, settings)}
	w.task, err = w.e.store.OpenTask(ctx, w.id)
	switch {
	case err == nil:
		w.opID = w.task.OperationID
		return nil
	case links.ErrorCode(err) != links.ENOTFOUND:
		return err
	}
	w.opID = 0
	op, err := w.e.store.LatestOperation(ctx, w.srv.Module)
	switch {
	case err == nil:
		w.opID = op.ID
	case links.ErrorCode(err) != links.ENOTFOUND:
		return err
	}
	return nil
}

// support returns the server's support of links, checked again when
// unknown (a new server, or one reached differently) or older than a day
// (transport failures retried with backoff).
func (w *worker) support(ctx context.Context) (links.Support, error) {
	s := w.srv.Server
	if s.SupportsLinks != nil && s.CheckedAt != nil && time.Since(*s.CheckedAt) < supportTTL {
		return links.Support{Supported: *s.SupportsLinks, Reason: s.SupportReason, Version: s.Version, Profile: s.Profile}, nil
	}
	var sup links.Support
	var err error
	for attempt := 1; ; attempt++ {
		sup, err = w.panel.CheckSupport(ctx, w.srv.Conn)
		if err == nil || !links.IsTemporary(err) || attempt >= w.e.cfg.MaxAttempts || ctx.Err() != nil {
			break
		}
		if sleep(ctx, w.e.backoff(attempt)) != nil {
			break
		}
	}
	if err != nil {
		return sup, err
	}
	return sup, w.e.store.SetServerSupport(ctx, w.id, sup, time.Now())
}

// begin records the start of the server's open progress row. A verify
// reads back before it, so that the start counts the drift found (a crash
// before the start verifies again). False when the worker must end, with
// the operations whose rows it ended.
func (w *worker) begin(ctx context.Context, sup links.Support) (bool, []int64) {
	if w.task.Kind == links.OpVerify && sup.Supported && !w.verified(ctx) {
		if w.gaveUp != nil {
			return false, w.giveUp(ctx)
		}
		return false, nil
	}
	if err := w.start(ctx, sup); err != nil {
		w.e.logger.Warn("start a progress row", "server", w.id, "err", err)
		return false, nil
	}
	return true, nil
}

// start records the server's start in its progress row: the accounts out
// of date now (the operation's progress figure) and the start entry.
func (w *worker) start(ctx context.Context, sup links.Support) error {
	st := links.TaskStep{Task: *w.task, ServerID: w.id, Start: true, Supported: sup.Supported, Entries: []links.LogEntry{
		entry(links.LevelDebug, w.id, fmt.Sprintf("Started %s of server %s (%s).", kindName(w.task.Kind), w.srv.Name, w.srv.Hostname))}}
	if sup.Supported {
		n, err := w.countOutOfDate(ctx)
		if err != nil {
			return err
		}
		st.AccountsTotal = n
	} else {
		st.Entries = append(st.Entries, entry(links.LevelInfo, w.id, fmt.Sprintf("Server %s does not support application links: %s.",
			w.srv.Name, strings.TrimSuffix(sup.Reason, "."))))
		st.Events = []links.WebhookEvent{{Type: links.EventServerUnsupported, Time: time.Now(), Data: links.ServerEventData{
			Module: w.srv.Module, OperationID: w.task.OperationID, ServerID: w.id, ServerName: w.srv.Name, Hostname: w.srv.Hostname,
			Reason: sup.Reason, Version: sup.Version, Profile: sup.Profile}}}
	}
	if _, err := w.e.store.StepTask(ctx, w.owner, w.e.cfg.LeaseTTL, st); err != nil {
		return err
	}
	w.task.Checked = true
	return nil
}

// desired is a location's desired fingerprint (the server is active and
// supported while a pass walks it).
func (w *worker) desired(st links.LinkState) string {
	return links.DesiredFP(links.DesiredInput{AtLocation: st.AtLocation(), Status: st.ServiceStatus, ServerActive: true,
		ServerSupported: true, AppEnabled: w.app.enabled, AppFP: w.app.fp, CredVersion: st.CredVersion})
}

// walk reads the server's locations a page at a time, in key order, until
// fn returns false.
func (w *worker) walk(ctx context.Context, fn func(page []links.LinkState) bool) error {
	for after := ""; ctx.Err() == nil; {
		page, err := w.e.store.LinkStatePage(ctx, w.id, after, pageSize)
		if err != nil {
			return err
		}
		if !fn(page) || len(page) < pageSize {
			return nil
		}
		after = page[len(page)-1].Username
	}
	return ctx.Err()
}

// countOutOfDate counts the server's locations out of date.
func (w *worker) countOutOfDate(ctx context.Context) (int, error) {
	n := 0
	err := w.walk(ctx, func(page []links.LinkState) bool {
		for _, st := range page {
			if links.OutOfDate(w.desired(st), st.ConfirmedFP, st.FailedFP) {
				n++
			}
		}
		return true
	})
	return n, err
}

// taskChanged reports whether the server's open progress row is no longer
// the one the pass started with: a newer intent (whose changes the pass
// must not count or miss).
func (w *worker) taskChanged(ctx context.Context) (bool, error) {
	t, err := w.e.store.OpenTask(ctx, w.id)
	if links.ErrorCode(err) == links.ENOTFOUND {
		return w.task != nil, nil
	} else if err != nil {
		return false, err
	}
	return w.task == nil || t.ID != w.task.ID, nil
}

// finish records a pass that found nothing due at generation gen: the
// server's done generation, and the end of its progress row in state when
// the row waits for that generation.
func (w *worker) finish(ctx context.Context, gen int64, state string) []int64 {
	var steps []links.TaskStep
	t, err := w.e.store.OpenTask(ctx, w.id) // t is nil when there is none
	if err != nil && links.ErrorCode(err) != links.ENOTFOUND {
		w.e.logger.Warn("read a progress row", "server", w.id, "err", err)
		return nil
	}
	if t != nil && t.Checked && t.TargetGen <= gen {
		st := links.TaskStep{Task: *t, ServerID: w.id, State: state}
		if state == links.TaskDone {
			st.Entries = []links.LogEntry{w.finishedEntry(t, 0)}
		}
		steps = append(steps, st)
	}
	if err := w.e.store.FinishServer(ctx, w.id, w.owner, w.e.cfg.LeaseTTL, gen, steps); err != nil {
		w.e.logger.Warn("finish a server", "server", w.id, "err", err)
		return nil
	}
	if len(steps) == 0 {
		return nil
	}
	return []int64{t.OperationID}
}

// finishedEntry ends a server's progress row, with its counts (plus
// failed more).
func (w *worker) finishedEntry(t *links.ProgressTask, failed int) links.LogEntry {
	var took time.Duration
	if t.StartedAt != nil {
		took = time.Since(*t.StartedAt)
	}
	return entry(links.LevelDebug, w.id, fmt.Sprintf("Finished server %s: %d accounts done, %d failed, in %s.",
		w.srv.Name, t.AccountsDone, t.AccountsFailed+failed, took.Round(time.Millisecond)))
}
