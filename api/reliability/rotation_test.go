package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/whmsim"
)

// panelClicker makes cPanel's autologin call for a link the way the panel
// does (whmsim's click): POST the link's stored subscriber id and the token
// given to its registered autologin_token_url, following {"retry":N} for at
// most three attempts. Each call comes from its own X-Forwarded-For
// address (the service trusts it here), so the per-server-IP limit is not
// what is measured.
type panelClicker struct {
	hc  *http.Client
	ips atomic.Int64
}

// click reports whether the click got a redirect_url with a one-time token,
// and otherwise why not.
func (p *panelClicker) click(ctx context.Context, l whmsim.Link, token string) (bool, string) {
	form := url.Values{"subscriber_unique_id": {l.SubscriberUniqueID}, "token": {token}, "url": {l.URL}, "label": {l.Label}}
	n := p.ips.Add(1)
	ip := fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
	why := ""
	for attempt := 1; attempt <= 3; attempt++ {
		form.Set("attempt", strconv.Itoa(attempt))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.AutologinTokenURL, strings.NewReader(form.Encode()))
		if err != nil {
			return false, err.Error()
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := p.hc.Do(req)
		if err != nil {
			return false, err.Error()
		}
		var out struct {
			RedirectURL string   `json:"redirect_url"`
			Retry       *float64 `json:"retry"`
			Error       struct {
				Reason string `json:"reason"`
			} `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK && strings.Contains(out.RedirectURL, "access_token="):
			return true, ""
		case resp.StatusCode == http.StatusOK && out.Retry != nil:
			why = "retry after 3 attempts"
			time.Sleep(time.Duration(min(*out.Retry, 5) * float64(time.Second)))
			continue
		case out.Error.Reason != "":
			return false, out.Error.Reason
		default:
			return false, "HTTP " + strconv.Itoa(resp.StatusCode)
		}
	}
	return false, why
}

// clickBudget is the most clicks one account gets during the rotation.
const clickBudget = 7

// pickUnder picks a random index whose use count is under budget and
// counts the use; false when every one is spent.
func pickUnder(rng *rand.Rand, used []atomic.Int32, budget int32) (int, bool) {
	start := rng.IntN(len(used))
	for k := range used {
		i := (start + k) % len(used)
		if used[i].Add(1) <= budget {
			return i, true
		}
	}
	return 0, false
}

// clickTally counts the clicks of the rotation trial.
type clickTally struct {
	mu              sync.Mutex
	total, old, new int
	// oldOpen and newOpen count the clicks with each secret while the
	// rotation's operation was open.
	oldOpen, newOpen int
	failed           map[string]int
	example          string
}

func (c *clickTally) add(ok, oldToken, open bool, why, where string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	switch {
	case oldToken && open:
		c.oldOpen++
		c.old++
	case oldToken:
		c.old++
	case open:
		c.newOpen++
		c.new++
	default:
		c.new++
	}
	if !ok {
		c.failed[why]++
		if c.example == "" {
			c.example = where + ": " + why
		}
	}
}

func (c *clickTally) failures() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.failed {
		n += v
	}
	return n
}

// rotationGrace is the service's APPLINKS_ROTATION_GRACE here: short, so
// that the trial sees the old secrets refused once it ended.
const rotationGrace = 2 * time.Second

// TestRotationWithClicks rotates every account's link secret while
// clickers keep clicking random links of random accounts with whatever
// token the account's panel holds at that moment: no click may fail (one
// sent with the old token just before the panel took the new one may land
// after the confirmation: the rotation grace covers it), and clicks with
// the old and with the new secret must both have happened. Once the
// rotation is confirmed and the grace has passed, every account's old
// secret is refused and the new one, which its panel holds on every link,
// is accepted.
func TestRotationWithClicks(t *testing.T) {
	sz := gate(t)
	binary(t) // built once, before the clock starts
	for _, dialect := range dialects(t) {
		t.Run(dialect, func(t *testing.T) { runRotation(t, sz, dialect) })
	}
}

// rotAcct is one account of the rotation trial with its seeded (old)
// credential.
type rotAcct struct {
	s *harness.FleetServer
	c harness.ServiceCreds
}

// rotClickers click random links of random accounts with the panel's
// current secret until stopped, each account at most clickBudget times.
type rotClickers struct {
	pc                  *panelClicker
	accts               []rotAcct
	tally               *clickTally
	used                []atomic.Int32
	exhausted, rotating atomic.Bool
	stop                chan struct{}
	wg                  sync.WaitGroup
}

func startClickers(ctx context.Context, pc *panelClicker, accts []rotAcct, n int) *rotClickers {
	c := &rotClickers{pc: pc, accts: accts, tally: &clickTally{failed: map[string]int{}}, used: make([]atomic.Int32, len(accts)), stop: make(chan struct{})}
	for w := range n {
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
		c.wg.Go(func() {
			for {
				select {
				case <-c.stop:
					return
				default:
				}
				// The service allows a burst of 10 clicks per credential
				// (then one every 2 s): each account gets at most
				// clickBudget here, two more after the rotation.
				i, ok := pickUnder(rng, c.used, clickBudget)
				if !ok {
					c.exhausted.Store(true)
					return
				}
				c.clickOnce(ctx, rng, c.accts[i])
				time.Sleep(time.Millisecond)
			}
		})
	}
	return c
}

// clickOnce clicks a random link of the account with the secret its panel
// holds now. A refused click tells which secret it carried, how long it
// took and whether the panel's secret changed meanwhile.
func (c *rotClickers) clickOnce(ctx context.Context, rng *rand.Rand, a rotAcct) {
	where := a.s.Name + "/" + a.c.Username
	ls := a.s.Sim.Links(a.c.Username)
	if len(ls) == 0 {
		c.tally.add(false, false, false, "the account has no link", where)
		return
	}
	l := ls[rng.IntN(len(ls))]
	tok, _ := a.s.Sim.LinkToken(a.c.Username, l.App)
	old, open := tok == a.c.Token, c.rotating.Load()
	t0 := time.Now()
	ok, why := c.pc.click(ctx, l, tok)
	if !ok {
		now, _ := a.s.Sim.LinkToken(a.c.Username, l.App)
		which := "new"
		if old {
			which = "old"
		}
		why += fmt.Sprintf(" (%s secret, click %s, the panel's secret changed meanwhile: %v)", which, time.Since(t0).Round(time.Millisecond), now != tok)
	}
	c.tally.add(ok, old, open, why, where+"/"+l.App)
}

func (c *rotClickers) end() {
	close(c.stop)
	c.wg.Wait()
}

// rotatedCheck is what the accounts answer once the rotation is confirmed.
type rotatedCheck struct {
	after                              *clickTally // clicks with the new secret
	oldRefused, oldAccepted, unchanged int
	creds                              map[string]credential
}

// checkRotated clicks a link of every account with its panel's (new)
// secret and with its old one.
func checkRotated(ctx context.Context, pc *panelClicker, accts []rotAcct) rotatedCheck {
	r := rotatedCheck{after: &clickTally{failed: map[string]int{}}, creds: map[string]credential{}}
	for i, a := range accts {
		where := a.s.Name + "/" + a.c.Username
		ls := a.s.Sim.Links(a.c.Username)
		if len(ls) == 0 {
			r.after.add(false, false, false, "the account has no link", where)
			continue
		}
		l := ls[i%len(ls)]
		tok, _ := a.s.Sim.LinkToken(a.c.Username, l.App)
		if tok == a.c.Token {
			r.unchanged++
			continue
		}
		ok, why := pc.click(ctx, l, tok)
		r.after.add(ok, false, false, why, where+"/"+l.App)
		switch ok, why := pc.click(ctx, l, a.c.Token); {
		case ok:
			r.oldAccepted++
		case why == "invalid_credentials":
			r.oldRefused++
		default:
			r.after.add(false, true, false, "old secret: "+why, where+"/"+l.App)
		}
		r.creds[a.c.Username] = credential{sub: a.c.SubscriberUniqueID, tokenHash: secret.Hash(tok)}
	}
	return r
}

// enabledStack seeds the fleet on dialect, starts the service with env,
// enables the application and waits until the status says active.
func enabledStack(t *testing.T, dialect string, plan harness.FleetPlan, port int, env map[string]string) (*stack, *harness.Service, *harness.Client) {
	t.Helper()
	ctx := context.Background()
	st := newStack(t, dialect, plan)
	svc := st.start(port, env)
	api := st.client(svc)
	op, err := api.Queue(ctx, "cpanel", "enable")
	if err == nil {
		_, err = api.WaitOperation(ctx, op.ID, 50*time.Millisecond, 3*time.Minute)
	}
	if err == nil {
		_, _, err = waitSettled(ctx, api, 3*time.Minute)
	}
	if err != nil {
		t.Fatal(err)
	}
	return st, svc, api
}

// rotateAll rotates every secret and waits until the operation ended and
// the status says active; it returns the operation and how long that took.
func rotateAll(ctx context.Context, api *harness.Client, rotating *atomic.Bool) (links.OperationDetail, time.Duration, error) {
	began := time.Now()
	var rot links.Operation
	var done links.OperationDetail
	rotating.Store(true)
	err := api.Do(ctx, http.MethodPost, "/api/v1/applications/cpanel/rotate-link-secrets", nil, &rot)
	if err == nil {
		done, err = api.WaitOperation(ctx, rot.ID, 50*time.Millisecond, 5*time.Minute)
	}
	rotating.Store(false)
	if err == nil {
		_, _, err = waitSettled(ctx, api, 3*time.Minute)
	}
	return done, time.Since(began), err
}

func runRotation(t *testing.T, sz size, dialect string) {
	start := time.Now()
	ctx := context.Background()
	// One request of two accounts in flight per server at 30-50 ms: the
	// rotation lasts long enough for clicks to meet each step of it.
	st, svc, api := enabledStack(t, dialect, harness.FleetPlan{Servers: sz.rotateServers, AccountsPerServer: sz.rotateAccounts,
		Faults: func(int) whmsim.Faults {
			return whmsim.Faults{Latency: 30 * time.Millisecond, Jitter: 20 * time.Millisecond}
		}}, 0, map[string]string{"APPLINKS_TRUST_PROXY": "true", "APPLINKS_PER_SERVER_CAP": "1", "APPLINKS_BATCH_SIZE": "2",
		"APPLINKS_ROTATION_GRACE": rotationGrace.String()})
	var accts []rotAcct
	for _, c := range st.fleet.Creds {
		for _, s := range st.fleet.Servers {
			if s.ID == c.ServerID {
				accts = append(accts, rotAcct{s: s, c: c})
			}
		}
	}
	pc := &panelClicker{hc: harness.NewClient(svc.URL).HTTP}
	clickers := startClickers(ctx, pc, accts, sz.clickers)
	time.Sleep(100 * time.Millisecond)
	done, took, err := rotateAll(ctx, api, &clickers.rotating)
	clickers.end()
	if err != nil {
		t.Fatal(err)
	}
	// Every confirmation was recorded before the status said active: the
	// grace of each old secret is over after this.
	time.Sleep(rotationGrace)
	r := checkRotated(ctx, pc, accts)
	apps, err := api.DesiredApps(ctx, "cpanel")
	if err != nil {
		t.Fatal(err)
	}
	// Every link of an account carries the same new token and the old
	// subscriber id.
	c := checkAccounts(st.fleet, apps, all, r.creds)
	during := clickers.tally
	var problems []string
	if done.State != links.OpCompleted || done.AccountsFailed != 0 || done.AccountsDone != len(accts) {
		problems = append(problems, fmt.Sprintf("rotation ended %s, %d of %d done, %d failed", done.State, done.AccountsDone, done.AccountsTotal, done.AccountsFailed))
	}
	if n := during.failures(); n > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d clicks during the rotation failed: %v", n, during.total, during.failed))
	}
	if during.oldOpen == 0 || during.newOpen == 0 {
		problems = append(problems, fmt.Sprintf("clicks while the rotation ran: %d with the old secret, %d with the new: the rotation was not met by clicks", during.oldOpen, during.newOpen))
	}
	if r.unchanged > 0 || r.oldAccepted > 0 || r.after.failures() > 0 || c.bad > 0 {
		problems = append(problems, fmt.Sprintf("after the rotation: %d panels kept the old secret, %d old secrets accepted, %d new ones refused (%v), %d accounts not exact (%v)",
			r.unchanged, r.oldAccepted, r.after.failures(), r.after.failed, c.bad, c.examples))
	}
	outcome := "ok"
	if len(problems) > 0 {
		outcome = "**FAILED**: " + strings.Join(problems, "; ")
		t.Error(strings.Join(problems, "; "))
	}
	record("Rotation with clicks",
		fmt.Sprintf("%s, %d servers x %d accounts (%d), simulated latency 30-50 ms, per-server cap 1, 2 accounts per batch (so the rotation lasts long enough for clicks to meet each account's change), `APPLINKS_ROTATION_GRACE=%s`. %d clickers click random links of random accounts the way the panel does (the link's subscriber id and the token the panel holds at that moment, POSTed to its autologin_token_url, `{\"retry\":N}` followed for three attempts, each click from its own address) from before `POST /api/v1/applications/cpanel/rotate-link-secrets` until the rotation's operation completed and the status said active. Then, once the grace has passed, each account is clicked once with its new secret and once with its old one.",
			dialect, sz.rotateServers, sz.rotateAccounts, len(accts), rotationGrace, sz.clickers),
		"",
		"| check | result |",
		"|---|---|",
		fmt.Sprintf("| rotation operation | %s, %d of %d accounts done, %d failed, %s from the request to active |", done.State, done.AccountsDone, done.AccountsTotal, done.AccountsFailed, took.Round(100*time.Millisecond)),
		fmt.Sprintf("| clicks meanwhile | %d: %d with the old secret, %d with the new one (while the operation was open: %d and %d); the clickers ran out of their %d clicks per account before the end: %v |", during.total, during.old, during.new, during.oldOpen, during.newOpen, clickBudget, clickers.exhausted.Load()),
		fmt.Sprintf("| clicks meanwhile that failed | %d %v |", during.failures(), during.failed),
		fmt.Sprintf("| panels holding a new secret on every link, subscriber id unchanged | %d of %d |", c.checked-c.bad, c.checked),
		fmt.Sprintf("| new secret accepted after the rotation | %d of %d |", r.after.total-r.after.failures(), len(accts)),
		fmt.Sprintf("| old secret refused (invalid_credentials) after the rotation and the grace | %d of %d |", r.oldRefused, len(accts)),
		fmt.Sprintf("| outcome | %s |", outcome))
	record("Rotation with clicks", "", runTime(start), "")
}
