package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

func TestClickThroughSimulatorSignsOwnerInAtDestination(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		sid := strconv.FormatInt(e.svc.ID, 10)
		for key, want := range map[string]string{
			"invoice_history": "/portal/invoices",
			"upgrade":         "/portal/services/" + sid + "/upgrade",
			"billing_info":    "/portal/services/" + sid,
			"network_status":  "/portal/network-status",
		} {
			loc, b := e.click("acme", key)
			if loc != want {
				t.Fatalf("%s: landed on %q, want %q", key, loc, want)
			}
			var me struct {
				User    links.User
				Owner   bool
				Current struct{ ID int64 } `json:"current_account"`
			}
			e.mustJSON(e.do(b, "GET", "/api/v1/portal/me", nil), 200, &me)
			if me.User.ID != e.owner.ID || !me.Owner || me.Current.ID != e.client.ID {
				t.Fatalf("%s: session is %+v, want the owner on client %d", key, me, e.client.ID)
			}
		}
		evs := e.events("client_id=" + strconv.FormatInt(e.client.ID, 10) + "&outcome=success&per_page=200")
		issues, redeems := 0, 0
		for _, ev := range evs {
			if ev.Source != links.SSOSourceCPanel || ev.ServerID == nil || *ev.ServerID != e.server.ID || ev.ServiceID == nil || *ev.ServiceID != e.svc.ID || ev.IP == "" {
				t.Fatalf("event %+v lacks the source server, service or IP", ev)
			}
			switch ev.Kind {
			case links.SSOKindIssue:
				issues++
			case links.SSOKindRedeem:
				redeems++
			}
		}
		if issues != 4 || redeems != 4 {
			t.Fatalf("%d issues and %d redemptions audited, want 4 each", issues, redeems)
		}
	})
}

func TestRedeemSetsSafeCookieAndHeaders(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		tok := e.accessToken(e.svc.ID, "profile")
		if len(tok) < 43 {
			t.Fatalf("token %q is shorter than 32 random bytes", tok)
		}
		r := e.do(nil, "GET", "/sso/redeem?access_token="+tok, nil)
		if r.status != http.StatusFound || r.header.Get("Location") != "/portal/profile" {
			t.Fatalf("redeem: %d to %q", r.status, r.header.Get("Location"))
		}
		if r.header.Get("Referrer-Policy") != "no-referrer" || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("redeem headers %v", r.header)
		}
		resp := &http.Response{Header: r.header}
		var ck *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "applinks_portal" {
				ck = c
			}
		}
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.MaxAge <= 0 {
			t.Fatalf("session cookie %+v", ck)
		}
		// A failed redemption also carries the headers and sets no cookie.
		r = e.do(nil, "GET", "/sso/redeem?access_token="+tok, nil)
		if r.header.Get("Referrer-Policy") != "no-referrer" || r.header.Get("Cache-Control") != "no-store" || r.header.Get("Set-Cookie") != "" {
			t.Fatalf("failed redeem headers %v", r.header)
		}
	})
}

func TestRefusalsFallBackToLoginPageWithReason(t *testing.T) {
	ctx := context.Background()
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		cid := strconv.FormatInt(e.client.ID, 10)
		loginNext := "/portal/login?error=%s&next=%%2Fportal%%2Finvoices"

		// Replay of a used token.
		tok := e.accessToken(e.svc.ID, "invoice_history")
		if r := e.do(nil, "GET", "/sso/redeem?access_token="+tok, nil); r.header.Get("Location") != "/portal/invoices" {
			t.Fatalf("first redemption went to %q", r.header.Get("Location"))
		}
		if r := e.do(nil, "GET", "/sso/redeem?access_token="+tok, nil); r.header.Get("Location") != fmt.Sprintf(loginNext, "used_token") || r.header.Get("Set-Cookie") != "" {
			t.Fatalf("replay went to %q", r.header.Get("Location"))
		}

		// An expired token.
		tok = e.accessToken(e.svc.ID, "invoice_history")
		e.ssoClock.advance(31 * time.Second)
		if r := e.do(nil, "GET", "/sso/redeem?access_token="+tok, nil); r.header.Get("Location") != fmt.Sprintf(loginNext, "expired_token") {
			t.Fatalf("expired token went to %q", r.header.Get("Location"))
		}
		// Unknown and malformed tokens.
		for _, bad := range []string{"", "short", strings.Repeat("A", 43), strings.Repeat("x", 5000), "%00%0d%0a" + strings.Repeat("a", 50)} {
			r := e.do(nil, "GET", "/sso/redeem?access_token="+bad, nil)
			if r.status != http.StatusFound || r.header.Get("Location") != "/portal/login?error=invalid_token" {
				t.Fatalf("token %.20q: %d to %q", bad, r.status, r.header.Get("Location"))
			}
		}

		// allow_sso off (staff), a Closed client, a terminated service: the
		// click is refused with the reason and falls back to the link's url.
		off, on := false, true
		cases := []struct {
			reason       string
			break_, heal func()
		}{
			{links.SSOReasonSSODisabled, func() {
				e.mustJSON(e.do(nil, "PATCH", "/api/v1/clients/"+cid, map[string]any{"allow_sso": off}, withStaff(e.staff)), 200, nil)
			}, func() {
				e.mustJSON(e.do(nil, "PATCH", "/api/v1/clients/"+cid, map[string]any{"allow_sso": on}, withStaff(e.staff)), 200, nil)
			}},
			{links.SSOReasonClientClosed, func() {
				e.mustJSON(e.do(nil, "PATCH", "/api/v1/clients/"+cid, map[string]any{"status": "Closed"}, withStaff(e.staff)), 200, nil)
			}, func() {
				e.mustJSON(e.do(nil, "PATCH", "/api/v1/clients/"+cid, map[string]any{"status": "Active"}, withStaff(e.staff)), 200, nil)
			}},
			{links.SSOReasonServiceInactive, func() {
				if _, _, err := e.db.UpdateService(ctx, e.svc.ID, links.ServicePatch{Status: ptr(links.ServiceTerminated)}); err != nil {
					t.Fatal(err)
				}
			}, func() {
				if _, _, err := e.db.UpdateService(ctx, e.svc.ID, links.ServicePatch{Status: ptr(links.ServiceActive)}); err != nil {
					t.Fatal(err)
				}
			}},
		}
		for _, tc := range cases {
			pending := e.accessToken(e.svc.ID, "invoice_history") // issued before the change
			tc.break_()
			// The fallback page explains the refusal.
			if loc, _ := e.click("acme", "invoice_history"); loc != e.fallbackLanding(tc.reason, "invoice_history", e.svc.ID) {
				t.Fatalf("%s: click landed on %q, want the fallback %q", tc.reason, loc, e.fallbackLanding(tc.reason, "invoice_history", e.svc.ID))
			}
			body := e.wantRefusal(e.autologin(e.svc.ID, "invoice_history"), http.StatusForbidden, tc.reason)
			if tc.reason == links.SSOReasonSSODisabled && body.Error.Message != "SSO authentication blocked for client "+cid+"." {
				t.Fatalf("message %q", body.Error.Message)
			}
			// A token issued before the change is refused at redemption.
			if r := e.do(nil, "GET", "/sso/redeem?access_token="+pending, nil); r.header.Get("Location") != fmt.Sprintf(loginNext, tc.reason) || r.header.Get("Set-Cookie") != "" {
				t.Fatalf("%s: pending token went to %q", tc.reason, r.header.Get("Location"))
			}
			if evs := e.events("outcome=refused&per_page=1"); len(evs) != 1 || evs[0].Reason != tc.reason {
				t.Fatalf("%s: last refusal event %+v", tc.reason, evs)
			}
			tc.heal()
			if loc, _ := e.click("acme", "invoice_history"); loc != "/portal/invoices" {
				t.Fatalf("%s healed: click landed on %q", tc.reason, loc)
			}
		}
	})
}

func TestClickBadInputIsRefusedWithReason(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		creds, err := e.db.ServiceLinkCreds(context.Background(), e.svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		other, _ := e.newClient("other")
		otherSvc := e.newService(other.ID, "other")
		otherCreds, _ := e.db.ServiceLinkCreds(context.Background(), otherSvc.ID)
		form := func(sub, tok string) string {
			return url.Values{"subscriber_unique_id": {sub}, "token": {tok}}.Encode()
		}
		formCT := withHeader("Content-Type", "application/x-www-form-urlencoded")
		cases := []struct {
			name, dest, body string
			status           int
			reason           string
		}{
			{"missing everything", "profile", "", 401, links.SSOReasonBadCredentials},
			{"missing token", "profile", form(creds.SubscriberUniqueID, ""), 401, links.SSOReasonBadCredentials},
			{"wrong token", "profile", form(creds.SubscriberUniqueID, creds.Token[:len(creds.Token)-2]+"xx"), 401, links.SSOReasonBadCredentials},
			{"unknown subscriber", "profile", form("al_nobody", creds.Token), 401, links.SSOReasonBadCredentials},
			{"another service's token", "profile", form(creds.SubscriberUniqueID, otherCreds.Token), 401, links.SSOReasonBadCredentials},
			{"oversized token", "profile", form(creds.SubscriberUniqueID, strings.Repeat("a", 10000)), 401, links.SSOReasonBadCredentials},
			{"malformed token", "profile", form(creds.SubscriberUniqueID, "../../etc/passwd%00"), 401, links.SSOReasonBadCredentials},
			{"unknown destination", "nowhere", form(creds.SubscriberUniqueID, creds.Token), 400, links.SSOReasonInvalidDestination},
			{"custom is not a link destination", "custom", form(creds.SubscriberUniqueID, creds.Token), 400, links.SSOReasonInvalidDestination},
			{"no destination", "", form(creds.SubscriberUniqueID, creds.Token), 400, links.SSOReasonInvalidDestination},
		}
		for _, tc := range cases {
			r := e.do(nil, "POST", "/sso/cpanel/token?destination="+url.QueryEscape(tc.dest), tc.body, formCT)
			e.wantRefusal(r, tc.status, tc.reason)
		}
		// JSON instead of a form body: no credentials.
		e.wantRefusal(e.do(nil, "POST", "/sso/cpanel/token?destination=profile", map[string]string{"subscriber_unique_id": creds.SubscriberUniqueID, "token": creds.Token}), 401, links.SSOReasonBadCredentials)
		// A body over the limit never reaches the handler.
		if r := e.do(nil, "POST", "/sso/cpanel/token?destination=profile", strings.Repeat("a=b&", 40000), formCT); r.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized body: %d", r.status)
		}
		if n := len(e.events("outcome=refused&source=cpanel&per_page=200")); n < len(cases)+1 {
			t.Fatalf("%d refusals audited, want at least %d", n, len(cases)+1)
		}
	})
}

func TestClickAnswersRetryWhenDatabaseIsBrieflyUnavailable(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		e.flaky.setDown(true)
		var ans map[string]int
		e.mustJSON(e.autologin(e.svc.ID, "profile"), 200, &ans)
		if ans["retry"] < 1 || ans["attempt"] != 1 || len(ans) != 2 {
			t.Fatalf("answer %v, want {retry: N, attempt: 1}", ans)
		}
		// The simulator retries (without waiting) and falls back after 3
		// attempts (no refusal: the fallback page has nothing to explain);
		// once the database is back the click works.
		if loc, _ := e.click("acme", "profile"); loc != e.fallbackLanding("", "profile", 0) {
			t.Fatalf("click while down landed on %q", loc)
		}
		e.flaky.setDown(false)
		if loc, _ := e.click("acme", "profile"); loc != "/portal/profile" {
			t.Fatalf("click after recovery landed on %q", loc)
		}
	})
}

func TestConcurrentRedemptionsOfOneTokenExactlyOneWins(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		tok := e.accessToken(e.svc.ID, "open_ticket")
		const n = 50
		var wg sync.WaitGroup
		locs := make([]string, n)
		cookies := make([]bool, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := e.do(nil, "GET", "/sso/redeem?access_token="+tok, nil)
				locs[i], cookies[i] = r.header.Get("Location"), strings.Contains(r.header.Get("Set-Cookie"), "applinks_portal=ey")
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for i, loc := range locs {
			switch {
			case loc == "/portal/tickets/new" && cookies[i]:
				wins++
			case loc == "/portal/login?error=used_token&next=%2Fportal%2Ftickets%2Fnew" && !cookies[i]:
			default:
				t.Fatalf("redemption %d: %q cookie=%v", i, loc, cookies[i])
			}
		}
		if wins != 1 {
			t.Fatalf("%d of %d concurrent redemptions won, want exactly 1", wins, n)
		}
	})
}

func TestAbuseLimitsAnswer429WithRetryAfter(t *testing.T) {
	lim := sso.Limits{ClickPerIP: 1000, ClickPerCredential: 1, RedeemPerIP: 1, TokenAPIPerIP: 1000, TokenAPIPerCred: 1,
		PortalLoginPerIP: 1, Burst: 5, PerCredentialBurst: 2, PanelSessionPerUser: 1}
	eachSSO(t, ssoOptions{limits: lim}, func(t *testing.T, e *ssoEnv) {
		for range 2 {
			e.mustJSON(e.autologin(e.svc.ID, "profile"), 200, nil)
		}
		r := e.autologin(e.svc.ID, "profile")
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("third click from one credential: %d %v", r.status, r.header)
		}
		// Another account's clicks are not limited by this one's.
		other, _ := e.newClient("other")
		e.mustJSON(e.autologin(e.newService(other.ID, "other").ID, "profile"), 200, nil)

		for range 5 {
			e.do(nil, "GET", "/sso/redeem?access_token=x", nil)
		}
		r = e.do(nil, "GET", "/sso/redeem?access_token=x", nil)
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("sixth redemption from one IP: %d", r.status)
		}
		for range 6 {
			r = e.do(nil, "POST", "/api/v1/portal/login", map[string]string{"email": "x@y.test", "password": "wrongwrong"})
		}
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("sixth portal login from one IP: %d", r.status)
		}
	})
}

func TestExpiredTokensArePurged(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		tok := e.accessToken(e.svc.ID, "profile")
		svc := sso.New(e.db, sso.Config{PublicURL: e.url, PurgeAfter: time.Minute, Now: func() time.Time { return time.Now().Add(2 * time.Minute) }})
		n, err := svc.Purge(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("purge = %d, %v", n, err)
		}
		if r := e.do(nil, "GET", "/sso/redeem?access_token="+tok, nil); r.header.Get("Location") != "/portal/login?error=invalid_token&next=%2Fportal%2Fprofile" &&
			r.header.Get("Location") != "/portal/login?error=invalid_token" {
			t.Fatalf("purged token: %q", r.header.Get("Location"))
		}
	})
}
