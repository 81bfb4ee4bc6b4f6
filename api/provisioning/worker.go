package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/applinks/applinks/api/applications"
	"github.com/applinks/applinks/api/links"
)

const (
	// pageSize is how many locations one read of the walk returns.
	pageSize = 500
	// abortAfter is the number of requests in a row that may fail as a
	// whole, the server not taking such requests, before the worker gives
	// the server up for now (see blame).
	abortAfter = 3
	// supportTTL is the age after which a support check is made again.
	supportTTL = 24 * time.Hour
)

// worker works one claimed server until nothing on it is due, holding its
// lease: every write it makes is fenced by the lease owner.
type worker struct {
	e      *Engine
	id     int64
	owner  string
	cancel context.CancelFunc // stops the worker: the lease was lost, or a write failed
	srv    links.ServerWork
	panel  links.Panel
	app    links.App
	task   *links.ProgressTask // the open progress row of the server, if any
	opID   int64               // the operation the log entries go to (0: none)

	mu          sync.Mutex
	streak      int   // whole requests failed in a row
	gaveUp      error // why the server was given up, once it was
	unconfirmed bool  // a batch of this pass was not confirmed whole
	reading     bool  // the pass is a verify's read pass
	verified    verifyCounts
	startLogged bool // the start entry is in the log (a verify's, before its read pass)
}

// verifyCounts are the figures of a verify's read pass.
type verifyCounts struct{ read, drifted, unreadable int }

// work runs one claimed server: heartbeat, passes, then the release.
func (e *Engine) work(ctx context.Context, id int64, owner string) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &worker{e: e, id: id, owner: owner, cancel: cancel}
	var hb sync.WaitGroup
	hb.Go(func() { w.heartbeat(wctx) })
	w.run(wctx)
	cancel()
	hb.Wait()
	if w.panel != nil {
		// A server's connections last as long as its work: left to their
		// idle timeout (90 s), those of every server worked in that time
		// would stay open, up to the cap each (about 40 KB apiece).
		w.panel.CloseIdle(w.srv.Conn)
	}
	if ctx.Err() != nil {
		return // aborted: the lease expires, as after a crash
	}
	if e.cfg.OnLease != nil {
		e.cfg.OnLease(id, owner, false)
	}
	if err := e.store.ReleaseServer(ctx, id, owner); err != nil {
		e.logger.Warn("release a server", "server", id, "err", err)
	}
	e.Forget(w.srv.Module)
}

// heartbeat renews the lease every TTL/3 and stops the worker once lost.
func (w *worker) heartbeat(ctx context.Context) {
	t := time.NewTicker(w.e.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := w.e.store.RenewServerLease(ctx, w.id, w.owner, w.e.cfg.LeaseTTL)
			if errors.Is(err, links.ErrLeaseLost) {
				w.fail(ctx, "renew a lease", err)
				return
			} else if err != nil && ctx.Err() == nil {
				w.e.logger.Warn("renew a lease", "server", w.id, "err", err) // the next renewal may do
			}
		}
	}
}

// fail stops the worker after a database failure or a lost lease: the
// in-flight requests are cancelled and nothing more is recorded (the next
// holder sends again what was not).
func (w *worker) fail(ctx context.Context, what string, err error) {
	if ctx.Err() == nil {
		w.e.logger.Warn(what, "server", w.id, "err", err)
	}
	w.cancel()
}

// run makes passes until the server is at its wanted generation (or waits
// for a backoff, or is given up); the scheduler's sweep completes the
// operations whose progress rows it ended.
func (w *worker) run(ctx context.Context) {
	for !w.stopped(ctx) {
		gen, ok := w.load(ctx)
		if !ok || !w.rotateSecrets(ctx) {
			return
		}
		sup, err := w.support(ctx)
		if err != nil && ctx.Err() == nil {
			w.gaveUp = fmt.Errorf("its support check failed: %w", err)
			sup.Supported = w.srv.SupportsLinks != nil && *w.srv.SupportsLinks // the last check's word
		}
		if err == nil && w.task != nil && !w.task.Checked && !w.start(ctx, sup) {
			err = errors.New("stopped before the start")
		}
		var res passResult
		if err == nil && sup.Supported {
			res = w.pass(ctx, false)
		}
		switch {
		case w.gaveUp != nil:
			w.giveUp(ctx, sup.Supported)
		case err != nil:
		case !sup.Supported:
			w.finish(ctx, gen, links.TaskUnsupported)
		case w.stopped(ctx) || !res.complete:
			continue
		case res.waitUntil != nil:
			// Accounts wait for a retry: due again then, not done.
			w.record(ctx, links.BatchRecord{WakeAt: res.waitUntil})
		default:
			// Nothing is due at gen: each location read was up to date or
			// sent and confirmed, and any change since bumped wanted_gen past
			// gen, which leaves the server due (the scheduler, poked when the
			// worker ends, claims it again): no second walk is needed.
			w.finish(ctx, gen, links.TaskDone)
		}
		return
	}
}

// load reads the server, the application's desired state and the server's
// open progress row (or the module's latest operation, for the log); it
// returns the generation to reach, false when there is nothing to do now.
func (w *worker) load(ctx context.Context) (int64, bool) {
	srv, err := w.e.store.ServerWork(ctx, w.id)
	if err != nil {
		w.e.logger.Warn("read a server", "server", w.id, "err", err)
		return 0, false
	}
	w.srv, w.panel, w.task, w.opID, w.verified = srv, w.e.panels[srv.Module], nil, 0, verifyCounts{}
	w.startLogged = false
	idle := srv.DoneGen >= srv.WantedGen && !srv.RotationAsked
	if !srv.Active || idle || w.panel == nil || (srv.WakeAt != nil && srv.WakeAt.After(time.Now())) {
		return 0, false // a change's coalescing window runs: the scheduler comes back then
	}
	config, err := w.e.store.ConfigFingerprint(ctx, srv.Module)
	if err == nil && config != "" && config != w.e.config {
		w.leave(ctx)
		return 0, false
	}
	var enabled bool
	var settings []links.LinkSetting
	if err == nil {
		enabled, settings, err = w.e.store.ApplicationSettings(ctx, srv.Module)
	}
	if err == nil {
		w.task, err = links.Optional(w.e.store.OpenTask(ctx, w.id))
	}
	var op *links.Operation
	if err == nil && w.task == nil {
		op, err = links.Optional(w.e.store.LatestOperation(ctx, srv.Module))
	}
	if err != nil {
		w.e.logger.Warn("read the desired state", "server", w.id, "err", err)
		return 0, false
	}
	w.opID = 0
	if w.task != nil {
		w.opID = w.task.OperationID
	} else if op != nil {
		w.opID = op.ID
	}
	c := w.e.cfg
	w.app = links.DesiredApp(enabled, settings, c.PublicURL, c.LinkPrefix, c.GroupLabel)
	return srv.WantedGen, true
}

// leave backs off from a server while the configuration fingerprint stored
// by the last engine started is not this process's (a rolling upgrade, or
// replicas configured apart): what this one would push is not the desired
// state, and a pass that found nothing due would end the server's work. The
// wake-up holds every process back a while; the others work it then (and
// when none is left, Engine.holdConfig takes the configuration over).
func (w *worker) leave(ctx context.Context) {
	w.e.logger.Warn("another process started with another configuration or version (public URL, link prefix, group label): this one leaves the servers to it",
		"module", w.srv.Module, "server", w.id)
	wake := time.Now().Add(10 * w.e.cfg.PollInterval)
	w.record(ctx, links.BatchRecord{WakeAt: &wake})
}

// rotateSecrets applies a rotation of every secret asked of the server
// (Store.RotateServer reads it after load read the progress row) before
// the pass counts and pushes the accounts out of date; false when it
// failed (the worker stops, and the next holder resumes it).
func (w *worker) rotateSecrets(ctx context.Context) bool {
	err := w.e.store.RotateServer(ctx, w.id, w.owner, w.e.cfg.LeaseTTL)
	if err != nil {
		w.fail(ctx, "rotate the link secrets of a server", err)
	}
	return err == nil
}

// support returns the server's support of links, checked again when
// unknown (a new server, or one reached differently) or older than a day.
func (w *worker) support(ctx context.Context) (links.Support, error) {
	s := w.srv.Server
	if s.SupportsLinks != nil && s.CheckedAt != nil && time.Since(*s.CheckedAt) < supportTTL {
		return links.Support{Supported: *s.SupportsLinks, Reason: s.SupportReason, Version: s.Version, Profile: s.Profile}, nil
	}
	sup, err := w.checkSupport(ctx, w.e.cfg.MaxAttempts)
	if err != nil {
		return sup, err
	}
	if err := w.e.store.SetServerSupport(ctx, w.id, sup, time.Now()); err != nil {
		w.fail(ctx, "record a support check", err) // not the server's failure
		return sup, err
	}
	return sup, nil
}

// start records the server's start in its progress row: the accounts out
// of date now (the operation's progress figure) and the start entry. A
// verify reads back first, so that the start counts the drift found and
// logs the read's counts (a crash before the start verifies again); its
// start entry is logged before the read, ahead of the Notices of the drift
// found. A start that does not apply (a newer intent superseded the row)
// stops the worker.
func (w *worker) start(ctx context.Context, sup links.Support) bool {
	st := links.TaskStep{Task: *w.task, Start: true, Supported: sup.Supported, Entries: w.startEntries()}
	if sup.Supported && w.task.Kind == links.OpVerify {
		if _, ok := w.record(ctx, links.BatchRecord{Entries: st.Entries}); !ok {
			return false
		}
		w.startLogged, st.Entries = true, nil
		if !w.pass(ctx, true).complete || w.stopped(ctx) {
			return false
		}
		v := w.verified            // every request of the pass has ended
		st.Warnings = v.unreadable // logged by the read pass, counted with the start
		st.Entries = append(st.Entries, entry(links.LevelInfo, w.id, fmt.Sprintf(
			"Verified %s of server %s: %d differed from their desired links, %d could not be read.",
			links.Count(v.read, "account"), w.srv.Name, v.drifted, v.unreadable)))
	}
	if sup.Supported {
		var err error
		if st.AccountsTotal, err = w.e.store.CountWalk(ctx, w.app.Walk(w.id, links.SelectOutOfDate)); err != nil {
			w.fail(ctx, "start a progress row", err)
			return false
		}
	} else {
		st.Entries = append(st.Entries, entry(links.LevelInfo, w.id, fmt.Sprintf(
			"Server %s does not support application links: %s.", w.srv.Name, strings.TrimSuffix(sup.Reason, "."))))
		st.Events = []links.WebhookEvent{{Type: links.EventServerUnsupported, Time: time.Now(), Data: links.ServerEventData{
			Module: w.srv.Module, OperationID: w.task.OperationID, ServerID: w.id, ServerName: w.srv.Name,
			Hostname: w.srv.Hostname, Reason: sup.Reason, Version: sup.Version, Profile: sup.Profile}}}
	}
	if applied, ok := w.record(ctx, links.BatchRecord{Step: &st}); !ok || applied == 0 {
		return false
	}
	now := time.Now()
	w.task.Checked, w.task.StartedAt = true, &now
	return true
}

// startEntries is the start entry of the server's progress row, unless it
// is logged already.
func (w *worker) startEntries() []links.LogEntry {
	if w.startLogged {
		return nil
	}
	return []links.LogEntry{entry(links.LevelDebug, w.id, fmt.Sprintf("Started %s of server %s (%s).",
		applications.KindName(w.task.Kind), w.srv.Name, w.srv.Hostname))}
}

// stopped reports whether a walk must end: the worker stops (the engine
// stops, a write failed) or the server was given up.
func (w *worker) stopped(ctx context.Context) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return ctx.Err() != nil || w.gaveUp != nil || w.e.halt.Err() != nil
}

// walk reads the server's locations of a selection a page at a time, in
// key order, until fn returns false.
func (w *worker) walk(ctx context.Context, sel links.Selection, fn func(page []links.LinkState) bool) error {
	for after := ""; ctx.Err() == nil; {
		page, err := w.e.store.LinkStatePage(ctx, w.app.Walk(w.id, sel), after, pageSize)
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

// finish records a pass that found nothing due at generation gen: the
// server's done generation, and the end of its progress row in state when
// the row waits for that generation (a newer row, opened since the load,
// waits for a later one and stays open).
func (w *worker) finish(ctx context.Context, gen int64, state string) {
	rec, t := links.BatchRecord{DoneGen: gen}, w.task
	if t != nil && t.Checked && t.TargetGen <= gen {
		rec.Step = &links.TaskStep{Task: *t, State: state}
		if state == links.TaskDone {
			rec.Step.Entries = []links.LogEntry{w.finishedEntry(ctx, t)}
		}
	}
	w.record(ctx, rec)
}

// finishedEntry ends a server's progress row, with its counts as recorded:
// read again (every request of the pass has ended), since a record applies
// only the updates whose location is still as read (those of an account
// marked out of date meanwhile are sent and counted again); t's, read at
// the load, if that read fails.
func (w *worker) finishedEntry(ctx context.Context, t *links.ProgressTask) links.LogEntry {
	if now, err := links.Optional(w.e.store.OpenTask(ctx, w.id)); err == nil && now != nil && now.ID == t.ID {
		t = now
	}
	var took time.Duration
	if t.StartedAt != nil {
		took = time.Since(*t.StartedAt).Round(time.Millisecond)
	}
	return entry(links.LevelDebug, w.id, fmt.Sprintf("Finished server %s: %s done, %d failed, in %s.",
		w.srv.Name, links.Count(t.AccountsDone, "account"), t.AccountsFailed, took))
}

// giveUp ends the work on a server whose support check failed, or after
// abortAfter whole requests failed in a row: the open progress row fails
// (each account left out of date named in a warning of its own once the
// row started, or when there is no row: lifecycle work), and the server is
// due again after a backoff that grows with the give-ups in a row.
func (w *worker) giveUp(ctx context.Context, supported bool) {
	wake := time.Now().Add(links.Backoff(w.e.cfg.RetryBase*4, 10*time.Minute, w.srv.GiveUps+1))
	rec := links.BatchRecord{WakeAt: &wake, GaveUp: true}
	why := fmt.Sprintf("Gave up on server %s after %s", w.srv.Name, w.gaveUp)
	switch {
	case w.task != nil && !w.task.Checked:
		rec.Step = &links.TaskStep{Task: *w.task, Start: true, Supported: supported, State: links.TaskFailed, Warnings: w.verified.unreadable,
			Entries: append(w.startEntries(), entry(links.LevelWarning, w.id, why+"; it is tried again later."))}
	case w.task == nil && w.srv.GiveUps > 0:
		// Lifecycle work given up again (the server is still down): its
		// accounts were named at the first give-up in a row, not at
		// every backoff.
		rec.Entries = []links.LogEntry{entry(links.LevelWarning, w.id, why+"; it is tried again later.")}
	default:
		total, ok := w.nameLeftOut(ctx)
		if !ok {
			return
		}
		end := entry(links.LevelWarning, w.id, fmt.Sprintf("%s (%s not tried, each named in a warning); it is tried again later.",
			why, links.Count(total, "account")))
		if w.task == nil {
			rec.Entries = []links.LogEntry{end}
		} else {
			rec.Step = &links.TaskStep{Task: *w.task, State: links.TaskFailed, Entries: []links.LogEntry{end,
				w.finishedEntry(ctx, w.task)}}
		}
	}
	w.record(ctx, rec)
}

// nameLeftOut names each account left out of date by a give-up in a
// warning, recorded a page at a time (and counted failed in the started
// progress row, if any); it returns how many, false when a read failed.
func (w *worker) nameLeftOut(ctx context.Context) (int, bool) {
	total := 0
	err := w.walk(ctx, links.SelectOutOfDate, func(page []links.LinkState) bool {
		var named []links.LogEntry
		for _, st := range page {
			named = append(named, st.Entry(links.LevelWarning, fmt.Sprintf(
				"Account %s on server %s was not updated: the server was given up after %s", st.Username, w.srv.Name, w.gaveUp)))
		}
		if len(named) == 0 {
			return true
		}
		total += len(named)
		rec := links.BatchRecord{Entries: named}
		if w.task != nil {
			rec = links.BatchRecord{Step: &links.TaskStep{Task: *w.task, AccountsFailed: len(named), Entries: named}}
		}
		_, ok := w.record(ctx, rec)
		return ok
	})
	if err != nil {
		w.fail(ctx, "give a server up", err)
		return 0, false
	}
	return total, true
}

// record writes a batch record for the pass's progress row and operation,
// and returns how many of its updates (and step) applied; false when it
// failed (a lost lease stops the worker).
func (w *worker) record(ctx context.Context, rec links.BatchRecord) (int, bool) {
	rec.ServerID, rec.Owner, rec.OperationID, rec.Module = w.id, w.owner, w.opID, w.srv.Module
	if w.task != nil && w.task.Checked {
		rec.TaskID = w.task.ID
	}
	applied, err := w.e.store.RecordBatch(ctx, w.e.cfg.LeaseTTL, rec)
	if err != nil {
		w.fail(ctx, "record a batch", err)
	}
	return applied, err == nil
}
