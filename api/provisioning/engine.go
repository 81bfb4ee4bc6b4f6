// Package provisioning runs application links operations: it queues them as
// durable rows (activation, configuration, deactivation, repair and account
// sync), claims their server tasks through leases in the database, pushes or
// removes links through the panels with bounded concurrency, and keeps the
// four-level log and the progress a dashboard polls.
//
// Several processes may share one database: each server is worked by one
// lease holder at a time (across operations too), a dead holder's lease
// expires and its task is taken over from its committed cursor.
package provisioning

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/applinks/applinks/api/links"
)

// Store is what the engine needs from the database.
type Store interface {
	ApplicationSettings(ctx context.Context, module string) (bool, []links.LinkSetting, error)
	SaveLinkSettings(ctx context.Context, module string, settings []links.LinkSetting, op links.NewOperation) (*links.Operation, error)
	SetApplicationEnabled(ctx context.Context, module string, enabled bool, op links.NewOperation) (links.Operation, error)
	QueueOperation(ctx context.Context, op links.NewOperation) (links.Operation, error)

	ClaimTasks(ctx context.Context, owners []string, ttl time.Duration) ([]*links.ClaimedTask, error)
	RenewLease(ctx context.Context, taskID, serverID int64, owner string, ttl time.Duration) error
	ReleaseLease(ctx context.Context, taskID, serverID int64, owner string, retryAt time.Time, lastErr string) error
	CommitProgress(ctx context.Context, p links.TaskProgress) (string, error)
	CompleteOperation(ctx context.Context, opID int64, entries func(op links.Operation) []links.LogEntry) (links.Operation, bool, error)
	FinishableOperations(ctx context.Context) ([]int64, error)
	PendingTasks(ctx context.Context) (int64, error)
	PurgeOperations(ctx context.Context, before time.Time) (int64, error)

	Operation(ctx context.Context, id int64) (links.OperationDetail, error)
	ListOperations(ctx context.Context, f links.OperationFilter) ([]links.Operation, int64, error)
	LatestOperation(ctx context.Context, module string) (*links.Operation, error)
	ListLog(ctx context.Context, f links.LogFilter) ([]links.LogEntry, int64, error)

	PushAccounts(ctx context.Context, serverID, afterID int64, limit int) ([]links.PushAccount, error)
	PushAccount(ctx context.Context, serverID, serviceID int64) (*links.PushAccount, error)
	CountPushAccounts(ctx context.Context, serverID int64) (int, error)
	Server(ctx context.Context, id int64) (links.Server, error)
	ServerConn(ctx context.Context, id int64) (links.ServerConn, error)
}

// Config holds the engine's settings; zero values take the defaults.
type Config struct {
	// Workers bounds the server tasks worked at once and the WHM requests
	// in flight, per process (default 16).
	Workers int
	// PerServerCap bounds the WHM requests in flight to one server (default 4).
	PerServerCap int
	// BatchSize is the number of accounts per WHM batch (default 10).
	BatchSize int
	// Unbatched sends one WHM request per call instead of WHM batches; it
	// exists to measure what batching gains (bench), never for production.
	Unbatched bool
	// LeaseTTL is how long a claim lasts without a heartbeat (default 30s).
	LeaseTTL time.Duration
	// MaxAttempts bounds the tries of one WHM request on transport failures,
	// and the tries of a task whose worker failed (default 4).
	MaxAttempts int
	// RetryBase is the first backoff between tries, doubled each time
	// (default 500ms).
	RetryBase time.Duration
	// LinkPrefix names the apps (<prefix>_<key>) and the group (default billing).
	LinkPrefix string
	// GroupLabel is the label of the group (default "Billing & Support").
	GroupLabel string
	// PublicURL is this service's origin, e.g. https://billing.example.com.
	PublicURL string
	// LogRetention: operations finished longer ago are purged (default 90 days).
	LogRetention time.Duration
	// PollInterval is how often idle workers look for due tasks (default 1s);
	// new operations of this process wake them at once.
	PollInterval time.Duration
	// OnLease, when set, hears every server lease taken (held) and given up;
	// tests use it to prove one holder per server.
	OnLease func(serverID int64, owner string, held bool)
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.PerServerCap <= 0 {
		c.PerServerCap = 4
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 10
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 30 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 4
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 500 * time.Millisecond
	}
	if c.LinkPrefix == "" {
		c.LinkPrefix = "billing"
	}
	if c.GroupLabel == "" {
		c.GroupLabel = "Billing & Support"
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.LogRetention <= 0 {
		c.LogRetention = 90 * 24 * time.Hour
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
}

// Engine queues operations and works their server tasks. Build it with New,
// then Start it; Stop drains it.
type Engine struct {
	cfg     Config
	store   Store
	panels  map[string]links.Panel
	logger  *slog.Logger
	metrics *metrics
	owner   string
	claims  atomic.Int64
	// sweepWanted asks the claim loop for a sweep at its next wake-up.
	sweepWanted atomic.Bool

	wake     chan struct{}
	slots    chan struct{} // one per task being worked
	requests chan struct{} // one per WHM request in flight
	prep     chan struct{} // one per request being built ahead (see background)

	mu       sync.Mutex
	started  bool
	stopping chan struct{}
	workCtx  context.Context
	cancel   context.CancelFunc
	loops    sync.WaitGroup
	tasks    sync.WaitGroup

	statusMu    sync.Mutex
	statusCache map[string]cachedStatus
	// statusGen counts forgetStatus calls, so that a status read before a
	// change is not cached after it.
	statusGen uint64
}

type cachedStatus struct {
	at     time.Time
	status links.ApplicationStatus
}

// New builds an engine over the store and the panels (one per application
// module). reg, when set, collects its Prometheus metrics.
func New(cfg Config, store Store, panels []links.Panel, logger *slog.Logger, reg prometheus.Registerer) *Engine {
	cfg.defaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	if len(host) > 40 {
		host = host[:40]
	}
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	e := &Engine{
		cfg: cfg, store: store, panels: map[string]links.Panel{}, logger: logger.With("component", "provisioning"),
		metrics: newMetrics(reg), owner: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(buf)),
		wake: make(chan struct{}, 1), slots: make(chan struct{}, cfg.Workers),
		requests: make(chan struct{}, cfg.Workers), stopping: make(chan struct{}),
		statusCache: map[string]cachedStatus{},
		prep:        make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1)),
	}
	for _, p := range panels {
		e.panels[p.Module()] = &timedPanel{Panel: p, m: e.metrics}
	}
	return e
}

// Start launches the claim loop, the sweeper of finished operations and the
// retention purge. Cancelling ctx aborts all work at once, without giving up
// leases (as a crash would); Stop is the graceful way.
func (e *Engine) Start(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return
	}
	e.started = true
	e.workCtx, e.cancel = context.WithCancel(ctx)
	e.loops.Add(2)
	go e.claimLoop()
	go e.retentionLoop()
}

// Stop stops claiming, lets every task end after its in-flight batches and
// give up its lease, and waits for that until ctx is done; then it aborts
// what is left (those leases expire and another process resumes the tasks).
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	if !e.started {
		e.mu.Unlock()
		return nil
	}
	select {
	case <-e.stopping:
	default:
		close(e.stopping)
	}
	e.mu.Unlock()
	done := make(chan struct{})
	go func() { e.loops.Wait(); e.tasks.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("provisioning: stop: in-flight work did not end in time: %w", ctx.Err())
	}
	e.cancel()
	<-done
	return err
}

func (e *Engine) stopRequested() bool {
	select {
	case <-e.stopping:
		return true
	default:
		return false
	}
}

// poke wakes the claim loop.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *Engine) claimLoop() {
	defer e.loops.Done()
	ctx := e.workCtx
	tick := time.NewTicker(e.cfg.PollInterval)
	defer tick.Stop()
	// The sweep (operations left without open tasks, the queue depth) runs
	// on the ticks and after work is queued (an operation with no server to
	// work ends there); the wake-up of a task's end only claims.
	for sweep := true; ; {
		e.claimDue(ctx)
		if sweep {
			e.sweep(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-e.stopping:
			return
		case <-tick.C:
			sweep = true
		case <-e.wake:
			sweep = e.sweepWanted.Swap(false)
		}
	}
}

// claimBatch is the most claims one ClaimTasks call makes: they share one
// transaction, so an operation over many servers starts them all at once.
const claimBatch = 32

// claimDue claims due tasks while worker slots are free, as many at a time
// as there are free slots (at most claimBatch).
func (e *Engine) claimDue(ctx context.Context) {
	for !e.stopRequested() && ctx.Err() == nil {
		free := e.reserveSlots(claimBatch)
		if free == 0 {
			return
		}
		owners := make([]string, free)
		for i := range owners {
			owners[i] = fmt.Sprintf("%s-%d", e.owner, e.claims.Add(1))
		}
		cts, err := e.store.ClaimTasks(ctx, owners, e.cfg.LeaseTTL)
		if err != nil && ctx.Err() == nil {
			e.logger.Warn("claim server tasks", "err", err)
		}
		for range free - len(cts) {
			<-e.slots
		}
		for _, ct := range cts {
			e.startWork(ctx, ct)
		}
		if len(cts) < free {
			return // none left due
		}
	}
}

// reserveSlots takes up to n free worker slots and returns how many.
func (e *Engine) reserveSlots(n int) int {
	for i := range n {
		select {
		case e.slots <- struct{}{}:
		default:
			return i
		}
	}
	return n
}

// startWork works a claimed task in its (reserved) worker slot.
func (e *Engine) startWork(ctx context.Context, ct *links.ClaimedTask) {
	if e.cfg.OnLease != nil {
		e.cfg.OnLease(ct.Task.ServerID, ct.Owner, true)
	}
	e.tasks.Add(1)
	go func() {
		defer e.tasks.Done()
		defer func() { <-e.slots }()
		e.work(ctx, &claim{ClaimedTask: ct})
		e.poke()
	}()
}

// sweep completes operations left without open tasks and refreshes the
// queue depth.
func (e *Engine) sweep(ctx context.Context) {
	ids, err := e.store.FinishableOperations(ctx)
	if err != nil {
		return
	}
	for _, id := range ids {
		e.complete(ctx, id)
	}
	if n, err := e.store.PendingTasks(ctx); err == nil {
		e.metrics.queueDepth.Set(float64(n))
	}
}

func (e *Engine) retentionLoop() {
	defer e.loops.Done()
	every := min(e.cfg.LogRetention/10, time.Hour)
	tick := time.NewTicker(max(every, time.Second))
	defer tick.Stop()
	for {
		e.Purge(e.workCtx)
		select {
		case <-e.workCtx.Done():
			return
		case <-e.stopping:
			return
		case <-tick.C:
		}
	}
}

// Purge deletes the operations (and their tasks and log) that finished
// longer ago than the retention, and returns how many.
func (e *Engine) Purge(ctx context.Context) int64 {
	var total int64
	for ctx.Err() == nil {
		n, err := e.store.PurgeOperations(ctx, time.Now().Add(-e.cfg.LogRetention))
		if err != nil {
			e.logger.Warn("purge old operations", "err", err)
			break
		}
		total += n
		if n == 0 {
			break
		}
	}
	return total
}

// work runs one claimed task: heartbeat, the task, then the release.
func (e *Engine) work(ctx context.Context, ct *claim) {
	taskCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		t := time.NewTicker(e.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-taskCtx.Done():
				return
			case <-t.C:
				err := e.store.RenewLease(taskCtx, ct.Task.ID, ct.Task.ServerID, ct.Owner, e.cfg.LeaseTTL)
				if errors.Is(err, links.ErrLeaseLost) && !ct.released.Load() {
					e.logger.Warn("lost the lease of a server task", "task", ct.Task.ID, "server", ct.Task.ServerID)
					cancel()
					return
				} else if err != nil && taskCtx.Err() == nil {
					e.logger.Warn("renew lease", "task", ct.Task.ID, "err", err)
				}
			}
		}
	}()
	finished, err := e.runTask(taskCtx, ct)
	cancel()
	<-hbDone
	if ctx.Err() != nil {
		// Aborted: leave the lease to expire, as a crash would.
		return
	}
	retryAt, lastErr := time.Now(), ""
	if err != nil && !errors.Is(err, links.ErrLeaseLost) {
		e.logger.Warn("server task failed; it will be retried", "task", ct.Task.ID, "server", ct.Task.ServerID, "err", err)
		retryAt = time.Now().Add(e.backoff(ct.Task.Attempts + 1))
		lastErr = err.Error()
		if ct.Task.Attempts+1 >= e.cfg.MaxAttempts {
			// Give up: the task fails with a warning instead of looping
			// (and gives its leases up in the same commit).
			_, cerr := e.commitFinal(ctx, ct, links.TaskProgress{
				TaskID: ct.Task.ID, OperationID: ct.Operation.ID, Module: ct.Operation.Module, Owner: ct.Owner, State: links.TaskFailed, LastError: lastErr,
				Entries: []links.LogEntry{warning(ct.Task.ServerID, nil, fmt.Sprintf("Gave up on server %s after %d attempts: %s", ct.Task.ServerName, ct.Task.Attempts+1, err))},
			})
			finished = cerr == nil
		}
	}
	if !ct.released.Load() {
		e.leaseEnds(ct)
		if rerr := e.store.ReleaseLease(ctx, ct.Task.ID, ct.Task.ServerID, ct.Owner, retryAt, lastErr); rerr != nil {
			e.logger.Warn("release lease", "task", ct.Task.ID, "err", rerr)
		}
	}
	if finished {
		e.complete(ctx, ct.Operation.ID)
	}
}

// backoff is the wait before try n+1 (n from 1): RetryBase doubled, at most a minute.
func (e *Engine) backoff(n int) time.Duration {
	d := e.cfg.RetryBase
	for i := 1; i < n && d < time.Minute; i++ {
		d *= 2
	}
	return min(d, time.Minute)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// complete ends the operation when its last task is done, with its end
// entries; of several callers one wins.
func (e *Engine) complete(ctx context.Context, opID int64) {
	op, won, err := e.store.CompleteOperation(ctx, opID, e.endEntries)
	if err != nil {
		e.logger.Warn("complete operation", "operation", opID, "err", err)
		return
	}
	if won {
		e.metrics.operations.WithLabelValues(op.Kind, links.OpCompleted).Inc()
		e.forgetStatus(op.Module)
	}
}

func (e *Engine) endEntries(op links.Operation) []links.LogEntry {
	var out []links.LogEntry
	name := appName(op.Module)
	if op.Kind != links.OpAccountSync && op.ServersSupport == 0 {
		out = append(out, links.LogEntry{Level: links.LevelNotice,
			Message: fmt.Sprintf("No server of %s supports application links: no account was changed.", name)})
	}
	var took time.Duration
	if op.StartedAt != nil {
		took = time.Since(*op.StartedAt)
	}
	out = append(out, links.LogEntry{Level: links.LevelDebug, Message: fmt.Sprintf(
		"Finished %s of %s: %d servers (%d supported), %d accounts, %d done, %d failed, %d warnings, in %s.",
		kindName(op.Kind), name, op.ServersTotal, op.ServersSupport, op.AccountsTotal, op.AccountsDone,
		op.AccountsFailed, op.Warnings, took.Round(time.Millisecond))})
	return out
}

func appName(module string) string {
	if a, err := links.ApplicationByModule(module); err == nil {
		return a.Name
	}
	return module
}

func kindName(kind string) string { return strings.ReplaceAll(kind, "_", " ") }

func warning(serverID int64, serviceID *int64, msg string) links.LogEntry {
	return links.LogEntry{Level: links.LevelWarning, ServerID: &serverID, ServiceID: serviceID, Message: msg}
}

func entry(level string, serverID int64, msg string) links.LogEntry {
	return links.LogEntry{Level: level, ServerID: &serverID, Message: msg}
}
