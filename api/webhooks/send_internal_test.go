package webhooks

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
)

// The guard is tested on the addresses alone: no connection is opened to
// anything but loopback.
func TestDialControlRefusesLinkLocalUnspecifiedAndUnaskedLoopback(t *testing.T) {
	cases := []struct {
		addr          string
		allowLoopback bool
		class         string // "" allowed
	}{
		{"169.254.169.254:80", true, "link-local"},
		{"[fe80::1]:443", true, "link-local"},
		{"0.0.0.0:443", true, "unspecified"},
		{"[::]:443", true, "unspecified"},
		{"[::ffff:169.254.169.254]:80", true, "link-local"},
		{"127.0.0.1:8080", false, "loopback"},
		{"[::1]:8080", false, "loopback"},
		{"127.0.0.1:8080", true, ""},
		{"10.1.2.3:443", false, ""},
		{"203.0.113.9:443", false, ""},
	}
	for _, c := range cases {
		err := dialControl(c.allowLoopback)("tcp", c.addr, nil)
		var ge *GuardError
		switch {
		case c.class == "" && err != nil:
			t.Errorf("%s: refused: %v", c.addr, err)
		case c.class != "" && (!errors.As(err, &ge) || ge.Class != c.class):
			t.Errorf("%s (loopback %v): %v, want a %s refusal", c.addr, c.allowLoopback, err, c.class)
		}
	}
}

// A host name that resolves to loopback is refused: only a URL written
// with a loopback IP may reach this host.
func TestLoopbackByNameIsRefused(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://127.0.0.1", "https://localhost", 1)
	s := newSender(time.Second, 4, time.Now)
	a := s.send(context.Background(), links.WebhookDispatch{URL: u, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		Delivery: links.WebhookDelivery{MessageID: "msg_1"}, Body: []byte("{}")})
	if a.OK || hit || !strings.Contains(a.Error, "loopback") {
		t.Fatalf("attempt %+v, receiver hit %v", a, hit)
	}
}

// The signature matches the Standard Webhooks specification's published
// test vector.
func TestSignatureMatchesTheSpecTestVector(t *testing.T) {
	var got http.Header
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	at := time.Unix(1614265330, 0)
	s := newSender(time.Second, 4, func() time.Time { return at })
	payload := []byte(`{"test": 2432232314}`)
	a := s.send(context.Background(), links.WebhookDispatch{URL: srv.URL, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		Delivery: links.WebhookDelivery{MessageID: "msg_p5jXN8AQM9LWM0D4loKWxJek"}, Body: payload})
	if !a.OK {
		t.Fatalf("attempt %+v", a)
	}
	if got.Get("webhook-id") != "msg_p5jXN8AQM9LWM0D4loKWxJek" || got.Get("webhook-timestamp") != "1614265330" ||
		got.Get("webhook-signature") != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" || string(body) != string(payload) {
		t.Fatalf("headers %v body %s", got, body)
	}
}

// A refusing receiver's answer is kept short, on one line.
func TestErrorKeepsAShortAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "upstream\ndown "+strings.Repeat("x", 5000))
	}))
	defer srv.Close()
	a := newSender(time.Second, 4, time.Now).send(context.Background(), links.WebhookDispatch{URL: srv.URL,
		Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Delivery: links.WebhookDelivery{MessageID: "msg_1"}, Body: []byte("{}")})
	if a.OK || a.StatusCode != 502 || len(a.Error) > 300 || !strings.Contains(a.Error, "upstream down") {
		t.Fatalf("attempt %+v", a)
	}
}
