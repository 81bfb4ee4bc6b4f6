package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/reliability/harness"
)

// ssoClient sends the click and the redemption as cPanel and a browser do;
// ip goes in X-Forwarded-For (the service trusts it in this test).
type ssoClient struct {
	base string
	hc   *http.Client
}

func (c *ssoClient) click(ctx context.Context, ip string, cr harness.ServiceCreds, token string) (int, string, error) {
	form := url.Values{"subscriber_unique_id": {cr.SubscriberUniqueID}, "token": {token}, "attempt": {"1"}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/sso/cpanel/token?destination=invoice_history", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var out struct {
		RedirectURL string `json:"redirect_url"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if out.RedirectURL == "" {
		return resp.StatusCode, "", nil
	}
	u, err := url.Parse(out.RedirectURL)
	if err != nil {
		return resp.StatusCode, "", err
	}
	return resp.StatusCode, u.Query().Get("access_token"), nil
}

// redeem reports whether the redemption started a session, and the reason
// code of a refusal.
func (c *ssoClient) redeem(ctx context.Context, ip, token string) (bool, string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/sso/redeem?access_token="+url.QueryEscape(token), nil)
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := c.hc.Do(req)
	if err != nil {
		return false, "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound {
		return false, fmt.Sprintf("HTTP %d", resp.StatusCode), nil
	}
	if strings.HasPrefix(loc, "/portal/login") || strings.Contains(loc, "/portal/login?") {
		u, _ := url.Parse(loc)
		if len(resp.Cookies()) > 0 {
			return false, "", fmt.Errorf("a refused redemption set a cookie (to %s)", loc)
		}
		return false, u.Query().Get("error"), nil
	}
	return len(resp.Cookies()) > 0, "", nil
}

// TestSSOAbuse checks the single sign-on defences against the real binary:
// a token redeemed twice, twenty browsers redeeming one token at once
// (exactly one wins, in every trial), an expired token, a forged one, and
// brute force of link credentials, staff and portal passwords and API
// credential secrets running into the rate limits. It also checks that fuzz
// tests of the public handlers exist.
func TestSSOAbuse(t *testing.T) {
	gate(t)
	ctx := context.Background()
	st := newStack(t, harness.SQLite, harness.FleetPlan{Servers: 1, AccountsPerServer: 20})
	svc := st.start(0, map[string]string{"APPLINKS_TRUST_PROXY": "true", "APPLINKS_SSO_TOKEN_TTL": "2s", "APPLINKS_LOGIN_PER_MINUTE": "10"})
	c := &ssoClient{base: svc.URL, hc: harness.NewClient(svc.URL).HTTP}
	var lines []string
	ipN := 0
	ip := func() string { ipN++; return fmt.Sprintf("10.9.%d.%d", ipN/250%250, ipN%250+1) }
	// Each click uses the next account: the per-credential click limit
	// (a burst of 10) is not what these checks are about.
	next := int64(2)
	mint := func() string {
		t.Helper()
		next++
		cr := st.fleet.Creds[next]
		code, tok, err := c.click(ctx, ip(), cr, cr.Token)
		if err != nil || code != http.StatusOK || tok == "" {
			t.Fatalf("click: HTTP %d, token %q, %v", code, tok, err)
		}
		return tok
	}

	// Replay.
	tok := mint()
	ok1, _, err := c.redeem(ctx, ip(), tok)
	if err != nil || !ok1 {
		t.Fatalf("first redemption: %v %v", ok1, err)
	}
	ok2, reason, err := c.redeem(ctx, ip(), tok)
	if err != nil || ok2 || reason != "used_token" {
		t.Errorf("replayed redemption: session %v, reason %q, %v; want refused with used_token", ok2, reason, err)
	}
	lines = append(lines, fmt.Sprintf("- Replay: the second redemption of a token is refused (reason `%s`), without a cookie.", reason))

	// Concurrent redemption.
	const trials, racers = 10, 20
	winners := map[int]int{}
	for trial := range trials {
		tok := mint()
		var wg sync.WaitGroup
		var mu sync.Mutex
		start := make(chan struct{})
		for range racers {
			addr := ip()
			wg.Go(func() {
				<-start
				ok, _, err := c.redeem(ctx, addr, tok)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					winners[trial]++
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		if winners[trial] != 1 {
			t.Errorf("trial %d: %d of %d concurrent redemptions of one token won, want exactly 1", trial+1, winners[trial], racers)
		}
	}
	exact := 0
	for trial := range trials {
		if winners[trial] == 1 {
			exact++
		}
	}
	lines = append(lines, fmt.Sprintf("- Concurrent redemption: %d trials of %d simultaneous redemptions of one token: exactly one won in %d of %d.", trials, racers, exact, trials))

	// Expiry (the token lives 2 s here).
	tok = mint()
	time.Sleep(2500 * time.Millisecond)
	ok, reason, err := c.redeem(ctx, ip(), tok)
	if err != nil || ok || reason != "expired_token" {
		t.Errorf("expired token: session %v, reason %q, %v; want refused with expired_token", ok, reason, err)
	}
	lines = append(lines, fmt.Sprintf("- Expired token (TTL 2 s, redeemed after 2.5 s): refused (reason `%s`).", reason))
	ok, reason, _ = c.redeem(ctx, ip(), strings.Repeat("A", 43))
	if ok || reason != "invalid_token" {
		t.Errorf("forged token: session %v, reason %q; want invalid_token", ok, reason)
	}
	lines = append(lines, fmt.Sprintf("- Forged token: refused (reason `%s`).", reason))

	// Brute force of link credentials: one subscriber id, wrong tokens.
	bf := st.fleet.Creds[2]
	accepted, limitedAt := 0, 0
	for i := 1; i <= 60 && limitedAt == 0; i++ {
		code, tok, err := c.click(ctx, "10.8.0.1", bf, fmt.Sprintf("wrong-%d-%s", i, strings.Repeat("x", 30)))
		if err != nil {
			t.Fatal(err)
		}
		if tok != "" {
			accepted++
		}
		if code == http.StatusTooManyRequests {
			limitedAt = i
		}
	}
	if accepted > 0 || limitedAt == 0 {
		t.Errorf("link credential brute force: %d wrong tokens accepted, rate limited at attempt %d (0: never)", accepted, limitedAt)
	}
	lines = append(lines, fmt.Sprintf("- Brute force of one account's link token: %d wrong tokens accepted; HTTP 429 from attempt %d.", accepted, limitedAt))

	// Brute force of passwords and API credential secrets from one address.
	brute := func(name, path, contentType string, body func(i int) string, basic func(i int) (string, string)) int {
		for i := 1; i <= 60; i++ {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, svc.URL+path, strings.NewReader(body(i)))
			req.Header.Set("Content-Type", contentType)
			req.Header.Set("X-Forwarded-For", "10.7.0.1")
			req.Header.Set("Origin", svc.URL)
			if basic != nil {
				req.SetBasicAuth(basic(i))
			}
			resp, err := c.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode < 300 {
				t.Errorf("%s: attempt %d succeeded with a wrong secret", name, i)
			}
			if resp.StatusCode == http.StatusTooManyRequests {
				if resp.Header.Get("Retry-After") == "" {
					t.Errorf("%s: 429 without Retry-After", name)
				}
				return i
			}
		}
		t.Errorf("%s: 60 wrong attempts from one address were never rate limited", name)
		return 0
	}
	n := brute("staff login", "/api/v1/auth/login", "application/json", func(i int) string {
		return fmt.Sprintf(`{"email":%q,"password":"wrong-%d"}`, harness.AdminEmail, i)
	}, nil)
	lines = append(lines, fmt.Sprintf("- Staff login, wrong passwords from one address (APPLINKS_LOGIN_PER_MINUTE=10): HTTP 429 from attempt %d.", n))
	n = brute("portal login", "/api/v1/portal/login", "application/json", func(i int) string {
		return fmt.Sprintf(`{"email":"owner000001@bench.example.test","password":"wrong-%d"}`, i)
	}, nil)
	lines = append(lines, fmt.Sprintf("- Portal login, wrong passwords from one address: HTTP 429 from attempt %d.", n))
	n = brute("trusted-application token", "/api/v1/sso/tokens", "application/json", func(int) string {
		return `{"client_id":1,"destination":"invoice_history"}`
	}, func(i int) (string, string) { return "ak_guess", fmt.Sprintf("secret-%d", i) })
	lines = append(lines, fmt.Sprintf("- Trusted-application token, wrong secrets from one address: HTTP 429 from attempt %d.", n))

	lines = append(lines, fuzzInventory(t)...)
	record("SSO abuse", append([]string{"SQLite, the real binary with APPLINKS_TRUST_PROXY=true (each simulated browser or panel gets its own X-Forwarded-For address; brute force comes from one address).", ""}, lines...)...)
}

// fuzzInventory checks that the public handlers have fuzz tests: the click
// and the redemption (written with the SSO endpoints), staff login, portal
// login and the trusted-application token endpoint.
func fuzzInventory(t *testing.T) []string {
	t.Helper()
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "api", "*", "*_test.go"))
	fuzz := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	var found []string
	bodies := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range fuzz.FindAllStringSubmatch(string(b), -1) {
			rel, _ := filepath.Rel(root, f)
			found = append(found, m[1]+" ("+rel+")")
			bodies[m[1]] = string(b)
		}
	}
	want := map[string]string{"/sso/cpanel/token": "the click", "/sso/redeem": "the redemption", "/api/v1/auth/login": "staff login",
		"/api/v1/portal/login": "portal login", "/api/v1/sso/tokens": "trusted-application tokens"}
	var missing []string
	for path, what := range want {
		covered := false
		for _, src := range bodies {
			if strings.Contains(src, `"`+path) {
				covered = true
			}
		}
		if !covered {
			missing = append(missing, what+" ("+path+")")
		}
	}
	if len(missing) > 0 {
		t.Errorf("public handlers without a fuzz test: %s", strings.Join(missing, ", "))
	}
	return []string{fmt.Sprintf("- Fuzz tests of the public handlers: %s; missing: %d. (`go test` runs their seed corpus; `go test -fuzz FuzzX ./api/rest/` explores.)", strings.Join(found, ", "), len(missing))}
}
