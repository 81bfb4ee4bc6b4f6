package webhooks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/webhooks"
)

// received is one request a test receiver got.
type received struct {
	Header http.Header
	Body   []byte
}

// receiver is an httptest server on loopback that records what it gets and
// answers with status (200 unless set).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: http.StatusOK}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{Header: req.Header.Clone(), Body: body})
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) setStatus(s int) {
	r.mu.Lock()
	r.status = s
	r.mu.Unlock()
}

// clock is a settable test time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newService(s *store.Store, c *clock) *webhooks.Service {
	cfg := webhooks.Config{Timeout: 2 * time.Second, RetryBase: 10 * time.Second}
	if c != nil {
		cfg.Now = c.now
	}
	return webhooks.New(s, cfg)
}

func subscribe(t *testing.T, svc *webhooks.Service, url string, active bool, events ...string) links.NewWebhook {
	t.Helper()
	w, err := svc.Create(context.Background(), links.WebhookInput{URL: url, Events: events, Active: &active})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// verify checks a request's Standard Webhooks signature with the official
// library and returns its decoded body.
func verify(t *testing.T, secret string, r received) map[string]any {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(r.Body, r.Header); err != nil {
		t.Fatalf("signature does not verify: %v (headers %v)", err, r.Header)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body
}

func newClient(t *testing.T, s *store.Store, email string) links.Client {
	t.Helper()
	in := links.ClientInput{Name: "Acme", Email: email, Owner: &links.OwnerInput{Email: "owner-" + email, Name: "Owner", Password: "password123"}}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateClient(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// redeem issues and redeems a sign-in token with their SSO events, as the
// sso package does, and returns the redeem event's user id.
func redeem(t *testing.T, s *store.Store, c links.Client, hash string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	uid, cid := c.OwnerUserID, c.ID
	issue := links.SSOEvent{Kind: links.SSOKindIssue, UserID: &uid, ClientID: &cid, Source: links.SSOSourceAPI, Outcome: links.SSOSuccess}
	tok := links.SSOToken{Hash: hash, UserID: uid, ClientID: cid, Destination: "profile", Issuer: "api:1", ExpiresAt: now.Add(time.Minute)}
	if _, err := s.CreateSSOToken(ctx, tok, &issue); err != nil {
		t.Fatal(err)
	}
	ev := links.SSOEvent{Kind: links.SSOKindRedeem, UserID: &uid, ClientID: &cid, Source: links.SSOSourceAPI, Outcome: links.SSOSuccess, Destination: "profile"}
	if _, ok, err := s.ConsumeSSOToken(ctx, hash, now, &ev); err != nil || !ok {
		t.Fatalf("consume: ok=%v err=%v", ok, err)
	}
}

func deliveries(t *testing.T, s *store.Store, webhookID int64) []links.WebhookDelivery {
	t.Helper()
	items, _, err := s.ListWebhookDeliveries(context.Background(), webhookID, links.Page{Page: 1, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// newHangingServer answers nothing until release is closed or the client
// goes away.
func newHangingServer(t *testing.T, release chan struct{}) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// counter is a receiver that counts each webhook-id and notices two
// requests of one id in flight at once.
type counter struct {
	*httptest.Server
	mu       sync.Mutex
	seen     map[string]int
	inFlight map[string]bool
	overlaps int
}

func newCounter(t *testing.T) *counter {
	c := &counter{seen: map[string]int{}, inFlight: map[string]bool{}}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id := req.Header.Get("webhook-id")
		c.mu.Lock()
		if c.inFlight[id] {
			c.overlaps++
		}
		c.inFlight[id] = true
		c.seen[id]++
		c.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		c.mu.Lock()
		c.inFlight[id] = false
		c.mu.Unlock()
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *counter) check(t *testing.T, want int) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.seen) != want || c.overlaps != 0 {
		t.Fatalf("%d distinct messages (want %d), %d overlapping sends", len(c.seen), want, c.overlaps)
	}
	for id, n := range c.seen {
		if n != 1 {
			t.Fatalf("message %s sent %d times", id, n)
		}
	}
}
