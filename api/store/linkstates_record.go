package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/applinks/applinks/api/links"
)

const (
	// updateLocationSQL records a panel's answer for a location, only if
	// its confirmed fingerprint is still the one read before the request.
	updateLocationSQL = "UPDATE link_states SET confirmed_fp = ?, confirmed_at = ?, attempts = ?, next_attempt_at = ?," +
		" last_error = ?, failed_fp = ? WHERE server_id = ? AND username = ? AND confirmed_fp = ?"
	// deleteLocationSQL drops an empty location no service owns.
	deleteLocationSQL = "DELETE FROM link_states WHERE server_id = ? AND username = ? AND confirmed_fp = ? AND service_id IS NULL"
	// countTaskSQL adds a batch to its progress row; the total grows when
	// accounts that changed meanwhile were done too (accounts_total is
	// assigned first: MySQL reads the columns assigned before it in the
	// new state).
	countTaskSQL = "UPDATE server_tasks SET" +
		" accounts_total = CASE WHEN accounts_done + accounts_failed + ? > accounts_total THEN accounts_done + accounts_failed + ? ELSE accounts_total END," +
		" accounts_done = accounts_done + ?, accounts_failed = accounts_failed + ?, warnings = warnings + ?, updated_at = ?" +
		" WHERE id = ? AND state IN (?, ?)"
)

// RecordBatch records a batch's answers in one transaction fenced by the
// server's lease: each location update that still applies, the log entries
// of those, the batch's own entries and the progress row's counters; then
// the record's progress step, done generation and wake-up. It returns how
// many updates applied, plus one for a step that applied.
//
// The batches of one server (and lease owner) recorded while a transaction
// of theirs is being written wait for it, and are then written together in
// the next one: one fence and one commit for all of them (a group commit;
// nothing waits for time). Plain successes sharing their fingerprints are
// written one statement per group; if a group applies only in part, the
// transaction is rolled back and written row by row, which tells which rows
// applied.
func (s *Store) RecordBatch(ctx context.Context, ttl time.Duration, b links.BatchRecord) (int, error) {
	q := &queuedRecord{rec: b, done: make(chan struct{})}
	if !s.records.join(q) {
		<-q.done // written by the caller that holds the server's queue
		return q.applied, q.err
	}
	s.writeRecords(ctx, ttl, []*queuedRecord{q})
	for {
		next := s.records.next(q.rec)
		if next == nil {
			return q.applied, q.err
		}
		s.writeRecords(ctx, ttl, next)
	}
}

// queuedRecord is a batch record and, once written, its outcome.
type queuedRecord struct {
	rec     links.BatchRecord
	applied int
	err     error
	done    chan struct{}
}

// recordKey is what the records written in one transaction share: the
// server and the lease owner of its fence.
type recordKey struct {
	serverID int64
	owner    string
}

// recordQueues holds, per server and owner that has a transaction being
// written, the records waiting for the next one.
type recordQueues struct {
	mu      sync.Mutex
	waiting map[recordKey][]*queuedRecord
}

// join queues q behind a transaction of its server being written, and
// reports false; true when there is none (the caller writes q, then the
// records that queued meanwhile).
func (r *recordQueues) join(q *queuedRecord) bool {
	k := recordKey{q.rec.ServerID, q.rec.Owner}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.waiting == nil {
		r.waiting = map[recordKey][]*queuedRecord{}
	}
	if waiting, busy := r.waiting[k]; busy {
		r.waiting[k] = append(waiting, q)
		return false
	}
	r.waiting[k] = nil // being written
	return true
}

// next takes the records queued for the server of rec; nil when there are
// none, and then the server has no transaction being written any more.
func (r *recordQueues) next(rec links.BatchRecord) []*queuedRecord {
	k := recordKey{rec.ServerID, rec.Owner}
	r.mu.Lock()
	defer r.mu.Unlock()
	waiting := r.waiting[k]
	if len(waiting) == 0 {
		delete(r.waiting, k)
		return nil
	}
	r.waiting[k] = nil
	return waiting
}

// writeRecords writes records of one server and owner in one transaction
// and hands each its outcome.
func (s *Store) writeRecords(ctx context.Context, ttl time.Duration, qs []*queuedRecord) {
	recs := make([]links.BatchRecord, len(qs))
	for i, q := range qs {
		recs[i] = q.rec
	}
	applied, err := s.recordBatches(ctx, ttl, recs, true)
	if errors.Is(err, errRegroup) {
		applied, err = s.recordBatches(ctx, ttl, recs, false)
	}
	for i, q := range qs {
		if err == nil {
			q.applied = applied[i]
		}
		q.err = err
		close(q.done)
	}
}

// batchTally is what a batch's applied updates add up to.
type batchTally struct {
	applied, done, failed int
	entries               []links.LogEntry
	events                []links.WebhookEvent
}

// add counts an update that applied.
func (t *batchTally) add(u links.LinkStateUpdate) {
	t.applied++
	if u.Done {
		t.done++
	}
	if u.Failed {
		t.failed++
	}
	if u.Entry != nil {
		t.entries = append(t.entries, *u.Entry)
	}
	if u.Event != nil {
		t.events = append(t.events, *u.Event)
	}
}

// recordBatches is the transaction of records of one server and owner: it
// returns how many updates of each applied. group false writes every
// update row by row.
func (s *Store) recordBatches(ctx context.Context, ttl time.Duration, recs []links.BatchRecord, group bool) ([]int, error) {
	tallies := make([]batchTally, len(recs))
	regroup := false
	err := s.fencedTx(ctx, recs[0].ServerID, recs[0].Owner, ttl, func(tx sqlConn, now time.Time) error {
		// The updates of every record, in order, and the record of each.
		var us []links.LinkStateUpdate
		var of []int
		for i, b := range recs {
			tallies[i] = batchTally{entries: append([]links.LogEntry(nil), b.Entries...)}
			for _, u := range b.Updates {
				us, of = append(us, u), append(of, i)
			}
		}
		plan := planBatch(us, group)
		for _, g := range plan.groups {
			if err := applyGroup(ctx, tx, recs[0].ServerID, now, us, g); err != nil {
				regroup = errors.Is(err, errRegroup)
				return err
			}
			for _, i := range g {
				tallies[of[i]].add(us[i])
			}
		}
		for _, i := range plan.rest {
			n, err := applyLocation(ctx, tx, recs[0].ServerID, now, us[i])
			if err != nil {
				return err
			}
			if n != 0 {
				tallies[of[i]].add(us[i])
			}
		}
		if err := s.countRecords(ctx, tx, now, recs, tallies); err != nil {
			return err
		}
		for i, b := range recs {
			stepped, err := s.recordServer(ctx, tx, now, b)
			if err != nil {
				return err
			}
			if stepped {
				tallies[i].applied++
			}
		}
		return nil
	})
	if regroup {
		return nil, errRegroup
	}
	applied := make([]int, len(recs))
	for i, t := range tallies {
		applied[i] = t.applied
	}
	return applied, err
}

// countRecords writes what the applied updates of records add up to: their
// webhook events, the progress rows' counters and the log entries, one
// statement per progress row and per operation.
func (s *Store) countRecords(ctx context.Context, tx sqlConn, now time.Time, recs []links.BatchRecord, tallies []batchTally) error {
	var events []links.WebhookEvent
	for _, t := range tallies {
		events = append(events, t.events...)
	}
	if err := s.enqueueEvents(ctx, tx, now, events); err != nil {
		return err
	}
	// Records of one progress row and operation (in practice all of
	// them) are summed into the first of them.
	type sumKey struct {
		taskID, opID int64
		module       string
	}
	var order []sumKey
	sums := map[sumKey]*batchTally{}
	for i, b := range recs {
		k := sumKey{b.TaskID, b.OperationID, b.Module}
		sum, ok := sums[k]
		if !ok {
			sum = &batchTally{}
			sums[k] = sum
			order = append(order, k)
		}
		sum.done += tallies[i].done
		sum.failed += tallies[i].failed
		sum.entries = append(sum.entries, tallies[i].entries...)
	}
	for _, k := range order {
		t := sums[k]
		if k.taskID != 0 && (t.done+t.failed > 0 || len(t.entries) > 0) {
			_, err := tx.ExecContext(ctx, countTaskSQL, t.done+t.failed, t.done+t.failed, t.done, t.failed, countWarnings(t.entries), now,
				k.taskID, links.TaskPending, links.TaskRunning)
			if err != nil {
				return err
			}
		}
		if k.opID != 0 {
			if err := insertLogSQL(ctx, tx, k.opID, k.module, now, t.entries); err != nil {
				return err
			}
		}
	}
	return nil
}

// emptySQL lists a server's empty locations no service owns.
const emptySQL = "SELECT username FROM link_states WHERE server_id = ? AND service_id IS NULL AND confirmed_fp = ''"

// dropEmpty deletes a server's empty locations no service owns, each by its
// key: a DELETE by the same condition would scan, and on InnoDB lock, the
// owner-less rows of every server through the service_id index.
func dropEmpty(ctx context.Context, tx sqlConn, serverID int64) error {
	names, err := emptyLocations(ctx, tx, serverID)
	if err != nil {
		return err
	}
	for _, u := range names {
		if _, err := tx.ExecContext(ctx, deleteLocationSQL, serverID, u, ""); err != nil {
			return err
		}
	}
	return nil
}

// emptyLocations reads the usernames of emptySQL; its rows are closed when
// it returns, before the deletes on the same transaction.
func emptyLocations(ctx context.Context, tx sqlConn, serverID int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, emptySQL, serverID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		names = append(names, u)
	}
	return names, rows.Err()
}

// recordServer writes a record's done generation, wake-up, give-up and
// progress step; it reports whether the step applied. The done generation
// keeps the wake-up when the server was bumped during the pass (its
// coalescing window runs) and clears it otherwise, resets the give-ups and
// drops the empty locations no service owns (nothing to remove there, and
// no walk selects them).
func (s *Store) recordServer(ctx context.Context, tx sqlConn, now time.Time, b links.BatchRecord) (bool, error) {
	const (
		done = "UPDATE servers SET done_gen = ?, wake_at = CASE WHEN wanted_gen > ? THEN wake_at ELSE NULL END," +
			" give_ups = 0 WHERE id = ? AND done_gen < ?"
		wake   = "UPDATE servers SET wake_at = ? WHERE id = ?"
		gaveUp = "UPDATE servers SET give_ups = give_ups + 1 WHERE id = ?"
	)
	if b.DoneGen > 0 {
		// Locations before the server, as every other writer locks them.
		if err := dropEmpty(ctx, tx, b.ServerID); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, done, b.DoneGen, b.DoneGen, b.ServerID, b.DoneGen); err != nil {
			return false, err
		}
	}
	if b.WakeAt != nil {
		if _, err := tx.ExecContext(ctx, wake, b.WakeAt.UTC(), b.ServerID); err != nil {
			return false, err
		}
	}
	if b.GaveUp {
		if _, err := tx.ExecContext(ctx, gaveUp, b.ServerID); err != nil {
			return false, err
		}
	}
	if b.Step == nil {
		return false, nil
	}
	applied, err := stepTask(ctx, tx, now, *b.Step)
	if err != nil || !applied {
		return false, err
	}
	return true, s.enqueueEvents(ctx, tx, now, b.Step.Events)
}

// applyLocation writes one location update; it returns the rows changed.
func applyLocation(ctx context.Context, tx sqlConn, serverID int64, now time.Time, u links.LinkStateUpdate) (int, error) {
	if u.Delete {
		return execCount(ctx, tx, deleteLocationSQL, serverID, u.Username, u.ReadFP)
	}
	var confirmedAt any
	if u.Done {
		confirmedAt = now
	}
	var next any
	if u.NextAttemptAt != nil {
		next = u.NextAttemptAt.UTC()
	}
	n, err := execCount(ctx, tx, updateLocationSQL, u.ConfirmedFP, confirmedAt, u.Attempts, next, truncate(u.LastError, 2000),
		u.FailedFP, serverID, u.Username, u.ReadFP)
	if err != nil || n == 0 || !u.Done || u.ServiceID == 0 || u.CredVersion == 0 {
		return n, err
	}
	return n, confirmRotations(ctx, tx, now, u.CredVersion, []int64{u.ServiceID})
}
