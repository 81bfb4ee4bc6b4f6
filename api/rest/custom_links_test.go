package rest_test

import (
	"context"
	"log/slog"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

// customInput is a custom link as PUT takes it.
func customInput(key, label string, order int, extra map[string]any) map[string]any {
	in := map[string]any{"key": key, "label": label, "enabled": true, "order": order, "route": "/portal/services"}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func TestCustomLinksThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := targetsEnv(t, st, "https://billing.example.test")
		const path = "/api/v1/applications/cpanel/links"
		var ls []links.Link
		e.staff(http.MethodGet, path, nil, http.StatusOK, &ls)
		in := append(linkInputs(ls),
			customInput("custom_status", "Service status", 20, nil),
			customInput("custom_pay", "Pay online", 21, map[string]any{"route": "", "target": "external", "url_template": "https://pay.example.com/?s={service_id}"}))
		e.staff(http.MethodPut, path, in, http.StatusOK, nil)
		e.staff(http.MethodGet, path, nil, http.StatusOK, &ls)
		if len(ls) != 16 {
			t.Fatalf("got %d links, want 16", len(ls))
		}
		status, pay := ls[14], ls[15]
		if status.Key != "custom_status" || !status.Custom || status.Group != links.GroupCustom || status.Route != "/portal/services" ||
			status.Target != links.TargetClientArea || pay.Key != "custom_pay" || pay.Target != links.TargetExternal {
			t.Fatalf("custom links = %+v / %+v", status, pay)
		}
		rec := lastConfigure(e)
		if got, _ := rec.After["custom_status"].(map[string]any); got["route"] != "/portal/services" || got["custom"] != true {
			t.Fatalf("the configure audit does not name the custom link: %+v", rec.After)
		}

		eleven := linkInputs(ls)
		for i := range 9 {
			eleven = append(eleven, customInput("custom_x"+string(rune('a'+i)), "X", 100+i, nil))
		}
		bad := []struct {
			name, field string
			in          []map[string]any
		}{
			{"clash with the catalogue", "links[14].key", append(linkInputs(ls[:14]), customInput("invoice_history", "Again", 30, nil))},
			{"clash with a custom link", "links[15].key", append(linkInputs(ls[:15]), customInput("custom_status", "Again", 30, nil))},
			{"an 11th custom link", "links", eleven},
			{"bad slug", "links[14].key", append(linkInputs(ls[:14]), customInput("custom_Bad-Slug", "Bad", 30, nil))},
			{"empty slug", "links[14].key", append(linkInputs(ls[:14]), customInput("custom_", "Bad", 30, nil))},
			{"javascript target", "links[14].url_template", append(linkInputs(ls[:14]), customInput("custom_js", "JS", 30, map[string]any{"route": "", "target": "external", "url_template": "javascript:alert(1)"}))},
			{"http target", "links[14].url_template", append(linkInputs(ls[:14]), customInput("custom_h", "H", 30, map[string]any{"route": "", "target": "external", "url_template": "http://pay.example.com/"}))},
			{"absolute route", "links[14].route", append(linkInputs(ls[:14]), customInput("custom_r", "R", 30, map[string]any{"route": "https://evil.example/portal"}))},
			{"route off the portal", "links[14].route", append(linkInputs(ls[:14]), customInput("custom_r", "R", 30, map[string]any{"route": "//evil.example/portal"}))},
			{"route climbing out", "links[14].route", append(linkInputs(ls[:14]), customInput("custom_r", "R", 30, map[string]any{"route": "/portal/../api/v1/admins"}))},
			{"bad label", "links[14].label", append(linkInputs(ls[:14]), customInput("custom_l", "It's", 30, nil))},
			{"route on a catalogue link", "links[0].route", func() []map[string]any { x := linkInputs(ls); x[0]["route"] = "/portal/x"; return x }()},
		}
		for _, tc := range bad {
			tc.in[1]["label"] = "Changed too" // would be written if anything were
			resp, data := e.request(http.MethodPut, path, e.token, tc.in)
			e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, tc.field)
			var now []links.Link
			e.staff(http.MethodGet, path, nil, http.StatusOK, &now)
			if !reflect.DeepEqual(now, ls) {
				t.Fatalf("%s: the refused PUT changed the links: %+v", tc.name, now)
			}
		}

		// Left out of the list, a custom link is gone, and audited so.
		e.staff(http.MethodPut, path, linkInputs(ls[:14]), http.StatusOK, nil)
		e.staff(http.MethodGet, path, nil, http.StatusOK, &ls)
		if len(ls) != 14 {
			t.Fatalf("got %d links after the removal, want 14", len(ls))
		}
		rec = lastConfigure(e)
		if _, after := rec.After["custom_status"]; after || rec.Before["custom_status"] == nil {
			t.Fatalf("the removal's audit = %v -> %v", rec.Before, rec.After)
		}
	})
}

// lastConfigure is the latest configure record of the cpanel application.
func lastConfigure(e *env) links.AuditRecord {
	e.t.Helper()
	var last links.AuditRecord
	for _, r := range e.auditTrail("") {
		if r.Resource == links.AuditApplication && r.ResourceID == "cpanel" && r.Action == links.AuditConfigure && r.ID > last.ID {
			last = r
		}
	}
	if last.ID == 0 {
		e.t.Fatal("no configure record")
	}
	return last
}

// customLinkInputs are the catalogue, enabled in its order, and the given
// custom links (client-area targets).
func customLinkInputs(custom map[string]string) []links.LinkInput {
	in := make([]links.LinkInput, 0, len(links.Catalogue)+len(custom))
	for i, d := range links.Catalogue {
		in = append(in, links.LinkInput{Key: d.Key, Label: d.DefaultLabel, Enabled: ptr(true), Order: ptr(i + 1)})
	}
	n := 50
	for key, route := range custom {
		in = append(in, links.LinkInput{Key: key, Label: "Custom " + key, Enabled: ptr(true), Order: ptr(n), Route: route})
		n++
	}
	return in
}

// waitLinks waits until every account carries exactly want (app names).
func waitLinks(t *testing.T, sim *whmsim.Server, users []string, want func(apps map[string]bool) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok := true
		for _, u := range users {
			apps := map[string]bool{}
			for _, l := range sim.Links(u) {
				apps[l.App] = true
			}
			ok = ok && want(apps)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			for _, u := range users {
				var apps []string
				for _, l := range sim.Links(u) {
					apps = append(apps, l.App)
				}
				t.Logf("%s carries %v", u, apps)
			}
			t.Fatal("the accounts never carried the wanted links")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The links as GET gives them (read-only fields and catalogue routes
// included) can be edited and sent back as they are; a route other than a
// catalogue link's own is still refused.
func TestTheLinksCanBeSentBackAsRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := targetsEnv(t, st, "https://billing.example.test")
		const path = "/api/v1/applications/cpanel/links"
		var ls []links.Link
		e.staff(http.MethodGet, path, nil, http.StatusOK, &ls)
		e.staff(http.MethodPut, path, append(linkInputs(ls), customInput("custom_status", "Service status", 20, nil)), http.StatusOK, nil)
		var read []map[string]any
		e.staff(http.MethodGet, path, nil, http.StatusOK, &read)
		read[0]["label"] = "Change Plan"
		e.staff(http.MethodPut, path, read, http.StatusOK, nil)
		e.staff(http.MethodGet, path, nil, http.StatusOK, &ls)
		if len(ls) != 15 || ls[0].Label != "Change Plan" || ls[0].Route != read[0]["route"] || !ls[14].Custom {
			t.Fatalf("links after sending them back = %+v", ls)
		}
		read[1]["route"] = "/portal/elsewhere"
		resp, data := e.request(http.MethodPut, path, e.token, read)
		e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "links[1].route")
	})
}

func TestCustomLinkPushedClickedAndRemovedByTheEngine(t *testing.T) {
	eachSSO(t, ssoOptions{noPush: true}, func(t *testing.T, e *ssoEnv) {
		ctx := context.Background()
		e.newService(e.client.ID, "other")
		panels := []links.Panel{whm.NewCPanel(whm.Options{AllowLoopback: true}), whm.NewWPSquared(whm.Options{AllowLoopback: true})}
		eng := provisioning.New(provisioning.Config{PublicURL: e.url, PollInterval: 50 * time.Millisecond, RetryBase: 10 * time.Millisecond},
			e.db, panels, slog.New(slog.DiscardHandler), nil)
		eng.Start(ctx)
		t.Cleanup(func() { _ = eng.Stop(context.Background()) })
		users := []string{"acme", "other"}

		if _, _, err := eng.SaveLinks(ctx, links.ModuleCPanel, customLinkInputs(map[string]string{"custom_status": "/portal/services"}), "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Enable(ctx, links.ModuleCPanel, "test"); err != nil {
			t.Fatal(err)
		}
		waitLinks(t, e.simSrv, users, func(apps map[string]bool) bool { return len(apps) == 15 && apps["billing_custom_status"] })

		// A click on it signs in and lands on its own client-area path.
		if loc, _ := e.click("acme", "custom_status"); loc != "/portal/services" {
			t.Fatalf("the custom link's click landed on %q", loc)
		}

		// Removed from the configuration, it leaves every account.
		if _, _, err := eng.SaveLinks(ctx, links.ModuleCPanel, customLinkInputs(nil), "test"); err != nil {
			t.Fatal(err)
		}
		waitLinks(t, e.simSrv, users, func(apps map[string]bool) bool { return len(apps) == 14 && !apps["billing_custom_status"] })

		// Disabling the application removes custom links too.
		if _, _, err := eng.SaveLinks(ctx, links.ModuleCPanel, customLinkInputs(map[string]string{"custom_two": "/portal/tickets"}), "test"); err != nil {
			t.Fatal(err)
		}
		waitLinks(t, e.simSrv, users, func(apps map[string]bool) bool { return apps["billing_custom_two"] })
		if _, err := eng.Disable(ctx, links.ModuleCPanel, "test"); err != nil {
			t.Fatal(err)
		}
		waitLinks(t, e.simSrv, users, func(apps map[string]bool) bool { return len(apps) == 0 })
	})
}
