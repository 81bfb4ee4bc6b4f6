package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// rotateOne rotates a service's link secret in a targeted operation, which
// it then closes, so that another may follow.
func rotateOne(t *testing.T, s *store.Store, svc links.Service) {
	t.Helper()
	op, err := s.QueueTargeted(context.Background(), links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRotation, Spec: "{}"},
		links.OpTarget{Rotate: true, ServiceID: svc.ID, ServerID: svc.ServerID, Resource: "service", ID: strconv.FormatInt(svc.ID, 10), Action: links.AuditRotate})
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, s, "UPDATE operations SET state = ? WHERE id = ?", links.OpCompleted, op.ID)
}

// clickTarget returns the credential's hashes and the confirmation time of
// its latest rotation, as the SSO click check reads them.
func clickTarget(t *testing.T, s *store.Store, svc links.Service) links.SSOClickTarget {
	t.Helper()
	creds, err := s.ServiceLinkCreds(context.Background(), svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	target, err := s.SSOClickTarget(context.Background(), creds.SubscriberUniqueID)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

// A rotation keeps the previous hash, pending (no confirmation time) until
// a batch confirms the credential's current version; the confirmation
// records its time, which a later confirmation does not move, and the
// previous hash stays for the SSO click check's grace. A rotation before
// the confirmation keeps the hash the panel was confirmed with; one after
// it keeps the hash of the token it replaces.
func TestRotationConfirmationStartsTheGrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "rot@acme.test")
		alice := newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		h0 := clickTarget(t, s, alice).TokenHash

		rotateOne(t, s, alice)
		h1 := clickTarget(t, s, alice).TokenHash
		rotateOne(t, s, alice) // before the panel confirmed the first one
		got := clickTarget(t, s, alice)
		h2 := got.TokenHash
		if h1 == h0 || h2 == h1 || got.PrevTokenHash != h0 || got.PrevConfirmedAt != nil || !slices.Equal(got.UnconfirmedHashes, []string{h1}) {
			t.Fatalf("two pending rotations: previous hash is the first token's %v, confirmed at %v, replaced unconfirmed %v;"+
				" want the first token's, pending, the second token's", got.PrevTokenHash == h0, got.PrevConfirmedAt, got.UnconfirmedHashes)
		}

		if ok, err := s.ClaimServer(ctx, a.ID, "me", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		version := int(queryInt(t, s, "SELECT version FROM link_credentials WHERE service_id = ?", alice.ID))
		confirm := func(read, confirmed string) {
			t.Helper()
			n, err := s.RecordBatch(ctx, time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "me", Module: links.ModuleCPanel,
				Updates: []links.LinkStateUpdate{{Username: "alice", ReadFP: read, ConfirmedFP: confirmed, Done: true,
					ServiceID: alice.ID, CredVersion: version}}})
			if err != nil || n != 1 {
				t.Fatalf("RecordBatch = %d, %v; want 1 applied", n, err)
			}
		}
		before := time.Now().UTC().Truncate(time.Millisecond)
		confirm(page(t, s, a.ID)["alice"].ConfirmedFP, "fp:1")
		got = clickTarget(t, s, alice)
		if got.TokenHash != h2 || got.PrevTokenHash != h0 || got.PrevConfirmedAt == nil || got.PrevConfirmedAt.Before(before) ||
			!slices.Equal(got.UnconfirmedHashes, []string{h1}) {
			t.Fatalf("after the confirmation: current kept %v, previous kept %v, confirmed at %v (want from %v on)",
				got.TokenHash == h2, got.PrevTokenHash == h0, got.PrevConfirmedAt, before)
		}
		first := *got.PrevConfirmedAt
		confirm("fp:1", "fp:2") // a later push of the same version
		if at := clickTarget(t, s, alice).PrevConfirmedAt; !at.Equal(first) {
			t.Fatalf("a second confirmation moved the grace from %v to %v", first, at)
		}

		rotateOne(t, s, alice) // after the confirmation
		got = clickTarget(t, s, alice)
		if got.PrevTokenHash != h2 || got.PrevConfirmedAt != nil || got.TokenHash == h2 || len(got.UnconfirmedHashes) != 0 {
			t.Fatalf("a rotation after the confirmation: previous is the replaced token's %v, confirmed at %v, unconfirmed %v;"+
				" want it, pending, none", got.PrevTokenHash == h2, got.PrevConfirmedAt, got.UnconfirmedHashes)
		}
		// Rotations in a row that the panel never confirms keep the
		// latest replaced tokens, a bounded list.
		var replaced []string
		for range 10 {
			replaced = append(replaced, clickTarget(t, s, alice).TokenHash)
			rotateOne(t, s, alice)
		}
		if got := clickTarget(t, s, alice); got.PrevTokenHash != h2 || !slices.Equal(got.UnconfirmedHashes, replaced[2:]) {
			t.Fatalf("ten pending rotations: previous kept %v, unconfirmed %d (want the last 8 replaced)", got.PrevTokenHash == h2, len(got.UnconfirmedHashes))
		}
	})
}

// Rotating every account's secret marks the module's servers, and rotates
// nothing yet; each server's holder then rotates the credentials issued
// before the request, beyond one chunk of the store's set-wise writes: a
// new token that opens under its service, the next version, and the
// replaced hash kept, pending. The server stays due until it applied the
// request, and a holder resuming after another stopped halfway rotates
// only the credentials the other did not.
func TestRotatingAllRotatesEveryCredential(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "all@acme.test")
		var svcs []links.Service
		old := map[int64]string{}
		for i := range 501 {
			svc := newService(t, s, c.ID, a.ID, fmt.Sprintf("u%03d", i), links.ServiceActive)
			svcs = append(svcs, svc)
			old[svc.ID] = clickTarget(t, s, svc).TokenHash
		}
		version := func(svc links.Service) int64 {
			return queryInt(t, s, "SELECT version FROM link_credentials WHERE service_id = ?", svc.ID)
		}
		if _, err := s.QueueTargeted(ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRotation, Spec: "{}"},
			links.OpTarget{Rotate: true, Resource: links.AuditApplication, ID: links.ModuleCPanel, Action: links.AuditRotate}); err != nil {
			t.Fatal(err)
		}
		work, err := s.ServerWork(ctx, a.ID)
		if err != nil || !work.RotationAsked || version(svcs[0]) != 1 {
			t.Fatalf("after the intent: rotation asked %v, version %d (%v); want asked, nothing rotated yet", work.RotationAsked, version(svcs[0]), err)
		}
		// A process of an earlier release ended the rotation's pass without
		// rotating: the server is still due.
		execSQL(t, s, "UPDATE servers SET done_gen = wanted_gen WHERE id = ?", a.ID)
		if due, err := s.DueServers(ctx, 10); err != nil || len(due) != 1 || due[0] != a.ID {
			t.Fatalf("due servers with a rotation asked = %v, %v; want %d", due, err, a.ID)
		}
		// The holder before rotated the first 100 and stopped.
		execSQL(t, s, "UPDATE link_credentials SET version = 2, issued_gen = 1 WHERE service_id <= ?", svcs[99].ID)
		if err := s.RotateServer(ctx, a.ID, "nobody", time.Minute); !errors.Is(err, links.ErrLeaseLost) || version(svcs[100]) != 1 {
			t.Fatalf("without the lease: %v, version %d; want ErrLeaseLost, nothing rotated", err, version(svcs[100]))
		}
		if won, err := s.ClaimServer(ctx, a.ID, "holder", time.Minute); !won || err != nil {
			t.Fatal(won, err)
		}
		if err := s.RotateServer(ctx, a.ID, "holder", time.Minute); err != nil {
			t.Fatal(err)
		}
		if work, _ := s.ServerWork(ctx, a.ID); work.RotationAsked {
			t.Fatal("the rotation is still asked after it was applied")
		}
		if err := s.ReleaseServer(ctx, a.ID, "holder"); err != nil {
			t.Fatal(err)
		}
		if due, err := s.DueServers(ctx, 10); err != nil || len(due) != 0 {
			t.Fatalf("due servers once the rotation was applied = %v, %v; want none", due, err)
		}
		for _, svc := range svcs[100:] {
			got := clickTarget(t, s, svc)
			creds, err := s.ServiceLinkCreds(ctx, svc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.TokenHash == old[svc.ID] || secret.Hash(creds.Token) != got.TokenHash || got.PrevTokenHash != old[svc.ID] ||
				got.PrevConfirmedAt != nil || version(svc) != 2 {
				t.Fatalf("%s: new token %v (opens: %v), previous kept %v, pending %v, version %d; want a new token, the old one kept, pending, version 2",
					svc.Username, got.TokenHash != old[svc.ID], secret.Hash(creds.Token) == got.TokenHash, got.PrevTokenHash == old[svc.ID],
					got.PrevConfirmedAt == nil, version(svc))
			}
		}
		if v := version(svcs[0]); v != 2 {
			t.Fatalf("a credential the holder before rotated has version %d, want 2 (not rotated twice)", v)
		}
	})
}

// rotateAll asks for a rotation of every secret of the cPanel servers,
// then closes its operation, so that another may follow.
func rotateAll(t *testing.T, s *store.Store) {
	t.Helper()
	op, err := s.QueueTargeted(context.Background(), links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRotation, Spec: "{}"},
		links.OpTarget{Rotate: true, Resource: links.AuditApplication, ID: links.ModuleCPanel, Action: links.AuditRotate})
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, s, "UPDATE operations SET state = ? WHERE id = ?", links.OpCompleted, op.ID)
}

// applyRotation applies the rotation asked of a server, as its worker does.
func applyRotation(t *testing.T, s *store.Store, serverID int64) {
	t.Helper()
	ctx := context.Background()
	if won, err := s.ClaimServer(ctx, serverID, "holder", time.Minute); !won || err != nil {
		t.Fatal(won, err)
	}
	if err := s.RotateServer(ctx, serverID, "holder", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseServer(ctx, serverID, "holder"); err != nil {
		t.Fatal(err)
	}
}

// A rotation of every secret compares no clocks: a credential whose issue
// time is ahead of the request (written by a replica whose clock is ahead)
// is rotated, and so is one moved from a server that had applied more
// rotations than its new one, even if it kept the old server's count (as
// a process of the release before moves it).
func TestRotatingAllComparesNoClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		c := newClient(t, s, "clocks@acme.test")
		ahead := newService(t, s, c.ID, a.ID, "ahead", links.ServiceActive)
		mover := newService(t, s, c.ID, a.ID, "mover", links.ServiceActive)
		rotateAll(t, s)
		applyRotation(t, s, a.ID)
		b := newServer(t, s, "cp2", "cp2.example.com", true) // asked no rotation yet
		if _, _, err := s.UpdateService(context.Background(), mover.ID, links.ServicePatch{ServerID: &b.ID}); err != nil {
			t.Fatal(err)
		}
		execSQL(t, s, "UPDATE link_credentials SET issued_gen = 1 WHERE service_id = ?", mover.ID)
		execSQL(t, s, "UPDATE link_credentials SET updated_at = ? WHERE service_id = ?", time.Now().Add(time.Hour).UTC(), ahead.ID)
		before := map[string]string{"ahead": clickTarget(t, s, ahead).TokenHash, "mover": clickTarget(t, s, mover).TokenHash}

		rotateAll(t, s)
		applyRotation(t, s, a.ID)
		applyRotation(t, s, b.ID)
		for name, svc := range map[string]links.Service{"ahead": ahead, "mover": mover} {
			if clickTarget(t, s, svc).TokenHash == before[name] {
				t.Errorf("%s kept its token through a rotation of every secret", name)
			}
		}
	})
}

// upgradeWithPendingRotation runs test on a database of the release before
// migration, which added the credentials' column: alice's secret was
// rotated there and the rotation is pending; h0 is her token before it.
func upgradeWithPendingRotation(t *testing.T, column, migration string, test func(t *testing.T, s *store.Store, alice links.Service, h0 string)) {
	var alice links.Service
	var h0 string
	upgradeEach(t, func(old *store.Store) {
		a := newServer(t, old, "cp1", "cp1.example.com", true)
		alice = newService(t, old, newClient(t, old, "upg@acme.test").ID, a.ID, "alice", links.ServiceActive)
		h0 = clickTarget(t, old, alice).TokenHash
		rotateOne(t, old, alice)
		execSQL(t, old, "ALTER TABLE link_credentials DROP COLUMN "+column)
		execSQL(t, old, "DELETE FROM schema_migrations WHERE id = ?", migration)
	}, func(t *testing.T, s *store.Store) { test(t, s, alice, h0) })
}

// A database of the previous release gets the confirmation time column; a
// rotation pending at the upgrade stays pending (its old secret accepted).
func TestUpgradeAddsTheRotationConfirmationTime(t *testing.T) {
	upgradeWithPendingRotation(t, "prev_confirmed_at", "2026120760_rotation_grace", func(t *testing.T, s *store.Store, alice links.Service, h0 string) {
		if got := clickTarget(t, s, alice); got.PrevTokenHash != h0 || got.PrevConfirmedAt != nil {
			t.Fatalf("after the upgrade: previous hash kept %v, confirmed at %v; want kept, pending", got.PrevTokenHash == h0, got.PrevConfirmedAt)
		}
	})
}

// A database of the previous release, opened by the new one, gets the
// unconfirmed hashes column: a rotation pending at the upgrade keeps its
// previous token, and a second one adds the replaced token to the list.
func TestUpgradeAddsTheUnconfirmedHashes(t *testing.T) {
	upgradeWithPendingRotation(t, "unconfirmed_hashes", "2026120780_unconfirmed_tokens", func(t *testing.T, s *store.Store, alice links.Service, h0 string) {
		h1 := clickTarget(t, s, alice).TokenHash
		rotateOne(t, s, alice)
		if got := clickTarget(t, s, alice); got.PrevTokenHash != h0 || !slices.Equal(got.UnconfirmedHashes, []string{h1}) {
			t.Fatalf("after the upgrade: previous kept %v, unconfirmed %v; want kept, the replaced token", got.PrevTokenHash == h0, got.UnconfirmedHashes)
		}
	})
}

// A database of the previous release, where a rotation of every secret was
// asked by time (servers.rotate_before), counts the rotations after the
// upgrade: a request pending then is still asked, and applied.
func TestUpgradeCountsAPendingRotation(t *testing.T) {
	var alice links.Service
	var serverID int64
	var h0 string
	upgradeEach(t, func(old *store.Store) {
		a := newServer(t, old, "cp1", "cp1.example.com", true)
		serverID = a.ID
		alice = newService(t, old, newClient(t, old, "gens@acme.test").ID, a.ID, "alice", links.ServiceActive)
		h0 = clickTarget(t, old, alice).TokenHash
		for _, col := range []string{"servers DROP COLUMN rotate_gen", "servers DROP COLUMN rotated_gen", "link_credentials DROP COLUMN issued_gen"} {
			execSQL(t, old, "ALTER TABLE "+col)
		}
		execSQL(t, old, "UPDATE servers SET rotate_before = ? WHERE id = ?", time.Now().UTC(), a.ID)
		execSQL(t, old, "DELETE FROM schema_migrations WHERE id = '2026120900_rotation_generations'")
	}, func(t *testing.T, s *store.Store) {
		if work, err := s.ServerWork(context.Background(), serverID); err != nil || !work.RotationAsked {
			t.Fatalf("after the upgrade: rotation asked %v (%v), want asked", work.RotationAsked, err)
		}
		applyRotation(t, s, serverID)
		if got := clickTarget(t, s, alice); got.TokenHash == h0 || got.PrevTokenHash != h0 {
			t.Fatalf("after the upgrade's rotation: new token %v, previous kept %v", got.TokenHash != h0, got.PrevTokenHash == h0)
		}
		if n := queryInt(t, s, "SELECT COUNT(*) FROM servers WHERE rotate_before IS NOT NULL"); n != 0 {
			t.Fatalf("%d servers still carry the old request", n)
		}
	})
}
