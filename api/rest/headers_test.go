package rest_test

import (
	"net/http"
	"testing"

	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store/storetest"
)

// hstsProbes are answers of every kind: health, the SPA, an API list, an
// API error from a handler, a missing route, a wrong method, a refused
// sign-in, the docs and a public SSO path.
var hstsProbes = []struct {
	method, path string
	staff        bool
	body         any
}{
	{http.MethodGet, "/healthz", false, nil},
	{http.MethodGet, "/", false, nil},
	{http.MethodGet, "/portal/invoices", false, nil},
	{http.MethodGet, "/api/v1/servers", true, nil},
	{http.MethodPost, "/api/v1/servers", true, map[string]any{"name": ""}},
	{http.MethodGet, "/api/v1/unknown", false, nil},
	{http.MethodGet, "/metrics", false, nil},
	{http.MethodDelete, "/api/v1/auth/login", false, nil},
	{http.MethodGet, "/api/v1/servers", false, nil},
	{http.MethodGet, "/api/docs/doc.json", false, nil},
	{http.MethodGet, "/sso/unknown", false, nil},
}

func TestHSTSIsSentOnEveryAnswerOfAnHTTPSService(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			for _, tc := range []struct {
				publicURL, want string
			}{
				{"https://billing.example.com", "max-age=31536000"},
				{"HTTPS://billing.example.com:8443", "max-age=31536000"},
				{"http://billing.example.com", ""},
			} {
				e := newEnv(t, storetest.New(t, dialect), func(c *rest.Config, _ *rest.Deps) { c.PublicURL = tc.publicURL })
				for _, p := range hstsProbes {
					token := ""
					if p.staff {
						token = e.token
					}
					resp, _ := e.request(p.method, p.path, token, p.body)
					if got := resp.Header.Values("Strict-Transport-Security"); len(got) > 1 || resp.Header.Get("Strict-Transport-Security") != tc.want {
						t.Errorf("%s: %s %s (%d): Strict-Transport-Security %q, want %q", tc.publicURL, p.method, p.path, resp.StatusCode, got, tc.want)
					}
				}
			}
		})
	}
}
