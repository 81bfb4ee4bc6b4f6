package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// Targeted operations: a retry of the terminal failures, a repair of one
// server or of one account, a rotation, a verify. They mark their
// locations and wake only the servers concerned (each with a progress
// row). So that no older progress row is left open on a server behind a
// newer one, they supersede only an open verify (it reads and repairs what
// it finds: the newer intent wins, and the loop stops its walks) and are
// refused while another operation of the module is open; a verify
// supersedes nothing.

const (
	// failedServersSQL lists the servers of a module that the engine works
	// (active, supporting links or not checked yet) and that have a failed
	// location (arguments: the module, true, true): those the status counts
	// (walkSQL.failed), and any failure of an earlier desired state, which
	// a retry only clears.
	failedServersSQL = "SELECT DISTINCT ls.server_id FROM link_states ls JOIN servers sv ON sv.id = ls.server_id" +
		" WHERE ls.module = ? AND ls.failed_fp > ''" + workedServerSQL + " ORDER BY ls.server_id"
	// clearFailedSQL clears the terminal failures of a module's locations
	// on the servers given (arguments: the module, the servers).
	clearFailedSQL = "UPDATE link_states SET failed_fp = '', attempts = 0, next_attempt_at = NULL, last_error = ''" +
		" WHERE module = ? AND failed_fp > '' AND server_id IN ?"
	// repairServerSQL marks every location of a server out of date
	// (arguments: the repair sentinel, the server).
	repairServerSQL = "UPDATE link_states SET confirmed_fp = ?, failed_fp = '', attempts = 0, next_attempt_at = NULL," +
		" last_error = '' WHERE server_id = ?"
	// moduleCredentialSQL finds a service of a module that has a link
	// credential (argument: the module).
	moduleCredentialSQL = "SELECT lc.service_id FROM link_credentials lc JOIN services sv ON sv.id = lc.service_id" +
		" JOIN servers srv ON srv.id = sv.server_id WHERE srv.module = ? LIMIT 1"
	// lockApplicationSQL serializes the intents of one module (MariaDB
	// locks the row until the transaction ends; SQLite has one writer).
	lockApplicationSQL = "UPDATE applications SET updated_at = ? WHERE module = ?"
)

// QueueTargeted opens a targeted operation (see links.OpTarget) in one
// transaction with its marks, its servers' wake-up, its progress rows, its
// first log entries and its audit record; it supersedes an open verify
// unless it is one. A conflict when another operation of the module is
// open, or when a retry finds no terminal failure.
func (s *Store) QueueTargeted(ctx context.Context, op links.NewOperation, t links.OpTarget) (links.Operation, error) {
	var out links.Operation
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		now := s.now()
		if err := tx.Exec(lockApplicationSQL, now, op.Module).Error; err != nil {
			return err
		}
		var open []operationRow
		if err := tx.Select("id", "kind").Where("module = ? AND kind <> ? AND state IN ?", op.Module, links.OpAccountSync,
			openOpStates).Order("id").Find(&open).Error; err != nil {
			return err
		}
		for _, o := range open {
			if o.Kind != links.OpVerify || op.Kind == links.OpVerify {
				return links.Errorf(links.ECONFLICT, "Operation %d of %s is still running: wait until it finishes, then try again.",
					o.ID, appLabel(op.Module))
			}
		}
		op.Supersede = len(open) > 0 // open verifies only
		ids, err := s.markTarget(tx, op.Module, t)
		if err != nil {
			return err
		}
		if out, err = s.openTargeted(tx, op, ids); err != nil {
			return err
		}
		rec := auditEntry{resource: t.Resource, id: t.ID, action: t.Action, after: map[string]any{"operation_id": out.ID}}
		if t.Rotate {
			rec.secrets = []string{"link_token"}
		}
		return audit(ctx, tx, rec)
	})
	return out, translate(err, "operation")
}

// markTarget marks the target's locations (or rotates its credentials) in
// tx and returns the servers to wake.
func (s *Store) markTarget(tx *gorm.DB, module string, t links.OpTarget) ([]int64, error) {
	if t.ServerID != 0 {
		if err := targetStillThere(tx, t); err != nil {
			return nil, err
		}
	}
	switch {
	case t.Rotate && t.ServiceID != 0:
		return []int64{t.ServerID}, s.rotateServices(tx, []int64{t.ServiceID}, 0) // under no rotation of every secret
	case t.Rotate:
		// Every server of the module, active or not, rotates its accounts'
		// credentials before its next pass (RotateServer).
		var svcs []int64
		if err := tx.Raw(moduleCredentialSQL, module).Scan(&svcs).Error; err != nil {
			return nil, err
		}
		if len(svcs) == 0 {
			return nil, links.Errorf(links.ECONFLICT, "No account of %s has a link secret to rotate.", appLabel(module))
		}
		// The request counts past every count asked before, of any server
		// (linkCredentialRow.IssuedGen). Not a locking read, which would
		// lock every server of the fleet: two requests of two modules at
		// the same time may share a count (see docs/provisioning.md).
		var top int64
		if err := tx.Raw("SELECT COALESCE(MAX(rotate_gen), 0) FROM servers").Scan(&top).Error; err != nil {
			return nil, err
		}
		if err := tx.Exec("UPDATE servers SET rotate_gen = ? WHERE module = ?", top+1, module).Error; err != nil {
			return nil, err
		}
		return s.markTarget(tx, module, links.OpTarget{All: true})
	case t.All:
		var ids []int64
		if err := tx.Model(&serverRow{}).Where("module = ? AND active = ?", module, true).Order("id").Pluck("id", &ids).Error; err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, links.Errorf(links.ECONFLICT, "%s has no active server.", appLabel(module))
		}
		return ids, nil
	case t.Retry:
		var ids []int64
		if err := tx.Raw(failedServersSQL, module, true, true).Scan(&ids).Error; err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			return ids, tx.Exec(clearFailedSQL, module, ids).Error
		}
		var n int64
		if err := tx.Model(&linkStateRow{}).Where("module = ? AND failed_fp <> ''", module).Count(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, links.Errorf(links.ECONFLICT, "The failed accounts of %s are on deactivated servers or servers that do not support links: activate or upgrade them first.", appLabel(module))
		}
		return nil, links.Errorf(links.ECONFLICT, "No account of %s has failed: there is nothing to retry.", appLabel(module))
	case t.Username != "":
		if err := tx.Exec(repairServerSQL+" AND username = ?", links.NewMark(links.ConfirmedRepair), t.ServerID, t.Username).Error; err != nil {
			return nil, err
		}
	default:
		if err := tx.Exec(repairServerSQL, links.NewMark(links.ConfirmedRepair), t.ServerID).Error; err != nil {
			return nil, err
		}
	}
	return []int64{t.ServerID}, nil
}

// targetStillThere checks in tx what the intent checked before it: the
// target's server is active, and a service target is still its account
// there. A deactivation or a move meanwhile would leave a progress row on
// a server no pass works, and the operation open.
func targetStillThere(tx *gorm.DB, t links.OpTarget) error {
	var srv serverRow // a locking read: a deactivation in flight is waited for, not read from a snapshot
	if err := locked(tx).Take(&srv, t.ServerID).Error; err != nil {
		return translate(err, fmt.Sprintf("server %d", t.ServerID))
	}
	if !srv.Active {
		return links.ServerDeactivated(srv.Name)
	}
	if t.ServiceID == 0 {
		return nil
	}
	var n int64
	q := tx.Model(&serviceRow{}).Where("id = ? AND server_id = ?", t.ServiceID, t.ServerID)
	if t.Username != "" {
		q = q.Where("username = ?", t.Username)
	}
	err := q.Count(&n).Error
	if err == nil && n == 0 {
		err = links.Errorf(links.ECONFLICT, "Service %d was moved or renamed meanwhile: try again.", t.ServiceID)
	}
	return err
}

// openTargeted bumps the servers that are still active (waking them now)
// and creates the operation with one progress row per server and its first
// log entries. The servers are read back locked (see bumpModule).
func (s *Store) openTargeted(tx *gorm.DB, op links.NewOperation, ids []int64) (links.Operation, error) {
	now := s.now()
	if err := tx.Exec("UPDATE servers SET wake_at = ?, wanted_gen = wanted_gen + 1 WHERE id IN ? AND active = ?", now, ids, true).Error; err != nil {
		return links.Operation{}, err
	}
	var gens []serverGen
	if err := locked(tx).Model(&serverRow{}).Select("id", "wanted_gen").Where("id IN ? AND active = ?", ids, true).Order("id").Scan(&gens).Error; err != nil {
		return links.Operation{}, err
	}
	return createOperation(tx, op, gens, now)
}

// LastOperationAt returns when the module's latest operation of kind was
// created, or nil when there is none.
func (s *Store) LastOperationAt(ctx context.Context, module, kind string) (*time.Time, error) {
	var rows []operationRow
	err := s.db.WithContext(ctx).Select("id", "created_at").Where("module = ? AND kind = ?", module, kind).
		Order("id DESC").Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, translate(err, "operations")
	}
	return &rows[0].CreatedAt, nil
}

// appLabel is an application's name for messages.
func appLabel(module string) string {
	if a, err := links.ApplicationByModule(module); err == nil {
		return a.Name
	}
	return module
}
