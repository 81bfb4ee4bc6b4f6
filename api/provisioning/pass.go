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

// passResult is what one walk of a server found.
type passResult struct {
	// aborted: a newer intent opened a progress row meanwhile.
	aborted bool
	// sent counts the requests answered.
	sent int
	// waitUntil is the earliest retry of the locations in backoff.
	waitUntil *time.Time
}

// stopped reports whether the pass must end: the worker stops, the server
// was given up or the database failed.
func (w *worker) stopped(ctx context.Context) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return ctx.Err() != nil || w.gaveUp != nil || w.fatal != nil || w.e.stopRequested()
}

func (w *worker) setFatal(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fatal == nil {
		w.fatal = err
	}
}

// pass walks the server's locations once, in key order, and sends the due
// ones in WHM batches (pushes and removals apart), up to PerServerCap
// requests in flight; each answer is recorded by the request's goroutine,
// after its slot is free for the next request.
// Empty locations no service owns are dropped at the end.
func (w *worker) pass(ctx context.Context) passResult {
	var res passResult
	var wg sync.WaitGroup
	sem := make(chan struct{}, w.e.cfg.PerServerCap)
	dispatch := func(batch []item, m mode) {
		if len(batch) == 0 {
			return
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		res.sent++
		wg.Go(func() { w.send(ctx, batch, m, func() { <-sem }) })
	}
	var batches [3][]item // by mode
	var empties []links.LinkStateUpdate
	now := time.Now()
	err := w.walk(ctx, func(page []links.LinkState) bool {
		// Read after the page: if no newer intent is there now, the page
		// predates any, and a repair meanwhile voids its records.
		if changed, err := w.taskChanged(ctx); err != nil || changed {
			res.aborted = err == nil
			if err != nil {
				w.setFatal(err)
			}
			return false
		}
		for _, st := range page {
			desired := w.desired(st)
			switch {
			case !links.OutOfDate(desired, st.ConfirmedFP, st.FailedFP):
				if desired == "" && st.ConfirmedFP == "" && st.ServiceID == nil {
					empties = append(empties, links.LinkStateUpdate{Username: st.Username, Delete: true})
				}
			case !links.Due(desired, st.ConfirmedFP, st.FailedFP, st.NextAttemptAt, now):
				if res.waitUntil == nil || st.NextAttemptAt.Before(*res.waitUntil) {
					res.waitUntil = st.NextAttemptAt
				}
			default:
				m := modeOf(st.ConfirmedFP, desired)
				if batches[m] = append(batches[m], item{st, desired}); len(batches[m]) == w.e.cfg.BatchSize {
					dispatch(batches[m], m)
					batches[m] = nil
				}
			}
		}
		return !w.stopped(ctx)
	})
	if err != nil && ctx.Err() == nil {
		w.setFatal(err)
	}
	if !res.aborted && !w.stopped(ctx) {
		for m, b := range batches {
			dispatch(b, mode(m))
		}
	}
	wg.Wait()
	if len(empties) > 0 && !w.stopped(ctx) {
		w.record(ctx, links.BatchRecord{Updates: empties})
	}
	return res
}

// mode is what a batch asks of the panel.
type mode int

const (
	modePush   mode = iota // push the links (and their credentials)
	modeRemove             // remove the links and the group
	modeTokens             // give the existing links the account's new token (a rotation)
)

// tokenOnly reports whether a location's confirmed links differ from the
// desired ones only by the credential version: a rotation, pushed with
// UpdateLinkTokens. Sentinels and ” have no version.
func tokenOnly(confirmed, desired string) bool {
	i, j := strings.LastIndexByte(confirmed, ':'), strings.LastIndexByte(desired, ':')
	return i > 0 && j > 0 && confirmed[:i] == desired[:j] && confirmed != desired
}

// modeOf is how a due location is sent: removed (nothing desired), its
// token updated (a rotation), or pushed.
func modeOf(confirmed, desired string) mode {
	switch {
	case desired == "":
		return modeRemove
	case tokenOnly(confirmed, desired):
		return modeTokens
	}
	return modePush
}

// send makes one WHM request for a batch, frees its slot (done) and records
// the answers. An account whose link token cannot be unsealed is refused
// without a request.
func (w *worker) send(ctx context.Context, batch []item, m mode, done func()) {
	var once sync.Once
	free := func() { once.Do(done) }
	defer free()
	var rec links.BatchRecord
	pushed, failed := 0, 0
	tally := func(u links.LinkStateUpdate, err error) {
		rec.Updates = append(rec.Updates, u)
		if err == nil {
			pushed++
		} else if u.Failed {
			failed++
		}
	}
	removal := m == modeRemove
	call, sent, tokens := w.request(batch, m, tally)
	if len(sent) > 0 {
		res, err := w.call(ctx, call, len(sent))
		free()
		if ctx.Err() != nil {
			return // stopped: nothing is recorded, the next holder sends again
		}
		w.noteRequest(err)
		for i, it := range sent {
			aerr := err
			if err == nil {
				aerr = res[i].Err
			}
			if m == modeTokens && errors.Is(aerr, links.ErrLinkMissing) {
				// A link is missing: the next pass pushes the account in full.
				rec.Updates = append(rec.Updates, links.LinkStateUpdate{Username: it.st.Username, ReadFP: it.st.ConfirmedFP,
					ConfirmedFP: links.ConfirmedRepair, Attempts: it.st.Attempts})
				continue
			}
			tally(w.outcome(it, aerr, err != nil, tokens[i]), aerr)
		}
	}
	free()
	if w.record(ctx, rec) {
		w.e.countAccounts(w.srv.Module, removal, pushed, failed)
	}
}

// request builds the panel call of a batch: the accounts sent and, for
// pushes and token updates, their unsealed tokens (in the same order). An
// account whose link token cannot be unsealed is refused (tally) and not
// sent.
func (w *worker) request(batch []item, m mode, tally func(links.LinkStateUpdate, error)) (
	call func(context.Context) ([]links.AccountResult, error), sent []item, tokens []string) {
	if m == modeRemove {
		req := w.app.remove
		for _, it := range batch {
			req.Usernames = append(req.Usernames, it.st.Username)
		}
		return func(ctx context.Context) ([]links.AccountResult, error) {
			return w.panel.RemoveLinks(ctx, w.srv.Conn, req)
		}, batch, make([]string, len(batch))
	}
	req := w.app.push
	treq := links.TokenRequest{}
	for _, l := range w.app.push.Links {
		treq.Apps = append(treq.Apps, l.App)
	}
	for _, it := range batch {
		token, err := w.e.store.OpenLinkToken(*it.st.ServiceID, it.st.TokenSealed)
		if err != nil {
			err = errors.New("its link credential could not be read")
			tally(w.outcome(it, err, false, ""), err)
			continue
		}
		sent, tokens = append(sent, it), append(tokens, token)
		req.Accounts = append(req.Accounts, links.AccountCreds{Username: it.st.Username, SubscriberUniqueID: it.st.SubscriberUniqueID,
			Token: token, ServiceID: *it.st.ServiceID})
		treq.Accounts = append(treq.Accounts, links.AccountToken{Username: it.st.Username, Token: token})
	}
	return func(ctx context.Context) ([]links.AccountResult, error) {
		if m == modeTokens {
			return w.panel.UpdateLinkTokens(ctx, w.srv.Conn, treq)
		}
		return w.panel.PushLinks(ctx, w.srv.Conn, req)
	}, sent, tokens
}

// call sends a request, retrying transport failures with backoff.
func (w *worker) call(ctx context.Context, fn func(context.Context) ([]links.AccountResult, error), n int) ([]links.AccountResult, error) {
	for attempt := 1; ; attempt++ {
		res, err := fn(ctx)
		if err == nil && len(res) != n {
			err = fmt.Errorf("the panel answered for %d accounts instead of %d", len(res), n)
		}
		if err == nil || !links.IsTemporary(err) || attempt >= w.e.cfg.MaxAttempts || ctx.Err() != nil {
			return res, err
		}
		if sleep(ctx, w.e.backoff(attempt)) != nil {
			return nil, ctx.Err()
		}
	}
}

// noteRequest counts the whole requests failed in a row; abortAfter of them
// give the server up for now.
func (w *worker) noteRequest(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		w.streak = 0
		return
	}
	if w.streak++; w.streak >= abortAfter && w.gaveUp == nil {
		w.gaveUp = fmt.Errorf("%d requests in a row failed (%w)", abortAfter, err)
	}
}

// outcome is what an answer does to a location: confirmed at the pushed
// fingerprint, or a refusal (whole: the request failed as a whole) that
// backs off, terminal after MaxAttempts.
func (w *worker) outcome(it item, err error, whole bool, token string) links.LinkStateUpdate {
	st := it.st
	u := links.LinkStateUpdate{Username: st.Username, ReadFP: st.ConfirmedFP}
	if err == nil {
		u.ConfirmedFP, u.Done = it.desired, true
		if it.desired != "" {
			u.ServiceID, u.CredVersion = *st.ServiceID, st.CredVersion
		}
		return u
	}
	attempts := st.Attempts + 1
	if st.FailedFP != "" {
		attempts = 1 // terminal at another desired state: tried anew
	}
	u.ConfirmedFP, u.Attempts, u.LastError = st.ConfirmedFP, attempts, scrub(err.Error(), token)
	what := "was refused"
	if whole {
		what = "was not updated"
	}
	var msg string
	if attempts >= w.e.cfg.MaxAttempts {
		u.FailedFP, u.Failed = it.desired, true
		u.Event = w.accountEvent(links.EventAccountFailed, st, func(d *links.AccountEventData) { d.Error = u.LastError })
		msg = fmt.Sprintf("Account %s on server %s %s: %s (gave up after %d attempts).", st.Username, w.srv.Name, what, u.LastError, attempts)
	} else {
		d := w.e.backoff(attempts)
		next := time.Now().Add(d)
		u.NextAttemptAt = &next
		msg = fmt.Sprintf("Account %s on server %s %s, will retry in %s (attempt %d of %d): %s", st.Username, w.srv.Name, what,
			d, attempts, w.e.cfg.MaxAttempts, u.LastError)
	}
	e := warning(w.id, st.ServiceID, msg)
	u.Entry = &e
	return u
}

// record writes a batch record for the pass's progress row and operation;
// false when it failed (a lost lease stops the worker).
func (w *worker) record(ctx context.Context, rec links.BatchRecord) bool {
	rec.ServerID, rec.Owner, rec.OperationID, rec.Module = w.id, w.owner, w.opID, w.srv.Module
	if w.task != nil && w.task.Checked {
		rec.TaskID = w.task.ID
	}
	_, err := w.e.store.RecordBatch(ctx, w.e.cfg.LeaseTTL, rec)
	switch {
	case errors.Is(err, links.ErrLeaseLost):
		w.e.logger.Warn("lost the lease of a server", "server", w.id)
		w.cancel()
	case err != nil && ctx.Err() == nil:
		w.setFatal(err)
	}
	return err == nil
}

// giveUp ends the work on a server whose support check failed, or after
// abortAfter whole requests failed in a row: the open progress row fails
// (each account left out of date named in a warning of its own once the
// row started), and the server is due again after a backoff.
func (w *worker) giveUp(ctx context.Context) []int64 {
	cause := w.gaveUp.Error()
	defer w.wakeAfterGiveUp(ctx)
	gaveUp := warning(w.id, nil, fmt.Sprintf("Gave up on server %s after %s; it is tried again later.", w.srv.Name, cause))
	switch {
	case w.task == nil:
		w.record(ctx, links.BatchRecord{Entries: []links.LogEntry{gaveUp}})
		return nil
	case !w.task.Checked:
		start := entry(links.LevelDebug, w.id, fmt.Sprintf("Started %s of server %s (%s).", kindName(w.task.Kind), w.srv.Name, w.srv.Hostname))
		st := links.TaskStep{Task: *w.task, ServerID: w.id, Start: true, State: links.TaskFailed, Entries: []links.LogEntry{start, gaveUp}}
		if _, err := w.e.store.StepTask(ctx, w.owner, w.e.cfg.LeaseTTL, st); err != nil {
			w.e.logger.Warn("give a server up", "server", w.id, "err", err)
			return nil
		}
		return []int64{w.task.OperationID}
	}
	why := "the server was given up after " + cause
	var named []links.LogEntry
	total := 0
	flush := func(final bool) error {
		st := links.TaskStep{Task: *w.task, ServerID: w.id, AccountsFailed: len(named), Entries: named}
		if final {
			t, err := w.e.store.OpenTask(ctx, w.id)
			if links.ErrorCode(err) == links.ENOTFOUND {
				return nil
			} else if err != nil || t.ID != w.task.ID {
				return err
			}
			st.State = links.TaskFailed
			st.Entries = append(st.Entries, warning(w.id, nil, fmt.Sprintf(
				"Gave up on server %s after %s (%d accounts not tried, each named in a warning); it is tried again later.", w.srv.Name, cause, total)),
				w.finishedEntry(t, len(named)))
		}
		_, err := w.e.store.StepTask(ctx, w.owner, w.e.cfg.LeaseTTL, st)
		named = nil
		return err
	}
	err := w.walk(ctx, func(page []links.LinkState) bool {
		for _, st := range page {
			if links.OutOfDate(w.desired(st), st.ConfirmedFP, st.FailedFP) {
				named = append(named, warning(w.id, st.ServiceID, fmt.Sprintf("Account %s on server %s was not updated: %s", st.Username, w.srv.Name, why)))
				total++
			}
		}
		if len(named) >= pageSize {
			return flush(false) == nil
		}
		return true
	})
	if err == nil {
		err = flush(true)
	}
	if err != nil {
		w.e.logger.Warn("give a server up", "server", w.id, "err", err)
		return nil
	}
	return []int64{w.task.OperationID}
}

// wakeAfterGiveUp makes a server given up due again after a backoff that
// grows with the give-ups in a row.
func (w *worker) wakeAfterGiveUp(ctx context.Context) {
	w.e.mu.Lock()
	w.e.giveUps[w.id]++
	n := w.e.giveUps[w.id]
	w.e.mu.Unlock()
	at := time.Now().Add(links.Backoff(w.e.cfg.RetryBase*4, 10*time.Minute, n))
	if err := w.e.store.WakeServer(ctx, w.id, w.owner, w.e.cfg.LeaseTTL, at); err != nil && ctx.Err() == nil {
		w.e.logger.Warn("wake a server later", "server", w.id, "err", err)
	}
}

func (e *Engine) countAccounts(module string, removal bool, done, failed int) {
	result := "pushed"
	if removal {
		result = "removed"
	}
	if done > 0 {
		e.metrics.accounts.WithLabelValues(module, result).Add(float64(done))
	}
	if failed > 0 {
		e.metrics.accounts.WithLabelValues(module, "failed").Add(float64(failed))
	}
}
