package harness

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// LoadResult summarises one load phase. Latencies are in milliseconds.
type LoadResult struct {
	Name       string  `json:"name"`
	Mode       string  `json:"mode"` // closed or paced
	Workers    int     `json:"workers,omitempty"`
	TargetRate float64 `json:"target_rate,omitempty"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	Throughput float64 `json:"throughput_per_s"`
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	P999       float64 `json:"p999_ms"`
	Max        float64 `json:"max_ms"`
	FirstError string  `json:"first_error,omitempty"`
}

// Op is one request of a load phase; i numbers it from 0.
type Op func(ctx context.Context, i int) error

type recorder struct {
	mu       sync.Mutex
	lat      []time.Duration
	errs     int
	firstErr string
}

func (r *recorder) add(d time.Duration, err error) {
	r.mu.Lock()
	r.lat = append(r.lat, d)
	if err != nil {
		r.errs++
		if r.firstErr == "" {
			r.firstErr = err.Error()
		}
	}
	r.mu.Unlock()
}

func (r *recorder) result(name, mode string, elapsed time.Duration) LoadResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	lat := slices.Clone(r.lat)
	slices.Sort(lat)
	res := LoadResult{Name: name, Mode: mode, Requests: len(lat), Errors: r.errs, Seconds: elapsed.Seconds(), FirstError: r.firstErr}
	if elapsed > 0 {
		res.Throughput = float64(len(lat)) / elapsed.Seconds()
	}
	res.P50, res.P99, res.P999 = Percentile(lat, 0.50), Percentile(lat, 0.99), Percentile(lat, 0.999)
	if len(lat) > 0 {
		res.Max = ms(lat[len(lat)-1])
	}
	return res
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Percentile returns the q-quantile (nearest rank) of sorted latencies in ms.
func Percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return ms(sorted[i])
}

// Closed runs op from workers goroutines back to back (a closed loop: each
// worker sends its next request when the previous one answered) until
// maxRequests were sent or duration passed, whichever is first.
func Closed(ctx context.Context, name string, workers, maxRequests int, duration time.Duration, op Op) LoadResult {
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var next atomic.Int64
	rec := &recorder{lat: make([]time.Duration, 0, min(maxRequests, 1<<20))}
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= maxRequests {
					return
				}
				t := time.Now()
				err := op(ctx, i)
				if ctx.Err() != nil && err != nil {
					return // cut off by the deadline: not a sample
				}
				rec.add(time.Since(t), err)
			}
		})
	}
	wg.Wait()
	res := rec.result(name, "closed", time.Since(start))
	res.Workers = workers
	return res
}

// Paced sends op at a fixed rate (an open loop) for duration, at most
// maxRequests, each from its own goroutine; latency is measured from the
// request's scheduled time, so a stall shows in the figures instead of
// slowing the sender (no coordinated omission). At most maxInFlight requests
// are outstanding; beyond that a request counts as an error.
func Paced(ctx context.Context, name string, rate float64, maxRequests, maxInFlight int, duration time.Duration, op Op) LoadResult {
	ctx, cancel := context.WithTimeout(ctx, duration+30*time.Second)
	defer cancel()
	rec := &recorder{}
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	for i := 0; i < maxRequests; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= duration {
			break
		}
		if d := time.Until(at); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		default:
			rec.add(time.Since(at), errOverload)
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			err := op(ctx, i)
			rec.add(time.Since(at), err)
		})
	}
	wg.Wait()
	res := rec.result(name, "paced", time.Since(start))
	res.TargetRate = rate
	return res
}

type loadError string

func (e loadError) Error() string { return string(e) }

const errOverload = loadError("too many requests in flight: the target rate is above what the service answers")
