package store

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// BatchClients upserts clients by external id, all in one transaction. res
// holds one result per item: the items already in error (refused by
// validation) stay so, the others are filled in. A new client needs its
// owner: the user with the owner's e-mail, or a new one.
func (s *Store) BatchClients(ctx context.Context, items []links.ClientBatchItem, res *links.BatchResult) error {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ExternalID
	}
	markDuplicates(res, ids)
	hashes, err := s.ownerPasswords(ctx, items, res, ids)
	if err != nil {
		return err
	}
	initial := slices.Clone(res.Items)
	err = s.txRetry(ctx, func(tx *gorm.DB) error {
		copy(res.Items, initial) // a retried attempt starts over
		var rows []clientRow
		byExt := map[string]clientRow{}
		for chunk := range chunks(ids, 500) {
			if err := tx.Where("external_id IN ?", chunk).Find(&rows).Error; err != nil {
				return err
			}
			for _, r := range rows {
				byExt[*r.ExternalID] = r
			}
		}
		var creates []int
		for i, it := range items {
			row, found := byExt[it.ExternalID]
			switch {
			case !pending(res, i):
			case found:
				result, err := updateBatchClient(ctx, tx, row, it)
				if err != nil {
					return err
				}
				done(res, i, it.ExternalID, result, row.ID)
			case it.Owner == nil:
				res.Items[i] = links.ItemError(i, it.ExternalID, links.FieldError("owner",
					"A new client needs its owner: owner {email, name, password (optional)}."))
			default:
				creates = append(creates, i)
			}
		}
		return s.createBatchClients(ctx, tx, items, creates, hashes, res)
	})
	return finish(res, translate(err, "clients"))
}

// ownerPasswords hashes the passwords of the owners that new clients may
// create (items whose external id is not known yet).
func (s *Store) ownerPasswords(ctx context.Context, items []links.ClientBatchItem, res *links.BatchResult, ids []string) (map[int]string, error) {
	known, err := idsByExternalID(s.db.WithContext(ctx), &clientRow{}, ids)
	if err != nil {
		return nil, translate(err, "clients")
	}
	plain := map[int]string{}
	for i, it := range items {
		if _, ok := known[it.ExternalID]; !ok && pending(res, i) && it.Owner != nil && it.Owner.Password != "" {
			plain[i] = it.Owner.Password
		}
	}
	return s.hashPasswords(plain)
}

// updateBatchClient applies an item to its existing client, in tx, and
// tells whether anything changed. The owner of an existing client stays
// (transfer it with POST /clients/{id}/owner).
func updateBatchClient(ctx context.Context, tx *gorm.DB, row clientRow, it links.ClientBatchItem) (string, error) {
	after := row
	cols := map[string]any{}
	if it.Name != row.Name {
		after.Name, cols["name"] = it.Name, it.Name
	}
	if it.Email != row.Email {
		after.Email, cols["email"] = it.Email, it.Email
	}
	if it.Status != "" && it.Status != row.Status {
		after.Status, cols["status"] = it.Status, it.Status
	}
	if it.AllowSSO != nil && *it.AllowSSO != row.AllowSSO {
		after.AllowSSO, cols["allow_sso"] = *it.AllowSSO, *it.AllowSSO
	}
	if len(cols) == 0 {
		return links.BatchUnchanged, nil
	}
	if err := tx.Model(&clientRow{ID: row.ID}).Updates(cols).Error; err != nil {
		return "", err
	}
	return links.BatchUpdated, audit(ctx, tx, auditEntry{resource: links.AuditClient, id: auditID(row.ID),
		action: links.AuditUpdate, clientID: row.ID, before: clientFromRow(row), after: clientFromRow(after)})
}

// createBatchClients creates the clients of the items creates, in tx: their
// owners first (one user per e-mail, found or created), then the clients
// and the owners' memberships a chunk at a time.
func (s *Store) createBatchClients(ctx context.Context, tx *gorm.DB, items []links.ClientBatchItem, creates []int, hashes map[int]string, res *links.BatchResult) error {
	if len(creates) == 0 {
		return nil
	}
	owners, err := s.batchOwners(ctx, tx, items, creates, hashes)
	if err != nil {
		return err
	}
	rows := make([]clientRow, len(creates))
	exts := make([]string, len(creates))
	for k, i := range creates {
		it := items[i]
		status, allow := it.Status, true
		if status == "" {
			status = links.ClientActive
		}
		if it.AllowSSO != nil {
			allow = *it.AllowSSO
		}
		rows[k] = clientRow{Name: it.Name, Email: it.Email, Status: status, AllowSSO: allow,
			OwnerUserID: owners[strings.ToLower(it.Owner.Email)], ExternalID: externalIDValue(it.ExternalID)}
		exts[k] = it.ExternalID
	}
	if err := tx.CreateInBatches(&rows, insertChunk).Error; err != nil {
		return err
	}
	// The ids are read back by external id: a multi-row INSERT's ids are
	// not certain to be consecutive on MySQL.
	got, err := idsByExternalID(tx, &clientRow{}, exts)
	if err != nil {
		return err
	}
	members := make([]membershipRow, len(rows))
	for k := range rows {
		rows[k].ID = got[exts[k]]
		members[k] = membershipRow{ClientID: rows[k].ID, UserID: rows[k].OwnerUserID, Permissions: joinList(links.AllUserPermissions)}
	}
	if err := tx.CreateInBatches(&members, insertChunk).Error; err != nil {
		return err
	}
	for k, i := range creates {
		err := audit(ctx, tx, auditEntry{resource: links.AuditClient, id: auditID(rows[k].ID), action: links.AuditCreate,
			clientID: rows[k].ID, after: clientFromRow(rows[k])})
		if err != nil {
			return err
		}
		if err := auditOwnerMembership(ctx, tx, rows[k].ID, rows[k].OwnerUserID); err != nil {
			return err
		}
		done(res, i, exts[k], links.BatchCreated, rows[k].ID)
	}
	return nil
}

// batchOwners maps the owner e-mails of the new clients to user ids, in tx:
// an existing user with that e-mail, or a new user created here (with the
// password hashed beforehand, or none: they sign in by single sign-on).
func (s *Store) batchOwners(ctx context.Context, tx *gorm.DB, items []links.ClientBatchItem, creates []int, hashes map[int]string) (map[string]int64, error) {
	emails := make([]string, 0, len(creates))
	for _, i := range creates {
		emails = append(emails, strings.ToLower(items[i].Owner.Email))
	}
	owners := map[string]int64{}
	var users []userRow
	for chunk := range chunks(emails, 500) {
		if err := tx.Select("id", "email").Where("email IN ?", chunk).Find(&users).Error; err != nil {
			return nil, err
		}
		for _, u := range users {
			owners[u.Email] = u.ID
		}
	}
	for _, i := range creates {
		o := items[i].Owner
		email := strings.ToLower(o.Email)
		if _, ok := owners[email]; ok {
			continue
		}
		u := userRow{Email: email, Name: o.Name, PasswordHash: hashes[i]}
		if u.PasswordHash == "" && o.Password != "" {
			// Its client was deleted since the passwords were hashed.
			h, err := secret.HashPassword(o.Password, s.passwordCost)
			if err != nil {
				return nil, err
			}
			u.PasswordHash = h
		}
		if err := tx.Create(&u).Error; err != nil {
			return nil, err
		}
		owners[email] = u.ID
		entry := auditEntry{resource: links.AuditUser, id: auditID(u.ID), action: links.AuditCreate, after: userFromRow(u)}
		if u.PasswordHash != "" {
			entry.secrets = []string{"password"}
		}
		if err := audit(ctx, tx, entry); err != nil {
			return nil, err
		}
	}
	return owners, nil
}
