package provisioning

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/applinks/applinks/api/links"
)

// Verify opens a verify operation: each active server of the module reads
// its accounts' links back (ReadLinks, in WHM batches, within the
// per-server cap), compares them with what each account should carry, and
// marks the accounts that differ out of date, which the same worker then
// repairs. A conflict when the application is disabled, has no active
// server, or another operation of it is open.
func (e *Engine) Verify(ctx context.Context, module, by string) (links.Operation, error) {
	if _, err := application(module); err != nil {
		return links.Operation{}, err
	}
	enabled, _, err := e.store.ApplicationSettings(ctx, module)
	if err != nil {
		return links.Operation{}, err
	}
	if !enabled {
		return links.Operation{}, links.Errorf(links.ECONFLICT, "%s is disabled: there are no links to verify.", appName(module))
	}
	return e.targeted(ctx, module, links.OpVerify, by, "the links of "+appName(module), links.OpTarget{All: true,
		Resource: links.AuditApplication, ID: module, Action: links.AuditVerify})
}

// periodicVerify opens a verify of each enabled application whose last
// verify (or, before any, this process's start) is older than the
// interval. A conflict (another operation open, possibly another
// process's verify) skips the module until the next check.
func (e *Engine) periodicVerify(ctx context.Context, since time.Time) {
	for _, a := range links.Applications {
		enabled, _, err := e.store.ApplicationSettings(ctx, a.Module)
		if err != nil || !enabled {
			continue
		}
		last, err := e.store.LastOperationAt(ctx, a.Module, links.OpVerify)
		if err != nil {
			continue
		}
		from := since
		if last != nil && last.After(from) {
			from = *last
		}
		if time.Since(from) < e.cfg.VerifyInterval {
			continue
		}
		if _, err := e.Verify(ctx, a.Module, ""); err != nil && links.ErrorCode(err) != links.ECONFLICT && ctx.Err() == nil {
			e.logger.Warn("periodic verify", "module", a.Module, "err", err)
		}
	}
}

// verifyTally counts what a server's verify found.
type verifyTally struct {
	mu                        sync.Mutex
	read, drifted, unreadable int
}

// verify reads back the links of the server's accounts that are
// confirmed at their desired state, BatchSize accounts per WHM request
// with up to PerServerCap in flight; each account that differs gets a
// Notice naming it and the differences and is marked out of date (the
// repair sentinel), fenced by the confirmed fingerprint read. It ends with
// an Info entry with the counts.
func (w *worker) verify(ctx context.Context) {
	var tally verifyTally
	var wg sync.WaitGroup
	sem := make(chan struct{}, w.e.cfg.PerServerCap)
	dispatch := func(batch []item) {
		if len(batch) == 0 {
			return
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			w.verifyBatch(ctx, batch, &tally)
		})
	}
	var batch []item
	err := w.walk(ctx, func(page []links.LinkState) bool {
		for _, st := range page {
			if desired := w.desired(st); st.ServiceID != nil && desired == st.ConfirmedFP {
				if batch = append(batch, item{st, desired}); len(batch) == w.e.cfg.BatchSize {
					dispatch(batch)
					batch = nil
				}
			}
		}
		return !w.stopped(ctx)
	})
	if err == nil && !w.stopped(ctx) {
		dispatch(batch)
	}
	wg.Wait()
	if w.stopped(ctx) {
		return
	}
	w.record(ctx, links.BatchRecord{Entries: []links.LogEntry{entry(links.LevelInfo, w.id, fmt.Sprintf(
		"Verified %d accounts of server %s: %d differed from their desired links, %d could not be read.",
		tally.read, w.srv.Name, tally.drifted, tally.unreadable))}})
}

// verified runs the verify of the server and reports whether the worker
// may go on (false: it was stopped, gave the server up or failed).
func (w *worker) verified(ctx context.Context) bool {
	w.verify(ctx)
	return w.gaveUp == nil && w.fatal == nil && ctx.Err() == nil
}

// verifyBatch reads one batch of accounts and records the drift found.
func (w *worker) verifyBatch(ctx context.Context, batch []item, tally *verifyTally) {
	req := links.ReadRequest{GroupID: w.app.remove.GroupID, Prefix: w.e.cfg.LinkPrefix}
	for _, l := range w.app.push.Links {
		req.Apps = append(req.Apps, l.App)
	}
	for _, it := range batch {
		req.Usernames = append(req.Usernames, it.st.Username)
	}
	var found []links.AccountLinks
	var err error
	for attempt := 1; ; attempt++ {
		if found, err = w.panel.ReadLinks(ctx, w.srv.Conn, req); err == nil && len(found) != len(batch) {
			err = fmt.Errorf("the panel answered for %d accounts instead of %d", len(found), len(batch))
		}
		if err == nil || !links.IsTemporary(err) || attempt >= w.e.cfg.MaxAttempts || sleep(ctx, w.e.backoff(attempt)) != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return
	}
	w.noteRequest(err)
	var rec links.BatchRecord
	if err != nil {
		rec.Entries = append(rec.Entries, warning(w.id, nil, fmt.Sprintf("Could not verify accounts %s on server %s: %v",
			strings.Join(req.Usernames, ", "), w.srv.Name, err)))
	}
	read, drifted, unreadable := 0, 0, 0
	for i, it := range batch {
		if err != nil || found[i].Err != nil {
			unreadable++
			if err == nil {
				rec.Entries = append(rec.Entries, warning(w.id, it.st.ServiceID, fmt.Sprintf("Could not verify account %s on server %s: %v",
					it.st.Username, w.srv.Name, found[i].Err)))
			}
			continue
		}
		read++
		if u := w.drift(it, found[i]); u != nil {
			drifted++
			rec.Updates = append(rec.Updates, *u)
		}
	}
	tally.mu.Lock()
	tally.read, tally.drifted, tally.unreadable = tally.read+read, tally.drifted+drifted, tally.unreadable+unreadable
	tally.mu.Unlock()
	if len(rec.Updates)+len(rec.Entries) > 0 {
		w.record(ctx, rec)
	}
}

// drift compares one account with its desired links (none when its
// desired fingerprint is empty); when they differ it returns the update
// that marks it out of date, with its Notice.
func (w *worker) drift(it item, found links.AccountLinks) *links.LinkStateUpdate {
	var want []links.LinkSpec
	if it.desired != "" {
		want = w.app.push.Links
	}
	creds := links.AccountCreds{Username: it.st.Username, SubscriberUniqueID: it.st.SubscriberUniqueID, ServiceID: *it.st.ServiceID}
	diffs := links.Drift(w.app.push.Group, want, creds, found)
	if len(diffs) == 0 {
		return nil
	}
	n := links.LogEntry{Level: links.LevelNotice, ServerID: &w.id, ServiceID: it.st.ServiceID, Message: fmt.Sprintf(
		"Account %s on server %s differs from its desired links (%s); it is repaired.", it.st.Username, w.srv.Name, strings.Join(diffs, "; "))}
	return &links.LinkStateUpdate{Username: it.st.Username, ReadFP: it.st.ConfirmedFP, ConfirmedFP: links.ConfirmedRepair, Entry: &n,
		Event: w.accountEvent(links.EventDriftFound, it.st, func(d *links.AccountEventData) { d.Differences = diffs })}
}

// accountEvent is a webhook event about one account location; fill adds
// what is particular to its type.
func (w *worker) accountEvent(typ string, st links.LinkState, fill func(*links.AccountEventData)) *links.WebhookEvent {
	d := links.AccountEventData{Module: w.srv.Module, OperationID: w.opID, ServerID: w.id, ServerName: w.srv.Name,
		ServiceID: st.ServiceID, Username: st.Username}
	fill(&d)
	return &links.WebhookEvent{Type: typ, Time: time.Now(), Data: d}
}
