package rest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// FuzzClickAndRedeem throws arbitrary destinations, form bodies, content
// types and access tokens at the click and the redemption through the real
// router: neither may ever answer a 5xx, a refused click never carries a
// redirect_url, and a failed redemption never sets a session cookie.
func FuzzClickAndRedeem(f *testing.F) {
	e := newSSOEnv(f, storetest.New(f, store.DialectSQLite), ssoOptions{noPush: true})
	creds, err := e.db.ServiceLinkCreds(context.Background(), e.svc.ID)
	if err != nil {
		f.Fatal(err)
	}
	valid := url.Values{"subscriber_unique_id": {creds.SubscriberUniqueID}, "token": {creds.Token}, "attempt": {"1"}}.Encode()
	f.Add("invoice_history", valid, "application/x-www-form-urlencoded", "")
	f.Add("upgrade", valid+"&attempt=7&app=x&user=root", "application/x-www-form-urlencoded; charset=utf-8", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("custom", "subscriber_unique_id="+creds.SubscriberUniqueID+"&token=%ZZ", "application/x-www-form-urlencoded", "%00")
	f.Add("", "", "", "")
	f.Add("profile", `{"token":"x"}`, "application/json", strings.Repeat("_", 200))
	f.Add("profile\x00", "subscriber_unique_id=al_x&token="+strings.Repeat("a", 300), "multipart/form-data; boundary=x", "..%2F..%2F")
	f.Fuzz(func(t *testing.T, dest, body, contentType, access string) {
		req := httptest.NewRequest(http.MethodPost, "/sso/cpanel/token?destination="+url.QueryEscape(dest), strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("click answered %d: %s", rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK && strings.Contains(rec.Body.String(), "redirect_url") {
			t.Fatalf("refused click carries a redirect_url: %s", rec.Body)
		}

		req = httptest.NewRequest(http.MethodGet, "/sso/redeem?access_token="+url.QueryEscape(access), nil)
		rec = httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("redeem answered %d: %s", rec.Code, rec.Body)
		}
		loc := rec.Header().Get("Location")
		if rec.Code == http.StatusFound && strings.HasPrefix(loc, "/portal/login") && rec.Header().Get("Set-Cookie") != "" {
			t.Fatalf("failed redemption set a cookie")
		}
		if u, err := url.Parse(loc); loc != "" && (err != nil || u.Host != "" || strings.HasPrefix(loc, "//")) {
			t.Fatalf("redeem redirects off-site: %q", loc)
		}
	})
}
