package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/netguard"
)

// maxErrorBody is how much of a refusing receiver's answer the delivery
// log keeps: enough to read an error message, never a whole page.
const maxErrorBody = 200

// sender POSTs signed messages. It has two clients: one whose dialer also
// refuses loopback addresses, for every URL with a host name or a
// non-loopback address, and one that allows loopback, only for URLs that
// were accepted as a loopback IP literal. Both always refuse link-local
// and unspecified addresses (the cloud metadata service, this host),
// checked on the address actually dialled, after DNS. Neither follows
// redirects nor uses a proxy from the environment.
type sender struct {
	strict, loopback *http.Client
	now              func() time.Time
}

// newSender keeps up to conns idle connections per receiver, one for each
// attempt that may be in flight.
func newSender(timeout time.Duration, conns int, now func() time.Time) *sender {
	return &sender{strict: newClient(timeout, conns, false), loopback: newClient(timeout, conns, true), now: now}
}

func newClient(timeout time.Duration, conns int, allowLoopback bool) *http.Client {
	dialer := &net.Dialer{Timeout: min(timeout, 5*time.Second), Control: dialControl(allowLoopback)}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   min(timeout, 5*time.Second),
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   conns,
		IdleConnTimeout:       60 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: transport,
		// The whole exchange, body included: a receiver that hangs or
		// never closes its answer holds a worker for timeout at most.
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// GuardError is a connection the sender refused to open.
type GuardError struct {
	Addr  netip.Addr
	Class string // loopback, link-local, unspecified, invalid
}

// Error implements the error interface.
func (e *GuardError) Error() string {
	if e.Class == "loopback" {
		return fmt.Sprintf("refused to connect to %s: a loopback address is reached only by a URL written with a loopback IP (http://127.0.0.1:port/...)", e.Addr)
	}
	return fmt.Sprintf("refused to connect to %s: a %s address never reaches a receiver", e.Addr, e.Class)
}

// dialControl applies netguard.CheckAddress, the guard the WHM client dials
// through too, to every address dialled.
func dialControl(allowLoopback bool) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return &GuardError{Class: "invalid"}
		}
		if err := netguard.CheckAddress(ap.Addr(), allowLoopback); err != nil {
			var ae *netguard.AddressError
			if errors.As(err, &ae) {
				return &GuardError{Addr: ae.Addr, Class: ae.Class}
			}
			return &GuardError{Addr: ap.Addr(), Class: "invalid"}
		}
		return nil
	}
}

// send makes one attempt: signs the body for this moment and POSTs it.
func (s *sender) send(ctx context.Context, d links.WebhookDispatch) links.WebhookAttempt {
	start := s.now()
	a := links.WebhookAttempt{At: start}
	status, err := s.post(ctx, d, start)
	a.Duration = s.now().Sub(start)
	a.StatusCode = status
	switch {
	case err != nil:
		a.Error = err.Error()
	case status >= 200 && status < 300:
		a.OK = true
	}
	return a
}

func (s *sender) post(ctx context.Context, d links.WebhookDispatch, at time.Time) (int, error) {
	loopback, err := links.ValidateWebhookURL("url", d.URL)
	if err != nil {
		return 0, err
	}
	wh, err := standardwebhooks.NewWebhook(d.Secret)
	if err != nil {
		return 0, errors.New("the subscription's secret is unusable")
	}
	sig, err := wh.Sign(d.Delivery.MessageID, at, d.Body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "applinks-webhooks/1")
	h.Set(standardwebhooks.HeaderWebhookID, d.Delivery.MessageID)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	client := s.strict
	if loopback {
		client = s.loopback
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, errors.New(shortError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Read a little so the connection can be reused; the rest is
		// dropped with the connection.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return resp.StatusCode, nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msg := fmt.Sprintf("the receiver answered %s", resp.Status)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg += " (redirects are not followed)"
	}
	if text := printable(head); text != "" {
		msg += ": " + text
	}
	return resp.StatusCode, errors.New(msg)
}

// shortError says why a request failed without the URL (which may carry
// a token in its query) that url.Error repeats.
func shortError(err error) string {
	var ge *GuardError
	if errors.As(err, &ge) {
		return ge.Error()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "the receiver did not answer in time"
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap().Error()
	}
	return err.Error()
}

// printable keeps the valid, printable UTF-8 of a receiver's answer on one
// line.
func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
