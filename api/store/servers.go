package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

func tokenAAD(serverID int64) string { return fmt.Sprintf("server:%d:api_token", serverID) }

// CreateServer stores a new server with its API token sealed.
func (s *Store) CreateServer(ctx context.Context, in links.ServerInput) (links.Server, error) {
	row := serverRow{
		Module: in.Module, Name: in.Name, Hostname: in.Hostname, Port: *in.Port, Secure: *in.Secure,
		VerifyTLS: *in.VerifyTLS, Username: in.Username, Active: *in.Active, SSOSources: joinList(in.SSOSources),
		WantedGen: 1, // due at once: its accounts get their links with no repair
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.checkServerUnique(tx, 0, row.Name, row.Hostname, row.Port); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		// The token is sealed with the row id as associated data, so the
		// ciphertext cannot be moved to another server's row.
		sealed, err := s.box.Seal(in.APIToken, tokenAAD(row.ID))
		if err != nil {
			return err
		}
		if err := tx.Model(&row).Update("api_token_enc", sealed).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditServer, id: auditID(row.ID), action: links.AuditCreate,
			after: serverFromRow(row), secrets: []string{"api_token"}})
	})
	if err != nil {
		return links.Server{}, translate(err, "a server with this name or hostname and port")
	}
	return s.Server(ctx, row.ID)
}

// checkServerUnique gives a precise conflict message before the unique
// indexes would refuse the row.
func (s *Store) checkServerUnique(tx *gorm.DB, id int64, name, host string, port int) error {
	var n int64
	if err := tx.Model(&serverRow{}).Where("name = ? AND id <> ?", name, id).Count(&n).Error; err != nil {
		return err
	} else if n > 0 {
		return &links.Error{Code: links.ECONFLICT, Field: "name", Message: fmt.Sprintf("A server named %q already exists.", name)}
	}
	if err := tx.Model(&serverRow{}).Where("hostname = ? AND port = ? AND id <> ?", host, port, id).Count(&n).Error; err != nil {
		return err
	} else if n > 0 {
		return &links.Error{Code: links.ECONFLICT, Field: "hostname", Message: fmt.Sprintf("A server at %s:%d already exists.", host, port)}
	}
	return nil
}

// Server returns one server with its service count.
func (s *Store) Server(ctx context.Context, id int64) (links.Server, error) {
	var row serverRow
	db := s.db.WithContext(ctx)
	if err := db.Take(&row, id).Error; err != nil {
		return links.Server{}, translate(err, fmt.Sprintf("server %d", id))
	}
	var n int64
	if err := db.Model(&serviceRow{}).Where("server_id = ?", id).Count(&n).Error; err != nil {
		return links.Server{}, translate(err, "services")
	}
	srv := serverFromRow(row)
	srv.Services = n
	return srv, nil
}

func serverFromRow(r serverRow) links.Server {
	return links.Server{
		ID: r.ID, Module: r.Module, Name: r.Name, Hostname: r.Hostname, Port: r.Port, Secure: r.Secure,
		VerifyTLS: r.VerifyTLS, Username: r.Username, HasToken: r.APITokenEnc != "", Active: r.Active,
		Version: r.Version, Profile: r.Profile, SupportsLinks: r.SupportsLinks, SupportReason: r.SupportReason,
		CheckedAt: r.CheckedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SSOSources: splitList(r.SSOSources),
	}
}

// ListServers returns one page of servers and the total that match.
func (s *Store) ListServers(ctx context.Context, f links.ServerFilter) ([]links.Server, int64, error) {
	q := s.db.WithContext(ctx).Model(&serverRow{})
	if f.Module != "" {
		q = q.Where("module = ?", f.Module)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where("(LOWER(name) LIKE ? ESCAPE '!' OR hostname LIKE ? ESCAPE '!')", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "servers")
	}
	var rows []serverRow
	if err := q.Order("id").Offset(f.Offset()).Limit(f.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "servers")
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	counts, err := s.serviceCounts(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]links.Server, len(rows))
	for i, r := range rows {
		out[i] = serverFromRow(r)
		out[i].Services = counts[r.ID]
	}
	return out, total, nil
}

func (s *Store) serviceCounts(ctx context.Context, serverIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(serverIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ServerID int64
		N        int64
	}
	err := s.db.WithContext(ctx).Model(&serviceRow{}).Select("server_id, COUNT(*) AS n").
		Where("server_id IN ?", serverIDs).Group("server_id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "services")
	}
	for _, r := range rows {
		out[r.ServerID] = r.N
	}
	return out, nil
}

// UpdateServer changes the fields of p that are set. A new API token is
// sealed; changing where or how the server is reached needs one (checked in
// the transaction, against the row it changes) and clears what was detected
// about it.
func (s *Store) UpdateServer(ctx context.Context, id int64, p links.ServerPatch) (links.Server, error) {
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		// Locked, and first: an intent that bumps the server waits, or
		// committed before anything here is read (followServer).
		var row serverRow
		if err := locked(tx).Take(&row, id).Error; err != nil {
			return translate(err, fmt.Sprintf("server %d", id))
		}
		if err := p.CheckReach(serverFromRow(row)); err != nil {
			return err
		}
		cols := map[string]any{}
		name, host, port := row.Name, row.Hostname, row.Port
		if p.Name != nil {
			name = *p.Name
			cols["name"] = name
		}
		if p.Hostname != nil {
			host = *p.Hostname
			cols["hostname"] = host
		}
		if p.Port != nil {
			port = *p.Port
			cols["port"] = port
		}
		if p.Secure != nil {
			cols["secure"] = *p.Secure
		}
		if p.VerifyTLS != nil {
			cols["verify_tls"] = *p.VerifyTLS
		}
		if p.Username != nil {
			cols["username"] = *p.Username
		}
		if p.Active != nil {
			cols["active"] = *p.Active
		}
		if p.SSOSources != nil {
			cols["sso_sources"] = joinList(p.SSOSources)
		}
		if p.APIToken != nil {
			sealed, err := s.box.Seal(*p.APIToken, tokenAAD(id))
			if err != nil {
				return err
			}
			cols["api_token_enc"] = sealed
		}
		if p.ReachField(serverFromRow(row)) != "" || p.APIToken != nil {
			cols["supports_links"] = nil
			cols["support_reason"] = ""
			cols["checked_at"] = nil
		}
		if len(cols) == 0 {
			return nil
		}
		if err := s.checkServerUnique(tx, id, name, host, port); err != nil {
			return err
		}
		before, orig := serverFromRow(row), row // Updates writes the new values into row
		if err := tx.Model(&row).Updates(cols).Error; err != nil {
			return err
		}
		if err := s.followServer(tx, orig, p); err != nil {
			return err
		}
		var after serverRow
		if err := tx.Take(&after, id).Error; err != nil {
			return err
		}
		e := auditEntry{resource: links.AuditServer, id: auditID(id), action: links.AuditUpdate, before: before, after: serverFromRow(after)}
		if p.APIToken != nil {
			e.secrets = []string{"api_token"}
		}
		return audit(ctx, tx, e)
	})
	if err != nil {
		return links.Server{}, translate(err, "a server with this name or hostname and port")
	}
	return s.Server(ctx, id)
}

// followServer wakes a server whose accounts' desired state may have
// changed, in tx (row is the server before the change p): reactivated, or reached differently (its support is
// checked again). A deactivated server is skipped: its accounts keep their
// links, and its open progress rows end (the operations can complete).
func (s *Store) followServer(tx *gorm.DB, row serverRow, p links.ServerPatch) error {
	now := s.now()
	if p.Active != nil && !*p.Active && row.Active {
		var tasks []struct {
			ID          int64
			OperationID int64
			Module      string
		}
		// A plain read: the server's row, locked first (UpdateServer), made
		// an intent that opened rows on it commit before this transaction
		// read anything, and makes the later ones wait.
		err := tx.Table("server_tasks t").Select("t.id, t.operation_id, o.module").Joins("JOIN operations o ON o.id = t.operation_id").
			Where("t.server_id = ? AND t.state IN ?", row.ID, openTaskStates).Scan(&tasks).Error
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if err := tx.Model(&serverTaskRow{}).Where("id = ?", t.ID).
				Updates(map[string]any{"state": links.TaskDone, "finished_at": now, "updated_at": now}).Error; err != nil {
				return err
			}
			id := row.ID
			err := insertLog(tx, t.OperationID, t.Module, now, []links.LogEntry{{Level: links.LevelInfo, ServerID: &id,
				Message: fmt.Sprintf("Skipped server %s: it was deactivated (its accounts keep their links).", row.Name)}})
			if err != nil {
				return err
			}
		}
		return nil
	}
	reactivated := p.Active != nil && *p.Active && !row.Active
	if reactivated || p.ReachField(serverFromRow(row)) != "" || p.APIToken != nil {
		return tx.Exec(bumpNowSQL, now, row.ID).Error
	}
	return nil
}

// DeleteServer deletes a server that no longer has services.
func (s *Store) DeleteServer(ctx context.Context, id int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row serverRow
		if err := tx.Take(&row, id).Error; err != nil {
			return translate(err, fmt.Sprintf("server %d", id))
		}
		var n int64
		if err := tx.Model(&serviceRow{}).Where("server_id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return links.Errorf(links.ECONFLICT, "Server %d still has %s: move or delete them first, or deactivate the server instead.", id, links.Count(int(n), "service"))
		}
		if err := tx.Where("server_id = ?", id).Delete(&serverTaskRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("server_id = ?", id).Delete(&linkStateRow{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&serverRow{}, id).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditServer, id: auditID(id), action: links.AuditDelete, before: serverFromRow(row)})
	})
	return translate(err, fmt.Sprintf("server %d", id))
}

// ServerConn returns what a panel needs to reach the server, with the API
// token unsealed.
func (s *Store) ServerConn(ctx context.Context, id int64) (links.ServerConn, error) {
	var row serverRow
	if err := s.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return links.ServerConn{}, translate(err, fmt.Sprintf("server %d", id))
	}
	return s.connFromRow(row)
}

func (s *Store) connFromRow(row serverRow) (links.ServerConn, error) {
	token, err := s.box.Open(row.APITokenEnc, tokenAAD(row.ID))
	if err != nil {
		return links.ServerConn{}, fmt.Errorf("server %d: %w", row.ID, err)
	}
	return links.ServerConn{
		ID: row.ID, Module: row.Module, Name: row.Name, Hostname: row.Hostname, Port: row.Port,
		Secure: row.Secure, VerifyTLS: row.VerifyTLS, Username: row.Username, APIToken: token,
	}, nil
}

// SetServerSupport records what a support check found. A server whose
// support changed (upgraded, or downgraded) is due at once: the desired
// state of its accounts changed.
func (s *Store) SetServerSupport(ctx context.Context, id int64, sup links.Support, at time.Time) error {
	now := s.now()
	_, err := s.writer.ExecContext(ctx, setSupportSQL, sup.Supported, sup.Supported, now,
		truncate(sup.Version, 64), truncate(sup.Profile, 64), sup.Supported, truncate(sup.Reason, 500), at.UTC(), now, id)
	return translate(s.dbErr(err), fmt.Sprintf("server %d", id))
}

// setSupportSQL records a support check on its server, bumping it when its
// support changed (a first check, from unknown, does not: the server is
// being worked, or was bumped when it became unknown). wanted_gen and
// wake_at are assigned before supports_links: MySQL reads the columns
// assigned before in the new state.
const setSupportSQL = "UPDATE servers SET" +
	" wanted_gen = wanted_gen + CASE WHEN supports_links IS NOT NULL AND supports_links <> ? THEN 1 ELSE 0 END," +
	" wake_at = CASE WHEN supports_links IS NOT NULL AND supports_links <> ? THEN ? ELSE wake_at END," +
	" version = ?, profile = ?, supports_links = ?, support_reason = ?, checked_at = ?, updated_at = ? WHERE id = ?"

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// escapeLike escapes LIKE wildcards in user input with '!', an escape
// character that MySQL and SQLite read alike (queries say ESCAPE '!').
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
