// Package imports works the import jobs of servers' accounts in the
// background. The jobs are rows in the database (see the store's
// import_jobs.go): a Runner claims one through a lease, applies it a chunk
// per transaction (each chunk extends the lease) until it is done, and
// records a failure on the job with a message staff can act on. Every
// replica runs one Runner; the lease keeps them off each other's jobs, and
// a job whose worker died (kill -9, a crash) is taken over once its lease
// expires, on another replica or at the next start.
package imports

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/applinks/applinks/api/links"
)

// Store is what the runner needs from the database.
type Store interface {
	ClaimImportJob(ctx context.Context, owner string, now time.Time, ttl time.Duration) (links.ImportJob, bool, error)
	ImportJobStep(ctx context.Context, id int64, owner string, now time.Time, ttl time.Duration) (links.ImportJob, error)
	FailImportJob(ctx context.Context, id int64, owner, message string, now time.Time) (links.ImportJob, error)
	ReleaseImportJob(ctx context.Context, id int64, owner string) error
}

// Lifecycle hears that an application's accounts changed (the provisioning
// engine: the imported accounts' servers are already marked due, this only
// refreshes its status at once).
type Lifecycle interface {
	ServiceChanged(ctx context.Context, before, after *links.Service)
}

// Config tunes the runner; zero fields take the defaults.
type Config struct {
	Poll     time.Duration // how often to look for a job (1s)
	LeaseTTL time.Duration // a claim without a step lasts this long (30s)
	Logger   *slog.Logger
	// Lifecycle, when set, hears of each chunk that changed accounts.
	Lifecycle Lifecycle
	Now       func() time.Time
}

// Runner claims and works import jobs.
type Runner struct {
	store  Store
	cfg    Config
	owner  string        // this replica's name in leases
	claims atomic.Uint64 // numbers this replica's claims
}

// New returns a runner. Start it with Run.
func New(store Store, cfg Config) *Runner {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	name := make([]byte, 6)
	_, _ = rand.Read(name)
	return &Runner{store: store, cfg: cfg, owner: base64.RawURLEncoding.EncodeToString(name)}
}

// Run works jobs until ctx ends, looking for one every Poll.
func (r *Runner) Run(ctx context.Context) {
	tick := time.NewTicker(r.cfg.Poll)
	defer tick.Stop()
	for {
		r.Drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Drain works every job it can claim to its end and returns how many it
// claimed.
func (r *Runner) Drain(ctx context.Context) int {
	n := 0
	for ctx.Err() == nil {
		lease := fmt.Sprintf("%s/%d", r.owner, r.claims.Add(1))
		job, ok, err := r.store.ClaimImportJob(ctx, lease, r.cfg.Now(), r.cfg.LeaseTTL)
		if err != nil {
			if ctx.Err() == nil {
				r.cfg.Logger.Warn("imports: claim failed", "err", err)
			}
			return n
		}
		if !ok {
			return n
		}
		n++
		r.Work(ctx, job, lease)
	}
	return n
}

// Work applies the job, claimed under lease, a chunk at a time until it is
// done, it fails, the lease is lost or ctx ends. A chunk in flight when ctx
// ends is finished; the lease is then given back, and the job resumes at
// the next claim.
func (r *Runner) Work(ctx context.Context, job links.ImportJob, lease string) {
	log := r.cfg.Logger.With("import_id", job.ID, "server_id", job.ServerID)
	log.Info("imports: working", "done", job.Done, "total", job.Total)
	for !job.Finished() {
		if ctx.Err() != nil {
			r.stopped(ctx, log, job, lease, ctx.Err())
			return
		}
		next, err := r.store.ImportJobStep(context.WithoutCancel(ctx), job.ID, lease, r.cfg.Now(), r.cfg.LeaseTTL)
		if err != nil {
			r.stopped(ctx, log, job, lease, err)
			return
		}
		if r.cfg.Lifecycle != nil && changed(job, next) {
			r.cfg.Lifecycle.ServiceChanged(ctx, nil, &links.Service{Module: job.Module})
		}
		job = next
	}
	log.Info("imports: done", "accounts", job.Total, "new_clients", job.NewClients, "new_services", job.NewServices,
		"updated", job.Updated, "unchanged", job.Unchanged, "conflicts", job.Conflicts)
}

// changed tells whether a step created or updated accounts.
func changed(before, after links.ImportJob) bool {
	return after.NewClients+after.NewServices+after.Updated > before.NewClients+before.NewServices+before.Updated
}

// stopped handles a step that failed: shutdown and a briefly unavailable
// database give the job back (it resumes from its cursor); a lost lease
// leaves it to its new worker; anything else fails the job with a message.
func (r *Runner) stopped(ctx context.Context, log *slog.Logger, job links.ImportJob, lease string, err error) {
	code := links.ErrorCode(err)
	switch {
	case ctx.Err() != nil || code == links.EUNAVAILABLE:
		log.Warn("imports: paused", "done", job.Done, "total", job.Total, "err", err)
		if err := r.store.ReleaseImportJob(context.WithoutCancel(ctx), job.ID, lease); err != nil {
			log.Warn("imports: release failed (the lease expires instead)", "err", err)
		}
		return
	case errors.Is(err, links.ErrLeaseLost):
		log.Warn("imports: lease lost", "err", err)
		return
	}
	reason := links.ErrorMessage(err)
	if code == links.EINTERNAL {
		reason = "an unexpected error (the service log has the details)"
	}
	msg := fmt.Sprintf("The import stopped after %d of %d accounts: %s Start it again to finish it: the accounts already imported are not duplicated.",
		job.Done, job.Total, withStop(reason))
	log.Error("imports: failed", "done", job.Done, "total", job.Total, "err", err)
	if _, err := r.store.FailImportJob(context.WithoutCancel(ctx), job.ID, lease, msg, r.cfg.Now()); err != nil {
		log.Warn("imports: recording the failure failed", "err", err)
	}
}

// withStop ends s with a full stop.
func withStop(s string) string {
	if s == "" || s[len(s)-1] == '.' {
		return s
	}
	return s + "."
}
