package provisioning_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

func TestRefusedAccountsAreWarningsAndTheRestSucceed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 10,
			faults: whmsim.Faults{RefuseAccounts: []string{"cpau003", "cpau007"}}})
		e, reg, op := enableMetered(t, st)
		// Each refusal is a warning; the account is tried MaxAttempts (3)
		// times with a backoff, then it is terminal.
		d := waitOp(t, st, op.ID)
		if d.AccountsDone != 8 || d.AccountsFailed != 2 || d.Warnings != 6 {
			t.Fatalf("operation = %+v", d.Operation)
		}
		warns := logOf(t, st, op.ID, links.LevelWarning)
		final := 0
		for _, wn := range warns {
			if !strings.HasPrefix(wn.Message, "Account cpau00") || !strings.Contains(wn.Message, " on server cpa was refused") ||
				!strings.Contains(wn.Message, "You do not have access") || strings.Contains(wn.Message, "TOKEN") ||
				(!strings.Contains(wn.Message, "cpau003") && !strings.Contains(wn.Message, "cpau007")) || wn.ServiceID == nil || *wn.ServerID != w.ids["cpa"] {
				t.Errorf("warning = %+v", wn)
			}
			if strings.HasSuffix(wn.Message, "(gave up after 3 attempts).") {
				final++
			}
		}
		if final != 2 {
			t.Errorf("%d final warnings, want 2: %+v", final, warns)
		}
		if s, _ := waitStatus(t, e, links.StateActive); s.AccountsFailed != 2 || s.AccountsPending != 0 {
			t.Errorf("status = %+v, want active with 2 accounts failed", s)
		}
		delete(w.services, "cpau003")
		delete(w.services, "cpau007")
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa")

		if got := counter(t, reg, "applinks_provisioning_accounts_total", "failed"); got != 2 {
			t.Errorf("failed accounts metric = %v", got)
		}
		if got := counter(t, reg, "applinks_provisioning_accounts_total", "pushed"); got != 8 {
			t.Errorf("pushed accounts metric = %v", got)
		}
		waitFor(t, func() bool { return gathered(t, reg, "applinks_provisioning_operations_total") == 1 })
		if gathered(t, reg, "applinks_whm_call_duration_seconds") == 0 {
			t.Error("no WHM call latency observed")
		}
	})
}

// The queue depth counts the servers behind their wanted generation: one
// given up (its panel fails) stays counted until a later pass brings it up
// to date.
func TestTheQueueDepthCountsAServerGivenUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 3}, srvSpec{name: "cpb", accounts: 3})
		if err := w.servers["cpb"].SetFaults(whmsim.Faults{HTTP500Rate: 1}); err != nil {
			t.Fatal(err)
		}
		e, reg, op := enableMetered(t, st)
		waitOp(t, st, op.ID)
		waitFor(t, func() bool { return gathered(t, reg, "applinks_provisioning_queue_depth") == 1 })
		if err := w.servers["cpb"].SetFaults(whmsim.Faults{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { return gathered(t, reg, "applinks_provisioning_queue_depth") == 0 })
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa", "cpb")
	})
}

// enableMetered starts an engine (testConfig) whose metrics a registry
// collects, stopped when the test ends, and enables cPanel's links.
func enableMetered(t *testing.T, st *store.Store) (*provisioning.Engine, *prometheus.Registry, links.Operation) {
	t.Helper()
	reg := prometheus.NewRegistry()
	e := provisioning.New(testConfig(), st, panels(), quiet, reg)
	e.Start(context.Background())
	t.Cleanup(func() { _ = e.Stop(context.Background()) })
	op, err := e.Enable(context.Background(), links.ModuleCPanel, "")
	if err != nil {
		t.Fatal(err)
	}
	return e, reg, op
}

// counter returns the cpanel sample of a counter family with the result label.
func counter(t *testing.T, reg *prometheus.Registry, name, result string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			if labels["module"] == "cpanel" && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// gathered counts the samples of a family: histogram observations, counter
// totals and gauge values.
func gathered(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, f := range fams {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				n += m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount()) + m.GetGauge().GetValue()
			}
		}
	}
	return n
}
