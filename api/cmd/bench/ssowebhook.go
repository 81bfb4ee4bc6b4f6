package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/applinks/applinks/api/reliability/harness"
)

// The webhook bar (issue 19): the SSO click and redemption at half their
// peak, without a webhook subscriber and then with one that answers every
// delivery in receiverDelay.
const (
	receiverDelay     = 200 * time.Millisecond
	ssoWebhookAccount = 12000
)

// SSOWebhookResult is the webhook bar on one database.
type SSOWebhookResult struct {
	Database        string  `json:"database"`
	Accounts        int     `json:"accounts"`
	ReceiverDelayMS float64 `json:"receiver_delay_ms"`
	// Phases in run order: the closed loops that find the peaks, then the
	// paced phases without and with the subscriber.
	Phases []harness.LoadResult `json:"phases"`
	// ClickRatio and RedeemRatio are the paced p99 with the subscriber
	// divided by the p99 without (the bar: at most 1.1).
	ClickRatio  float64 `json:"click_p99_ratio"`
	RedeemRatio float64 `json:"redeem_p99_ratio"`
	// Delivered is how many messages the receiver had answered when the
	// last phase ended, of Queued redemptions made while subscribed.
	Delivered int64 `json:"delivered"`
	Queued    int   `json:"queued"`
}

// slowReceiver is a webhook subscriber on loopback that answers every
// delivery after receiverDelay.
type slowReceiver struct {
	srv  *http.Server
	url  string
	seen atomic.Int64
}

func startSlowReceiver() (*slowReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &slowReceiver{url: "http://" + ln.Addr().String() + "/hook"}
	r.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		time.Sleep(receiverDelay)
		r.seen.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *slowReceiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
	_ = r.srv.Close()
}

// ssoWebhook measures the click and the redemption paced at half their
// peak without a webhook subscription, then with an active one (events
// sso.redeemed and sso.refused) whose receiver takes 200 ms per delivery.
// Each phase clicks its own third of the accounts, as the sso scenario
// does (the per-account and per-IP limits still run).
func (b *bench) ssoWebhook(ctx context.Context, dialect string) error {
	e, err := b.setup(ctx, dialect, harness.FleetPlan{Servers: 1, AccountsPerServer: b.scaled(ssoWebhookAccount)},
		map[string]string{"APPLINKS_TRUST_PROXY": "true"})
	if err != nil {
		return err
	}
	defer e.close()
	recv, err := startSlowReceiver()
	if err != nil {
		return err
	}
	defer recv.close()
	creds := make([]harness.ServiceCreds, 0, len(e.fleet.Creds))
	for _, c := range e.fleet.Creds {
		creds = append(creds, c)
	}
	slices.SortFunc(creds, func(a, b harness.ServiceCreds) int { return int(a.ServiceID - b.ServiceID) })
	third := max(1, len(creds)/3)
	res := SSOWebhookResult{Database: dialect, Accounts: len(creds), ReceiverDelayMS: ms(receiverDelay)}
	hc := harness.NewClient(e.svc.URL).HTTP
	dests := []string{"profile", "open_ticket", "invoice_history", "billing_info", "upgrade"}
	var tokMu sync.Mutex
	var tokens []string
	var phaseCreds []harness.ServiceCreds
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
	takeTokens := func() []string {
		tokMu.Lock()
		defer tokMu.Unlock()
		t := tokens
		tokens = nil
		return t
	}
	redeemFrom := func(toks []string) harness.Op {
		return func(ctx context.Context, i int) error {
			return ssoRedeem(ctx, hc, e.svc.URL, fmt.Sprintf("10.2.%d.%d", (i/10)/250%250, (i/10)%250+1), toks[i])
		}
	}
	add := func(r harness.LoadResult) harness.LoadResult {
		b.logf("   %-34s %6d req %5d err %8.0f/s  p50 %6.2f  p99 %6.2f  p99.9 %6.2f ms", r.Name, r.Requests, r.Errors, r.Throughput, r.P50, r.P99, r.P999)
		if r.FirstError != "" {
			b.logf("      first error: %s", r.FirstError)
		}
		res.Phases = append(res.Phases, r)
		return r
	}
	// The peaks, without a subscriber.
	phaseCreds = creds[:third]
	pc := add(harness.Closed(ctx, "click (closed)", ssoWorkers, ssoMaxReqs, ssoPhase, click))
	toks := takeTokens()
	pr := add(harness.Closed(ctx, "redeem (closed)", ssoWorkers, len(toks), ssoPhase, redeemFrom(toks)))
	if pc.Throughput <= 0 || pr.Throughput <= 0 {
		return fmt.Errorf("no peak: click %.0f/s, redeem %.0f/s", pc.Throughput, pr.Throughput)
	}
	paced := func(label string, accounts []harness.ServiceCreds) (harness.LoadResult, harness.LoadResult, int) {
		phaseCreds = accounts
		c := add(harness.Paced(ctx, "click (paced, half peak), "+label, pc.Throughput/2, ssoMaxReqs, ssoPacedWorkers, ssoPhase, click))
		toks := takeTokens()
		r := add(harness.Paced(ctx, "redeem (paced, half peak), "+label, pr.Throughput/2, len(toks), ssoPacedWorkers, ssoPhase, redeemFrom(toks)))
		return c, r, r.Requests - r.Errors
	}
	c0, r0, _ := paced("no subscriber", creds[third:2*third])
	active := true
	if err := e.api.Do(ctx, http.MethodPost, "/api/v1/webhooks", map[string]any{"url": recv.url, "description": "bench: answers in 200 ms",
		"events": []string{"sso.redeemed", "sso.refused"}, "active": &active}, nil); err != nil {
		return fmt.Errorf("create the webhook: %w", err)
	}
	c1, r1, queued := paced("subscriber at 200 ms", creds[2*third:])
	res.Delivered, res.Queued = recv.seen.Load(), queued
	if c0.P99 > 0 {
		res.ClickRatio = c1.P99 / c0.P99
	}
	if r0.P99 > 0 {
		res.RedeemRatio = r1.P99 / r0.P99
	}
	b.logf("   p99 with / without the subscriber: click %.2f, redeem %.2f; %d of %d messages delivered by the end", res.ClickRatio, res.RedeemRatio, res.Delivered, res.Queued)
	b.report.SSOWebhook = append(b.report.SSOWebhook, res)
	return nil
}

// ssoWebhookMarkdown writes the webhook bar's section.
func ssoWebhookMarkdown(p func(string, ...any), rows []SSOWebhookResult) {
	p("")
	p("## Single sign-on with a webhook subscriber")
	p("")
	p("The SSO scenario's click and redemption (closed loops of %d workers for the peaks, then paced at half of each peak for %s), first without a webhook subscription, then with an active one for `sso.redeemed` and `sso.refused` whose receiver (on loopback, in the bench process) answers every delivery in %s; each phase clicks its own third of the accounts. Every redemption queues a message in its own transaction; the dispatcher sends them in the background. Bar (issue 19): p99 with the subscriber within 10%% of p99 without (ratio at most 1.1).", ssoWorkers, ssoPhase, receiverDelay)
	for _, s := range rows {
		p("")
		p("### %s (%d accounts): click p99 ratio **%.2f**, redemption p99 ratio **%.2f**", s.Database, s.Accounts, s.ClickRatio, s.RedeemRatio)
		p("")
		p("| phase | requests | errors | throughput | p50 | p99 | p99.9 | max |")
		p("|---|---:|---:|---:|---:|---:|---:|---:|")
		for _, ph := range s.Phases {
			p("| %s | %d | %d | %.0f/s | %.2f ms | %.2f ms | %.2f ms | %.1f ms |", ph.Name, ph.Requests, ph.Errors, ph.Throughput, ph.P50, ph.P99, ph.P999, ph.Max)
		}
		p("")
		p("Messages delivered when the last phase ended: %d of the %d redemptions made while subscribed (the rest stay queued and are sent after).", s.Delivered, s.Queued)
		for _, ph := range s.Phases {
			if ph.FirstError != "" {
				p("")
				p("First error of %q: `%s`", ph.Name, ph.FirstError)
			}
		}
	}
}
