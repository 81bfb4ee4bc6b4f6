package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// The calls the provisioning loop makes for every page and batch
// (LinkStatePage, RecordBatch) skip GORM: its statement building, callbacks and
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

// freeLeaseSQL gives a server's lease up if its owner holds it (arguments:
// the epoch, now, the server and the owner).
const freeLeaseSQL = "UPDATE server_leases SET owner = '', task_id = 0, expires_at = ?, updated_at = ? WHERE server_id = ? AND owner = ?"

// execCount runs a statement and returns the rows it changed.
func execCount(ctx context.Context, tx sqlConn, query string, args ...any) (int, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
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
	logInsertPrefix = "INSERT INTO log_entries (operation_id, module, time, level, server_id, service_id, account, message) VALUES "
	logInsertRow    = "(?, ?, ?, ?, ?, ?, ?, ?), "
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
		args := make([]any, 0, 8*len(batch))
		for _, e := range batch {
			t := e.Time
			if t.IsZero() {
				t = now
			}
			args = append(args, opID, module, t, e.Level, e.ServerID, e.ServiceID, e.Account, e.Message)
		}
		if _, err := db.ExecContext(ctx, logInsertSQL(len(batch)), args...); err != nil {
			return err
		}
	}
	return nil
}
