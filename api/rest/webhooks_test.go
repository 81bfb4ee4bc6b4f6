package rest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/webhooks"
)

func newWebhookEnv(t *testing.T, s *store.Store) *env {
	return newEnv(t, s, func(_ *rest.Config, d *rest.Deps) {
		d.Webhooks = webhooks.New(s, webhooks.Config{Timeout: 2 * time.Second})
	})
}

func webhookAudit(t *testing.T, s *store.Store) []links.AuditRecord {
	t.Helper()
	recs, _, err := s.ListAudit(context.Background(), links.AuditFilter{Resource: links.AuditWebhook, Page: links.Page{Page: 1, PerPage: 50}})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestWebhookSubscriptionsAreManagedAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newWebhookEnv(t, s)
		var created links.NewWebhook
		e.staff(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/applinks",
			"description": "Helpdesk", "events": []string{"sso.refused", "sso.redeemed"}}, http.StatusCreated, &created)
		if !strings.HasPrefix(created.Secret, "whsec_") || !created.Active || strings.Join(created.Events, ",") != "sso.redeemed,sso.refused" {
			t.Fatalf("created %+v", created)
		}
		if found := storetest.FindPlaintext(t, s, strings.TrimPrefix(created.Secret, "whsec_")); len(found) > 0 {
			t.Fatalf("the secret is stored in plain text in %v", found)
		}
		list := string(e.staff(http.MethodGet, "/api/v1/webhooks", nil, http.StatusOK, nil))
		if strings.Contains(list, created.Secret) || strings.Contains(list, "secret") || !strings.Contains(list, "Helpdesk") {
			t.Fatalf("list %s", list)
		}
		var paused links.Webhook
		e.staff(http.MethodPatch, "/api/v1/webhooks/"+itoa(created.ID), map[string]any{"active": false}, http.StatusOK, &paused)
		if paused.Active || paused.URL != created.URL {
			t.Fatalf("paused %+v", paused)
		}
		e.staff(http.MethodDelete, "/api/v1/webhooks/"+itoa(created.ID), nil, http.StatusNoContent, nil)
		e.staff(http.MethodGet, "/api/v1/webhooks/"+itoa(created.ID), nil, http.StatusNotFound, nil)
		recs := webhookAudit(t, s)
		if len(recs) != 3 || recs[2].Action != links.AuditCreate || recs[2].After["secret"] != links.SecretChanged ||
			recs[1].Action != links.AuditUpdate || recs[0].Action != links.AuditDelete {
			t.Fatalf("audit %+v", recs)
		}
		if strings.Contains(string(e.staff(http.MethodGet, "/api/v1/audit?resource=webhook", nil, http.StatusOK, nil)), strings.TrimPrefix(created.Secret, "whsec_")) {
			t.Fatal("the audit shows the secret")
		}
	})
}

func TestWebhookBadInputIsA400NamingTheFieldAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newWebhookEnv(t, s)
		ok := []string{"sso.redeemed"}
		cases := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"url": "ftp://hooks.example.com/x", "events": ok}, "url"},
			{map[string]any{"url": "javascript:alert(1)", "events": ok}, "url"},
			{map[string]any{"url": "http://10.0.0.5/hook", "events": ok}, "url"},
			{map[string]any{"url": "http://192.168.1.20:8080/hook", "events": ok}, "url"},
			{map[string]any{"url": "http://hooks.example.com/hook", "events": ok}, "url"},
			{map[string]any{"url": "https://169.254.169.254/latest", "events": ok}, "url"},
			{map[string]any{"url": "https://user:pw@hooks.example.com/", "events": ok}, "url"},
			{map[string]any{"url": "", "events": ok}, "url"},
			{map[string]any{"url": "https://hooks.example.com/", "events": []string{"sso.redeemed", "invoice.paid"}}, "events"},
			{map[string]any{"url": "https://hooks.example.com/", "events": []string{}}, "events"},
		}
		for _, c := range cases {
			resp, data := e.request(http.MethodPost, "/api/v1/webhooks", e.token, c.body)
			e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, c.field)
		}
		var w links.NewWebhook
		e.staff(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/hook", "events": ok}, http.StatusCreated, &w)
		resp, data := e.request(http.MethodPatch, "/api/v1/webhooks/"+itoa(w.ID), e.token, map[string]any{"url": "javascript:alert(1)", "active": false})
		e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, "url")
		var list []links.Webhook
		e.staff(http.MethodGet, "/api/v1/webhooks", nil, http.StatusOK, &list)
		if len(list) != 1 || !list[0].Active || list[0].URL != "http://127.0.0.1:9/hook" || len(webhookAudit(t, s)) != 1 {
			t.Fatalf("bad input wrote something: %+v", list)
		}
	})
}

func TestWebhooksNeedTheirPermission(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newWebhookEnv(t, s)
		role, err := s.CreateRole(context.Background(), "Support", []string{links.PermManageClients})
		if err != nil {
			t.Fatal(err)
		}
		e.staff(http.MethodPost, "/api/v1/admins", map[string]any{"email": "bob@example.com", "name": "Bob",
			"password": "bob-password-1", "role_id": role.ID}, http.StatusCreated, nil)
		resp, data := e.request(http.MethodGet, "/api/v1/webhooks", e.login("bob@example.com", "bob-password-1"), nil)
		e.wantError(resp, data, http.StatusForbidden, links.EFORBIDDEN, "")
	})
}

func TestWebhookTestAndRedeliver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newWebhookEnv(t, s)
		var ids []string
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			ids = append(ids, r.Header.Get("webhook-id"))
		}))
		defer recv.Close()
		var w links.NewWebhook
		e.staff(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": recv.URL, "events": []string{"drift.found"}, "active": false}, http.StatusCreated, &w)
		var d links.WebhookDelivery
		e.staff(http.MethodPost, "/api/v1/webhooks/"+itoa(w.ID)+"/test", nil, http.StatusOK, &d)
		if d.State != links.DeliveryDelivered || d.StatusCode != 200 || d.EventType != links.EventWebhookTest || len(ids) != 1 {
			t.Fatalf("test delivery %+v, %d requests", d, len(ids))
		}
		var again links.WebhookDelivery
		e.staff(http.MethodPost, "/api/v1/webhooks/"+itoa(w.ID)+"/deliveries/"+itoa(d.ID)+"/redeliver", nil, http.StatusAccepted, &again)
		if again.MessageID != d.MessageID || again.State != links.DeliveryPending {
			t.Fatalf("redelivery %+v", again)
		}
		var page rest.List[links.WebhookDelivery]
		e.staff(http.MethodGet, "/api/v1/webhooks/"+itoa(w.ID)+"/deliveries", nil, http.StatusOK, &page)
		if page.Total != 2 || page.Items[0].ID != again.ID {
			t.Fatalf("log %+v", page)
		}
		e.staff(http.MethodPost, "/api/v1/webhooks/"+itoa(w.ID)+"/deliveries/999/redeliver", nil, http.StatusNotFound, nil)
		e.staff(http.MethodPost, "/api/v1/webhooks/999/test", nil, http.StatusNotFound, nil)
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
