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

// What the reconciler needs from the database: generations, leases, the
// link_states walk and the fenced batch records. Every write of a worker is
// fenced by its server's lease (fenceSQL first in its transaction).

// serverGen is a server and its wanted generation.
type serverGen struct {
	ID        int64
	WantedGen int64
}

// bumpModule bumps the wanted generation of every active server of the
// module and wakes them now, in tx; it returns them in id order, read
// locked: those the bump changed, not a snapshot that may still show a
// server deactivated meanwhile (its progress row would never end).
func bumpModule(tx *gorm.DB, module string, now time.Time) ([]serverGen, error) {
	if err := tx.Exec(bumpModuleSQL, now, module, true).Error; err != nil {
		return nil, err
	}
	var out []serverGen
	err := locked(tx).Model(&serverRow{}).Select("id", "wanted_gen").Where("module = ? AND active = ?", module, true).
		Order("id").Scan(&out).Error
	return out, err
}

const (
	bumpModuleSQL = "UPDATE servers SET wake_at = ?, wanted_gen = wanted_gen + 1 WHERE module = ? AND active = ?"
	bumpNowSQL    = "UPDATE servers SET wake_at = ?, wanted_gen = wanted_gen + 1 WHERE id = ?"
	// bumpLaterSQL wakes a server at the end of the coalescing window, or
	// keeps an earlier wake-up already set (arguments: the window's end
	// twice, the server). A NULL wake_at is not an earlier one: a claim
	// clears the wake-up it used, so a change made while the server is
	// worked waits for the window too, and the accounts arriving one by one
	// meanwhile fill batches. wake_at is assigned first: MySQL reads the
	// columns assigned before it in the new state.
	bumpLaterSQL = "UPDATE servers SET wake_at = CASE WHEN wake_at IS NOT NULL AND wake_at < ?" +
		" THEN wake_at ELSE ? END, wanted_gen = wanted_gen + 1 WHERE id = ?"
)

// bumpLater bumps a server whose accounts changed, waking it after the
// lifecycle coalescing window so that accounts added one by one fill batches.
func (s *Store) bumpLater(tx *gorm.DB, serverID int64) error {
	at := s.now().Add(s.lifecycleDelay)
	return tx.Exec(bumpLaterSQL, at, at, serverID).Error
}

// SetLifecycleDelay sets the coalescing window of service changes (default
// one second).
func (s *Store) SetLifecycleDelay(d time.Duration) { s.lifecycleDelay = max(d, 0) }

// placeLocation makes the service the owner of its location's row, in tx:
// a new row, or the existing one taken over. What a location carries for
// another service was pushed with that service's credentials: a row taken
// over is marked out of date, even when empty, so that a push for the
// previous owner still in flight cannot apply (links.NewMark).
func placeLocation(tx *gorm.DB, serviceID, serverID int64, username, module string) error {
	if username == "" {
		return nil
	}
	var rows []linkStateRow
	if err := tx.Where("server_id = ? AND username = ?", serverID, username).Limit(1).Find(&rows).Error; err != nil {
		return err
	}
	if len(rows) == 0 {
		return tx.Create(&linkStateRow{ServerID: serverID, Username: username, ServiceID: &serviceID, Module: module}).Error
	}
	confirmed := rows[0].ConfirmedFP
	if rows[0].ServiceID == nil || *rows[0].ServiceID != serviceID {
		confirmed = links.NewMark(links.ConfirmedOwner)
	}
	res := tx.Model(&linkStateRow{}).Where("server_id = ? AND username = ?", serverID, username).
		Updates(map[string]any{"service_id": serviceID, "confirmed_fp": confirmed, "failed_fp": "", "attempts": 0,
			"next_attempt_at": nil, "last_error": ""})
	if res.Error != nil || res.RowsAffected > 0 {
		return res.Error
	}
	// The row read was an empty one a pass's end dropped since (MySQL's
	// read is the transaction's snapshot; the update sees the commit), or
	// the update changed nothing: the row is made again if it is gone.
	return tx.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&linkStateRow{ServerID: serverID, Username: username, ServiceID: &serviceID, Module: module}).Error
}

// leaveLocation drops the service's ownership of a location, in tx: its
// desired state becomes empty (the loop removes the links, then the row).
func leaveLocation(tx *gorm.DB, serviceID, serverID int64, username string) error {
	return tx.Model(&linkStateRow{}).Where("server_id = ? AND username = ? AND service_id = ?", serverID, username, serviceID).
		Updates(map[string]any{"service_id": nil, "failed_fp": "", "attempts": 0, "next_attempt_at": nil, "last_error": ""}).Error
}

// retryLocation lets a location be tried again at once (its desired state
// changed), in tx.
func retryLocation(tx *gorm.DB, serverID int64, username string) error {
	return tx.Model(&linkStateRow{}).Where("server_id = ? AND username = ?", serverID, username).
		Updates(map[string]any{"failed_fp": "", "attempts": 0, "next_attempt_at": nil, "last_error": ""}).Error
}

// DueServers lists up to limit servers due for a pass, in id order: active,
// behind their wanted generation or asked to rotate every secret (a
// process of an earlier release may have ended the pass of the rotation's
// generation without it), awake, and not leased (a worker holds the
// others: claiming them would only fail, at two writes each).
func (s *Store) DueServers(ctx context.Context, limit int) ([]int64, error) {
	const q = "SELECT s.id FROM servers s LEFT JOIN server_leases l ON l.server_id = s.id" +
		" WHERE s.active = ? AND (s.done_gen < s.wanted_gen OR s.rotated_gen < s.rotate_gen) AND (s.wake_at IS NULL OR s.wake_at <= ?)" +
		" AND (l.server_id IS NULL OR l.owner = '' OR l.expires_at < ?) ORDER BY s.id LIMIT ?"
	now := s.now()
	rows, err := s.reader.QueryContext(ctx, q, true, now, now, limit)
	if err != nil {
		return nil, translate(s.dbErr(err), "servers")
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(s.dbErr(err), "servers")
		}
		out = append(out, id)
	}
	return out, translate(s.dbErr(rows.Err()), "servers")
}

// PendingServers counts the active servers behind their wanted generation
// or asked to rotate every secret.
func (s *Store) PendingServers(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&serverRow{}).Where("active = ? AND (done_gen < wanted_gen OR rotated_gen < rotate_gen)", true).
		Count(&n).Error
	return n, translate(err, "servers")
}

// ClaimServer takes the server's lease for owner, for ttl, when nobody holds
// it (or its holder's lease expired); false when someone else holds it. The
// lease row is created at the server's first claim.
func (s *Store) ClaimServer(ctx context.Context, serverID int64, owner string, ttl time.Duration) (bool, error) {
	const claim = "UPDATE server_leases SET owner = ?, expires_at = ?, task_id = task_id + 1, updated_at = ?" +
		" WHERE server_id = ? AND (owner = '' OR expires_at < ?)"
	now := s.now()
	n, err := execCount(ctx, s.writer, claim, owner, now.Add(ttl), now, serverID, now)
	if err == nil && n == 0 {
		row := serverLeaseRow{ServerID: serverID, ExpiresAt: leaseEpoch}
		res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if err = res.Error; err == nil && res.RowsAffected == 1 {
			n, err = execCount(ctx, s.writer, claim, owner, now.Add(ttl), now, serverID, now)
		}
	}
	if err != nil || n != 1 {
		return false, translate(s.dbErr(err), "server lease")
	}
	// The wake-up that made the server due is used: changes made from now
	// on set their own (see bumpLaterSQL).
	_, err = s.writer.ExecContext(ctx, "UPDATE servers SET wake_at = NULL WHERE id = ? AND wake_at <= ?", serverID, now)
	return true, translate(s.dbErr(err), "server")
}

// fenceSQL renews a lease its owner holds, and is the first statement of
// every fenced write (arguments: the new expiry, the server, the owner).
// The counter always changes, so MySQL's changed-rows count is reliable.
const fenceSQL = "UPDATE server_leases SET expires_at = ?, task_id = task_id + 1 WHERE server_id = ? AND owner = ?"

// fence extends owner's lease of the server until until, on conn (first in
// a fenced transaction); links.ErrLeaseLost when owner no longer holds it.
func fence(ctx context.Context, conn sqlConn, until time.Time, serverID int64, owner string) error {
	n, err := execCount(ctx, conn, fenceSQL, until, serverID, owner)
	if err == nil && n != 1 {
		return links.ErrLeaseLost
	}
	return err
}

// RenewServerLease extends the server's lease; links.ErrLeaseLost when the caller
// no longer holds it.
func (s *Store) RenewServerLease(ctx context.Context, serverID int64, owner string, ttl time.Duration) error {
	err := fence(ctx, s.writer, s.now().Add(ttl), serverID, owner)
	if errors.Is(err, links.ErrLeaseLost) {
		return err
	}
	return translate(s.dbErr(err), "server lease")
}

// ReleaseServer gives the server's lease up if owner holds it.
func (s *Store) ReleaseServer(ctx context.Context, serverID int64, owner string) error {
	_, err := s.writer.ExecContext(ctx, freeLeaseSQL, leaseEpoch, s.now(), serverID, owner)
	return translate(s.dbErr(err), "server lease")
}

// fencedTx runs fn in a transaction on the writer that first checks (and
// extends by ttl) owner's lease of the server: links.ErrLeaseLost when it is gone.
func (s *Store) fencedTx(ctx context.Context, serverID int64, owner string, ttl time.Duration, fn func(tx sqlConn, now time.Time) error) error {
	_, err := s.writeTx(ctx, func(tx sqlConn) (string, error) {
		now := s.now()
		if err := fence(ctx, tx, now.Add(ttl), serverID, owner); err != nil {
			return "", err
		}
		return "", fn(tx, now)
	})
	if errors.Is(err, links.ErrLeaseLost) {
		return links.ErrLeaseLost
	}
	return translate(s.dbErr(err), fmt.Sprintf("server %d", serverID))
}

// ServerWork reads a server for its worker: the server, its connection
// (API token unsealed) and its generations.
func (s *Store) ServerWork(ctx context.Context, id int64) (links.ServerWork, error) {
	var row serverRow
	if err := s.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return links.ServerWork{}, translate(err, fmt.Sprintf("server %d", id))
	}
	conn, err := s.connFromRow(row)
	if err != nil {
		return links.ServerWork{}, err
	}
	return links.ServerWork{Server: serverFromRow(row), Conn: conn, WantedGen: row.WantedGen, DoneGen: row.DoneGen, WakeAt: row.WakeAt,
		GiveUps: row.GiveUps, RotationAsked: row.RotatedGen < row.RotateGen}, nil
}

// OpenTask returns the open progress row of the server (the newest: a newer
// operation supersedes the older ones); ENOTFOUND when it has none.
func (s *Store) OpenTask(ctx context.Context, serverID int64) (*links.ProgressTask, error) {
	const q = "SELECT t.id, t.operation_id, o.module, o.kind, t.target_gen, t.checked, t.accounts_done, t.accounts_failed, t.started_at" +
		" FROM server_tasks t JOIN operations o ON o.id = t.operation_id" +
		" WHERE t.server_id = ? AND t.state IN (?, ?) ORDER BY t.id DESC LIMIT 1"
	var t links.ProgressTask
	var started sql.NullTime
	err := s.reader.QueryRowContext(ctx, q, serverID, links.TaskPending, links.TaskRunning).Scan(
		&t.ID, &t.OperationID, &t.Module, &t.Kind, &t.TargetGen, &t.Checked, &t.AccountsDone, &t.AccountsFailed, &started)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, links.Errorf(links.ENOTFOUND, "Server %d has no open progress row.", serverID)
	}
	if err != nil {
		return nil, translate(s.dbErr(err), "server task")
	}
	if started.Valid {
		t.StartedAt = &started.Time
	}
	return &t, nil
}

// stepTask writes a record's progress step (see links.TaskStep) inside its
// fenced transaction; false when it was skipped (a start already made, or
// the row no longer open). A start or a final state also starts the
// operation when still queued.
func stepTask(ctx context.Context, tx sqlConn, now time.Time, st links.TaskStep) (bool, error) {
	const (
		start = "UPDATE server_tasks SET checked = ?, supported = ?, accounts_total = ?, state = ?, started_at = ?, updated_at = ?" +
			" WHERE id = ? AND checked = ? AND state IN (?, ?)"
		final = "UPDATE server_tasks SET accounts_failed = accounts_failed + ?, warnings = warnings + ?, state = ?," +
			" finished_at = ?, updated_at = ? WHERE id = ? AND state IN (?, ?)"
		startOp = "UPDATE operations SET state = ?, started_at = ?, updated_at = ? WHERE id = ? AND state = ?"
	)
	if st.Start {
		n, err := execCount(ctx, tx, start, true, st.Supported, st.AccountsTotal, links.TaskRunning, now, now,
			st.Task.ID, false, links.TaskPending, links.TaskRunning)
		if err != nil || n != 1 {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, startOp, links.OpRunning, now, now, st.Task.OperationID, links.OpQueued); err != nil {
			return false, err
		}
	}
	if st.State != "" || st.AccountsFailed > 0 {
		state := st.State
		if state == "" {
			state = links.TaskRunning
		}
		var finished any
		if st.State != "" {
			finished = now
		}
		n, err := execCount(ctx, tx, final, st.AccountsFailed, countWarnings(st.Entries)+st.Warnings, state, finished, now,
			st.Task.ID, links.TaskPending, links.TaskRunning)
		if err != nil || n != 1 {
			return false, err
		}
	} else if w := countWarnings(st.Entries) + st.Warnings; w > 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE server_tasks SET warnings = warnings + ? WHERE id = ?", w, st.Task.ID); err != nil {
			return false, err
		}
	}
	return true, insertLogSQL(ctx, tx, st.Task.OperationID, st.Task.Module, now, st.Entries)
}
