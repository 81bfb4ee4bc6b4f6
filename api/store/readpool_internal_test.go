package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/applinks/applinks/api/secret"
)

// The read pool's connections carry the smaller page cache; the writer
// keeps SQLite's default; a URL that sets its own cache_size keeps it.
func TestSQLiteReadPoolCacheSize(t *testing.T) {
	box, err := secret.NewBox([]byte("applinks-test-key-0123456789abcd"))
	if err != nil {
		t.Fatal(err)
	}
	cacheSize := func(t *testing.T, url string) (reader, writer int) {
		t.Helper()
		s, err := Open(context.Background(), Options{URL: url, Box: box})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.reader.QueryRow("PRAGMA cache_size").Scan(&reader); err != nil {
			t.Fatal(err)
		}
		if err := s.writer.QueryRow("PRAGMA cache_size").Scan(&writer); err != nil {
			t.Fatal(err)
		}
		return reader, writer
	}
	dir := t.TempDir()
	if r, w := cacheSize(t, "sqlite:"+filepath.Join(dir, "a.db")); r != -readerCacheKiB || w != -2000 {
		t.Errorf("cache_size: reader %d, writer %d; want %d and SQLite's default -2000", r, w, -readerCacheKiB)
	}
	own := "sqlite:" + filepath.Join(dir, "b.db") + "?_pragma=journal_mode(WAL)&_pragma=cache_size(-4000)"
	if r, w := cacheSize(t, own); r != -4000 || w != -4000 {
		t.Errorf("cache_size with the URL's own: reader %d, writer %d; want -4000 for both", r, w)
	}
}
