package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// A real import is a job: a row with its state, counts and a lease, and the
// accounts the server listed when it was started, one row each. A worker
// claims the job (the lease, so that one replica works it) and applies it a
// chunk at a time: each chunk's accounts, the job's cursor and counts, and
// the lease's extension commit in one transaction, which first checks that
// the lease is still the worker's. A crash leaves whole chunks applied and
// the cursor after them; once the lease expires another worker, or the
// next start, goes on from the cursor. No account is applied twice by a
// job, and an account applied anyway (by another import) is found by its
// server and username, so nothing is ever duplicated.

// importJobRow is an import in the background (links.ImportJob).
type importJobRow struct {
	ID       int64 `gorm:"primaryKey"`
	ServerID int64 `gorm:"not null;index"`
	// RunningServerID is the server while the job is queued or running,
	// NULL once it has finished: its unique index lets one job per server
	// run, whatever the replicas do at once.
	RunningServerID *int64 `gorm:"uniqueIndex:idx_import_jobs_running"`
	Module          string `gorm:"size:32;not null"`
	State           string `gorm:"size:16;not null"`
	Total           int    `gorm:"not null;default:0"`
	Done            int    `gorm:"not null;default:0"` // the cursor: accounts by seq below it are applied
	NewClients      int    `gorm:"not null;default:0"`
	NewServices     int    `gorm:"not null;default:0"`
	Updated         int    `gorm:"not null;default:0"`
	Unchanged       int    `gorm:"not null;default:0"`
	Conflicts       int    `gorm:"not null;default:0"`
	ConflictRows    string `gorm:"type:text;not null"` // JSON: the first links.MaxImportRows conflicts
	Error           string `gorm:"size:1000;not null;default:''"`
	// The actor who started the job: its chunks' audit records name them.
	ActorKind string `gorm:"size:16;not null;default:''"`
	ActorID   int64  `gorm:"not null;default:0"`
	ActorName string `gorm:"size:190;not null;default:''"`
	ActorIP   string `gorm:"size:64;not null;default:''"`
	// Steps counts claims and chunks: every guarded write changes the row,
	// so that MySQL's affected-row count says whether the guard held.
	Steps      int64  `gorm:"not null;default:0"`
	LeaseOwner string `gorm:"size:64;not null;default:''"`
	LeaseUntil *time.Time
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

func (importJobRow) TableName() string { return "import_jobs" }

// importAccountRow is one account a job's server listed, in listing order;
// the rows go when the job finishes.
type importAccountRow struct {
	JobID     int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq       int    `gorm:"primaryKey;autoIncrement:false"`
	Username  string `gorm:"type:text;not null"`
	Domain    string `gorm:"type:text;not null"`
	Email     string `gorm:"type:text;not null"`
	Suspended bool   `gorm:"not null"`
}

func (importAccountRow) TableName() string { return "import_job_accounts" }

func importJobFromRow(r importJobRow) links.ImportJob {
	j := links.ImportJob{ID: r.ID, ServerID: r.ServerID, Module: r.Module, State: r.State, Total: r.Total, Done: r.Done,
		NewClients: r.NewClients, NewServices: r.NewServices, Updated: r.Updated, Unchanged: r.Unchanged,
		Conflicts: r.Conflicts, ConflictRows: []links.ImportRow{}, Error: r.Error, StartedBy: r.ActorName,
		CreatedAt: r.CreatedAt.UTC(), StartedAt: utcPtr(r.StartedAt), FinishedAt: utcPtr(r.FinishedAt)}
	_ = json.Unmarshal([]byte(r.ConflictRows), &j.ConflictRows)
	return j
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreateImportJob queues the import of accts, the accounts server serverID
// listed, as a job started by the actor of ctx (audited). It is a conflict
// while another import of the server is queued or running.
func (s *Store) CreateImportJob(ctx context.Context, serverID int64, accts []links.PanelAccount) (links.ImportJob, error) {
	actor, _ := links.ActorFrom(ctx)
	var row importJobRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var srv serverRow
		if err := tx.Take(&srv, serverID).Error; err != nil {
			return translate(err, fmt.Sprintf("server %d", serverID))
		}
		if err := importRunning(tx, srv); err != nil {
			return err
		}
		row = importJobRow{ServerID: serverID, RunningServerID: &serverID, Module: srv.Module, State: links.ImportJobQueued,
			Total: len(accts), ConflictRows: "[]", ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name,
			ActorIP: actor.IP, CreatedAt: s.now().UTC()}
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return links.Errorf(links.ECONFLICT, "An import of server %d (%s) has just started: wait for it to finish.", srv.ID, srv.Name)
			}
			return err
		}
		rows := make([]importAccountRow, len(accts))
		for i, a := range accts {
			rows[i] = importAccountRow{JobID: row.ID, Seq: i, Username: a.Username, Domain: a.Domain, Email: a.Email, Suspended: a.Suspended}
		}
		if err := tx.CreateInBatches(&rows, importChunk).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditImport, id: auditID(row.ID), action: links.AuditCreate,
			after: map[string]any{"server_id": serverID, "accounts": len(accts)}})
	})
	if err != nil {
		return links.ImportJob{}, translate(err, "import")
	}
	return importJobFromRow(row), nil
}

// importRunning is a conflict when an import of srv is queued or running.
func importRunning(tx *gorm.DB, srv serverRow) error {
	var running []importJobRow
	if err := tx.Where("running_server_id = ?", srv.ID).Limit(1).Find(&running).Error; err != nil {
		return err
	}
	if len(running) == 0 {
		return nil
	}
	j := running[0]
	return links.Errorf(links.ECONFLICT, "Import %d of server %d (%s) is still %s (%d of %d accounts): wait for it to finish.",
		j.ID, srv.ID, srv.Name, j.State, j.Done, j.Total)
}

// ImportJob returns the import job id.
func (s *Store) ImportJob(ctx context.Context, id int64) (links.ImportJob, error) {
	var row importJobRow
	if err := s.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return links.ImportJob{}, translate(err, fmt.Sprintf("import %d", id))
	}
	return importJobFromRow(row), nil
}

// LatestImportJob returns the newest import job of the server serverID:
// the one running, if any, or the last one finished.
func (s *Store) LatestImportJob(ctx context.Context, serverID int64) (links.ImportJob, error) {
	var rows []importJobRow
	if err := s.db.WithContext(ctx).Where("server_id = ?", serverID).Order("id DESC").Limit(1).Find(&rows).Error; err != nil {
		return links.ImportJob{}, translate(err, "imports")
	}
	if len(rows) == 0 {
		return links.ImportJob{}, links.Errorf(links.ENOTFOUND, "Server %d has no import yet.", serverID)
	}
	return importJobFromRow(rows[0]), nil
}

// ClaimImportJob leases the oldest unfinished import job whose lease is
// free or expired to owner (unique to this claim) until now+ttl. ok is
// false when there is none. A conditional UPDATE takes the row, so of any
// number of workers claiming at once exactly one gets it.
func (s *Store) ClaimImportJob(ctx context.Context, owner string, now time.Time, ttl time.Duration) (job links.ImportJob, ok bool, err error) {
	now = utc(now)
	db := s.db.WithContext(ctx)
	const free = "running_server_id IS NOT NULL AND (lease_until IS NULL OR lease_until < ?)"
	var ids []int64
	if err := db.Model(&importJobRow{}).Where(free, now).Order("id").Limit(10).Pluck("id", &ids).Error; err != nil {
		return job, false, translate(err, "imports")
	}
	for _, id := range ids {
		res := db.Model(&importJobRow{}).Where("id = ? AND "+free, id, now).Updates(map[string]any{
			"state": links.ImportJobRunning, "lease_owner": owner, "lease_until": now.Add(ttl),
			"started_at": gorm.Expr("COALESCE(started_at, ?)", now), "steps": gorm.Expr("steps + 1")})
		if res.Error != nil {
			return job, false, translate(res.Error, "import")
		}
		if res.RowsAffected == 1 {
			job, err = s.ImportJob(ctx, id)
			return job, err == nil, err
		}
	}
	return job, false, nil
}

// errLeaseLost is what a worker gets once its job is no longer its own: its
// lease expired and another worker took it over, or it finished.
func errLeaseLost(id int64) error {
	return fmt.Errorf("import %d: %w", id, links.ErrLeaseLost)
}

// ImportJobStep applies the next chunk of the job id, held by owner: the
// accounts, the cursor and counts, and the lease extended to now+ttl, in
// one transaction. The step after the last chunk finishes the job. It
// answers the job as it now stands; a lost lease is links.ErrLeaseLost
// and writes nothing.
func (s *Store) ImportJobStep(ctx context.Context, id int64, owner string, now time.Time, ttl time.Duration) (links.ImportJob, error) {
	now = utc(now)
	var out links.ImportJob
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		// First, as it takes the job's row lock: a competing claim waits.
		res := tx.Model(&importJobRow{}).Where("id = ? AND lease_owner = ? AND state = ?", id, owner, links.ImportJobRunning).
			Updates(map[string]any{"lease_until": now.Add(ttl), "steps": gorm.Expr("steps + 1")})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errLeaseLost(id)
		}
		var row importJobRow
		if err := tx.Take(&row, id).Error; err != nil {
			return err
		}
		var accts []importAccountRow
		if err := tx.Where("job_id = ? AND seq >= ?", id, row.Done).Order("seq").Limit(importChunk).Find(&accts).Error; err != nil {
			return err
		}
		var err error
		if len(accts) == 0 {
			out, err = finishImportJob(tx, row, owner, links.ImportJobDone, "", now)
		} else {
			out, err = s.applyImportJobChunk(jobContext(ctx, row), tx, row, accts)
		}
		return err
	})
	if err != nil {
		return links.ImportJob{}, translate(err, fmt.Sprintf("import %d", id))
	}
	return out, nil
}

// jobContext is ctx with the actor who started the job, whose name the
// chunks' audit records carry.
func jobContext(ctx context.Context, row importJobRow) context.Context {
	if row.ActorKind == "" {
		return ctx
	}
	return links.WithActor(ctx, links.Actor{Kind: row.ActorKind, ID: row.ActorID, Name: row.ActorName, IP: row.ActorIP})
}

// applyImportJobChunk applies accts, the next accounts of the job row, in
// tx and moves its cursor and counts past them.
func (s *Store) applyImportJobChunk(ctx context.Context, tx *gorm.DB, row importJobRow, accts []importAccountRow) (links.ImportJob, error) {
	chunk := make([]links.PanelAccount, len(accts))
	for i, a := range accts {
		chunk[i] = links.PanelAccount{Username: a.Username, Domain: a.Domain, Email: a.Email, Suspended: a.Suspended}
	}
	p, err := loadImportPlan(tx, row.ServerID, chunk, false)
	if err != nil {
		return links.ImportJob{}, err
	}
	rows, err := s.importChunk(ctx, tx, p, chunk)
	if err != nil {
		return links.ImportJob{}, err
	}
	job := importJobFromRow(row)
	for _, r := range rows {
		job.Add(r)
	}
	conflicts, err := json.Marshal(job.ConflictRows)
	if err != nil {
		return links.ImportJob{}, err
	}
	err = tx.Model(&importJobRow{}).Where("id = ?", row.ID).Updates(map[string]any{
		"done": job.Done, "new_clients": job.NewClients, "new_services": job.NewServices, "updated": job.Updated,
		"unchanged": job.Unchanged, "conflicts": job.Conflicts, "conflict_rows": string(conflicts)}).Error
	return job, err
}

// finishImportJob ends the job row, held by owner, in tx: done, or failed
// with message. It frees its server for the next import and its listed
// accounts go. A lost lease is links.ErrLeaseLost.
func finishImportJob(tx *gorm.DB, row importJobRow, owner, state, message string, now time.Time) (links.ImportJob, error) {
	res := tx.Model(&importJobRow{}).Where("id = ? AND lease_owner = ? AND state = ?", row.ID, owner, links.ImportJobRunning).
		Updates(map[string]any{"state": state, "error": truncate(message, 1000), "running_server_id": nil,
			"finished_at": now, "lease_owner": "", "lease_until": nil})
	if res.Error != nil {
		return links.ImportJob{}, res.Error
	}
	if res.RowsAffected == 0 {
		return links.ImportJob{}, errLeaseLost(row.ID)
	}
	if err := tx.Where("job_id = ?", row.ID).Delete(&importAccountRow{}).Error; err != nil {
		return links.ImportJob{}, err
	}
	row.State, row.Error, row.RunningServerID, row.FinishedAt = state, truncate(message, 1000), nil, &now
	return importJobFromRow(row), nil
}

// FailImportJob ends the job id, held by owner, as failed with message
// (shown to staff as is). A lost lease is links.ErrLeaseLost and writes
// nothing.
func (s *Store) FailImportJob(ctx context.Context, id int64, owner, message string, now time.Time) (links.ImportJob, error) {
	var out links.ImportJob
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row importJobRow
		if err := tx.Take(&row, id).Error; err != nil {
			return err
		}
		var err error
		out, err = finishImportJob(tx, row, owner, links.ImportJobFailed, message, utc(now))
		return err
	})
	return out, translate(err, fmt.Sprintf("import %d", id))
}

// ReleaseImportJob gives up owner's lease of the job id (a worker shutting
// down), so that the next claim need not wait for it to expire.
func (s *Store) ReleaseImportJob(ctx context.Context, id int64, owner string) error {
	err := s.db.WithContext(ctx).Model(&importJobRow{}).Where("id = ? AND lease_owner = ?", id, owner).
		Updates(map[string]any{"lease_owner": "", "lease_until": nil, "steps": gorm.Expr("steps + 1")}).Error
	return translate(err, fmt.Sprintf("import %d", id))
}
