package provisioning

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/applinks/applinks/api/links"
)

// fakePanel answers pushes and fails removals and checks.
type fakePanel struct{ links.Panel }

func (fakePanel) PushLinks(_ context.Context, _ links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	return []links.AccountResult{{Username: req.Accounts[0].Username}}, nil
}

func (fakePanel) RemoveLinks(context.Context, links.ServerConn, links.RemoveRequest) ([]links.AccountResult, error) {
	return nil, errors.New("panel down")
}

func (fakePanel) CheckSupport(context.Context, links.ServerConn) (links.Support, error) {
	return links.Support{}, errors.New("panel down")
}

// Every panel call the engine makes is timed, by function and outcome.
func TestPanelCallsAreTimed(t *testing.T) {
	m := newMetrics(nil)
	p := &timedPanel{Panel: fakePanel{}, m: m}
	ctx := context.Background()
	for range 2 {
		if res, err := p.PushLinks(ctx, links.ServerConn{}, links.PushRequest{Accounts: []links.AccountCreds{{Username: "alice"}}}); err != nil || res[0].Username != "alice" {
			t.Fatalf("PushLinks = %v, %v", res, err)
		}
	}
	if _, err := p.RemoveLinks(ctx, links.ServerConn{}, links.RemoveRequest{}); err == nil {
		t.Fatal("the removal's error was lost")
	}
	if _, err := p.CheckSupport(ctx, links.ServerConn{}); err == nil {
		t.Fatal("the check's error was lost")
	}
	for _, c := range []struct {
		fn, outcome string
		want        uint64
	}{{"push_links", "ok", 2}, {"remove_links", "error", 1}, {"check_support", "error", 1}, {"push_links", "error", 0}} {
		var d dto.Metric
		if err := m.whmCalls.WithLabelValues(c.fn, c.outcome).(prometheus.Metric).Write(&d); err != nil {
			t.Fatal(err)
		}
		if got := d.GetHistogram().GetSampleCount(); got != c.want {
			t.Errorf("%s %s timed %d times, want %d", c.fn, c.outcome, got, c.want)
		}
	}
}
