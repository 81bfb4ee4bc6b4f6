package harness

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// LoadResult summarises one load phase. Throughput counts successful
// requests only and latencies (milliseconds) are those of successful requests;
// errors are counted apart.
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
	lat      []time.Duration // successful requests only
	errs     int
	firstErr string
}

func (r *recorder) add(d time.Duration, err error) {
	r.mu.Lock()
	if err == nil {
		r.lat = append(r.lat, d)
	} else {
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
	res := LoadResult{Name: name, Mode: mode, Requests: len(lat) + r.errs, Errors: r.errs, Seconds: elapsed.Seconds(), FirstError: r.firstErr}
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
// maxRequests: a dispatcher schedules request i at start + i/rate and a pool
// of workers goroutines sends them. Latency is measured from each request's
// scheduled time, so a stall of the service shows in the figures (queued
// requests wait) instead of slowing the sender: no coordinated omission.
// When more than 10,000 requests are waiting, the rest count as errors.
func Paced(ctx context.Context, name string, rate float64, maxRequests, workers int, duration time.Duration, op Op) LoadResult {
	ctx, cancel := context.WithTimeout(ctx, duration+30*time.Second)
	defer cancel()
	rec := &recorder{}
	interval := time.Duration(float64(time.Second) / rate)
	type job struct {
		i  int
		at time.Time
	}
	queue := make(chan job, 10000)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range queue {
				if ctx.Err() != nil {
					continue
				}
				err := op(ctx, j.i)
				rec.add(time.Since(j.at), err)
			}
		})
	}
	start := time.Now()
	for i := 0; i < maxRequests && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= duration {
			break
		}
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		select {
		case queue <- job{i, at}:
		default:
			rec.add(0, errOverload)
		}
	}
	close(queue)
	wg.Wait()
	res := rec.result(name, "paced", time.Since(start))
	res.TargetRate = rate
	res.Workers = workers
	return res
}

type loadError string

func (e loadError) Error() string { return string(e) }

const errOverload = loadError("too many requests in flight: the target rate is above what the service answers")
