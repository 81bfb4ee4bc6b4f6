package links_test

import (
	"testing"

	"github.com/applinks/applinks/api/links"
)

func TestRenderURLTemplateEscapesEveryValue(t *testing.T) {
	v := links.TargetValues{ClientID: "7", ServiceID: "42", Username: "a b&c=d/e?f#g+h", Domain: "exämple.test", Destination: "invoice_history"}
	cases := []struct{ tmpl, want string }{
		{"https://pay.example.com/invoices?service={service_id}", "https://pay.example.com/invoices?service=42"},
		{"https://pay.example.com/u/{username}?c={client_id}&ext={client_external_id}",
			"https://pay.example.com/u/a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh?c=7&ext="},
		{"https://pay.example.com/{destination}#{domain}", "https://pay.example.com/invoice_history#ex%C3%A4mple.test"},
		{"https://pay.example.com/s/{service_external_id}/{service_id}", "https://pay.example.com/s//42"},
	}
	for _, tc := range cases {
		if err := links.ValidateURLTemplate("t", tc.tmpl, false); err != nil {
			t.Fatalf("%s: %v", tc.tmpl, err)
		}
		got, err := links.RenderURLTemplate(tc.tmpl, v)
		if err != nil || got != tc.want {
			t.Errorf("render %s = %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
		if links.Origin(got) != "https://pay.example.com" {
			t.Errorf("origin of %s = %q", got, links.Origin(got))
		}
	}
}

func TestValidateURLTemplateRefuses(t *testing.T) {
	for _, tmpl := range []string{
		"", "javascript:alert(1)", "JAVASCRIPT://x%0aalert(1)", "data:text/html,x", "ftp://h/", "http://h/",
		"//h/path", "https://h/{nope}", "https://h/{service_id", "https://h/}", "https://h/{{service_id}}",
		"https://{domain}/", "https://h{service_id}/", "https://u:p@h/", "https:///x", "https://h/\\x", "https://h/\n",
	} {
		if err := links.ValidateURLTemplate("links[0].url_template", tmpl, false); links.ErrorCode(err) != links.EINVALID {
			t.Errorf("%q accepted (%v)", tmpl, err)
		}
	}
	if err := links.ValidateURLTemplate("f", "http://127.0.0.1:8080/rp", true); err != nil {
		t.Errorf("http with an http service: %v", err)
	}
}
