package provisioning

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// transient is a transport failure worth retrying.
type transient struct{}

func (transient) Error() string   { return "connection reset" }
func (transient) Temporary() bool { return true }

// Every try of a panel call is timed, by function and outcome; transport
// failures are tried again, refusals are not.
func TestPanelCallsAreTimed(t *testing.T) {
	e := New(Config{MaxAttempts: 3, RetryBase: time.Millisecond}, nil, nil, nil, nil)
	w := &worker{e: e}
	ctx := context.Background()
	tries := 0
	got, err := retry(ctx, w, "push_links", e.cfg.MaxAttempts, func(context.Context) (string, error) {
		if tries++; tries < 3 {
			return "", transient{}
		}
		return "alice", nil
	})
	if err != nil || got != "alice" || tries != 3 {
		t.Fatalf("retry = %q, %v after %d tries, want alice after 3", got, err, tries)
	}
	tries = 0
	if _, err := retry(ctx, w, "remove_links", e.cfg.MaxAttempts, func(context.Context) (int, error) { tries++; return 0, errors.New("refused") }); err == nil || tries != 1 {
		t.Fatalf("a refusal was tried %d times (err %v), want once", tries, err)
	}
	for _, c := range []struct {
		fn, outcome string
		want        uint64
	}{{"push_links", "ok", 1}, {"push_links", "error", 2}, {"remove_links", "error", 1}, {"remove_links", "ok", 0}} {
		var d dto.Metric
		if err := e.metrics.whmCalls.WithLabelValues(c.fn, c.outcome).(prometheus.Metric).Write(&d); err != nil {
			t.Fatal(err)
		}
		if got := d.GetHistogram().GetSampleCount(); got != c.want {
			t.Errorf("%s %s timed %d times, want %d", c.fn, c.outcome, got, c.want)
		}
	}
}
