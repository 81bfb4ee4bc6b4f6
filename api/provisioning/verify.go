package provisioning

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/applinks/applinks/api/links"
)

// verify reads back the links of the server's accounts that are confirmed
// at their desired state, in batches within the per-server cap; each
// account that differs gets a Notice naming it and the differences and is
// marked out of date (the repair sentinel), fenced by the confirmed
// fingerprint read. It ends with an Info entry with the counts, and
// reports whether the worker may go on (false: it was stopped, gave the
// server up or failed).
func (w *worker) verify(ctx context.Context) bool {
	var read, drifted, unreadable atomic.Int64
	b := w.batcher(ctx, func(batch []item, _ mode, free func()) {
		r, d, u := w.verifyBatch(ctx, batch, free)
		read.Add(r)
		drifted.Add(d)
		unreadable.Add(u)
	})
	err := w.walk(ctx, func(page []links.LinkState) bool {
		for _, st := range page {
			if desired := w.desired(st); st.ServiceID != nil && desired == st.ConfirmedFP {
				b.add(modeRead, item{st, desired})
			}
		}
		return !w.stopped(ctx)
	})
	if err != nil {
		w.fail(ctx, "walk a server", err)
	}
	b.wait(!w.stopped(ctx))
	if w.stopped(ctx) {
		return false
	}
	w.record(ctx, links.BatchRecord{Entries: []links.LogEntry{entry(links.LevelInfo, w.id, fmt.Sprintf(
		"Verified %d accounts of server %s: %d differed from their desired links, %d could not be read.",
		read.Load(), w.srv.Name, drifted.Load(), unreadable.Load()))}})
	return !w.stopped(ctx)
}

// verifyBatch reads one batch of accounts, frees its slot and records the
// drift found; it returns the accounts read, drifted and unreadable.
func (w *worker) verifyBatch(ctx context.Context, batch []item, free func()) (read, drifted, unreadable int64) {
	req := links.ReadRequest{GroupID: w.app.Remove.GroupID, Prefix: w.e.cfg.LinkPrefix, Apps: w.app.Apps()}
	for _, it := range batch {
		req.Usernames = append(req.Usernames, it.st.Username)
	}
	found, err := retry(ctx, w, "read_links", func(ctx context.Context) ([]links.AccountLinks, error) {
		return w.panel.ReadLinks(ctx, w.srv.Conn, req)
	})
	err = answered(len(found), len(batch), err)
	free()
	if ctx.Err() != nil {
		return 0, 0, 0
	}
	w.noteRequest(err)
	var rec links.BatchRecord
	if err != nil {
		rec.Entries = append(rec.Entries, warning(w.id, nil, fmt.Sprintf("Could not verify accounts %s on server %s: %v",
			strings.Join(req.Usernames, ", "), w.srv.Name, err)))
	}
	for i, it := range batch {
		switch {
		case err != nil:
			unreadable++
		case found[i].Err != nil:
			unreadable++
			rec.Entries = append(rec.Entries, warning(w.id, it.st.ServiceID, fmt.Sprintf("Could not verify account %s on server %s: %v",
				it.st.Username, w.srv.Name, found[i].Err)))
		default:
			read++
			if u := w.drift(it, found[i]); u != nil {
				drifted++
				rec.Updates = append(rec.Updates, *u)
			}
		}
	}
	if len(rec.Updates)+len(rec.Entries) > 0 {
		w.record(ctx, rec)
	}
	return read, drifted, unreadable
}

// drift compares one account with its desired links (none when its
// desired fingerprint is empty); when they differ it returns the update
// that marks it out of date, with its Notice.
func (w *worker) drift(it item, found links.AccountLinks) *links.LinkStateUpdate {
	var want []links.LinkSpec
	if it.desired != "" {
		want = w.app.Push.Links
	}
	creds := links.AccountCreds{Username: it.st.Username, SubscriberUniqueID: it.st.SubscriberUniqueID, ServiceID: *it.st.ServiceID}
	diffs := links.Drift(w.app.Push.Group, want, creds, found)
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
