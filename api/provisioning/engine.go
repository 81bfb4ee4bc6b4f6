// Package provisioning keeps the application links of every account equal
// to their desired state: a level-triggered reconciler. Intents (enable,
// configure, disable, repair, a service or a server changed: see
// api/applications and api/store) only bump the wanted generation of the
// servers concerned; a scheduler claims the servers
// behind their generation through leases in the database, and one worker per
// claimed server pushes or removes the links of the accounts out of date,
// recording each panel answer in one fenced transaction. Operations stay as
// the human record: a kind, a progress row per server and the four-level
// log a dashboard polls (read and written through api/applications).
//
// Several processes may share one database: each server is worked by one
// lease holder at a time; a dead holder's lease expires and the server is
// taken over where its records left it.
package provisioning

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/applinks/applinks/api/applications"
	"github.com/applinks/applinks/api/links"
)

// Store is what the engine (and the applications it serves) needs from
// the database.
type Store interface {
	applications.Store

	CompleteOperation(ctx context.Context, opID int64, entries func(op links.Operation) []links.LogEntry) (links.Operation, bool, error)
	FinishableOperations(ctx context.Context) ([]int64, error)
	PendingServers(ctx context.Context) (int64, error)

	DueServers(ctx context.Context, limit int) ([]int64, error)
	ClaimServer(ctx context.Context, serverID int64, owner string, ttl time.Duration) (bool, error)
	RenewServerLease(ctx context.Context, serverID int64, owner string, ttl time.Duration) error
	ReleaseServer(ctx context.Context, serverID int64, owner string) error
	ServerWork(ctx context.Context, id int64) (links.ServerWork, error)
	ConfigFingerprint(ctx context.Context, module string) (string, error)
	HoldConfig(ctx context.Context, configFP string, renewBefore, staleBefore time.Time) (bool, error)
	SetServerSupport(ctx context.Context, id int64, sup links.Support, at time.Time) error
	OpenTask(ctx context.Context, serverID int64) (*links.ProgressTask, error)
	LinkStatePage(ctx context.Context, w links.Walk, after string, limit int) ([]links.LinkState, error)
	CountWalk(ctx context.Context, w links.Walk) (int, error)
	OpenLinkToken(serviceID int64, sealed string) (string, error)
	RecordBatch(ctx context.Context, ttl time.Duration, b links.BatchRecord) (int, error)
	RotateServer(ctx context.Context, serverID int64, owner string, ttl time.Duration) error
}

// Config holds the engine's settings; zero values take the defaults.
type Config struct {
	// Workers bounds the servers worked at once per process (default 16).
	Workers int
	// PerServerCap bounds the WHM requests in flight to one server (default 4).
	PerServerCap int
	// BatchSize is the number of accounts per WHM batch (default 10).
	BatchSize int
	// LeaseTTL is how long a claim lasts without a heartbeat (default 30s).
	LeaseTTL time.Duration
	// MaxAttempts bounds the tries of one WHM request on transport
	// failures, and the attempts at an account the panel refuses before it
	// is terminal (default 4).
	MaxAttempts int
	// RetryBase is the first backoff between tries, doubled each time
	// (default 500ms, at most a minute).
	RetryBase time.Duration
	// LinkPrefix names the apps (<prefix>_<key>) and the group (default billing).
	LinkPrefix string
	// GroupLabel is the label of the group (default "Billing & Support").
	GroupLabel string
	// PublicURL is this service's origin, e.g. https://billing.example.com.
	PublicURL string
	// LogRetention: operations finished longer ago are purged (default 90 days).
	LogRetention time.Duration
	// PollInterval is how often the scheduler looks for due servers
	// (default 1s); changes made through this process wake it at once.
	PollInterval time.Duration
	// VerifyInterval is how often each enabled application is verified
	// (drift read back and repaired); zero turns the periodic verify off.
	VerifyInterval time.Duration
	// VerifyTicks, when set, delivers the times at which the scheduler
	// checks for a periodic verify due (tests drive it); by default a
	// ticker every VerifyInterval/10, at most hourly.
	VerifyTicks <-chan time.Time
	// OnLease, when set, hears every server lease taken (held) and given up;
	// tests use it to prove one holder per server.
	OnLease func(serverID int64, owner string, held bool)
}

func (c *Config) defaults() {
	orDefault(&c.Workers, 16)
	orDefault(&c.PerServerCap, 4)
	orDefault(&c.BatchSize, 10)
	orDefault(&c.LeaseTTL, 30*time.Second)
	orDefault(&c.MaxAttempts, 4)
	orDefault(&c.RetryBase, 500*time.Millisecond)
	orDefault(&c.LogRetention, 90*24*time.Hour)
	orDefault(&c.PollInterval, time.Second)
	c.LinkPrefix = cmp.Or(c.LinkPrefix, "billing")
	c.GroupLabel = cmp.Or(c.GroupLabel, "Billing & Support")
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
}

// orDefault sets a setting that is not positive to its default.
func orDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Engine reconciles the servers. Build it with New, then Start it; Stop
// drains it. It embeds the applications (api/applications: the reads and
// the intents, which wake it), so that one value serves the API.
type Engine struct {
	*applications.Service
	cfg     Config
	store   Store
	panels  map[string]links.Panel
	logger  *slog.Logger
	metrics *metrics
	owner   string
	config  string // links.ConfigFingerprint of this process
	claims  atomic.Int64

	wake  chan struct{}
	slots chan struct{} // one per server being worked

	mu      sync.Mutex
	started bool
	halt    context.Context // done once Stop was called: no new claim, no new pass
	stop    context.CancelFunc
	cancel  context.CancelFunc
	workers sync.WaitGroup
	done    chan struct{} // closed once the scheduler and its workers ended
}

// New builds an engine over the store and the panels (one per application
// module). reg, when set, collects its Prometheus metrics.
func New(cfg Config, store Store, panels []links.Panel, logger *slog.Logger, reg prometheus.Registerer) *Engine {
	cfg.defaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	e := &Engine{
		cfg: cfg, store: store, panels: map[string]links.Panel{},
		logger: logger.With("component", "provisioning"), metrics: newMetrics(reg),
		owner: fmt.Sprintf("%.40s-%d-%s", host, os.Getpid(), hex.EncodeToString(buf)),
		wake:  make(chan struct{}, 1), slots: make(chan struct{}, cfg.Workers), done: make(chan struct{}),
	}
	e.halt, e.stop = context.WithCancel(context.Background())
	e.config = links.ConfigFingerprint(cfg.PublicURL, cfg.LinkPrefix, cfg.GroupLabel)
	e.Service = applications.New(store, e.fingerprint, e.config, e.poke)
	for _, p := range panels {
		e.panels[p.Module()] = p
	}
	return e
}

// Start launches the scheduler. Cancelling ctx aborts all work at once,
// without giving up leases (as a crash would); Stop is the graceful way.
func (e *Engine) Start(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return
	}
	e.started = true
	ctx, e.cancel = context.WithCancel(ctx)
	go e.schedule(ctx)
}

// Stop stops claiming, lets every worker end after its in-flight requests
// and give up its lease, and waits for that until ctx is done; then it
// aborts what is left (those leases expire and another process resumes).
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	started := e.started
	e.mu.Unlock()
	if !started {
		return nil
	}
	defer e.cancel()
	e.stop()
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		e.cancel()
		<-e.done
		return fmt.Errorf("provisioning: stop: in-flight work did not end in time: %w", ctx.Err())
	}
}

// poke wakes the scheduler.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// schedule settles the applications (stores the engine's start, again at
// every tick until that succeeded), then claims due servers on every tick
// and poke, completes the operations left without open rows, opens
// the periodic verifies and purges the old operations now and then.
func (e *Engine) schedule(ctx context.Context) {
	defer close(e.done)
	defer e.sweep(ctx) // completes what the draining workers ended
	defer e.workers.Wait()
	settled := e.settle(ctx)
	started := time.Now()
	tick := time.NewTicker(e.cfg.PollInterval)
	defer tick.Stop()
	purge := time.NewTicker(max(min(e.cfg.LogRetention/10, time.Hour), time.Second))
	defer purge.Stop()
	e.purge(ctx)
	var verify <-chan time.Time // nil (never) when the periodic verify is off
	if e.cfg.VerifyInterval > 0 {
		verify = e.cfg.VerifyTicks
		if verify == nil {
			t := time.NewTicker(max(min(e.cfg.VerifyInterval/10, time.Hour), 10*time.Millisecond))
			defer t.Stop()
			verify = t.C
		}
	}
	for {
		// Until the start is stored, a changed configuration has woken no
		// server, and this process's workers leave the servers alone (see
		// worker.leave): it is tried again at every tick.
		settled = settled || e.settle(ctx)
		e.claimDue(ctx)
		e.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-e.halt.Done():
			return
		case <-purge.C:
			e.purge(ctx)
		case now := <-verify:
			if err := e.VerifyDue(ctx, e.cfg.VerifyInterval, started, now); err != nil && ctx.Err() == nil {
				e.logger.Warn("periodic verify", "err", err)
			}
		case <-tick.C:
			e.holdConfig(ctx)
		case <-e.wake:
		}
	}
}

// settle stores the engine's start (applications.Service.Init); false when
// it failed.
func (e *Engine) settle(ctx context.Context) bool {
	err := e.Init(ctx)
	if err != nil && ctx.Err() == nil {
		e.logger.Warn("settle the applications", "err", err)
	}
	return err == nil
}

// holdConfig says in the database that a process with this configuration
// is alive, and takes the configuration over (stores its start again,
// waking every server) when the one stored is no live process's: the
// processes that had it stopped (a rolled-back update), and the others
// would leave the servers to nobody (see worker.leave).
func (e *Engine) holdConfig(ctx context.Context) {
	now := time.Now()
	stale, err := e.store.HoldConfig(ctx, e.config, now.Add(-e.cfg.LeaseTTL), now.Add(-3*e.cfg.LeaseTTL))
	if err != nil && ctx.Err() == nil {
		e.logger.Warn("hold the configuration", "err", err)
	}
	if stale {
		e.logger.Warn("the configuration stored by another process is held by none: this process stores its own")
		e.settle(ctx)
	}
}

// fingerprint is the application part of the desired state.
func (e *Engine) fingerprint(enabled bool, settings []links.LinkSetting) string {
	return links.DesiredApp(enabled, settings, e.cfg.PublicURL, e.cfg.LinkPrefix, e.cfg.GroupLabel).FP
}

// claimDue claims due servers while worker slots are free, and starts a
// worker for each.
func (e *Engine) claimDue(ctx context.Context) {
	free := cap(e.slots) - len(e.slots)
	if free == 0 || e.halt.Err() != nil || ctx.Err() != nil {
		return
	}
	ids, err := e.store.DueServers(ctx, free)
	if err != nil && ctx.Err() == nil {
		e.logger.Warn("find due servers", "err", err)
	}
	for _, id := range ids {
		e.slots <- struct{}{} // only this goroutine takes slots: one is free
		owner := fmt.Sprintf("%s-%d", e.owner, e.claims.Add(1))
		// A claim can be won with an error (the server's wake-up not
		// cleared): the lease is held, so the server is worked.
		won, err := e.store.ClaimServer(ctx, id, owner, e.cfg.LeaseTTL)
		if err != nil && ctx.Err() == nil {
			e.logger.Warn("claim a server", "server", id, "err", err)
		}
		if !won {
			<-e.slots
			continue
		}
		if e.cfg.OnLease != nil {
			e.cfg.OnLease(id, owner, true)
		}
		e.workers.Go(func() {
			defer e.poke()
			defer func() { <-e.slots }()
			e.work(ctx, id, owner)
		})
	}
}

// sweep completes the operations left without open progress rows (a worker
// that ends one pokes the scheduler; a dead worker's are taken over, and an
// operation without a server has none) and refreshes the queue depth.
func (e *Engine) sweep(ctx context.Context) {
	ids, err := e.store.FinishableOperations(ctx)
	if err != nil {
		return
	}
	for _, id := range ids {
		op, won, err := e.store.CompleteOperation(ctx, id, applications.EndEntries)
		if err != nil {
			e.logger.Warn("complete operation", "operation", id, "err", err)
		} else if won {
			e.metrics.operations.WithLabelValues(op.Kind, links.OpCompleted).Inc()
			e.Forget(op.Module)
		}
	}
	if n, err := e.store.PendingServers(ctx); err == nil {
		e.metrics.queueDepth.Set(float64(n))
	}
}

func (e *Engine) purge(ctx context.Context) {
	if err := e.Purge(ctx, time.Now().Add(-e.cfg.LogRetention)); err != nil && ctx.Err() == nil {
		e.logger.Warn("purge old operations", "err", err)
	}
}

// entry is a log entry about a server (links.LinkState.Entry: about one of
// its accounts).
func entry(level string, serverID int64, msg string) links.LogEntry {
	return links.LogEntry{Level: level, ServerID: &serverID, Message: msg}
}
