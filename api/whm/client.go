// Package whm speaks WHM API 1 to cPanel & WHM and WP Squared servers, and
// provides the two panel types of the product, CPanel and WPSquared, which
// implement links.Panel.
//
// The Client sends every function as a POST form to
// /json-api/<function>?api.version=1 with an "Authorization: whm USER:TOKEN"
// header, one keep-alive HTTP client per server, a per-request timeout, TLS
// verification unless the server opts out, no redirects followed and a cap on
// the answer size. Failures are typed: *PanelError when the panel answered
// metadata.result=0, *TransportError for everything else. Both name the
// server, never carry a secret, and tell through Temporary() whether a retry
// may help (see links.IsTemporary).
package whm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/netguard"
)

// Defaults of Options.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 8 << 20
	DefaultMaxIdleConns     = 32
)

// Options configure a Client. The zero value is usable, and refuses servers
// on loopback addresses.
type Options struct {
	// Timeout bounds one HTTP request when the server's own Timeout is zero.
	Timeout time.Duration
	// MaxResponseBytes caps the size of an answer; larger ones fail.
	MaxResponseBytes int64
	// MaxIdleConnsPerServer is how many keep-alive connections to keep open
	// per server; it should be at least the per-server concurrency cap.
	MaxIdleConnsPerServer int
	// UserAgent is sent with every request.
	UserAgent string
	// AllowLoopback lets the client connect to loopback addresses
	// (127.0.0.0/8, ::1), for a simulator on this host (the demo, the
	// tests). The zero value refuses them, as production should; link-local
	// and unspecified addresses are refused either way (see netguard.CheckAddress).
	AllowLoopback bool

	// resolver resolves host names; nil is the system's. Tests set it (see
	// export_test.go) to a fake DNS server on loopback, so that no query
	// leaves the host.
	resolver *net.Resolver
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.MaxIdleConnsPerServer <= 0 {
		o.MaxIdleConnsPerServer = DefaultMaxIdleConns
	}
	if o.UserAgent == "" {
		o.UserAgent = "applinks-whm/1"
	}
	return o
}

// Client calls WHM API 1 functions on any number of servers. It is safe for
// concurrent use and keeps one keep-alive *http.Client per server and
// connection settings.
type Client struct {
	opts Options

	mu    sync.Mutex
	conns map[connKey]*http.Client
}

// NewClient returns a Client with the given options.
func NewClient(opts Options) *Client {
	return &Client{opts: opts.withDefaults(), conns: make(map[connKey]*http.Client)}
}

// maxCachedClients bounds the client cache; servers are few, so reaching it
// means settings churn, and starting afresh is harmless.
const maxCachedClients = 4096

// connKey identifies the settings an *http.Client was built for. The token
// enters as a hash, so that a changed token yields a new client without the
// cache holding another copy of it.
type connKey struct {
	id        int64
	host      string
	port      int
	secure    bool
	verifyTLS bool
	username  string
	tokenHash [32]byte
}

func keyOf(s links.ServerConn) connKey {
	return connKey{
		id: s.ID, host: strings.ToLower(s.Hostname), port: s.Port, secure: s.Secure,
		verifyTLS: s.VerifyTLS, username: s.Username, tokenHash: sha256.Sum256([]byte(s.APIToken)),
	}
}

// httpClient returns the cached client for the server's current settings,
// dropping clients built for the same server ID with older settings.
func (c *Client) httpClient(s links.ServerConn) *http.Client {
	k := keyOf(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	if hc, ok := c.conns[k]; ok {
		return hc
	}
	for old, hc := range c.conns {
		if (s.ID != 0 && old.id == s.ID) || len(c.conns) >= maxCachedClients {
			hc.CloseIdleConnections()
			delete(c.conns, old)
		}
	}
	hc := c.newHTTPClient(s)
	c.conns[k] = hc
	return hc
}

// CloseIdleConnections closes the idle keep-alive connections of every server.
func (c *Client) CloseIdleConnections() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, hc := range c.conns {
		hc.CloseIdleConnections()
	}
}

// CloseIdle closes the idle keep-alive connections of one server.
func (c *Client) CloseIdle(s links.ServerConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hc, ok := c.conns[keyOf(s)]; ok {
		hc.CloseIdleConnections()
	}
}

func (c *Client) newHTTPClient(s links.ServerConn) *http.Client {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Resolver: c.opts.resolver,
		// The address guard runs on every address dialled, after DNS.
		Control: netguard.Control(c.opts.AllowLoopback),
	}
	tr := &http.Transport{
		// Outbound calls go only to the configured server: no proxy from the
		// environment.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          c.opts.MaxIdleConnsPerServer,
		MaxIdleConnsPerHost:   c.opts.MaxIdleConnsPerServer,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			// The per-server opt-out for self-signed panels; off by default.
			InsecureSkipVerify: !s.VerifyTLS, //nolint:gosec // explicit per-server setting
		},
	}
	return &http.Client{
		Transport: tr,
		// Never follow redirects: a WHM call that redirects is misconfigured
		// (or hijacked), and the Authorization header must not travel on.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// hostLabel matches one DNS label (letters, digits, hyphens; no hyphen at
// either end).
var hostLabel = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// functionName matches a WHM function name.
var functionName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// ValidateHostname checks that h is a plain host name or IP address: no
// scheme, no port, no path, no user info, nothing else.
func ValidateHostname(h string) error {
	if h == "" {
		return links.FieldError("hostname", "The host name must not be empty.")
	}
	if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); ip != nil {
		if strings.Contains(h, "%") {
			return links.FieldError("hostname", "The host name must not carry an IPv6 zone.")
		}
		return nil
	}
	if len(h) > 253 {
		return links.FieldError("hostname", "The host name must be at most 253 characters long.")
	}
	name := strings.TrimSuffix(h, ".")
	for _, label := range strings.Split(name, ".") {
		if !hostLabel.MatchString(label) {
			return links.FieldError("hostname",
				"The host name %q is not a plain host name or IP address (no scheme, port, path or user name).", h)
		}
	}
	return nil
}

// ServerName is the name used in messages: the server's name, or its host
// name when it has none.
func ServerName(s links.ServerConn) string {
	if s.Name != "" {
		return s.Name
	}
	return s.Hostname
}

// endpoint returns the URL of a function on the server.
func endpoint(s links.ServerConn, function string) (string, error) {
	if err := ValidateHostname(s.Hostname); err != nil {
		return "", err
	}
	if !functionName.MatchString(function) {
		return "", fmt.Errorf("invalid WHM function name %q", function)
	}
	port := serverPort(s)
	if port < 1 || port > 65535 {
		return "", links.FieldError("port", "The port must be between 1 and 65535.")
	}
	scheme := "https"
	if !s.Secure {
		scheme = "http"
	}
	u := url.URL{
		Scheme:   scheme,
		Host:     serverAddr(s),
		Path:     "/json-api/" + function,
		RawQuery: "api.version=1",
	}
	return u.String(), nil
}

// serverPort is the server's port, or WHM's default for the scheme.
func serverPort(s links.ServerConn) int {
	switch {
	case s.Port != 0:
		return s.Port
	case s.Secure:
		return 2087
	}
	return 2086
}

// serverAddr is the host:port the client connects to, for URLs and messages.
func serverAddr(s links.ServerConn) string {
	host := strings.TrimSuffix(strings.TrimPrefix(s.Hostname, "["), "]")
	return net.JoinHostPort(host, strconv.Itoa(serverPort(s)))
}

// Call runs one WHM API 1 function with the given arguments and returns its
// answer. A non-nil error is a *PanelError or a *TransportError.
func (c *Client) Call(ctx context.Context, s links.ServerConn, function string, args url.Values) (*Result, error) {
	sc := &scrubber{}
	sc.add(s.APIToken)
	sc.addArgs(args)
	ci := callInfo{server: ServerName(s), addr: serverAddr(s), function: function, scrub: sc}
	status, body, err := c.post(ctx, s, ci, function, args.Encode(), 0)
	if err != nil {
		return nil, err
	}
	return parseAnswer(ci, status, body)
}

// post sends one form body and reads the answer within the size cap.
func (c *Client) post(ctx context.Context, s links.ServerConn, ci callInfo, function, body string, answerHint int) (int, []byte, error) {
	u, err := endpoint(s, function)
	if err != nil {
		msg := err.Error()
		var le *links.Error
		if errors.As(err, &le) {
			msg = le.Message
		}
		return 0, nil, ci.transport(KindConfig, 0, false, err, "%s", msg)
	}
	if s.Username == "" || s.APIToken == "" {
		cause := links.FieldError("api_token", "The server has no username or API token.")
		return 0, nil, ci.transport(KindConfig, 0, false, cause, "the server has no username or API token")
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = c.opts.Timeout
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return 0, nil, ci.transport(KindConfig, 0, false, err, "cannot build the request")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Authorization", "whm "+s.Username+":"+s.APIToken)

	resp, err := c.httpClient(s).Do(req)
	if err != nil {
		return 0, nil, classifyNetError(ci, ctx, err, timeout)
	}
	defer resp.Body.Close()
	data, err := readAnswer(resp.Body, resp.ContentLength, c.opts.MaxResponseBytes, answerHint)
	if err != nil {
		return 0, nil, classifyNetError(ci, ctx, err, timeout)
	}
	if int64(len(data)) > c.opts.MaxResponseBytes {
		return 0, nil, ci.transport(KindTooLarge, resp.StatusCode, false, nil,
			"the answer exceeds %d bytes", c.opts.MaxResponseBytes)
	}
	return resp.StatusCode, data, nil
}

// readAnswer reads an answer of up to limit bytes, and one more when it is
// longer (the caller refuses it), into a buffer sized from its Content-Length
// or, when the panel sends none, from hint (an expected size, 0 for small):
// a push's answer is 15 kB, and reading it into a growing buffer allocated
// twice that.
func readAnswer(r io.Reader, contentLength, limit int64, hint int) ([]byte, error) {
	size := max(int64(hint), 1024)
	if contentLength >= 0 {
		size = contentLength + 1 // the read that finds the end needs no room
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(size, limit+1)+bytes.MinRead))
	_, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	return buf.Bytes(), err
}

// classifyNetError turns an error of the HTTP round trip into a
// TransportError whose message says what failed: the address guard, the
// timeout, TLS, DNS or the TCP connection, naming the host and port.
func classifyNetError(ci callInfo, parent context.Context, err error, timeout time.Duration) *TransportError {
	var (
		addrErr *netguard.AddressError
		netErr  net.Error
		opErr   *net.OpError
		dnsErr  *net.DNSError
	)
	switch {
	case errors.Is(parent.Err(), context.Canceled):
		return ci.transport(KindCanceled, 0, false, context.Canceled, "the call was canceled")
	case errors.As(err, &addrErr):
		// Before the timeout case: the dialer's own error wraps no deadline,
		// but a name with several refused addresses must not read as one.
		return ci.transport(KindAddress, 0, false, addrErr, "refused to connect to %s: %s", ci.addr, addrErr.Error())
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		switch {
		case parent.Err() != nil:
			return ci.transport(KindTimeout, 0, true, context.DeadlineExceeded, "no answer from %s before the caller's deadline", ci.addr)
		case errors.As(err, &opErr) && opErr.Op == "dial":
			return ci.transport(KindTimeout, 0, true, context.DeadlineExceeded, "timed out connecting to %s", ci.addr)
		case strings.Contains(err.Error(), "TLS handshake timeout"):
			return ci.transport(KindTimeout, 0, true, context.DeadlineExceeded, "the TLS handshake with %s timed out", ci.addr)
		}
		return ci.transport(KindTimeout, 0, true, context.DeadlineExceeded, "no answer from %s within %s", ci.addr, timeout)
	case isTLSFailure(err):
		return classifyTLSError(ci, err)
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return ci.transport(KindConnection, 0, false, err, "DNS lookup of %q failed: no such host", dnsErr.Name)
		}
		return ci.transport(KindConnection, 0, true, err, "DNS lookup of %q failed: %s", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return ci.transport(KindConnection, 0, true, err, "connection refused by %s: nothing listens on that port, or a firewall rejects it", ci.addr)
	case errors.Is(err, syscall.ECONNRESET):
		return ci.transport(KindConnection, 0, true, err, "connection to %s reset", ci.addr)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return ci.transport(KindConnection, 0, true, err, "%s closed the connection before answering", ci.addr)
	}
	return ci.transport(KindConnection, 0, true, err, "cannot reach %s: %s", ci.addr, netDetail(err))
}

// isTLSFailure tells whether err comes from TLS: an untrusted certificate,
// a port that does not speak TLS, or another failed handshake.
func isTLSFailure(err error) bool {
	var (
		recHdr tls.RecordHeaderError
		alert  tls.AlertError
	)
	return isCertError(err) || errors.As(err, &recHdr) || errors.As(err, &alert) ||
		strings.Contains(err.Error(), "HTTP response to HTTPS client") || strings.Contains(err.Error(), "tls: ")
}

func isCertError(err error) bool {
	var (
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invalid x509.CertificateInvalidError
		verify  *tls.CertificateVerificationError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostErr) || errors.As(err, &invalid)
}

// classifyTLSError names which part of TLS failed. None is temporary: the
// same certificate or port fails again.
func classifyTLSError(ci callInfo, err error) *TransportError {
	var recHdr tls.RecordHeaderError
	switch {
	case isCertError(err):
		return ci.transport(KindTLS, 0, false, err,
			"the TLS certificate of %s is not trusted (%s); fix the certificate or switch off verification for this server", ci.addr, tlsDetail(err))
	case errors.As(err, &recHdr) || strings.Contains(err.Error(), "HTTP response to HTTPS client"):
		return ci.transport(KindTLS, 0, false, err, "%s does not speak TLS on this port: check the port and the https setting", ci.addr)
	}
	return ci.transport(KindTLS, 0, false, err, "the TLS handshake with %s failed: %s", ci.addr, netDetail(err))
}

func tlsDetail(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "x509: "); i >= 0 {
		return msg[i:]
	}
	return "verification failed"
}

// netDetail returns the innermost message of a network error without the URL.
func netDetail(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
