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

// item is one location with its desired fingerprint.
type item struct {
	st      links.LinkState
	desired string
}

// mode is what a batch asks of the panel.
type mode int

const (
	modePush   mode = iota // push the links (and their credentials)
	modeRemove             // remove the links and the group
	modeTokens             // give the existing links the account's new token (a rotation)
	modeRead               // read the links back (a verify)
)

// modeOf is how a due location is sent: removed (nothing desired), its
// token updated (a rotation), or pushed.
func modeOf(confirmed, desired string) mode {
	switch {
	case desired == "":
		return modeRemove
	case links.TokenOnly(confirmed, desired):
		return modeTokens
	}
	return modePush
}

// batcher gathers items into batches of BatchSize, one filling per mode,
// and sends each with at most PerServerCap requests in flight. A request's
// slot frees when send calls free (once the panel answered: the next
// request does not wait for the record) or returns.
type batcher struct {
	ctx   context.Context
	size  int
	slots chan struct{}
	wg    sync.WaitGroup
	open  [modeRead + 1][]item
	sent  int
	send  func(batch []item, m mode, free func())
}

func (w *worker) batcher(ctx context.Context, send func(batch []item, m mode, free func())) *batcher {
	return &batcher{ctx: ctx, size: w.e.cfg.BatchSize, slots: make(chan struct{}, w.e.cfg.PerServerCap), send: send}
}

func (b *batcher) add(m mode, it item) {
	if b.open[m] = append(b.open[m], it); len(b.open[m]) == b.size {
		b.dispatch(m)
	}
}

func (b *batcher) dispatch(m mode) {
	batch := b.open[m]
	if b.open[m] = nil; len(batch) == 0 {
		return
	}
	select {
	case b.slots <- struct{}{}:
	case <-b.ctx.Done():
		return
	}
	b.sent++
	free := sync.OnceFunc(func() { <-b.slots })
	b.wg.Go(func() { defer free(); b.send(batch, m, free) })
}

// wait sends the partial batches (when flush) and waits for every request.
func (b *batcher) wait(flush bool) {
	for m := range b.open {
		if flush {
			b.dispatch(mode(m))
		}
	}
	b.wg.Wait()
}

// stopped reports whether a walk must end: the worker stops (the engine
// stops, a write failed) or the server was given up.
func (w *worker) stopped(ctx context.Context) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return ctx.Err() != nil || w.gaveUp != nil || w.e.stopRequested()
}

// passResult is what one walk of a server found.
type passResult struct {
	aborted   bool       // a newer intent opened a progress row meanwhile
	sent      int        // requests sent
	confirmed bool       // every account sent was confirmed, and recorded so
	waitUntil *time.Time // the earliest retry of the locations in backoff
}

// pass walks the server's locations once, in key order (whole: the server
// as read for a start that applied, when it fits in one page), and sends the due ones in WHM
// batches (pushes, removals and token updates apart). Empty locations no
// service owns are dropped at the end.
func (w *worker) pass(ctx context.Context, whole []links.LinkState) passResult {
	var res passResult
	var empties []links.LinkStateUpdate
	w.mu.Lock()
	w.unconfirmed = false
	w.mu.Unlock()
	b := w.batcher(ctx, func(batch []item, m mode, free func()) { w.send(ctx, batch, m, free) })
	now := time.Now()
	send := func(page []links.LinkState) bool {
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
				b.add(modeOf(st.ConfirmedFP, desired), item{st, desired})
			}
		}
		return !w.stopped(ctx)
	}
	var err error
	if whole != nil {
		// Read before a start that applied, so before any newer intent: one
		// closes the older open rows in its transaction (and a targeted one
		// is refused while a row is open).
		send(whole)
	} else {
		err = w.walk(ctx, func(page []links.LinkState) bool {
			// Read after the page: if no newer intent is there now, the
			// page predates any, and a repair meanwhile voids its records.
			if changed, err := w.taskChanged(ctx); err != nil || changed {
				res.aborted = err == nil
				return false
			}
			return send(page)
		})
	}
	if err != nil {
		w.fail(ctx, "walk a server", err)
	}
	b.wait(!res.aborted && !w.stopped(ctx))
	if res.sent = b.sent; len(empties) > 0 && !w.stopped(ctx) {
		w.record(ctx, links.BatchRecord{Updates: empties})
	}
	w.mu.Lock()
	res.confirmed = !w.unconfirmed
	w.mu.Unlock()
	return res
}

// taskChanged reports whether the server's open progress row is no longer
// the one the pass started with: a newer intent (whose changes the pass
// must not count or miss).
func (w *worker) taskChanged(ctx context.Context) (bool, error) {
	t, err := links.Optional(w.e.store.OpenTask(ctx, w.id))
	if err != nil {
		w.fail(ctx, "read a progress row", err)
		return false, err
	}
	return (t == nil) != (w.task == nil) || (t != nil && t.ID != w.task.ID), nil
}

// send makes one WHM request for a batch, frees its slot and records the
// answers. An account whose link token cannot be unsealed is refused
// without a request.
func (w *worker) send(ctx context.Context, batch []item, m mode, free func()) {
	var rec links.BatchRecord
	var sent []item
	var tokens []string
	for _, it := range batch {
		var token string
		var err error
		if m != modeRemove {
			token, err = w.e.store.OpenLinkToken(*it.st.ServiceID, it.st.TokenSealed)
		}
		if err != nil {
			rec.Updates = append(rec.Updates, w.outcome(it, errors.New("its link credential could not be read"), false, ""))
			continue
		}
		sent, tokens = append(sent, it), append(tokens, token)
	}
	if len(sent) > 0 {
		res, err := w.request(ctx, sent, tokens, m)
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
			rec.Updates = append(rec.Updates, w.outcome(it, aerr, err != nil, tokens[i]))
		}
	}
	free()
	applied, ok := w.record(ctx, rec)
	w.tally(rec.Updates, m == modeRemove, ok && applied == len(rec.Updates))
}

// tally counts a sent batch's recorded answers (the progress row's figures,
// the metrics), and notes a batch not confirmed whole (all applied, every
// account done): the pass must walk again to tell what is left due.
func (w *worker) tally(updates []links.LinkStateUpdate, removal, allApplied bool) {
	result := "pushed"
	if removal {
		result = "removed"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.unconfirmed = w.unconfirmed || !allApplied
	for _, u := range updates {
		w.unconfirmed = w.unconfirmed || !u.Done
		switch {
		case u.Done:
			w.done++
			w.e.metrics.accounts.WithLabelValues(w.srv.Module, result).Inc()
		case u.Failed:
			w.failed++
			w.e.metrics.accounts.WithLabelValues(w.srv.Module, "failed").Inc()
		}
	}
}

// request sends the panel call of a batch (tokens in the same order as
// sent, for pushes and token updates).
func (w *worker) request(ctx context.Context, sent []item, tokens []string, m mode) ([]links.AccountResult, error) {
	var res []links.AccountResult
	var err error
	switch m {
	case modeRemove:
		req := w.app.Remove
		for _, it := range sent {
			req.Usernames = append(req.Usernames, it.st.Username)
		}
		res, err = retry(ctx, w, "remove_links", func(ctx context.Context) ([]links.AccountResult, error) {
			return w.panel.RemoveLinks(ctx, w.srv.Conn, req)
		})
	case modeTokens:
		req := links.TokenRequest{Apps: w.app.Apps()}
		for i, it := range sent {
			req.Accounts = append(req.Accounts, links.AccountToken{Username: it.st.Username, Token: tokens[i]})
		}
		res, err = retry(ctx, w, "update_link_tokens", func(ctx context.Context) ([]links.AccountResult, error) {
			return w.panel.UpdateLinkTokens(ctx, w.srv.Conn, req)
		})
	default:
		req := w.app.Push
		for i, it := range sent {
			req.Accounts = append(req.Accounts, links.AccountCreds{Username: it.st.Username, SubscriberUniqueID: it.st.SubscriberUniqueID,
				Token: tokens[i], ServiceID: *it.st.ServiceID})
		}
		res, err = retry(ctx, w, "push_links", func(ctx context.Context) ([]links.AccountResult, error) {
			return w.panel.PushLinks(ctx, w.srv.Conn, req)
		})
	}
	return res, answered(len(res), len(sent), err)
}

// answered checks that a panel answered for every account it was asked
// about.
func answered(got, want int, err error) error {
	if err == nil && got != want {
		err = fmt.Errorf("the panel answered for %d accounts instead of %d", got, want)
	}
	return err
}

// retry calls fn, timed by name, retrying transport failures with backoff
// (MaxAttempts tries in all).
func retry[T any](ctx context.Context, w *worker, name string, fn func(context.Context) (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		start := time.Now()
		v, err := fn(ctx)
		w.e.metrics.observe(name, start, err)
		if err == nil || !links.IsTemporary(err) || attempt >= w.e.cfg.MaxAttempts || sleep(ctx, w.e.backoff(attempt)) != nil {
			return v, err
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
// fingerprint (deleted: emptied and no service's), or a refusal (whole: the request failed as a whole) that
// backs off, terminal after MaxAttempts.
func (w *worker) outcome(it item, err error, whole bool, token string) links.LinkStateUpdate {
	st := it.st
	u := links.LinkStateUpdate{Username: st.Username, ReadFP: st.ConfirmedFP}
	if err == nil {
		u.ConfirmedFP, u.Done = it.desired, true
		if it.desired != "" {
			u.ServiceID, u.CredVersion = *st.ServiceID, st.CredVersion
		}
		// A location no service owns is dropped once emptied.
		u.Delete = it.desired == "" && st.ServiceID == nil
		return u
	}
	attempts := st.Attempts + 1
	if st.FailedFP != "" {
		attempts = 1 // terminal at another desired state: tried anew
	}
	u.ConfirmedFP, u.Attempts, u.LastError = st.ConfirmedFP, attempts, err.Error()
	if token != "" { // in case the panel echoed it
		u.LastError = strings.ReplaceAll(u.LastError, token, "[REDACTED]")
	}
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
