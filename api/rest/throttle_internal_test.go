package rest

import (
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
)

func TestLoginGuardBacksOffAfterFiveFailuresAndResetsOnSuccess(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	g := newLoginGuard(func() time.Time { return now })
	key := loginKey("staff", " Bob@Example.com ")
	if key != loginKey("staff", "bob@example.com") || key == loginKey("portal", "bob@example.com") {
		t.Fatalf("keys: %q", key)
	}
	for i := 0; i < loginFreeFailures; i++ {
		if err := g.check(key); err != nil {
			t.Fatalf("attempt %d refused: %v", i+1, err)
		}
		g.failed(key)
	}
	// 1 s, 2 s, 4 s ... after each failure past the free ones.
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if i > 0 {
			g.failed(key)
		}
		err := g.check(key)
		var ra *retryAfterError
		if links.ErrorCode(err) != links.ERATELIMITED || !asRetry(err, &ra) || ra.seconds != int(want/time.Second) {
			t.Fatalf("after %d failures: %v, want a wait of %v", loginFreeFailures+i, err, want)
		}
		now = now.Add(want)
		if err := g.check(key); err != nil {
			t.Fatalf("still refused once %v passed: %v", want, err)
		}
	}
	if err := g.check(loginKey("staff", "alice@example.com")); err != nil {
		t.Fatalf("another account is throttled: %v", err)
	}
	for i := 0; i < 30; i++ {
		g.failed(key)
	}
	if err := g.check(key); err == nil || err.(*retryAfterError).seconds != int(loginMaxDelay/time.Second) {
		t.Fatalf("the delay is not capped at %v: %v", loginMaxDelay, err)
	}
	g.succeeded(key)
	if err := g.check(key); err != nil {
		t.Fatalf("refused after a success: %v", err)
	}
	g.failed(key)
	if err := g.check(key); err != nil {
		t.Fatalf("one failure after a success is throttled: %v", err)
	}
}

func asRetry(err error, out **retryAfterError) bool {
	r, ok := err.(*retryAfterError)
	*out = r
	return ok
}
