package store

import (
	"context"
	"slices"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// plan decides what item i does: a new service (row), a change of an
// existing one (update), nothing (both nil), or an error naming the field.
func (b *serviceBatch) plan(i int, it links.ServiceBatchItem) (*serviceRow, *serviceUpdate, error) {
	clientID, err := b.clientOf(it)
	if err != nil {
		return nil, nil, err
	}
	if old, ok := b.existing[it.ExternalID]; ok {
		up, err := b.planUpdate(i, it, clientID, old)
		return nil, up, err
	}
	srv, err := b.serverFor(it.ServerID)
	if err != nil {
		return nil, nil, err
	}
	status := it.Status
	if status == "" {
		status = links.ServicePending
	}
	if err := links.ValidateServiceFields(&it.Username, &it.Domain, &status); err != nil {
		return nil, nil, err
	}
	if err := b.claim(-int64(i+1), location{}, location{srv.ID, it.Username}); err != nil {
		return nil, nil, err
	}
	b.modules[srv.Module] = true
	return &serviceRow{ClientID: clientID, ServerID: srv.ID, Username: nullable(it.Username), Domain: it.Domain,
		Status: status, ExternalID: externalIDValue(it.ExternalID)}, nil, nil
}

// planUpdate compares item i with its existing service; nil for no change.
// As with UpdateService, only a move checks the new server.
func (b *serviceBatch) planUpdate(i int, it links.ServiceBatchItem, clientID int64, old serviceRow) (*serviceUpdate, error) {
	before := serviceFromRow(old, b.servers[old.ServerID].Module)
	after := before
	cols := map[string]any{}
	if clientID != before.ClientID {
		after.ClientID, cols["client_id"] = clientID, clientID
	}
	if it.ServerID != before.ServerID {
		srv, err := b.serverFor(it.ServerID)
		if err != nil {
			return nil, err
		}
		after.ServerID, after.Module, cols["server_id"] = srv.ID, srv.Module, srv.ID
	}
	if it.Username != before.Username {
		after.Username, cols["username"] = it.Username, nullable(it.Username)
	}
	if it.Domain != before.Domain {
		after.Domain, cols["domain"] = it.Domain, it.Domain
	}
	if it.Status != "" && it.Status != before.Status {
		after.Status, cols["status"] = it.Status, it.Status
	}
	if len(cols) == 0 {
		return nil, nil
	}
	if err := links.ValidateServiceFields(&after.Username, &after.Domain, &after.Status); err != nil {
		return nil, err
	}
	if err := b.claim(old.ID, location{before.ServerID, before.Username}, location{after.ServerID, after.Username}); err != nil {
		return nil, err
	}
	b.modules[before.Module], b.modules[after.Module] = true, true
	return &serviceUpdate{index: i, before: before, after: after, cols: cols}, nil
}

// applyServiceUpdate writes a planned change in tx, with its locations
// followed as UpdateService follows them.
func (s *Store) applyServiceUpdate(ctx context.Context, tx *gorm.DB, up serviceUpdate) error {
	if err := tx.Model(&serviceRow{ID: up.before.ID}).Updates(up.cols).Error; err != nil {
		return err
	}
	if err := s.followService(tx, up.before, up.after); err != nil {
		return err
	}
	return audit(ctx, tx, auditEntry{resource: links.AuditService, id: auditID(up.before.ID), action: links.AuditUpdate,
		clientID: up.after.ClientID, before: up.before, after: up.after})
}

// createBatchServices inserts the new services a chunk at a time, then their
// link credentials; each takes its location (placeLocation, as
// CreateService does) and each server concerned is bumped once (bumpLater).
func (s *Store) createBatchServices(ctx context.Context, tx *gorm.DB, b *serviceBatch, creates []int, rows []serviceRow, res *links.BatchResult) error {
	if len(rows) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(&rows, insertChunk).Error; err != nil {
		return err
	}
	exts := make([]string, len(rows))
	for k, r := range rows {
		exts[k] = *r.ExternalID
	}
	// Read back by external id: a multi-row INSERT's ids are not certain
	// to be consecutive on MySQL.
	got, err := idsByExternalID(tx, &serviceRow{}, exts)
	if err != nil {
		return err
	}
	creds := make([]linkCredentialRow, len(rows))
	for k := range rows {
		rows[k].ID = got[exts[k]]
		if creds[k], err = s.newLinkCredential(rows[k].ID); err != nil {
			return err
		}
	}
	if err := tx.CreateInBatches(&creds, insertChunk).Error; err != nil {
		return err
	}
	var bump []int64
	for k, i := range creates {
		r := rows[k]
		module := b.servers[r.ServerID].Module
		if r.Username != nil {
			if err := placeLocation(tx, r.ID, r.ServerID, *r.Username, module); err != nil {
				return err
			}
			bump = append(bump, r.ServerID)
		}
		err := audit(ctx, tx, auditEntry{resource: links.AuditService, id: auditID(r.ID), action: links.AuditCreate,
			clientID: r.ClientID, after: serviceFromRow(r, module)})
		if err != nil {
			return err
		}
		done(res, i, exts[k], links.BatchCreated, r.ID)
	}
	slices.Sort(bump)
	for _, id := range slices.Compact(bump) {
		if err := s.bumpLater(tx, id); err != nil {
			return err
		}
	}
	return nil
}
