package main

import (
	"strings"
	"testing"
	"time"
)

// TestLatencyScenarios: the realistic scenario's panels answer in 250 ms
// +-20% (the simulator draws an extra delay in [0, Jitter] on top of
// Latency), the 50 ms one stays as it was, and both are -only names.
func TestLatencyScenarios(t *testing.T) {
	f := latencyScenarios["latency250"].faults()
	if f.Latency != 200*time.Millisecond || f.Latency+f.Jitter != 300*time.Millisecond {
		t.Errorf("latency250 answers in [%s, %s], want [200ms, 300ms]", f.Latency, f.Latency+f.Jitter)
	}
	if f := latencyScenarios["latency"].faults(); f.Latency != 50*time.Millisecond || f.Jitter != 0 {
		t.Errorf("latency answers in %s + up to %s, want 50ms flat", f.Latency, f.Jitter)
	}
	for name := range latencyScenarios {
		if !strings.Contains(strings.Join(scenarios, ","), name) {
			t.Errorf("scenario %q is not selectable with -only", name)
		}
	}
}

// TestLatencyReportNamesBothScenarios: the report shows each scenario's
// ratio against its lower bound, its own target, and the nominal bound.
func TestLatencyReportNamesBothScenarios(t *testing.T) {
	r := Report{Latency: []LatencyResult{
		{Scenario: "latency", Database: "sqlite", Servers: 20, AccountsPerServer: 100, Cap: 4, LatencyMS: 50, Target: 1.3, LowerBoundMS: 200, Ratio: 1.2, NominalBoundMS: 200, NominalRatio: 1.2},
		{Scenario: "latency250", Database: "sqlite", Servers: 20, AccountsPerServer: 100, Cap: 4, LatencyMS: 250, JitterPct: 20, Target: 1.1, LowerBoundMS: 1000, Ratio: 1.08, NominalBoundMS: 750, NominalRatio: 1.44},
	}}
	md := r.markdown()
	for _, want := range []string{"| 50 ms | sqlite |", "| 250 ms +-20% | sqlite |", "| 1000 ms | **1.08** | 1.1 | 750 ms, 1.44 |", "| 200 ms | **1.20** | 1.3 | 200 ms, 1.20 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
}

// TestIdealMakespan: the lower bound is the slowest server's greedy
// schedule of its answer times with cap slots: flat answers give
// ceil(requests / cap) rounds; jittered ones the slot that ends last.
func TestIdealMakespan(t *testing.T) {
	ms := time.Millisecond
	flat := make([]time.Duration, 10)
	for i := range flat {
		flat[i] = 50 * ms
	}
	if got := idealMakespan([][]time.Duration{flat, flat[:4]}, 4); got != 150*ms {
		t.Errorf("10 and 4 requests of 50 ms, cap 4: %s, want 150ms", got)
	}
	// Each request goes to the slot that frees first:
	// 300 | 200+200 | 200+300 | 250+250.
	jittered := []time.Duration{300 * ms, 200 * ms, 200 * ms, 250 * ms, 200 * ms, 300 * ms, 250 * ms}
	if got := idealMakespan([][]time.Duration{jittered}, 4); got != 500*ms {
		t.Errorf("jittered: %s, want 500ms", got)
	}
	if got := idealMakespan(nil, 4); got != 0 {
		t.Errorf("no servers: %s", got)
	}
}
