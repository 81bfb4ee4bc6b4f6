package rest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// fallbackPage opens a link's fallback page as the browser cPanel sent
// there would, and answers its redirect.
func (e *ssoEnv) fallbackPage(key, sub string) ssoResponse {
	e.t.Helper()
	return e.do(nil, "GET", "/sso/fallback?destination="+url.QueryEscape(key)+"&sub="+url.QueryEscape(sub), nil)
}

func (e *ssoEnv) subscriber(serviceID int64) string {
	e.t.Helper()
	creds, err := e.db.ServiceLinkCreds(context.Background(), serviceID)
	if err != nil {
		e.t.Fatal(err)
	}
	return creds.SubscriberUniqueID
}

func wantFound(t *testing.T, r ssoResponse, loc string) {
	t.Helper()
	if r.status != http.StatusFound || r.header.Get("Location") != loc {
		t.Fatalf("fallback page: %d to %q, want 302 to %q", r.status, r.header.Get("Location"), loc)
	}
}

// A click refused because single sign-on is off lands, through the link's
// pushed fallback url, on the login that names the reason and continues to
// the destination; two minutes later the page no longer explains it.
func TestFallbackPageExplainsARecentRefusal(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		sub := e.subscriber(e.svc.ID)
		for _, l := range e.simSrv.Links("acme") {
			if want := e.url + "/sso/fallback?destination=" + l.App[len("billing_"):] + "&sub=" + sub; l.URL != want {
				t.Fatalf("%s carries the fallback url %q, want %q", l.App, l.URL, want)
			}
		}
		if _, err := e.db.UpdateClient(context.Background(), e.client.ID, links.ClientPatch{AllowSSO: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		upgrade := fmt.Sprintf("/portal/login?error=sso_disabled&next=%%2Fportal%%2Fservices%%2F%d%%2Fupgrade", e.svc.ID)
		if loc, _ := e.click("acme", "upgrade"); loc != upgrade {
			t.Fatalf("refused click landed on %q, want %q", loc, upgrade)
		}
		r := e.fallbackPage("invoice_history", sub)
		wantFound(t, r, "/portal/login?error=sso_disabled&next=%2Fportal%2Finvoices")
		if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("headers %v", r.header)
		}

		e.ssoClock.advance(sso.FallbackWindow - 10*time.Second)
		wantFound(t, e.fallbackPage("invoice_history", sub), "/portal/login?error=sso_disabled&next=%2Fportal%2Finvoices")
		e.ssoClock.advance(20 * time.Second)
		wantFound(t, e.fallbackPage("invoice_history", sub), "/portal/login?next=%2Fportal%2Finvoices")
		wantFound(t, e.fallbackPage("upgrade", sub), "/portal/login?next=%2Fportal%2Fservices")

		// The latest refusal is the one explained.
		if _, err := e.db.UpdateClient(context.Background(), e.client.ID, links.ClientPatch{AllowSSO: ptr(true), Status: ptr(links.ClientClosed)}); err != nil {
			t.Fatal(err)
		}
		e.wantRefusal(e.autologin(e.svc.ID, "profile"), http.StatusForbidden, links.SSOReasonClientClosed)
		wantFound(t, e.fallbackPage("profile", sub), "/portal/login?error=client_closed&next=%2Fportal%2Fprofile")
	})
}

// An unknown or malformed subscriber, and a known one without a recent
// refusal of its own service, get the very same answer.
func TestFallbackPageRevealsNothingAboutOtherSubscribers(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		other := e.newService(e.client.ID, "other")
		e.pushLinks(other.ID)
		// A refused click of the account's first service only.
		if _, _, err := e.db.UpdateService(context.Background(), e.svc.ID, links.ServicePatch{Status: ptr(links.ServiceTerminated)}); err != nil {
			t.Fatal(err)
		}
		e.wantRefusal(e.autologin(e.svc.ID, "upgrade"), http.StatusForbidden, links.SSOReasonServiceInactive)
		wantFound(t, e.fallbackPage("upgrade", e.subscriber(e.svc.ID)),
			fmt.Sprintf("/portal/login?error=service_inactive&next=%%2Fportal%%2Fservices%%2F%d%%2Fupgrade", e.svc.ID))
		// A successful click of the other service is no refusal either.
		e.accessToken(other.ID, "upgrade")

		for _, key := range []string{"upgrade", "invoice_history", "no_such_page"} {
			generic := e.fallbackPage(key, "sub_unknown_0123456789")
			for _, sub := range []string{e.subscriber(other.ID), "", "x", "bad sub\x00", string(bytes.Repeat([]byte("a"), 300))} {
				r := e.fallbackPage(key, sub)
				if r.status != generic.status || r.header.Get("Location") != generic.header.Get("Location") || !bytes.Equal(r.body, generic.body) {
					t.Fatalf("%s, sub %.20q: %d %q %q; an unknown subscriber: %d %q %q", key, sub,
						r.status, r.header.Get("Location"), r.body, generic.status, generic.header.Get("Location"), generic.body)
				}
			}
			want := map[string]string{"upgrade": "/portal/login?next=%2Fportal%2Fservices",
				"invoice_history": "/portal/login?next=%2Fportal%2Finvoices", "no_such_page": "/portal/login?next=%2Fportal"}[key]
			wantFound(t, generic, want)
		}
	})
}

func TestFallbackPageIsRateLimitedPerIP(t *testing.T) {
	lim := highLimits
	lim.RedeemPerIP, lim.Burst = 1, 3
	eachSSO(t, ssoOptions{limits: lim, noPush: true}, func(t *testing.T, e *ssoEnv) {
		for range 3 {
			wantFound(t, e.fallbackPage("profile", "sub_unknown"), "/portal/login?next=%2Fportal%2Fprofile")
		}
		r := e.fallbackPage("profile", "sub_unknown")
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("fourth fallback page from one IP: %d %v", r.status, r.header)
		}
	})
}
