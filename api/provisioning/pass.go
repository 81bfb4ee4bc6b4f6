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

// batcher gathers locations into batches of BatchSize, one filling per
// mode, and sends each with at most PerServerCap requests in flight. A
// request's slot frees when send calls free (once the panel answered: the
// next request does not wait for the record) or returns.
type batcher struct {
	ctx   context.Context
	size  int
	slots chan struct{} // requests in flight: at most PerServerCap
	// unrecorded holds a place for each batch from its dispatch until its
	// answer is recorded, at most maxUnrecorded per cap slot: when the
	// database records slower than the panel answers, the walk waits
	// instead of keeping every answered batch of the server in memory.
	unrecorded chan struct{}
	wg         sync.WaitGroup
	open       [modeRead + 1][]links.Attempt
	send       func(batch []links.Attempt, m mode, free func())
}

// maxUnrecorded is how many batches per cap slot may be dispatched and not
// yet recorded.
const maxUnrecorded = 4

func (b *batcher) add(m mode, a links.Attempt) {
	if b.open[m] = append(b.open[m], a); len(b.open[m]) == b.size {
		b.dispatch(m)
	}
}

func (b *batcher) dispatch(m mode) {
	batch := b.open[m]
	if b.open[m] = nil; len(batch) == 0 {
		return
	}
	select {
	case b.unrecorded <- struct{}{}:
	case <-b.ctx.Done():
		return
	}
	select {
	case b.slots <- struct{}{}:
	case <-b.ctx.Done():
		<-b.unrecorded
		return
	}
	free := sync.OnceFunc(func() { <-b.slots })
	b.wg.Go(func() {
		defer func() { <-b.unrecorded }()
		defer free()
		b.send(batch, m, free)
	})
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

// passResult is what one walk of a server found.
type passResult struct {
	// complete: no newer intent opened a progress row meanwhile, and every
	// account sent was confirmed, and recorded so.
	complete  bool
	waitUntil *time.Time // the earliest retry of the locations in backoff
}

// pass walks the server's locations once, in key order. A push pass sends
// the out-of-date ones not in backoff in WHM batches (pushes, removals and
// token updates apart); a read pass (a verify) reads back the ones
// confirmed at their desired state.
func (w *worker) pass(ctx context.Context, read bool) passResult {
	var res passResult
	aborted, cut := false, false
	w.mu.Lock()
	w.unconfirmed, w.reading = false, read
	w.mu.Unlock()
	perServer := w.e.cfg.PerServerCap
	b := &batcher{ctx: ctx, size: w.e.cfg.BatchSize, slots: make(chan struct{}, perServer), unrecorded: make(chan struct{}, maxUnrecorded*perServer),
		send: func(batch []links.Attempt, m mode, free func()) { w.send(ctx, batch, m, free) }}
	sel, now := links.SelectOutOfDate, time.Now()
	if read {
		sel = links.SelectConfirmed
	}
	err := w.walk(ctx, sel, func(page []links.LinkState) bool {
		// Read after the page: if no newer intent is there now, the page
		// predates any, and a repair meanwhile voids its records.
		if changed, err := w.taskChanged(ctx); err != nil || changed {
			aborted = err == nil
			return false
		}
		for _, st := range page {
			w.sort(b, &res, read, st, now)
		}
		cut = w.stopped(ctx)
		return !cut
	})
	if err != nil {
		w.fail(ctx, "walk a server", err)
	}
	cut = cut || w.stopped(ctx) // then the open batches are not sent
	b.wait(!aborted && !cut)
	w.mu.Lock()
	res.complete = !aborted && !cut && !w.unconfirmed
	w.mu.Unlock()
	return res
}

// sort gives one location of a walk to the batcher, or notes its backoff
// in the result.
func (w *worker) sort(b *batcher, res *passResult, read bool, st links.LinkState, now time.Time) {
	a := links.Attempt{State: st, Desired: st.Desired, Server: w.srv.Name}
	switch {
	case read:
		b.add(modeRead, a)
	case !links.Due(a.Desired, st.ConfirmedFP, st.FailedFP, st.NextAttemptAt, now):
		if res.waitUntil == nil || st.NextAttemptAt.Before(*res.waitUntil) {
			res.waitUntil = st.NextAttemptAt
		}
	default:
		b.add(modeOf(st.ConfirmedFP, a.Desired), a)
	}
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
// without a request. A request that failed as a whole (after its retries)
// is answered for each account by blame.
func (w *worker) send(ctx context.Context, batch []links.Attempt, m mode, free func()) {
	if w.stopped(ctx) { // given up meanwhile: the rest of the page is not sent
		w.tally(nil, false, false)
		return
	}
	if m == modeRead {
		w.readBack(ctx, batch, free)
		return
	}
	var rec links.BatchRecord
	var sent []links.Attempt
	var creds []links.AccountCreds
	for _, a := range batch {
		c, err := w.creds(a.State, m)
		if err != nil {
			rec.Updates = append(rec.Updates, w.refused(a, errors.New("its link credential could not be read"), ""))
			continue
		}
		sent, creds = append(sent, a), append(creds, c)
	}
	unsent := false // an account got no answer: the server does not take such requests now
	if len(sent) > 0 {
		res, err := w.request(ctx, creds, m, w.e.cfg.MaxAttempts)
		if err != nil && ctx.Err() == nil {
			res = w.blame(ctx, creds, m, err)
		}
		if ctx.Err() != nil {
			return // stopped: nothing is recorded, the next holder sends again
		}
		if err == nil {
			w.noteRequest(nil)
		}
		for i, a := range sent {
			var ns notSent
			switch {
			case errors.As(res[i].Err, &ns) && w.task == nil && w.srv.GiveUps > 0:
				// Lifecycle work on a server given up before: its accounts
				// were named in the first round, not at every backoff.
				unsent = true
			case errors.As(res[i].Err, &ns):
				unsent = true
				rec.Entries = append(rec.Entries, a.NotSent(ns.error, creds[i].Token))
			case m == modeTokens && errors.Is(res[i].Err, links.ErrLinkMissing):
				rec.Updates = append(rec.Updates, a.Repair(nil)) // the next pass pushes it in full
			case m == modeRemove && errors.Is(res[i].Err, links.ErrNoAccount):
				rec.Updates = append(rec.Updates, w.confirmed(a, m)) // no account, no links
			case res[i].Err != nil:
				rec.Updates = append(rec.Updates, w.refused(a, res[i].Err, creds[i].Token))
			default:
				rec.Updates = append(rec.Updates, w.confirmed(a, m))
			}
		}
	}
	free()
	applied, ok := w.record(ctx, rec)
	w.tally(rec.Updates, m == modeRemove, ok && applied == len(rec.Updates) && !unsent)
}

// confirmed is a confirmed answer's update. Outside an operation (an
// account or a server changed) it is logged at Debug level, naming the
// account, so that View Log shows every lifecycle push.
func (w *worker) confirmed(a links.Attempt, m mode) links.LinkStateUpdate {
	u := a.Confirmed()
	if w.task == nil {
		e := a.State.Entry(links.LevelDebug, fmt.Sprintf("%s account %s on server %s.", confirmedWhat[m], a.State.Username, w.srv.Name))
		u.Entry = &e
	}
	return u
}

// confirmedWhat says what a confirmed answer of each sending mode did.
var confirmedWhat = map[mode]string{modePush: "Pushed the links of", modeRemove: "Removed the links of",
	modeTokens: "Updated the link token of"}

// refused is a refusal's update (links.Attempt.Refused) with its webhook
// event when the location became terminal.
func (w *worker) refused(a links.Attempt, err error, token string) links.LinkStateUpdate {
	p := links.RetryPolicy{Base: w.e.cfg.RetryBase, MaxAttempts: w.e.cfg.MaxAttempts}
	u := a.Refused(err, token, p, time.Now())
	if u.Failed {
		u.Event = w.accountEvent(links.EventAccountFailed, a.State, func(d *links.AccountEventData) { d.Error = u.LastError })
	}
	return u
}

// tally counts a sent batch's answers in the metrics, and notes a batch not confirmed whole (answered, all
// applied, every account done): the pass must walk again to tell what is
// left due.
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
			w.e.metrics.accounts.WithLabelValues(w.srv.Module, result).Inc()
		case u.Failed:
			w.e.metrics.accounts.WithLabelValues(w.srv.Module, "failed").Inc()
		}
	}
}

// readBack reads one batch of accounts (a verify), frees its slot and
// records the drift found: each account that differs gets a Notice naming
// the differences and is marked to repair, fenced by the fingerprint read.
func (w *worker) readBack(ctx context.Context, batch []links.Attempt, free func()) {
	req := links.ReadRequest{GroupID: w.app.Remove.GroupID, Prefix: w.e.cfg.LinkPrefix, Apps: w.app.Apps()}
	for _, a := range batch {
		req.Usernames = append(req.Usernames, a.State.Username)
	}
	found, err := retry(ctx, w, "read_links", w.e.cfg.MaxAttempts, func(ctx context.Context) ([]links.AccountLinks, error) {
		return w.panel.ReadLinks(ctx, w.srv.Conn, req)
	})
	err = answered(len(found), len(batch), err)
	free()
	if ctx.Err() != nil {
		return
	}
	w.noteRequest(err)
	var rec links.BatchRecord // its entries: one per account not read
	for i, a := range batch {
		aerr := err
		if aerr == nil {
			aerr = found[i].Err
		}
		switch {
		case a.Desired == "" && errors.Is(aerr, links.ErrNoAccount): // no account, no links: as desired
		case aerr != nil:
			rec.Entries = append(rec.Entries, a.State.Entry(links.LevelWarning, fmt.Sprintf(
				"Could not verify account %s on server %s: %v", a.State.Username, w.srv.Name, aerr)))
		default:
			if diffs := a.Drifted(w.app, found[i]); len(diffs) > 0 {
				rec.Updates = append(rec.Updates, w.driftFound(a, diffs))
			}
		}
	}
	if len(rec.Updates)+len(rec.Entries) > 0 {
		w.record(ctx, rec)
	}
	w.mu.Lock()
	w.verified.read += len(batch) - len(rec.Entries)
	w.verified.drifted += len(rec.Updates)
	w.verified.unreadable += len(rec.Entries)
	w.mu.Unlock()
}

// driftFound marks a drifted account to repair, with its Notice and event.
func (w *worker) driftFound(a links.Attempt, diffs []string) links.LinkStateUpdate {
	st := a.State
	n := st.Entry(links.LevelNotice, fmt.Sprintf("Account %s on server %s differs from its desired links (%s); it is repaired.",
		st.Username, w.srv.Name, strings.Join(diffs, "; ")))
	u := a.Repair(&n)
	u.Event = w.accountEvent(links.EventDriftFound, st, func(d *links.AccountEventData) { d.Differences = diffs })
	return u
}

// accountEvent is a webhook event about one account location; fill adds
// what is particular to its type.
func (w *worker) accountEvent(typ string, st links.LinkState, fill func(*links.AccountEventData)) *links.WebhookEvent {
	d := links.AccountEventData{Module: w.srv.Module, OperationID: w.opID, ServerID: w.id, ServerName: w.srv.Name,
		ServiceID: st.ServiceID, Username: st.Username}
	fill(&d)
	return &links.WebhookEvent{Type: typ, Time: time.Now(), Data: d}
}
