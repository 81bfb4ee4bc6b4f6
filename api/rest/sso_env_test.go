package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/applinks/applinks/api/handoff"
	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/sso"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

// highLimits keep the abuse limits out of tests that are not about them.
var highLimits = sso.Limits{
	ClickPerIP: 1e6, ClickPerCredential: 1e6, RedeemPerIP: 1e6, TokenAPIPerIP: 1e6, TokenAPIPerCred: 1e6,
	PortalLoginPerIP: 1e6, Burst: 1e6, PerCredentialBurst: 1e6, PanelSessionPerUser: 1e6,
}

const testPassword = "password123"

// ssoClock is a settable ssoClock for the SSO service.
type ssoClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *ssoClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *ssoClock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// flakyStore makes the click's lookup fail as if the database were briefly
// unreachable.
type flakyStore struct {
	*store.Store
	mu   sync.Mutex
	down bool
}

func (f *flakyStore) SSOClickTarget(ctx context.Context, sub string) (links.SSOClickTarget, error) {
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down {
		return links.SSOClickTarget{}, links.Errorf(links.EUNAVAILABLE, "The database is briefly unavailable; try again.")
	}
	return f.Store.SSOClickTarget(ctx, sub)
}

func (f *flakyStore) setDown(v bool) {
	f.mu.Lock()
	f.down = v
	f.mu.Unlock()
}

// ssoEnv is the service on a real listener, one simulated cPanel server and an
// account with one Active service whose links are pushed.
type ssoEnv struct {
	t        testing.TB
	db       *store.Store
	flaky    *flakyStore
	ssoClock *ssoClock
	url      string // the service's public URL
	sim      *whmsim.Sim
	simSrv   *whmsim.Server
	simCtl   *httptest.Server
	server   links.Server
	client   links.Client
	owner    links.User
	svc      links.Service
	staff    string // staff bearer token
	handler  http.Handler
	keys     *handoff.Keys // the hand-off signing keys
}

type ssoOptions struct {
	limits     sso.Limits
	noPush     bool
	trustProxy bool // take the client IP from X-Forwarded-For
}

func newSSOEnv(t testing.TB, db *store.Store, opts ssoOptions) *ssoEnv {
	t.Helper()
	ctx := context.Background()
	e := &ssoEnv{t: t, db: db, ssoClock: &ssoClock{}, flaky: &flakyStore{Store: db}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.url = "http://" + ln.Addr().String()
	logger := slog.New(slog.DiscardHandler)
	limits := opts.limits
	if limits == (sso.Limits{}) {
		limits = highLimits
	}
	e.keys = handoff.New(db, e.url, nil)
	panels := []links.Panel{whm.NewCPanel(whm.Options{Timeout: 10 * time.Second, AllowLoopback: true}), whm.NewWPSquared(whm.Options{Timeout: 10 * time.Second, AllowLoopback: true})}
	svc := sso.New(e.flaky, sso.Config{PublicURL: e.url, TokenTTL: 30 * time.Second, Limits: limits, Logger: logger, Now: e.ssoClock.now, Signer: e.keys, Panels: panels})
	srv := rest.New(rest.Config{PublicURL: e.url, JWTKey: []byte("test-jwt-key-0123456789abcdef0123"), LoginPerMinute: 1e6, TrustProxy: opts.trustProxy, PasswordCost: bcrypt.MinCost},
		rest.Deps{Store: db, Panels: panels, Logger: logger, SSO: svc, Handoff: e.keys})
	e.handler = srv.Handler()
	hs := httptest.NewUnstartedServer(e.handler)
	_ = hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)

	e.sim = whmsim.New(logger, whmsim.WithRetryScale(0))
	t.Cleanup(func() { _ = e.sim.Close() })
	e.simSrv, err = e.sim.Start(whmsim.ServerConfig{Name: "cp1", Token: "SIMTOKENCP1", Accounts: []whmsim.Account{{User: "acme", Domain: "acme.test"}, {User: "other", Domain: "other.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.simCtl = httptest.NewServer(e.sim.ControlHandler())
	t.Cleanup(e.simCtl.Close)

	in := links.ServerInput{Module: links.ModuleCPanel, Name: "cp1", Hostname: e.simSrv.Host(), Port: ptr(e.simSrv.Port()),
		Secure: ptr(false), VerifyTLS: ptr(false), Username: "root", APIToken: e.simSrv.Token()}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if e.server, err = db.CreateServer(ctx, in); err != nil {
		t.Fatal(err)
	}
	e.client, e.owner = e.newClient("acme")
	e.svc = e.newService(e.client.ID, "acme")
	if !opts.noPush {
		e.pushLinks(e.svc.ID)
	}

	role, err := db.EnsureFullAdministrator(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := secret.HashPassword(testPassword, bcrypt.MinCost)
	if _, err := db.CreateAdmin(ctx, "admin@example.com", "Admin", hash, role.ID); err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	e.mustJSON(e.do(nil, "POST", "/api/v1/auth/login", map[string]string{"email": "admin@example.com", "password": testPassword}), 200, &login)
	e.staff = login.Token
	return e
}

func ptr[T any](v T) *T { return &v }

// newClient creates an Active client with its owner.
func (e *ssoEnv) newClient(name string) (links.Client, links.User) {
	e.t.Helper()
	in := links.ClientInput{Name: name, Email: "billing@" + name + ".test", Owner: &links.OwnerInput{Email: "owner@" + name + ".test", Name: "Owner " + name, Password: testPassword}}
	if err := in.Validate(); err != nil {
		e.t.Fatal(err)
	}
	c, err := e.db.CreateClient(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.db.User(context.Background(), c.OwnerUserID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c, u
}

func (e *ssoEnv) newService(clientID int64, username string) links.Service {
	e.t.Helper()
	svc, err := e.db.CreateService(context.Background(), links.ServiceInput{ClientID: clientID, ServerID: e.server.ID, Username: username, Domain: username + ".test", Status: links.ServiceActive})
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// addUser adds a (non-owner) user to a client with the given permissions.
func (e *ssoEnv) addUser(clientID int64, email string, perms []string) links.User {
	e.t.Helper()
	in := links.ClientUserInput{Email: email, Name: "User " + email, Password: testPassword, Permissions: perms}
	if err := in.Validate(); err != nil {
		e.t.Fatal(err)
	}
	m, err := e.db.AddClientUser(context.Background(), clientID, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return m.User
}

// fallbackLanding is where a refused click ends: the fallback page's
// redirect to the login page explaining reason ("" for none) and
// continuing to the destination's route (for serviceID, 0 for none).
func (e *ssoEnv) fallbackLanding(reason, key string, serviceID int64) string {
	return sso.LoginURL(reason, sso.Route(key, "", serviceID))
}

// pushLinks pushes every catalogue link to the service's cPanel account with
// the simulator-backed whm panel and the engine's push plan.
func (e *ssoEnv) pushLinks(serviceID int64) {
	e.t.Helper()
	ctx := context.Background()
	creds, err := e.db.ServiceLinkCreds(ctx, serviceID)
	if err != nil {
		e.t.Fatal(err)
	}
	conn, err := e.db.ServerConn(ctx, e.server.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	req := links.PushPlan(links.ApplyLinkSettings(nil), e.url, "billing", "Billing & Support")
	req.Accounts = []links.AccountCreds{creds}
	res, err := whm.NewCPanel(whm.Options{AllowLoopback: true}).PushLinks(ctx, conn, req)
	if err != nil || len(res) != 1 || res[0].Err != nil {
		e.t.Fatalf("push links: %v %+v", err, res)
	}
}

// browser is an HTTP client with a cookie jar that stops at the first
// client-area page (or any page off the service and the simulator).
func (e *ssoEnv) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.Path, "/portal") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// click performs the simulator's click on the account's link and answers
// where the browser ends up (the service-relative Location of the last
// redirect) and the browser, which holds any session cookie.
func (e *ssoEnv) click(user, key string) (string, *http.Client) {
	e.t.Helper()
	b := e.browser()
	resp, err := b.Get(e.simCtl.URL + "/__sim/click?server=cp1&user=" + user + "&app=billing_" + key)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("click answered %d, want a 302", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if u, err := resp.Location(); err == nil && u.Host == strings.TrimPrefix(e.url, "http://") {
		loc = u.RequestURI()
	}
	return loc, b
}

// ssoResponse is an answer read whole.
type ssoResponse struct {
	status int
	header http.Header
	body   []byte
}

type ssoOpt func(*http.Request)

func withHeader(k, v string) ssoOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func withBasic(id, sec string) ssoOpt { return func(r *http.Request) { r.SetBasicAuth(id, sec) } }

func withStaff(tok string) ssoOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

// do sends a request to the service; a nil client is one without cookies
// that follows no redirects. A body that is not a string or []byte is sent
// as JSON.
func (e *ssoEnv) do(c *http.Client, method, path string, body any, opts ...ssoOpt) ssoResponse {
	e.t.Helper()
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(buf), "application/json"
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return ssoResponse{status: resp.StatusCode, header: resp.Header, body: data}
}

// mustJSON checks the status and decodes the body into v.
func (e *ssoEnv) mustJSON(r ssoResponse, status int, v any) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			e.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// ssoErr is the error answer of the SSO endpoints.
type ssoErr struct {
	Error struct {
		Code, Message, Field, Reason string
	}
}

func (e *ssoEnv) wantRefusal(r ssoResponse, status int, reason string) ssoErr {
	e.t.Helper()
	var body ssoErr
	e.mustJSON(r, status, &body)
	if body.Error.Reason != reason {
		e.t.Fatalf("reason %q, want %q: %s", body.Error.Reason, reason, r.body)
	}
	return body
}

// autologin calls the click endpoint as cPanel would, with the service's
// real credentials; opts may add headers (e.g. X-Forwarded-For).
func (e *ssoEnv) autologin(serviceID int64, dest string, opts ...ssoOpt) ssoResponse {
	e.t.Helper()
	creds, err := e.db.ServiceLinkCreds(context.Background(), serviceID)
	if err != nil {
		e.t.Fatal(err)
	}
	form := url.Values{"subscriber_unique_id": {creds.SubscriberUniqueID}, "token": {creds.Token}, "attempt": {"1"}}
	opts = append([]ssoOpt{withHeader("Content-Type", "application/x-www-form-urlencoded")}, opts...)
	return e.do(nil, "POST", "/sso/cpanel/token?destination="+dest, form.Encode(), opts...)
}

// accessToken calls autologin and returns the token of the redirect_url.
func (e *ssoEnv) accessToken(serviceID int64, dest string) string {
	e.t.Helper()
	var ans struct {
		RedirectURL string `json:"redirect_url"`
	}
	e.mustJSON(e.autologin(serviceID, dest), 200, &ans)
	u, err := url.Parse(ans.RedirectURL)
	if err != nil || u.Path != "/sso/redeem" || !strings.HasPrefix(ans.RedirectURL, e.url) {
		e.t.Fatalf("redirect_url %q", ans.RedirectURL)
	}
	return u.Query().Get("access_token")
}

// events lists the SSO events as staff see them.
func (e *ssoEnv) events(query string) []links.SSOEvent {
	e.t.Helper()
	var list struct{ Items []links.SSOEvent }
	e.mustJSON(e.do(nil, "GET", "/api/v1/sso/events?"+query, nil, withStaff(e.staff)), 200, &list)
	return list.Items
}

// portalLogin signs a user into the client area and returns the browser.
func (e *ssoEnv) portalLogin(email string) *http.Client {
	e.t.Helper()
	b := e.browser()
	e.mustJSON(e.do(b, "POST", "/api/v1/portal/login", map[string]string{"email": email, "password": testPassword}), 200, nil)
	return b
}

func eachSSO(t *testing.T, opts ssoOptions, fn func(t *testing.T, e *ssoEnv)) {
	storetest.Each(t, func(t *testing.T, db *store.Store) { fn(t, newSSOEnv(t, db, opts)) })
}
