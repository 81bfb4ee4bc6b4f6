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
// peak, without a webhook subscriber and with one that answers every
// delivery in receiverDelay, alternating twice.
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
	// ClickRatio and RedeemRatio are the mean paced p99 of the two phases
	// with the subscriber divided by that of the two without (the bar: at
	// most 1.1).
	ClickRatio  float64 `json:"click_p99_ratio"`
	RedeemRatio float64 `json:"redeem_p99_ratio"`
	// Delivered is how many messages the receiver answered while
	// subscribed, of Queued redemptions made meanwhile (the rest were
	// deleted with the subscription).
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

// ssoLoad clicks a slice of the accounts and redeems the tokens it got,
// as the sso scenario does.
type ssoLoad struct {
	hc     *http.Client
	base   string
	accts  []harness.ServiceCreds
	mu     sync.Mutex
	tokens []string
}

var ssoDests = []string{"profile", "open_ticket", "invoice_history", "billing_info", "upgrade"}

func (l *ssoLoad) click(ctx context.Context, i int) error {
	c := l.accts[i%len(l.accts)]
	tok, err := ssoClick(ctx, l.hc, l.base, ssoDests[i%len(ssoDests)], fmt.Sprintf("10.1.0.%d", i%250+1), c)
	if err == nil {
		l.mu.Lock()
		l.tokens = append(l.tokens, tok)
		l.mu.Unlock()
	}
	return err
}

// take returns the tokens clicked so far and forgets them.
func (l *ssoLoad) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tokens
	l.tokens = nil
	return t
}

func (l *ssoLoad) redeemFrom(toks []string) harness.Op {
	return func(ctx context.Context, i int) error {
		return ssoRedeem(ctx, l.hc, l.base, fmt.Sprintf("10.2.%d.%d", (i/10)/250%250, (i/10)%250+1), toks[i])
	}
}

// ssoWebhook measures the click and the redemption paced at half their
// peak without a webhook subscription and with an active one (events
// sso.redeemed and sso.refused) whose receiver takes 200 ms per delivery,
// alternating twice. Each phase clicks its own fifth of the accounts, as
// the sso scenario does with halves (the per-account and per-IP limits
// still run).
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
	// Five parts of the accounts: one for the peaks, one per paced phase.
	fifth := max(1, len(creds)/5)
	part := func(i int) []harness.ServiceCreds { return creds[i*fifth : (i+1)*fifth] }
	res := SSOWebhookResult{Database: dialect, Accounts: len(creds), ReceiverDelayMS: ms(receiverDelay)}
	l := &ssoLoad{hc: harness.NewClient(e.svc.URL).HTTP, base: e.svc.URL, accts: part(0)}
	add := func(r harness.LoadResult) harness.LoadResult {
		b.logf("   %-34s %6d req %5d err %8.0f/s  p50 %6.2f  p99 %6.2f  p99.9 %6.2f ms", r.Name, r.Requests, r.Errors, r.Throughput, r.P50, r.P99, r.P999)
		if r.FirstError != "" {
			b.logf("      first error: %s", r.FirstError)
		}
		res.Phases = append(res.Phases, r)
		return r
	}
	// The peaks, without a subscriber.
	pc := add(harness.Closed(ctx, "click (closed)", ssoWorkers, ssoMaxReqs, ssoPhase, l.click))
	toks := l.take()
	pr := add(harness.Closed(ctx, "redeem (closed)", ssoWorkers, len(toks), ssoPhase, l.redeemFrom(toks)))
	if pc.Throughput <= 0 || pr.Throughput <= 0 {
		return fmt.Errorf("no peak: click %.0f/s, redeem %.0f/s", pc.Throughput, pr.Throughput)
	}
	paced := func(label string, accounts []harness.ServiceCreds) [2]float64 {
		l.accts = accounts
		c := add(harness.Paced(ctx, "click (paced, half peak), "+label, pc.Throughput/2, ssoMaxReqs, ssoPacedWorkers, ssoPhase, l.click))
		toks := l.take()
		r := add(harness.Paced(ctx, "redeem (paced, half peak), "+label, pr.Throughput/2, len(toks), ssoPacedWorkers, ssoPhase, l.redeemFrom(toks)))
		return [2]float64{c.P99, r.P99}
	}
	// Without and with the subscriber, twice, alternating, so that the
	// machine's drift and the growing tables weigh on both alike. Deleting
	// the subscription deletes its queued deliveries: "without" is
	// without a dispatcher's work too.
	var without, with [2][2]float64 // [round][click, redeem] p99
	for round := range 2 {
		without[round] = paced(fmt.Sprintf("no subscriber (%d)", round+1), part(1+2*round))
		err := withSubscriber(ctx, e.api, recv, &res, func() {
			with[round] = paced(fmt.Sprintf("subscriber at 200 ms (%d)", round+1), part(2+2*round))
		})
		if err != nil {
			return err
		}
	}
	res.ClickRatio, res.RedeemRatio = p99Ratio(with, without, 0), p99Ratio(with, without, 1)
	b.logf("   p99 with / without the subscriber: click %.2f, redeem %.2f; %d of %d messages delivered meanwhile", res.ClickRatio, res.RedeemRatio, res.Delivered, res.Queued)
	b.report.SSOWebhook = append(b.report.SSOWebhook, res)
	return nil
}

// withSubscriber runs phase while the receiver is subscribed to the SSO
// events, and counts the redemptions made and the messages delivered
// meanwhile into res.
func withSubscriber(ctx context.Context, api *harness.Client, recv *slowReceiver, res *SSOWebhookResult, phase func()) error {
	var hook struct {
		ID int64 `json:"id"`
	}
	active := true
	if err := api.Do(ctx, http.MethodPost, "/api/v1/webhooks", map[string]any{"url": recv.url, "description": "bench: answers in 200 ms",
		"events": []string{"sso.redeemed", "sso.refused"}, "active": &active}, &hook); err != nil {
		return fmt.Errorf("create the webhook: %w", err)
	}
	before, phases := recv.seen.Load(), len(res.Phases)
	phase()
	res.Delivered += recv.seen.Load() - before
	if len(res.Phases) == phases+2 {
		r := res.Phases[phases+1]
		res.Queued += r.Requests - r.Errors
	}
	if err := api.Do(ctx, http.MethodDelete, fmt.Sprintf("/api/v1/webhooks/%d", hook.ID), nil, nil); err != nil {
		return fmt.Errorf("delete the webhook: %w", err)
	}
	return nil
}

// p99Ratio is the mean of with's p99s over the mean of without's, for
// the click (i 0) or the redemption (1); 0 when without has none.
func p99Ratio(with, without [2][2]float64, i int) float64 {
	w := without[0][i] + without[1][i]
	if w <= 0 {
		return 0
	}
	return (with[0][i] + with[1][i]) / w
}

// ssoWebhookMarkdown writes the webhook bar's section.
func ssoWebhookMarkdown(p func(string, ...any), rows []SSOWebhookResult) {
	p("")
	p("## Single sign-on with a webhook subscriber")
	p("")
	p("The SSO scenario's click and redemption (closed loops of %d workers for the peaks, then paced at half of each peak for %s), without a webhook subscription and with an active one for `sso.redeemed` and `sso.refused` whose receiver (on loopback, in the bench process) answers every delivery in %s, alternating twice (the subscription is deleted, with its queued deliveries, after each phase with it); each phase clicks its own fifth of the accounts. Every redemption queues a message in its own transaction; the dispatcher sends them in the background. The ratio is the mean p99 of the two phases with the subscriber over that of the two without. Bar (issue 19): within 10%% (ratio at most 1.1).", ssoWorkers, ssoPhase, receiverDelay)
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
		p("Messages delivered while subscribed: %d of the %d redemptions made meanwhile (the dispatcher keeps up to 32 attempts in flight, 24 at most for one subscription, so at 200 ms a delivery at most about 120 a second; the rest were deleted with the subscription).", s.Delivered, s.Queued)
		for _, ph := range s.Phases {
			if ph.FirstError != "" {
				p("")
				p("First error of %q: `%s`", ph.Name, ph.FirstError)
			}
		}
	}
}
