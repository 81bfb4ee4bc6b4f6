package whmsim

import (
	"testing"
	"time"
)

// TestJitterIsUniformAndSeeded: the extra delay stays in [0, max], spreads
// over the range, and a fleet started again with the same seed draws the
// same delays (the latency-bound bench relies on it to repeat its runs).
func TestJitterIsUniformAndSeeded(t *testing.T) {
	draws := func(seed uint64) []time.Duration {
		sim := New(nil, WithSeed(seed))
		t.Cleanup(func() { _ = sim.Close() })
		srv, err := sim.Start(ServerConfig{Name: "jit-1", Token: "ROOTTOKEN-jitter-0123456789"})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]time.Duration, 2000)
		for i := range out {
			out[i] = srv.jitter(100 * time.Millisecond)
		}
		return out
	}
	a, b, c := draws(1), draws(1), draws(2)
	var low, high int
	for i, d := range a {
		if d < 0 || d > 100*time.Millisecond {
			t.Fatalf("draw %d = %s, outside [0, 100ms]", i, d)
		}
		if d < 25*time.Millisecond {
			low++
		}
		if d > 75*time.Millisecond {
			high++
		}
		if d != b[i] {
			t.Fatalf("draw %d differs with the same seed: %s, %s", i, d, b[i])
		}
	}
	// A uniform draw puts a quarter in each end: 500 of 2000, give or take.
	if low < 400 || low > 600 || high < 400 || high > 600 {
		t.Errorf("%d draws under 25 ms and %d over 75 ms of 2000: not uniform", low, high)
	}
	same := 0
	for i := range a {
		if a[i] == c[i] {
			same++
		}
	}
	if same > 10 {
		t.Errorf("seeds 1 and 2 drew %d equal delays of 2000", same)
	}
	if srv := (&Server{}); srv.jitter(0) != 0 {
		t.Error("no jitter drew a delay")
	}
}
