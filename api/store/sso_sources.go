package store

import (
	"context"
	"time"

	"github.com/applinks/applinks/api/links"
)

// SSOClickSources returns the distinct source addresses of the cPanel clicks
// on a server's services since a time, most recently seen first, at most
// limit of them, each with its number of clicks and refusals. Allowed is
// left for the caller, who holds the server's current list.
//
// Only clicks that carried the link's valid credentials count (a click with
// a wrong token is recorded with the server of the subscriber id it named,
// but anyone can send one): an address offered to staff to allow has proven
// that it held a real link. The query reads the (server_id, time) index.
func (s *Store) SSOClickSources(ctx context.Context, serverID int64, since time.Time, limit int) ([]links.SSOSourceSeen, error) {
	var rows []struct {
		IP      string
		N       int64
		Refused int64
		LastID  int64
	}
	err := s.db.WithContext(ctx).Model(&ssoEventRow{}).
		Select("ip, COUNT(*) AS n, SUM(CASE WHEN outcome = ? THEN 1 ELSE 0 END) AS refused, MAX(id) AS last_id", links.SSORefused).
		Where("server_id = ? AND time >= ? AND kind = ? AND source = ? AND reason <> ? AND ip <> ''",
			serverID, utc(since), links.SSOKindIssue, links.SSOSourceCPanel, links.SSOReasonBadCredentials).
		Group("ip").Order("last_id DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "SSO events")
	}
	out := make([]links.SSOSourceSeen, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	// The time of each address's last click, by the event's id: MAX over
	// a time column reads back as text on SQLite.
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.LastID
	}
	var last []ssoEventRow
	if err := s.db.WithContext(ctx).Select("id, time").Where("id IN ?", ids).Find(&last).Error; err != nil {
		return nil, translate(err, "SSO events")
	}
	at := make(map[int64]time.Time, len(last))
	for _, r := range last {
		at[r.ID] = r.Time.UTC()
	}
	for i, r := range rows {
		out[i] = links.SSOSourceSeen{IP: r.IP, Clicks: r.N, Refused: r.Refused, LastAt: at[r.LastID]}
	}
	return out, nil
}
