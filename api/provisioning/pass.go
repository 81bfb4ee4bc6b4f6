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
	aborted := false
	w.mu.Lock()
	w.unconfirmed = false
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
		return !w.stopped(ctx)
	})
	if err != nil {
		w.fail(ctx, "walk a server", err)
	}
	b.wait(!aborted && !w.stopped(ctx))
	w.mu.Lock()
	res.complete = !aborted && !w.unconfirmed
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
		c := links.AccountCreds{Username: a.State.Username, SubscriberUniqueID: a.State.SubscriberUniqueID}
		var err error
		if m != modeRemove {
			c.ServiceID = *a.State.ServiceID
			c.Token, err = w.e.store.OpenLinkToken(c.ServiceID, a.State.TokenSealed)
		}
		if err != nil {
			rec.Updates = append(rec.Updates, w.refused(a, errors.New("its link credential could not be read"), ""))
			continue
		}
		sent, creds = append(sent, a), append(creds, c)
	}
	unsent := false // an account got no answer: the server does not take such requests now
	if len(sent) > 0 {
		res, err := w.request(ctx, creds, m)
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

// notSent is the result of an account whose request failed as a whole
// while the server did not take such requests: no answer about it.
type notSent struct{ error }

// blame answers for each account of a request that failed as a whole with
// err: the request broke on some of its accounts, or the server does not
// take such requests now. The server takes them when a control request
// (see control) is answered, or else, when it answers a support check, one
// of the batch's accounts sent again alone (one try each, in the batch's
// slot) is answered. Then, if the server still answers a support check
// after the lone requests, an account whose lone request failed as a whole
// is refused: an account that breaks its requests fails alone (terminal
// after MaxAttempts). Otherwise (an outage, refused credentials, a panel
// failing every such request) none was sent: the rows are left as they
// were (no attempt counted: that fails no account for good), the pass walks
// again, and abortAfter such requests in a row give the server up.
func (w *worker) blame(ctx context.Context, creds []links.AccountCreds, m mode, err error) []links.AccountResult {
	res := make([]links.AccountResult, len(creds))
	takes := w.control(ctx, m)
	if !takes && !w.answers(ctx) {
		return w.unsent(res, err)
	}
	broke, failed := []error{err}, false // each account's lone request's failure
	if len(creds) > 1 {
		broke = make([]error, len(creds))
		for i := range creds {
			if w.stopped(ctx) { // given up meanwhile: the rest is not sent
				res[i].Err = notSent{err}
				continue
			}
			var one []links.AccountResult
			if one, broke[i] = w.once(ctx, creds[i:i+1], m); broke[i] == nil {
				res[i], takes = one[0], true
			}
			failed = failed || broke[i] != nil
		}
	}
	if !takes {
		return w.unsent(res, err)
	}
	if failed && !w.answers(ctx) { // the server stopped answering meanwhile
		w.noteRequest(err)
		for i, b := range broke {
			if b != nil {
				res[i].Err = notSent{b}
			}
		}
		return res
	}
	w.noteRequest(nil)
	for i, b := range broke {
		if b != nil {
			res[i].Err = fmt.Errorf("its request fails on this account alone (the same request for other accounts is answered): %w", b)
		}
	}
	return res
}

// unsent answers that no account was sent, and counts a request failed in
// a row.
func (w *worker) unsent(res []links.AccountResult, err error) []links.AccountResult {
	w.noteRequest(err)
	for i := range res {
		res[i] = links.AccountResult{Err: notSent{err}}
	}
	return res
}

// control makes a request of mode m, in one try, for an account the panel
// confirmed at its desired state (pushed, emptied or given its token again,
// unchanged: idempotent), and tells whether it was answered (false when the
// server has no such account among the first page).
func (w *worker) control(ctx context.Context, m mode) bool {
	page, err := w.e.store.LinkStatePage(ctx, w.app.Walk(w.id, links.SelectConfirmed), "", pageSize)
	if err != nil {
		return false
	}
	for _, st := range page {
		if (st.Desired == "") != (m == modeRemove) {
			continue
		}
		c := links.AccountCreds{Username: st.Username, SubscriberUniqueID: st.SubscriberUniqueID}
		if m != modeRemove {
			c.ServiceID = *st.ServiceID
			if c.Token, err = w.e.store.OpenLinkToken(c.ServiceID, st.TokenSealed); err != nil {
				continue
			}
		}
		_, err := w.once(ctx, []links.AccountCreds{c}, m)
		return err == nil
	}
	return false
}

// once makes one try of the panel call of a batch, timed.
func (w *worker) once(ctx context.Context, creds []links.AccountCreds, m mode) ([]links.AccountResult, error) {
	res, err := timed(ctx, w, modeCalls[m], func(ctx context.Context) ([]links.AccountResult, error) {
		return w.call(ctx, creds, m)
	})
	return res, answered(len(res), len(creds), err)
}

// answers reports whether the server answers a support check (one try).
func (w *worker) answers(ctx context.Context) bool {
	_, err := timed(ctx, w, "check_support", func(ctx context.Context) (links.Support, error) {
		return w.panel.CheckSupport(ctx, w.srv.Conn)
	})
	return err == nil
}

// confirmed is a confirmed answer's update. Outside an operation (an
// account or a server changed) it is logged at Debug level, naming the
// account, so that View Log shows every lifecycle push.
func (w *worker) confirmed(a links.Attempt, m mode) links.LinkStateUpdate {
	u := a.Confirmed()
	if w.task == nil {
		u.Entry = &links.LogEntry{Level: links.LevelDebug, ServerID: &w.id, ServiceID: a.State.ServiceID,
			Message: fmt.Sprintf("%s account %s on server %s.", confirmedWhat[m], a.State.Username, w.srv.Name)}
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

// tally counts a sent batch's recorded answers (the progress row's figures,
// the metrics), and notes a batch not confirmed whole (answered, all
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
			w.done++
			w.e.metrics.accounts.WithLabelValues(w.srv.Module, result).Inc()
		case u.Failed:
			w.failed++
			w.e.metrics.accounts.WithLabelValues(w.srv.Module, "failed").Inc()
		}
	}
}

// request sends the panel call of a batch, with retries (its request
// built in each try: retries are rare, and only the mode's own is built).
func (w *worker) request(ctx context.Context, creds []links.AccountCreds, m mode) ([]links.AccountResult, error) {
	res, err := retry(ctx, w, modeCalls[m], func(ctx context.Context) ([]links.AccountResult, error) {
		return w.call(ctx, creds, m)
	})
	return res, answered(len(res), len(creds), err)
}

// call makes one try of the panel call of a batch.
func (w *worker) call(ctx context.Context, creds []links.AccountCreds, m mode) ([]links.AccountResult, error) {
	switch m {
	case modeRemove:
		req := w.app.Remove
		for _, c := range creds {
			req.Usernames = append(req.Usernames, c.Username)
		}
		return w.panel.RemoveLinks(ctx, w.srv.Conn, req)
	case modeTokens:
		req := links.TokenRequest{Apps: w.app.Apps()}
		for _, c := range creds {
			req.Accounts = append(req.Accounts, links.AccountToken{Username: c.Username, Token: c.Token})
		}
		return w.panel.UpdateLinkTokens(ctx, w.srv.Conn, req)
	}
	req := w.app.Push
	req.Accounts = creds
	return w.panel.PushLinks(ctx, w.srv.Conn, req)
}

// modeCalls names the panel call of each sending mode (for the metrics).
var modeCalls = map[mode]string{modePush: "push_links", modeRemove: "remove_links", modeTokens: "update_link_tokens"}

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
		v, err := timed(ctx, w, name, fn)
		if err == nil || !links.IsTemporary(err) || attempt >= w.e.cfg.MaxAttempts {
			return v, err
		}
		t := time.NewTimer(links.Backoff(w.e.cfg.RetryBase, time.Minute, attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return v, err
		case <-t.C:
		}
	}
}

// timed calls fn once, timed by name (applinks_whm_call_duration_seconds).
func timed[T any](ctx context.Context, w *worker, name string, fn func(context.Context) (T, error)) (T, error) {
	start := time.Now()
	v, err := fn(ctx)
	w.e.metrics.observe(name, start, err)
	return v, err
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

// readBack reads one batch of accounts (a verify), frees its slot and
// records the drift found: each account that differs gets a Notice naming
// the differences and is marked to repair, fenced by the fingerprint read.
func (w *worker) readBack(ctx context.Context, batch []links.Attempt, free func()) {
	req := links.ReadRequest{GroupID: w.app.Remove.GroupID, Prefix: w.e.cfg.LinkPrefix, Apps: w.app.Apps()}
	for _, a := range batch {
		req.Usernames = append(req.Usernames, a.State.Username)
	}
	found, err := retry(ctx, w, "read_links", func(ctx context.Context) ([]links.AccountLinks, error) {
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
			rec.Entries = append(rec.Entries, entry(links.LevelWarning, w.id, a.State.ServiceID, fmt.Sprintf(
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
	n := links.LogEntry{Level: links.LevelNotice, ServerID: &w.id, ServiceID: st.ServiceID, Message: fmt.Sprintf(
		"Account %s on server %s differs from its desired links (%s); it is repaired.",
		st.Username, w.srv.Name, strings.Join(diffs, "; "))}
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
