package reliability

import (
	"context"
	"sync"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
)

// statusPoller checks every settled status it sees (active, or disabled)
// against the simulator while it runs: every account must then carry
// exactly the desired links. A check counts only when nothing was queued
// meanwhile (the same latest operation, still settled, before and after
// the simulator was read); errors (a restarting service) are skipped.
type statusPoller struct {
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	seen    int
	bad     int
	example string
}

func startStatusPoller(base string, f *harness.Fleet) *statusPoller {
	p := &statusPoller{stop: make(chan struct{}), done: make(chan struct{})}
	c := harness.NewClient(base)
	go func() {
		defer close(p.done)
		ctx := context.Background()
		for {
			select {
			case <-p.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if c.Token == "" && c.Login(ctx) != nil {
				continue
			}
			p.check(ctx, c, f)
		}
	}()
	return p
}

func settled(st links.ApplicationStatus) bool {
	return st.State == links.StateActive || st.State == links.StateDisabled
}

func latestOp(st links.ApplicationStatus) int64 {
	if st.Operation == nil {
		return 0
	}
	return st.Operation.ID
}

func (p *statusPoller) check(ctx context.Context, c *harness.Client, f *harness.Fleet) {
	before, err := c.Status(ctx, "cpanel")
	if err != nil || !settled(before) {
		return
	}
	apps, err := c.DesiredApps(ctx, "cpanel")
	if err != nil {
		return
	}
	_, bad, mism := harness.VerifyLinks(f, apps, 1)
	after, err := c.Status(ctx, "cpanel")
	if err != nil || after.State != before.State || latestOp(after) != latestOp(before) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen++
	if bad > 0 {
		p.bad++
		if p.example == "" {
			p.example = before.State + ": " + mism[0].String()
		}
	}
}

// end stops the poller and returns the settled statuses checked, those
// seen while an account was out of date, and an example of one.
func (p *statusPoller) end() (int, int, string) {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen, p.bad, p.example
}
