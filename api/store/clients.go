package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

func clientFromRow(r clientRow) links.Client {
	return links.Client{
		ID: r.ID, Name: r.Name, Email: r.Email, Status: r.Status, AllowSSO: r.AllowSSO,
		OwnerUserID: r.OwnerUserID, ExternalID: r.ExternalID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func userFromRow(r userRow) links.User {
	return links.User{ID: r.ID, Email: r.Email, Name: r.Name, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		SessionVersion: r.SessionVersion}
}

// CreateClient creates a client and its owner (a new user, or an existing one
// by id) in one transaction.
func (s *Store) CreateClient(ctx context.Context, in links.ClientInput) (links.Client, error) {
	var row clientRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := checkExternalIDFree(tx, &clientRow{}, "client", in.ExternalID, 0); err != nil {
			return err
		}
		ownerID := in.OwnerUserID
		if in.Owner != nil {
			u, err := s.createUser(tx, in.Owner.Email, in.Owner.Name, in.Owner.Password, "owner.email")
			if err != nil {
				return err
			}
			ownerID = u.ID
			if err := auditNewUser(ctx, tx, u); err != nil {
				return err
			}
		} else if err := tx.Take(&userRow{}, ownerID).Error; err != nil {
			return translate(err, fmt.Sprintf("user %d", ownerID))
		}
		row = clientRow{Name: in.Name, Email: in.Email, Status: in.Status, AllowSSO: *in.AllowSSO, OwnerUserID: ownerID,
			ExternalID: externalIDValue(in.ExternalID)}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Create(&membershipRow{ClientID: row.ID, UserID: ownerID, Permissions: joinList(links.AllUserPermissions)}).Error; err != nil {
			return err
		}
		err := audit(ctx, tx, auditEntry{resource: links.AuditClient, id: auditID(row.ID), action: links.AuditCreate,
			clientID: row.ID, after: clientFromRow(row)})
		if err != nil {
			return err
		}
		return auditOwnerMembership(ctx, tx, row.ID, ownerID)
	})
	if err != nil {
		return links.Client{}, translate(err, "client")
	}
	return clientFromRow(row), nil
}

// auditNewUser records a user created with a client or added to one; the
// password shows only as set.
func auditNewUser(ctx context.Context, tx *gorm.DB, u userRow) error {
	return audit(ctx, tx, auditEntry{resource: links.AuditUser, id: auditID(u.ID), action: links.AuditCreate,
		after: userFromRow(u), secrets: []string{"password"}})
}

func (s *Store) createUser(tx *gorm.DB, email, name, password, field string) (userRow, error) {
	email = strings.ToLower(email)
	var n int64
	if err := tx.Model(&userRow{}).Where("email = ?", email).Count(&n).Error; err != nil {
		return userRow{}, err
	} else if n > 0 {
		return userRow{}, &links.Error{Code: links.ECONFLICT, Field: field, Message: fmt.Sprintf("A user with the e-mail %s already exists: add that user by user_id instead.", email)}
	}
	hash, err := secret.HashPassword(password, s.passwordCost)
	if err != nil {
		return userRow{}, err
	}
	u := userRow{Email: email, Name: name, PasswordHash: hash}
	if err := tx.Create(&u).Error; err != nil {
		return userRow{}, translate(err, "a user with this e-mail")
	}
	return u, nil
}

// Client returns one client.
func (s *Store) Client(ctx context.Context, id int64) (links.Client, error) {
	var row clientRow
	if err := s.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return links.Client{}, translate(err, fmt.Sprintf("client %d", id))
	}
	return clientFromRow(row), nil
}

// ListClients returns one page of clients and the total that match.
func (s *Store) ListClients(ctx context.Context, f links.ClientFilter) ([]links.Client, int64, error) {
	q := s.db.WithContext(ctx).Model(&clientRow{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.ExternalID != "" {
		q = q.Where("external_id = ?", f.ExternalID)
	}
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where("(LOWER(name) LIKE ? ESCAPE '!' OR LOWER(email) LIKE ? ESCAPE '!')", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "clients")
	}
	var rows []clientRow
	if err := q.Order("id").Offset(f.Offset()).Limit(f.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "clients")
	}
	out := make([]links.Client, len(rows))
	for i, r := range rows {
		out[i] = clientFromRow(r)
	}
	return out, total, nil
}

// UpdateClient changes the fields of p that are set.
func (s *Store) UpdateClient(ctx context.Context, id int64, p links.ClientPatch) (links.Client, error) {
	cols := map[string]any{}
	if p.Name != nil {
		cols["name"] = *p.Name
	}
	if p.Email != nil {
		cols["email"] = *p.Email
	}
	if p.Status != nil {
		cols["status"] = *p.Status
	}
	if p.AllowSSO != nil {
		cols["allow_sso"] = *p.AllowSSO
	}
	if p.ExternalID != nil {
		cols["external_id"] = externalIDValue(*p.ExternalID)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var before, after clientRow
		if err := tx.Take(&before, id).Error; err != nil {
			return translate(err, fmt.Sprintf("client %d", id))
		}
		if p.ExternalID != nil {
			if err := checkExternalIDFree(tx, &clientRow{}, "client", *p.ExternalID, id); err != nil {
				return err
			}
		}
		if len(cols) == 0 {
			return nil
		}
		if err := tx.Model(&clientRow{ID: id}).Updates(cols).Error; err != nil {
			return err
		}
		if err := tx.Take(&after, id).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditClient, id: auditID(id), action: links.AuditUpdate,
			clientID: id, before: clientFromRow(before), after: clientFromRow(after)})
	})
	if err != nil {
		return links.Client{}, translate(err, "client")
	}
	return s.Client(ctx, id)
}

// ClientUsers lists the users of a client with their permissions, the owner
// first.
func (s *Store) ClientUsers(ctx context.Context, clientID int64) ([]links.Membership, error) {
	client, err := s.Client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	var rows []membershipRow
	db := s.db.WithContext(ctx)
	if err := db.Where("client_id = ?", clientID).Order("user_id").Find(&rows).Error; err != nil {
		return nil, translate(err, "users")
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	var users []userRow
	if err := db.Where("id IN ?", ids).Find(&users).Error; err != nil {
		return nil, translate(err, "users")
	}
	byID := map[int64]userRow{}
	for _, u := range users {
		byID[u.ID] = u
	}
	out := make([]links.Membership, 0, len(rows))
	for _, r := range rows {
		out = append(out, membershipFromRow(r, byID[r.UserID], client.OwnerUserID))
	}
	slices.SortStableFunc(out, func(a, b links.Membership) int {
		switch {
		case a.Owner == b.Owner:
			return 0
		case a.Owner:
			return -1
		}
		return 1
	})
	return out, nil
}

func membershipFromRow(r membershipRow, u userRow, ownerID int64) links.Membership {
	m := links.Membership{ClientID: r.ClientID, UserID: r.UserID, Owner: r.UserID == ownerID, Permissions: splitList(r.Permissions), User: userFromRow(u)}
	if m.Owner {
		m.Permissions = slices.Clone(links.AllUserPermissions)
	}
	return m
}

// Membership returns one user's place on a client.
func (s *Store) Membership(ctx context.Context, clientID, userID int64) (links.Membership, error) {
	client, err := s.Client(ctx, clientID)
	if err != nil {
		return links.Membership{}, err
	}
	var r membershipRow
	var u userRow
	db := s.db.WithContext(ctx)
	if err := db.Where("client_id = ? AND user_id = ?", clientID, userID).Take(&r).Error; err != nil {
		return links.Membership{}, translate(err, fmt.Sprintf("user %d on client %d", userID, clientID))
	}
	if err := db.Take(&u, userID).Error; err != nil {
		return links.Membership{}, translate(err, fmt.Sprintf("user %d", userID))
	}
	return membershipFromRow(r, u, client.OwnerUserID), nil
}

// AddClientUser adds a new or existing user to a client.
func (s *Store) AddClientUser(ctx context.Context, clientID int64, in links.ClientUserInput) (links.Membership, error) {
	var userID int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&clientRow{}, clientID).Error; err != nil {
			return translate(err, fmt.Sprintf("client %d", clientID))
		}
		userID = in.UserID
		if userID == 0 {
			u, err := s.createUser(tx, in.Email, in.Name, in.Password, "email")
			if err != nil {
				return err
			}
			userID = u.ID
			if err := auditNewUser(ctx, tx, u); err != nil {
				return err
			}
		} else if err := tx.Take(&userRow{}, userID).Error; err != nil {
			return translate(err, fmt.Sprintf("user %d", userID))
		}
		var n int64
		if err := tx.Model(&membershipRow{}).Where("client_id = ? AND user_id = ?", clientID, userID).Count(&n).Error; err != nil {
			return err
		} else if n > 0 {
			return links.Errorf(links.ECONFLICT, "User %d is already on client %d.", userID, clientID)
		}
		if err := tx.Create(&membershipRow{ClientID: clientID, UserID: userID, Permissions: joinList(in.Permissions)}).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditMembership, id: membershipAuditID(clientID, userID),
			action: links.AuditCreate, clientID: clientID, after: map[string]any{"user_id": userID, "permissions": in.Permissions}})
	})
	if err != nil {
		return links.Membership{}, translate(err, "user")
	}
	return s.Membership(ctx, clientID, userID)
}

// membershipAuditID names a user's place on a client in the audit trail.
func membershipAuditID(clientID, userID int64) string {
	return auditID(clientID) + ":" + auditID(userID)
}

// auditOwnerMembership records, in tx, the membership a new client gives
// its owner (every permission), as any other membership is recorded.
func auditOwnerMembership(ctx context.Context, tx *gorm.DB, clientID, ownerID int64) error {
	return audit(ctx, tx, auditEntry{resource: links.AuditMembership, id: membershipAuditID(clientID, ownerID),
		action: links.AuditCreate, clientID: clientID,
		after: map[string]any{"user_id": ownerID, "permissions": links.AllUserPermissions, "owner": true}})
}

// SetUserPermissions replaces a user's permissions on a client. The owner's
// permissions cannot be changed.
func (s *Store) SetUserPermissions(ctx context.Context, clientID, userID int64, perms []string) (links.Membership, error) {
	m, err := s.Membership(ctx, clientID, userID)
	if err != nil {
		return links.Membership{}, err
	}
	if m.Owner {
		return links.Membership{}, links.Errorf(links.EFORBIDDEN, "The account owner's permissions cannot be changed.")
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&membershipRow{}).Where("client_id = ? AND user_id = ?", clientID, userID).
			Update("permissions", joinList(perms)).Error
		if err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditMembership, id: membershipAuditID(clientID, userID),
			action: links.AuditUpdate, clientID: clientID,
			before: map[string]any{"permissions": m.Permissions}, after: map[string]any{"permissions": perms}})
	})
	if err != nil {
		return links.Membership{}, translate(err, "user")
	}
	return s.Membership(ctx, clientID, userID)
}

// UserCredentials returns a user and the password hash by e-mail, for the
// client-area login.
func (s *Store) UserCredentials(ctx context.Context, email string) (links.User, string, error) {
	var row userRow
	if err := s.db.WithContext(ctx).Where("email = ?", strings.ToLower(email)).Take(&row).Error; err != nil {
		return links.User{}, "", translate(err, "user")
	}
	return userFromRow(row), row.PasswordHash, nil
}

// EndUserSessions ends every client-area session of the user (sign-out).
func (s *Store) EndUserSessions(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", id).
		Update("session_version", gorm.Expr("session_version + 1"))
	if res.Error == nil && res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, fmt.Sprintf("user %d", id))
	}
	return translate(res.Error, fmt.Sprintf("user %d", id))
}

// User returns one client-area user.
func (s *Store) User(ctx context.Context, id int64) (links.User, error) {
	var row userRow
	if err := s.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return links.User{}, translate(err, fmt.Sprintf("user %d", id))
	}
	return userFromRow(row), nil
}

// UserClients lists the clients a user belongs to with the membership.
func (s *Store) UserClients(ctx context.Context, userID int64) ([]links.Client, []links.Membership, error) {
	var ms []membershipRow
	db := s.db.WithContext(ctx)
	if err := db.Where("user_id = ?", userID).Order("client_id").Find(&ms).Error; err != nil {
		return nil, nil, translate(err, "memberships")
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ClientID
	}
	var cs []clientRow
	if err := db.Where("id IN ?", ids).Order("id").Find(&cs).Error; err != nil {
		return nil, nil, translate(err, "clients")
	}
	var u userRow
	if err := db.Take(&u, userID).Error; err != nil {
		return nil, nil, translate(err, fmt.Sprintf("user %d", userID))
	}
	clients := make([]links.Client, len(cs))
	members := make([]links.Membership, len(cs))
	for i, c := range cs {
		clients[i] = clientFromRow(c)
		for _, m := range ms {
			if m.ClientID == c.ID {
				members[i] = membershipFromRow(m, u, c.OwnerUserID)
			}
		}
	}
	return clients, members, nil
}

// UpdateUser changes a user's name and e-mail.
func (s *Store) UpdateUser(ctx context.Context, id int64, name, email *string) (links.User, error) {
	cols := map[string]any{}
	if name != nil {
		cols["name"] = *name
	}
	if email != nil {
		cols["email"] = strings.ToLower(*email)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var before, after userRow
		if err := tx.Take(&before, id).Error; err != nil {
			return translate(err, fmt.Sprintf("user %d", id))
		}
		if len(cols) == 0 {
			return nil
		}
		if err := tx.Model(&userRow{ID: id}).Updates(cols).Error; err != nil {
			return err
		}
		if err := tx.Take(&after, id).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditUser, id: auditID(id), action: links.AuditUpdate,
			before: userFromRow(before), after: userFromRow(after)})
	})
	if err != nil {
		return links.User{}, translate(err, "a user with this e-mail")
	}
	return s.User(ctx, id)
}
