package sso_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// unsafeRedirectPaths would make a custom destination an open redirect, or
// are not a plain path on this site.
var unsafeRedirectPaths = []string{
	"https://evil.example/portal",
	"http://evil.example",
	"HTTPS://evil.example",
	"javascript:alert(1)",
	"data:text/html,hi",
	"//evil.example",
	"//evil.example/portal",
	"///evil.example",
	"/\\evil.example",
	"\\\\evil.example",
	"\\/evil.example",
	"/portal\\..\\..\\evil",
	"/%2Fevil.example",
	"/%2f%2fevil.example",
	"/%5Cevil.example",
	"/%5cevil.example",
	"/%zz",
	"evil.example/portal",
	"portal/invoices",
	" /portal",
	"/portal invoices",
	"/\t/evil.example",
	"/\n/evil.example",
	"/\r\nSet-Cookie:x=1",
	"/\x00",
	"/\u00a0/evil.example",
	"/\u2028",
	"/\u3000evil",
	"/\xff\xfe",
	"/" + strings.Repeat("a", sso.MaxRedirectPath),
}

func TestValidateRedirectPathRefusesOpenRedirects(t *testing.T) {
	for _, p := range unsafeRedirectPaths {
		err := sso.ValidateRedirectPath(p)
		var le *links.Error
		if err == nil || links.ErrorCode(err) != links.EINVALID {
			t.Errorf("ValidateRedirectPath(%q) = %v, want EINVALID", p, err)
			continue
		}
		if le, _ = err.(*links.Error); le == nil || le.Field != "redirect_path" {
			t.Errorf("ValidateRedirectPath(%q): error %#v does not name redirect_path", p, err)
		}
		if sso.Route(links.DestinationCustom, p, 0) != sso.HomePath {
			t.Errorf("Route(custom, %q) = %q, want the home page", p, sso.Route(links.DestinationCustom, p, 0))
		}
		if got := sso.LoginURL("expired_token", p); got != "/portal/login?error=expired_token" {
			t.Errorf("LoginURL(next=%q) = %q: an unsafe next is dropped", p, got)
		}
	}
	if err := sso.ValidateRedirectPath(""); err == nil || !strings.Contains(err.Error(), "required") {
		t.Errorf("empty path: %v", err)
	}
}

func TestValidateRedirectPathAcceptsPathsOnThisSite(t *testing.T) {
	for _, p := range []string{
		"/", "/portal", "/portal/invoices/42", "/portal/invoices?status=unpaid&page=2", "/portal/tickets#new",
		"/portal/%C3%A9t%C3%A9", "/portal/été", "/a/b/../c", "/@user", "/portal/x%20y",
		"/" + strings.Repeat("a", sso.MaxRedirectPath-1),
	} {
		if err := sso.ValidateRedirectPath(p); err != nil {
			t.Errorf("ValidateRedirectPath(%q) = %v, want accepted", p, err)
			continue
		}
		if got := sso.Route(links.DestinationCustom, p, 0); got != p {
			t.Errorf("Route(custom, %q) = %q", p, got)
		}
	}
}

func TestValidateDestination(t *testing.T) {
	ok := []struct {
		dest, path string
		service    int64
	}{
		{"home", "", 0}, {"services", "", 0}, {"custom", "/portal/invoices", 0}, {"invoice_history", "", 0},
		{"invoice_history", "", 7}, {"upgrade", "", 7}, {"billing_info", "", 7},
	}
	for _, tc := range ok {
		if err := sso.ValidateDestination(tc.dest, tc.path, tc.service); err != nil {
			t.Errorf("ValidateDestination(%q, %q, %d) = %v", tc.dest, tc.path, tc.service, err)
		}
	}
	for _, d := range links.Catalogue {
		service := int64(0)
		if strings.Contains(d.Route, ":serviceId") {
			service = 3
		}
		if err := sso.ValidateDestination(d.Key, "", service); err != nil {
			t.Errorf("catalogue key %s: %v", d.Key, err)
		}
	}
	bad := []struct {
		dest, path string
		service    int64
		field      string
	}{
		{"", "", 0, "destination"},
		{"nowhere", "", 0, "destination"},
		{"Invoice_History", "", 0, "destination"},
		{"home", "/portal", 0, "redirect_path"},
		{"services", "/portal", 0, "redirect_path"},
		{"profile", "/portal", 0, "redirect_path"},
		{"custom", "", 0, "redirect_path"},
		{"custom", "//evil.example", 0, "redirect_path"},
		{"upgrade", "", 0, "service_id"},
		{"billing_info", "", 0, "service_id"},
		{strings.Repeat("é", 100), "", 0, "destination"},
	}
	for _, tc := range bad {
		err := sso.ValidateDestination(tc.dest, tc.path, tc.service)
		le, _ := err.(*links.Error)
		if le == nil || le.Code != links.EINVALID || le.Field != tc.field || !strings.HasPrefix(le.Message, "Invalid destination") {
			t.Errorf("ValidateDestination(%q, %q, %d) = %#v, want EINVALID on %s", tc.dest, tc.path, tc.service, err, tc.field)
			continue
		}
		if !utf8.ValidString(le.Message) || len(le.Message) > 300 {
			t.Errorf("message %q: want valid UTF-8 and the destination truncated", le.Message)
		}
	}
}

func TestRouteAndLoginURL(t *testing.T) {
	for _, tc := range []struct {
		dest, path string
		service    int64
		want       string
	}{
		{"home", "", 0, "/portal"},
		{"services", "", 0, "/portal/services"},
		{"custom", "/portal/x?y=1", 0, "/portal/x?y=1"},
		{"invoice_history", "", 0, "/portal/invoices"},
		{"upgrade", "", 12, "/portal/services/12/upgrade"},
		{"billing_info", "", 12, "/portal/services/12"},
		{"upgrade", "", 0, "/portal/services"},
		{"nowhere", "", 0, "/portal"},
		{"", "", 0, "/portal"},
	} {
		if got := sso.Route(tc.dest, tc.path, tc.service); got != tc.want {
			t.Errorf("Route(%q, %q, %d) = %q, want %q", tc.dest, tc.path, tc.service, got, tc.want)
		}
	}
	for _, tc := range []struct{ reason, next, want string }{
		{"", "", "/portal/login"},
		{"sso_disabled", "", "/portal/login?error=sso_disabled"},
		{"", "/portal/invoices", "/portal/login?next=%2Fportal%2Finvoices"},
		{"used_token", "/portal/x?a=1&b=2", "/portal/login?error=used_token&next=%2Fportal%2Fx%3Fa%3D1%26b%3D2"},
		{"used_token", "//evil.example", "/portal/login?error=used_token"},
		{"", "https://evil.example", "/portal/login"},
		{"a&next=//evil.example", "", "/portal/login?error=a%26next%3D%2F%2Fevil.example"},
	} {
		if got := sso.LoginURL(tc.reason, tc.next); got != tc.want {
			t.Errorf("LoginURL(%q, %q) = %q, want %q", tc.reason, tc.next, got, tc.want)
		}
	}
}

// A destination of any length and encoding is audited, cut to fit, as
// valid UTF-8.
func TestClickWithAHugeDestinationIsAuditedTruncated(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		dest := strings.Repeat("é", 500)
		_, err := f.svc.Click(f.ctx, sso.ClickRequest{Destination: dest, SubscriberID: f.creds.SubscriberUniqueID, Token: f.creds.Token})
		r := refusal(t, err, links.SSOReasonInvalidDestination, links.EINVALID)
		if len(r.Err.Message) > 300 || !utf8.ValidString(r.Err.Message) {
			t.Fatalf("message %q", r.Err.Message)
		}
		evs := f.events()
		if len(evs) != 1 || len(evs[0].Destination) > 64 || !utf8.ValidString(evs[0].Destination) || !strings.HasPrefix(evs[0].Destination, "éé") {
			t.Fatalf("events %+v", evs)
		}
	})
}
