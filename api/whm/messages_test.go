package whm_test

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/whm"
)

// pageSecret stands for whatever a non-WHM page holds; it must never reach a
// message.
const pageSecret = "SESSION-COOKIE-7f3a-do-not-quote"

// TestConnectionFailuresSayWhatFailed checks the message of each way a
// connection fails, on loopback and a fake DNS server only.
func TestConnectionFailuresSayWhatFailed(t *testing.T) {
	dns := startFakeDNS(t)
	opts := whm.WithResolver(whm.Options{AllowLoopback: true}, dns.resolver)

	t.Run("DNS", func(t *testing.T) {
		_, err := whm.NewClient(opts).Version(ctxT(t), loopbackConn("whm.invalid", 2087))
		assertFailure(t, err, failureCase{kind: whm.KindConnection,
			contains: `DNS lookup of "whm.invalid" failed: no such host`})
		if q := dns.queries(); len(q) == 0 || !strings.HasPrefix(q[0], "whm.invalid") {
			t.Errorf("queries %v: the lookup did not reach the fake DNS server", q)
		}
	})
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		_, err = whm.NewClient(opts).Version(ctxT(t), loopbackConn("127.0.0.1", port))
		assertFailure(t, err, failureCase{kind: whm.KindConnection, temporary: true,
			contains: "connection refused by 127.0.0.1:" + strconv.Itoa(port)})
	})
	t.Run("TLS certificate", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(http.NotFoundHandler())
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
		srv.StartTLS()
		t.Cleanup(srv.Close)
		s := loopbackConn("127.0.0.1", srv.Listener.Addr().(*net.TCPAddr).Port)
		s.Secure, s.VerifyTLS = true, true
		_, err := whm.NewClient(opts).Version(ctxT(t), s)
		assertFailure(t, err, failureCase{kind: whm.KindTLS, contains: "the TLS certificate of 127.0.0.1:"})
	})
}

// TestNonWHMAnswersAreNotQuoted: an answer that is not WHM's is named by its
// status and kind, never by its text.
func TestNonWHMAnswersAreNotQuoted(t *testing.T) {
	html := "<!doctype html><html><body><h1>Proxy error</h1><p>" + pageSecret + "</p></body></html>"
	tests := []struct {
		name, contentType, body string
		status                  int
		kind                    whm.ErrorKind
		temporary               bool
		contains                string
	}{
		{"403 with an HTML page", "text/html", html, 403, whm.KindAuth, false, "HTTP 403 (Forbidden) from 127.0.0.1:"},
		{"502 with an HTML page", "text/html", html, 502, whm.KindHTTPStatus, true, "HTTP 502 (Bad Gateway) from 127.0.0.1:"},
		{"404 with text", "text/plain", pageSecret, 404, whm.KindHTTPStatus, false, "HTTP 404 (Not Found) from 127.0.0.1:"},
		{"200 with text", "text/plain", "error: " + pageSecret, 200, whm.KindNotJSON, true, "bytes of text instead of JSON"},
		{"200 with an HTML page", "text/html", html, 200, whm.KindNotJSON, true, "an HTML page instead of JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			s := loopbackConn("127.0.0.1", srv.Listener.Addr().(*net.TCPAddr).Port)
			_, err := whm.NewClient(whm.Options{AllowLoopback: true}).Version(ctxT(t), s)
			assertFailure(t, err, failureCase{kind: tt.kind, temporary: tt.temporary, contains: tt.contains})
			if strings.Contains(err.Error(), pageSecret) || strings.Contains(err.Error(), "Proxy error") {
				t.Errorf("the message quotes the page: %v", err)
			}
		})
	}
}
