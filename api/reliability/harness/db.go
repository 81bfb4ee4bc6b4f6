package harness

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/go-sql-driver/mysql" // the MariaDB/MySQL driver for scratch databases
)

// Dialects of a scratch database.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

// DefaultMySQLServer is the MariaDB the benchmarks and the suite use when
// APPLINKS_BENCH_MYSQL is unset: loopback, root, no password.
const DefaultMySQLServer = "root@tcp(127.0.0.1:3306)/"

// ScratchDB is a fresh database for one run, dropped by Drop.
type ScratchDB struct {
	Dialect string
	// URL is what APPLINKS_DATABASE_URL and store.Options.URL take.
	URL string
	// Name is the MySQL database name, or the SQLite file.
	Name string
	// Dir is the SQLite data directory (also the binary's APPLINKS_DATA_DIR).
	Dir    string
	server string
	admin  *sql.DB
}

// MySQLServer returns the MySQL server DSN (without a database) to create
// scratch databases on.
func MySQLServer() string {
	if s := os.Getenv("APPLINKS_BENCH_MYSQL"); s != "" {
		return s
	}
	return DefaultMySQLServer
}

// NewScratchDB creates an empty database: a file under dir for SQLite, a
// database named applinks_bench_<random> for MySQL.
func NewScratchDB(ctx context.Context, dialect, dir string) (*ScratchDB, error) {
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	id := hex.EncodeToString(suffix)
	switch dialect {
	case SQLite:
		d := filepath.Join(dir, "db-"+id)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
		file := filepath.Join(d, "applinks.db")
		return &ScratchDB{Dialect: SQLite, URL: "sqlite:" + file, Name: file, Dir: d}, nil
	case MySQL:
		server := MySQLServer()
		admin, err := sql.Open("mysql", server)
		if err != nil {
			return nil, err
		}
		name := "applinks_bench_" + id
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4"); err != nil {
			_ = admin.Close()
			return nil, fmt.Errorf("create scratch database on %s: %w", server, err)
		}
		d := filepath.Join(dir, "db-"+id)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
		return &ScratchDB{Dialect: MySQL, URL: strings.TrimSuffix(server, "/") + "/" + name, Name: name, Dir: d, server: server, admin: admin}, nil
	}
	return nil, fmt.Errorf("unknown dialect %q", dialect)
}

// Drop removes the database (and for SQLite its directory).
func (d *ScratchDB) Drop() {
	if d.admin != nil {
		_, _ = d.admin.Exec("DROP DATABASE IF EXISTS " + d.Name)
		_ = d.admin.Close()
	}
	if d.Dir != "" {
		_ = os.RemoveAll(d.Dir)
	}
}

// Questions returns MySQL's global statement counter (SHOW GLOBAL STATUS
// LIKE 'Questions'); 0 on SQLite. Deltas of it count the statements a run
// sent, the harness's own few queries included.
func (d *ScratchDB) Questions(ctx context.Context) (int64, error) {
	if d.admin == nil {
		return 0, nil
	}
	var name string
	var v int64
	err := d.admin.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Questions'").Scan(&name, &v)
	return v, err
}

// ComCounters returns MySQL's Com_select/insert/update/delete/commit
// counters (global).
func (d *ScratchDB) ComCounters(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	if d.admin == nil {
		return out, nil
	}
	rows, err := d.admin.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select','Com_insert','Com_update','Com_delete','Com_commit','Com_begin')")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// Exec runs a statement on the scratch database (MySQL only), e.g. to read
// what the service wrote.
func (d *ScratchDB) Conn() (*sql.DB, error) {
	if d.Dialect != MySQL {
		return nil, fmt.Errorf("Conn is for MySQL scratch databases")
	}
	return sql.Open("mysql", strings.TrimSuffix(d.server, "/")+"/"+d.Name+"?parseTime=true")
}
