package rest_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
)

// setCustomLinks stores the catalogue and the given custom links as an
// application's configuration (without pushing it).
func (e *ssoEnv) setCustomLinks(module string, custom ...links.LinkInput) {
	e.t.Helper()
	in := customLinkInputs(nil)
	for i, l := range custom {
		l.Label, l.Enabled, l.Order = "Custom "+strconv.Itoa(i), ptr(true), ptr(60+i)
		in = append(in, l)
	}
	if err := links.ValidateLinkTargets(in, true); err != nil {
		e.t.Fatal(err)
	}
	settings, err := links.ValidateLinkInputs(in)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.SaveLinkSettings(context.Background(), module, settings, links.NewOperation{}); err != nil {
		e.t.Fatal(err)
	}
}

// A trusted application asks for tokens to custom links like to the
// catalogue's: a client-area custom link lands on its own path (with the
// permission that path needs), an external one on its target with the
// signed hand-off; unknown, removed and ambiguous keys are refused naming
// the field to fix.
func TestTrustedApplicationTokensToCustomLinks(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		rp := newRelyingParty(t, e.url)
		e.setCustomLinks(links.ModuleCPanel,
			links.LinkInput{Key: "custom_bills", Route: "/portal/invoices?status=unpaid"},
			links.LinkInput{Key: "custom_pay", Target: links.TargetExternal, URLTemplate: rp.URL + "/pay/{service_id}?d={destination}", Handoff: true})
		cred := e.newCredential("Billing portal")
		auth := withBasic(cred.Identifier, cred.Secret)

		if got := e.redeemAt(cred, map[string]any{"client_id": e.client.ID, "destination": "custom_bills"}); got != "/portal/invoices?status=unpaid" {
			t.Fatalf("custom_bills landed on %q", got)
		}
		// The external one, rendered for the service, carries an assertion
		// the relying party verifies against /.well-known/jwks.json.
		loc := e.redeemAt(cred, map[string]any{"client_id": e.client.ID, "destination": "custom_pay", "service_id": e.svc.ID})
		u, err := url.Parse(loc)
		if err != nil || !strings.HasPrefix(loc, rp.URL+"/pay/"+strconv.FormatInt(e.svc.ID, 10)+"?d=custom_pay&") {
			t.Fatalf("custom_pay landed on %q", loc)
		}
		claims, err := rp.verify(u.Query().Get(links.HandoffParam))
		if err != nil || claims["destination"] != "custom_pay" || claims["service_id"] != float64(e.svc.ID) || claims["sub"] != strconv.FormatInt(e.owner.ID, 10) {
			t.Fatalf("claims %v, %v", claims, err)
		}

		// A user may open a custom link only with its page's permission.
		clerk := e.addUser(e.client.ID, "clerk@acme.test", []string{links.UserPermSSO})
		e.wantRefusal(e.do(nil, "POST", "/api/v1/sso/tokens", map[string]any{"client_id": e.client.ID, "user_id": clerk.ID, "destination": "custom_bills"}, auth),
			http.StatusForbidden, links.SSOReasonNoPagePermission)

		refused := func(name string, body map[string]any, field string) {
			t.Helper()
			r := e.do(nil, "POST", "/api/v1/sso/tokens", body, auth)
			if got := e.wantRefusal(r, http.StatusBadRequest, links.SSOReasonInvalidDestination); got.Error.Field != field {
				t.Fatalf("%s: field %q, want %q: %s", name, got.Error.Field, field, r.body)
			}
		}
		refused("unknown key", map[string]any{"client_id": e.client.ID, "destination": "custom_nope"}, "destination")
		refused("malformed key", map[string]any{"client_id": e.client.ID, "destination": "custom_Bad-Key"}, "destination")
		refused("external without a service", map[string]any{"client_id": e.client.ID, "destination": "custom_pay"}, "service_id")
		refused("with a redirect_path", map[string]any{"client_id": e.client.ID, "destination": "custom_bills", "redirect_path": "/portal"}, "redirect_path")

		// Another application with the key elsewhere: the service decides.
		e.setCustomLinks(links.ModuleWPSquared, links.LinkInput{Key: "custom_bills", Route: "/portal/tickets"})
		refused("key of two applications", map[string]any{"client_id": e.client.ID, "destination": "custom_bills"}, "service_id")
		if got := e.redeemAt(cred, map[string]any{"client_id": e.client.ID, "destination": "custom_bills", "service_id": e.svc.ID}); got != "/portal/invoices?status=unpaid" {
			t.Fatalf("custom_bills of the cPanel service landed on %q", got)
		}

		// Removed from both applications, the key is unknown again.
		e.setCustomLinks(links.ModuleCPanel)
		e.setCustomLinks(links.ModuleWPSquared)
		refused("removed key", map[string]any{"client_id": e.client.ID, "destination": "custom_bills", "service_id": e.svc.ID}, "destination")
		if evs := e.events("source=api&outcome=refused&per_page=1"); len(evs) != 1 || evs[0].Reason != links.SSOReasonInvalidDestination || evs[0].Destination != "custom_bills" {
			t.Fatalf("the refusal's event: %+v", evs)
		}
	})
}

// A token issued while a custom link led to a client-area path lands where
// the link leads when it is redeemed: a link changed meanwhile is followed,
// one removed meanwhile lands on the home page.
func TestCustomLinkTokenFollowsTheLinkAtRedemption(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		e.setCustomLinks(links.ModuleCPanel, links.LinkInput{Key: "custom_bills", Route: "/portal/invoices"})
		cred := e.newCredential("app")
		auth := withBasic(cred.Identifier, cred.Secret)
		token := func() string {
			var tok links.SSOTokenAnswer
			e.mustJSON(e.do(nil, "POST", "/api/v1/sso/tokens", map[string]any{"client_id": e.client.ID, "destination": "custom_bills"}, auth), 201, &tok)
			u, _ := url.Parse(tok.RedirectURL)
			return u.RequestURI()
		}
		first, second := token(), token()
		e.setCustomLinks(links.ModuleCPanel, links.LinkInput{Key: "custom_bills", Route: "/portal/tickets"})
		if got := landing(t, e.do(nil, "GET", first, nil)); got != "/portal/tickets" {
			t.Fatalf("changed link: landed on %q", got)
		}
		e.setCustomLinks(links.ModuleCPanel)
		if got := landing(t, e.do(nil, "GET", second, nil)); got != "/portal" {
			t.Fatalf("removed link: landed on %q", got)
		}
	})
}
