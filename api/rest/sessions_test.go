package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

func TestStaffSessionsEndOnSignOutAndAccountChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, func(c *rest.Config, _ *rest.Deps) { c.LoginPerMinute = 60000 })
		ctx := context.Background()
		support, err := s.CreateRole(ctx, "Support", []string{links.PermManageClients})
		if err != nil {
			t.Fatal(err)
		}
		var bob links.Admin
		e.staff(http.MethodPost, "/api/v1/admins", map[string]any{"email": "bob@example.com", "name": "Bob",
			"password": "bob-password-1", "role_id": support.ID}, http.StatusCreated, &bob)
		bobPath := fmt.Sprintf("/api/v1/admins/%d", bob.ID)

		alive := func(tok string) bool {
			resp, data := e.request(http.MethodGet, "/api/v1/auth/me", tok, nil)
			if resp.StatusCode == http.StatusUnauthorized {
				e.wantError(resp, data, http.StatusUnauthorized, links.EUNAUTHORIZED, "")
				return false
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("me: %d %s", resp.StatusCode, data)
			}
			return true
		}

		// Sign-out ends every token of the admin, on every device.
		first, second := e.login("bob@example.com", "bob-password-1"), e.login("bob@example.com", "bob-password-1")
		e.call(http.MethodPost, "/api/v1/auth/logout", first, nil, http.StatusNoContent, nil)
		if alive(first) || alive(second) {
			t.Fatal("a staff token works after sign-out")
		}
		if !alive(e.token) {
			t.Fatal("another admin's sign-out ended this admin's session")
		}

		pass := "bob-password-1"
		changes := []struct {
			name  string
			patch map[string]any
		}{
			{"a new password", map[string]any{"password": "bob-password-2"}},
			{"another role", map[string]any{"role_id": e.admin.RoleID}},
			{"deactivation and reactivation", map[string]any{"active": false}},
		}
		for _, c := range changes {
			tok := e.login("bob@example.com", pass)
			e.staff(http.MethodPatch, bobPath, c.patch, http.StatusOK, nil)
			if p, ok := c.patch["password"].(string); ok {
				pass = p
			}
			if c.patch["active"] == false {
				e.staff(http.MethodPatch, bobPath, map[string]any{"active": true}, http.StatusOK, nil)
			}
			if alive(tok) {
				t.Fatalf("a staff token survives %s", c.name)
			}
			if !alive(e.login("bob@example.com", pass)) {
				t.Fatalf("a new sign-in after %s does not work", c.name)
			}
		}

		// A rename is not a reason to sign anyone out.
		tok := e.login("bob@example.com", "bob-password-2")
		e.staff(http.MethodPatch, bobPath, map[string]any{"name": "Robert"}, http.StatusOK, nil)
		if !alive(tok) {
			t.Fatal("a rename ended the session")
		}
	})
}

func TestPortalSessionsEndOnSignOutEverywhere(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		phone, laptop := e.portalLogin(e.owner.Email), e.portalLogin(e.owner.Email)
		// Copy the phone's cookie before sign-out clears it: a stolen copy
		// must die with the session.
		stolen := e.browser()
		u, err := url.Parse(e.url)
		if err != nil {
			t.Fatal(err)
		}
		stolen.Jar.SetCookies(u, phone.Jar.Cookies(u))
		e.mustJSON(e.do(phone, "GET", "/api/v1/portal/me", nil), 200, nil)

		e.mustJSON(e.do(phone, "POST", "/api/v1/portal/logout", map[string]any{}), http.StatusNoContent, nil)
		for name, b := range map[string]*http.Client{"the signed-out browser's copy": stolen, "another device": laptop} {
			if r := e.do(b, "GET", "/api/v1/portal/me", nil); r.status != http.StatusUnauthorized {
				t.Fatalf("%s still signed in after sign-out: %d %s", name, r.status, r.body)
			}
		}
		var me rest.PortalMe
		e.mustJSON(e.do(e.portalLogin(e.owner.Email), "GET", "/api/v1/portal/me", nil), 200, &me)
		if me.User.ID != e.owner.ID {
			t.Fatalf("sign-in after sign-out: %+v", me)
		}
	})
}

func TestSignInIsThrottledPerAccountAfterFiveFailures(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		logins := []struct {
			path, email, password string
		}{
			{"/api/v1/auth/login", "admin@example.com", testPassword},
			{"/api/v1/portal/login", e.owner.Email, testPassword},
		}
		for _, l := range logins {
			for i := 0; i < 5; i++ {
				r := e.do(e.browser(), "POST", l.path, map[string]string{"email": l.email, "password": "wrong-password"})
				if r.status != http.StatusUnauthorized {
					t.Fatalf("%s: failure %d answered %d %s", l.path, i+1, r.status, r.body)
				}
			}
			// The right password is not even checked while the backoff runs.
			r := e.do(e.browser(), "POST", l.path, map[string]string{"email": l.email, "password": l.password})
			if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
				t.Fatalf("%s: the 6th attempt answered %d %s, want 429 with Retry-After", l.path, r.status, r.body)
			}
			// An unknown e-mail is throttled the same way: nothing to enumerate.
			for i := 0; i < 5; i++ {
				e.do(e.browser(), "POST", l.path, map[string]string{"email": "nobody@example.net", "password": "wrong-password"})
			}
			if r := e.do(e.browser(), "POST", l.path, map[string]string{"email": "nobody@example.net", "password": "x"}); r.status != http.StatusTooManyRequests {
				t.Fatalf("%s: an unknown e-mail is not throttled: %d", l.path, r.status)
			}
		}
	})
}
