package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
)

// hookReceiver is a webhook subscriber on loopback: it checks every
// message's signature with the Standard Webhooks library, answers after a
// delay (so that delivery lasts long enough to be killed in the middle)
// and keeps what it got by webhook-id.
type hookReceiver struct {
	delay time.Duration
	wh    atomic.Pointer[standardwebhooks.Webhook]

	mu       sync.Mutex
	received int               // messages, repeats included
	byID     map[string]string // webhook-id -> body
	changed  int               // a repeated webhook-id with another body
	badSig   int
	example  string
	events   map[int64][]string // sso_event_id -> webhook-ids
}

func newHookReceiver(delay time.Duration) *hookReceiver {
	return &hookReceiver{delay: delay, byID: map[string]string{}, events: map[int64][]string{}}
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable", http.StatusBadRequest)
		return
	}
	wh := h.wh.Load()
	id := r.Header.Get("webhook-id")
	h.mu.Lock()
	defer func() {
		h.mu.Unlock()
		time.Sleep(h.delay)
		w.WriteHeader(http.StatusNoContent)
	}()
	h.received++
	if wh == nil || wh.Verify(body, r.Header) != nil {
		h.badSig++
		if h.example == "" {
			h.example = "bad signature on " + id
		}
		return
	}
	if prev, seen := h.byID[id]; seen {
		if prev != string(body) {
			h.changed++
		}
		return
	}
	h.byID[id] = string(body)
	var msg struct {
		Type string `json:"type"`
		Data struct {
			SSOEventID int64 `json:"sso_event_id"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &msg) == nil && msg.Type == links.EventSSORedeemed {
		h.events[msg.Data.SSOEventID] = append(h.events[msg.Data.SSOEventID], id)
	}
}

// distinct is the number of different webhook-ids received.
func (h *hookReceiver) distinct() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.byID)
}

// produceRedemptions makes n sso.redeemed events: a cPanel click and the
// browser's redemption, from 8 goroutines, each pair from its own address,
// the accounts in turn (a handful of clicks per credential, under its
// burst). It returns how many redemptions started a session.
func produceRedemptions(ctx context.Context, c *ssoClient, creds []harness.ServiceCreds, n int) (int, error) {
	var ok, next atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || first.Load() != nil {
					return
				}
				ip := fmt.Sprintf("10.77.%d.%d", i/250%250, i%250+1)
				cr := creds[int(i)%len(creds)]
				code, tok, err := c.click(ctx, ip, cr, cr.Token)
				if err != nil || code != http.StatusOK || tok == "" {
					first.CompareAndSwap(nil, fmt.Errorf("click %d: HTTP %d, %v", i, code, err))
					return
				}
				won, reason, err := c.redeem(ctx, ip, tok)
				if err != nil || !won {
					first.CompareAndSwap(nil, fmt.Errorf("redemption %d: %s, %v", i, reason, err))
					return
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if err, isErr := first.Load().(error); isErr {
		return int(ok.Load()), err
	}
	return int(ok.Load()), nil
}

// listAll reads every page of a list endpoint.
func listAll[T any](ctx context.Context, api *harness.Client, path string) ([]T, error) {
	var all []T
	for page := 1; page <= 1000; page++ {
		var out struct {
			Items []T   `json:"items"`
			Total int64 `json:"total"`
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		if err := api.Do(ctx, http.MethodGet, fmt.Sprintf("%s%spage=%d&per_page=200", path, sep, page), nil, &out); err != nil {
			return all, err
		}
		all = append(all, out.Items...)
		if len(out.Items) == 0 || int64(len(all)) >= out.Total {
			break
		}
	}
	return all, nil
}

// subscribe creates the receiver's subscription to sso.redeemed and
// gives the receiver its secret.
func subscribe(ctx context.Context, api *harness.Client, url string, recv *hookReceiver) (links.NewWebhook, error) {
	var sub links.NewWebhook
	if err := api.Do(ctx, http.MethodPost, "/api/v1/webhooks", links.WebhookInput{URL: url,
		Description: "reliability", Events: []string{links.EventSSORedeemed}}, &sub); err != nil {
		return sub, err
	}
	wh, err := standardwebhooks.NewWebhook(sub.Secret)
	if err != nil {
		return sub, err
	}
	recv.wh.Store(wh)
	return sub, nil
}

// hookKiller kills and restarts the service while messages are delivered.
type hookKiller struct {
	t     *testing.T
	st    *stack
	svc   *harness.Service
	port  int
	env   map[string]string
	small bool
}

// killAt kills the process once the receiver holds target distinct
// messages (or all made: a kill after the last delivery, rather than a
// wait for a message that never comes), ages the delivery leases in the
// reduced run, and restarts it; it returns the messages received at the
// kill.
func (k *hookKiller) killAt(ctx context.Context, recv *hookReceiver, target, made int) int {
	for recv.distinct() < min(target, made) && !k.svc.Exited() {
		time.Sleep(2 * time.Millisecond)
	}
	at := recv.distinct()
	k.svc.Kill()
	if k.small {
		// The reduced run does not wait the minute the dead process's
		// leases last: it ages them while the process is down.
		if err := expireHookLeases(ctx, k.st.db); err != nil {
			k.t.Fatal(err)
		}
	}
	k.svc = k.st.start(k.port, k.env)
	return at
}

// waitDelivered waits until the receiver holds made distinct messages and
// no delivery is pending any more (a message sent but not recorded before
// a kill stays pending under the dead process's lease, then is sent again
// and recorded), at most 3 minutes; it returns the deliveries and how long
// each wait took.
func waitDelivered(ctx context.Context, api *harness.Client, subID int64, recv *hookReceiver, made int) ([]links.WebhookDelivery, time.Duration, time.Duration, error) {
	from := time.Now()
	deadline := from.Add(3 * time.Minute)
	for recv.distinct() < made && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	received := time.Since(from)
	for {
		ds, err := listAll[links.WebhookDelivery](ctx, api, fmt.Sprintf("/api/v1/webhooks/%d/deliveries", subID))
		if err != nil || time.Now().After(deadline) ||
			!slices.ContainsFunc(ds, func(d links.WebhookDelivery) bool { return d.State == links.DeliveryPending }) {
			return ds, received, time.Since(from), err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// auditDelivered compares the SSO audit's successful redemptions with
// what the receiver got: how many, how many never arrived, how many under
// two webhook-ids. recv.mu must be held.
func auditDelivered(events []links.SSOEvent, recv *hookReceiver) (redeemed, lost, twice int) {
	for _, e := range events {
		if e.Kind != links.SSOKindRedeem {
			continue
		}
		redeemed++
		switch ids := recv.events[e.ID]; {
		case len(ids) == 0:
			lost++
		case len(ids) > 1:
			twice++
		}
	}
	return redeemed, lost, twice
}

// TestWebhooksCrash subscribes a loopback receiver to sso.redeemed, makes
// hookEvents redemptions, and kills the process with SIGKILL hookKills
// times at random points while the messages are being delivered, each
// time restarting it on the same port. Every redemption recorded in the
// SSO audit must reach the receiver at least once, with a valid signature
// and its webhook-id (a repeat carries the same id and body), and every
// delivery must end delivered.
func TestWebhooksCrash(t *testing.T) {
	sz := gate(t)
	binary(t) // built once, before the clock starts
	start := time.Now()
	dialect := mysqlOrSkip(t)
	ctx := context.Background()
	port, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"APPLINKS_TRUST_PROXY": "true"}
	// A handful of clicks per account keeps under the per-credential burst.
	st, svc, api := enabledStack(t, dialect, harness.FleetPlan{Servers: 1, AccountsPerServer: max(20, sz.hookEvents/5)}, port, env)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 17))
	t.Logf("seed %d", seed)
	// A slow receiver: the dispatcher (24 requests in flight a
	// subscription) then delivers about 24 messages a second, fewer than
	// the redemptions made, so that the kills land while messages are
	// still being delivered.
	const delay = time.Second
	recv := newHookReceiver(delay)
	hook := httptest.NewServer(recv) // 127.0.0.1
	defer hook.Close()
	sub, err := subscribe(ctx, api, hook.URL+"/applinks", recv)
	if err != nil {
		t.Fatal(err)
	}
	var creds []harness.ServiceCreds
	for _, c := range st.fleet.Creds {
		creds = append(creds, c)
	}
	slices.SortFunc(creds, func(a, b harness.ServiceCreds) int { return int(a.ServiceID - b.ServiceID) })
	began := time.Now()
	made, err := produceRedemptions(ctx, &ssoClient{base: svc.URL, hc: harness.NewClient(svc.URL).HTTP}, creds, sz.hookEvents)
	if err != nil {
		t.Fatal(err)
	}
	produced, atProduced := time.Since(began), recv.distinct()
	// Kill at random numbers of messages received, between what has
	// arrived and 85% of the events.
	killer := &hookKiller{t: t, st: st, svc: svc, port: port, env: env, small: sz.name == "small"}
	var kills []string
	for range sz.hookKills {
		target, hi := recv.distinct()+1, made*85/100
		if hi > target {
			target += rng.IntN(hi - target)
		}
		kills = append(kills, strconv.Itoa(killer.killAt(ctx, recv, target, made)))
	}
	deliveries, lastArrival, allRecorded, err := waitDelivered(ctx, api, sub.ID, recv, made)
	if err != nil {
		t.Fatal(err)
	}
	// The truth: the SSO audit's successful redemptions.
	events, err := listAll[links.SSOEvent](ctx, api, "/api/v1/sso/events?outcome=success")
	if err != nil {
		t.Fatal(err)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	redeemed, lost, twice := auditDelivered(events, recv)
	states := map[string]int{}
	for _, d := range deliveries {
		states[d.State]++
	}
	var problems []string
	if redeemed != made {
		problems = append(problems, fmt.Sprintf("the SSO audit holds %d redemptions, %d were made", redeemed, made))
	}
	if lost > 0 || twice > 0 {
		problems = append(problems, fmt.Sprintf("%d redemptions never delivered, %d delivered under two webhook-ids", lost, twice))
	}
	if recv.badSig > 0 || recv.changed > 0 {
		problems = append(problems, fmt.Sprintf("%d messages with a bad signature (%s), %d repeats with another body", recv.badSig, recv.example, recv.changed))
	}
	if len(recv.byID) != made || len(deliveries) != made || states[links.DeliveryDelivered] != made {
		problems = append(problems, fmt.Sprintf("%d webhook-ids received, %d deliveries logged (%v), want %d delivered", len(recv.byID), len(deliveries), states, made))
	}
	outcome := "ok"
	if len(problems) > 0 {
		outcome = "**FAILED**: " + strings.Join(problems, "; ")
		t.Error(strings.Join(problems, "; "))
	}
	wait := "the dead processes' leases expire after 60 s (the dispatcher's default), so the messages they held (sent, not yet recorded) are sent again and recorded about a minute after the kill"
	if sz.name == "small" {
		wait = "the reduced run ages the dead process's leases in the database while it is down, instead of waiting the minute they last"
	}
	record("Webhooks (kill -9 during delivery)",
		fmt.Sprintf("%s, one subscription to `sso.redeemed` with a receiver on 127.0.0.1 that answers 204 after %s and checks every signature with the Standard Webhooks Go library. %d redemptions (a cPanel click and the browser's redemption each, 8 at a time, %s), then %d kill(s) of the process with SIGKILL while the messages were being delivered, at %s distinct messages received, each followed by a restart on the same port; %s. Seed %d.",
			dialect, delay, made, produced.Round(100*time.Millisecond), sz.hookKills, strings.Join(kills, ", "), wait, seed),
		"",
		"| check | result |",
		"|---|---|",
		fmt.Sprintf("| messages received when the redemptions were done | %d of %d |", atProduced, made),
		fmt.Sprintf("| redemptions in the SSO audit delivered at least once | %d of %d (lost: %d) |", redeemed-lost, redeemed, lost),
		fmt.Sprintf("| messages received, repeats included | %d (%d distinct webhook-ids, %d repeats, each with the same body) |", recv.received, len(recv.byID), recv.received-len(recv.byID)-recv.badSig),
		fmt.Sprintf("| signatures that did not verify | %d |", recv.badSig),
		fmt.Sprintf("| deliveries in the log | %d (%v) |", len(deliveries), states),
		fmt.Sprintf("| every webhook-id received, after the last restart | %s |", lastArrival.Round(time.Second)),
		fmt.Sprintf("| every delivery recorded delivered, after the last restart | %s |", allRecorded.Round(time.Second)),
		fmt.Sprintf("| outcome | %s |", outcome))
	record("Webhooks (kill -9 during delivery)", "", runTime(start))
}

// expireHookLeases ends every delivery lease, as the minute of a dead
// process's lease would.
func expireHookLeases(ctx context.Context, db *harness.ScratchDB) error {
	conn, err := db.Conn()
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "UPDATE webhook_deliveries SET lease_until = NULL WHERE state = ?", links.DeliveryPending)
	return err
}
