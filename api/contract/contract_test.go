package contract

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/apiclient"
	"github.com/applinks/applinks/api/apiclient/example"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/whmsim"
)

func p[T any](v T) *T { return &v }

// TestContract drives the product through the generated client: staff
// login, a server, a client with its owner, services, enable, status until
// active (and 304 with its ETag), log and operations, a link configuration,
// disable, and a trusted-application SSO token; the simulator shows the
// links arrive and leave. Every request and answer is validated against the
// committed spec.
func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin, err := harness.BuildBinary(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := harness.NewScratchDB(ctx, harness.SQLite, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Drop()
	sim := whmsim.New(nil, whmsim.WithSeed(1))
	defer sim.Close()
	cp, err := sim.Start(whmsim.ServerConfig{Name: "cp1", Token: "CONTRACT-TOKEN", Accounts: []whmsim.Account{
		{User: "alice", Domain: "alice.example"}, {User: "bob", Domain: "bob.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := harness.StartService(ctx, harness.ServiceConfig{Bin: bin, DB: db, SecretKey: harness.NewSecretKey(), LogPath: filepath.Join(dir, "service.log")})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Kill()
	_, router, err := spec(filepath.Join("..", "..", "docs", "openapi3.json"), svc.URL)
	if err != nil {
		t.Fatal(err)
	}

	doer := &validatingDoer{next: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, router: router}
	var token string
	auth := func(_ context.Context, req *http.Request) error {
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}
	api, err := apiclient.NewClientWithResponses(svc.URL, apiclient.WithHTTPClient(doer), apiclient.WithRequestEditorFn(auth))
	if err != nil {
		t.Fatal(err)
	}
	want := func(step string, got, status int, body []byte) {
		t.Helper()
		if got != status {
			t.Fatalf("%s: HTTP %d, want %d: %s", step, got, status, body)
		}
	}

	h, err := api.GetHealthzWithResponse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want("healthz", h.StatusCode(), http.StatusOK, h.Body)

	login, err := api.PostApiV1AuthLoginWithResponse(ctx, apiclient.RestLoginRequest{Email: harness.AdminEmail, Password: harness.AdminPassword})
	if err != nil {
		t.Fatal(err)
	}
	want("login", login.StatusCode(), http.StatusOK, login.Body)
	token = login.JSON200.Token
	me, err := api.GetApiV1AuthMeWithResponse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want("me", me.StatusCode(), http.StatusOK, me.Body)

	srv, err := api.PostApiV1ServersWithResponse(ctx, apiclient.RestServerInput{
		Module: apiclient.RestServerInputModule("cpanel"), Name: "cp1", Hostname: "127.0.0.1", Port: p(cp.Port()),
		Secure: p(false), VerifyTls: p(false), Username: p("root"), ApiToken: cp.Token(), Active: p(true)})
	if err != nil {
		t.Fatal(err)
	}
	want("create server", srv.StatusCode(), http.StatusCreated, srv.Body)
	serverID := srv.JSON201.Id
	test, err := api.PostApiV1ServersIdTestWithResponse(ctx, serverID)
	if err != nil {
		t.Fatal(err)
	}
	want("test server", test.StatusCode(), http.StatusOK, test.Body)
	servers, err := api.GetApiV1ServersWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want("list servers", servers.StatusCode(), http.StatusOK, servers.Body)

	cl, err := api.PostApiV1ClientsWithResponse(ctx, apiclient.RestClientInput{Name: "Acme Ltd", Email: "billing@acme.test",
		AllowSso: p(true), Owner: &apiclient.RestOwnerInput{Email: "jane@acme.test", Name: "Jane Doe", Password: "correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	want("create client", cl.StatusCode(), http.StatusCreated, cl.Body)
	clientID := cl.JSON201.Id
	if g, err := api.GetApiV1ClientsIdWithResponse(ctx, clientID); err != nil {
		t.Fatal(err)
	} else {
		want("get client", g.StatusCode(), http.StatusOK, g.Body)
	}
	for _, u := range []string{"alice", "bob"} {
		s, err := api.PostApiV1ServicesWithResponse(ctx, apiclient.RestServiceInput{ClientId: clientID, ServerId: serverID,
			Username: p(u), Domain: p(u + ".example"), Status: p(apiclient.RestServiceInputStatus("Active"))})
		if err != nil {
			t.Fatal(err)
		}
		want("create service "+u, s.StatusCode(), http.StatusCreated, s.Body)
	}
	if l, err := api.GetApiV1ServicesWithResponse(ctx, nil); err != nil {
		t.Fatal(err)
	} else {
		want("list services", l.StatusCode(), http.StatusOK, l.Body)
	}

	ls, err := api.GetApiV1ApplicationsModuleLinksWithResponse(ctx, "cpanel")
	if err != nil {
		t.Fatal(err)
	}
	want("links", ls.StatusCode(), http.StatusOK, ls.Body)
	catalogue := *ls.JSON200

	en, err := api.PostApiV1ApplicationsModuleEnableWithResponse(ctx, "cpanel")
	if err != nil {
		t.Fatal(err)
	}
	want("enable", en.StatusCode(), http.StatusAccepted, en.Body)
	waitState(ctx, t, api, "active")
	if n := len(cp.Links("alice")); n != len(catalogue) {
		t.Fatalf("alice has %d links after enable, want %d", n, len(catalogue))
	}

	logs, err := api.GetApiV1ApplicationsModuleLogWithResponse(ctx, "cpanel", nil)
	if err != nil {
		t.Fatal(err)
	}
	want("log", logs.StatusCode(), http.StatusOK, logs.Body)
	if len(logs.JSON200.Items) == 0 {
		t.Fatal("the log of the activation is empty")
	}
	ops, err := api.GetApiV1OperationsWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want("operations", ops.StatusCode(), http.StatusOK, ops.Body)
	op, err := api.GetApiV1OperationsIdWithResponse(ctx, en.JSON202.Id)
	if err != nil {
		t.Fatal(err)
	}
	want("operation", op.StatusCode(), http.StatusOK, op.Body)

	// Configure: switch one link off and relabel another.
	var in []apiclient.RestLinkInput
	for i, l := range catalogue {
		li := apiclient.RestLinkInput{Key: l.Key, Label: l.Label, Enabled: p(l.Enabled), Order: p(l.Order)}
		if i == 0 {
			li.Enabled = p(false)
		}
		if i == 1 {
			li.Label = "Contract label"
		}
		in = append(in, li)
	}
	put, err := api.PutApiV1ApplicationsModuleLinksWithResponse(ctx, "cpanel", in)
	if err != nil {
		t.Fatal(err)
	}
	want("configure", put.StatusCode(), http.StatusAccepted, put.Body)
	waitState(ctx, t, api, "active")
	got := cp.Links("alice")
	if len(got) != len(catalogue)-1 || !slices.ContainsFunc(got, func(l whmsim.Link) bool { return l.Label == "Contract label" }) {
		t.Fatalf("alice's links after configure: %d, want %d with the new label", len(got), len(catalogue)-1)
	}

	dis, err := api.PostApiV1ApplicationsModuleDisableWithResponse(ctx, "cpanel")
	if err != nil {
		t.Fatal(err)
	}
	want("disable", dis.StatusCode(), http.StatusAccepted, dis.Body)
	waitState(ctx, t, api, "disabled")
	if n := len(cp.Links("bob")); n != 0 {
		t.Fatalf("bob has %d links after disable", n)
	}

	ssoStep(ctx, t, api, clientID)
	billingSyncStep(ctx, t, api, serverID)

	for _, pr := range doer.problems {
		t.Error("drift: " + pr)
	}
	t.Logf("%d requests over %d documented routes validated", doer.calls, len(doer.routes))
}

// waitState polls the status (with If-None-Match, expecting 304s) until
// the application reaches state.
func waitState(ctx context.Context, t *testing.T, api *apiclient.ClientWithResponses, state string) {
	t.Helper()
	etag := ""
	saw304 := false
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var params *apiclient.GetApiV1ApplicationsModuleStatusParams
		if etag != "" {
			params = &apiclient.GetApiV1ApplicationsModuleStatusParams{IfNoneMatch: p(etag)}
		}
		st, err := api.GetApiV1ApplicationsModuleStatusWithResponse(ctx, "cpanel", params)
		if err != nil {
			t.Fatal(err)
		}
		switch st.StatusCode() {
		case http.StatusNotModified:
			saw304 = true
			continue
		case http.StatusOK:
		default:
			t.Fatalf("status: HTTP %d: %s", st.StatusCode(), st.Body)
		}
		etag = st.HTTPResponse.Header.Get("ETag")
		if string(st.JSON200.State) == state {
			if etag == "" {
				t.Error("the status answer has no ETag")
			} else if !saw304 {
				// One more poll with the ETag must be a 304.
				again, err := api.GetApiV1ApplicationsModuleStatusWithResponse(ctx, "cpanel", &apiclient.GetApiV1ApplicationsModuleStatusParams{IfNoneMatch: p(etag)})
				if err != nil {
					t.Fatal(err)
				}
				if again.StatusCode() != http.StatusNotModified {
					t.Errorf("status with If-None-Match of the current ETag: HTTP %d, want 304", again.StatusCode())
				}
			}
			return
		}
	}
	t.Fatalf("the application never reached %s", state)
}

// ssoStep creates an API credential and mints a trusted-application SSO
// token with it (HTTP Basic with the credential, not the staff token).
func ssoStep(ctx context.Context, t *testing.T, api *apiclient.ClientWithResponses, clientID int) {
	t.Helper()
	cred, err := api.PostApiV1ApiCredentialsWithResponse(ctx, apiclient.RestCredentialInput{Name: "contract"})
	if err != nil {
		t.Fatal(err)
	}
	if cred.StatusCode() != http.StatusCreated || cred.JSON201 == nil || cred.JSON201.Identifier == "" || cred.JSON201.Secret == "" {
		t.Fatalf("create API credential: HTTP %d: %s", cred.StatusCode(), cred.Body)
	}
	basic := func(_ context.Context, req *http.Request) error {
		req.Header.Del("Authorization")
		req.SetBasicAuth(cred.JSON201.Identifier, cred.JSON201.Secret)
		return nil
	}
	tok, err := api.PostApiV1SsoTokensWithResponse(ctx, apiclient.RestSSOTokenRequest{ClientId: clientID,
		Destination: "invoice_history"}, basic)
	if err != nil {
		t.Fatal(err)
	}
	if tok.StatusCode() != http.StatusCreated || tok.JSON201 == nil ||
		!strings.Contains(tok.JSON201.RedirectUrl, "/sso/redeem?access_token=") {
		t.Fatalf("trusted-application SSO token: HTTP %d: %s", tok.StatusCode(), tok.Body)
	}
}

// billingSyncStep runs docs/billing-sync.md's nightly sync twice: the second
// run changes nothing, and the account of an unknown customer is refused
// with its field while the others are written.
func billingSyncStep(ctx context.Context, t *testing.T, api *apiclient.ClientWithResponses, serverID int) {
	t.Helper()
	customers := []example.Customer{
		{ID: "cust-1", Name: "Beta Ltd", Email: "billing@beta.test", OwnerEmail: "ben@beta.test", OwnerName: "Ben"},
		{ID: "cust-2", Name: "Gamma Ltd", Email: "billing@gamma.test", OwnerEmail: "gus@gamma.test", OwnerName: "Gus"},
	}
	accounts := []example.Account{
		{ID: "svc-1", CustomerID: "cust-1", ServerID: serverID, Username: "beta", Domain: "beta.test", Status: "Active"},
		{ID: "svc-2", CustomerID: "cust-2", ServerID: serverID, Username: "gamma", Domain: "gamma.test", Status: "Suspended"},
		{ID: "svc-3", CustomerID: "cust-9", ServerID: serverID, Username: "delta", Domain: "delta.test", Status: "Active"},
	}
	r, err := example.Sync(ctx, api, customers, accounts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Created != 4 || r.Unchanged != 0 || len(r.Refused) != 1 || !strings.HasPrefix(r.Refused["svc-3"], "items[2].client_external_id: ") {
		t.Fatalf("first sync = %+v", r)
	}
	if r, err = example.Sync(ctx, api, customers, accounts); err != nil || r.Unchanged != 4 || r.Created+r.Updated != 0 {
		t.Fatalf("second sync = %+v, %v", r, err)
	}
}
