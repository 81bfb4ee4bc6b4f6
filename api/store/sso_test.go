package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

func TestConsumeSSOTokenOnceOnlyBeforeExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s, "sso@acme.test")
		now := time.Now().UTC()
		live, err := s.CreateSSOToken(ctx, links.SSOToken{Hash: "h-live", UserID: c.OwnerUserID, ClientID: c.ID, Destination: "profile", Issuer: "api:1", ExpiresAt: now.Add(30 * time.Second)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if live.ServiceID != 0 || live.UsedAt != nil {
			t.Fatalf("created token %+v", live)
		}
		if _, err := s.CreateSSOToken(ctx, links.SSOToken{Hash: "h-old", UserID: c.OwnerUserID, ClientID: c.ID, Destination: "profile", Issuer: "api:1", ExpiresAt: now.Add(-time.Second)}, nil); err != nil {
			t.Fatal(err)
		}

		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, ok, err := s.ConsumeSSOToken(ctx, "h-live", now, nil)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
					if tok.UserID != c.OwnerUserID || tok.Destination != "profile" {
						t.Errorf("consumed %+v", tok)
					}
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d concurrent consumptions won, want exactly 1", wins.Load())
		}
		if tok, ok, err := s.ConsumeSSOToken(ctx, "h-live", now, nil); ok || err != nil || tok.UsedAt == nil {
			t.Fatalf("replay: ok=%v used=%v err=%v", ok, tok.UsedAt, err)
		}
		if tok, ok, err := s.ConsumeSSOToken(ctx, "h-old", now, nil); ok || err != nil || tok.UsedAt != nil {
			t.Fatalf("expired: ok=%v used=%v err=%v", ok, tok.UsedAt, err)
		}
		if _, _, err := s.ConsumeSSOToken(ctx, "h-none", now, nil); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("unknown: %v", err)
		}
		n, err := s.PurgeSSOTokens(ctx, now)
		if err != nil || n != 1 {
			t.Fatalf("purge = %d, %v; want the one expired token", n, err)
		}
		if _, _, err := s.ConsumeSSOToken(ctx, "h-old", now, nil); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("purged token still there: %v", err)
		}
	})
}

func TestSSOTargetsResolveServiceServerAndClient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s, "target@acme.test")
		srv := newServer(t, s, "cp1", "cp1.example.com", true)
		svc, err := s.CreateService(ctx, links.ServiceInput{ClientID: c.ID, ServerID: srv.ID, Username: "acme", Domain: "acme.test", Status: links.ServiceActive})
		if err != nil {
			t.Fatal(err)
		}
		creds, err := s.ServiceLinkCreds(ctx, svc.ID)
		if err != nil || creds.Username != "acme" || creds.Token == "" {
			t.Fatalf("creds %+v, %v", creds, err)
		}
		target, err := s.SSOClickTarget(ctx, creds.SubscriberUniqueID)
		if err != nil {
			t.Fatal(err)
		}
		if target.Service.ID != svc.ID || target.Service.Username != "acme" || !target.ServerActive ||
			target.Client.ID != c.ID || target.Client.OwnerUserID != c.OwnerUserID || !target.Client.AllowSSO || target.TokenHash == "" {
			t.Fatalf("target %+v", target)
		}
		if _, err := s.SSOClickTarget(ctx, "al_nobody"); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("unknown subscriber: %v", err)
		}
		byID, err := s.SSOServiceTarget(ctx, svc.ID)
		if err != nil || byID.Service.ID != svc.ID || byID.TokenHash != target.TokenHash {
			t.Fatalf("by id %+v, %v", byID, err)
		}
	})
}

func TestSSOEventsFilterNewestFirstAndCredentials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		one, two := int64(1), int64(2)
		for _, e := range []links.SSOEvent{
			{Kind: links.SSOKindIssue, Source: links.SSOSourceCPanel, ClientID: &one, UserID: &one, Outcome: links.SSOSuccess},
			{Kind: links.SSOKindRedeem, Source: links.SSOSourceCPanel, ClientID: &one, UserID: &one, Outcome: links.SSORefused, Reason: links.SSOReasonUsedToken},
			{Kind: links.SSOKindIssue, Source: links.SSOSourceAPI, ClientID: &two, UserID: &two, Outcome: links.SSOSuccess},
		} {
			if err := s.RecordSSOEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		got, total, err := s.ListSSOEvents(ctx, links.SSOEventFilter{ClientID: 1, Page: links.Page{Page: 1, PerPage: 10}})
		if err != nil || total != 2 || len(got) != 2 || got[0].Kind != links.SSOKindRedeem || got[0].Reason != links.SSOReasonUsedToken {
			t.Fatalf("client 1 events %+v total %d, %v", got, total, err)
		}
		if _, total, _ := s.ListSSOEvents(ctx, links.SSOEventFilter{Outcome: links.SSORefused, Page: links.Page{Page: 1, PerPage: 10}}); total != 1 {
			t.Fatalf("refused total %d", total)
		}
		if _, total, _ := s.ListSSOEvents(ctx, links.SSOEventFilter{Source: links.SSOSourceAPI, UserID: 2, Page: links.Page{Page: 1, PerPage: 10}}); total != 1 {
			t.Fatalf("api total %d", total)
		}

		cred, err := s.CreateAPICredential(ctx, links.APICredential{Name: "app", Identifier: "ak_x", Permissions: links.AllCredentialPermissions, CreatedBy: 1}, "hash")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAPICredential(ctx, links.APICredential{Name: "dup", Identifier: "ak_x"}, "hash"); links.ErrorCode(err) != links.ECONFLICT {
			t.Fatalf("duplicate identifier: %v", err)
		}
		got2, hash, err := s.APICredentialByIdentifier(ctx, "ak_x")
		if err != nil || hash != "hash" || got2.ID != cred.ID || !got2.Has(links.CredPermCreateSSOToken) {
			t.Fatalf("by identifier %+v %q %v", got2, hash, err)
		}
		if err := s.RevokeAPICredential(ctx, cred.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPICredential(ctx, 999, time.Now()); links.ErrorCode(err) != links.ENOTFOUND {
			t.Fatalf("revoke unknown: %v", err)
		}
		list, err := s.ListAPICredentials(ctx)
		if err != nil || len(list) != 1 || list[0].RevokedAt == nil {
			t.Fatalf("list %+v, %v", list, err)
		}
	})
}
