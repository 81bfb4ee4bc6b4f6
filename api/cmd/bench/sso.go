package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/applinks/applinks/api/reliability/harness"
)

// SSO load shape: closed-loop workers, phase length and request bounds.
const (
	ssoWorkers  = 16
	ssoPhase    = 10 * time.Second
	ssoMaxReqs  = 200000
	ssoAccounts = 10000
	// ssoPacedWorkers send the paced phases.
	ssoPacedWorkers = 64
)

// SSOResult is the SSO benchmark on one database.
type SSOResult struct {
	Database string `json:"database"`
	Accounts int    `json:"accounts"`
	// Baseline names the endpoint compared with.
	Baseline string `json:"baseline"`
	// Phases in run order: closed loops, then paced at half each peak.
	Phases []harness.LoadResult `json:"phases"`
}

// sso measures the click and the redemption next to baseline endpoints in
// the same run: closed loops for the peak rates, then paced phases at half
// of each peak for the latency target.
func (b *bench) sso(ctx context.Context, dialect string) error {
	// The click comes from cPanel servers and the redemption from browsers:
	// many addresses in production, one here. The per-IP and per-credential
	// rate limits would measure the limiter, not the endpoints, so requests
	// carry X-Forwarded-For (APPLINKS_TRUST_PROXY) with 250 panel addresses
	// for clicks and one browser address per ten redemptions, and each phase
	// clicks its own half of the accounts round robin. The limiter still runs.
	e, err := b.setup(ctx, dialect, harness.FleetPlan{Servers: 1, AccountsPerServer: b.scaled(ssoAccounts)},
		map[string]string{"APPLINKS_TRUST_PROXY": "true"})
	if err != nil {
		return err
	}
	defer e.close()
	creds := make([]harness.ServiceCreds, 0, len(e.fleet.Creds))
	for _, c := range e.fleet.Creds {
		creds = append(creds, c)
	}
	slices.SortFunc(creds, func(a, b harness.ServiceCreds) int { return int(a.ServiceID - b.ServiceID) })
	res := SSOResult{Database: dialect, Accounts: len(creds), Baseline: "GET /api/v1/clients/{id}"}
	hc := harness.NewClient(e.svc.URL).HTTP
	dests := []string{"profile", "open_ticket", "invoice_history", "billing_info", "upgrade"}

	var tokMu sync.Mutex
	var tokens []string
	half := max(1, len(creds)/2)
	phaseCreds := creds[:half]
	click := func(ctx context.Context, i int) error {
		c := phaseCreds[i%len(phaseCreds)]
		tok, err := ssoClick(ctx, hc, e.svc.URL, dests[i%len(dests)], fmt.Sprintf("10.1.0.%d", i%250+1), c)
		if err == nil {
			tokMu.Lock()
			tokens = append(tokens, tok)
			tokMu.Unlock()
		}
		return err
	}
	redeemFrom := func(toks []string) harness.Op {
		return func(ctx context.Context, i int) error {
			return ssoRedeem(ctx, hc, e.svc.URL, fmt.Sprintf("10.2.%d.%d", (i/10)/250%250, (i/10)%250+1), toks[i])
		}
	}
	baseline := func(ctx context.Context, i int) error {
		c := creds[i%len(creds)]
		return e.api.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/clients/%d", c.ClientID), nil, nil)
	}
	ready := func(ctx context.Context, i int) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.svc.URL+"/readyz", nil)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_, _ = drain(resp)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz: HTTP %d", resp.StatusCode)
		}
		return nil
	}
	add := func(r harness.LoadResult) harness.LoadResult {
		b.logf("   %-34s %6d req %5d err %8.0f/s  p50 %6.2f  p99 %6.2f  p99.9 %6.2f ms", r.Name, r.Requests, r.Errors, r.Throughput, r.P50, r.P99, r.P999)
		if r.FirstError != "" {
			b.logf("      first error: %s", r.FirstError)
		}
		res.Phases = append(res.Phases, r)
		return r
	}

	// Closed loops: the peaks.
	pc := add(harness.Closed(ctx, "click (closed)", ssoWorkers, ssoMaxReqs, ssoPhase, click))
	tokMu.Lock()
	closedTokens := tokens
	tokens = nil
	tokMu.Unlock()
	pr := add(harness.Closed(ctx, "redeem (closed)", ssoWorkers, len(closedTokens), ssoPhase, redeemFrom(closedTokens)))
	pb := add(harness.Closed(ctx, "baseline clients/{id} (closed)", ssoWorkers, ssoMaxReqs, ssoPhase, baseline))
	py := add(harness.Closed(ctx, "baseline readyz (closed)", ssoWorkers, ssoMaxReqs, ssoPhase, ready))

	// Paced at half of each peak, the click on the other half of the accounts.
	phaseCreds = creds[len(creds)-half:]
	if pc.Throughput > 0 {
		add(harness.Paced(ctx, "click (paced, half peak)", pc.Throughput/2, ssoMaxReqs, ssoPacedWorkers, ssoPhase, click))
	}
	tokMu.Lock()
	pacedTokens := tokens
	tokMu.Unlock()
	if pr.Throughput > 0 && len(pacedTokens) > 0 {
		add(harness.Paced(ctx, "redeem (paced, half peak)", pr.Throughput/2, len(pacedTokens), ssoPacedWorkers, ssoPhase, redeemFrom(pacedTokens)))
	}
	if pb.Throughput > 0 {
		add(harness.Paced(ctx, "baseline clients/{id} (paced, half)", pb.Throughput/2, ssoMaxReqs, ssoPacedWorkers, ssoPhase, baseline))
	}
	if py.Throughput > 0 {
		add(harness.Paced(ctx, "baseline readyz (paced, half peak)", py.Throughput/2, ssoMaxReqs, ssoPacedWorkers, ssoPhase, ready))
	}
	b.report.SSO = append(b.report.SSO, res)
	return nil
}

// ssoClick is cPanel's autologin call: the form POST with the link's
// credentials; it returns the access token of the redirect URL.
func ssoClick(ctx context.Context, hc *http.Client, base, dest, ip string, c harness.ServiceCreds) (string, error) {
	form := url.Values{"subscriber_unique_id": {c.SubscriberUniqueID}, "token": {c.Token}, "attempt": {"1"},
		"app": {"billing_" + dest}, "user": {c.Username}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/sso/cpanel/token?destination="+dest, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		RedirectURL string `json:"redirect_url"`
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = drain(resp)
		return "", fmt.Errorf("click: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.RedirectURL == "" {
		return "", fmt.Errorf("click: no redirect_url (%v)", err)
	}
	u, err := url.Parse(out.RedirectURL)
	if err != nil {
		return "", err
	}
	tok := u.Query().Get("access_token")
	if tok == "" {
		return "", fmt.Errorf("click: redirect_url without access_token")
	}
	return tok, nil
}

// ssoRedeem is the browser following the redirect: a 302 with a session
// cookie on success.
func ssoRedeem(ctx context.Context, hc *http.Client, base, ip, token string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/sso/redeem?access_token="+url.QueryEscape(token), nil)
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = drain(resp)
	if resp.StatusCode != http.StatusFound {
		return fmt.Errorf("redeem: HTTP %d", resp.StatusCode)
	}
	if len(resp.Cookies()) == 0 {
		return fmt.Errorf("redeem: no session cookie (to %s)", resp.Header.Get("Location"))
	}
	loc := resp.Header.Get("Location")
	if strings.Contains(loc, "/portal/login") {
		return fmt.Errorf("redeem refused: %s", loc)
	}
	return nil
}
