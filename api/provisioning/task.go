package provisioning

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/applinks/applinks/api/links"
)

// spec is an operation's desired state, frozen at queue time.
type spec struct {
	// Links is the whole catalogue with its overrides; nil for a
	// deactivation (remove everything).
	Links []links.Link `json:"links,omitempty"`
}

func encodeSpec(sp spec) string {
	b, _ := json.Marshal(sp)
	return string(b)
}

// abortAfter is the number of whole requests in a row that may fail before
// the engine gives up on a server for this operation.
const abortAfter = 3

// plan is what a task does to each account: a push or a removal.
type plan struct {
	push   *links.PushRequest
	remove *links.RemoveRequest
}

// planFor turns the desired links into the panel request, without accounts.
func (e *Engine) planFor(ls []links.Link, remove bool) plan {
	if remove {
		apps := make([]string, len(links.Catalogue))
		for i, d := range links.Catalogue {
			apps[i] = e.app(d.Key)
		}
		return plan{remove: &links.RemoveRequest{GroupID: e.cfg.LinkPrefix, Apps: apps, Unbatched: e.cfg.Unbatched}}
	}
	req := links.PushRequest{Group: links.GroupSpec{ID: e.cfg.LinkPrefix, Label: e.cfg.GroupLabel, Order: 100}, Unbatched: e.cfg.Unbatched}
	for _, l := range ls {
		if !l.Enabled {
			req.Remove = append(req.Remove, e.app(l.Key))
			continue
		}
		spec := links.LinkSpec{
			App: e.app(l.Key), Label: l.Label, Order: l.Order, Implements: l.Implements,
			AutologinTokenURL: e.cfg.PublicURL + "/sso/cpanel/token?destination=" + url.QueryEscape(l.Key),
			URL:               e.loginURL(l.Route),
		}
		if strings.Contains(l.Route, ":serviceId") {
			// The fallback continues to the account's own service page;
			// without a known service, to the service list.
			d := links.LinkDef{Route: l.Route}
			spec.URL = e.loginURL("/portal/services")
			spec.ServiceURL = func(id int64) string { return e.loginURL(d.RouteFor(strconv.FormatInt(id, 10))) }
		}
		req.Links = append(req.Links, spec)
	}
	return plan{push: &req}
}

// loginURL is the client-area login that continues to route: a link's
// fallback when the autologin call fails.
func (e *Engine) loginURL(route string) string {
	return e.cfg.PublicURL + "/portal/login?next=" + url.QueryEscape(route)
}

func (e *Engine) app(key string) string { return e.cfg.LinkPrefix + "_" + key }

// batchResult is what one panel request did.
type batchResult struct {
	accounts []links.PushAccount
	results  []links.AccountResult
	err      error // the whole request failed
	done     chan struct{}
}

// runTask works one claimed task. finished says the task reached a final
// state (so its operation may be complete); an error means the worker could
// not go on (database trouble) and the task is retried later from its cursor.
func (e *Engine) runTask(ctx context.Context, ct *claim) (finished bool, err error) {
	t := ct.Task
	if t.ServerName == "" {
		t.ServerName = fmt.Sprintf("#%d", t.ServerID)
	}
	ct.Task = t
	panel, ok := e.panels[ct.Operation.Module]
	if !ok {
		return e.finishTask(ctx, ct, links.TaskFailed, 0, 0, warning(t.ServerID, nil, fmt.Sprintf("No panel type handles the module %q.", ct.Operation.Module)))
	}
	var conn links.ServerConn
	if ct.Conn != nil {
		conn = *ct.Conn
	} else {
		conn, err = e.store.ServerConn(ctx, t.ServerID)
	}
	if links.ErrorCode(err) == links.ENOTFOUND {
		return e.finishTask(ctx, ct, links.TaskFailed, 0, 0, warning(t.ServerID, nil, fmt.Sprintf("Server %s was deleted: skipped.", t.ServerName)))
	} else if err != nil {
		return false, err
	}
	if ct.Operation.Kind == links.OpAccountSync {
		return e.runAccountSync(ctx, ct, panel, conn)
	}
	var sp spec
	if err := json.Unmarshal([]byte(ct.Spec), &sp); err != nil {
		return e.finishTask(ctx, ct, links.TaskFailed, 0, 0, warning(t.ServerID, nil, "The operation's specification is unreadable: "+err.Error()))
	}
	// The accounts are read, and their batches built, ahead from the
	// start, so that the first batches are ready to go when the support
	// check answers; the reading waits until the check's first request is
	// on the wire, so that when a run starts every server's check goes out
	// first.
	pl := e.planFor(sp.Links, sp.Links == nil)
	checking := newGate()
	rd := e.readAccounts(ctx, t.ServerID, t.Cursor, checking.c, &lull{}, func(accts []links.PushAccount) links.PreparedCall {
		return e.prepare(panel, conn, pl, accts)
	})
	defer rd.close()
	var chk *checked
	if !t.Checked {
		var done bool
		began := time.Now()
		chk, done, err = e.checkServer(ctx, ct, panel, conn, checking)
		if done || err != nil {
			return done, err
		}
		rd.lull.answeredIn(time.Since(began))
	}
	checking.open()
	return e.pushServer(ctx, ct, rd, pl, chk)
}

// gate is a channel closed once, by the first of its openers.
type gate struct {
	c    chan struct{}
	once sync.Once
}

func newGate() *gate { return &gate{c: make(chan struct{})} }

func (g *gate) open() { g.once.Do(func() { close(g.c) }) }

// background runs fn, CPU-bound work ahead of its need (building the
// requests of the batches read ahead), in one of the slots of such work: it
// takes at most GOMAXPROCS-1 CPUs, the others left to sending requests and
// reading answers. (Database reads wait on the database: they take no slot.)
func (e *Engine) background(fn func()) {
	e.prep <- struct{}{}
	defer func() { <-e.prep }()
	fn()
}

// accountReader reads a task's accounts ahead of its batches, PerServerCap
// batches at a time, and builds their requests: up to PerServerCap of them
// wait ready, so that the answers of a round of requests are followed at
// once by as many new ones (nothing left to build then), and the database
// read is off the requests' path. The memory stays bounded whatever the
// server's size.
//
// A reader that is ahead (its ready batches all waiting, the next one built
// and blocked) waits for the lull when that one gets in: the ready ones are
// being taken for a round of requests.
type accountReader struct {
	batches chan readyBatch
	err     error // why the batches ended early, set before they close
	lull    *lull
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// lull paces a task's work off the requests' path: reading and building its
// next batches, committing answers. While a round of requests is being sent
// (with every other server's round), the CPUs and the database are busy
// with it, and none of that work is needed before the round's answers,
// about one answer time later. So it waits half an answer time (at most
// maxLull): the reader from when the round takes its ready batches, a
// commit from when the task's last request left. A server that answers
// within 2 ms has no lull worth a timer's millisecond.
type lull struct {
	half     atomic.Int64 // half the server's last answer time, see answeredIn (ns)
	lastSend atomic.Int64 // when the task's last request left, since lullEpoch (ns)
}

// maxLull bounds the wait for the lull; minLull is the shortest worth one.
const (
	maxLull = 20 * time.Millisecond
	minLull = time.Millisecond
)

// lullEpoch makes the lull's times monotonic: a wall clock stepped back
// cannot stretch a wait.
var lullEpoch = time.Now()

// answeredIn records how long the server took to answer: the support check,
// or a request with its retries (either way capped by maxLull).
func (l *lull) answeredIn(d time.Duration) {
	h := min(d/2, maxLull)
	if h < minLull {
		h = 0
	}
	l.half.Store(int64(h))
}

// sent records that a request left at t.
func (l *lull) sent(t time.Time) { l.lastSend.Store(int64(t.Sub(lullEpoch))) }

// halfAnswer is how long the lull takes to begin: half the server's last
// answer time, at most maxLull, none under minLull.
func (l *lull) halfAnswer() time.Duration { return time.Duration(l.half.Load()) }

// begins is when the lull of the task's last round begins.
func (l *lull) begins() time.Time {
	return lullEpoch.Add(time.Duration(l.lastSend.Load()) + l.halfAnswer())
}

// readyBatch is a batch's accounts and its request, built.
type readyBatch struct {
	accounts []links.PushAccount
	call     links.PreparedCall
}

func (e *Engine) readAccounts(ctx context.Context, serverID, cursor int64, start <-chan struct{}, l *lull, prepare func([]links.PushAccount) links.PreparedCall) *accountReader {
	r := &accountReader{batches: make(chan readyBatch, e.cfg.PerServerCap), lull: l, stop: make(chan struct{}), done: make(chan struct{})}
	limit := e.cfg.BatchSize * e.cfg.PerServerCap
	go func() {
		defer close(r.done)
		defer close(r.batches)
		select {
		case <-start:
		case <-r.stop:
			return
		case <-ctx.Done():
			return
		}
		for {
			chunk, err := e.store.PushAccounts(ctx, serverID, cursor, limit)
			if err != nil {
				r.err = err
				return
			}
			for rest := chunk; len(rest) > 0; {
				n := min(e.cfg.BatchSize, len(rest))
				accts := rest[:n:n]
				rest = rest[n:]
				var call links.PreparedCall
				e.background(func() { call = prepare(accts) })
				select {
				case r.batches <- readyBatch{accts, call}:
					continue
				default: // ahead: the ready batches all wait
				}
				select {
				case r.batches <- readyBatch{accts, call}:
				case <-r.stop:
					return
				case <-ctx.Done():
					return
				}
				// The one blocked got in: the round is being taken. (After
				// the task's last batch there is nothing to wait for.)
				if last := len(rest) == 0 && len(chunk) < limit; !last && !r.wait(ctx, l.halfAnswer()) {
					return
				}
			}
			if len(chunk) < limit {
				return // that was the last
			}
			cursor = chunk[len(chunk)-1].ServiceID
		}
	}()
	return r
}

// wait pauses the reader for d; false when it was stopped meanwhile.
func (r *accountReader) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.stop:
		return false
	case <-ctx.Done():
		return false
	}
}

// close stops the reading and waits for the reader to end.
func (r *accountReader) close() {
	r.once.Do(func() { close(r.stop) })
	<-r.done
}

// checkServer runs the support check. A server without support, or that
// cannot be checked, ends the task there (done); a supported one gives the
// outcome to commit with the first batches.
func (e *Engine) checkServer(ctx context.Context, ct *claim, panel links.Panel, conn links.ServerConn, sent *gate) (*checked, bool, error) {
	t := ct.Task
	start := entry(links.LevelDebug, t.ServerID, fmt.Sprintf("Started %s of server %s (%s).", kindName(ct.Operation.Kind), t.ServerName, conn.Hostname))
	// The accounts are counted while the panel answers the check; the
	// server's support is recorded by the task's next commit.
	var side sync.WaitGroup
	defer side.Wait()
	var total int
	var countErr error
	side.Go(func() {
		select {
		case <-ctx.Done():
			countErr = ctx.Err()
		case <-sent.c:
			total, countErr = e.store.CountPushAccounts(ctx, t.ServerID)
		}
	})
	var sup links.Support
	var err error
	// The check's requests may go at once within the per-server cap: no
	// batch of this task is in flight yet.
	checkCtx := httptrace.WithClientTrace(links.WithServerConcurrency(ctx, e.cfg.PerServerCap),
		&httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { sent.open() }})
	for attempt := 1; ; attempt++ {
		sup, err = panel.CheckSupport(checkCtx, conn)
		if err == nil || !links.IsTemporary(err) || attempt >= e.cfg.MaxAttempts || ctx.Err() != nil {
			break
		}
		if sleep(ctx, e.backoff(attempt)) != nil {
			break
		}
	}
	// (A panel whose requests are not HTTP ones never opened the gate.)
	sent.open()
	if ctx.Err() != nil {
		return nil, false, ctx.Err()
	}
	if err != nil {
		done, err := e.finishTask(ctx, ct, links.TaskFailed, 0, 0, start,
			warning(t.ServerID, nil, fmt.Sprintf("Server %s could not be checked for application links support: %s", t.ServerName, err)))
		return nil, done, err
	}
	check := &links.ServerCheck{ServerID: t.ServerID, Support: sup, At: time.Now()}
	if !sup.Supported {
		done, err := e.finish(ctx, ct, links.TaskProgress{State: links.TaskUnsupported, Check: check, Entries: []links.LogEntry{start,
			entry(links.LevelInfo, t.ServerID, fmt.Sprintf("Server %s does not support application links: %s.", t.ServerName, strings.TrimSuffix(sup.Reason, ".")))}})
		return nil, done, err
	}
	side.Wait()
	if countErr != nil {
		return nil, false, countErr
	}
	ct.Task.Checked, ct.Task.AccountsTotal = true, total
	return &checked{total: total, start: start, check: check}, false, nil
}

// checked is a passed support check, recorded with the task's first commit
// after it (see into), so that the first batches go out at once and the
// check costs no commit of its own.
type checked struct {
	total int
	start links.LogEntry
	check *links.ServerCheck
}

// into adds the check to a progress commit: the task checked and
// supported, its accounts counted, its start entry first, and the server's
// support.
func (c *checked) into(p *links.TaskProgress) {
	p.Checked, p.Supported, p.AccountsTotal, p.Check = true, true, c.total, c.check
	p.Entries = append([]links.LogEntry{c.start}, p.Entries...)
}

// claim is a claimed task as its worker holds it.
type claim struct {
	*links.ClaimedTask
	// leaseHeard: Config.OnLease has heard the lease given up.
	leaseHeard bool
	// released: a final commit gave the leases up (no ReleaseLease).
	released atomic.Bool
}

// leaseEnds tells Config.OnLease, once, that the worker is done with the
// server (before the commit that gives its lease up, so that a hook never
// sees two holders at once).
func (e *Engine) leaseEnds(ct *claim) {
	if !ct.leaseHeard && e.cfg.OnLease != nil {
		e.cfg.OnLease(ct.Task.ServerID, ct.Owner, false)
	}
	ct.leaseHeard = true
}

// finishTask commits the task's final state with its last entries.
func (e *Engine) finishTask(ctx context.Context, ct *claim, state string, done, failed int, entries ...links.LogEntry) (bool, error) {
	return e.finish(ctx, ct, links.TaskProgress{State: state, AccountsDone: done, AccountsFailed: failed, Entries: entries})
}

// finish commits the task's final state p (the task's ids are filled in
// here) and gives the leases up with it.
func (e *Engine) finish(ctx context.Context, ct *claim, p links.TaskProgress) (bool, error) {
	p.TaskID, p.OperationID, p.Module, p.Owner = ct.Task.ID, ct.Operation.ID, ct.Operation.Module, ct.Owner
	switch {
	case ct.Operation.Kind == links.OpAccountSync:
		p.Checked, p.Supported, p.AccountsTotal = true, true, 1
	case !ct.Task.Checked && p.State != links.TaskDone:
		p.Checked = true
	}
	if _, err := e.commitFinal(ctx, ct, p); err != nil {
		return false, err
	}
	return true, nil
}

// commitFinal commits a final state p and gives the task's and the
// server's leases up in the same transaction.
func (e *Engine) commitFinal(ctx context.Context, ct *claim, p links.TaskProgress) (string, error) {
	p.ReleaseServer = ct.Task.ServerID
	e.leaseEnds(ct)
	state, err := e.store.CommitProgress(ctx, p)
	if err == nil {
		ct.released.Store(true)
	}
	return state, err
}

// finishedEntry is the entry that ends the task of a server, with its
// accounts done and failed in all.
func finishedEntry(t links.ServerTask, done, failed int) links.LogEntry {
	took := time.Duration(0)
	if t.StartedAt != nil {
		took = time.Since(*t.StartedAt)
	}
	return entry(links.LevelDebug, t.ServerID, fmt.Sprintf("Finished server %s: %d accounts done, %d failed, in %s.",
		t.ServerName, done, failed, took.Round(time.Millisecond)))
}

// pushServer pushes (or removes) the links on every qualifying account of the
// server after the task's cursor: up to PerServerCap batches in flight, a new
// one sent as soon as one answers. The answers are committed in order, off
// the requests' path (in the lull of each round but the last), each commit
// taking every batch answered by then in one transaction with its counters
// and warnings. A passed support check (chk) rides on the first commit.
func (e *Engine) pushServer(ctx context.Context, ct *claim, rd *accountReader, pl plan, chk *checked) (bool, error) {
	t := ct.Task
	stop := make(chan struct{})
	var stopOnce bool
	halt := func() {
		if !stopOnce {
			stopOnce = true
			close(stop)
		}
	}
	// Answered batches wait here for their commit; while the database is
	// slower than the panel, up to twice the cap of them.
	queue := make(chan *batchResult, 2*e.cfg.PerServerCap)
	inFlight := make(chan struct{}, e.cfg.PerServerCap)
	var loadErr error
	go func() {
		defer close(queue)
		for {
			var next readyBatch
			var ok bool
			select {
			case next, ok = <-rd.batches:
				if !ok {
					loadErr = rd.err
				}
			case <-stop:
			}
			if !ok {
				return
			}
			select {
			case <-stop:
				return
			case <-e.stopping:
				return
			case inFlight <- struct{}{}:
			}
			// The process's request slot is taken here, not by the
			// request's goroutine: while the slots are all busy, a task
			// holds no more built requests than its ready ones and this.
			select {
			case <-stop:
				<-inFlight
				return
			case <-e.stopping:
				<-inFlight
				return
			case e.requests <- struct{}{}:
			}
			b := &batchResult{accounts: next.accounts, done: make(chan struct{})}
			select {
			case queue <- b:
			case <-stop: // given up or superseded while the queue was full
				<-e.requests
				<-inFlight
				return
			}
			go func() {
				defer close(b.done)
				defer func() { <-inFlight }()
				sent := time.Now()
				rd.lull.sent(sent)
				b.results, b.err = e.callPanel(ctx, next.call, len(next.accounts))
				rd.lull.answeredIn(time.Since(sent))
			}()
		}
	}()

	// gaveUp holds the longest run of whole requests failed in a row once
	// it reached abortAfter: the task stops there, even if a request still
	// in flight then succeeds.
	var done, failed, failStreak, gaveUp int
	cursor := t.Cursor // the last account committed
	var lastFailure error
	var commitErr error
	superseded := false
	var next *batchResult  // taken from the queue, not yet answered
	var closed, ended bool // the queue seen closed; the task ended in the loop
	for {
		b := next
		next = nil
		if b == nil {
			var ok bool
			if b, ok = <-queue; !ok {
				break
			}
		}
		<-b.done
		var group []*batchResult
		group, next, closed = answeredBehind(queue, b)
		// The answers of one round of requests come within a few
		// milliseconds of each other: one commit for them all costs less
		// than one each, and delays nothing but the progress shown. A
		// commit takes at most what the queue holds, so that answers
		// streaming in (no latency) are still committed as they go.
		gather := func(linger time.Duration) {
			for next != nil && commitErr == nil && len(group) < cap(queue) && waitDone(ctx, next.done, linger) {
				var more []*batchResult
				more, next, closed = answeredBehind(queue, next)
				group = append(group, more...)
			}
		}
		gather(commitLinger)
		if commitErr != nil || ctx.Err() != nil {
			continue // drain
		}
		// A commit that does not end the task waits for the lull of the
		// round being sent; answers in by then join it (and if the queue
		// closed behind them meanwhile, the commit ends the task).
		if !closed || next != nil {
			if d := min(time.Until(rd.lull.begins()), maxLull); d > 0 {
				if sleep(ctx, d) != nil {
					continue // drain
				}
				if next == nil {
					group, next, closed = answered(queue, group)
				}
				gather(0)
			}
		}
		last := group[len(group)-1].accounts
		p := links.TaskProgress{TaskID: t.ID, OperationID: ct.Operation.ID, Module: ct.Operation.Module, Owner: ct.Owner,
			Cursor: last[len(last)-1].ServiceID}
		if chk != nil {
			chk.into(&p)
		}
		for _, b := range group {
			if b.err != nil {
				failStreak++
				lastFailure = b.err
				if failStreak >= abortAfter {
					gaveUp = max(gaveUp, failStreak)
				}
				p.AccountsFailed += len(b.accounts)
				for _, a := range b.accounts {
					p.Entries = append(p.Entries, notUpdated(t, a, b.err.Error()))
				}
				continue
			}
			failStreak = 0
			for i, r := range b.results {
				a := b.accounts[i]
				if r.Err != nil {
					p.AccountsFailed++
					p.Entries = append(p.Entries, warning(t.ServerID, &a.ServiceID,
						fmt.Sprintf("Account %s on server %s was refused: %s", a.Username, t.ServerName, scrub(r.Err.Error(), a.Creds.Token))))
				} else {
					p.AccountsDone++
				}
			}
		}
		// The last answers (nothing behind them, the queue closed) end the
		// task in the same commit, unless it went wrong or must stop: one
		// commit, and the leases given up with it.
		var state string
		var err error
		if final := closed && next == nil && gaveUp == 0 && loadErr == nil && !e.stopRequested(); final {
			p.State = links.TaskDone
			p.Entries = append(p.Entries, finishedEntry(t, t.AccountsDone+done+p.AccountsDone, t.AccountsFailed+failed+p.AccountsFailed))
			state, err = e.commitFinal(ctx, ct, p)
			ended = err == nil
		} else {
			state, err = e.store.CommitProgress(ctx, p)
		}
		if err != nil {
			commitErr = err
			halt()
			continue
		}
		chk = nil
		cursor = p.Cursor
		done += p.AccountsDone
		failed += p.AccountsFailed
		e.countAccounts(ct.Operation.Module, pl, p.AccountsDone, p.AccountsFailed)
		if state == links.TaskSuperseded {
			superseded = true
			halt()
		}
		if gaveUp > 0 {
			halt()
		}
	}
	halt()
	switch {
	case commitErr != nil:
		return false, commitErr
	case ended:
		return true, nil
	case ctx.Err() != nil:
		return false, ctx.Err()
	case loadErr != nil:
		return false, loadErr
	case superseded:
		return true, nil
	case e.stopRequested() && gaveUp == 0:
		return false, nil // not finished: another worker resumes from the cursor
	}
	prevDone, prevFailed := t.AccountsDone+done, t.AccountsFailed+failed
	if gaveUp > 0 {
		return e.giveUp(ctx, ct, cursor, gaveUp, lastFailure, prevDone, prevFailed)
	}
	final := links.TaskProgress{State: links.TaskDone, Entries: []links.LogEntry{finishedEntry(t, prevDone, prevFailed)}}
	if chk != nil {
		chk.into(&final) // no account to push: the check is recorded now
	}
	return e.finish(ctx, ct, final)
}

// notUpdated is the warning that names an account whose request failed as
// a whole, and why (the account's token scrubbed from it, in case a panel
// echoed it).
func notUpdated(t links.ServerTask, a links.PushAccount, why string) links.LogEntry {
	return warning(t.ServerID, &a.ServiceID, fmt.Sprintf("Account %s on server %s was not updated: %s", a.Username, t.ServerName, scrub(why, a.Creds.Token)))
}

// giveUpChunk is how many accounts left behind by a server given up one
// commit names.
const giveUpChunk = 500

// giveUp ends the task of a server that failed abortAfter whole requests in
// a row (streak, the last failure cause): the accounts after the committed
// cursor are not tried, each is named in a warning of its own and counts as
// failed (read and committed giveUpChunk at a time), then one more warning
// says why, and the task fails. done and failed are the task's counts so
// far.
func (e *Engine) giveUp(ctx context.Context, ct *claim, cursor int64, streak int, cause error, done, failed int) (bool, error) {
	t := ct.Task
	rest := 0
	for {
		accts, err := e.store.PushAccounts(ctx, t.ServerID, cursor, giveUpChunk)
		if err != nil {
			return false, err
		}
		if len(accts) == 0 {
			break
		}
		p := links.TaskProgress{TaskID: t.ID, OperationID: ct.Operation.ID, Module: ct.Operation.Module, Owner: ct.Owner,
			Cursor: accts[len(accts)-1].ServiceID, AccountsFailed: len(accts), Entries: make([]links.LogEntry, 0, len(accts))}
		why := fmt.Sprintf("the server was given up after %d failed requests in a row (%s)", streak, cause)
		for _, a := range accts {
			p.Entries = append(p.Entries, notUpdated(t, a, why))
		}
		if _, err := e.store.CommitProgress(ctx, p); err != nil {
			return false, err
		}
		e.metrics.accounts.WithLabelValues(ct.Operation.Module, "failed").Add(float64(len(accts)))
		rest += len(accts)
		cursor = p.Cursor
		if len(accts) < giveUpChunk {
			break
		}
	}
	return e.finishTask(ctx, ct, links.TaskFailed, 0, 0,
		warning(t.ServerID, nil, fmt.Sprintf("Gave up on server %s after %d failed requests in a row (%d accounts not tried, each named in a warning): %s",
			t.ServerName, streak, rest, scrub(cause.Error(), ""))),
		finishedEntry(t, done, failed+rest))
}

// commitLinger is how long an answered batch waits for the next one in
// flight to share its commit.
const commitLinger = 5 * time.Millisecond

// waitDone waits up to d for done to close; false if it did not.
func waitDone(ctx context.Context, done <-chan struct{}, d time.Duration) bool {
	select {
	case <-done:
		return true
	default:
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// answeredBehind returns the answered batch b with the batches queued behind
// it that are answered too, in order (one commit takes them all), and the
// first one taken from the queue that is not answered yet, if any; closed
// when it found the queue closed behind them.
func answeredBehind(queue <-chan *batchResult, b *batchResult) (group []*batchResult, next *batchResult, closed bool) {
	return answered(queue, []*batchResult{b})
}

// answered appends to group the batches of the queue answered by now, in
// order, and returns the first one taken that is not answered yet, if any;
// closed when it found the queue closed behind them.
func answered(queue <-chan *batchResult, group []*batchResult) (_ []*batchResult, next *batchResult, closed bool) {
	for {
		select {
		case nb, ok := <-queue:
			if !ok {
				return group, nil, true
			}
			select {
			case <-nb.done:
				group = append(group, nb)
			default:
				return group, nb, false
			}
		default:
			return group, nil, false
		}
	}
}

func (e *Engine) countAccounts(module string, pl plan, done, failed int) {
	result := "pushed"
	if pl.remove != nil {
		result = "removed"
	}
	if done > 0 {
		e.metrics.accounts.WithLabelValues(module, result).Add(float64(done))
	}
	if failed > 0 {
		e.metrics.accounts.WithLabelValues(module, "failed").Add(float64(failed))
	}
}

// prepare builds the request of one batch for the accounts, ahead of its
// turn when the panel can (the engine's panels are timedPanels, which can).
func (e *Engine) prepare(panel links.Panel, conn links.ServerConn, pl plan, accts []links.PushAccount) links.PreparedCall {
	pp, ok := panel.(links.Preparer)
	if !ok {
		pp = &timedPanel{Panel: panel, m: e.metrics}
	}
	if pl.remove != nil {
		req := *pl.remove
		req.Usernames = make([]string, len(accts))
		for i, a := range accts {
			req.Usernames[i] = a.Username
		}
		return pp.PrepareRemove(conn, req)
	}
	req := *pl.push
	req.Accounts = make([]links.AccountCreds, len(accts))
	for i, a := range accts {
		req.Accounts[i] = a.Creds
	}
	return pp.PreparePush(conn, req)
}

// callPanel sends one batch of n accounts, retrying transport failures with
// backoff. The global request slots bound the requests in flight of this
// process: the caller holds one for the first attempt, which gives it back.
func (e *Engine) callPanel(ctx context.Context, call links.PreparedCall, n int) ([]links.AccountResult, error) {
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			select {
			case e.requests <- struct{}{}:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		res, err := call.Run(ctx)
		<-e.requests
		if err == nil && len(res) != n {
			err = fmt.Errorf("the panel answered for %d accounts instead of %d", len(res), n)
		}
		if err == nil || !links.IsTemporary(err) || attempt >= e.cfg.MaxAttempts || ctx.Err() != nil {
			return res, err
		}
		if sleep(ctx, e.backoff(attempt)) != nil {
			return nil, ctx.Err()
		}
	}
}

// runAccountSync pushes the links of one account (with the application's
// current settings) or removes them, best effort: a failure is a warning.
func (e *Engine) runAccountSync(ctx context.Context, ct *claim, panel links.Panel, conn links.ServerConn) (bool, error) {
	t := ct.Task
	srv, err := e.store.Server(ctx, t.ServerID)
	if err != nil {
		return false, err
	}
	if !srv.Active || (srv.SupportsLinks != nil && !*srv.SupportsLinks) {
		return e.finishTask(ctx, ct, links.TaskDone, 0, 0, entry(links.LevelDebug, t.ServerID,
			fmt.Sprintf("Skipped account %s on server %s: the server is inactive or does not support application links.", t.Username, t.ServerName)))
	}
	var pl plan
	var accts []links.PushAccount
	if t.Action == links.ActionRemove {
		pl = e.planFor(nil, true)
		accts = []links.PushAccount{{Username: t.Username}}
		if t.ServiceID != nil {
			accts[0].ServiceID = *t.ServiceID
		}
	} else {
		enabled, settings, err := e.store.ApplicationSettings(ctx, ct.Operation.Module)
		if err != nil {
			return false, err
		}
		if !enabled || t.ServiceID == nil {
			return e.finishTask(ctx, ct, links.TaskDone, 0, 0)
		}
		a, err := e.store.PushAccount(ctx, t.ServerID, *t.ServiceID)
		if err != nil {
			return false, err
		}
		if a == nil {
			return e.finishTask(ctx, ct, links.TaskDone, 0, 0) // no longer qualifies
		}
		pl = e.planFor(links.ApplyLinkSettings(settings), false)
		accts = []links.PushAccount{*a}
	}
	select {
	case e.requests <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	res, err := e.callPanel(ctx, e.prepare(panel, conn, pl, accts), len(accts))
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	a := accts[0]
	var sid *int64
	if a.ServiceID != 0 {
		sid = &a.ServiceID
	}
	verb := "updated"
	if pl.remove != nil {
		verb = "cleaned up"
	}
	if err == nil && res[0].Err != nil {
		err = res[0].Err
	}
	if err != nil {
		e.countAccounts(ct.Operation.Module, pl, 0, 1)
		return e.finishTask(ctx, ct, links.TaskDone, 0, 1, warning(t.ServerID, sid,
			fmt.Sprintf("Account %s on server %s was not %s: %s", a.Username, t.ServerName, verb, scrub(err.Error(), a.Creds.Token))))
	}
	e.countAccounts(ct.Operation.Module, pl, 1, 0)
	return e.finishTask(ctx, ct, links.TaskDone, 1, 0)
}

// scrub removes a secret from a message, in case a panel echoed it.
func scrub(msg, secret string) string {
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "[REDACTED]")
	}
	return msg
}
