package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/applinks/applinks/api/links"
)

// confirmGroupSQLHead and confirmGroupSQLTail surround the username list
// (strings.Repeat of "?,") of a grouped confirmation: plain successes
// sharing the fingerprint read and the one confirmed, written in one
// statement fenced like updateLocationSQL (a row whose confirmed
// fingerprint changed since it was read is left alone).
const (
	confirmGroupSQLHead = "UPDATE link_states SET confirmed_fp = ?, confirmed_at = ?, attempts = 0, next_attempt_at = NULL," +
		" last_error = '', failed_fp = '' WHERE server_id = ? AND confirmed_fp = ? AND username IN ("
	confirmGroupSQLTail = ")"
	// pendingRotationsSQLHead lists the services, among those named, whose
	// credential has a rotation pending at one version (not confirmed yet).
	// It is a plain (non-locking) read: a batch locks no credential unless
	// it changes one. A service change locks its credential before its
	// location, and a batch that locked them in the other order could
	// deadlock with it.
	pendingRotationsSQLHead = "SELECT service_id FROM link_credentials WHERE version = ? AND prev_token_hash <> ''" +
		" AND prev_confirmed_at IS NULL AND service_id IN ("
	// confirmRotationsSQLHead records when the panel confirmed the pending
	// rotations of services at one credential version, which starts the
	// previous tokens' grace (arguments: the time, the version, the
	// services). A rotation already confirmed keeps its time: a later push
	// does not extend the grace.
	confirmRotationsSQLHead = "UPDATE link_credentials SET prev_confirmed_at = ? WHERE version = ? AND prev_token_hash <> ''" +
		" AND prev_confirmed_at IS NULL AND service_id IN ("
)

// errRegroup rolls back a batch one of whose groups applied only in part:
// it is then written again row by row, which tells which rows applied.
var errRegroup = errors.New("store: a grouped confirmation applied in part")

// groupKey is what the updates of one group share.
type groupKey struct {
	readFP, confirmedFP string
	// credVersion is the credential version whose rotation the group
	// confirms; zero for none.
	credVersion int
}

// batchPlan splits a batch's updates into groups (two or more plain
// successes with the same key) and the rest, written row by row in order.
type batchPlan struct {
	groups [][]int
	rest   []int
}

// groupable reports whether an update is a plain success: confirmed, no
// entry or event, nothing that differs from its group's constant columns.
// ReadFP == ConfirmedFP stays per row: on MySQL such a row could match
// without changing, and RowsAffected counts changed rows only.
func groupable(u links.LinkStateUpdate) bool {
	return u.Done && !u.Failed && !u.Delete && u.Entry == nil && u.Event == nil && u.Attempts == 0 &&
		u.NextAttemptAt == nil && u.LastError == "" && u.FailedFP == "" && u.ReadFP != u.ConfirmedFP
}

// planBatch groups a batch's plain successes; an account named twice in the
// batch stays per row, so that the order of its updates holds.
func planBatch(us []links.LinkStateUpdate, group bool) batchPlan {
	var p batchPlan
	seen := make(map[string]int, len(us))
	for _, u := range us {
		seen[u.Username]++
	}
	index := map[groupKey]int{}
	grouped := make([]bool, len(us))
	for i, u := range us {
		if !group || !groupable(u) || seen[u.Username] > 1 {
			continue
		}
		k := groupKey{readFP: u.ReadFP, confirmedFP: u.ConfirmedFP}
		if u.ServiceID != 0 {
			k.credVersion = u.CredVersion
		}
		g, ok := index[k]
		if !ok {
			g = len(p.groups)
			index[k] = g
			p.groups = append(p.groups, nil)
		}
		p.groups[g] = append(p.groups[g], i)
	}
	kept := p.groups[:0]
	for _, g := range p.groups {
		if len(g) < 2 {
			continue // one row: the per-row statement is as cheap
		}
		kept = append(kept, g)
		for _, i := range g {
			grouped[i] = true
		}
	}
	p.groups = kept
	for i := range us {
		if !grouped[i] {
			p.rest = append(p.rest, i)
		}
	}
	return p
}

// applyGroup writes a group in one statement and, if it applied, confirms
// its services' rotations in another; errRegroup when it applied in part.
func applyGroup(ctx context.Context, tx sqlConn, serverID int64, now time.Time, us []links.LinkStateUpdate, g []int) error {
	first := us[g[0]]
	marks := strings.TrimSuffix(strings.Repeat("?,", len(g)), ",")
	args := make([]any, 0, len(g)+4)
	args = append(args, first.ConfirmedFP, now, serverID, first.ReadFP)
	for _, i := range g {
		args = append(args, us[i].Username)
	}
	n, err := execCount(ctx, tx, confirmGroupSQLHead+marks+confirmGroupSQLTail, args...)
	if err != nil {
		return err
	}
	if n != len(g) {
		return errRegroup
	}
	var services []int64
	for _, i := range g {
		if us[i].ServiceID != 0 && us[i].CredVersion != 0 {
			services = append(services, us[i].ServiceID)
		}
	}
	return confirmRotations(ctx, tx, now, first.CredVersion, services)
}

// confirmRotations records the confirmation, at now, of the pending
// rotations of the services' credentials at version (their locations
// confirmed it), in tx: one read, and an UPDATE only when one is pending.
func confirmRotations(ctx context.Context, tx sqlConn, now time.Time, version int, services []int64) error {
	if len(services) == 0 {
		return nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(services)), ",")
	args := make([]any, 0, len(services)+1)
	args = append(args, version)
	for _, id := range services {
		args = append(args, id)
	}
	rows, err := tx.QueryContext(ctx, pendingRotationsSQLHead+marks+confirmGroupSQLTail, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	pending := []any{now, version}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		pending = append(pending, id)
	}
	if err := rows.Err(); err != nil || len(pending) == 2 {
		return err
	}
	marks = strings.TrimSuffix(strings.Repeat("?,", len(pending)-2), ",")
	_, err = tx.ExecContext(ctx, confirmRotationsSQLHead+marks+confirmGroupSQLTail, pending...)
	return err
}
