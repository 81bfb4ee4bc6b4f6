package sso_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/sso"
)

func TestRedeemExactlyOnce(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		raw := f.mustClick("ticket_history")
		sess, err := f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		if err != nil || sess.UserID != f.client.OwnerUserID || sess.ClientID != f.client.ID || sess.Location != "/portal/tickets" {
			t.Fatalf("first redemption: %+v, %v", sess, err)
		}
		if tok := f.storedToken(raw); tok.UsedAt == nil || !tok.UsedAt.Equal(f.clk.now()) {
			t.Fatalf("redeemed token %+v: want used now (%v)", tok, f.clk.now())
		}
		f.clk.advance(time.Second)
		sess, err = f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		r := refusal(t, err, links.SSOReasonUsedToken, links.EUNAUTHORIZED)
		if !strings.Contains(r.Err.Message, "already used") {
			t.Fatalf("message %q", r.Err.Message)
		}
		if sess.Location != "/portal/tickets" {
			t.Fatalf("a refused redemption gives the login page no next: %+v", sess)
		}

		evs := f.events()
		if len(evs) != 3 {
			t.Fatalf("events %+v, want issue, redeem, refused redeem", evs)
		}
		wantEvent(t, evs[0], links.SSOKindIssue, links.SSOSourceCPanel, links.SSOSuccess, "")
		wantEvent(t, evs[1], links.SSOKindRedeem, links.SSOSourceCPanel, links.SSOSuccess, "")
		wantEvent(t, evs[2], links.SSOKindRedeem, links.SSOSourceCPanel, links.SSORefused, links.SSOReasonUsedToken)
		for _, e := range evs[1:] {
			if idOf(e.ClientID) != f.client.ID || idOf(e.UserID) != f.client.OwnerUserID || idOf(e.ServiceID) != f.service.ID ||
				idOf(e.ServerID) != f.server.ID || e.Destination != "ticket_history" || e.IP != "203.0.113.9" {
				t.Fatalf("redeem event %+v", e)
			}
		}
	})
}

func TestRedeemRefusesExpiredTokenAtTheTTL(t *testing.T) {
	each(t, sso.Config{TokenTTL: 10 * time.Second}, func(t *testing.T, f *fixture) {
		early, atTTL, late := f.mustClick("profile"), f.mustClick("profile"), f.mustClick("profile")
		expires := f.storedToken(atTTL).ExpiresAt

		f.clk.set(expires.Add(-time.Millisecond))
		if _, err := f.svc.Redeem(f.ctx, early, "203.0.113.9"); err != nil {
			t.Fatalf("1 ms before expiry: %v", err)
		}
		f.clk.set(expires)
		sess, err := f.svc.Redeem(f.ctx, atTTL, "203.0.113.9")
		r := refusal(t, err, links.SSOReasonExpiredToken, links.EUNAUTHORIZED)
		if !strings.Contains(r.Err.Message, "expired") || sess.Location != "/portal/profile" {
			t.Fatalf("at expiry: %v, %+v", err, sess)
		}
		f.clk.advance(time.Hour)
		refusal(t, func() error { _, err := f.svc.Redeem(f.ctx, late, "203.0.113.9"); return err }(), links.SSOReasonExpiredToken, links.EUNAUTHORIZED)
		// An expired token stays expired (it is not reported as used).
		refusal(t, func() error { _, err := f.svc.Redeem(f.ctx, atTTL, "203.0.113.9"); return err }(), links.SSOReasonExpiredToken, links.EUNAUTHORIZED)
		if tok := f.storedToken(atTTL); tok.UsedAt != nil {
			t.Fatalf("expired token %+v marked used", tok)
		}

		evs := f.events()[3:] // after the three issues
		if len(evs) != 4 {
			t.Fatalf("redeem events %+v, want 4", evs)
		}
		wantEvent(t, evs[0], links.SSOKindRedeem, links.SSOSourceCPanel, links.SSOSuccess, "")
		for _, e := range evs[1:] {
			wantEvent(t, e, links.SSOKindRedeem, links.SSOSourceCPanel, links.SSORefused, links.SSOReasonExpiredToken)
			if idOf(e.ClientID) != f.client.ID || idOf(e.ServiceID) != f.service.ID {
				t.Fatalf("expired event %+v does not name the account", e)
			}
		}
	})
}

func TestRedeemRefusesUnknownAndMalformedTokens(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		unknown, err := secret.Token(sso.TokenBytes)
		if err != nil {
			t.Fatal(err)
		}
		raw := f.mustClick("profile")
		for _, tok := range []string{
			"", "abc", unknown, strings.ToUpper(raw), raw + "x", raw[:len(raw)-1],
			strings.Repeat("a", 129), raw[:40] + "!!!", raw[:40] + "%2F", " " + raw, secret.Hash(raw),
		} {
			sess, err := f.svc.Redeem(f.ctx, tok, "203.0.113.9")
			r := refusal(t, err, links.SSOReasonInvalidToken, links.EUNAUTHORIZED)
			if r.Err.Message != "The sign-in link is not valid." || sess != (sso.Session{}) {
				t.Fatalf("redeem %q: %+v, %v", tok, sess, err)
			}
		}
		evs := f.events()[1:]
		if len(evs) != 11 {
			t.Fatalf("%d refusal events, want 11", len(evs))
		}
		for _, e := range evs {
			if e.Kind != links.SSOKindRedeem || e.Outcome != links.SSORefused || e.Reason != links.SSOReasonInvalidToken || e.ClientID != nil || e.UserID != nil {
				t.Fatalf("event %+v", e)
			}
		}
		// None of them touched the real token.
		if _, err := f.svc.Redeem(f.ctx, raw, "203.0.113.9"); err != nil {
			t.Fatalf("the real token after the guesses: %v", err)
		}
	})
}

// The audit's source is one of the documented values (the OpenAPI enum of
// SSOEvent.source): the refusal of a token nobody issued is "unknown", and
// a redemption of a known token carries its issuer's source.
func TestRedeemEventsHaveADocumentedSource(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		_, _ = f.svc.Redeem(f.ctx, "abc", "203.0.113.9")
		_, _ = f.svc.Redeem(f.ctx, strings.Repeat("A", 43), "203.0.113.9")
		raw := f.mustClick("invoice_history")
		if _, err := f.svc.Redeem(f.ctx, raw, "203.0.113.9"); err != nil {
			t.Fatal(err)
		}
		var sources []string
		for _, ev := range f.events() {
			if ev.Kind == links.SSOKindRedeem {
				sources = append(sources, ev.Source)
			}
		}
		slices.Sort(sources)
		if want := []string{links.SSOSourceCPanel, links.SSOSourceUnknown, links.SSOSourceUnknown}; !slices.Equal(sources, want) {
			t.Fatalf("redemption sources %v, want %v", sources, want)
		}
	})
}

// Between the click and the redemption the rules may change: the redemption
// re-checks them, refuses with the reason, and burns the token, so that
// putting the rule back does not revive it.
func TestRedeemRechecksTheRulesAndBurnsARefusedToken(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		restore := func() {
			f.patchClient(f.client.ID, links.ClientPatch{Status: ptr(links.ClientActive), AllowSSO: ptr(true)})
			f.setServiceStatus(f.service.ID, links.ServiceActive)
			f.setServerActive(true)
		}
		for _, tc := range []struct {
			name    string
			change  func()
			reason  string
			message string
		}{
			{"allow_sso switched off", func() { f.patchClient(f.client.ID, links.ClientPatch{AllowSSO: ptr(false)}) }, links.SSOReasonSSODisabled, "SSO authentication blocked for client"},
			{"client closed", func() { f.patchClient(f.client.ID, links.ClientPatch{Status: ptr(links.ClientClosed)}) }, links.SSOReasonClientClosed, "closed"},
			{"service terminated", func() { f.setServiceStatus(f.service.ID, links.ServiceTerminated) }, links.SSOReasonServiceInactive, "terminated"},
			{"server deactivated", func() { f.setServerActive(false) }, links.SSOReasonServiceInactive, "inactive server"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				raw := f.mustClick("invoice_history")
				tc.change()
				before := len(f.events())
				sess, err := f.svc.Redeem(f.ctx, raw, "203.0.113.9")
				r := refusal(t, err, tc.reason, links.EFORBIDDEN)
				if !strings.Contains(r.Err.Message, tc.message) || sess.Location != "/portal/invoices" {
					t.Fatalf("refusal %v, session %+v", err, sess)
				}
				if tok := f.storedToken(raw); tok.UsedAt == nil {
					t.Fatal("the refused token was not burnt")
				}
				evs := f.newEvents(before)
				if len(evs) != 1 {
					t.Fatalf("new events %+v, want the one refusal", evs)
				}
				wantEvent(t, evs[0], links.SSOKindRedeem, links.SSOSourceCPanel, links.SSORefused, tc.reason)
				if idOf(evs[0].ClientID) != f.client.ID || idOf(evs[0].ServiceID) != f.service.ID {
					t.Fatalf("refusal event %+v", evs[0])
				}
				restore()
				_, err = f.svc.Redeem(f.ctx, raw, "203.0.113.9")
				refusal(t, err, links.SSOReasonUsedToken, links.EUNAUTHORIZED)
			})
		}
	})
}

func TestRedeemOfADeletedServiceIsRefused(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		raw := f.mustClick("billing_info")
		if _, err := f.st.DeleteService(f.ctx, f.service.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		r := refusal(t, err, links.SSOReasonServiceInactive, links.EFORBIDDEN)
		if !strings.Contains(r.Err.Message, "no longer exists") {
			t.Fatalf("message %q", r.Err.Message)
		}
		_, err = f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		refusal(t, err, links.SSOReasonUsedToken, links.EUNAUTHORIZED)
	})
}

func TestConcurrentRedemptionsOfOneTokenHaveExactlyOneWinner(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		const n, rounds = 12, 4 // several rounds, so that the race is run, not just possible
		for round := range rounds {
			raw := f.mustClick("profile")
			before := len(f.events())
			var wg sync.WaitGroup
			errs := make([]error, n)
			sessions := make([]sso.Session, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					sessions[i], errs[i] = f.svc.Redeem(f.ctx, raw, "203.0.113.9")
				}()
			}
			close(start)
			wg.Wait()
			wins := 0
			for i, err := range errs {
				if err == nil {
					wins++
					if sessions[i].UserID != f.client.OwnerUserID || sessions[i].Location != "/portal/profile" {
						t.Fatalf("round %d: winner's session %+v", round, sessions[i])
					}
					continue
				}
				if sso.Reason(err) != links.SSOReasonUsedToken || links.ErrorCode(err) != links.EUNAUTHORIZED {
					t.Fatalf("round %d: loser %d: %v (reason %q), want used_token", round, i, err, sso.Reason(err))
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d of %d concurrent redemptions won, want exactly 1", round, wins, n)
			}
			var ok, refused int
			for _, e := range f.newEvents(before) {
				switch {
				case e.Kind == links.SSOKindRedeem && e.Outcome == links.SSOSuccess:
					ok++
				case e.Kind == links.SSOKindRedeem && e.Reason == links.SSOReasonUsedToken:
					refused++
				default:
					t.Fatalf("round %d: unexpected event %+v", round, e)
				}
			}
			if ok != 1 || refused != n-1 {
				t.Fatalf("round %d: audit has %d successes and %d used_token refusals, want 1 and %d", round, ok, refused, n-1)
			}
		}
	})
}

// Purge deletes tokens that expired more than PurgeAfter ago; until then a
// late replay is told "expired", afterwards the token is unknown.
func TestPurgeDeletesLongExpiredTokensOnly(t *testing.T) {
	each(t, sso.Config{TokenTTL: 10 * time.Second, PurgeAfter: time.Minute}, func(t *testing.T, f *fixture) {
		old := f.mustClick("profile")
		f.clk.advance(30 * time.Second)
		fresh := f.mustClick("profile")
		f.clk.advance(45 * time.Second) // old expired 65 s ago, fresh 35 s ago
		n, err := f.svc.Purge(f.ctx)
		if err != nil || n != 1 {
			t.Fatalf("purge = %d, %v; want the one token expired over a minute ago", n, err)
		}
		_, err = f.svc.Redeem(f.ctx, old, "203.0.113.9")
		refusal(t, err, links.SSOReasonInvalidToken, links.EUNAUTHORIZED)
		_, err = f.svc.Redeem(f.ctx, fresh, "203.0.113.9")
		refusal(t, err, links.SSOReasonExpiredToken, links.EUNAUTHORIZED)
		if f.tokenCount() != 1 {
			t.Fatalf("%d tokens left, want 1", f.tokenCount())
		}
	})
}

func TestRedeemOrHoldLeavesAHeldTokenUntouched(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		raw := f.mustClick("profile")
		var seen sso.Session
		sess, err := f.svc.RedeemOrHold(f.ctx, raw, "203.0.113.9", func(s sso.Session) (bool, error) { seen = s; return true, nil })
		if !errors.Is(err, sso.ErrHeld) || sess != seen || sess.UserID != f.client.OwnerUserID || sess.Location != "/portal/profile" {
			t.Fatalf("held: %+v, %v (hold saw %+v)", sess, err, seen)
		}
		if f.storedToken(raw).UsedAt != nil || len(f.events()) != 1 {
			t.Fatalf("a held token was consumed or audited: %+v", f.events())
		}
		// A hold that fails (an outage) leaves the token usable and is audited.
		outage := links.Errorf(links.EUNAVAILABLE, "down")
		_, err = f.svc.RedeemOrHold(f.ctx, raw, "203.0.113.9", func(sso.Session) (bool, error) { return false, outage })
		if !errors.Is(err, outage) || f.storedToken(raw).UsedAt != nil {
			t.Fatalf("failed hold: %v, token %+v", err, f.storedToken(raw))
		}
		wantEvent(t, f.events()[1], links.SSOKindRedeem, links.SSOSourceCPanel, links.SSORefused, links.SSOReasonUnavailable)
		// A hold that lets it go redeems it.
		if _, err := f.svc.RedeemOrHold(f.ctx, raw, "203.0.113.9", func(sso.Session) (bool, error) { return false, nil }); err != nil {
			t.Fatal(err)
		}
		// Only a good token is offered to the hold: a used one is refused.
		_, err = f.svc.RedeemOrHold(f.ctx, raw, "203.0.113.9", func(sso.Session) (bool, error) { t.Fatal("hold asked about a used token"); return true, nil })
		refusal(t, err, links.SSOReasonUsedToken, links.EUNAUTHORIZED)
	})
}

func TestDeclineBurnsTheTokenWithOneEvent(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		raw := f.mustClick("profile")
		if err := f.svc.Decline(f.ctx, raw, "203.0.113.9"); err != nil {
			t.Fatal(err)
		}
		if f.storedToken(raw).UsedAt == nil {
			t.Fatal("a declined token stays usable")
		}
		refusal(t, f.svc.Decline(f.ctx, raw, "203.0.113.9"), links.SSOReasonUsedToken, links.EUNAUTHORIZED)
		_, err := f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		refusal(t, err, links.SSOReasonUsedToken, links.EUNAUTHORIZED)
		refusal(t, f.svc.Decline(f.ctx, strings.Repeat("a", 43), "203.0.113.9"), links.SSOReasonInvalidToken, links.EUNAUTHORIZED)
		evs := f.events()
		if len(evs) != 3 {
			t.Fatalf("events %+v, want issue, declined, refused replay", evs)
		}
		wantEvent(t, evs[1], links.SSOKindRedeem, links.SSOSourceCPanel, links.SSORefused, links.SSOReasonSwitchDeclined)
		if idOf(evs[1].UserID) != f.client.OwnerUserID || idOf(evs[1].ClientID) != f.client.ID || evs[1].IP != "203.0.113.9" {
			t.Fatalf("decline event %+v", evs[1])
		}
	})
}
