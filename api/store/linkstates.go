package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/applinks/applinks/api/links"
)

// locationsSQL reads a server's locations after a username, with what
// their desired state depends on (the service that owns each: where it is
// now, its status; its link credential) and the desired fingerprint itself
// as links.DesiredFP has it on an active server that supports links: the
// walk's prefix and the credential version when the owning service is at
// the location in a status that carries links, else empty (arguments: the
// prefix, the two statuses that carry links, the prefix again, the server,
// the username after which to start). %s is where the dialect joins the
// prefix and the version (walkStatements).
const locationsSQL = locationsFromSQL + " WHERE ls.server_id = ? AND ls.username > ?"

// locationsFromSQL is locationsSQL before its condition; the status counts
// (walkSQL.pending, .failed) join the servers to it and take a module's
// locations.
const locationsFromSQL = "SELECT ls.username, ls.service_id, ls.confirmed_fp, ls.failed_fp, ls.attempts, ls.next_attempt_at," +
	" COALESCE(s.server_id, 0) AS service_server_id, COALESCE(s.username, '') AS service_username," +
	" COALESCE(s.status, '') AS service_status, COALESCE(c.subscriber_unique_id, '') AS subscriber_unique_id," +
	" COALESCE(c.token_enc, '') AS token_enc, COALESCE(c.version, 1) AS cred_version," +
	" CASE WHEN ? <> '' AND s.server_id = ls.server_id AND s.username = ls.username AND s.status IN (?, ?)" +
	" THEN %s ELSE '' END AS desired" +
	" FROM link_states ls" +
	" LEFT JOIN services s ON s.id = ls.service_id" +
	" LEFT JOIN link_credentials c ON c.service_id = ls.service_id"

// The selections of a walk over locationsSQL as d (links.Selection):
// out of date is links.OutOfDate (argument: links.FailedRemoval, the
// failed mark of an empty desired state); confirmed is what a verify reads.
const (
	outOfDateSQL = " WHERE d.desired <> d.confirmed_fp AND d.failed_fp <> CASE WHEN d.desired = '' THEN ? ELSE d.desired END"
	confirmedSQL = " WHERE d.service_id IS NOT NULL AND d.desired = d.confirmed_fp"
	// terminalSQL is a location failed at its current desired state, as
	// links.LinkStateOf has it (argument: links.FailedRemoval).
	terminalSQL = " WHERE d.desired <> d.confirmed_fp AND d.failed_fp = CASE WHEN d.desired = '' THEN ? ELSE d.desired END"
)

// walkSQL holds the walk's statements in the store's dialect, by
// selection: a page (the page size as last argument) and a count; and the
// status counts of a module's locations waiting for a retry and failed.
type walkSQL struct {
	page, count     [links.SelectConfirmed + 1]string
	pending, failed string
}

// walkStatements builds the walk's statements: the version is a number,
// joined to the prefix by CONCAT on MySQL and || on SQLite (whose CONCAT
// is younger than the SQLite here); below 1 it counts as 1, as in
// links.DesiredFP.
func walkStatements(dialect string) walkSQL {
	join := "? || CASE WHEN c.version > 1 THEN c.version ELSE 1 END"
	if dialect == DialectMySQL {
		join = "CONCAT(?, CASE WHEN c.version > 1 THEN c.version ELSE 1 END)"
	}
	from := "(" + fmt.Sprintf(locationsSQL, join) + ") d"
	where := [...]string{links.SelectAll: "", links.SelectOutOfDate: outOfDateSQL, links.SelectConfirmed: confirmedSQL}
	var w walkSQL
	for sel, cond := range where {
		w.page[sel] = "SELECT * FROM " + from + cond + " ORDER BY d.username LIMIT ?"
		w.count[sel] = "SELECT COUNT(*) FROM " + from + cond
	}
	module := fmt.Sprintf(locationsFromSQL, join) + " JOIN servers sv ON sv.id = ls.server_id WHERE ls.module = ?"
	w.pending = "SELECT COUNT(*) FROM (" + module + " AND ls.next_attempt_at IS NOT NULL" + workedServerSQL + ") d" + outOfDateSQL
	w.failed = "SELECT COUNT(*) FROM (" + module + " AND ls.failed_fp > ''" + workedServerSQL + ") d" + terminalSQL
	return w
}

// desiredArgs are the arguments of locationsFromSQL's desired fingerprint.
func desiredArgs(prefix string) []any {
	return []any{prefix, links.ServiceActive, links.ServiceSuspended, prefix}
}

// walkArgs are the arguments of a walk statement up to the selection's.
func walkArgs(w links.Walk, after string) []any {
	args := append(desiredArgs(w.Prefix), w.ServerID, after)
	if w.Select == links.SelectOutOfDate {
		args = append(args, links.FailedRemoval)
	}
	return args
}

// LinkStatePage returns up to limit locations of the walk after the
// username after, in username order, each with its desired fingerprint;
// link tokens stay sealed (OpenLinkToken).
func (s *Store) LinkStatePage(ctx context.Context, w links.Walk, after string, limit int) ([]links.LinkState, error) {
	rows, err := s.reader.QueryContext(ctx, s.walk.page[w.Select], append(walkArgs(w, after), limit)...)
	if err != nil {
		return nil, translate(s.dbErr(err), "link states")
	}
	defer rows.Close()
	out := make([]links.LinkState, 0, min(limit, 1024))
	for rows.Next() {
		st := links.LinkState{ServerID: w.ServerID}
		var svc sql.NullInt64
		var next sql.NullTime
		if err := rows.Scan(&st.Username, &svc, &st.ConfirmedFP, &st.FailedFP, &st.Attempts, &next, &st.ServiceServerID,
			&st.ServiceUsername, &st.ServiceStatus, &st.SubscriberUniqueID, &st.TokenSealed, &st.CredVersion, &st.Desired); err != nil {
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

// CountWalk counts the locations of the walk.
func (s *Store) CountWalk(ctx context.Context, w links.Walk) (int, error) {
	var n int
	err := s.reader.QueryRowContext(ctx, s.walk.count[w.Select], walkArgs(w, "")...).Scan(&n)
	return n, translate(s.dbErr(err), "link states")
}

// OpenLinkToken unseals the link token of a service read by LinkStatePage.
func (s *Store) OpenLinkToken(serviceID int64, sealed string) (string, error) {
	token, err := s.box.Open(sealed, linkTokenAAD(serviceID))
	if err != nil {
		return "", fmt.Errorf("store: open the link token of service %d: %w", serviceID, err)
	}
	return token, nil
}

// The status counts. Only the servers the engine works count: active, and
// supporting links or not checked yet. A deactivated server keeps its
// locations' retry times and failures, but nothing of it is pending any
// more, and Retry failed leaves it alone (clearFailedSQL): the status
// counts neither. The locations counted (walkSQL.pending, .failed) are a
// range of their (module, ...) index, each row joined to its server by id
// (a failure is failed_fp greater than the empty string, not "<>": a range
// on both databases), then judged against its desired state as the walk
// judges it: a refusal recorded after its account's desired state changed
// back to what the panel has leaves a retry time or a failure on a location
// no walk selects, which is neither pending nor failed.
const (
	// workedServerSQL keeps the servers sv the engine works (arguments:
	// true, true); Retry failed (failedServersSQL) uses it too.
	workedServerSQL  = " AND sv.active = ? AND (sv.supports_links IS NULL OR sv.supports_links = ?)"
	serversBehindSQL = "SELECT COUNT(*) FROM servers sv WHERE sv.module = ? AND (sv.done_gen < sv.wanted_gen OR sv.rotated_gen < sv.rotate_gen)" +
		workedServerSQL
)

// ReconcileCounts returns the figures the status of a module needs, with
// prefix the module's desired prefix (links.DesiredPrefix): three indexed
// counts over the servers the engine works.
func (s *Store) ReconcileCounts(ctx context.Context, module, prefix string) (links.ReconcileCounts, error) {
	var c links.ReconcileCounts
	err := s.reader.QueryRowContext(ctx, serversBehindSQL, module, true, true).Scan(&c.ServersBehind)
	args := append(desiredArgs(prefix), module, true, true, links.FailedRemoval)
	if err == nil {
		err = s.reader.QueryRowContext(ctx, s.walk.pending, args...).Scan(&c.AccountsPending)
	}
	if err == nil {
		err = s.reader.QueryRowContext(ctx, s.walk.failed, args...).Scan(&c.AccountsFailed)
	}
	return c, translate(s.dbErr(err), "link states")
}

// InitApplication is the engine's start for one module: it stores the
// application's fingerprint and the configuration's (links.ConfigFingerprint)
// as this process computes them (a change since the last start wakes every
// server of the module), and settles the locations carried over from the operations engine: when
// the module's latest operation completed with no failed account, they are
// confirmed at their desired state (legacyFP for the qualifying services,
// none for the others) with no push; otherwise they stay out of date and
// are pushed once.
func (s *Store) InitApplication(ctx context.Context, module, fp, configFP, legacyFP string) error {
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&applicationRow{Module: module}).Error; err != nil {
			return err
		}
		var app applicationRow
		if err := locked(tx).Take(&app, "module = ?", module).Error; err != nil {
			return err
		}
		if app.Fingerprint != fp || app.ConfigFP != configFP {
			err := tx.Model(&applicationRow{}).Where("module = ?", module).
				Updates(map[string]any{"fingerprint": fp, "config_fp": configFP, "config_at": s.now()}).Error
			if err != nil {
				return err
			}
		}
		if app.Fingerprint != fp && app.Fingerprint != "" {
			if _, err := bumpModule(tx, module, s.now()); err != nil {
				return err
			}
		}
		return settleLegacy(tx, module, legacyFP)
	})
	return translate(err, "application "+module)
}

// HoldConfig records that a process with configuration configFP is alive,
// for every application whose stored configuration fingerprint it is and
// was last held before renewBefore (so that the processes polling every
// second write once per lease TTL, not at every poll), and reports whether
// another one is stored that no process has held since staleBefore: the
// processes that had it stopped (a rolled-back update), and the caller
// stores its own start again (InitApplication).
func (s *Store) HoldConfig(ctx context.Context, configFP string, renewBefore, staleBefore time.Time) (bool, error) {
	const (
		hold  = "UPDATE applications SET config_at = ? WHERE config_fp = ? AND (config_at IS NULL OR config_at < ?)"
		stale = "SELECT COUNT(*) FROM applications WHERE config_fp <> '' AND config_fp <> ? AND (config_at IS NULL OR config_at < ?)"
	)
	if _, err := s.writer.ExecContext(ctx, hold, s.now(), configFP, utc(renewBefore)); err != nil {
		return false, translate(s.dbErr(err), "applications")
	}
	var n int
	err := s.reader.QueryRowContext(ctx, stale, configFP, utc(staleBefore)).Scan(&n)
	return n > 0, translate(s.dbErr(err), "applications")
}

// ConfigFingerprint returns the configuration fingerprint the last engine
// started stored for the module (empty before any).
func (s *Store) ConfigFingerprint(ctx context.Context, module string) (string, error) {
	var fps []string
	err := s.db.WithContext(ctx).Model(&applicationRow{}).Where("module = ?", module).Limit(1).Pluck("config_fp", &fps).Error
	if err != nil || len(fps) == 0 {
		return "", translate(err, "application "+module)
	}
	return fps[0], nil
}

// settleLegacy confirms the module's legacy locations when its latest
// operation (account syncs aside) completed cleanly (see InitApplication),
// except those that an account sync of the operations engine left
// unfinished (unsettledSyncSQL): they stay out of date and are pushed once.
// The old locations whose removal such an account sync left unfinished get
// a row of no owner first (legacyRemovalsSQL): the loop removes the links.
func settleLegacy(tx *gorm.DB, module, legacyFP string) error {
	var n int64
	if err := tx.Model(&linkStateRow{}).Where("module = ? AND confirmed_fp = ?", module, links.ConfirmedLegacy).Limit(1).Count(&n).Error; err != nil || n == 0 {
		return err
	}
	if err := tx.Exec(legacyRemovalsSQL, links.ConfirmedLegacy, module, links.OpAccountSync, links.TaskDone).Error; err != nil {
		return err
	}
	var ops []operationRow
	if err := tx.Where("module = ? AND kind <> ?", module, links.OpAccountSync).Order("id DESC").Limit(1).Find(&ops).Error; err != nil {
		return err
	}
	clean := len(ops) == 0 && legacyFP == "" // never enabled: nothing was pushed
	var settled int64                        // the settling operation's id
	if len(ops) == 1 && ops[0].State == links.OpCompleted {
		list := []links.Operation{operationFromRow(ops[0])}
		if err := addTaskTotals(tx, list); err != nil {
			return err
		}
		clean, settled = list[0].AccountsFailed == 0, ops[0].ID
	}
	if !clean {
		return nil
	}
	synced := []any{links.OpAccountSync, links.TaskPending, links.TaskRunning, settled, links.TaskDone}
	if legacyFP != "" {
		err := tx.Exec("UPDATE link_states SET confirmed_fp = ? WHERE module = ? AND confirmed_fp = ? AND service_id IN"+
			" (SELECT id FROM services WHERE status IN (?, ?))"+unsettledSyncSQL,
			append([]any{legacyFP, module, links.ConfirmedLegacy, links.ServiceActive, links.ServiceSuspended}, synced...)...).Error
		if err != nil {
			return err
		}
	}
	return tx.Exec("UPDATE link_states SET confirmed_fp = '' WHERE module = ? AND confirmed_fp = ?"+unsettledSyncSQL,
		append([]any{module, links.ConfirmedLegacy}, synced...)...).Error
}

// unsettledSyncSQL keeps a legacy location out of the settling when an
// account sync of the operations engine (one per changed service, its
// progress row naming the location) did not bring it to its state: one
// still open, or one queued after the settling operation that did not end
// done with no failed account (arguments: the account sync kind, the two
// open task states, the settling operation's id, the done task state).
const unsettledSyncSQL = " AND NOT EXISTS (SELECT 1 FROM server_tasks t JOIN operations o ON o.id = t.operation_id" +
	" WHERE o.kind = ? AND t.server_id = link_states.server_id AND t.username = link_states.username" +
	" AND (t.state IN (?, ?) OR (t.operation_id > ? AND (t.state <> ? OR t.accounts_failed > 0))))"

// legacyRemovalsSQL gives a row of no owner, marked '?legacy', to each
// location (of a service that moved or was renamed before the upgrade)
// that has no row and whose links an account sync of the operations engine
// was to remove and did not (still open, or not done with no failed
// account), whenever it was queued: no later operation removed them
// (arguments: the legacy mark, the module, the account sync kind, the done
// task state).
const legacyRemovalsSQL = "INSERT INTO link_states (server_id, username, service_id, module, confirmed_fp, attempts, last_error, failed_fp)" +
	" SELECT DISTINCT t.server_id, t.username, NULL, o.module, ?, 0, '', ''" +
	" FROM server_tasks t JOIN operations o ON o.id = t.operation_id" +
	" WHERE o.module = ? AND o.kind = ? AND t.action = 'remove' AND t.username <> ''" +
	" AND (t.state <> ? OR t.accounts_failed > 0)" +
	" AND NOT EXISTS (SELECT 1 FROM link_states ls WHERE ls.server_id = t.server_id AND ls.username = t.username)"
