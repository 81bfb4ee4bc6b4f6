package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// lockClient reads a client for update: the owner and the memberships of a
// client change under this lock, so a removal and an owner transfer cannot
// interleave.
func (s *Store) lockClient(tx *gorm.DB, id int64) (clientRow, error) {
	var row clientRow
	if err := locked(tx).Take(&row, id).Error; err != nil {
		return row, translate(err, fmt.Sprintf("client %d", id))
	}
	return row, nil
}

// RemoveClientUser takes a user off a client. The owner cannot be removed
// (transfer the ownership first). The user's client-area sessions end (the
// session version moves on) and their SSO tokens for this client are
// dropped; a user left on no client is deleted, since a user without a
// client has nothing to sign in to.
func (s *Store) RemoveClientUser(ctx context.Context, clientID, userID int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		client, err := s.lockClient(tx, clientID)
		if err != nil {
			return err
		}
		if client.OwnerUserID == userID {
			return links.Errorf(links.ECONFLICT, "User %d owns client %d and cannot be removed: transfer the ownership to another user of the client first.", userID, clientID)
		}
		var m membershipRow
		if err := tx.Where("client_id = ? AND user_id = ?", clientID, userID).Take(&m).Error; err != nil {
			return translate(err, fmt.Sprintf("user %d on client %d", userID, clientID))
		}
		if err := tx.Where("client_id = ? AND user_id = ?", clientID, userID).Delete(&membershipRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("client_id = ? AND user_id = ?", clientID, userID).Delete(&ssoTokenRow{}).Error; err != nil {
			return err
		}
		if err := audit(ctx, tx, auditEntry{resource: links.AuditMembership, id: membershipAuditID(clientID, userID),
			action: links.AuditDelete, clientID: clientID,
			before: map[string]any{"user_id": userID, "permissions": splitList(m.Permissions)}}); err != nil {
			return err
		}
		if err := tx.Model(&userRow{}).Where("id = ?", userID).
			Update("session_version", gorm.Expr("session_version + 1")).Error; err != nil {
			return err
		}
		return deleteOrphanUsers(ctx, tx, []int64{userID})
	})
	return translate(err, "user")
}

// deleteOrphanUsers deletes those of ids that are on no client any more (and
// own none), with their unused SSO tokens.
func deleteOrphanUsers(ctx context.Context, tx *gorm.DB, ids []int64) error {
	for _, id := range ids {
		var n int64
		if err := tx.Model(&membershipRow{}).Where("user_id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		var owns int64
		if err := tx.Model(&clientRow{}).Where("owner_user_id = ?", id).Count(&owns).Error; err != nil {
			return err
		}
		if n > 0 || owns > 0 {
			continue
		}
		var u userRow
		if err := tx.Take(&u, id).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", id).Delete(&ssoTokenRow{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&userRow{}, id).Error; err != nil {
			return err
		}
		if err := audit(ctx, tx, auditEntry{resource: links.AuditUser, id: auditID(id), action: links.AuditDelete,
			before: userFromRow(u)}); err != nil {
			return err
		}
	}
	return nil
}

// TransferOwnership makes a user of the client its owner. The new owner gets
// every permission; the old owner stays on the client with every permission
// (staff can narrow them, or remove the user, afterwards). Transferring to
// the current owner changes nothing.
func (s *Store) TransferOwnership(ctx context.Context, clientID, userID int64) (links.Client, error) {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		before, err := s.lockClient(tx, clientID)
		if err != nil {
			return err
		}
		if before.OwnerUserID == userID {
			return nil
		}
		var n int64
		if err := tx.Model(&membershipRow{}).Where("client_id = ? AND user_id = ?", clientID, userID).Count(&n).Error; err != nil {
			return err
		} else if n == 0 {
			return links.FieldError("user_id", "User %d is not a user of client %d: add them to the client first.", userID, clientID)
		}
		all := joinList(links.AllUserPermissions)
		for _, uid := range []int64{before.OwnerUserID, userID} {
			if err := grantAll(ctx, tx, clientID, uid, all); err != nil {
				return err
			}
		}
		if err := tx.Model(&clientRow{ID: clientID}).Update("owner_user_id", userID).Error; err != nil {
			return err
		}
		after := before
		after.OwnerUserID = userID
		return audit(ctx, tx, auditEntry{resource: links.AuditClient, id: auditID(clientID), action: links.AuditUpdate,
			clientID: clientID, before: clientFromRow(before), after: clientFromRow(after)})
	})
	if err != nil {
		return links.Client{}, translate(err, "client")
	}
	return s.Client(ctx, clientID)
}

// grantAll gives a member every permission, recording the change. The old
// owner may have no membership row (a client made before memberships were
// kept for owners): it gets one.
func grantAll(ctx context.Context, tx *gorm.DB, clientID, userID int64, all string) error {
	var m membershipRow
	err := tx.Where("client_id = ? AND user_id = ?", clientID, userID).Take(&m).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if err := tx.Create(&membershipRow{ClientID: clientID, UserID: userID, Permissions: all}).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditMembership, id: membershipAuditID(clientID, userID),
			action: links.AuditCreate, clientID: clientID, after: map[string]any{"user_id": userID, "permissions": links.AllUserPermissions}})
	case err != nil:
		return err
	case m.Permissions == all:
		return nil
	}
	if err := tx.Model(&membershipRow{}).Where("client_id = ? AND user_id = ?", clientID, userID).
		Update("permissions", all).Error; err != nil {
		return err
	}
	return audit(ctx, tx, auditEntry{resource: links.AuditMembership, id: membershipAuditID(clientID, userID),
		action: links.AuditUpdate, clientID: clientID,
		before: map[string]any{"permissions": splitList(m.Permissions)}, after: map[string]any{"permissions": links.AllUserPermissions}})
}

// DeleteClient deletes a client that has no services, with its memberships
// and SSO tokens, and the users that are on no other client. A client
// with services is refused: delete or move them first. The SSO activity and
// the audit trail keep their records of the client.
func (s *Store) DeleteClient(ctx context.Context, id int64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		client, err := s.lockClient(tx, id)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&serviceRow{}).Where("client_id = ?", id).Count(&n).Error; err != nil {
			return err
		} else if n > 0 {
			return links.Errorf(links.ECONFLICT, "Client %d still has %s: delete them or move them to another client first.", id, links.Count(int(n), "service"))
		}
		var ms []membershipRow
		if err := tx.Where("client_id = ?", id).Order("user_id").Find(&ms).Error; err != nil {
			return err
		}
		users := []int64{client.OwnerUserID}
		for _, m := range ms {
			if err := audit(ctx, tx, auditEntry{resource: links.AuditMembership, id: membershipAuditID(id, m.UserID),
				action: links.AuditDelete, clientID: id,
				before: map[string]any{"user_id": m.UserID, "permissions": splitList(m.Permissions)}}); err != nil {
				return err
			}
			if m.UserID != client.OwnerUserID {
				users = append(users, m.UserID)
			}
		}
		for _, del := range []struct {
			where string
			row   any
		}{{"client_id = ?", &ssoTokenRow{}}, {"client_id = ?", &membershipRow{}}, {"id = ?", &clientRow{}}} {
			if err := tx.Where(del.where, id).Delete(del.row).Error; err != nil {
				return err
			}
		}
		if err := audit(ctx, tx, auditEntry{resource: links.AuditClient, id: auditID(id), action: links.AuditDelete,
			clientID: id, before: clientFromRow(client)}); err != nil {
			return err
		}
		return deleteOrphanUsers(ctx, tx, users)
	})
	return translate(err, fmt.Sprintf("client %d", id))
}
