package provisioning_test

import (
	"context"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// Rotating one account's secret pushes only its new token, with
// update_integration_link_token, keeping its subscriber id; the previous
// token's hash is kept, with the time the panel confirmed the new one (the
// SSO click check's grace starts then).
func TestRotatingOneSecretPushesItsToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 3})
		svc := w.services["cpau002"]
		old, err := st.ServiceLinkCreds(ctx, svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		cpa := w.servers["cpa"]
		cpa.ResetStats()
		rop, err := e.RotateLinkSecret(ctx, svc.ID, "staff@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, rop.ID); d.Kind != links.OpRotation || d.AccountsDone != 1 {
			t.Fatalf("rotation = %+v", d.Operation)
		}
		now, err := st.ServiceLinkCreds(ctx, svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if now.SubscriberUniqueID != old.SubscriberUniqueID || now.Token == old.Token {
			t.Fatalf("credential after rotation: same subscriber %v, same token %v", now.SubscriberUniqueID == old.SubscriberUniqueID, now.Token == old.Token)
		}
		for _, l := range cpa.Links("cpau002") {
			if !cpa.TokenMatches("cpau002", l.App, now.Token) {
				t.Errorf("link %s does not carry the new token", l.App)
			}
		}
		stats := cpa.Stats()
		if stats.Requests != 1 || stats.Calls["update_integration_link_token"] == 0 || stats.Calls["create_integration_link"] != 0 {
			t.Errorf("rotation calls = %v in %d requests, want token updates only, in one request", stats.Calls, stats.Requests)
		}
		target, err := st.SSOClickTarget(ctx, now.SubscriberUniqueID)
		if err != nil || target.PrevTokenHash != secret.Hash(old.Token) || target.PrevConfirmedAt == nil {
			t.Fatalf("after the confirmation: previous hash kept %v, confirmed at %v (%v); want kept, with its time",
				target.PrevTokenHash == secret.Hash(old.Token), target.PrevConfirmedAt, err)
		}
		w.expectLinks(mustLinks(t, e), "cpa")
	})
}

// Rotating every secret falls back to a full push where a link is missing.
func TestRotatingEverySecretFallsBackToAFullPush(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 4})
		cpa := w.servers["cpa"]
		if err := cpa.RemoveLink("cpau003", "billing_profile"); err != nil {
			t.Fatal(err)
		}
		cpa.ResetStats()
		rop, err := e.RotateLinkSecrets(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, rop.ID); d.AccountsDone != 4 || d.AccountsFailed != 0 {
			t.Fatalf("rotation = %+v", d.Operation)
		}
		if n, one := cpa.Stats().Calls["create_integration_link"], len(cpa.Links("cpau003")); n != int64(one) {
			t.Errorf("%d links created, want %d: a full push of the account missing a link only", n, one)
		}
		w.expectLinks(mustLinks(t, e), "cpa")
		for user, svc := range w.services {
			creds, err := st.ServiceLinkCreds(ctx, svc.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range cpa.Links(user) {
				if !cpa.TokenMatches(user, l.App, creds.Token) {
					t.Errorf("%s: link %s does not carry the new token", user, l.App)
				}
			}
		}
		if _, err := e.RotateLinkSecret(ctx, 99999, ""); links.ErrorCode(err) != links.ENOTFOUND {
			t.Errorf("rotate an unknown service = %v", err)
		}
		if _, err := e.RotateLinkSecrets(ctx, "plesk", ""); links.ErrorCode(err) != links.ENOTFOUND {
			t.Errorf("rotate an unknown module = %v", err)
		}
	})
}

// Rotating every secret while a server is deactivated leaves the secrets
// of its accounts as they are (the SSO check refuses the accounts of an
// inactive server); activated again, the server rotates them before it
// pushes, so its panel carries new ones.
func TestADeactivatedServerRotatesItsSecretsWhenActivatedAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 2}, srvSpec{name: "cpb", accounts: 2})
		tokens := func() map[string]string { return linkTokens(t, st, w) }
		setActive := func(active bool) {
			if _, err := st.UpdateServer(ctx, w.ids["cpb"], links.ServerPatch{Active: &active}); err != nil {
				t.Fatal(err)
			}
		}
		before := tokens()
		setActive(false)
		rop, err := e.RotateLinkSecrets(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, rop.ID); d.ServersTotal != 1 || d.AccountsDone != 2 {
			t.Fatalf("rotation = %+v, want the active server's 2 accounts", d.Operation)
		}
		for user, token := range tokens() {
			if rotated := token != before[user]; rotated != strings.HasPrefix(user, "cpa") {
				t.Fatalf("%s: rotated %v while its server is active %v", user, rotated, strings.HasPrefix(user, "cpa"))
			}
		}
		setActive(true)
		waitFor(t, func() bool {
			s, err := e.Status(ctx, links.ModuleCPanel)
			return err == nil && s.State == links.StateActive && tokens()["cpbu001"] != before["cpbu001"]
		})
		cpb := w.servers["cpb"]
		for user, token := range tokens() {
			if !strings.HasPrefix(user, "cpb") {
				continue
			}
			if token == before[user] {
				t.Fatalf("%s: not rotated once its server was activated again", user)
			}
			for _, l := range cpb.Links(user) {
				if !cpb.TokenMatches(user, l.App, token) {
					t.Errorf("%s: link %s does not carry the new token", user, l.App)
				}
			}
		}
		w.expectLinks(mustLinks(t, e), "cpa", "cpb")
	})
}

// A rotation of every secret left asked of a server whose pass a process
// of an earlier release ended without applying it is applied by this
// release's worker, which then pushes the new tokens.
func TestARotationLeftAskedIsAppliedLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 3})
		before := linkTokens(t, st, w)
		db, err := st.SQLDB()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE servers SET rotate_gen = rotate_gen + 1"); err != nil {
			t.Fatal(err)
		}
		cpa := w.servers["cpa"]
		waitFor(t, func() bool {
			if sw, err := st.ServerWork(ctx, w.ids["cpa"]); err != nil || sw.RotationAsked {
				return false // asked until applied
			}
			for user, token := range linkTokens(t, st, w) {
				if token == before[user] {
					return false
				}
				for _, l := range cpa.Links(user) {
					if !cpa.TokenMatches(user, l.App, token) {
						return false
					}
				}
			}
			return true
		})
		w.expectLinks(mustLinks(t, e), "cpa")
	})
}

// linkTokens returns the link token of each account of the world.
func linkTokens(t *testing.T, st *store.Store, w *world) map[string]string {
	t.Helper()
	out := map[string]string{}
	for user, svc := range w.services {
		creds, err := st.ServiceLinkCreds(context.Background(), svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[user] = creds.Token
	}
	return out
}

func mustLinks(t *testing.T, e interface {
	Links(ctx context.Context, module string) ([]links.Link, error)
}) []links.Link {
	t.Helper()
	ls, err := e.Links(context.Background(), links.ModuleCPanel)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// A service moved to another server gets a new secret there; the new
// server's confirmation starts the old secret's grace.
func TestAMovedServiceGetsANewSecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		st.SetLifecycleDelay(0)
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 2}, srvSpec{name: "cpb", accounts: 1})
		svc := w.services["cpau001"]
		old, err := st.ServiceLinkCreds(ctx, svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.servers["cpb"].AddAccount(whmsim.Account{User: "cpau001", Domain: "cpau001.example.test"}); err != nil {
			t.Fatal(err)
		}
		to := w.ids["cpb"]
		before, after, err := st.UpdateService(ctx, svc.ID, links.ServicePatch{ServerID: &to})
		if err != nil {
			t.Fatal(err)
		}
		e.ServiceChanged(ctx, &before, &after)
		now, err := st.ServiceLinkCreds(ctx, svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if now.Token == old.Token {
			t.Fatal("a moved service kept its secret")
		}
		cpb := w.servers["cpb"]
		waitFor(t, func() bool {
			ls := cpb.Links("cpau001")
			return len(ls) > 0 && cpb.TokenMatches("cpau001", ls[0].App, now.Token) && len(w.servers["cpa"].Links("cpau001")) == 0
		})
		waitFor(t, func() bool {
			target, err := st.SSOClickTarget(ctx, now.SubscriberUniqueID)
			return err == nil && target.PrevTokenHash == secret.Hash(old.Token) && target.PrevConfirmedAt != nil
		})
	})
}
