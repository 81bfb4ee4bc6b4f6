package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/applinks/applinks/api/links"
)

// linkStatePageSQL reads one page of a server's locations after a username,
// in key order, with the service that owns each (where it is now, its
// status) and its link credential (arguments: the server, the username
// after which to start, the page size).
const linkStatePageSQL = "SELECT ls.username, ls.service_id, ls.confirmed_fp, ls.failed_fp, ls.attempts, ls.next_attempt_at," +
	" COALESCE(s.server_id, 0), COALESCE(s.username, ''), COALESCE(s.status, '')," +
	" COALESCE(c.subscriber_unique_id, ''), COALESCE(c.token_enc, ''), COALESCE(c.version, 1)" +
	" FROM link_states ls" +
	" LEFT JOIN services s ON s.id = ls.service_id" +
	" LEFT JOIN link_credentials c ON c.service_id = ls.service_id" +
	" WHERE ls.server_id = ? AND ls.username > ? ORDER BY ls.username LIMIT ?"

// LinkStatePage returns up to limit locations of the server after the
// username after, in username order; link tokens stay sealed (OpenLinkToken).
func (s *Store) LinkStatePage(ctx context.Context, serverID int64, after string, limit int) ([]links.LinkState, error) {
	rows, err := s.reader.QueryContext(ctx, linkStatePageSQL, serverID, after, limit)
	if err != nil {
		return nil, translate(s.dbErr(err), "link states")
	}
	defer rows.Close()
	out := make([]links.LinkState, 0, min(limit, 1024))
	for rows.Next() {
		st := links.LinkState{ServerID: serverID}
		var svc sql.NullInt64
		var next sql.NullTime
		if err := rows.Scan(&st.Username, &svc, &st.ConfirmedFP, &st.FailedFP, &st.Attempts, &next,
			&st.ServiceServerID, &st.ServiceUsername, &st.ServiceStatus, &st.SubscriberUniqueID, &st.TokenSealed, &st.CredVersion); err != nil {
			return nil, translate(s.dbErr(err), "link states")
		}
		if svc.Valid {
			id := svc.Int64
			st.ServiceID = &id
		}
		if next.Valid {
			t := next.Time
			st.NextAttemptAt = &t
		}
		out = append(out, st)
	}
	return out, translate(s.dbErr(rows.Err()), "link states")
}

// OpenLinkToken unseals the link token of a service read by LinkStatePage.
func (s *Store) OpenLinkToken(serviceID int64, sealed string) (string, error) {
	token, err := s.box.Open(sealed, linkTokenAAD(serviceID))
	if err != nil {
		return "", fmt.Errorf("store: open the link token of service %d: %w", serviceID, err)
	}
	return token, nil
}

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
// of those, the batch's own entries and the progress row's counters. It
// returns how many updates applied. Plain successes sharing their
// fingerprints are written one statement per group; if a group applies
// only in part, the transaction is rolled back and written row by row,
// which tells which rows applied.
func (s *Store) RecordBatch(ctx context.Context, ttl time.Duration, b links.BatchRecord) (int, error) {
	applied, err := s.recordBatch(ctx, ttl, b, true)
	if errors.Is(err, errRegroup) {
		applied, err = s.recordBatch(ctx, ttl, b, false)
	}
	return applied, err
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

// recordBatch is RecordBatch's transaction; group false writes every
// update row by row.
func (s *Store) recordBatch(ctx context.Context, ttl time.Duration, b links.BatchRecord, group bool) (int, error) {
	var t batchTally
	regroup := false
	err := s.fencedTx(ctx, b.ServerID, b.Owner, ttl, func(tx sqlConn, now time.Time) error {
		t = batchTally{entries: append([]links.LogEntry(nil), b.Entries...)}
		plan := planBatch(b.Updates, group)
		for _, g := range plan.groups {
			if err := applyGroup(ctx, tx, b.ServerID, now, b.Updates, g); err != nil {
				regroup = errors.Is(err, errRegroup)
				return err
			}
			for _, i := range g {
				t.add(b.Updates[i])
			}
		}
		for _, i := range plan.rest {
			n, err := applyLocation(ctx, tx, b.ServerID, now, b.Updates[i])
			if err != nil {
				return err
			}
			if n != 0 {
				t.add(b.Updates[i])
			}
		}
		if err := s.enqueueEvents(ctx, tx, now, t.events); err != nil {
			return err
		}
		if b.TaskID != 0 && (t.done+t.failed > 0 || len(t.entries) > 0) {
			_, err := tx.ExecContext(ctx, countTaskSQL, t.done+t.failed, t.done+t.failed, t.done, t.failed, countWarnings(t.entries), now,
				b.TaskID, links.TaskPending, links.TaskRunning)
			if err != nil {
				return err
			}
		}
		if b.OperationID == 0 {
			return nil
		}
		return insertLogSQL(ctx, tx, b.OperationID, b.Module, now, t.entries)
	})
	if regroup {
		return 0, errRegroup
	}
	return t.applied, err
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
	_, err = tx.ExecContext(ctx, confirmRotationSQL, now, u.ServiceID, u.CredVersion)
	return n, err
}

// ReconcileCounts returns the figures the status of a module needs: three
// indexed counts.
func (s *Store) ReconcileCounts(ctx context.Context, module string) (links.ReconcileCounts, error) {
	const (
		behind = "SELECT COUNT(*) FROM servers WHERE module = ? AND active = ? AND done_gen < wanted_gen" +
			" AND (supports_links IS NULL OR supports_links = ?)"
		pending = "SELECT COUNT(*) FROM link_states WHERE module = ? AND next_attempt_at IS NOT NULL"
		failed  = "SELECT COUNT(*) FROM link_states WHERE module = ? AND failed_fp <> ''"
	)
	var c links.ReconcileCounts
	err := s.reader.QueryRowContext(ctx, behind, module, true, true).Scan(&c.ServersBehind)
	if err == nil {
		err = s.reader.QueryRowContext(ctx, pending, module).Scan(&c.AccountsPending)
	}
	if err == nil {
		err = s.reader.QueryRowContext(ctx, failed, module).Scan(&c.AccountsFailed)
	}
	return c, translate(s.dbErr(err), "link states")
}

// InitApplication is the engine's start for one module: it stores the
// application's fingerprint as this process computes it (a change of
// configuration since the last start wakes every server of the module),
// and settles the locations carried over from the operations engine: when
// the module's latest operation completed with no failed account, they are
// confirmed at their desired state (legacyFP for the qualifying services,
// none for the others) with no push; otherwise they stay out of date and
// are pushed once.
func (s *Store) InitApplication(ctx context.Context, module, fp, legacyFP string) error {
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&applicationRow{Module: module}).Error; err != nil {
			return err
		}
		var app applicationRow
		if err := tx.Clauses(lockingFor(s.dialect)...).Take(&app, "module = ?", module).Error; err != nil {
			return err
		}
		if app.Fingerprint != fp {
			if err := tx.Model(&applicationRow{}).Where("module = ?", module).Update("fingerprint", fp).Error; err != nil {
				return err
			}
			if app.Fingerprint != "" {
				if _, err := bumpModule(tx, module, s.now()); err != nil {
					return err
				}
			}
		}
		return settleLegacy(tx, module, legacyFP)
	})
	return translate(err, "application "+module)
}

// settleLegacy confirms the module's legacy locations when its latest
// operation completed cleanly (see InitApplication).
func settleLegacy(tx *gorm.DB, module, legacyFP string) error {
	var n int64
	if err := tx.Model(&linkStateRow{}).Where("module = ? AND confirmed_fp = ?", module, links.ConfirmedLegacy).Limit(1).Count(&n).Error; err != nil || n == 0 {
		return err
	}
	var ops []operationRow
	if err := tx.Where("module = ? AND kind <> ?", module, links.OpAccountSync).Order("id DESC").Limit(1).Find(&ops).Error; err != nil {
		return err
	}
	clean := len(ops) == 0 && legacyFP == "" // never enabled: nothing was pushed
	if len(ops) == 1 && ops[0].State == links.OpCompleted {
		list := []links.Operation{operationFromRow(ops[0])}
		if err := addTaskTotals(tx, list); err != nil {
			return err
		}
		clean = list[0].AccountsFailed == 0
	}
	if !clean {
		return nil
	}
	if legacyFP != "" {
		err := tx.Exec("UPDATE link_states SET confirmed_fp = ? WHERE module = ? AND confirmed_fp = ? AND service_id IN"+
			" (SELECT id FROM services WHERE status IN (?, ?))", legacyFP, module, links.ConfirmedLegacy,
			links.ServiceActive, links.ServiceSuspended).Error
		if err != nil {
			return err
		}
	}
	return tx.Exec("UPDATE link_states SET confirmed_fp = '' WHERE module = ? AND confirmed_fp = ?", module, links.ConfirmedLegacy).Error
}
