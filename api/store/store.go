// Package store keeps the domain in a relational database through GORM:
// MySQL (or MariaDB) in production, an embedded pure-Go SQLite file by
// default. It owns the schema and its versioned migrations, converts rows to
// links types at its boundary and translates driver errors into links errors.
// Secrets are sealed with a secret.Box before they reach a row.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// Dialects.
const (
	DialectMySQL  = "mysql"
	DialectSQLite = "sqlite"
)

// Store is the database. It is safe for concurrent use.
type Store struct {
	db    *gorm.DB
	reads *dbresolver.DBResolver // SQLite's read pool; nil on MySQL

	// The pools under db, for the hot paths that skip GORM (PushAccounts,
	// CommitProgress): writer is the pool GORM writes through (SQLite's
	// single connection), reader the one its reads go to (SQLite's read
	// pool; the writer on MySQL).
	writer, reader *sql.DB

	box     *secret.Box
	dialect string
	now     func() time.Time
	// passwordCost is the bcrypt cost of the password hashes the store
	// makes (new users); 0 is bcrypt's default.
	passwordCost int
	// lifecycleDelay is the coalescing window of service changes: the
	// server of a changed account wakes that much later (SetLifecycleDelay).
	lifecycleDelay time.Duration
	// records queues the batch records of a server while one of its
	// transactions is being written (RecordBatch).
	records recordQueues
	// walk holds the provisioning walk's statements in this dialect.
	walk walkSQL
}

// Options configure Open.
type Options struct {
	// URL is a MySQL DSN ("user:pass@tcp(host:3306)/db" or "mysql://..."),
	// or "sqlite:PATH" / a path ending in .db; empty means SQLite under DataDir.
	URL     string
	DataDir string
	Box     *secret.Box
	Logger  *slog.Logger
	// MaxOpenConns bounds the connection pool; zero means a default.
	MaxOpenConns int
	// PasswordCost is the bcrypt cost of new users' password hashes; zero
	// means bcrypt's default (the service), tests set bcrypt.MinCost.
	PasswordCost int
}

// Open connects to the database described by opts. It does not migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Box == nil {
		return nil, errors.New("store: a secret box is required")
	}
	dialect, dsn, err := ParseURL(opts.URL, opts.DataDir)
	if err != nil {
		return nil, err
	}
	cfg := &gorm.Config{
		TranslateError: true,
		// Writes that must be atomic use an explicit transaction (s.tx);
		// a lone statement needs no BEGIN/COMMIT around it.
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var dial gorm.Dialector
	switch dialect {
	case DialectMySQL:
		dial = gormmysql.Open(dsn)
	default:
		if err := os.MkdirAll(filepath.Dir(dsnPath(dsn)), 0o700); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
		dial = sqlite.Open(dsn)
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	st := &Store{passwordCost: opts.PasswordCost}
	maxConns := opts.MaxOpenConns
	if maxConns == 0 {
		maxConns = 20
	}
	if dialect == DialectSQLite {
		// SQLite runs one write transaction at a time, and writers that
		// meet sleep in its busy handler (1 to 100 ms a retry). Every write
		// goes to one connection instead, so that writers queue in Go and
		// wait only for each other; reads (WAL lets them run beside the
		// writer) have a pool of their own.
		readDB, err := sql.Open(sqlite.DriverName, readerDSN(dsn))
		if err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("store: open the read pool: %w", err)
		}
		reads := dbresolver.Register(dbresolver.Config{Replicas: []gorm.Dialector{&sqlite.Dialector{Conn: readDB}}}).
			SetMaxOpenConns(maxConns).SetMaxIdleConns(maxConns).SetConnMaxLifetime(30 * time.Minute)
		if err := db.Use(reads); err != nil {
			_ = readDB.Close()
			_ = sqlDB.Close()
			return nil, fmt.Errorf("store: open the read pool: %w", err)
		}
		st.reads, st.reader = reads, readDB
		maxConns = 1
	}
	st.writer = sqlDB
	if st.reader == nil {
		st.reader = sqlDB
	}
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(maxConns)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st.db, st.box, st.dialect, st.now, st.lifecycleDelay = db, opts.Box, dialect, cfg.NowFunc, time.Second
	st.walk = walkStatements(dialect)
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("store: connect to %s database: %w", dialect, err)
	}
	return st, nil
}

// readerCacheKiB is each read connection's SQLite page cache. SQLite's
// default (2 MiB a connection) let the read pool's caches grow with the
// database, up to 40 MiB for 20 connections, outside the Go heap; the
// pages stay in the kernel's file cache, and the bench's throughput did not
// move (bench/README.md, "Peak RSS against accounts").
const readerCacheKiB = 512

// readerDSN is the SQLite DSN of the read pool: dsn with a smaller page
// cache, unless the DSN sets its own.
func readerDSN(dsn string) string {
	if strings.Contains(dsn, "cache_size") {
		return dsn
	}
	return fmt.Sprintf("%s&_pragma=cache_size(-%d)", dsn, readerCacheKiB)
}

// ParseURL tells the dialect of a database URL and returns the driver DSN.
func ParseURL(url, dataDir string) (dialect, dsn string, err error) {
	const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	switch {
	case url == "":
		if dataDir == "" {
			dataDir = "data"
		}
		return DialectSQLite, "file:" + filepath.Join(dataDir, "applinks.db") + "?" + sqlitePragmas, nil
	case strings.HasPrefix(url, "sqlite:"), strings.HasPrefix(url, "file:"), strings.HasSuffix(url, ".db"):
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
		if strings.Contains(path, "?") {
			return DialectSQLite, "file:" + path, nil
		}
		return DialectSQLite, "file:" + path + "?" + sqlitePragmas, nil
	}
	raw := strings.TrimPrefix(url, "mysql://")
	cfg, perr := mysql.ParseDSN(raw)
	if perr != nil {
		return "", "", fmt.Errorf("APPLINKS_DATABASE_URL is neither a MySQL DSN (user:pass@tcp(host:3306)/db) nor sqlite:PATH: %v", perr)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	if _, ok := cfg.Params["charset"]; !ok {
		cfg.Params["charset"] = "utf8mb4"
	}
	cfg.Params["time_zone"] = "'+00:00'"
	// Send each query in one round trip instead of prepare, execute, close.
	cfg.InterpolateParams = true
	return DialectMySQL, cfg.FormatDSN(), nil
}

func dsnPath(dsn string) string {
	p := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// Dialect returns DialectMySQL or DialectSQLite.
func (s *Store) Dialect() string { return s.dialect }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return links.Errorf(links.EUNAVAILABLE, "The database is unreachable.")
	}
	return nil
}

// Close closes the connection pools.
func (s *Store) Close() error {
	if s.reads != nil {
		_ = s.reads.Call(func(pool gorm.ConnPool) error {
			if c, ok := pool.(io.Closer); ok {
				_ = c.Close()
			}
			return nil
		})
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// tx runs fn in a transaction.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// txRetry is tx for the staff intents that queue provisioning work (enable,
// disable, configure, repair; a service created, changed or deleted): their
// writes meet the workers' claims and commits on the same rows, and InnoDB may pick such a transaction as a
// deadlock's victim, rolling it back whole and asking the client to retry.
// It runs fn again, up to three times in all; fn must only set what it
// returns (no appends to outer state).
func (s *Store) txRetry(ctx context.Context, fn func(tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tx(ctx, fn)
		var me *mysql.MySQLError
		if attempt < 3 && errors.As(err, &me) && me.Number == 1213 {
			continue
		}
		return err
	}
}

// translate turns a GORM or driver error into a links error. what names the
// thing for not-found and conflict messages ("server 12").
func translate(err error, what string) error {
	var le *links.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &le):
		return err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return links.Errorf(links.ENOTFOUND, "%s was not found.", capitalize(what))
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return links.Errorf(links.ECONFLICT, "%s already exists.", capitalize(what))
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return links.Errorf(links.ECONFLICT, "%s is still referenced.", capitalize(what))
	case isUnavailable(err):
		return &unavailableError{err: err}
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// translateField is translate for a write whose conflict (a taken unique
// value) is about one input field, which the error then names.
func translateField(err error, what, field string) error {
	err = translate(err, what)
	var le *links.Error
	if errors.As(err, &le) && le.Code == links.ECONFLICT && le.Field == "" {
		le.Field = field
	}
	return err
}

// unavailableError marks a database that is briefly unreachable: callers see
// links.EUNAVAILABLE, logs keep the cause.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return "database unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() []error {
	return []error{e.err, links.Errorf(links.EUNAVAILABLE, "The database is briefly unavailable; try again.")}
}

func isUnavailable(err error) bool {
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &ne) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "connection refused") ||
		strings.Contains(err.Error(), "database is locked")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// joinList and splitList store small string sets in one text column.
func joinList(items []string) string { return strings.Join(items, ",") }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// SQLDB returns the underlying connection pool, for tests and tooling that
// must look at the raw rows (e.g. to prove no secret is stored in plain text).
func (s *Store) SQLDB() (*sql.DB, error) { return s.db.DB() }
