package rest_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
)

// A user without services sees no services, no service and cannot "Log in
// to cPanel"; /me tells the client area which pages the user may open; the
// owner holds every permission; a trusted application's token to a page the
// user may not open is refused with the reason.
func TestPortalEnforcesMembershipPermissions(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		books := e.addUser(e.client.ID, "books@acme.test", []string{links.UserPermSSO, links.UserPermInvoices})
		b := e.portalLogin(books.Email)
		sid := strconv.FormatInt(e.svc.ID, 10)
		for _, path := range []string{"/api/v1/portal/services", "/api/v1/portal/services/" + sid} {
			var body ssoErr
			e.mustJSON(e.do(b, "GET", path, nil), 403, &body)
			if !strings.Contains(body.Error.Message, `"services" permission`) || !strings.Contains(body.Error.Message, "account owner") {
				t.Fatalf("%s: %+v", path, body)
			}
		}
		e.wantRefusal(e.do(b, "POST", "/api/v1/portal/services/"+sid+"/sso", map[string]any{}), 403, links.SSOReasonNoPagePermission)
		// Pages open to everyone stay open.
		for _, path := range []string{"/api/v1/portal/network-status", "/api/v1/portal/profile", "/api/v1/portal/sso-events", "/api/v1/portal/me"} {
			e.mustJSON(e.do(b, "GET", path, nil), 200, nil)
		}

		allowed := func(c *http.Client) map[string]bool {
			t.Helper()
			var me rest.PortalMe
			e.mustJSON(e.do(c, "GET", "/api/v1/portal/me", nil), 200, &me)
			out := map[string]bool{}
			for _, p := range me.Pages {
				out[p.Path] = p.Allowed
			}
			if len(me.Pages) != len(links.ClientAreaRules) {
				t.Fatalf("pages %+v", me.Pages)
			}
			return out
		}
		got := allowed(b)
		want := map[string]bool{"/portal/services": false, "/portal/invoices": true, "/portal/tickets": false,
			"/portal/domains": false, "/portal/billing": false, "/portal/emails": false, "/portal/profile": true, "/portal": true}
		for p, w := range want {
			if got[p] != w {
				t.Fatalf("books may open %s: %v, want %v (%v)", p, got[p], w, got)
			}
		}
		owner := e.portalLogin(e.owner.Email)
		for p, ok := range allowed(owner) {
			if !ok {
				t.Fatalf("the owner may not open %s", p)
			}
		}
		e.mustJSON(e.do(owner, "GET", "/api/v1/portal/services", nil), 200, nil)

		// Granted at once, without a new sign-in.
		e.mustJSON(e.do(owner, "PATCH", "/api/v1/portal/users/"+strconv.FormatInt(books.ID, 10),
			map[string]any{"permissions": []string{links.UserPermSSO, links.UserPermInvoices, links.UserPermServices}}), 200, nil)
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/services/"+sid, nil), 200, nil)

		// Trusted application: refused at issue, naming the reason.
		cred := e.newCredential("app")
		tok := func(dest string) ssoResponse {
			return e.do(nil, "POST", "/api/v1/sso/tokens", map[string]any{"client_id": e.client.ID, "user_id": books.ID, "destination": dest}, withBasic(cred.Identifier, cred.Secret))
		}
		refused := e.wantRefusal(tok("ticket_history"), 403, links.SSOReasonNoPagePermission)
		if !strings.Contains(refused.Error.Message, "tickets") {
			t.Fatalf("refusal %+v", refused)
		}
		// A pending token whose page permission is revoked before redemption
		// lands on the login page, which says why.
		var pending links.SSOTokenAnswer
		e.mustJSON(tok("invoice_history"), 201, &pending)
		e.mustJSON(e.do(owner, "PATCH", "/api/v1/portal/users/"+strconv.FormatInt(books.ID, 10),
			map[string]any{"permissions": []string{links.UserPermSSO}}), 200, nil)
		r := e.do(nil, "GET", strings.TrimPrefix(pending.RedirectURL, e.url), nil)
		want2 := "/portal/login?error=" + links.SSOReasonNoPagePermission + "&next=" + url.QueryEscape("/portal/invoices")
		if loc := r.header.Get("Location"); loc != want2 {
			t.Fatalf("redeem went to %q, want %q", loc, want2)
		}
	})
}
