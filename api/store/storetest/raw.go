package storetest

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/store"
)

// FindPlaintext returns "table.column" for every text value in the database
// that contains needle; tests use it to prove that secrets are not stored in
// plain text.
func FindPlaintext(t testing.TB, s *store.Store, needle string) []string {
	t.Helper()
	db, err := s.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if s.Dialect() == store.DialectMySQL {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	_ = rows.Close()
	var found []string
	for _, table := range tables {
		found = append(found, scanTable(t, db, table, needle)...)
	}
	return found
}

func scanTable(t testing.TB, db *sql.DB, table, needle string) []string {
	rows, err := db.Query(fmt.Sprintf("SELECT * FROM %s", table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var found []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if strings.Contains(string(v), needle) {
				found = append(found, table+"."+cols[i])
			}
		}
	}
	return found
}
