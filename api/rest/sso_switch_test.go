package rest_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// switchEnv adds a second account, "other", whose owner (B) has pushed
// links, to the SSO environment whose acme owner is A.
type switchEnv struct {
	*ssoEnv
	other    links.Client
	otherOwn links.User
	otherSvc links.Service
}

func newSwitchEnv(e *ssoEnv) *switchEnv {
	s := &switchEnv{ssoEnv: e}
	s.other, s.otherOwn = e.newClient("other")
	s.otherSvc = e.newService(s.other.ID, "other")
	e.pushLinks(s.otherSvc.ID)
	return s
}

// simClick clicks a link in the simulator with browser b (which may hold a
// session) and answers the service's last answer.
func (e *ssoEnv) simClick(b *http.Client, user, key string) ssoResponse {
	e.t.Helper()
	resp, err := b.Get(e.simCtl.URL + "/__sim/click?server=cp1&user=" + user + "&app=billing_" + key)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return ssoResponse{status: resp.StatusCode, header: resp.Header, body: data}
}

// signedInAs answers the user id of the browser's session, 0 without one.
func (e *ssoEnv) signedInAs(b *http.Client) int64 {
	e.t.Helper()
	r := e.do(b, "GET", "/api/v1/portal/me", nil)
	if r.status == http.StatusUnauthorized {
		return 0
	}
	var me struct{ User links.User }
	e.mustJSON(r, 200, &me)
	return me.User.ID
}

// tokenUsed tells whether a token was consumed.
func (e *ssoEnv) tokenUsed(tok string) bool {
	e.t.Helper()
	st, err := e.db.SSOToken(context.Background(), secret.Hash(tok))
	if err != nil {
		e.t.Fatal(err)
	}
	return st.UsedAt != nil
}

// choose posts the confirmation page's form.
func (e *ssoEnv) choose(b *http.Client, tok, action string, opts ...ssoOpt) ssoResponse {
	e.t.Helper()
	form := url.Values{"access_token": {tok}, "action": {action}}.Encode()
	opts = append([]ssoOpt{withHeader("Content-Type", "application/x-www-form-urlencoded")}, opts...)
	return e.do(b, "POST", "/sso/redeem", form, opts...)
}

var sameOrigin = withHeader("Sec-Fetch-Site", "same-origin")

// redeemEvents counts the redemption events of a client, by outcome/reason.
func (e *ssoEnv) redeemEvents(clientID int64) map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, ev := range e.events("client_id=" + strconv.FormatInt(clientID, 10) + "&per_page=200") {
		if ev.Kind == links.SSOKindRedeem {
			out[ev.Outcome+"/"+ev.Reason]++
		}
	}
	return out
}

var pageToken = regexp.MustCompile(`name="access_token" value="([A-Za-z0-9_-]+)"`)

// wantSwitchPage checks a confirmation page and answers the token it holds.
func (s *switchEnv) wantSwitchPage(r ssoResponse, current, next links.User) string {
	s.t.Helper()
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		s.t.Fatalf("want the confirmation page, got %d %q to %q: %s", r.status, r.header.Get("Content-Type"), r.header.Get("Location"), r.body)
	}
	h := r.header
	if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("Set-Cookie") != "" {
		s.t.Fatalf("confirmation page headers %v", h)
	}
	body := html.UnescapeString(string(r.body))
	for _, want := range []string{"signed in as <strong>" + current.Name + "</strong> (" + current.Email + ")",
		"is for <strong>" + next.Name + "</strong> (" + next.Email + ")", `method="post" action="/sso/redeem"`} {
		if !strings.Contains(body, want) {
			s.t.Fatalf("confirmation page lacks %q:\n%s", want, body)
		}
	}
	m := pageToken.FindStringSubmatch(body)
	if m == nil {
		s.t.Fatalf("no token in the page:\n%s", body)
	}
	return m[1]
}

func TestRedeemOverAnotherUsersSessionAsksAndContinues(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		s := newSwitchEnv(e)
		a := e.portalLogin(e.owner.Email)

		// B's link opened in A's browser: a page, the token untouched.
		tok := s.wantSwitchPage(e.simClick(a, "other", "invoice_history"), e.owner, s.otherOwn)
		if e.tokenUsed(tok) || e.signedInAs(a) != e.owner.ID || len(e.redeemEvents(s.other.ID)) != 0 {
			t.Fatalf("the held redemption consumed the token (%v), changed the session or was audited (%v)", e.tokenUsed(tok), e.redeemEvents(s.other.ID))
		}
		// Showing the page again (reload) still consumes nothing.
		s.wantSwitchPage(e.do(a, "GET", "/sso/redeem?access_token="+tok, nil), e.owner, s.otherOwn)

		// A cross-site form, a foreign Origin, a request that says nothing
		// of its origin, or another body type cannot press Continue.
		for name, opts := range map[string][]ssoOpt{
			"cross-site":        {withHeader("Sec-Fetch-Site", "cross-site"), withHeader("Origin", "https://evil.test")},
			"same-site":         {withHeader("Sec-Fetch-Site", "same-site")},
			"foreign Origin":    {withHeader("Origin", "https://evil.test")},
			"null Origin":       {withHeader("Origin", "null")},
			"no origin headers": nil,
		} {
			if r := e.choose(a, tok, "continue", opts...); r.status != http.StatusForbidden || r.header.Get("Set-Cookie") != "" {
				t.Fatalf("%s continue: %d %s", name, r.status, r.body)
			}
		}
		json := e.do(a, "POST", "/sso/redeem", map[string]string{"access_token": tok, "action": "continue"}, sameOrigin)
		bad := e.choose(a, tok, "maybe", sameOrigin)
		if json.status != http.StatusUnsupportedMediaType || bad.status != http.StatusBadRequest || !strings.Contains(string(bad.body), `"field":"action"`) {
			t.Fatalf("JSON continue %d, unknown action %d %s", json.status, bad.status, bad.body)
		}
		if e.tokenUsed(tok) || e.signedInAs(a) != e.owner.ID || len(e.redeemEvents(s.other.ID)) != 0 {
			t.Fatal("a refused continue touched the token or the session")
		}

		// Continue: B's session, the token consumed, one redemption event.
		r := e.choose(a, tok, "continue", sameOrigin)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/portal/invoices" || !strings.Contains(r.header.Get("Set-Cookie"), "applinks_portal=ey") {
			t.Fatalf("continue: %d to %q", r.status, r.header.Get("Location"))
		}
		if e.signedInAs(a) != s.otherOwn.ID || !e.tokenUsed(tok) {
			t.Fatal("continue did not switch the session or consume the token")
		}
		if evs := e.redeemEvents(s.other.ID); len(evs) != 1 || evs["success/"] != 1 {
			t.Fatalf("redemption events %v, want exactly one success", evs)
		}
		// A replayed continue is a used token, and switches nothing.
		r = e.choose(e.portalLogin(e.owner.Email), tok, "continue", sameOrigin)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/portal/login?error=used_token&next=%2Fportal%2Finvoices" || r.header.Get("Set-Cookie") != "" {
			t.Fatalf("replayed continue: %d to %q", r.status, r.header.Get("Location"))
		}
	})
}

func TestDeclinedSwitchKeepsTheSessionAndBurnsTheToken(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		s := newSwitchEnv(e)
		a := e.portalLogin(e.owner.Email)
		tok := e.accessToken(s.otherSvc.ID, "profile")
		s.wantSwitchPage(e.do(a, "GET", "/sso/redeem?access_token="+tok, nil), e.owner, s.otherOwn)

		// Stay, from an older browser that sends Origin but not Sec-Fetch-Site.
		r := e.choose(a, tok, "decline", withHeader("Origin", e.url))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/portal" || r.header.Get("Set-Cookie") != "" {
			t.Fatalf("decline: %d to %q %v", r.status, r.header.Get("Location"), r.header)
		}
		if e.signedInAs(a) != e.owner.ID || !e.tokenUsed(tok) {
			t.Fatal("decline changed the session or left the token usable")
		}
		evs := e.events("client_id=" + strconv.FormatInt(s.other.ID, 10) + "&outcome=refused")
		if len(evs) != 1 || evs[0].Kind != links.SSOKindRedeem || evs[0].Reason != links.SSOReasonSwitchDeclined ||
			evs[0].UserID == nil || *evs[0].UserID != s.otherOwn.ID || evs[0].Source != links.SSOSourceCPanel {
			t.Fatalf("decline events %+v", evs)
		}
		// The token is dead everywhere afterwards, and a second decline
		// records nothing more.
		for _, b := range []*http.Client{a, e.browser()} {
			r := e.do(b, "GET", "/sso/redeem?access_token="+tok, nil)
			if r.status != http.StatusFound || r.header.Get("Location") != "/portal/login?error=used_token&next=%2Fportal%2Fprofile" {
				t.Fatalf("redeem after decline: %d to %q", r.status, r.header.Get("Location"))
			}
		}
		if r := e.choose(a, tok, "continue", sameOrigin); r.header.Get("Location") != "/portal/login?error=used_token&next=%2Fportal%2Fprofile" {
			t.Fatalf("continue after decline: %q", r.header.Get("Location"))
		}
		e.choose(a, tok, "decline", sameOrigin)
		if got := e.redeemEvents(s.other.ID); got["refused/switch_declined"] != 1 || got["success/"] != 0 {
			t.Fatalf("events after decline %v", got)
		}

		// A token that expires on the page can no longer be continued.
		tok = e.accessToken(s.otherSvc.ID, "profile")
		s.wantSwitchPage(e.do(a, "GET", "/sso/redeem?access_token="+tok, nil), e.owner, s.otherOwn)
		e.ssoClock.advance(31 * time.Second)
		if r := e.choose(a, tok, "continue", sameOrigin); r.header.Get("Location") != "/portal/login?error=expired_token&next=%2Fportal%2Fprofile" || e.signedInAs(a) != e.owner.ID {
			t.Fatalf("continue after expiry: %q", r.header.Get("Location"))
		}
	})
}

func TestRedeemGoesStraightThroughWithoutAnotherUsersSession(t *testing.T) {
	ctx := context.Background()
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		s := newSwitchEnv(e)
		straight := func(name string, b *http.Client, user, key, want string, who int64) {
			t.Helper()
			r := e.simClick(b, user, key)
			if r.status != http.StatusFound || r.header.Get("Location") != want {
				t.Fatalf("%s: %d to %q, want straight to %q: %.200s", name, r.status, r.header.Get("Location"), want, r.body)
			}
			if got := e.signedInAs(b); got != who {
				t.Fatalf("%s: signed in as %d, want %d", name, got, who)
			}
		}
		straight("no session", e.browser(), "acme", "invoice_history", "/portal/invoices", e.owner.ID)

		forged := e.browser()
		u, _ := url.Parse(e.url)
		forged.Jar.SetCookies(u, []*http.Cookie{{Name: "applinks_portal", Value: "eyJhbGciOiJIUzI1NiJ9.e30.forged", Path: "/"}})
		straight("a forged cookie", forged, "other", "profile", "/portal/profile", s.otherOwn.ID)

		straight("the same user", e.portalLogin(e.owner.Email), "acme", "profile", "/portal/profile", e.owner.ID)

		// A on the other account too, signed in there: still the same user.
		if _, err := e.db.AddClientUser(ctx, s.other.ID, links.ClientUserInput{UserID: e.owner.ID, Permissions: []string{links.UserPermSSO}}); err != nil {
			t.Fatal(err)
		}
		onOther := e.browser()
		e.mustJSON(e.do(onOther, "POST", "/api/v1/portal/login", map[string]any{"email": e.owner.Email, "password": testPassword, "client_id": s.other.ID}), 200, nil)
		straight("the same user on another account", onOther, "acme", "profile", "/portal/profile", e.owner.ID)

		// B's session ended elsewhere (sign-out everywhere): nothing to replace.
		stale := e.portalLogin(s.otherOwn.Email)
		e.do(e.portalLogin(s.otherOwn.Email), "POST", "/api/v1/portal/logout", map[string]any{})
		straight("a signed-out session", stale, "acme", "profile", "/portal/profile", e.owner.ID)

		// A token that is refused anyway is refused as before, not asked about.
		a := e.portalLogin(e.owner.Email)
		tok := e.accessToken(s.otherSvc.ID, "profile")
		e.do(nil, "GET", "/sso/redeem?access_token="+tok, nil)
		if r := e.do(a, "GET", "/sso/redeem?access_token="+tok, nil); r.status != http.StatusFound || r.header.Get("Location") != "/portal/login?error=used_token&next=%2Fportal%2Fprofile" {
			t.Fatalf("used token over another session: %d to %q", r.status, r.header.Get("Location"))
		}
		if e.signedInAs(a) != e.owner.ID {
			t.Fatal("a refused redemption changed the session")
		}
	})
}
