package sso_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/sso"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

const publicURL = "https://billing.example.com"

// clock is the service's settable clock. It starts at the current time,
// truncated to the millisecond so that every dialect stores it exactly.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Millisecond)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// fixture is the SSO service on a fresh database with an active cPanel
// server, a client (with its owner) and one Active service whose link
// credentials are known.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	st      *store.Store
	svc     *sso.Service
	clk     *clock
	server  links.Server
	client  links.Client
	service links.Service
	creds   links.AccountCreds
}

func ptr[T any](v T) *T { return &v }

func newFixture(t *testing.T, st *store.Store, cfg sso.Config) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), st: st, clk: newClock()}
	if cfg.PublicURL == "" {
		cfg.PublicURL = publicURL + "/" // the trailing slash is trimmed
	}
	if cfg.Now == nil {
		cfg.Now = f.clk.now
	}
	f.svc = sso.New(st, cfg)

	in := links.ServerInput{Module: links.ModuleCPanel, Name: "cp1", Hostname: "cp1.example.com", APIToken: "SERVERTOKEN0123456789", Active: ptr(true)}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.server, err = st.CreateServer(f.ctx, in); err != nil {
		t.Fatal(err)
	}
	f.client = f.newClient("acme")
	f.service = f.newService(f.client.ID, "acme")
	if f.creds, err = st.ServiceLinkCreds(f.ctx, f.service.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) newClient(name string) links.Client {
	f.t.Helper()
	in := links.ClientInput{Name: name, Email: "billing@" + name + ".test", Owner: &links.OwnerInput{Email: "owner@" + name + ".test", Name: "Owner " + name, Password: "password123"}}
	if err := in.Validate(); err != nil {
		f.t.Fatal(err)
	}
	c, err := f.st.CreateClient(f.ctx, in)
	if err != nil {
		f.t.Fatal(err)
	}
	if !c.AllowSSO || c.Status != links.ClientActive || c.OwnerUserID == 0 {
		f.t.Fatalf("new client %+v: want Active, allow_sso on, an owner", c)
	}
	return c
}

func (f *fixture) newService(clientID int64, username string) links.Service {
	f.t.Helper()
	in := links.ServiceInput{ClientID: clientID, ServerID: f.server.ID, Username: username, Domain: username + ".test", Status: links.ServiceActive}
	if err := in.Validate(); err != nil {
		f.t.Fatal(err)
	}
	svc, err := f.st.CreateService(f.ctx, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return svc
}

// addUser adds a non-owner user to a client with these permissions.
func (f *fixture) addUser(clientID int64, email string, perms []string) links.User {
	f.t.Helper()
	in := links.ClientUserInput{Email: email, Name: "User " + email, Password: "password123", Permissions: perms}
	if err := in.Validate(); err != nil {
		f.t.Fatal(err)
	}
	m, err := f.st.AddClientUser(f.ctx, clientID, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return m.User
}

func (f *fixture) patchClient(id int64, p links.ClientPatch) {
	f.t.Helper()
	if _, err := f.st.UpdateClient(f.ctx, id, p); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) setServiceStatus(id int64, status string) {
	f.t.Helper()
	if _, _, err := f.st.UpdateService(f.ctx, id, links.ServicePatch{Status: &status}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) setServerActive(active bool) {
	f.t.Helper()
	if _, err := f.st.UpdateServer(f.ctx, f.server.ID, links.ServerPatch{Active: &active}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) click(dest string) (string, error) {
	return f.svc.Click(f.ctx, sso.ClickRequest{Destination: dest, SubscriberID: f.creds.SubscriberUniqueID, Token: f.creds.Token, IP: "198.51.100.7"})
}

// mustClick clicks the service's link and returns the raw access token.
func (f *fixture) mustClick(dest string) string {
	f.t.Helper()
	u, err := f.click(dest)
	if err != nil {
		f.t.Fatalf("click %s: %v", dest, err)
	}
	return accessToken(f.t, u)
}

// accessToken checks a redeem URL and returns its access token.
func accessToken(t *testing.T, redirect string) string {
	t.Helper()
	prefix := publicURL + "/sso/redeem?access_token="
	if !strings.HasPrefix(redirect, prefix) {
		t.Fatalf("redirect URL %q does not start with %q", redirect, prefix)
	}
	u, err := url.Parse(redirect)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Query()) != 1 {
		t.Fatalf("redirect URL %q carries more than the access token", redirect)
	}
	tok := u.Query().Get("access_token")
	if tok != strings.TrimPrefix(redirect, prefix) {
		t.Fatalf("access token %q is not URL-safe as it is", tok)
	}
	return tok
}

// events returns every SSO event, oldest first.
func (f *fixture) events() []links.SSOEvent {
	f.t.Helper()
	evs, total, err := f.svc.Events(f.ctx, links.SSOEventFilter{Page: links.Page{Page: 1, PerPage: 1000}})
	if err != nil {
		f.t.Fatal(err)
	}
	if int(total) != len(evs) {
		f.t.Fatalf("events: total %d, got %d", total, len(evs))
	}
	slices.Reverse(evs)
	return evs
}

// newEvents returns the events added after the first before ones, oldest
// first.
func (f *fixture) newEvents(before int) []links.SSOEvent {
	f.t.Helper()
	evs := f.events()
	if len(evs) < before {
		f.t.Fatalf("%d events, fewer than the %d before", len(evs), before)
	}
	return evs[before:]
}

func (f *fixture) tokenCount() int {
	f.t.Helper()
	db, err := f.st.SQLDB()
	if err != nil {
		f.t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM sso_tokens").Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) storedToken(raw string) links.SSOToken {
	f.t.Helper()
	tok, err := f.st.SSOToken(f.ctx, secret.Hash(raw))
	if err != nil {
		f.t.Fatalf("stored token: %v", err)
	}
	return tok
}

// refusal checks that err is a *sso.Refusal with this reason and links
// error code, and returns it.
func refusal(t *testing.T, err error, reason, code string) *sso.Refusal {
	t.Helper()
	var r *sso.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("error %v (%T) is not a refusal; want %s", err, err, reason)
	}
	if r.Reason != reason || sso.Reason(err) != reason {
		t.Fatalf("refusal reason %q (Reason() %q), want %q: %v", r.Reason, sso.Reason(err), reason, err)
	}
	if links.ErrorCode(err) != code {
		t.Fatalf("refusal code %q, want %q: %v", links.ErrorCode(err), code, err)
	}
	return r
}

func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// wantEvent checks one audit event.
func wantEvent(t *testing.T, e links.SSOEvent, kind, source, outcome, reason string) {
	t.Helper()
	if e.Kind != kind || e.Source != source || e.Outcome != outcome || e.Reason != reason {
		t.Fatalf("event %+v: want kind %s source %s outcome %s reason %q", e, kind, source, outcome, reason)
	}
}

// each runs fn on every dialect with a fresh fixture.
func each(t *testing.T, cfg sso.Config, fn func(t *testing.T, f *fixture)) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fn(t, newFixture(t, st, cfg))
	})
}

// downStore answers the click's lookup as a briefly unreachable database.
type downStore struct {
	*store.Store
}

func (d *downStore) SSOClickTarget(context.Context, string) (links.SSOClickTarget, error) {
	return links.SSOClickTarget{}, links.Errorf(links.EUNAVAILABLE, "The database is briefly unavailable; try again.")
}

// findPlaintext lists the "table.column" holding needle anywhere in the
// database.
func (f *fixture) findPlaintext(needle string) []string {
	f.t.Helper()
	return storetest.FindPlaintext(f.t, f.st, needle)
}
