package provisioning

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/applinks/applinks/api/links"
)

// sendsOnly is a panel that builds its requests as it sends them (no
// Preparer), recording what it was asked.
type sendsOnly struct {
	links.Panel
	pushed  []links.PushRequest
	removed []links.RemoveRequest
}

func (p *sendsOnly) PushLinks(_ context.Context, _ links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	p.pushed = append(p.pushed, req)
	return []links.AccountResult{{Username: req.Accounts[0].Username}}, nil
}

func (p *sendsOnly) RemoveLinks(_ context.Context, _ links.ServerConn, req links.RemoveRequest) ([]links.AccountResult, error) {
	p.removed = append(p.removed, req)
	return nil, errors.New("panel down")
}

// A panel that cannot prepare still gets its requests through prepare:
// each Run sends once (a retry sends again), and every send is timed.
func TestPrepareFallsBackToSending(t *testing.T) {
	inner := &sendsOnly{}
	m := newMetrics(nil)
	e := &Engine{metrics: m}
	for _, p := range []links.Panel{inner, &timedPanel{Panel: inner, m: m}} {
		inner.pushed, inner.removed = nil, nil
		push := e.prepare(p, links.ServerConn{}, plan{push: &links.PushRequest{}}, []links.PushAccount{{Username: "alice", Creds: links.AccountCreds{Username: "alice"}}})
		if len(inner.pushed) != 0 {
			t.Fatal("preparing sent the request")
		}
		for range 2 {
			res, err := push.Run(context.Background())
			if err != nil || len(res) != 1 || res[0].Username != "alice" {
				t.Fatalf("Run = %v, %v", res, err)
			}
		}
		if len(inner.pushed) != 2 || inner.pushed[1].Accounts[0].Username != "alice" {
			t.Fatalf("pushed %+v", inner.pushed)
		}
		remove := e.prepare(p, links.ServerConn{}, plan{remove: &links.RemoveRequest{GroupID: "g"}}, []links.PushAccount{{Username: "bob"}})
		if _, err := remove.Run(context.Background()); err == nil || len(inner.removed) != 1 || inner.removed[0].Usernames[0] != "bob" {
			t.Fatalf("removal: err %v, removed %+v", err, inner.removed)
		}
	}
	// Every send is timed, whether the panel came wrapped or not: two
	// pushes and one removal, twice.
	for _, c := range []struct {
		fn, outcome string
		want        uint64
	}{{"push_links", "ok", 4}, {"remove_links", "error", 2}} {
		var d dto.Metric
		if err := m.whmCalls.WithLabelValues(c.fn, c.outcome).(prometheus.Metric).Write(&d); err != nil {
			t.Fatal(err)
		}
		if got := d.GetHistogram().GetSampleCount(); got != c.want {
			t.Errorf("%s %s timed %d times, want %d", c.fn, c.outcome, got, c.want)
		}
	}
}
