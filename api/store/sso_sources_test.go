package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// The recent click sources of a server: its valid cPanel clicks since the
// given time, one line per address, most recently seen first, bounded.
func TestSSOClickSources(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		b := newServer(t, s, "cp2", "cp2.example.com", true)
		now := time.Now().UTC().Truncate(time.Second)
		click := func(srv int64, ip string, ago time.Duration, outcome, reason string) {
			t.Helper()
			ev := links.SSOEvent{Time: now.Add(-ago), Kind: links.SSOKindIssue, Source: links.SSOSourceCPanel,
				ServerID: &srv, Destination: "invoice_history", Outcome: outcome, Reason: reason, IP: ip}
			if err := s.RecordSSOEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		click(a.ID, "203.0.113.7", 40*24*time.Hour, links.SSOSuccess, "") // too old
		click(a.ID, "203.0.113.7", 3*time.Hour, links.SSOSuccess, "")     // counted
		click(a.ID, "198.51.100.9", 2*time.Hour, links.SSORefused, links.SSOReasonForbiddenSource)
		click(a.ID, "203.0.113.7", time.Hour, links.SSOSuccess, "")                             // counted, newest of .7
		click(a.ID, "192.0.2.66", time.Minute, links.SSORefused, links.SSOReasonBadCredentials) // a guess
		click(b.ID, "192.0.2.1", time.Minute, links.SSOSuccess, "")                             // another server
		other := links.SSOEvent{Time: now, Kind: links.SSOKindRedeem, Source: links.SSOSourceCPanel, ServerID: &a.ID, Outcome: links.SSOSuccess, IP: "192.0.2.2"}
		if err := s.RecordSSOEvent(ctx, other); err != nil { // a browser's redemption, not a click
			t.Fatal(err)
		}

		got, err := s.SSOClickSources(ctx, a.ID, now.Add(-30*24*time.Hour), 50)
		if err != nil {
			t.Fatal(err)
		}
		want := []links.SSOSourceSeen{
			{IP: "203.0.113.7", Clicks: 2, LastAt: now.Add(-time.Hour)},
			{IP: "198.51.100.9", Clicks: 1, Refused: 1, LastAt: now.Add(-2 * time.Hour)},
		}
		if len(got) != len(want) {
			t.Fatalf("sources %+v, want %+v", got, want)
		}
		for i := range want {
			if g := got[i]; g.IP != want[i].IP || g.Clicks != want[i].Clicks || g.Refused != want[i].Refused || !g.LastAt.Equal(want[i].LastAt) {
				t.Errorf("source %d = %+v, want %+v", i, g, want[i])
			}
		}
		if got, err := s.SSOClickSources(ctx, a.ID, now.Add(-30*24*time.Hour), 1); err != nil || len(got) != 1 || got[0].IP != "203.0.113.7" {
			t.Fatalf("limit 1: %+v, %v", got, err)
		}
		if got, err := s.SSOClickSources(ctx, 999, now.Add(-time.Hour), 50); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("no clicks: %#v, %v", got, err)
		}
	})
}

// A database of the previous release gains the column (its servers start
// with an empty list: any source) and the index. The downgrade comes before
// anything reads the servers table, as at a real start: a statement
// prepared on the old columns would outlive the change on SQLite.
func TestSSOSourcesMigration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db, err := s.SQLDB()
		if err != nil {
			t.Fatal(err)
		}
		drop := "DROP INDEX idx_sso_events_server_time"
		if s.Dialect() == store.DialectMySQL {
			drop += " ON sso_events"
		}
		for _, q := range []string{drop, "ALTER TABLE servers DROP COLUMN sso_sources",
			"DELETE FROM schema_migrations WHERE id = '2026120602_server_sso_sources'",
			`INSERT INTO servers (module, name, hostname, port, secure, verify_tls, username, api_token_enc, active, created_at, updated_at)
				VALUES ('cpanel', 'old', 'old.example.com', 2087, true, true, 'root', '', true, '2026-01-01 00:00:00', '2026-01-01 00:00:00')`,
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.QueryRowContext(ctx, "SELECT id FROM servers WHERE name = 'old'").Scan(&id); err != nil {
			t.Fatal(err)
		}
		got, err := s.Server(ctx, id)
		if err != nil || got.SSOSources == nil || len(got.SSOSources) != 0 {
			t.Fatalf("after the migration: %+v, %v", got.SSOSources, err)
		}
		got, err = s.UpdateServer(ctx, id, links.ServerPatch{SSOSources: []string{"203.0.113.7", "198.51.100.0/24"}})
		if err != nil || !slices.Equal(got.SSOSources, []string{"203.0.113.7", "198.51.100.0/24"}) {
			t.Fatalf("set the list: %+v, %v", got.SSOSources, err)
		}
		target, err := s.SSOServiceTarget(ctx, newServiceOn(t, s, id))
		if err != nil || !slices.Equal(target.SSOSources, got.SSOSources) {
			t.Fatalf("the click target carries %q, %v", target.SSOSources, err)
		}
		if _, err := db.ExecContext(ctx, drop); err != nil {
			t.Fatalf("the migration did not create the index: %v", err)
		}
	})
}

func newServiceOn(t *testing.T, s *store.Store, serverID int64) int64 {
	t.Helper()
	c := newClient(t, s, "billing@acme.test")
	svc, err := s.CreateService(context.Background(), links.ServiceInput{ClientID: c.ID, ServerID: serverID, Username: "acme", Domain: "acme.test", Status: links.ServiceActive})
	if err != nil {
		t.Fatal(err)
	}
	return svc.ID
}
