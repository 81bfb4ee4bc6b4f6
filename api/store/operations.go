package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/applinks/applinks/api/links"
)

// ErrLeaseLost is links.ErrLeaseLost: lease renewals and progress commits
// return it when the caller no longer holds the task's lease.
var ErrLeaseLost = links.ErrLeaseLost

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
		ServerID: r.ServerID, ServiceID: r.ServiceID, Message: r.Message}
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

// queueOp creates the operation, supersedes older ones when asked, creates
// its tasks and writes its first log entries, inside tx.
func (s *Store) queueOp(tx *gorm.DB, op links.NewOperation) (links.Operation, error) {
	now := s.now()
	targets := op.Targets
	if targets == nil {
		var ids []int64
		if err := tx.Model(&serverRow{}).Where("module = ? AND active = ?", op.Module, true).Order("id").Pluck("id", &ids).Error; err != nil {
			return links.Operation{}, err
		}
		for _, id := range ids {
			targets = append(targets, links.TaskTarget{ServerID: id, Action: links.ActionPush})
		}
	}
	row := operationRow{Module: op.Module, Kind: op.Kind, State: links.OpQueued, Spec: op.Spec, StartedBy: op.StartedBy,
		ServersTotal: len(targets)}
	if err := tx.Create(&row).Error; err != nil {
		return links.Operation{}, err
	}
	if op.Supersede {
		if err := supersede(tx, op.Module, row.ID, now); err != nil {
			return links.Operation{}, err
		}
	}
	if err := insertTasks(tx, row.ID, targets, now); err != nil {
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

// insertTasks creates the pending tasks of an operation, up to 100 rows per
// INSERT (plain SQL: GORM's Create reflected over every row of every task,
// half the CPU of queueing an operation over 20 servers). The columns not
// named take their defaults.
func insertTasks(tx *gorm.DB, opID int64, targets []links.TaskTarget, now time.Time) error {
	const cols = "(operation_id, server_id, action, service_id, username, state, next_attempt_at, last_error, created_at, updated_at)"
	const row = "(?, ?, ?, ?, ?, ?, ?, '', ?, ?)"
	for len(targets) > 0 {
		n := min(len(targets), 100)
		args := make([]any, 0, 9*n)
		for _, t := range targets[:n] {
			action := t.Action
			if action == "" {
				action = links.ActionPush // the column's default
			}
			args = append(args, opID, t.ServerID, action, t.ServiceID, t.Username, links.TaskPending, now, now, now)
		}
		if err := tx.Exec("INSERT INTO server_tasks "+cols+" VALUES "+row+strings.Repeat(", "+row, n-1), args...).Error; err != nil {
			return err
		}
		targets = targets[n:]
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
			Message: fmt.Sprintf("Superseded by operation %d: the newest configuration wins.", newID)}
	}
	return tx.Create(&entries).Error
}

// ClaimTask takes the lease of one due server task whose server nobody else
// is working, or returns nil when there is none (see ClaimTasks).
func (s *Store) ClaimTask(ctx context.Context, owner string, ttl time.Duration) (*links.ClaimedTask, error) {
	cts, err := s.ClaimTasks(ctx, []string{owner}, ttl)
	if err != nil || len(cts) == 0 {
		return nil, err
	}
	return cts[0], nil
}

// ClaimTasks takes the leases of up to len(owners) due server tasks on
// different servers that nobody else is working, owners[i] holding the i-th;
// fewer (none) when fewer are due. A task is due when it is pending or
// running with an expired lease (its holder died) and its next attempt time
// has come.
//
// A claim is two conditional UPDATEs: first the server's lease row (one
// holder per server, across operations), then the task's own lease; the
// claims of a call are made by one multi-row statement each (claimRound),
// in one transaction (one commit, which on MySQL is one log flush). The rows
// are taken in server order, so that claims made at once by several
// processes wait for each other instead of deadlocking, and the loser finds
// the leases taken.
func (s *Store) ClaimTasks(ctx context.Context, owners []string, ttl time.Duration) ([]*links.ClaimedTask, error) {
	if len(owners) == 0 {
		return nil, nil
	}
	db := s.db.WithContext(ctx)
	now := s.now()
	var rows []serverTaskRow
	err := db.Select("id", "server_id", "operation_id").Where("state IN ? AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at < ?)",
		openTaskStates, now, now).Order("id").Limit(max(32, 2*len(owners))).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "server tasks")
	}
	// One candidate per server (its oldest due task), in server order.
	var cands []serverTaskRow
	seen := map[int64]bool{}
	for _, r := range rows {
		if !seen[r.ServerID] {
			seen[r.ServerID] = true
			cands = append(cands, r)
		}
	}
	slices.SortFunc(cands, func(a, b serverTaskRow) int { return cmp.Compare(a.ServerID, b.ServerID) })
	won, held, err := s.claimAll(ctx, cands, owners, now, ttl)
	if err != nil {
		return nil, err
	}
	if len(won) < len(owners) && len(held) > 0 {
		// Held by other workers, or servers without a lease row yet (their
		// first task): create the missing rows free, then try those again.
		again, err := s.addLeaseRows(ctx, held)
		if err != nil {
			return nil, err
		}
		more, _, err := s.claimAll(ctx, again, owners[len(won):], now, ttl)
		if err != nil {
			s.releaseClaims(ctx, won, now)
			return nil, err
		}
		won = append(won, more...)
	}
	cts, err := s.loadClaims(ctx, won, now)
	if err != nil {
		s.releaseClaims(ctx, won, now)
		return nil, err
	}
	return cts, nil
}

// claimRef is one claim made, before its task is read.
type claimRef struct {
	taskID, serverID int64
	owner            string
}

// claimAll claims the candidates in order, in one transaction, until every
// owner holds one. held are the candidates whose server lease was not free
// (or does not exist yet). A round of claims takes three statements
// whatever its size (claimRound); another round follows only when some
// candidates of the first were held.
func (s *Store) claimAll(ctx context.Context, cands []serverTaskRow, owners []string, now time.Time, ttl time.Duration) (won []claimRef, held []serverTaskRow, err error) {
	if len(cands) == 0 {
		return nil, nil, nil
	}
	exp := now.Add(ttl)
	_, err = s.writeTx(ctx, func(tx sqlConn) (string, error) {
		won, held = nil, nil
		free := slices.Clone(owners) // the owners not holding a claim yet
		for rest := cands; len(rest) > 0 && len(free) > 0; {
			n := min(len(rest), len(free))
			got, lost, err := claimRound(ctx, tx, rest[:n], free[:n], now, exp)
			if err != nil {
				return "", err
			}
			rest = rest[n:]
			won, held = append(won, got...), append(held, lost...)
			free = slices.DeleteFunc(free, func(o string) bool {
				return slices.ContainsFunc(got, func(c claimRef) bool { return c.owner == o })
			})
		}
		return "", nil
	})
	if err != nil {
		return nil, nil, translate(s.dbErr(err), "server task")
	}
	// The i-th claim is held by owners[i] when every owner got one.
	slices.SortFunc(won, func(a, b claimRef) int {
		return cmp.Compare(slices.Index(owners, a.owner), slices.Index(owners, b.owner))
	})
	return won, held, nil
}

// claimRound claims cands[i] for owners[i], each the server's lease first
// (one holder per server, across operations), then the task's own lease:
// one conditional multi-row UPDATE each, whose outcome per row is read back
// only when some row did not change. A won server lease whose task was
// taken meanwhile goes back. The operations of the tasks won start (when
// still queued). The rows are locked in server order (an IN list on the
// primary key), so that claims made at once by several processes wait for
// each other instead of deadlocking.
func claimRound(ctx context.Context, tx sqlConn, cands []serverTaskRow, owners []string, now, exp time.Time) (won []claimRef, held []serverTaskRow, err error) {
	n := len(cands)
	ownerOf := make(map[int64]string, n) // by server
	var q strings.Builder
	args := make([]any, 0, 4*n+n+4)
	q.WriteString("UPDATE server_leases SET owner = CASE server_id")
	for i, c := range cands {
		q.WriteString(" WHEN ? THEN ?")
		args = append(args, c.ServerID, owners[i])
		ownerOf[c.ServerID] = owners[i]
	}
	q.WriteString(" ELSE owner END, task_id = CASE server_id")
	for _, c := range cands {
		q.WriteString(" WHEN ? THEN ?")
		args = append(args, c.ServerID, c.ID)
	}
	q.WriteString(" ELSE task_id END, expires_at = ?, updated_at = ? WHERE server_id IN (?" + strings.Repeat(", ?", n-1) + ") AND (owner = '' OR expires_at < ?)")
	args = append(args, exp, now)
	for _, c := range cands {
		args = append(args, c.ServerID)
	}
	args = append(args, now)
	changed, err := execCount(ctx, tx, q.String(), args...)
	if err != nil {
		return nil, nil, err
	}
	leased := cands
	if changed != n {
		holders, err := holders(ctx, tx, "SELECT server_id, owner FROM server_leases WHERE server_id IN ", cands, func(c serverTaskRow) int64 { return c.ServerID })
		if err != nil {
			return nil, nil, err
		}
		leased = nil
		for _, c := range cands {
			if holders[c.ServerID] == ownerOf[c.ServerID] {
				leased = append(leased, c)
			} else {
				held = append(held, c)
			}
		}
		if len(leased) == 0 {
			return nil, held, nil
		}
	}

	m := len(leased)
	q.Reset()
	args = args[:0]
	q.WriteString("UPDATE server_tasks SET lease_owner = CASE id")
	for _, c := range leased {
		q.WriteString(" WHEN ? THEN ?")
		args = append(args, c.ID, ownerOf[c.ServerID])
	}
	q.WriteString(" ELSE lease_owner END, lease_expires_at = ?, state = ?, started_at = COALESCE(started_at, ?), updated_at = ? WHERE id IN (?" +
		strings.Repeat(", ?", m-1) + ") AND state IN (?, ?) AND (lease_expires_at IS NULL OR lease_expires_at < ?)")
	args = append(args, exp, links.TaskRunning, now, now)
	for _, c := range leased {
		args = append(args, c.ID)
	}
	args = append(args, openTaskStates[0], openTaskStates[1], now)
	if changed, err = execCount(ctx, tx, q.String(), args...); err != nil {
		return nil, nil, err
	}
	var taskHolders map[int64]string
	if changed != m {
		if taskHolders, err = holders(ctx, tx, "SELECT id, lease_owner FROM server_tasks WHERE id IN ", leased, func(c serverTaskRow) int64 { return c.ID }); err != nil {
			return nil, nil, err
		}
	}
	var ops []int64 // the operations of the tasks won
	for _, c := range leased {
		owner := ownerOf[c.ServerID]
		if taskHolders != nil && taskHolders[c.ID] != owner {
			// The task was taken meanwhile: the server's lease goes back.
			if _, err := tx.ExecContext(ctx, freeLeaseSQL, leaseEpoch, now, c.ServerID, owner); err != nil {
				return nil, nil, err
			}
			continue
		}
		won = append(won, claimRef{taskID: c.ID, serverID: c.ServerID, owner: owner})
		if !slices.Contains(ops, c.OperationID) {
			ops = append(ops, c.OperationID)
		}
	}
	if len(ops) > 0 {
		// The first claimed task starts its operation.
		args = append(args[:0], links.OpRunning, now, now)
		for _, id := range ops {
			args = append(args, id)
		}
		args = append(args, links.OpQueued)
		if _, err := tx.ExecContext(ctx, "UPDATE operations SET state = ?, started_at = ?, updated_at = ? WHERE id IN (?"+
			strings.Repeat(", ?", len(ops)-1)+") AND state = ?", args...); err != nil {
			return nil, nil, err
		}
	}
	return won, held, nil
}

// freeLeaseSQL gives a server's lease up if its owner holds it (arguments:
// the epoch, now, the server and the owner).
const freeLeaseSQL = "UPDATE server_leases SET owner = '', task_id = 0, expires_at = ?, updated_at = ? WHERE server_id = ? AND owner = ?"

// execCount runs a statement and returns the rows it changed.
func execCount(ctx context.Context, tx sqlConn, query string, args ...any) (int, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// holders reads the owner of each candidate's row (a lease or a task) by
// the row's id (key), with query, a SELECT of the id and the owner ending
// in "IN ".
func holders(ctx context.Context, tx sqlConn, query string, cands []serverTaskRow, key func(serverTaskRow) int64) (map[int64]string, error) {
	args := make([]any, len(cands))
	for i, c := range cands {
		args[i] = key(c)
	}
	rows, err := tx.QueryContext(ctx, query+"(?"+strings.Repeat(", ?", len(cands)-1)+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]string, len(cands))
	for rows.Next() {
		var id int64
		var owner string
		if err := rows.Scan(&id, &owner); err != nil {
			return nil, err
		}
		out[id] = owner
	}
	return out, rows.Err()
}

// addLeaseRows creates the free lease rows of the candidates' servers that
// have none, and returns those candidates.
func (s *Store) addLeaseRows(ctx context.Context, cands []serverTaskRow) ([]serverTaskRow, error) {
	db := s.db.WithContext(ctx)
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.ServerID
	}
	var have []int64
	if err := db.Model(&serverLeaseRow{}).Where("server_id IN ?", ids).Pluck("server_id", &have).Error; err != nil {
		return nil, translate(err, "server lease")
	}
	var missing []serverTaskRow
	var rows []serverLeaseRow
	for _, c := range cands {
		if !slices.Contains(have, c.ServerID) {
			missing = append(missing, c)
			rows = append(rows, serverLeaseRow{ServerID: c.ServerID, ExpiresAt: leaseEpoch})
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return nil, translate(err, "server lease")
	}
	return missing, nil
}

// releaseClaims gives claims back when their tasks could not be read.
func (s *Store) releaseClaims(ctx context.Context, refs []claimRef, now time.Time) {
	for _, r := range refs {
		_ = s.ReleaseLease(ctx, r.taskID, r.serverID, r.owner, now, "")
	}
}

// loadClaims reads the claimed tasks with their operations (starting those
// still queued) and servers, in the claims' order. A server whose token
// cannot be opened gets no connection: the worker's own read reports it.
func (s *Store) loadClaims(ctx context.Context, refs []claimRef, now time.Time) ([]*links.ClaimedTask, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	db := s.db.WithContext(ctx)
	taskIDs := make([]int64, len(refs))
	serverIDs := make([]int64, len(refs))
	for i, r := range refs {
		taskIDs[i], serverIDs[i] = r.taskID, r.serverID
	}
	var tasks []serverTaskRow
	if err := db.Where("id IN ?", taskIDs).Find(&tasks).Error; err != nil {
		return nil, translate(err, "server tasks")
	}
	byID := make(map[int64]serverTaskRow, len(tasks))
	var opIDs []int64
	for _, t := range tasks {
		byID[t.ID] = t
		if !slices.Contains(opIDs, t.OperationID) {
			opIDs = append(opIDs, t.OperationID)
		}
	}
	var ops []operationRow
	if err := db.Where("id IN ?", opIDs).Find(&ops).Error; err != nil {
		return nil, translate(err, "operation")
	}
	opByID := make(map[int64]operationRow, len(ops))
	for _, o := range ops {
		opByID[o.ID] = o
	}
	var srvs []serverRow
	if err := db.Where("id IN ?", serverIDs).Find(&srvs).Error; err != nil {
		return nil, translate(err, "servers")
	}
	srvByID := make(map[int64]serverRow, len(srvs))
	for _, sv := range srvs {
		srvByID[sv.ID] = sv
	}
	out := make([]*links.ClaimedTask, len(refs))
	for i, r := range refs {
		t, ok := byID[r.taskID]
		op, okOp := opByID[t.OperationID]
		if !ok || !okOp {
			return nil, links.Errorf(links.ENOTFOUND, "Server task %d was not found.", r.taskID)
		}
		out[i] = &links.ClaimedTask{Task: taskFromRow(t), Operation: operationFromRow(op), Spec: op.Spec, Owner: r.owner}
		if sv, ok := srvByID[t.ServerID]; ok {
			out[i].Task.ServerName = sv.Name
			if conn, err := s.connFromRow(sv); err == nil {
				out[i].Conn = &conn
			}
		}
	}
	return out, nil
}

// RenewLease extends the task's and its server's lease; ErrLeaseLost when the
// caller no longer holds the task.
func (s *Store) RenewLease(ctx context.Context, taskID, serverID int64, owner string, ttl time.Duration) error {
	db := s.db.WithContext(ctx)
	exp := s.now().Add(ttl)
	res := db.Model(&serverTaskRow{}).Where("id = ? AND lease_owner = ?", taskID, owner).Update("lease_expires_at", exp)
	if res.Error != nil {
		return translate(res.Error, "server task")
	}
	if res.RowsAffected != 1 {
		return ErrLeaseLost
	}
	res = db.Model(&serverLeaseRow{}).Where("server_id = ? AND owner = ?", serverID, owner).Update("expires_at", exp)
	if res.Error != nil {
		return translate(res.Error, "server lease")
	}
	if res.RowsAffected != 1 {
		return ErrLeaseLost
	}
	return nil
}

// ReleaseLease gives up the task and its server. A task still open becomes due
// again at retryAt (with lastErr recorded and its attempts counted), so that
// a failing task backs off; a finished task just drops its lease.
//
// Its writes share one transaction (one commit, one log flush on MySQL).
func (s *Store) ReleaseLease(ctx context.Context, taskID, serverID int64, owner string, retryAt time.Time, lastErr string) error {
	// One UPDATE for both cases: the retry columns change only while the
	// task is open.
	const isOpen = "state IN ?"
	cols := map[string]any{"lease_owner": "", "lease_expires_at": nil,
		"next_attempt_at": gorm.Expr("CASE WHEN "+isOpen+" THEN ? ELSE next_attempt_at END", openTaskStates, retryAt)}
	if lastErr != "" {
		cols["last_error"] = gorm.Expr("CASE WHEN "+isOpen+" THEN ? ELSE last_error END", openTaskStates, truncate(lastErr, 2000))
		cols["attempts"] = gorm.Expr("CASE WHEN "+isOpen+" THEN attempts + 1 ELSE attempts END", openTaskStates)
	}
	return translate(s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&serverTaskRow{}).Where("id = ? AND lease_owner = ?", taskID, owner).Updates(cols).Error
		if err == nil {
			err = tx.Exec(freeLeaseSQL, leaseEpoch, s.now(), serverID, owner).Error
		}
		return err
	}), "server task")
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
			return insertLog(tx, opID, row.Module, now, entries(out))
		}
		return nil
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

// PendingTasks counts the open server tasks: the queue depth.
func (s *Store) PendingTasks(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&serverTaskRow{}).Where("state IN ?", openTaskStates).Count(&n).Error
	return n, translate(err, "server tasks")
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
// account sync, or nil when there is none.
func (s *Store) LatestOperation(ctx context.Context, module string) (*links.Operation, error) {
	var rows []operationRow
	err := s.db.WithContext(ctx).Where("module = ? AND kind <> ?", module, links.OpAccountSync).
		Order("id DESC").Limit(1).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "operations")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ops := []links.Operation{operationFromRow(rows[0])}
	if err := addTaskTotals(s.db.WithContext(ctx), ops); err != nil {
		return nil, translate(err, "server tasks")
	}
	return &ops[0], nil
}

// ListLog returns one page of an operation's log, oldest first, and the total.
func (s *Store) ListLog(ctx context.Context, f links.LogFilter) ([]links.LogEntry, int64, error) {
	q := s.db.WithContext(ctx).Model(&logEntryRow{}).Where("operation_id = ?", f.OperationID)
	if f.Level != "" {
		q = q.Where("level = ?", f.Level)
	}
	if f.ServerID != 0 {
		q = q.Where("server_id = ?", f.ServerID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "log entries")
	}
	var rows []logEntryRow
	if err := q.Order("id").Offset(f.Offset()).Limit(f.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "log entries")
	}
	out := make([]links.LogEntry, len(rows))
	for i, r := range rows {
		out[i] = logFromRow(r)
	}
	return out, total, nil
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
