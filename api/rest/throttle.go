package rest

import (
	"strings"
	"sync"
	"time"

	"github.com/applinks/applinks/api/links"
)

// Sign-in throttling per account, on top of the per-IP rate limit: an
// attacker spreading guesses over many addresses still meets it.
const (
	// loginFreeFailures failures in a row start the backoff.
	loginFreeFailures = 5
	// loginBaseDelay is the wait after the loginFreeFailures-th failure;
	// each further failure doubles it, up to loginMaxDelay.
	loginBaseDelay = time.Second
	loginMaxDelay  = 15 * time.Minute
	// loginGuardSize bounds the accounts remembered; past it, entries
	// idle for loginMaxDelay are dropped.
	loginGuardSize = 10000
)

// loginGuard counts failed sign-ins per account key (area and e-mail). From
// loginFreeFailures failures in a row on, an attempt before the backoff has
// run out is refused without checking the password. Unknown e-mails are counted
// like known ones, so the answers enumerate nothing. A success resets the
// count. The state is in memory: each replica keeps its own.
type loginGuard struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]*loginFailures
}

type loginFailures struct {
	n     int       // failures in a row
	until time.Time // no attempt before this
	last  time.Time // the last failure
}

func newLoginGuard(now func() time.Time) *loginGuard {
	return &loginGuard{now: now, entries: map[string]*loginFailures{}}
}

func loginKey(area, email string) string {
	return area + ":" + strings.ToLower(strings.TrimSpace(email))
}

// check refuses an attempt while the account's backoff runs, with a 429
// that says how long to wait.
func (g *loginGuard) check(key string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	f, ok := g.entries[key]
	if !ok {
		return nil
	}
	wait := f.until.Sub(g.now())
	if wait <= 0 {
		return nil
	}
	secs := int((wait + time.Second - 1) / time.Second)
	return &retryAfterError{links.Errorf(links.ERATELIMITED,
		"Too many failed sign-ins for this account: wait %d seconds and try again.", secs), secs}
}

// failed counts a failure and, from the loginFreeFailures-th in a row on,
// sets the backoff.
func (g *loginGuard) failed(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if len(g.entries) >= loginGuardSize {
		for k, f := range g.entries {
			if now.Sub(f.last) > loginMaxDelay {
				delete(g.entries, k)
			}
		}
	}
	f, ok := g.entries[key]
	if !ok {
		f = &loginFailures{}
		g.entries[key] = f
	}
	f.n++
	f.last = now
	if over := f.n - loginFreeFailures + 1; over > 0 {
		delay := loginMaxDelay
		if over <= 20 && loginBaseDelay<<(over-1) < loginMaxDelay {
			delay = loginBaseDelay << (over - 1)
		}
		f.until = now.Add(delay)
	}
}

// succeeded forgets the account's failures.
func (g *loginGuard) succeeded(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.entries, key)
}

// guardLogin runs a sign-in attempt under the guard: refused while the
// backoff runs, counted when it fails as unauthorized, reset when it works.
func (g *loginGuard) guardLogin(key string, attempt func() error) error {
	if err := g.check(key); err != nil {
		return err
	}
	err := attempt()
	switch {
	case err == nil:
		g.succeeded(key)
	case links.ErrorCode(err) == links.EUNAUTHORIZED:
		g.failed(key)
	}
	return err
}
