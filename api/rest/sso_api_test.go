package rest_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
)

// newCredential creates an API credential through the staff API.
func (e *ssoEnv) newCredential(name string) links.NewAPICredential {
	e.t.Helper()
	var cred links.NewAPICredential
	e.mustJSON(e.do(nil, "POST", "/api/v1/api-credentials", map[string]string{"name": name}, withStaff(e.staff)), 201, &cred)
	if cred.Identifier == "" || len(cred.Secret) < 43 || cred.ID == 0 {
		e.t.Fatalf("credential %+v", cred)
	}
	return cred
}

// redeemAt creates a trusted-application token and redeems it, answering
// where the browser lands.
func (e *ssoEnv) redeemAt(cred links.NewAPICredential, body map[string]any) string {
	e.t.Helper()
	var tok links.SSOTokenAnswer
	e.mustJSON(e.do(nil, "POST", "/api/v1/sso/tokens", body, withBasic(cred.Identifier, cred.Secret)), 201, &tok)
	if !strings.HasPrefix(tok.RedirectURL, e.url+"/sso/redeem?access_token=") || tok.AccessToken == "" ||
		tok.ExpiresAt.After(time.Now().Add(61*time.Second)) || tok.ExpiresAt.Before(time.Now()) {
		e.t.Fatalf("token %+v", tok)
	}
	u, _ := url.Parse(tok.RedirectURL)
	r := e.do(nil, "GET", u.RequestURI(), nil)
	if r.status != http.StatusFound {
		e.t.Fatalf("redeem: %d", r.status)
	}
	return r.header.Get("Location")
}

func TestTrustedApplicationTokensForEveryDestination(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		cred := e.newCredential("Billing portal")
		sid := strconv.FormatInt(e.svc.ID, 10)
		for _, d := range links.Catalogue {
			body := map[string]any{"client_id": e.client.ID, "destination": d.Key}
			want := d.Route
			if strings.Contains(d.Route, ":serviceId") {
				body["service_id"] = e.svc.ID
				want = d.RouteFor(sid)
			}
			if got := e.redeemAt(cred, body); got != want {
				t.Fatalf("%s: landed on %q, want %q", d.Key, got, want)
			}
		}
		for _, tc := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"client_id": e.client.ID, "destination": "home"}, "/portal"},
			{map[string]any{"client_id": e.client.ID, "destination": "services"}, "/portal/services"},
			{map[string]any{"client_id": e.client.ID, "destination": "custom", "redirect_path": "/portal/invoices?status=unpaid#top"}, "/portal/invoices?status=unpaid#top"},
			{map[string]any{"user_id": e.owner.ID, "destination": "profile"}, "/portal/profile"},
			{map[string]any{"client_id": e.client.ID, "destination": "invoice_history", "service_id": e.svc.ID}, "/portal/invoices"},
		} {
			if got := e.redeemAt(cred, tc.body); got != tc.want {
				t.Fatalf("%v: landed on %q, want %q", tc.body, got, tc.want)
			}
		}
		// A non-owner with sso gets a session as that user.
		dev := e.addUser(e.client.ID, "dev@acme.test", []string{links.UserPermSSO})
		var tok links.SSOTokenAnswer
		e.mustJSON(e.do(nil, "POST", "/api/v1/sso/tokens", map[string]any{"client_id": e.client.ID, "user_id": dev.ID, "destination": "home"}, withBasic(cred.Identifier, cred.Secret)), 201, &tok)
		b := e.browser()
		if r, err := b.Get(tok.RedirectURL); err != nil || r.Header.Get("Location") != "/portal" {
			t.Fatalf("redeem as dev: %v", err)
		}
		var me struct {
			User  links.User
			Owner bool
		}
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/me", nil), 200, &me)
		if me.User.ID != dev.ID || me.Owner {
			t.Fatalf("session %+v, want dev", me)
		}
		evs := e.events("source=api&outcome=success&per_page=200")
		if len(evs) == 0 || evs[0].CredentialID == nil || *evs[0].CredentialID != cred.ID {
			t.Fatalf("api events %+v lack the credential", evs)
		}
		var list []links.APICredential
		e.mustJSON(e.do(nil, "GET", "/api/v1/api-credentials", nil, withStaff(e.staff)), 200, &list)
		if len(list) != 1 || list[0].LastUsedAt == nil || strings.Contains(string(e.do(nil, "GET", "/api/v1/api-credentials", nil, withStaff(e.staff)).body), cred.Secret) {
			t.Fatalf("credential list %+v", list)
		}
	})
}

func TestTrustedApplicationErrorsNameTheCause(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		cred := e.newCredential("app")
		other, _ := e.newClient("other")
		otherSvc := e.newService(other.ID, "other")
		stranger := e.addUser(other.ID, "stranger@other.test", nil)
		noSSO := e.addUser(e.client.ID, "nosso@acme.test", []string{links.UserPermInvoices})
		cid := strconv.FormatInt(e.client.ID, 10)
		auth := withBasic(cred.Identifier, cred.Secret)
		cases := []struct {
			name   string
			body   any
			status int
			reason string
			msg    string
		}{
			{"no client or user", map[string]any{"destination": "home"}, 400, links.SSOReasonInvalidClient, "Invalid client"},
			{"unknown client", map[string]any{"client_id": 9999, "destination": "home"}, 404, links.SSOReasonInvalidClient, "Invalid client: client 9999 does not exist."},
			{"unknown user", map[string]any{"client_id": e.client.ID, "user_id": 9999, "destination": "home"}, 404, links.SSOReasonInvalidUser, "Invalid user"},
			{"user not on client", map[string]any{"client_id": e.client.ID, "user_id": stranger.ID, "destination": "home"}, 400, links.SSOReasonUserNotOnClient, "is not on client " + cid},
			{"unknown destination", map[string]any{"client_id": e.client.ID, "destination": "nowhere"}, 400, links.SSOReasonInvalidDestination, "Invalid destination"},
			{"no destination", map[string]any{"client_id": e.client.ID}, 400, links.SSOReasonInvalidDestination, "Invalid destination"},
			{"service page without service", map[string]any{"client_id": e.client.ID, "destination": "upgrade"}, 400, links.SSOReasonInvalidDestination, "service_id"},
			{"another client's service", map[string]any{"client_id": e.client.ID, "destination": "upgrade", "service_id": otherSvc.ID}, 404, links.SSOReasonInvalidService, "Invalid service"},
			{"no sso permission", map[string]any{"client_id": e.client.ID, "user_id": noSSO.ID, "destination": "home"}, 403, links.SSOReasonNoPermission, "may not perform single sign-on"},
			{"strict JSON", `{"client_id": 1, "destination": "home", "extra": 1}`, 400, links.SSOReasonBadRequest, "Unknown field"},
		}
		for _, p := range []string{"https://evil.example/x", "//evil.example", "/\\evil.example", "\\\\evil", "/a\x00b", "/a\r\nLocation: x", "javascript:alert(1)", "/%2F%2Fevil.example", "evil", "/" + strings.Repeat("a", 1001), ""} {
			cases = append(cases, struct {
				name   string
				body   any
				status int
				reason string
				msg    string
			}{"redirect " + p, map[string]any{"client_id": e.client.ID, "destination": "custom", "redirect_path": p}, 400, links.SSOReasonInvalidDestination, "Invalid destination"})
		}
		for _, tc := range cases {
			body := tc.body
			opts := []ssoOpt{auth}
			if s, ok := body.(string); ok {
				opts = append(opts, withHeader("Content-Type", "application/json"))
				body = s
			}
			got := e.wantRefusal(e.do(nil, "POST", "/api/v1/sso/tokens", body, opts...), tc.status, tc.reason)
			if !strings.Contains(got.Error.Message, tc.msg) {
				t.Fatalf("%s: message %q does not say %q", tc.name, got.Error.Message, tc.msg)
			}
		}

		// SSO off for the account.
		e.mustJSON(e.do(nil, "PATCH", "/api/v1/clients/"+cid, map[string]any{"allow_sso": false}, withStaff(e.staff)), 200, nil)
		got := e.wantRefusal(e.do(nil, "POST", "/api/v1/sso/tokens", map[string]any{"client_id": e.client.ID, "destination": "home"}, auth), 403, links.SSOReasonSSODisabled)
		if got.Error.Message != "SSO authentication blocked for client "+cid+"." {
			t.Fatalf("message %q", got.Error.Message)
		}

		// Authentication: none, wrong secret, unknown identifier, revoked.
		body := map[string]any{"client_id": other.ID, "destination": "home"}
		for name, opt := range map[string]ssoOpt{
			"none":         func(*http.Request) {},
			"wrong secret": withBasic(cred.Identifier, cred.Secret[:40]+"AAA"),
			"unknown id":   withBasic("ak_nobody", cred.Secret),
			"bearer":       withStaff(e.staff),
		} {
			r := e.do(nil, "POST", "/api/v1/sso/tokens", body, opt)
			e.wantRefusal(r, 401, links.SSOReasonBadCredentials)
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
				t.Fatalf("%s: WWW-Authenticate %q", name, r.header.Get("WWW-Authenticate"))
			}
		}
		e.mustJSON(e.do(nil, "POST", "/api/v1/sso/tokens", body, auth), 201, nil)
		if r := e.do(nil, "DELETE", "/api/v1/api-credentials/"+strconv.FormatInt(cred.ID, 10), nil, withStaff(e.staff)); r.status != 204 {
			t.Fatalf("revoke: %d", r.status)
		}
		e.wantRefusal(e.do(nil, "POST", "/api/v1/sso/tokens", body, auth), 401, links.SSOReasonBadCredentials)
		if r := e.do(nil, "DELETE", "/api/v1/api-credentials/9999", nil, withStaff(e.staff)); r.status != 404 {
			t.Fatalf("revoke unknown: %d", r.status)
		}
		if r := e.do(nil, "POST", "/api/v1/api-credentials", map[string]string{"name": ""}, withStaff(e.staff)); r.status != 400 {
			t.Fatalf("credential without a name: %d", r.status)
		}
	})
}

func TestStaffSSOEndpointsNeedTheirPermissions(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		for _, p := range []string{"/api/v1/sso/events", "/api/v1/api-credentials"} {
			if r := e.do(nil, "GET", p, nil); r.status != 401 {
				t.Fatalf("%s without a token: %d", p, r.status)
			}
		}
		if r := e.do(nil, "GET", "/api/v1/sso/events?outcome=maybe", nil, withStaff(e.staff)); r.status != 400 {
			t.Fatalf("bad filter: %d", r.status)
		}
		// A portal session is no staff token.
		b := e.portalLogin(e.owner.Email)
		if r := e.do(b, "GET", "/api/v1/sso/events", nil); r.status != 401 {
			t.Fatalf("portal session on staff API: %d", r.status)
		}
	})
}
