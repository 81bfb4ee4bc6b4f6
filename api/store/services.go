package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

func serviceFromRow(r serviceRow, module string) links.Service {
	svc := links.Service{
		ID: r.ID, ClientID: r.ClientID, ServerID: r.ServerID, Module: module, Domain: r.Domain,
		Status: r.Status, ExternalID: r.ExternalID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.Username != nil {
		svc.Username = *r.Username
	}
	return svc
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// linkTokenAAD is the additional data a service's link token is sealed with,
// "service:ID:link_token": sealed tokens open only with exactly this text.
// PushAccounts makes one per account, hence no fmt.
func linkTokenAAD(serviceID int64) string {
	var buf [48]byte
	b := append(buf[:0], "service:"...)
	b = strconv.AppendInt(b, serviceID, 10)
	return string(append(b, ":link_token"...))
}

// newLinkCredential makes fresh link credentials for a service: a public
// subscriber id and a secret token, sealed and hashed.
func (s *Store) newLinkCredential(serviceID int64) (linkCredentialRow, error) {
	sub, err := secret.Token(18)
	if err != nil {
		return linkCredentialRow{}, err
	}
	token, err := secret.Token(32)
	if err != nil {
		return linkCredentialRow{}, err
	}
	sealed, err := s.box.Seal(token, linkTokenAAD(serviceID))
	if err != nil {
		return linkCredentialRow{}, err
	}
	return linkCredentialRow{ServiceID: serviceID, SubscriberUniqueID: "al_" + sub, TokenEnc: sealed, TokenHash: secret.Hash(token)}, nil
}

// serverForService checks that a service may be placed on the server.
func serverForService(tx *gorm.DB, id int64) (serverRow, error) {
	var srv serverRow
	if err := tx.Take(&srv, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return srv, links.FieldError("server_id", "Server %d does not exist.", id)
		}
		return srv, err
	}
	if !srv.Active {
		return srv, links.FieldError("server_id", "Server %d (%s) is inactive: activate it or choose an active server.", id, srv.Name)
	}
	return srv, nil
}

func checkUsernameFree(tx *gorm.DB, serverID int64, username string, except int64) error {
	if username == "" {
		return nil
	}
	var n int64
	if err := tx.Model(&serviceRow{}).Where("server_id = ? AND username = ? AND id <> ?", serverID, username, except).Count(&n).Error; err != nil {
		return err
	} else if n > 0 {
		return &links.Error{Code: links.ECONFLICT, Field: "username", Message: fmt.Sprintf("Server %d already has an account named %q.", serverID, username)}
	}
	return nil
}

// CreateService creates a hosting account and its link credentials.
func (s *Store) CreateService(ctx context.Context, in links.ServiceInput) (links.Service, error) {
	var row serviceRow
	var module string
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&clientRow{}, in.ClientID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return links.FieldError("client_id", "Client %d does not exist.", in.ClientID)
			}
			return err
		}
		srv, err := serverForService(tx, in.ServerID)
		if err != nil {
			return err
		}
		module = srv.Module
		if err := checkUsernameFree(tx, in.ServerID, in.Username, 0); err != nil {
			return err
		}
		if err := checkExternalIDFree(tx, &serviceRow{}, "service", in.ExternalID, 0); err != nil {
			return err
		}
		row = serviceRow{ClientID: in.ClientID, ServerID: in.ServerID, Username: nullable(in.Username), Domain: in.Domain, Status: in.Status,
			ExternalID: externalIDValue(in.ExternalID)}
		if err := s.insertService(ctx, tx, &row, module); err != nil {
			return err
		}
		if in.Username == "" {
			return nil
		}
		return s.bumpLater(tx, row.ServerID)
	})
	if err != nil {
		return links.Service{}, translate(err, "a service with this username on this server")
	}
	return serviceFromRow(row, module), nil
}

// insertService writes a new service in tx with its link credentials, its
// location (placeLocation) and its audit record. The caller bumps the
// server (bumpLater) when the service has a username: once per server for
// many services.
func (s *Store) insertService(ctx context.Context, tx *gorm.DB, row *serviceRow, module string) error {
	if err := tx.Create(row).Error; err != nil {
		return err
	}
	cred, err := s.newLinkCredential(row.ID)
	if err != nil {
		return err
	}
	if err := tx.Create(&cred).Error; err != nil {
		return err
	}
	if row.Username != nil {
		if err := placeLocation(tx, row.ID, row.ServerID, *row.Username, module); err != nil {
			return err
		}
	}
	return audit(ctx, tx, auditEntry{resource: links.AuditService, id: auditID(row.ID), action: links.AuditCreate,
		clientID: row.ClientID, after: serviceFromRow(*row, module)})
}

// Service returns one hosting account.
func (s *Store) Service(ctx context.Context, id int64) (links.Service, error) {
	var row serviceRow
	db := s.db.WithContext(ctx)
	if err := db.Take(&row, id).Error; err != nil {
		return links.Service{}, translate(err, fmt.Sprintf("service %d", id))
	}
	var srv serverRow
	if err := db.Select("id", "module").Take(&srv, row.ServerID).Error; err != nil {
		return links.Service{}, translate(err, fmt.Sprintf("server %d", row.ServerID))
	}
	return serviceFromRow(row, srv.Module), nil
}

// ListServices returns one page of hosting accounts and the total that match.
func (s *Store) ListServices(ctx context.Context, f links.ServiceFilter) ([]links.Service, int64, error) {
	q := s.db.WithContext(ctx).Model(&serviceRow{}).Joins("JOIN servers ON servers.id = services.server_id")
	if f.ClientID != 0 {
		q = q.Where("services.client_id = ?", f.ClientID)
	}
	if f.ServerID != 0 {
		q = q.Where("services.server_id = ?", f.ServerID)
	}
	if f.Module != "" {
		q = q.Where("servers.module = ?", f.Module)
	}
	if f.Status != "" {
		q = q.Where("services.status = ?", f.Status)
	}
	if f.ExternalID != "" {
		q = q.Where("services.external_id = ?", f.ExternalID)
	}
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where("(services.username LIKE ? ESCAPE '!' OR services.domain LIKE ? ESCAPE '!')", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "services")
	}
	order := "services.id"
	if f.Order == links.OrderNewest {
		order = "services.id DESC"
	}
	var rows []serviceRow
	if err := q.Select("services.*").Order(order).Offset(f.Offset()).Limit(f.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "services")
	}
	modules, err := s.serverModules(ctx, rows)
	if err != nil {
		return nil, 0, err
	}
	out := make([]links.Service, len(rows))
	for i, r := range rows {
		out[i] = serviceFromRow(r, modules[r.ServerID])
	}
	return out, total, nil
}

// serverModules maps the server ids of rows to their modules.
func (s *Store) serverModules(ctx context.Context, rows []serviceRow) (map[int64]string, error) {
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ServerID)
	}
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var servers []serverRow
	if err := s.db.WithContext(ctx).Select("id", "module").Where("id IN ?", ids).Find(&servers).Error; err != nil {
		return nil, translate(err, "servers")
	}
	for _, srv := range servers {
		out[srv.ID] = srv.Module
	}
	return out, nil
}

// lockFound locks the services a plain read found, on MySQL, and returns
// them as they are now (a locking read sees the latest rows), so that a
// change is made from the service as it is, not from a snapshot. It locks
// by primary key, the found rows alone: a locking read by another index
// would lock the gaps where new services go too, and two batches inserting
// there would deadlock.
func lockFound(tx *gorm.DB, rows []serviceRow) ([]serviceRow, error) {
	if tx.Dialector.Name() != DialectMySQL || len(rows) == 0 {
		return rows, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var now []serviceRow
	err := locked(tx).Where("id IN ?", ids).Order("id").Find(&now).Error
	return now, err
}

// UpdateService changes the fields of p that are set and returns the service
// before and after the change, so callers can tell a move, an unsuspension or
// a termination.
func (s *Store) UpdateService(ctx context.Context, id int64, p links.ServicePatch) (before, after links.Service, err error) {
	err = s.txRetry(ctx, func(tx *gorm.DB) error {
		var row serviceRow // locked: a concurrent change is waited for, then read
		if err := locked(tx).Take(&row, id).Error; err != nil {
			return translate(err, fmt.Sprintf("service %d", id))
		}
		var oldSrv serverRow
		if err := tx.Take(&oldSrv, row.ServerID).Error; err != nil {
			return err
		}
		before = serviceFromRow(row, oldSrv.Module)
		merged := before
		cols := map[string]any{}
		if p.ServerID != nil && *p.ServerID != row.ServerID {
			srv, err := serverForService(tx, *p.ServerID)
			if err != nil {
				return err
			}
			merged.ServerID, merged.Module = srv.ID, srv.Module
			cols["server_id"] = srv.ID
		}
		if p.Username != nil {
			merged.Username = *p.Username
			cols["username"] = nullable(*p.Username)
		}
		if p.Domain != nil {
			merged.Domain = *p.Domain
			cols["domain"] = *p.Domain
		}
		if p.Status != nil {
			merged.Status = *p.Status
			cols["status"] = *p.Status
		}
		if p.ExternalID != nil {
			if err := checkExternalIDFree(tx, &serviceRow{}, "service", *p.ExternalID, id); err != nil {
				return err
			}
			merged.ExternalID = externalIDValue(*p.ExternalID)
			cols["external_id"] = merged.ExternalID
		}
		if err := links.ValidateServiceFields(&merged.Username, &merged.Domain, &merged.Status); err != nil {
			return err
		}
		if err := checkUsernameFree(tx, merged.ServerID, merged.Username, id); err != nil {
			return err
		}
		if len(cols) > 0 {
			if err := tx.Model(&serviceRow{ID: id}).Updates(cols).Error; err != nil {
				return err
			}
		}
		if err := s.followService(tx, before, merged); err != nil {
			return err
		}
		after = merged
		return audit(ctx, tx, auditEntry{resource: links.AuditService, id: auditID(id), action: links.AuditUpdate,
			clientID: row.ClientID, before: before, after: merged})
	})
	if err != nil {
		return links.Service{}, links.Service{}, translate(err, "a service with this username on this server")
	}
	after, err = s.Service(ctx, id)
	return before, after, err
}

// DeleteService deletes a hosting account and its link credentials, and
// returns what it was.
func (s *Store) DeleteService(ctx context.Context, id int64) (links.Service, error) {
	var svc links.Service
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		var row serviceRow // locked: a concurrent move is waited for, then read
		if err := locked(tx).Take(&row, id).Error; err != nil {
			return translate(err, fmt.Sprintf("service %d", id))
		}
		var srv serverRow
		if err := tx.Select("id", "module").Take(&srv, row.ServerID).Error; err != nil {
			return err
		}
		svc = serviceFromRow(row, srv.Module)
		if err := tx.Where("service_id = ?", id).Delete(&linkCredentialRow{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&serviceRow{}, id).Error; err != nil {
			return err
		}
		if svc.Username != "" {
			if err := leaveLocation(tx, id, svc.ServerID, svc.Username); err != nil {
				return err
			}
			if err := s.bumpLater(tx, svc.ServerID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditService, id: auditID(id), action: links.AuditDelete,
			clientID: svc.ClientID, before: svc})
	})
	return svc, translate(err, fmt.Sprintf("service %d", id))
}

// followService updates the locations of a changed service in tx: a move or
// a rename leaves the old location (its links are removed) and takes the
// new one; a status change makes its location be tried again. The servers
// concerned wake after the coalescing window.
func (s *Store) followService(tx *gorm.DB, before, after links.Service) error {
	moved := before.ServerID != after.ServerID || before.Username != after.Username
	if !moved && before.Status == after.Status {
		return nil
	}
	if !moved {
		if before.Username == "" {
			return nil
		}
		if err := retryLocation(tx, before.ServerID, before.Username); err != nil {
			return err
		}
		return s.bumpLater(tx, before.ServerID)
	}
	if before.ServerID != after.ServerID {
		// A new server gets a new secret: the old panel's copy is refused
		// once the new location confirmed it. It is issued under no
		// rotation of every secret (linkCredentialRow.IssuedGen): the
		// count it carried was the old server's.
		if err := s.rotateCredentials(tx, []int64{before.ID}, 0); err != nil {
			return err
		}
	}
	if before.Username != "" {
		if err := leaveLocation(tx, before.ID, before.ServerID, before.Username); err != nil {
			return err
		}
		if err := s.bumpLater(tx, before.ServerID); err != nil {
			return err
		}
	}
	if after.Username == "" {
		return nil
	}
	if err := placeLocation(tx, after.ID, after.ServerID, after.Username, after.Module); err != nil {
		return err
	}
	if after.ServerID == before.ServerID && before.Username != "" {
		return nil // bumped above
	}
	return s.bumpLater(tx, after.ServerID)
}
