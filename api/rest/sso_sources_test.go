package rest_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
)

// setSources sets the server's SSO source addresses as staff would: a PATCH
// without the API token.
func (e *ssoEnv) setSources(list ...string) links.Server {
	e.t.Helper()
	var srv links.Server
	e.mustJSON(e.do(nil, "PATCH", fmt.Sprintf("/api/v1/servers/%d", e.server.ID), map[string]any{"sso_sources": list}, withStaff(e.staff)), 200, &srv)
	return srv
}

func (e *ssoEnv) clickSources() rest.ServerSSOSources {
	e.t.Helper()
	var out rest.ServerSSOSources
	e.mustJSON(e.do(nil, "GET", fmt.Sprintf("/api/v1/servers/%d/sso-sources", e.server.ID), nil, withStaff(e.staff)), 200, &out)
	return out
}

// lastClick is the newest cPanel click event.
func (e *ssoEnv) lastClick() links.SSOEvent {
	e.t.Helper()
	evs := e.events("source=cpanel&per_page=1")
	if len(evs) == 0 {
		e.t.Fatal("no cPanel click event")
	}
	return evs[0]
}

// A server's SSO source addresses: empty allows any source, a list without
// the caller refuses the click with forbidden_source (audited, with the
// address), a range covering it lets it in.
func TestClickSourceCheck(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		if len(e.server.SSOSources) != 0 {
			t.Fatalf("a new server has sources %q", e.server.SSOSources)
		}
		e.accessToken(e.svc.ID, "invoice_history")

		srv := e.setSources("203.0.113.7", " 198.51.100.9/24 ")
		if want := []string{"203.0.113.7", "198.51.100.0/24"}; !slices.Equal(srv.SSOSources, want) {
			t.Fatalf("stored %q, want %q", srv.SSOSources, want)
		}
		body := e.wantRefusal(e.autologin(e.svc.ID, "invoice_history"), 403, links.SSOReasonForbiddenSource)
		if body.Error.Code != links.EFORBIDDEN || !strings.Contains(body.Error.Message, "127.0.0.1") {
			t.Fatalf("refusal %+v", body.Error)
		}
		ev := e.lastClick()
		if ev.Outcome != links.SSORefused || ev.Reason != links.SSOReasonForbiddenSource || ev.IP != "127.0.0.1" ||
			ev.ServerID == nil || *ev.ServerID != e.server.ID || ev.ServiceID == nil || *ev.ServiceID != e.svc.ID {
			t.Fatalf("event %+v", ev)
		}
		// X-Forwarded-For is not believed without APPLINKS_TRUST_PROXY.
		e.wantRefusal(e.autologin(e.svc.ID, "invoice_history", withHeader("X-Forwarded-For", "203.0.113.7")), 403, links.SSOReasonForbiddenSource)
		// The customer's real click lands on the link's fallback, the login page.
		if loc, _ := e.click("acme", "invoice_history"); !strings.HasPrefix(loc, "/portal/login") {
			t.Fatalf("a refused click landed on %q", loc)
		}

		e.setSources("203.0.113.7", "127.0.0.0/8")
		e.accessToken(e.svc.ID, "invoice_history")
		if ev := e.lastClick(); ev.Outcome != links.SSOSuccess || ev.IP != "127.0.0.1" {
			t.Fatalf("event %+v", ev)
		}
		e.setSources()
		e.accessToken(e.svc.ID, "invoice_history")
	})
}

// Behind a trusted proxy the address checked (and recorded) is the one in
// X-Forwarded-For. The header is only sent to the service on loopback.
func TestClickSourceBehindProxy(t *testing.T) {
	eachSSO(t, ssoOptions{trustProxy: true}, func(t *testing.T, e *ssoEnv) {
		e.setSources("203.0.113.7")
		// Without the header the connection's address is the one checked.
		e.wantRefusal(e.autologin(e.svc.ID, "invoice_history"), 403, links.SSOReasonForbiddenSource)
		xff := func(ip string) ssoOpt { return withHeader("X-Forwarded-For", ip) }
		var ok struct{ RedirectURL string }
		e.mustJSON(e.autologin(e.svc.ID, "invoice_history", xff("203.0.113.7")), 200, &ok)
		if ev := e.lastClick(); ev.Outcome != links.SSOSuccess || ev.IP != "203.0.113.7" {
			t.Fatalf("event %+v", ev)
		}
		e.wantRefusal(e.autologin(e.svc.ID, "invoice_history", xff("198.51.100.9")), 403, links.SSOReasonForbiddenSource)
		if ev := e.lastClick(); ev.Reason != links.SSOReasonForbiddenSource || ev.IP != "198.51.100.9" {
			t.Fatalf("event %+v", ev)
		}
	})
}

// The server page lists where recent clicks came from, with counts and
// whether the current list allows each; clicks with a wrong token (which
// anyone can send) are not offered.
func TestServerClickSources(t *testing.T) {
	eachSSO(t, ssoOptions{trustProxy: true}, func(t *testing.T, e *ssoEnv) {
		if got := e.clickSources(); len(got.Items) != 0 || got.SSOSources == nil {
			t.Fatalf("before any click: %+v", got)
		}
		xff := func(ip string) ssoOpt { return withHeader("X-Forwarded-For", ip) }
		e.autologin(e.svc.ID, "invoice_history", xff("203.0.113.7"))
		e.autologin(e.svc.ID, "invoice_history", xff("198.51.100.9"))
		e.autologin(e.svc.ID, "invoice_history", xff("203.0.113.7"))
		e.setSources("203.0.113.0/24")
		e.autologin(e.svc.ID, "invoice_history", xff("198.51.100.9")) // refused
		creds, err := e.db.ServiceLinkCreds(t.Context(), e.svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"subscriber_unique_id": {creds.SubscriberUniqueID}, "token": {"wrong-token-0123456789"}}
		e.wantRefusal(e.do(nil, "POST", "/sso/cpanel/token?destination=invoice_history", form.Encode(),
			withHeader("Content-Type", "application/x-www-form-urlencoded"), xff("192.0.2.66")), 401, links.SSOReasonBadCredentials)

		got := e.clickSources()
		if !slices.Equal(got.SSOSources, []string{"203.0.113.0/24"}) || len(got.Items) != 2 {
			t.Fatalf("sources %+v", got)
		}
		want := []links.SSOSourceSeen{
			{IP: "198.51.100.9", Clicks: 2, Refused: 1, Allowed: false},
			{IP: "203.0.113.7", Clicks: 2, Refused: 0, Allowed: true},
		}
		for i, w := range want {
			g := got.Items[i]
			if g.IP != w.IP || g.Clicks != w.Clicks || g.Refused != w.Refused || g.Allowed != w.Allowed || g.LastAt.IsZero() || g.LastAt.Before(got.Since) {
				t.Errorf("item %d = %+v, want %+v", i, g, w)
			}
		}
		// Another server's clicks are not this one's.
		r := e.do(nil, "GET", fmt.Sprintf("/api/v1/servers/%d/sso-sources", e.server.ID+1000), nil, withStaff(e.staff))
		if r.status != 404 {
			t.Fatalf("unknown server: %d %s", r.status, r.body)
		}
	})
}

// A bad entry is a 400 naming it, and nothing is written: not on a change,
// not on a new server.
func TestBadSSOSourcesWriteNothing(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		e.setSources("203.0.113.7")
		path := fmt.Sprintf("/api/v1/servers/%d", e.server.ID)
		many := make([]string, links.MaxSSOSources+1)
		for i := range many {
			many[i] = fmt.Sprintf("10.0.%d.1", i)
		}
		for _, tc := range []struct {
			list  []string
			field string
		}{
			{[]string{"10.0.0.1", "cp1.example.com"}, "sso_sources[1]"},
			{[]string{"10.0.0.0/33"}, "sso_sources[0]"},
			{many, "sso_sources"},
		} {
			var body ssoErr
			e.mustJSON(e.do(nil, "PATCH", path, map[string]any{"name": "renamed", "sso_sources": tc.list}, withStaff(e.staff)), 400, &body)
			if body.Error.Code != links.EINVALID || body.Error.Field != tc.field || body.Error.Message == "" {
				t.Fatalf("%q: %+v, want field %s", tc.list, body.Error, tc.field)
			}
		}
		var srv links.Server
		e.mustJSON(e.do(nil, "GET", path, nil, withStaff(e.staff)), 200, &srv)
		if srv.Name != "cp1" || !slices.Equal(srv.SSOSources, []string{"203.0.113.7"}) {
			t.Fatalf("a refused change wrote: %+v", srv)
		}

		in := map[string]any{"module": "cpanel", "name": "cp9", "hostname": "cp9.example.com", "api_token": "TOKEN9", "sso_sources": []string{"10.0.0.1", "", "bad"}}
		var body ssoErr
		e.mustJSON(e.do(nil, "POST", "/api/v1/servers", in, withStaff(e.staff)), 400, &body)
		if body.Error.Field != "sso_sources[2]" {
			t.Fatalf("create: %+v", body.Error)
		}
		var list struct{ Total int64 }
		e.mustJSON(e.do(nil, "GET", "/api/v1/servers", nil, withStaff(e.staff)), 200, &list)
		if list.Total != 1 {
			t.Fatalf("a refused create wrote: %d servers", list.Total)
		}
		in["sso_sources"] = []string{"10.0.0.1/8", "2001:db8::1"}
		e.mustJSON(e.do(nil, "POST", "/api/v1/servers", in, withStaff(e.staff)), 201, &srv)
		if !slices.Equal(srv.SSOSources, []string{"10.0.0.0/8", "2001:db8::1"}) {
			t.Fatalf("created with %q", srv.SSOSources)
		}
	})
}
