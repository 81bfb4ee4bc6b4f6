package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

var openTaskStates = []string{links.TaskPending, links.TaskRunning}
var openOpStates = []string{links.OpQueued, links.OpRunning}

// leaseEpoch is the expiry of a lease nobody ever held: far in the past but
// inside every dialect's DATETIME range.
var leaseEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func operationFromRow(r operationRow) links.Operation {
	return links.Operation{
		ID: r.ID, Module: r.Module, Kind: r.Kind, State: r.State, StartedBy: r.StartedBy,
		ServersTotal: r.ServersTotal, ServersDone: r.ServersDone, ServersSupport: r.ServersSupport,
		AccountsTotal: r.AccountsTotal, AccountsDone: r.AccountsDone, AccountsFailed: r.AccountsFailed,
		Warnings: r.Warnings, SupersededBy: r.SupersededBy, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt,
	}
}

func taskFromRow(r serverTaskRow) links.ServerTask {
	return links.ServerTask{
		ID: r.ID, OperationID: r.OperationID, ServerID: r.ServerID, Action: r.Action, State: r.State,
		Checked: r.Checked, Cursor: r.Cursor, AccountsTotal: r.AccountsTotal, AccountsDone: r.AccountsDone,
		AccountsFailed: r.AccountsFailed, Attempts: r.Attempts, LastError: r.LastError, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt, ServiceID: r.ServiceID, Username: r.Username,
	}
}

func logFromRow(r logEntryRow) links.LogEntry {
	return links.LogEntry{ID: r.ID, OperationID: r.OperationID, Module: r.Module, Time: r.Time, Level: r.Level,
		ServerID: r.ServerID, ServiceID: r.ServiceID, Account: r.Account, Message: r.Message}
}

// insertLog is insertLogSQL inside a GORM transaction, its error translated
// as GORM's own would be.
func insertLog(tx *gorm.DB, opID int64, module string, now time.Time, entries []links.LogEntry) error {
	err := insertLogSQL(tx.Statement.Context, tx.Statement.ConnPool, opID, module, now, entries)
	if t, ok := tx.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		return t.Translate(err)
	}
	return err
}

func countWarnings(entries []links.LogEntry) int {
	n := 0
	for _, e := range entries {
		if e.Level == links.LevelWarning {
			n++
		}
	}
	return n
}

// QueueOperation queues an operation with its server tasks.
func (s *Store) QueueOperation(ctx context.Context, op links.NewOperation) (links.Operation, error) {
	var out links.Operation
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		var err error
		if out, err = s.queueOp(tx, op); err != nil || op.Kind != links.OpRepair {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditApplication, id: op.Module, action: links.AuditRepair,
			after: map[string]any{"operation_id": out.ID}})
	})
	return out, translate(err, "operation")
}

// queueOp opens an operation in tx: it stores the application's new
// fingerprint, bumps the wanted generation of every active server of the
// module (waking them now), creates the operation with one progress row per
// server (its target: the server's new generation), supersedes older
// operations when asked and writes the first log entries. A repair marks
// every location of the module out of date; any change of the desired state
// lets the terminal and waiting locations be tried again at once.
func (s *Store) queueOp(tx *gorm.DB, op links.NewOperation) (links.Operation, error) {
	now := s.now()
	if op.Fingerprint != "" {
		if err := tx.Model(&applicationRow{}).Where("module = ?", op.Module).Update("fingerprint", op.Fingerprint).Error; err != nil {
			return links.Operation{}, err
		}
	}
	if op.Kind == links.OpRepair {
		if err := tx.Exec(repairLocationsSQL, links.NewMark(links.ConfirmedRepair), op.Module).Error; err != nil {
			return links.Operation{}, err
		}
	}
	if err := tx.Exec(retryLocationsSQL, op.Module).Error; err != nil {
		return links.Operation{}, err
	}
	gens, err := bumpModule(tx, op.Module, now)
	if err != nil {
		return links.Operation{}, err
	}
	return createOperation(tx, op, gens, now)
}

// createOperation creates the operation over the bumped servers gens, in
// tx: its row, the supersession of older ones when asked, one progress row
// per server and its first log entries.
func createOperation(tx *gorm.DB, op links.NewOperation, gens []serverGen, now time.Time) (links.Operation, error) {
	row := operationRow{Module: op.Module, Kind: op.Kind, State: links.OpQueued, Spec: op.Spec, StartedBy: op.StartedBy,
		ServersTotal: len(gens)}
	if err := tx.Create(&row).Error; err != nil {
		return links.Operation{}, err
	}
	if op.Supersede {
		if err := supersede(tx, op.Module, row.ID, now); err != nil {
			return links.Operation{}, err
		}
	}
	if err := insertTasks(tx, row.ID, gens, now); err != nil {
		return links.Operation{}, err
	}
	out := operationFromRow(row)
	if op.Entries != nil {
		if err := insertLog(tx, row.ID, op.Module, now, op.Entries(out)); err != nil {
			return links.Operation{}, err
		}
	}
	return out, nil
}

// repairLocationsSQL marks every location of a module out of date
// (arguments: the repair sentinel, the module).
const repairLocationsSQL = "UPDATE link_states SET confirmed_fp = ? WHERE module = ?"

// retryLocationsSQL clears the failures and backoffs of a module's
// locations (argument: the module): their desired state changed.
const retryLocationsSQL = "UPDATE link_states SET failed_fp = '', attempts = 0, next_attempt_at = NULL, last_error = ''" +
	" WHERE module = ? AND (failed_fp <> '' OR next_attempt_at IS NOT NULL)"

// insertTasks creates the pending progress rows of an operation, one per
// server with its target generation, up to 100 rows per INSERT. The columns
// not named take their defaults.
func insertTasks(tx *gorm.DB, opID int64, gens []serverGen, now time.Time) error {
	const cols = "(operation_id, server_id, action, state, target_gen, next_attempt_at, last_error, created_at, updated_at)"
	const row = "(?, ?, ?, ?, ?, ?, '', ?, ?)"
	for len(gens) > 0 {
		n := min(len(gens), 100)
		args := make([]any, 0, 8*n)
		for _, g := range gens[:n] {
			args = append(args, opID, g.ID, links.ActionPush, links.TaskPending, g.WantedGen, now, now, now)
		}
		if err := tx.Exec("INSERT INTO server_tasks "+cols+" VALUES "+row+strings.Repeat(", "+row, n-1), args...).Error; err != nil {
			return err
		}
		gens = gens[n:]
	}
	return nil
}

// supersede ends every open operation of the module (account syncs aside)
// older than newID: queued or running tasks stop, a running holder notices at
// its next commit and stops after its in-flight batch.
func supersede(tx *gorm.DB, module string, newID int64, now time.Time) error {
	var old []int64
	if err := tx.Model(&operationRow{}).Where("module = ? AND kind <> ? AND state IN ? AND id < ?",
		module, links.OpAccountSync, openOpStates, newID).Pluck("id", &old).Error; err != nil {
		return err
	}
	if len(old) == 0 {
		return nil
	}
	if err := tx.Model(&operationRow{}).Where("id IN ? AND state IN ?", old, openOpStates).
		Updates(map[string]any{"state": links.OpSuperseded, "superseded_by": newID, "finished_at": now}).Error; err != nil {
		return err
	}
	if err := tx.Model(&serverTaskRow{}).Where("operation_id IN ? AND state IN ?", old, openTaskStates).
		Updates(map[string]any{"state": links.TaskSuperseded, "finished_at": now}).Error; err != nil {
		return err
	}
	entries := make([]logEntryRow, len(old))
	for i, id := range old {
		entries[i] = logEntryRow{OperationID: id, Module: module, Time: now, Level: links.LevelDebug,
			Message: fmt.Sprintf("Superseded by operation %d: the newest intent wins.", newID)}
	}
	return tx.Create(&entries).Error
}

// taskTotals are the counters an operation's tasks add to its row.
type taskTotals struct {
	OperationID      int64
	ServersDone      int
	ServersSupported int
	AccountsTotal    int
	AccountsDone     int
	AccountsFailed   int
	Warnings         int
}

// finishedTaskStates are the states in which a task counts as a server done.
var finishedTaskStates = []string{links.TaskDone, links.TaskFailed, links.TaskUnsupported}

// add adds the totals to an operation.
func (t taskTotals) add(op *links.Operation) {
	op.ServersDone += t.ServersDone
	op.ServersSupport += t.ServersSupported
	op.AccountsTotal += t.AccountsTotal
	op.AccountsDone += t.AccountsDone
	op.AccountsFailed += t.AccountsFailed
	op.Warnings += t.Warnings
}

// totalsOf sums tasks in Go, as addTaskTotals does in SQL.
func totalsOf(tasks []serverTaskRow) taskTotals {
	var t taskTotals
	for _, r := range tasks {
		if r.InOpTotals {
			continue
		}
		if slices.Contains(finishedTaskStates, r.State) {
			t.ServersDone++
		}
		if r.Supported {
			t.ServersSupported++
		}
		t.AccountsTotal += r.AccountsTotal
		t.AccountsDone += r.AccountsDone
		t.AccountsFailed += r.AccountsFailed
		t.Warnings += r.Warnings
	}
	return t
}

// addTaskTotals completes the counters of operations read from their rows:
// an operation's row keeps only what tasks from before the per-task counters
// had added to it (InOpTotals), and the sums of its other tasks are added
// here, in one grouped query for all of ops.
func addTaskTotals(db *gorm.DB, ops []links.Operation) error {
	if len(ops) == 0 {
		return nil
	}
	ids := make([]int64, len(ops))
	for i, op := range ops {
		ids[i] = op.ID
	}
	var rows []taskTotals
	err := db.Model(&serverTaskRow{}).
		Select(`operation_id,
			SUM(CASE WHEN state IN ? THEN 1 ELSE 0 END) AS servers_done,
			SUM(CASE WHEN supported THEN 1 ELSE 0 END) AS servers_supported,
			SUM(accounts_total) AS accounts_total,
			SUM(accounts_done) AS accounts_done,
			SUM(accounts_failed) AS accounts_failed,
			SUM(warnings) AS warnings`, finishedTaskStates).
		Where("operation_id IN ? AND in_op_totals = ?", ids, false).
		Group("operation_id").Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, t := range rows {
		for i := range ops {
			if ops[i].ID == t.OperationID {
				t.add(&ops[i])
			}
		}
	}
	return nil
}

// CompleteOperation marks an open operation completed when none of its tasks
// is open any more, writing the entries that entries returns in the same
// transaction. It reports whether this call completed it: of several callers
// exactly one wins.
func (s *Store) CompleteOperation(ctx context.Context, opID int64, entries func(op links.Operation) []links.LogEntry) (links.Operation, bool, error) {
	var out links.Operation
	var won bool
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&serverTaskRow{}).Where("operation_id = ? AND state IN ?", opID, openTaskStates).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		now := s.now()
		res := tx.Model(&operationRow{}).Where("id = ? AND state IN ?", opID, openOpStates).
			Updates(map[string]any{"state": links.OpCompleted, "finished_at": now,
				"started_at": gorm.Expr("COALESCE(started_at, ?)", now)})
		if res.Error != nil || res.RowsAffected != 1 {
			return res.Error
		}
		var row operationRow
		if err := tx.Take(&row, opID).Error; err != nil {
			return err
		}
		ops := []links.Operation{operationFromRow(row)}
		if err := addTaskTotals(tx, ops); err != nil {
			return err
		}
		out, won = ops[0], true
		if entries != nil {
			if err := insertLog(tx, opID, row.Module, now, entries(out)); err != nil {
				return err
			}
		}
		return s.EnqueueWebhookTx(tx, links.WebhookEvent{Type: links.EventOperationFinished, Time: now, Data: out})
	})
	return out, won, translate(err, fmt.Sprintf("operation %d", opID))
}

// FinishableOperations lists open operations that have no open task left
// (their last worker died between its last commit and the completion, or
// they had no server at all).
func (s *Store) FinishableOperations(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&operationRow{}).
		Where("state IN ? AND NOT EXISTS (SELECT 1 FROM server_tasks t WHERE t.operation_id = operations.id AND t.state IN ?)",
			openOpStates, openTaskStates).Order("id").Pluck("id", &ids).Error
	return ids, translate(err, "operations")
}

// Operation returns one operation with its per-server breakdown.
func (s *Store) Operation(ctx context.Context, id int64) (links.OperationDetail, error) {
	db := s.db.WithContext(ctx)
	var row operationRow
	if err := db.Take(&row, id).Error; err != nil {
		return links.OperationDetail{}, translate(err, fmt.Sprintf("operation %d", id))
	}
	var tasks []serverTaskRow
	if err := db.Where("operation_id = ?", id).Order("id").Find(&tasks).Error; err != nil {
		return links.OperationDetail{}, translate(err, "server tasks")
	}
	ids := make([]int64, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ServerID
	}
	var servers []serverRow
	if len(ids) > 0 {
		if err := db.Select("id", "name").Where("id IN ?", ids).Find(&servers).Error; err != nil {
			return links.OperationDetail{}, translate(err, "servers")
		}
	}
	names := map[int64]string{}
	for _, s := range servers {
		names[s.ID] = s.Name
	}
	out := links.OperationDetail{Operation: operationFromRow(row), Servers: make([]links.ServerTask, len(tasks))}
	totalsOf(tasks).add(&out.Operation)
	for i, t := range tasks {
		out.Servers[i] = taskFromRow(t)
		out.Servers[i].ServerName = names[t.ServerID]
	}
	return out, nil
}

// ListOperations returns one page of operations, newest first, and the total.
func (s *Store) ListOperations(ctx context.Context, f links.OperationFilter) ([]links.Operation, int64, error) {
	q := s.db.WithContext(ctx).Model(&operationRow{})
	if f.Module != "" {
		q = q.Where("module = ?", f.Module)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "operations")
	}
	var rows []operationRow
	if err := q.Order("id DESC").Offset(f.Offset()).Limit(f.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "operations")
	}
	out := make([]links.Operation, len(rows))
	for i, r := range rows {
		out[i] = operationFromRow(r)
	}
	if err := addTaskTotals(s.db.WithContext(ctx), out); err != nil {
		return nil, 0, translate(err, "server tasks")
	}
	return out, total, nil
}

// LatestOperation returns the newest operation of the module that is not an
// account sync; ENOTFOUND when the module has none yet.
func (s *Store) LatestOperation(ctx context.Context, module string) (*links.Operation, error) {
	var rows []operationRow
	err := s.db.WithContext(ctx).Where("module = ? AND kind <> ?", module, links.OpAccountSync).
		Order("id DESC").Limit(1).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "operations")
	}
	if len(rows) == 0 {
		return nil, links.Errorf(links.ENOTFOUND, "No operation of %s yet.", module)
	}
	ops := []links.Operation{operationFromRow(rows[0])}
	if err := addTaskTotals(s.db.WithContext(ctx), ops); err != nil {
		return nil, translate(err, "server tasks")
	}
	return &ops[0], nil
}

// PurgeOperations deletes finished operations (with their tasks and log)
// that finished before the cutoff, and returns how many.
func (s *Store) PurgeOperations(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var ids []int64
		if err := tx.Model(&operationRow{}).Where("state NOT IN ? AND finished_at < ?", openOpStates, before).
			Limit(1000).Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
			return err
		}
		if err := tx.Where("operation_id IN ?", ids).Delete(&logEntryRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("operation_id IN ?", ids).Delete(&serverTaskRow{}).Error; err != nil {
			return err
		}
		res := tx.Where("id IN ?", ids).Delete(&operationRow{})
		n = res.RowsAffected
		return res.Error
	})
	return n, translate(err, "operations")
}
