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

// noFollow is the browser b (its cookies) stopping at every redirect.
func noFollow(b *http.Client) *http.Client {
	return &http.Client{Jar: b.Jar, Timeout: b.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

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

// The fallback page of a custom link continues, after the sign-in, to
// where the link leads: its own client-area path, or, for an external
// target, /sso/continue, which reaches the target (with the signed
// hand-off) through a redemption that applies the click's rules to the
// signed-in user. Known and unknown subscribers get the same answer.
func TestFallbackPageOfACustomLink(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		rp := newRelyingParty(t, e.url)
		e.setCustomLinks(links.ModuleCPanel,
			links.LinkInput{Key: "custom_bills", Route: "/portal/invoices"},
			links.LinkInput{Key: "custom_pay", Target: links.TargetExternal, URLTemplate: rp.URL + "/pay/{service_id}", Handoff: true})
		sub := e.subscriber(e.svc.ID)
		cont := "/sso/continue?destination=custom_pay&sub=" + url.QueryEscape(sub)
		wantFound(t, e.fallbackPage("custom_bills", sub), "/portal/login?next=%2Fportal%2Finvoices")
		wantFound(t, e.fallbackPage("custom_bills", "sub_unknown_0123456789"), "/portal/login?next=%2Fportal%2Finvoices")
		wantFound(t, e.fallbackPage("custom_pay", sub), "/portal/login?next="+url.QueryEscape(cont))
		wantFound(t, e.fallbackPage("custom_pay", "sub_unknown_0123456789"),
			"/portal/login?next="+url.QueryEscape("/sso/continue?destination=custom_pay&sub=sub_unknown_0123456789"))
		wantFound(t, e.fallbackPage("custom_gone", sub), "/portal/login?next=%2Fportal")

		// A click refused because single sign-on is off: the page says so
		// and the continuation, after a password sign-in, refuses as well.
		if _, err := e.db.UpdateClient(context.Background(), e.client.ID, links.ClientPatch{AllowSSO: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		e.wantRefusal(e.autologin(e.svc.ID, "custom_pay"), http.StatusForbidden, links.SSOReasonSSODisabled)
		wantFound(t, e.fallbackPage("custom_pay", sub), "/portal/login?error=sso_disabled&next="+url.QueryEscape(cont))
		if r := e.do(nil, "GET", cont, nil); r.status != http.StatusFound || r.header.Get("Location") != "/portal/login?next="+url.QueryEscape(cont) {
			t.Fatalf("continuation without a session: %d to %q", r.status, r.header.Get("Location"))
		}
		b := noFollow(e.portalLogin(e.owner.Email))
		if got := landing(t, e.do(b, "GET", cont, nil)); got != "/portal/login?error=sso_disabled" {
			t.Fatalf("continuation with single sign-on off landed on %q", got)
		}

		// Allowed again, it lands on the relying party, which verifies the
		// assertion.
		if _, err := e.db.UpdateClient(context.Background(), e.client.ID, links.ClientPatch{AllowSSO: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		redeem := landing(t, e.do(b, "GET", cont, nil))
		if !strings.HasPrefix(redeem, e.url+"/sso/redeem?access_token=") {
			t.Fatalf("continuation went to %q, want the redemption", redeem)
		}
		u, _ := url.Parse(redeem)
		loc := landing(t, e.do(b, "GET", u.RequestURI(), nil))
		if !strings.HasPrefix(loc, rp.URL+"/pay/"+strconv.FormatInt(e.svc.ID, 10)+"?"+links.HandoffParam+"=") {
			t.Fatalf("the redemption landed on %q", loc)
		}
		lu, _ := url.Parse(loc)
		claims, err := rp.verify(lu.Query().Get(links.HandoffParam))
		if err != nil || claims["destination"] != "custom_pay" || claims["sub"] != strconv.FormatInt(e.owner.ID, 10) {
			t.Fatalf("claims %v, %v", claims, err)
		}
		if evs := e.events("source=portal&outcome=success&per_page=5"); len(evs) != 2 || evs[0].Kind != links.SSOKindRedeem || evs[1].Kind != links.SSOKindIssue || evs[1].Destination != "custom_pay" {
			t.Fatalf("the continuation's events: %+v", evs)
		}

		// Someone signed in to another account gets nothing of this one.
		_, stranger := e.newClient("other")
		sb := noFollow(e.portalLogin(stranger.Email))
		if got := landing(t, e.do(sb, "GET", cont, nil)); got != "/portal/login?error=invalid_service" {
			t.Fatalf("a stranger's continuation landed on %q", got)
		}
		if got := landing(t, e.do(b, "GET", "/sso/continue?destination=invoice_history&sub="+url.QueryEscape(sub), nil)); got != "/portal/login?error=invalid_destination" {
			t.Fatalf("a catalogue key's continuation landed on %q", got)
		}
	})
}
