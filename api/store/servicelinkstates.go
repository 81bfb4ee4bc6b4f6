package store

import (
	"context"
	"fmt"
	"time"

	"github.com/applinks/applinks/api/links"
)

// serviceLinkRow is what one service's link state is computed from.
type serviceLinkRow struct {
	ID            int64
	Status        string
	Username      string
	ServerName    string
	ServerActive  bool
	Supports      *bool
	AppEnabled    bool
	AppFP         string
	CredVersion   int
	HasRow        bool
	ConfirmedFP   string
	FailedFP      string
	Attempts      int
	NextAttemptAt *time.Time
	LastError     string
	ConfirmedAt   *time.Time
}

// serviceLinkSQL joins each service with its server, application, link
// credential and location row; one query for a whole page.
const serviceLinkSQL = `SELECT s.id AS id, s.status AS status, COALESCE(s.username, '') AS username,
	sv.name AS server_name, sv.active AS server_active, sv.supports_links AS supports,
	COALESCE(a.enabled, 0) AS app_enabled, COALESCE(a.fingerprint, '') AS app_fp, COALESCE(lc.version, 0) AS cred_version,
	CASE WHEN ls.server_id IS NULL THEN 0 ELSE 1 END AS has_row,
	COALESCE(ls.confirmed_fp, '') AS confirmed_fp, COALESCE(ls.failed_fp, '') AS failed_fp,
	COALESCE(ls.attempts, 0) AS attempts, ls.next_attempt_at AS next_attempt_at,
	COALESCE(ls.last_error, '') AS last_error, ls.confirmed_at AS confirmed_at
FROM services s
JOIN servers sv ON sv.id = s.server_id
LEFT JOIN applications a ON a.module = sv.module
LEFT JOIN link_credentials lc ON lc.service_id = s.id
LEFT JOIN link_states ls ON ls.server_id = s.server_id AND ls.username = s.username
WHERE s.id IN ?`

// ServiceLinkStates returns the link state of each of the services (by
// id), in one query. A server not checked yet counts as supporting links:
// its accounts are pending until the check says otherwise. The accounts of
// a deactivated or unsupported server are held (the engine leaves them).
func (s *Store) ServiceLinkStates(ctx context.Context, ids []int64) (map[int64]links.ServiceLinkState, error) {
	out := make(map[int64]links.ServiceLinkState, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []serviceLinkRow
	if err := s.db.WithContext(ctx).Raw(serviceLinkSQL, ids).Scan(&rows).Error; err != nil {
		return nil, translate(err, "link states")
	}
	for _, r := range rows {
		desired := links.DesiredFP(links.DesiredInput{AtLocation: r.Username != "", Status: r.Status,
			ServerActive: r.ServerActive, ServerSupported: r.Supports == nil || *r.Supports,
			AppEnabled: r.AppEnabled, AppFP: r.AppFP, CredVersion: r.CredVersion})
		out[r.ID] = links.LinkStateOf(links.LinkStateFacts{Desired: desired, HasRow: r.HasRow,
			ConfirmedFP: r.ConfirmedFP, FailedFP: r.FailedFP, Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt,
			LastError: r.LastError, ConfirmedAt: r.ConfirmedAt, Hold: holdOf(r)})
	}
	return out, nil
}

// holdOf says why the engine leaves the accounts of r's server as they
// are: "" when it works them.
func holdOf(r serviceLinkRow) string {
	switch {
	case !r.ServerActive:
		return fmt.Sprintf("Server %s is deactivated: its accounts are left as they are until it is activated again.", r.ServerName)
	case r.Supports != nil && !*r.Supports:
		return fmt.Sprintf("Server %s does not support application links.", r.ServerName)
	}
	return ""
}
