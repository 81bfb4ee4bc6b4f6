package rest_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// targetsEnv is the service with a provisioning engine (links are saved
// through it) and the given public URL.
func targetsEnv(t *testing.T, st *store.Store, publicURL string) *env {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := provisioning.New(provisioning.Config{PublicURL: publicURL, PollInterval: 50 * time.Millisecond}, st, nil, quiet, nil)
	eng.Start(context.Background())
	t.Cleanup(func() { _ = eng.Stop(context.Background()) })
	return newEnv(t, st, func(c *rest.Config, d *rest.Deps) {
		c.PublicURL = publicURL
		d.Provisioning, d.Lifecycle = eng, eng
	})
}

// linkInputs is the current configuration as PUT takes it.
func linkInputs(ls []links.Link) []map[string]any {
	in := make([]map[string]any, len(ls))
	for i, l := range ls {
		in[i] = map[string]any{"key": l.Key, "label": l.Label, "enabled": l.Enabled, "order": l.Order}
		if l.Target == links.TargetExternal {
			in[i]["target"], in[i]["url_template"], in[i]["handoff"] = l.Target, l.URLTemplate, l.Handoff
		} else if l.Custom {
			in[i]["route"] = l.Route
		}
	}
	return in
}

func TestLinkTargetsThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := targetsEnv(t, st, "https://billing.example.test")
		const path = "/api/v1/applications/cpanel/links"
		var ls []links.Link
		e.staff(http.MethodGet, path, nil, http.StatusOK, &ls)
		for _, l := range ls {
			if l.Target != links.TargetClientArea || l.URLTemplate != "" || l.Handoff {
				t.Fatalf("default target of %s = %+v", l.Key, l)
			}
		}
		in := linkInputs(ls)
		tmpl := "https://pay.example.com/invoices?service={service_id}&u={username}"
		in[1]["target"], in[1]["url_template"], in[1]["handoff"] = "external", tmpl, true
		var saved rest.LinksAnswer
		e.staff(http.MethodPut, path, in, http.StatusOK, &saved)
		e.staff(http.MethodGet, path, nil, http.StatusOK, &ls)
		if ls[1].Target != links.TargetExternal || ls[1].URLTemplate != tmpl || !ls[1].Handoff || ls[0].Target != links.TargetClientArea {
			t.Fatalf("saved targets = %+v / %+v", ls[0], ls[1])
		}
		var got []rest.LinkAnswer
		e.staff(http.MethodGet, path, nil, http.StatusOK, &got)
		if !reflect.DeepEqual(saved.Links, got) {
			t.Fatalf("PUT answered %+v, GET %+v", saved.Links, got)
		}

		bad := []struct {
			name, field string
			set         map[string]any
		}{
			{"http under an https service", "links[2].url_template", map[string]any{"target": "external", "url_template": "http://pay.example.com/"}},
			{"javascript", "links[2].url_template", map[string]any{"target": "external", "url_template": "javascript:alert(document.cookie)"}},
			{"javascript with slashes", "links[2].url_template", map[string]any{"target": "external", "url_template": "javascript://x/%0aalert(1)"}},
			{"other scheme", "links[2].url_template", map[string]any{"target": "external", "url_template": "ftp://pay.example.com/x"}},
			{"unknown placeholder", "links[2].url_template", map[string]any{"target": "external", "url_template": "https://pay.example.com/?p={password}"}},
			{"unclosed placeholder", "links[2].url_template", map[string]any{"target": "external", "url_template": "https://pay.example.com/?s={service_id"}},
			{"lone brace", "links[2].url_template", map[string]any{"target": "external", "url_template": "https://pay.example.com/}"}},
			{"placeholder in the host", "links[2].url_template", map[string]any{"target": "external", "url_template": "https://{username}.example.com/"}},
			{"no host", "links[2].url_template", map[string]any{"target": "external", "url_template": "https:///path"}},
			{"user info", "links[2].url_template", map[string]any{"target": "external", "url_template": "https://a@pay.example.com/"}},
			{"space", "links[2].url_template", map[string]any{"target": "external", "url_template": "https://pay.example.com/a b"}},
			{"empty template", "links[2].url_template", map[string]any{"target": "external", "url_template": ""}},
			{"template on the client area", "links[2].url_template", map[string]any{"url_template": "https://pay.example.com/"}},
			{"hand-off on the client area", "links[2].handoff", map[string]any{"target": "client_area", "handoff": true}},
			{"unknown target", "links[2].target", map[string]any{"target": "elsewhere"}},
		}
		for _, tc := range bad {
			fresh := linkInputs(ls)
			fresh[0]["label"] = "Changed too" // would be written if anything were
			for k, v := range tc.set {
				fresh[2][k] = v
			}
			resp, data := e.request(http.MethodPut, path, e.token, fresh)
			e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, tc.field)
			var now []links.Link
			e.staff(http.MethodGet, path, nil, http.StatusOK, &now)
			if !reflect.DeepEqual(now, ls) {
				t.Fatalf("%s: the refused PUT changed the links: %+v", tc.name, now)
			}
		}
	})
}

func TestLinkTargetsHTTPOnlyForAnHTTPService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := targetsEnv(t, st, "http://127.0.0.1:8080")
		const path = "/api/v1/applications/wpsquared/links"
		var ls []links.Link
		e.staff(http.MethodGet, path, nil, http.StatusOK, &ls)
		in := linkInputs(ls)
		in[0]["target"], in[0]["url_template"] = "external", "http://127.0.0.1:9999/rp?d={destination}"
		e.staff(http.MethodPut, path, in, http.StatusOK, nil)
		in[0]["url_template"] = "javascript:alert(1)"
		resp, data := e.request(http.MethodPut, path, e.token, in)
		e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "links[0].url_template")
	})
}
