package whmsim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// batchBody is a push batch as the service sends it: ten accounts, each
// with its group and fourteen links, every command URL-encoded once more as
// the value of "command".
func batchBody(users []string) string {
	var b strings.Builder
	b.WriteString("api.version=1")
	for _, u := range users {
		g := url.Values{"api.version": {"1"}, "user": {u}, "group_id": {"applinks"}, "label": {"Billing & Support"}, "order": {"100"}}
		b.WriteString("&command=" + url.QueryEscape("create_integration_group?"+g.Encode()))
		for l := range 14 {
			v := url.Values{"api.version": {"1"}, "user": {u}, "app": {fmt.Sprintf("applinks_link%d", l)},
				"label": {fmt.Sprintf("Link %d", l)}, "order": {fmt.Sprint(l)}, "group_id": {"applinks"}, "implements": {"billing"},
				"autologin_token_url":  {"https://billing.example.com/sso/cpanel/token?destination=link"},
				"url":                  {"https://billing.example.com/portal/login?next=%2Fportal%2Fservices"},
				"subscriber_unique_id": {"1000"}, "token": {"s3cr3t-token-value-0123456789abcdef"}}
			b.WriteString("&command=" + url.QueryEscape("create_integration_link?"+v.Encode()))
		}
	}
	return b.String()
}

// BenchmarkBatchPush is the simulator's CPU for one push batch of 150
// commands (parsing, checking, storing, answering), without the network:
// in the benchmarks it shares the CPUs with the service it measures.
func BenchmarkBatchPush(b *testing.B) {
	var users []string
	var accounts []Account
	for i := range 10 {
		users = append(users, fmt.Sprintf("user%03d", i))
		accounts = append(accounts, Account{User: users[i], Domain: users[i] + ".example"})
	}
	sim := New(nil)
	b.Cleanup(func() { _ = sim.Close() })
	srv, err := sim.Start(ServerConfig{Name: "bench", Token: "ROOTTOKEN", Accounts: accounts})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.handler()
	body := batchBody(users)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/json-api/batch", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "whm root:ROOTTOKEN")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"command":"batch","reason":"OK","result":1`) {
			b.Fatalf("%d %.300s", rec.Code, rec.Body.String())
		}
	}
}
