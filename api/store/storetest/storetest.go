// Package storetest gives tests a fresh, migrated database: an SQLite file in
// a temporary folder always, and a scratch MySQL/MariaDB database when
// APPLINKS_TEST_MYSQL_DSN is set (CI sets it).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"golang.org/x/crypto/bcrypt"

	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/store"
)

// MySQLEnv names the variable holding the DSN of a MySQL server tests may
// create scratch databases on.
const MySQLEnv = "APPLINKS_TEST_MYSQL_DSN"

// Box returns a secret box with a fixed test key.
func Box(t testing.TB) *secret.Box {
	b, err := secret.NewBox([]byte("applinks-test-key-0123456789abcd"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Dialects returns the dialects tests should run on: sqlite always, mysql
// when MySQLEnv is set.
func Dialects() []string {
	if os.Getenv(MySQLEnv) != "" {
		return []string{store.DialectSQLite, store.DialectMySQL}
	}
	return []string{store.DialectSQLite}
}

// Each runs fn as a subtest once per dialect, each with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, New(t, d)) })
	}
}

// URL returns a fresh database URL of the dialect, dropped when the test ends.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	if dialect == store.DialectSQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	dsn := os.Getenv(MySQLEnv)
	if dsn == "" {
		t.Skip(MySQLEnv + " is not set")
	}
	cfg, err := mysql.ParseDSN(strings.TrimPrefix(dsn, "mysql://"))
	if err != nil {
		t.Fatalf("%s: %v", MySQLEnv, err)
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "applinks_t_" + hex.EncodeToString(buf)
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create scratch database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name)
		_ = admin.Close()
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// New opens and migrates a fresh database of the dialect. Its password
// hashes take bcrypt's cheapest cost, to keep tests fast.
func New(t testing.TB, dialect string) *store.Store {
	t.Helper()
	return Open(t, URL(t, dialect))
}

// Open opens and migrates the database at url (from URL), as New does: a
// second store on one database stands for another process, or for the
// same one started again.
func Open(t testing.TB, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{URL: url, Box: Box(t), PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}
