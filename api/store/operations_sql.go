package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// The calls a provisioning run makes for every batch (PushAccounts,
// CommitProgress) skip GORM: its statement building, callbacks and
// reflection cost more CPU than the statements themselves. Their SQL is
// fixed text that MySQL and SQLite read alike; it goes to the pool GORM
// would have chosen (s.reader for reads, s.writer for writes) and its errors
// through the dialect's translation, as GORM's would (dbErr).

// sqlConn is what the hot paths need of a pool or a transaction.
type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// dbErr translates a driver error as GORM does with TranslateError (a
// duplicate key into gorm.ErrDuplicatedKey, ...), for translate.
func (s *Store) dbErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return gorm.ErrRecordNotFound
	}
	if t, ok := s.db.Dialector.(gorm.ErrorTranslator); ok {
		return t.Translate(err)
	}
	return err
}

// pushAccountsFrom selects the qualifying accounts of a server: Active or
// Suspended, a username, an active server. Its arguments are pushArgs.
const pushAccountsFrom = " FROM services" +
	" JOIN servers ON servers.id = services.server_id" +
	" JOIN link_credentials ON link_credentials.service_id = services.id" +
	" WHERE services.server_id = ? AND servers.active = ? AND services.status IN (?, ?)" +
	" AND services.username IS NOT NULL AND services.username <> ''"

const (
	pushAccountsSelect = "SELECT services.id, services.username, link_credentials.subscriber_unique_id, link_credentials.token_enc" +
		pushAccountsFrom
	pushAccountsSQL      = pushAccountsSelect + " AND services.id > ? ORDER BY services.id LIMIT ?"
	pushAccountSQL       = pushAccountsSelect + " AND services.id = ?"
	countPushAccountsSQL = "SELECT COUNT(*)" + pushAccountsFrom
)

// pushArgs are the arguments of pushAccountsFrom, then extra.
func pushArgs(serverID int64, extra ...any) []any {
	args := make([]any, 0, 4+len(extra))
	return append(append(args, serverID, true, links.ServiceActive, links.ServiceSuspended), extra...)
}

// PushAccounts returns up to limit qualifying accounts of the server with an
// id above afterID, in id order, with their link credentials unsealed. An
// inactive server has none: its accounts are skipped.
func (s *Store) PushAccounts(ctx context.Context, serverID, afterID int64, limit int) ([]links.PushAccount, error) {
	n := int64(limit)
	if limit < 0 {
		n = math.MaxInt64 // none, as GORM's Limit(-1)
	}
	// The slice is made for a full chunk (within reason): most are.
	return s.pushAccounts(ctx, pushAccountsSQL, min(max(limit, 0), 1024), pushArgs(serverID, afterID, n))
}

// PushAccount returns one account if it qualifies on that server, else nil.
func (s *Store) PushAccount(ctx context.Context, serverID, serviceID int64) (*links.PushAccount, error) {
	out, err := s.pushAccounts(ctx, pushAccountSQL, 1, pushArgs(serverID, serviceID))
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return &out[0], nil
}

// CountPushAccounts counts the qualifying accounts of a server.
func (s *Store) CountPushAccounts(ctx context.Context, serverID int64) (int, error) {
	var n int64
	err := s.reader.QueryRowContext(ctx, countPushAccountsSQL, pushArgs(serverID)...).Scan(&n)
	return int(n), translate(s.dbErr(err), "services")
}

// pushAccounts reads accounts with pushAccountsSelect and unseals their
// link tokens; size is the expected number of rows.
func (s *Store) pushAccounts(ctx context.Context, query string, size int, args []any) ([]links.PushAccount, error) {
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(s.dbErr(err), "services")
	}
	defer rows.Close()
	out := make([]links.PushAccount, 0, size)
	var id int64
	var username, sub, tokenEnc string
	for rows.Next() {
		if err := rows.Scan(&id, &username, &sub, &tokenEnc); err != nil {
			return nil, translate(s.dbErr(err), "services")
		}
		token, err := s.box.Open(tokenEnc, linkTokenAAD(id))
		if err != nil {
			return nil, fmt.Errorf("store: open the link token of service %d: %w", id, err)
		}
		out = append(out, links.PushAccount{ServiceID: id, Username: username,
			Creds: links.AccountCreds{Username: username, SubscriberUniqueID: sub, Token: token, ServiceID: id}})
	}
	if err := rows.Err(); err != nil {
		return nil, translate(s.dbErr(err), "services")
	}
	return out, nil
}

// The assignments a progress commit makes besides version and updated_at,
// one bit each, and guardSuperseded for the WHERE clause of the first try
// (which leaves superseded tasks alone).
const (
	setCursor = 1 << iota
	setDone
	setFailed
	setChecked
	setWarnings
	setState
	setFinished
	setLastError
	setReleased
	guardSuperseded
	progressShapes = guardSuperseded << 1
)

// progressSets are the assignments in the order of progressArgs.
var progressSets = [...]struct {
	bit int
	sql string
}{
	{setCursor, "cursor_id = ?"},
	{setDone, "accounts_done = accounts_done + ?"},
	{setFailed, "accounts_failed = accounts_failed + ?"},
	{setChecked, "checked = ?, accounts_total = ?, supported = ?"},
	{setWarnings, "warnings = warnings + ?"},
	{setState, "state = ?"},
	{setFinished, "finished_at = ?"},
	{setLastError, "last_error = ?"},
	{setReleased, "lease_owner = '', lease_expires_at = NULL"},
}

// progressSQLs caches the UPDATE of each shape, made when first used.
var progressSQLs [progressShapes]atomic.Pointer[string]

// progressSQL is the UPDATE of a progress commit of that shape. The version
// always changes, so RowsAffected counts the matched row on MySQL too
// (which counts changed rows only).
func progressSQL(shape int) string {
	if q := progressSQLs[shape].Load(); q != nil {
		return *q
	}
	var b strings.Builder
	b.WriteString("UPDATE server_tasks SET ")
	for _, set := range progressSets {
		if shape&set.bit != 0 {
			b.WriteString(set.sql)
			b.WriteString(", ")
		}
	}
	b.WriteString("version = version + 1, updated_at = ? WHERE id = ? AND lease_owner = ?")
	if shape&guardSuperseded != 0 {
		b.WriteString(" AND state <> ?")
	}
	q := b.String()
	progressSQLs[shape].Store(&q)
	return q
}

// progressArgs are the arguments of progressSQL(shape).
func progressArgs(shape int, p *links.TaskProgress, warnings int, now time.Time) []any {
	args := make([]any, 0, 14)
	if shape&setCursor != 0 {
		args = append(args, p.Cursor)
	}
	if shape&setDone != 0 {
		args = append(args, p.AccountsDone)
	}
	if shape&setFailed != 0 {
		args = append(args, p.AccountsFailed)
	}
	if shape&setChecked != 0 {
		args = append(args, true, p.AccountsTotal, p.Supported)
	}
	if shape&setWarnings != 0 {
		args = append(args, warnings)
	}
	if shape&setState != 0 {
		args = append(args, p.State)
	}
	if shape&setFinished != 0 {
		args = append(args, now)
	}
	if shape&setLastError != 0 {
		args = append(args, truncate(p.LastError, 2000))
	}
	args = append(args, now, p.TaskID, p.Owner)
	if shape&guardSuperseded != 0 {
		args = append(args, links.TaskSuperseded)
	}
	return args
}

// CommitProgress applies one step of a task: its cursor, counters, state and
// log entries, atomically. It returns the task's state afterwards
// (superseded when a newer operation took over) or ErrLeaseLost when the
// caller no longer holds the task, in which case nothing is written.
//
// Only the task's own row changes: the operation's counters are the sums of
// its tasks' (see addTaskTotals), so the commits of the servers worked at once
// never queue on one hot operation row. A step without log entries is one
// UPDATE, without a transaction around it.
func (s *Store) CommitProgress(ctx context.Context, p links.TaskProgress) (string, error) {
	now := s.now()
	warnings := countWarnings(p.Entries)
	shape := guardSuperseded
	if p.Cursor > 0 {
		shape |= setCursor
	}
	if p.AccountsDone != 0 {
		shape |= setDone
	}
	if p.AccountsFailed != 0 {
		shape |= setFailed
	}
	if p.Checked {
		shape |= setChecked
	}
	if warnings > 0 {
		shape |= setWarnings
	}
	if p.State != "" {
		shape |= setState | setFinished
	}
	if p.LastError != "" {
		shape |= setLastError
	}
	release := p.ReleaseServer != 0 && p.State != ""
	if release {
		shape |= setReleased
	}
	write := func(db sqlConn) (string, error) {
		res, err := db.ExecContext(ctx, progressSQL(shape), progressArgs(shape, &p, warnings, now)...)
		if err != nil {
			return "", err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return "", err
		}
		state := links.TaskRunning // a task held by its worker
		if p.State != "" {
			state = p.State
		}
		if n != 1 {
			// Superseded meanwhile, or no longer ours. A superseded task
			// keeps its state: its in-flight results still count.
			retry := shape &^ (setState | guardSuperseded)
			if res, err = db.ExecContext(ctx, progressSQL(retry), progressArgs(retry, &p, warnings, now)...); err != nil {
				return "", err
			}
			if n, err = res.RowsAffected(); err != nil {
				return "", err
			}
			if n != 1 {
				return "", ErrLeaseLost
			}
			state = links.TaskSuperseded
		}
		if p.Check != nil {
			if _, err := db.ExecContext(ctx, setSupportSQL, setSupportArgs(*p.Check, now)...); err != nil {
				return "", err
			}
		}
		if release {
			if _, err := db.ExecContext(ctx, freeLeaseSQL, leaseEpoch, now, p.ReleaseServer, p.Owner); err != nil {
				return "", err
			}
		}
		if len(p.Entries) == 0 {
			return state, nil
		}
		module := p.Module
		if module == "" {
			if err := db.QueryRowContext(ctx, "SELECT module FROM operations WHERE id = ? LIMIT 1", p.OperationID).Scan(&module); err != nil {
				return "", err
			}
		}
		return state, insertLogSQL(ctx, db, p.OperationID, module, now, p.Entries)
	}
	var state string
	var err error
	if len(p.Entries) == 0 && p.Check == nil && !release {
		state, err = write(s.writer)
	} else {
		state, err = s.writeTx(ctx, write)
	}
	if errors.Is(err, ErrLeaseLost) {
		return "", ErrLeaseLost
	}
	return state, translate(s.dbErr(err), "server task")
}

// writeTx runs fn in a transaction on the writer, as s.tx does through GORM.
func (s *Store) writeTx(ctx context.Context, fn func(tx sqlConn) (string, error)) (string, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer func() { _ = tx.Rollback() }() // a no-op once committed
	out, err := fn(tx)
	if err != nil {
		return "", err
	}
	return out, tx.Commit()
}

// logBatch is the number of log entries one INSERT writes at most.
const logBatch = 100

const (
	logInsertPrefix = "INSERT INTO log_entries (operation_id, module, time, level, server_id, service_id, message) VALUES "
	logInsertRow    = "(?, ?, ?, ?, ?, ?, ?), "
)

// logInsertAll is the INSERT of logBatch entries; that of fewer is a prefix
// of it (logInsertSQL).
var logInsertAll = logInsertPrefix + strings.Repeat(logInsertRow, logBatch)

// logInsertSQL is the INSERT of n (1 to logBatch) log entries.
func logInsertSQL(n int) string {
	return logInsertAll[:len(logInsertPrefix)+n*len(logInsertRow)-len(", ")]
}

// insertLogSQL writes log entries, in INSERTs of logBatch at most; an entry
// without a time takes now.
func insertLogSQL(ctx context.Context, db sqlConn, opID int64, module string, now time.Time, entries []links.LogEntry) error {
	for len(entries) > 0 {
		batch := entries[:min(len(entries), logBatch)]
		entries = entries[len(batch):]
		args := make([]any, 0, 7*len(batch))
		for _, e := range batch {
			t := e.Time
			if t.IsZero() {
				t = now
			}
			args = append(args, opID, module, t, e.Level, e.ServerID, e.ServiceID, e.Message)
		}
		if _, err := db.ExecContext(ctx, logInsertSQL(len(batch)), args...); err != nil {
			return err
		}
	}
	return nil
}
