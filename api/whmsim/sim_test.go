package whmsim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applinks/applinks/api/whmsim"
)

// deadline bounds waits in tests: a generous limit, never an assertion.
const deadline = 20 * time.Second

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

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{
	Timeout:       deadline,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func newSim(t *testing.T, opts ...whmsim.Option) *whmsim.Sim {
	t.Helper()
	sim := whmsim.New(nil, opts...)
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

func start(t *testing.T, sim *whmsim.Sim, cfg whmsim.ServerConfig) *whmsim.Server {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = wireToken
	}
	if cfg.Accounts == nil {
		cfg.Accounts = []whmsim.Account{{User: "alice"}, {User: "bob"}}
	}
	srv, err := sim.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// apiCall posts a literal body and decodes the JSON answer (nil if not JSON).
func apiCall(ctx context.Context, srv *whmsim.Server, fn, body string) (int, map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/json-api/"+fn+"?api.version=1", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "whm root:"+srv.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	_ = json.Unmarshal(b, &v)
	return resp.StatusCode, v, nil
}

func result(v map[string]any) float64 {
	md, _ := v["metadata"].(map[string]any)
	r, _ := md["result"].(float64)
	return r
}

func TestStartRejectsBadConfigs(t *testing.T) {
	sim := newSim(t)
	start(t, sim, whmsim.ServerConfig{Name: "one"})
	tests := []struct {
		name string
		cfg  whmsim.ServerConfig
	}{
		{"a duplicate name", whmsim.ServerConfig{Name: "one", Token: "T"}},
		{"no token", whmsim.ServerConfig{Name: "two"}},
		{"a bad account name", whmsim.ServerConfig{Name: "three", Token: "T", Accounts: []whmsim.Account{{User: "Bad User"}}}},
		{"a duplicate account", whmsim.ServerConfig{Name: "four", Token: "T", Accounts: []whmsim.Account{{User: "a"}, {User: "a"}}}},
		{"an error rate above 1", whmsim.ServerConfig{Name: "five", Token: "T", Faults: whmsim.Faults{ErrorRate: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := sim.Start(tt.cfg); err == nil {
				t.Error("Start succeeded")
			}
		})
	}
	if n := len(sim.Servers()); n != 1 {
		t.Errorf("%d servers after failed starts", n)
	}
}

func TestFaultsShapeTheAnswers(t *testing.T) {
	tests := []struct {
		name       string
		faults     whmsim.Faults
		fn, body   string
		wantStatus int
		wantResult float64
		wantHTML   bool
	}{
		{"healthy", whmsim.Faults{}, "list_integration_links", "user=alice", 200, 1, false},
		{"error rate 1 refuses account calls", whmsim.Faults{ErrorRate: 1}, "list_integration_links", "user=alice", 200, 0, false},
		{"error rate spares discovery", whmsim.Faults{ErrorRate: 1}, "version", "", 200, 1, false},
		{"a refused account", whmsim.Faults{RefuseAccounts: []string{"alice"}}, "list_integration_links", "user=alice", 200, 0, false},
		{"other accounts stay served", whmsim.Faults{RefuseAccounts: []string{"alice"}}, "list_integration_links", "user=bob", 200, 1, false},
		{"HTTP 500", whmsim.Faults{HTTP500Rate: 1}, "version", "", 500, 0, true},
		{"an HTML page", whmsim.Faults{HTMLRate: 1}, "version", "", 200, 0, true},
		{"a canned answer", whmsim.Faults{CannedStatus: 401, CannedBody: `{"statusmsg":"Permission Denied"}`}, "version", "", 401, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, newSim(t), whmsim.ServerConfig{Faults: tt.faults})
			req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/json-api/"+tt.fn+"?api.version=1", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "whm root:"+srv.Token())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if isHTML := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"); isHTML != tt.wantHTML {
				t.Errorf("Content-Type = %s", resp.Header.Get("Content-Type"))
			}
			if !tt.wantHTML {
				var v map[string]any
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatalf("not JSON: %s", b)
				}
				if result(v) != tt.wantResult {
					t.Errorf("result = %v, want %v: %s", result(v), tt.wantResult, b)
				}
			}
		})
	}
}

func TestErrorRateIsAFractionAndSeeded(t *testing.T) {
	failures := func(seed uint64) int64 {
		srv := start(t, newSim(t, whmsim.WithSeed(seed)), whmsim.ServerConfig{Faults: whmsim.Faults{ErrorRate: 0.5}})
		for range 200 {
			if _, _, err := apiCall(context.Background(), srv, "list_integration_links", "user=alice"); err != nil {
				t.Fatal(err)
			}
		}
		return srv.Stats().Failures
	}
	a, b := failures(7), failures(7)
	if a != b {
		t.Errorf("same seed, different outcomes: %d and %d failures", a, b)
	}
	if a < 40 || a > 160 {
		t.Errorf("%d of 200 calls failed at rate 0.5", a)
	}
}

func TestHangingRequestsAreCountedInFlight(t *testing.T) {
	srv := start(t, newSim(t), whmsim.ServerConfig{Faults: whmsim.Faults{TimeoutRate: 1}})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _ = apiCall(ctx, srv, "version", "")
		}()
	}
	waitFor(t, func() bool { return srv.Stats().InFlight == 5 })
	cancel()
	wg.Wait()
	waitFor(t, func() bool { return srv.Stats().InFlight == 0 })
	st := srv.Stats()
	if st.MaxInFlight != 5 || st.Requests != 5 || st.Injected["timeout"] != 5 {
		t.Errorf("stats = %+v", st)
	}
	srv.ResetStats()
	if st := srv.Stats(); st.MaxInFlight != 0 || st.Requests != 0 || len(st.Calls) != 0 {
		t.Errorf("after reset: %+v", st)
	}
}

func TestCloseReleasesHangingRequests(t *testing.T) {
	sim := whmsim.New(nil)
	srv := start(t, sim, whmsim.ServerConfig{Faults: whmsim.Faults{TimeoutRate: 1}})
	errc := make(chan error, 1)
	go func() {
		_, _, err := apiCall(context.Background(), srv, "version", "")
		errc <- err
	}()
	waitFor(t, func() bool { return srv.Stats().InFlight == 1 })
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Error("the hanging request got an answer after Close")
	}
	if _, _, err := apiCall(context.Background(), srv, "version", ""); err == nil {
		t.Error("a stopped server still answers")
	}
	if _, err := sim.Start(whmsim.ServerConfig{Token: "T"}); err == nil {
		t.Error("Start after Close succeeded")
	}
}

func TestControlEndpoints(t *testing.T) {
	sim := newSim(t)
	srv := start(t, sim, whmsim.ServerConfig{Name: "cp1"})
	start(t, sim, whmsim.ServerConfig{Name: "wp1", Profile: whmsim.ProfileWPSquared})
	ctl := httptest.NewServer(sim.ControlHandler())
	t.Cleanup(ctl.Close)

	if _, v, _ := apiCall(context.Background(), srv, "create_integration_group", "user=alice&group_id=billing&label=Billing&order=2"); result(v) != 1 {
		t.Fatalf("create group: %v", v)
	}
	if _, v, _ := apiCall(context.Background(), srv, "create_integration_link",
		"user=alice&app=billing_x&label=X&group_id=billing&subscriber_unique_id=s&token=SECRETTOKEN&url=https%3A%2F%2Fb.example%2F"); result(v) != 1 {
		t.Fatalf("create link: %v", v)
	}

	var servers []whmsim.ServerInfo
	getJSON(t, ctl.URL+"/__sim/servers", &servers)
	if len(servers) != 2 || servers[0].Name != "cp1" || servers[0].URL != srv.URL() || servers[1].Module != "wpsquared" ||
		servers[1].Version != whmsim.DefaultWPSquaredVersion || servers[0].Stats.Calls["create_integration_link"] != 1 {
		t.Errorf("servers = %+v", servers)
	}

	body := getBody(t, ctl.URL+"/__sim/servers/cp1/accounts")
	if strings.Contains(body, "SECRETTOKEN") || strings.Contains(body, `"token"`) {
		t.Errorf("the accounts answer shows a token: %s", body)
	}
	var state []whmsim.AccountState
	if err := json.Unmarshal([]byte(body), &state); err != nil {
		t.Fatal(err)
	}
	if len(state) != 2 || len(state[0].Links) != 1 || state[0].Links[0].App != "billing_x" || state[0].Groups[0].Order != 2 {
		t.Errorf("state = %+v", state)
	}

	// A link deleted as someone in the panel would (drift for verify); a
	// second delete, like an unknown account or server, is a 404.
	del := func(path string, want int) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodDelete, ctl.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("DELETE %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	del("/__sim/servers/cp1/accounts/alice/links/billing_x", http.StatusOK)
	if st := srv.State(); len(st[0].Links) != 0 {
		t.Errorf("alice still has %+v", st[0].Links)
	}
	del("/__sim/servers/cp1/accounts/alice/links/billing_x", http.StatusNotFound)
	del("/__sim/servers/cp1/accounts/nobody/links/billing_x", http.StatusNotFound)
	del("/__sim/servers/nope/accounts/alice/links/billing_x", http.StatusNotFound)

	// Faults merge: latency stays when only the error rate is posted.
	post(t, ctl.URL+"/__sim/servers/cp1/faults", `{"latency":"5ms"}`, http.StatusOK)
	post(t, ctl.URL+"/__sim/servers/cp1/faults", `{"error_rate":0.25,"refuse_accounts":["bob"]}`, http.StatusOK)
	if f := srv.Faults(); f.Latency != 5*time.Millisecond || f.ErrorRate != 0.25 || len(f.RefuseAccounts) != 1 {
		t.Errorf("faults = %+v", f)
	}
	post(t, ctl.URL+"/__sim/servers/cp1/faults", `{"error_rate":3}`, http.StatusBadRequest)
	post(t, ctl.URL+"/__sim/servers/cp1/faults", `{"bogus":1}`, http.StatusBadRequest)
	post(t, ctl.URL+"/__sim/servers/nope/faults", `{}`, http.StatusNotFound)
	req, _ := http.NewRequest(http.MethodDelete, ctl.URL+"/__sim/servers/cp1/faults", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("DELETE faults: %v", err)
	}
	if f := srv.Faults(); f.Latency != 0 || f.ErrorRate != 0 || len(f.RefuseAccounts) != 0 {
		t.Errorf("faults after DELETE = %+v", f)
	}

	post(t, ctl.URL+"/__sim/servers/cp1/accounts", `{"user":"dave","owner":"root"}`, http.StatusCreated)
	if n := len(srv.Accounts()); n != 3 {
		t.Errorf("%d accounts after adding dave", n)
	}
	post(t, ctl.URL+"/__sim/servers/cp1/reset-stats", ``, http.StatusOK)
	if st := srv.Stats(); st.Requests != 0 {
		t.Errorf("stats after reset-stats = %+v", st)
	}

	index := getBody(t, ctl.URL+"/__sim/")
	for _, want := range []string{"cp1", "wp1", "/__sim/servers/cp1/accounts/alice", "dave"} {
		if !strings.Contains(index, want) {
			t.Errorf("the index lacks %q", want)
		}
	}
}

func TestAccountPageShowsGroupsAndLinksInCPanelOrder(t *testing.T) {
	sim := newSim(t)
	srv := start(t, sim, whmsim.ServerConfig{Name: "cp1"})
	calls := []struct{ fn, body string }{
		{"create_integration_group", "user=alice&group_id=zeta&label=Zeta+Group&order=1"},
		{"create_integration_group", "user=alice&group_id=alpha&label=Alpha+Group&order=5"},
		{"create_integration_link", "user=alice&app=l_second&label=Second+%3Cb%3E&order=2&group_id=zeta&subscriber_unique_id=s&token=t&url=https%3A%2F%2Fb.example%2F"},
		{"create_integration_link", "user=alice&app=l_first&label=First&order=1&group_id=zeta&implements=billing&subscriber_unique_id=s&token=t&url=https%3A%2F%2Fb.example%2F"},
		{"create_integration_link", "user=alice&app=l_alpha&label=In+Alpha&order=1&group_id=alpha&subscriber_unique_id=s&token=t&url=https%3A%2F%2Fb.example%2F"},
		{"create_integration_link", "user=alice&app=l_hidden&label=Hidden&hide=1&group_id=alpha&subscriber_unique_id=s&token=t&url=https%3A%2F%2Fb.example%2F"},
	}
	for _, c := range calls {
		if _, v, _ := apiCall(context.Background(), srv, c.fn, c.body); result(v) != 1 {
			t.Fatalf("%s: %v", c.fn, v)
		}
	}
	ctl := httptest.NewServer(sim.ControlHandler())
	t.Cleanup(ctl.Close)
	page := getBody(t, ctl.URL+"/__sim/servers/cp1/accounts/alice")
	order := []string{"User menu", "Zeta Group", "First", "Second &lt;b&gt;", "Alpha Group", "In Alpha"}
	last := -1
	for _, s := range order {
		i := strings.Index(page[last+1:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in\n%s", s, page)
		}
		last += 1 + i
	}
	if strings.Contains(page, "Hidden") {
		t.Error("a hidden link is shown")
	}
	if !strings.Contains(page, "/__sim/click?server=cp1&amp;app=l_first&amp;user=alice") {
		t.Errorf("no click link in\n%s", page)
	}
	resp, err := http.Get(ctl.URL + "/__sim/servers/cp1/accounts/ghost")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown account page: %d", resp.StatusCode)
	}
}

// autologin is a fake billing endpoint that records the click's calls.
type autologin struct {
	mu      sync.Mutex
	forms   []url.Values
	queries []url.Values
	types   []string
	auths   []string
	answer  func(attempt int) (int, string)
	calls   atomic.Int32
}

func (a *autologin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(a.calls.Add(1))
	a.mu.Lock()
	a.types = append(a.types, r.Header.Get("Content-Type"))
	a.auths = append(a.auths, r.Header.Get("Authorization"))
	a.queries = append(a.queries, r.URL.Query())
	_ = r.ParseForm()
	a.forms = append(a.forms, r.PostForm)
	a.mu.Unlock()
	status, body := a.answer(n)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func TestClickFollowsTheAutologinProtocol(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(attempt int) (int, string)
		wantTo    string
		wantCalls int
	}{
		{"a redirect_url sends the browser there",
			func(int) (int, string) {
				return 200, `{"redirect_url":"https://bill.example/sso/redeem?access_token=abc"}`
			},
			"https://bill.example/sso/redeem?access_token=abc", 1},
		{"retry then redirect",
			func(n int) (int, string) {
				if n < 3 {
					return 200, `{"retry":5,"attempt":1}`
				}
				return 200, `{"redirect_url":"https://bill.example/ok"}`
			},
			"https://bill.example/ok", 3},
		{"three retries fall back to the url",
			func(int) (int, string) { return 200, `{"retry":120,"attempt":1}` },
			"https://bill.example/login?next=invoices", 3},
		{"a 4xx falls back to the url",
			func(int) (int, string) { return 403, `{"redirect_url":"https://bill.example/no"}` },
			"https://bill.example/login?next=invoices", 1},
		{"a non-JSON answer falls back to the url",
			func(int) (int, string) { return 200, `<html>oops</html>` },
			"https://bill.example/login?next=invoices", 1},
		{"an answer without redirect_url falls back to the url",
			func(int) (int, string) { return 200, `{"ok":true}` },
			"https://bill.example/login?next=invoices", 1},
		{"a javascript: redirect_url falls back to the url",
			func(int) (int, string) { return 200, `{"redirect_url":"javascript:alert(1)"}` },
			"https://bill.example/login?next=invoices", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			billing := &autologin{answer: tt.answer}
			bs := httptest.NewServer(billing)
			t.Cleanup(bs.Close)
			sim := newSim(t, whmsim.WithRetryScale(0))
			srv := start(t, sim, whmsim.ServerConfig{Name: "cp1"})
			body := url.Values{
				"user": {"alice"}, "app": {"billing_invoices"}, "label": {"View Invoices"}, "order": {"14"},
				"group_id": {"billing"}, "implements": {"billing"}, "subscriber_unique_id": {"sub-1"}, "token": {"S3CRET"},
				"autologin_token_url": {bs.URL + "/sso/cpanel/token?destination=invoices"},
				"url":                 {"https://bill.example/login?next=invoices"},
			}
			if _, v, _ := apiCall(context.Background(), srv, "create_integration_link", body.Encode()); result(v) != 1 {
				t.Fatalf("create link: %v", v)
			}
			ctl := httptest.NewServer(sim.ControlHandler())
			t.Cleanup(ctl.Close)

			resp, err := noRedirect.Get(ctl.URL + "/__sim/click?server=cp1&user=alice&app=billing_invoices")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != tt.wantTo {
				t.Errorf("click = %d to %q, want 302 to %q", resp.StatusCode, resp.Header.Get("Location"), tt.wantTo)
			}
			if got := int(billing.calls.Load()); got != tt.wantCalls {
				t.Errorf("%d autologin calls, want %d", got, tt.wantCalls)
			}
			billing.mu.Lock()
			defer billing.mu.Unlock()
			for i, f := range billing.forms {
				want := url.Values{
					"subscriber_unique_id": {"sub-1"}, "token": {"S3CRET"}, "attempt": {string(rune('1' + i))},
					"url": {"https://bill.example/login?next=invoices"}, "label": {"View Invoices"},
					"implements": {"billing"}, "group_id": {"billing"}, "order": {"14"},
				}
				if f.Encode() != want.Encode() {
					t.Errorf("call %d form = %v\nwant %v", i+1, f, want)
				}
				if billing.queries[i].Get("destination") != "invoices" {
					t.Errorf("call %d lost the registered query string: %v", i+1, billing.queries[i])
				}
				if billing.types[i] != "application/x-www-form-urlencoded" || billing.auths[i] != "" {
					t.Errorf("call %d: Content-Type %q, Authorization %q", i+1, billing.types[i], billing.auths[i])
				}
			}
		})
	}
}

func TestClickOnTheServerPortAndSessionLogin(t *testing.T) {
	sim := newSim(t)
	srv := start(t, sim, whmsim.ServerConfig{Name: "cp1"})
	if _, v, _ := apiCall(context.Background(), srv, "create_integration_link",
		"user=alice&app=billing_x&label=Plain&subscriber_unique_id=s&token=t&url=https%3A%2F%2Fb.example%2Fplain"); result(v) != 1 {
		t.Fatalf("create link: %v", v)
	}
	// A link without autologin_token_url sends the browser straight to url.
	resp, err := noRedirect.Get(srv.URL() + "/__sim/click?user=alice&app=billing_x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://b.example/plain" {
		t.Errorf("click = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, v, _ := apiCall(context.Background(), srv, "create_user_session", "user=alice&service=cpaneld")
	data, _ := v["data"].(map[string]any)
	loginURL, _ := data["url"].(string)
	page := getBody(t, loginURL)
	if !strings.Contains(page, "Plain") || !strings.Contains(page, "/__sim/click?app=billing_x&amp;user=alice") {
		t.Errorf("session page:\n%s", page)
	}
	resp, err = http.Get(loginURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a second use of the session answered %d", resp.StatusCode)
	}
}

func getBody(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(getBody(t, u)), v); err != nil {
		t.Fatal(err)
	}
}

func post(t *testing.T, u, body string, want int) {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Errorf("POST %s %s: %d %s, want %d", u, body, resp.StatusCode, b, want)
	}
}

// Latency is the time to the answer, the server's work included: the work
// is done on arrival, so a client that gives up before the answer finds the
// change made (as with a real server that answers too late), and the answer
// never comes before the latency.
func TestLatencyIsTheTimeToTheAnswer(t *testing.T) {
	const latency = 150 * time.Millisecond
	srv := start(t, newSim(t), whmsim.ServerConfig{Faults: whmsim.Faults{Latency: latency}})
	link := "user=alice&app=billing&label=Billing&subscriber_unique_id=sub-1&token=T&url=https%3A%2F%2Fbilling.example%2F"
	began := time.Now()
	status, v, err := apiCall(context.Background(), srv, "create_integration_link", link)
	if err != nil || status != http.StatusOK || result(v) != 1 {
		t.Fatalf("create_integration_link: %d %v %v", status, v, err)
	}
	if took := time.Since(began); took < latency {
		t.Errorf("answered after %s, before the latency of %s", took, latency)
	}

	ctx, cancel := context.WithTimeout(context.Background(), latency/3)
	defer cancel()
	if _, _, err := apiCall(ctx, srv, "create_integration_link", strings.Replace(link, "app=billing", "app=support", 1)); err == nil {
		t.Fatal("an answer came before the latency")
	}
	var apps []string
	for _, a := range srv.State() {
		if a.User == "alice" {
			for _, l := range a.Links {
				apps = append(apps, l.App)
			}
		}
	}
	if strings.Join(apps, ",") != "billing,support" {
		t.Errorf("alice's links = %v, want billing and support (the second made though its answer was not awaited)", apps)
	}
	waitFor(t, func() bool { return srv.Stats().InFlight == 0 })
}

// TestStatsKeepTheAnswerTimes: each API request's answer time (latency plus
// its jitter) is kept in the order of the draws until the stats are reset; the
// latency-bound bench computes its lower bound from them.
func TestStatsKeepTheAnswerTimes(t *testing.T) {
	srv := start(t, newSim(t), whmsim.ServerConfig{Faults: whmsim.Faults{Latency: 20 * time.Millisecond, Jitter: 10 * time.Millisecond}})
	for range 3 {
		began := time.Now()
		if _, _, err := apiCall(context.Background(), srv, "version", ""); err != nil {
			t.Fatal(err)
		}
		took := time.Since(began)
		got := srv.Stats().AnswerTimes
		if len(got) == 0 {
			t.Fatal("no answer time kept")
		}
		last := got[len(got)-1]
		if last < 20*time.Millisecond || last > 30*time.Millisecond || took < last {
			t.Errorf("answer time %s (the call took %s), want 20 to 30 ms and no more than the call", last, took)
		}
	}
	if n := len(srv.Stats().AnswerTimes); n != 3 {
		t.Errorf("%d answer times for 3 requests", n)
	}
	srv.ResetStats()
	if n := len(srv.Stats().AnswerTimes); n != 0 {
		t.Errorf("%d answer times after a reset", n)
	}
}
