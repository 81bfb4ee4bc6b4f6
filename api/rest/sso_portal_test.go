package rest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
)

func TestOwnerAndStaffControlsTakeEffectAtOnce(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		cid := strconv.FormatInt(e.client.ID, 10)
		dev := e.addUser(e.client.ID, "dev@acme.test", []string{links.UserPermSSO, links.UserPermInvoices})
		devID := strconv.FormatInt(dev.ID, 10)
		cred := e.newCredential("app")
		devToken := func() ssoResponse {
			return e.do(nil, "POST", "/api/v1/sso/tokens", map[string]any{"client_id": e.client.ID, "user_id": dev.ID, "destination": "home"}, withBasic(cred.Identifier, cred.Secret))
		}
		owner := e.portalLogin(e.owner.Email)
		fallback := e.fallbackLanding(links.SSOReasonSSODisabled, "profile", e.svc.ID)

		// The owner switches the account's single sign-on off and on.
		var sec struct {
			AllowSSO bool `json:"allow_sso"`
		}
		e.mustJSON(e.do(owner, "PATCH", "/api/v1/portal/security", map[string]any{"allow_sso": false}), 200, &sec)
		if sec.AllowSSO {
			t.Fatal("allow_sso still on")
		}
		if loc, _ := e.click("acme", "profile"); loc != fallback {
			t.Fatalf("click with SSO off landed on %q", loc)
		}
		e.wantRefusal(devToken(), 403, links.SSOReasonSSODisabled)
		e.mustJSON(e.do(owner, "PATCH", "/api/v1/portal/security", map[string]any{"allow_sso": true}), 200, &sec)
		if loc, _ := e.click("acme", "profile"); loc != "/portal/profile" {
			t.Fatalf("click with SSO back on landed on %q", loc)
		}

		// A token issued for dev, then the owner revokes dev's sso: the
		// pending token is refused at redemption, new ones at issue.
		var pending links.SSOTokenAnswer
		e.mustJSON(devToken(), 201, &pending)
		var m links.Membership
		e.mustJSON(e.do(owner, "PATCH", "/api/v1/portal/users/"+devID, map[string]any{"permissions": []string{links.UserPermInvoices}}), 200, &m)
		if m.Has(links.UserPermSSO) {
			t.Fatalf("membership %+v still has sso", m)
		}
		if r := e.do(nil, "GET", strings.TrimPrefix(pending.RedirectURL, e.url), nil); r.header.Get("Location") != "/portal/login?error=no_sso_permission&next=%2Fportal" {
			t.Fatalf("pending token after revocation went to %q", r.header.Get("Location"))
		}
		e.wantRefusal(devToken(), 403, links.SSOReasonNoPermission)

		// Staff give it back from the client profile.
		e.mustJSON(e.do(nil, "PATCH", "/api/v1/clients/"+cid+"/users/"+devID, map[string]any{"permissions": []string{links.UserPermSSO}}, withStaff(e.staff)), 200, nil)
		e.mustJSON(devToken(), 201, nil)

		// Dev may not manage users or security; the owner's own permissions
		// stay; a user of another account is not found.
		devB := e.portalLogin(dev.Email)
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/portal/users"}, {"PATCH", "/api/v1/portal/users/" + devID},
			{"GET", "/api/v1/portal/security"}, {"PATCH", "/api/v1/portal/security"},
		} {
			if r := e.do(devB, c.method, c.path, map[string]any{"permissions": []string{}, "allow_sso": false}); r.status != 403 {
				t.Fatalf("dev %s %s: %d", c.method, c.path, r.status)
			}
		}
		if r := e.do(owner, "PATCH", "/api/v1/portal/users/"+strconv.FormatInt(e.owner.ID, 10), map[string]any{"permissions": []string{}}); r.status != 403 {
			t.Fatalf("owner revoking own permissions: %d", r.status)
		}
		other, otherOwner := e.newClient("other")
		_ = other
		if r := e.do(owner, "PATCH", "/api/v1/portal/users/"+strconv.FormatInt(otherOwner.ID, 10), map[string]any{"permissions": []string{}}); r.status != 404 {
			t.Fatalf("owner touching another account's user: %d", r.status)
		}
		var users []links.Membership
		e.mustJSON(e.do(owner, "GET", "/api/v1/portal/users", nil), 200, &users)
		if len(users) != 2 || !users[0].Owner {
			t.Fatalf("users %+v", users)
		}
		// The account's events: the owner sees all, dev only dev's.
		var all, mine struct{ Items []links.SSOEvent }
		e.mustJSON(e.do(owner, "GET", "/api/v1/portal/sso-events?per_page=200", nil), 200, &all)
		e.mustJSON(e.do(devB, "GET", "/api/v1/portal/sso-events?per_page=200", nil), 200, &mine)
		if len(all.Items) <= len(mine.Items) || len(mine.Items) == 0 {
			t.Fatalf("owner sees %d events, dev %d", len(all.Items), len(mine.Items))
		}
		for _, ev := range mine.Items {
			if ev.UserID == nil || *ev.UserID != dev.ID || ev.ClientID == nil || *ev.ClientID != e.client.ID {
				t.Fatalf("dev sees %+v", ev)
			}
		}
	})
}

func TestPortalStateChangesNeedJSONAndSameOrigin(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		owner := e.portalLogin(e.owner.Email)
		body := map[string]any{"allow_sso": false}
		cases := []struct {
			name   string
			body   any
			opts   []ssoOpt
			status int
		}{
			{"form body", "allow_sso=false", []ssoOpt{withHeader("Content-Type", "application/x-www-form-urlencoded")}, 415},
			{"text body", `{"allow_sso":false}`, []ssoOpt{withHeader("Content-Type", "text/plain")}, 415},
			{"cross-site fetch", body, []ssoOpt{withHeader("Sec-Fetch-Site", "cross-site")}, 403},
			{"foreign origin", body, []ssoOpt{withHeader("Origin", "http://evil.example")}, 403},
		}
		for _, tc := range cases {
			if r := e.do(owner, "PATCH", "/api/v1/portal/security", tc.body, tc.opts...); r.status != tc.status {
				t.Fatalf("%s: %d, want %d: %s", tc.name, r.status, tc.status, r.body)
			}
		}
		var sec struct {
			AllowSSO bool `json:"allow_sso"`
		}
		e.mustJSON(e.do(owner, "GET", "/api/v1/portal/security", nil), 200, &sec)
		if !sec.AllowSSO {
			t.Fatal("a refused request changed the setting")
		}
		for _, ok := range []ssoOpt{withHeader("Origin", e.url), withHeader("Sec-Fetch-Site", "same-origin")} {
			e.mustJSON(e.do(owner, "PATCH", "/api/v1/portal/security", map[string]any{"allow_sso": true}, ok), 200, nil)
		}
		// Login is guarded too (no login CSRF).
		if r := e.do(nil, "POST", "/api/v1/portal/login", map[string]string{"email": e.owner.Email, "password": testPassword}, withHeader("Origin", "http://evil.example")); r.status != 403 {
			t.Fatalf("cross-origin login: %d", r.status)
		}
	})
}

func TestPortalSessionServicesAndPanelLogin(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		// Generic login failures.
		for _, creds := range []map[string]string{
			{"email": e.owner.Email, "password": "wrong-password"},
			{"email": "nobody@acme.test", "password": testPassword},
			{"email": "", "password": ""},
		} {
			var body struct{ Error struct{ Message string } }
			e.mustJSON(e.do(nil, "POST", "/api/v1/portal/login", creds), 401, &body)
			if body.Error.Message != "The e-mail address or password is incorrect." {
				t.Fatalf("login failure says %q", body.Error.Message)
			}
		}
		if r := e.do(nil, "GET", "/api/v1/portal/me", nil); r.status != 401 {
			t.Fatalf("me without a session: %d", r.status)
		}
		if r := e.do(nil, "GET", "/api/v1/portal/me", nil, withHeader("Cookie", "applinks_portal="+e.staff)); r.status != 401 {
			t.Fatalf("a staff token as the portal cookie: %d", r.status)
		}

		// A user on two accounts switches between them.
		second, _ := e.newClient("second")
		secondSvc := e.newService(second.ID, "other")
		if _, err := e.db.AddClientUser(t.Context(), second.ID, links.ClientUserInput{UserID: e.owner.ID, Permissions: []string{links.UserPermInvoices, links.UserPermServices}}); err != nil {
			t.Fatal(err)
		}
		b := e.portalLogin(e.owner.Email)
		var me struct {
			Accounts []struct{ ID int64 }
			Current  struct{ ID int64 } `json:"current_account"`
			Owner    bool
		}
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/me", nil), 200, &me)
		if len(me.Accounts) != 2 || me.Current.ID != e.client.ID || !me.Owner {
			t.Fatalf("me %+v", me)
		}
		var list struct {
			Items []struct {
				ID                int64
				ServerName        string `json:"server_name"`
				PanelLogin        bool   `json:"panel_login"`
				PanelLoginReason  string `json:"panel_login_reason"`
				PanelLoginMessage string `json:"panel_login_message"`
			}
		}
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/services", nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != e.svc.ID || !list.Items[0].PanelLogin || list.Items[0].ServerName != "cp1" {
			t.Fatalf("services %+v", list)
		}
		sid := strconv.FormatInt(e.svc.ID, 10)
		secondID := strconv.FormatInt(secondSvc.ID, 10)
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/services/"+sid, nil), 200, nil)
		if r := e.do(b, "GET", "/api/v1/portal/services/"+secondID, nil); r.status != 404 {
			t.Fatalf("another account's service: %d", r.status)
		}
		e.wantRefusal(e.do(b, "POST", "/api/v1/portal/services/"+secondID+"/sso", map[string]any{}), 404, links.SSOReasonInvalidService)

		// Log in to cPanel: a one-time session URL from the simulator.
		var sess struct{ URL string }
		e.mustJSON(e.do(b, "POST", "/api/v1/portal/services/"+sid+"/sso", map[string]any{}), 200, &sess)
		if !strings.HasPrefix(sess.URL, e.simSrv.URL()) {
			t.Fatalf("session url %q", sess.URL)
		}
		var status []map[string]any
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/network-status", nil), 200, &status)
		if len(status) != 1 || status[0]["name"] != "cp1" || status[0]["active"] != true {
			t.Fatalf("network status %+v", status)
		}
		if raw := string(e.do(b, "GET", "/api/v1/portal/network-status", nil).body); strings.Contains(raw, e.simSrv.Host()) || strings.Contains(raw, "hostname") {
			t.Fatalf("network status leaks the hostname: %s", raw)
		}

		// Switch to the second account, where the owner of the first holds
		// no sso: "Log in to cPanel" is refused and says why.
		e.mustJSON(e.do(b, "POST", "/api/v1/portal/switch", map[string]any{"client_id": second.ID}), 200, &me)
		if me.Current.ID != second.ID || me.Owner {
			t.Fatalf("after switch %+v", me)
		}
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/services", nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].PanelLogin || list.Items[0].PanelLoginReason != links.SSOReasonNoPermission || list.Items[0].PanelLoginMessage == "" {
			t.Fatalf("services on the second account %+v", list)
		}
		e.wantRefusal(e.do(b, "POST", "/api/v1/portal/services/"+secondID+"/sso", map[string]any{}), 403, links.SSOReasonNoPermission)
		if r := e.do(b, "POST", "/api/v1/portal/switch", map[string]any{"client_id": 9999}); r.status != 403 {
			t.Fatalf("switch to a foreign account: %d", r.status)
		}
		if r := e.do(b, "GET", "/api/v1/portal/security", nil); r.status != 403 {
			t.Fatalf("security as a non-owner: %d", r.status)
		}

		// Profile, then logout ends the session.
		var u links.User
		e.mustJSON(e.do(b, "PATCH", "/api/v1/portal/profile", map[string]any{"name": "Jane Owner"}), 200, nil)
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/profile", nil), 200, &u)
		if u.Name != "Jane Owner" {
			t.Fatalf("profile %+v", u)
		}
		if r := e.do(b, "PATCH", "/api/v1/portal/profile", map[string]any{"email": "not-an-email"}); r.status != 400 {
			t.Fatalf("bad e-mail: %d", r.status)
		}
		if r := e.do(b, "POST", "/api/v1/portal/logout", map[string]any{}); r.status != http.StatusNoContent {
			t.Fatalf("logout: %d", r.status)
		}
		if r := e.do(b, "GET", "/api/v1/portal/me", nil); r.status != 401 {
			t.Fatalf("me after logout: %d", r.status)
		}

		// A Closed account ends the client area as it ends single sign-on:
		// the session started before is refused, and so is a new password
		// sign-in, with the reason.
		b = e.portalLogin(e.owner.Email)
		e.mustJSON(e.do(nil, "PATCH", "/api/v1/clients/"+strconv.FormatInt(e.client.ID, 10), map[string]any{"status": "Closed"}, withStaff(e.staff)), 200, nil)
		var closed ssoErr
		e.mustJSON(e.do(b, "POST", "/api/v1/portal/services/"+sid+"/sso", map[string]any{}), 403, &closed)
		if !strings.Contains(closed.Error.Message, "closed") {
			t.Fatalf("session of a closed account: %+v", closed)
		}
		e.mustJSON(e.do(e.browser(), "POST", "/api/v1/portal/login", map[string]any{"email": e.owner.Email, "password": testPassword, "client_id": e.client.ID}), 403, &closed)
		if !strings.Contains(closed.Error.Message, "closed") {
			t.Fatalf("password sign-in to a closed account: %+v", closed)
		}
		// The user's other account stays open to a plain sign-in.
		var other rest.PortalMe
		e.mustJSON(e.do(e.browser(), "POST", "/api/v1/portal/login", map[string]string{"email": e.owner.Email, "password": testPassword}), 200, &other)
		if other.Current.ID == e.client.ID || len(other.Accounts) != 1 {
			t.Fatalf("sign-in with one account closed: %+v", other)
		}
		evs := e.events("source=portal&per_page=200")
		if len(evs) < 3 {
			t.Fatalf("portal events %+v", evs)
		}
	})
}
