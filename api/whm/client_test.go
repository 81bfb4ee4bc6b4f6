package whm_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

const (
	rootToken = "ROOTTOKEN7Q2W3E4R5T6Y7U8I9O0P"
	linkToken = "LINKSECRET-4f8a9c2e"
	// A 1x1 PNG.
	tinyPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

// deadline bounds every call of a test: a generous limit, never an assertion.
const deadline = 20 * time.Second

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx
}

// startServer starts a simulator with one server and returns it.
func startServer(t *testing.T, cfg whmsim.ServerConfig, opts ...whmsim.Option) *whmsim.Server {
	t.Helper()
	sim := whmsim.New(nil, opts...)
	t.Cleanup(func() { _ = sim.Close() })
	if cfg.Token == "" {
		cfg.Token = rootToken
	}
	if cfg.Accounts == nil {
		cfg.Accounts = []whmsim.Account{
			{User: "alice", Domain: "alice.example", Email: "a@alice.example"},
			{User: "bob", Domain: "bob.example", Email: "b@bob.example", Suspended: true},
			{User: "carol", Domain: "carol.example", Email: "c@carol.example", Owner: "res1"},
		}
		cfg.Resellers = map[string]string{"res1": "RESELLERTOKEN-9x8y7z"}
	}
	srv, err := sim.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestClientCallsEveryFunction(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "web1"})
	c := whm.NewClient(whm.Options{AllowLoopback: true})
	s := srv.Conn()
	ctx := ctxT(t)

	if v, err := c.Version(ctx, s); err != nil || v != whmsim.DefaultVersion {
		t.Fatalf("Version = %q, %v", v, err)
	}
	apps, err := c.AppList(ctx, s)
	if err != nil || !slices.Contains(apps, "create_integration_link") || !slices.Contains(apps, "batch") {
		t.Fatalf("AppList = %v, %v", apps, err)
	}
	if p, err := c.CurrentProfile(ctx, s); err != nil || p.Code != whmsim.DefaultProfile || p.Name == "" {
		t.Fatalf("CurrentProfile = %+v, %v", p, err)
	}
	accts, err := c.ListAccounts(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	wantAccts := []whm.Account{
		{User: "alice", Domain: "alice.example", Email: "a@alice.example", Owner: "root", Plan: "default"},
		{User: "bob", Domain: "bob.example", Email: "b@bob.example", Owner: "root", Plan: "default", Suspended: true},
		{User: "carol", Domain: "carol.example", Email: "c@carol.example", Owner: "res1", Plan: "default"},
	}
	if !reflect.DeepEqual(accts, wantAccts) {
		t.Errorf("ListAccounts = %+v", accts)
	}

	if err := c.CreateIntegrationGroup(ctx, s, "alice", whm.Group{ID: "billing", Label: "Billing & Support", Order: 2}); err != nil {
		t.Fatal(err)
	}
	link := whm.IntegrationLink{
		App: "billing_invoice_history", Label: "View Invoice History", Order: 14, GroupID: "billing",
		Implements: "billing", SubscriberUniqueID: "sub-42", Token: linkToken,
		AutologinTokenURL: "https://bill.example/sso/cpanel/token?destination=invoice_history",
		URL:               "https://bill.example/portal/login?next=%2Fportal%2Finvoices", Base64PNGImage: tinyPNG,
	}
	if err := c.CreateIntegrationLink(ctx, s, "alice", link); err != nil {
		t.Fatal(err)
	}
	if got, err := c.ListIntegrationLinks(ctx, s, "alice"); err != nil || !reflect.DeepEqual(got, []string{"billing_invoice_history"}) {
		t.Errorf("ListIntegrationLinks = %v, %v", got, err)
	}
	if got, err := c.ListIntegrationGroups(ctx, s, "alice"); err != nil || !reflect.DeepEqual(got, []string{"billing"}) {
		t.Errorf("ListIntegrationGroups = %v, %v", got, err)
	}
	cfg, err := c.IntegrationLinkUserConfig(ctx, s, "alice", "billing_invoice_history")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Fields = nil
	wantCfg := whm.UserConfig{
		App: link.App, Label: link.Label, Order: 14, GroupID: "billing", Implements: "billing",
		SubscriberUniqueID: "sub-42", AutologinTokenURL: link.AutologinTokenURL, URL: link.URL, Base64PNGImage: tinyPNG,
	}
	if !reflect.DeepEqual(cfg, wantCfg) {
		t.Errorf("IntegrationLinkUserConfig = %+v\nwant %+v", cfg, wantCfg)
	}
	if err := c.UpdateIntegrationLinkToken(ctx, s, "alice", link.App, "ROTATED-123"); err != nil {
		t.Fatal(err)
	}
	if !srv.TokenMatches("alice", link.App, "ROTATED-123") {
		t.Error("UpdateIntegrationLinkToken did not rotate the token")
	}

	loginURL, err := c.CreateUserSession(ctx, s, "alice", whm.ServiceCPanel)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(loginURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "View Invoice History") {
		t.Errorf("the session URL did not open alice's cPanel: %d", resp.StatusCode)
	}

	if err := c.RemoveIntegrationLink(ctx, s, "alice", link.App); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveIntegrationGroup(ctx, s, "alice", "billing"); err != nil {
		t.Fatal(err)
	}
	if len(srv.Links("alice")) != 0 || len(srv.Groups("alice")) != 0 {
		t.Errorf("after removal: links %v groups %v", srv.Links("alice"), srv.Groups("alice"))
	}
}

func TestBatchMapsEachSubResult(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "web1"})
	c := whm.NewClient(whm.Options{AllowLoopback: true})
	cmds := []whm.Command{
		{Function: whm.FnCreateIntegrationGroup, Args: whm.Group{ID: "billing", Label: "Billing & Support", Order: 1}.Args("alice")},
		{Function: whm.FnCreateIntegrationGroup, Args: whm.Group{ID: "billing", Label: "Billing", Order: 1}.Args("nobody")},
		{Function: whm.FnCreateIntegrationLink, Args: whm.IntegrationLink{App: "billing_x", Label: "It's", SubscriberUniqueID: "1", Token: linkToken, URL: "https://b.example/"}.Args("alice")},
		{Function: whm.FnVersion},
	}
	out, err := c.Batch(ctxT(t), srv.Conn(), cmds, false)
	if err != nil {
		t.Fatal(err)
	}
	wantErr := []string{"", "You do not have a user named “nobody”.", "The parameter “label” may not contain single-quote characters (apos()).", ""}
	for i, r := range out {
		if r.Function != cmds[i].Function {
			t.Errorf("result %d is for %s, want %s", i, r.Function, cmds[i].Function)
		}
		var pe *whm.PanelError
		switch {
		case wantErr[i] == "" && r.Err != nil:
			t.Errorf("result %d: unexpected error %v", i, r.Err)
		case wantErr[i] != "" && (!errors.As(r.Err, &pe) || pe.Reason != wantErr[i]):
			t.Errorf("result %d: err = %v, want reason %q", i, r.Err, wantErr[i])
		}
	}
	if !strings.Contains(string(out[3].Data), whmsim.DefaultVersion) {
		t.Errorf("version data = %s", out[3].Data)
	}
	if got := srv.Groups("alice"); len(got) != 1 || got[0].Label != "Billing & Support" {
		t.Errorf("groups = %+v", got)
	}

	// abort_on_error: the commands after the failure are reported as not run.
	out, err = c.Batch(ctxT(t), srv.Conn(), []whm.Command{cmds[1], cmds[3]}, true)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Err == nil || out[1].Err == nil || !strings.Contains(out[1].Err.Error(), "not run") {
		t.Errorf("abort_on_error results = %+v", out)
	}
}

// failureCase is one way a call can fail.
type failureCase struct {
	name      string
	faults    whmsim.Faults
	conn      func(links.ServerConn) links.ServerConn
	opts      whm.Options
	call      func(ctx context.Context, c *whm.Client, s links.ServerConn) error
	panel     bool // want a *PanelError
	kind      whm.ErrorKind
	temporary bool
	contains  string
}

func versionCall(ctx context.Context, c *whm.Client, s links.ServerConn) error {
	_, err := c.Version(ctx, s)
	return err
}

func TestFailuresAreTypedAndNameTheServer(t *testing.T) {
	tests := []failureCase{
		{name: "an HTML login page is a temporary not-JSON error", faults: whmsim.Faults{HTMLRate: 1},
			kind: whm.KindNotJSON, temporary: true, contains: "HTML login page"},
		{name: "HTTP 500 is temporary", faults: whmsim.Faults{HTTP500Rate: 1},
			kind: whm.KindHTTPStatus, temporary: true, contains: "HTTP 500 (Internal Server Error) from 127.0.0.1:"},
		{name: "HTTP 503 is temporary", faults: whmsim.Faults{CannedStatus: 503, CannedBody: "busy"},
			kind: whm.KindHTTPStatus, temporary: true, contains: "HTTP 503"},
		{name: "a wrong token is an authentication failure", conn: func(s links.ServerConn) links.ServerConn { s.APIToken = "WRONGTOKEN1"; return s },
			kind: whm.KindAuth, contains: "HTTP 403 (Forbidden) from 127.0.0.1:"},
		{name: "HTTP 401 is an authentication failure", faults: whmsim.Faults{CannedStatus: 401, CannedBody: "<html>login</html>"},
			kind: whm.KindAuth, contains: "HTTP 401"},
		{name: "a cpanelresult Access denied is an authentication failure", faults: whmsim.Faults{CannedBody: `{"cpanelresult":{"error":"Access denied"}}`},
			kind: whm.KindAuth, contains: "Access denied"},
		{name: "another cpanelresult error is a refusal", faults: whmsim.Faults{CannedBody: `{"cpanelresult":{"error":"The function is disabled."}}`},
			kind: whm.KindRefused, contains: "The function is disabled."},
		{name: "statusmsg Permission Denied is an authentication failure", faults: whmsim.Faults{CannedBody: `{"status":0,"statusmsg":"Permission Denied"}`},
			kind: whm.KindAuth, contains: "Permission Denied"},
		{name: "a top-level error is a refusal", faults: whmsim.Faults{CannedBody: `{"error":"Token expired at the proxy"}`},
			kind: whm.KindRefused, contains: "Token expired at the proxy"},
		{name: "JSON without metadata is malformed and final", faults: whmsim.Faults{CannedBody: `{"hello":"world"}`},
			kind: whm.KindMalformed, contains: "no metadata"},
		{name: "a JSON array is malformed and final", faults: whmsim.Faults{CannedBody: `[1,2,3]`},
			kind: whm.KindMalformed},
		{name: "a cut-off answer is temporary", faults: whmsim.Faults{CannedBody: `{"metadata":{"result":1,"reason":"OK"`},
			kind: whm.KindNotJSON, temporary: true, contains: "cut off"},
		{name: "an empty answer is temporary", faults: whmsim.Faults{CannedStatus: 200, CannedBody: "  "},
			kind: whm.KindNotJSON, temporary: true},
		{name: "a redirect is not followed", faults: whmsim.Faults{CannedStatus: 302, CannedBody: "moved"},
			kind: whm.KindHTTPStatus, contains: "redirect"},
		{name: "a huge answer is cut at the cap", faults: whmsim.Faults{CannedBody: `{"metadata":{"result":1},"data":{"version":"` + strings.Repeat("9", 4096) + `"}}`},
			opts: whm.Options{MaxResponseBytes: 1024}, kind: whm.KindTooLarge},
		{name: "a hanging server times out, temporarily", faults: whmsim.Faults{TimeoutRate: 1},
			conn: func(s links.ServerConn) links.ServerConn { s.Timeout = 200 * time.Millisecond; return s },
			kind: whm.KindTimeout, temporary: true, contains: "no answer from 127.0.0.1:"},
		{name: "a closed port refuses the connection, temporarily", faults: whmsim.Faults{Refuse: true},
			kind: whm.KindConnection, temporary: true, contains: "connection refused by 127.0.0.1:"},
		{name: "https to a plain HTTP port is a TLS error", conn: func(s links.ServerConn) links.ServerConn { s.Secure = true; return s },
			kind: whm.KindTLS},
		{name: "a host name with a scheme is a configuration error", conn: func(s links.ServerConn) links.ServerConn { s.Hostname = "http://" + s.Hostname; return s },
			kind: whm.KindConfig, contains: "not a plain host name"},
		{name: "an unknown user is a panel error", panel: true, contains: "You do not have a user named “zed”.",
			call: func(ctx context.Context, c *whm.Client, s links.ServerConn) error {
				_, err := c.ListIntegrationLinks(ctx, s, "zed")
				return err
			}},
		{name: "a reseller touching another's account is a panel error", panel: true, contains: "You do not have access to an account named “alice”.",
			conn: func(s links.ServerConn) links.ServerConn {
				s.Username, s.APIToken = "res1", "RESELLERTOKEN-9x8y7z"
				return s
			},
			call: func(ctx context.Context, c *whm.Client, s links.ServerConn) error {
				return c.RemoveIntegrationLink(ctx, s, "alice", "billing_x")
			}},
		{name: "a panel error in a canned answer loses its XID prefix", panel: true,
			faults:   whmsim.Faults{CannedBody: `{"metadata":{"command":"version","result":0,"reason":"API failure: (XID q1w2e3) The server is in maintenance."}}`},
			contains: `version: The server is in maintenance.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: tt.faults})
			s := srv.Conn()
			if tt.conn != nil {
				s = tt.conn(s)
			}
			call := tt.call
			if call == nil {
				call = versionCall
			}
			opts := tt.opts
			opts.AllowLoopback = true // the simulator listens on 127.0.0.1
			err := call(ctxT(t), whm.NewClient(opts), s)
			assertFailure(t, err, tt)
			if strings.Contains(err.Error(), rootToken) {
				t.Errorf("the message leaks the API token: %v", err)
			}
		})
	}
}

func assertFailure(t *testing.T, err error, tt failureCase) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), `whm server "panel-7"`) {
		t.Errorf("the message does not name the server: %v", err)
	}
	if tt.contains != "" && !strings.Contains(err.Error(), tt.contains) {
		t.Errorf("message %q does not contain %q", err, tt.contains)
	}
	if got := links.IsTemporary(err); got != tt.temporary {
		t.Errorf("IsTemporary = %v, want %v (%v)", got, tt.temporary, err)
	}
	if tt.panel {
		var pe *whm.PanelError
		if !errors.As(err, &pe) {
			t.Fatalf("want *PanelError, got %T: %v", err, err)
		}
		if strings.Contains(pe.Reason, "XID") {
			t.Errorf("the reason keeps its XID prefix: %q", pe.Reason)
		}
		return
	}
	var te *whm.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("want *TransportError, got %T: %v", err, err)
	}
	if te.Kind != tt.kind {
		t.Errorf("Kind = %s, want %s (%v)", te.Kind, tt.kind, err)
	}
}

func TestStoppedServerRefusesConnections(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	c := whm.NewClient(whm.Options{AllowLoopback: true})
	if _, err := c.Version(ctxT(t), srv.Conn()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	_, err := c.Version(ctxT(t), srv.Conn())
	assertFailure(t, err, failureCase{kind: whm.KindConnection, temporary: true})
}

func TestRefuseFaultCanBeLiftedAtRunTime(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	c := whm.NewClient(whm.Options{AllowLoopback: true})
	if err := srv.SetFaults(whmsim.Faults{Refuse: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Version(ctxT(t), srv.Conn()); !links.IsTemporary(err) {
		t.Fatalf("refusing server: err = %v", err)
	}
	if err := srv.SetFaults(whmsim.Faults{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Version(ctxT(t), srv.Conn()); err != nil {
		t.Fatalf("after lifting the fault: %v", err)
	}
}

func TestCancelingTheContextStopsTheCall(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: whmsim.Faults{TimeoutRate: 1}})
	c := whm.NewClient(whm.Options{AllowLoopback: true})
	ctx, cancel := context.WithCancel(ctxT(t))
	errc := make(chan error, 1)
	go func() {
		_, err := c.Version(ctx, srv.Conn())
		errc <- err
	}()
	waitFor(t, func() bool { return srv.Stats().InFlight == 1 })
	cancel()
	err := <-errc
	assertFailure(t, err, failureCase{kind: whm.KindCanceled})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(err, context.Canceled) = false: %v", err)
	}
}

func TestCallerDeadlineIsATimeout(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: whmsim.Faults{TimeoutRate: 1}})
	ctx, cancel := context.WithTimeout(ctxT(t), 100*time.Millisecond)
	defer cancel()
	_, err := whm.NewClient(whm.Options{AllowLoopback: true}).Version(ctx, srv.Conn())
	assertFailure(t, err, failureCase{kind: whm.KindTimeout, temporary: true})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(err, context.DeadlineExceeded) = false: %v", err)
	}
}

// waitFor polls cond until it holds or the test deadline passes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatal("condition never held")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSecretsAreScrubbedFromMessages(t *testing.T) {
	echo := `{"metadata":{"command":"create_integration_link","result":0,"reason":"API failure: (XID ab12cd) bad token ` +
		linkToken + `/+ (encoded ` + url.QueryEscape(linkToken+"/+") + `) for ` + rootToken + `"}}`
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: whmsim.Faults{CannedBody: echo}})
	c := whm.NewClient(whm.Options{AllowLoopback: true})
	err := c.CreateIntegrationLink(ctxT(t), srv.Conn(), "alice", whm.IntegrationLink{
		App: "billing_x", Label: "X", SubscriberUniqueID: "1", Token: linkToken + "/+", URL: "https://b.example/",
	})
	var pe *whm.PanelError
	if !errors.As(err, &pe) {
		t.Fatalf("want *PanelError, got %v", err)
	}
	if strings.Contains(err.Error(), linkToken) || strings.Contains(err.Error(), rootToken) {
		t.Errorf("a secret leaks: %v", err)
	}
	if pe.XID != "ab12cd" || !strings.HasPrefix(pe.Reason, "bad token [REDACTED]") {
		t.Errorf("PanelError = %+v", pe)
	}

	// Transport errors are scrubbed too.
	if err := srv.SetFaults(whmsim.Faults{CannedBody: `{"cpanelresult":{"error":"token ` + rootToken + ` refused"}}`}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Version(ctxT(t), srv.Conn())
	if err == nil || strings.Contains(err.Error(), rootToken) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("transport error = %v", err)
	}
}

// TestBatchMessagesAreScrubbed: a batch's refusals are scrubbed of the root
// token and of the secrets in its commands, their shared arguments included
// (gathered only when a message needs them).
func TestBatchMessagesAreScrubbed(t *testing.T) {
	echo := `{"metadata":{"command":"batch","result":0,"reason":"failed"},"data":{"result":[` +
		`{"metadata":{"command":"create_integration_link","result":0,"reason":"API failure: (XID ab12cd) bad token ` + linkToken + ` for ` + rootToken + `"}},` +
		`{"metadata":{"command":"create_integration_link","result":0,"reason":"other token OTHER-SECRET-99 (encoded ` + url.QueryEscape("OTHER SECRET/99") + `)"}}]}}`
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-8", Faults: whmsim.Faults{CannedBody: echo}})
	own := whm.NewSharedArgs(url.Values{"user": {"alice"}, "token": {linkToken}})
	cmds := []whm.Command{
		whm.Command{Function: whm.FnCreateIntegrationLink, Args: url.Values{"app": {"a"}}}.WithShared(own),
		{Function: whm.FnCreateIntegrationLink, Args: url.Values{"app": {"b"}, "token": {"OTHER-SECRET-99"}, "password": {"OTHER SECRET/99"}}},
	}
	res, err := whm.NewClient(whm.Options{AllowLoopback: true}).Batch(ctxT(t), srv.Conn(), cmds, false)
	if err != nil || len(res) != 2 {
		t.Fatalf("Batch = %v, %v", res, err)
	}
	for i, r := range res {
		var pe *whm.PanelError
		if !errors.As(r.Err, &pe) {
			t.Fatalf("result %d: want *PanelError, got %v", i, r.Err)
		}
		for _, secret := range []string{linkToken, rootToken, "OTHER-SECRET-99", url.QueryEscape("OTHER SECRET/99")} {
			if strings.Contains(pe.Reason, secret) {
				t.Errorf("result %d leaks %q: %q", i, secret, pe.Reason)
			}
		}
		if !strings.Contains(pe.Reason, "[REDACTED]") {
			t.Errorf("result %d: nothing redacted in %q", i, pe.Reason)
		}
	}
}

func TestValidateHostname(t *testing.T) {
	tests := []struct {
		host string
		ok   bool
	}{
		{"whm.example.com", true},
		{"whm.example.com.", true},
		{"server-1", true},
		{"127.0.0.1", true},
		{"::1", true},
		{"[2001:db8::1]", true},
		{"", false},
		{"https://whm.example.com", false},
		{"whm.example.com/json-api", false},
		{"root@whm.example.com", false},
		{"whm.example.com:2087", false},
		{"whm example.com", false},
		{"-bad.example.com", false},
		{"whm.example.com?x=1", false},
		{"fe80::1%eth0", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			err := whm.ValidateHostname(tt.host)
			if (err == nil) != tt.ok {
				t.Errorf("ValidateHostname(%q) = %v, want ok=%v", tt.host, err, tt.ok)
			}
			if err != nil && links.ErrorCode(err) != links.EINVALID {
				t.Errorf("code = %s, want invalid", links.ErrorCode(err))
			}
		})
	}
}

func TestRequestsCarryTheDocumentedShape(t *testing.T) {
	var got *http.Request
	var body string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, body = r, string(b)
		_, _ = w.Write([]byte(`{"metadata":{"result":1,"reason":"OK","command":"batch"},"data":{"result":[{"metadata":{"result":1}},{"metadata":{"result":1}}]}}`))
	})
	srv := startHandler(t, h)
	c := whm.NewClient(whm.Options{AllowLoopback: true})
	_, err := c.Batch(ctxT(t), srv, []whm.Command{
		{Function: "create_integration_group", Args: url.Values{"user": {"alice"}, "label": {"Billing & Support"}}},
		{Function: "version"},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/json-api/batch" || got.URL.RawQuery != "api.version=1" {
		t.Errorf("request line = %s %s", got.Method, got.URL)
	}
	if a := got.Header.Get("Authorization"); a != "whm root:"+rootToken {
		t.Errorf("Authorization = %q", a)
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", ct)
	}
	want := "abort_on_error=0&api.version=1" +
		"&command=create_integration_group%3Fapi.version%3D1%26label%3DBilling%2B%2526%2BSupport%26user%3Dalice" +
		"&command=version%3Fapi.version%3D1"
	if body != want {
		t.Errorf("body =\n%s\nwant\n%s", body, want)
	}
}

func TestBatchAnswersThatDoNotFitAreRejected(t *testing.T) {
	tests := []struct {
		name string
		body string
		kind whm.ErrorKind
	}{
		{"more results than commands", `{"metadata":{"result":1},"data":{"result":[{"metadata":{"result":1}},{"metadata":{"result":1}}]}}`, whm.KindMalformed},
		{"a sub-result that is not an envelope", `{"metadata":{"result":1},"data":{"result":[{"foo":1}]}}`, whm.KindMalformed},
		{"no result list", `{"metadata":{"result":1},"data":{}}`, whm.KindMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: whmsim.Faults{CannedBody: tt.body}})
			_, err := whm.NewClient(whm.Options{AllowLoopback: true}).Batch(ctxT(t), srv.Conn(), []whm.Command{{Function: "version"}}, false)
			assertFailure(t, err, failureCase{kind: tt.kind})
		})
	}
}

// startHandler serves h on a loopback port and returns a ServerConn for it.
func startHandler(t *testing.T, h http.Handler) links.ServerConn {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	u, _ := url.Parse(ts.URL)
	port, _ := strconv.Atoi(u.Port())
	return links.ServerConn{Name: "handler", Hostname: u.Hostname(), Port: port, Username: "root", APIToken: rootToken}
}

func TestCloseIdleClosesTheServersConnections(t *testing.T) {
	closed := make(chan struct{}, 1)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"metadata":{"result":1,"command":"version"},"data":{"version":"11.110.0.1"}}`))
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed <- struct{}{}
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	u, _ := url.Parse(ts.URL)
	port, _ := strconv.Atoi(u.Port())
	srv := links.ServerConn{Name: "handler", Hostname: u.Hostname(), Port: port, Username: "root", APIToken: rootToken}
	c := whm.NewClient(whm.Options{AllowLoopback: true})
	if _, err := c.Version(ctxT(t), srv); err != nil {
		t.Fatal(err)
	}
	c.CloseIdle(srv)
	select {
	case <-closed:
	case <-ctxT(t).Done():
		t.Fatal("the idle connection stayed open")
	}
}
