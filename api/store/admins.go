package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// EnsureFullAdministrator creates the built-in Full Administrator role, or
// brings its permissions up to date, and returns it.
func (s *Store) EnsureFullAdministrator(ctx context.Context) (links.Role, error) {
	var row roleRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Where("name = ?", links.FullAdministrator).Take(&row).Error
		perms := joinList(links.AllPermissions)
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			row = roleRow{Name: links.FullAdministrator, Permissions: perms, Builtin: true}
			return tx.Create(&row).Error
		case err != nil:
			return err
		case row.Permissions != perms:
			row.Permissions = perms
			return tx.Model(&row).Update("permissions", perms).Error
		}
		return nil
	})
	if err != nil {
		return links.Role{}, translate(err, "role")
	}
	return s.Role(ctx, row.ID)
}

// roleFromRow is the role without its holders count (Admins), which the
// callers that answer with a role fill in.
func roleFromRow(r roleRow) links.Role {
	return links.Role{ID: r.ID, Name: r.Name, Permissions: splitList(r.Permissions), Builtin: r.Builtin, CreatedAt: r.CreatedAt}
}

// adminAudit is what the audit trail keeps of a staff account (the password
// only as "changed").
func adminAudit(r adminRow) map[string]any {
	return map[string]any{"email": r.Email, "name": r.Name, "role_id": r.RoleID, "active": r.Active}
}

// CountAdmins counts staff accounts.
func (s *Store) CountAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&adminRow{}).Count(&n).Error
	return n, translate(err, "admins")
}

// CreateAdmin creates a staff account with an already hashed password.
func (s *Store) CreateAdmin(ctx context.Context, email, name, passwordHash string, roleID int64) (links.Admin, error) {
	row := adminRow{Email: strings.ToLower(email), Name: name, PasswordHash: passwordHash, RoleID: roleID, Active: true}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&roleRow{}, roleID).Error; err != nil {
			return translate(err, "role")
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditAdmin, id: auditID(row.ID), action: links.AuditCreate,
			after: adminAudit(row), secrets: []string{"password"}})
	})
	if err != nil {
		return links.Admin{}, translateField(err, "an admin with this e-mail", "email")
	}
	return s.Admin(ctx, row.ID)
}

// AdminCredentials returns an active admin and its password hash by e-mail,
// for login.
func (s *Store) AdminCredentials(ctx context.Context, email string) (links.Admin, string, error) {
	var row adminRow
	err := s.db.WithContext(ctx).Where("email = ? AND active = ?", strings.ToLower(email), true).Take(&row).Error
	if err != nil {
		return links.Admin{}, "", translate(err, "admin")
	}
	a, err := s.Admin(ctx, row.ID)
	return a, row.PasswordHash, err
}

// Admin returns a staff account with its role's permissions.
//
// It runs on every staff request, hence one query for the admin and the role.
func (s *Store) Admin(ctx context.Context, id int64) (links.Admin, error) {
	var out struct {
		Admin           adminRow `gorm:"embedded"`
		RoleName        string
		RolePermissions string
	}
	res := s.db.WithContext(ctx).Table("admins").
		Select("admins.*, roles.name AS role_name, roles.permissions AS role_permissions").
		Joins("JOIN roles ON roles.id = admins.role_id").Where("admins.id = ?", id).Limit(1).Scan(&out)
	if res.Error != nil {
		return links.Admin{}, translate(res.Error, "admin")
	}
	if res.RowsAffected == 0 {
		return links.Admin{}, translate(gorm.ErrRecordNotFound, "admin")
	}
	return adminFromRows(out.Admin, roleRow{ID: out.Admin.RoleID, Name: out.RoleName, Permissions: out.RolePermissions}), nil
}

func adminFromRows(row adminRow, role roleRow) links.Admin {
	return links.Admin{
		ID: row.ID, Email: row.Email, Name: row.Name, RoleID: row.RoleID, Role: role.Name,
		Active: row.Active, CreatedAt: row.CreatedAt, Permissions: splitList(role.Permissions),
		SessionVersion: row.SessionVersion,
	}
}

// ListAdmins returns one page of staff accounts, oldest first, with their
// roles, and how many there are in all.
func (s *Store) ListAdmins(ctx context.Context, p links.Page) ([]links.Admin, int64, error) {
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Model(&adminRow{}).Count(&total).Error; err != nil {
		return nil, 0, translate(err, "admins")
	}
	var rows []struct {
		Admin           adminRow `gorm:"embedded"`
		RoleName        string
		RolePermissions string
	}
	err := db.Table("admins").
		Select("admins.*, roles.name AS role_name, roles.permissions AS role_permissions").
		Joins("JOIN roles ON roles.id = admins.role_id").
		Order("admins.id").Offset(p.Offset()).Limit(p.PerPage).Scan(&rows).Error
	if err != nil {
		return nil, 0, translate(err, "admins")
	}
	out := make([]links.Admin, len(rows))
	for i, r := range rows {
		out[i] = adminFromRows(r.Admin, roleRow{ID: r.Admin.RoleID, Name: r.RoleName, Permissions: r.RolePermissions})
	}
	return out, total, nil
}

// EndAdminSessions ends every staff token of the admin (sign-out).
func (s *Store) EndAdminSessions(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Model(&adminRow{}).Where("id = ?", id).
		Update("session_version", gorm.Expr("session_version + 1"))
	if res.Error == nil && res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, "admin")
	}
	return translate(res.Error, "admin")
}

// UpdateAdmin changes a staff account. It refuses to leave the service
// without an active Full Administrator. A new password, another role or a
// change of active ends the admin's sessions.
func (s *Store) UpdateAdmin(ctx context.Context, id int64, p links.AdminPatch) (links.Admin, error) {
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		// The Full Administrator role's row, locked first, serializes the
		// changes of staff accounts, so that the check below counts the
		// others' committed changes (two admins deactivating each other
		// would each see the other still active in a snapshot).
		var full []roleRow
		if err := locked(tx).Where("name = ?", links.FullAdministrator).Find(&full).Error; err != nil {
			return err
		}
		var row adminRow
		if err := tx.Take(&row, id).Error; err != nil {
			return translate(err, "admin")
		}
		cols := map[string]any{}
		if p.Name != nil {
			cols["name"] = *p.Name
		}
		if p.RoleID != nil {
			if err := tx.Take(&roleRow{}, *p.RoleID).Error; err != nil {
				return translate(err, "role")
			}
			cols["role_id"] = *p.RoleID
		}
		if p.Active != nil {
			cols["active"] = *p.Active
		}
		if p.PasswordHash != nil {
			cols["password_hash"] = *p.PasswordHash
		}
		if len(cols) == 0 {
			return nil
		}
		if p.PasswordHash != nil || (p.RoleID != nil && *p.RoleID != row.RoleID) || (p.Active != nil && *p.Active != row.Active) {
			cols["session_version"] = gorm.Expr("session_version + 1")
		}
		// Read before the update: Updates copies the new values into row.
		before := adminAudit(row)
		if err := tx.Model(&row).Updates(cols).Error; err != nil {
			return err
		}
		var n int64
		if err := locked(tx).Model(&adminRow{}).Joins("JOIN roles ON roles.id = admins.role_id").
			Where("admins.active = ? AND roles.name = ?", true, links.FullAdministrator).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return links.Errorf(links.ECONFLICT, "At least one active Full Administrator must remain.")
		}
		var after adminRow
		if err := tx.Take(&after, id).Error; err != nil {
			return err
		}
		e := auditEntry{resource: links.AuditAdmin, id: auditID(id), action: links.AuditUpdate, before: before, after: adminAudit(after)}
		if p.PasswordHash != nil {
			e.secrets = []string{"password"}
		}
		return audit(ctx, tx, e)
	})
	if err != nil {
		return links.Admin{}, translate(err, "admin")
	}
	return s.Admin(ctx, id)
}

// ListRoles returns one page of staff roles, oldest first, each with the
// number of administrators holding it, and how many roles there are in all.
func (s *Store) ListRoles(ctx context.Context, p links.Page) ([]links.Role, int64, error) {
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Model(&roleRow{}).Count(&total).Error; err != nil {
		return nil, 0, translate(err, "roles")
	}
	var rows []roleRow
	if err := db.Order("id").Offset(p.Offset()).Limit(p.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "roles")
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	held, err := roleHolders(db, ids...)
	if err != nil {
		return nil, 0, err
	}
	out := make([]links.Role, len(rows))
	for i, r := range rows {
		out[i] = roleFromRow(r)
		out[i].Admins = held[r.ID]
	}
	return out, total, nil
}

// Role returns a staff role with the number of administrators holding it.
func (s *Store) Role(ctx context.Context, id int64) (links.Role, error) {
	db := s.db.WithContext(ctx)
	var row roleRow
	if err := db.Take(&row, id).Error; err != nil {
		return links.Role{}, translate(err, fmt.Sprintf("role %d", id))
	}
	held, err := roleHolders(db, id)
	if err != nil {
		return links.Role{}, err
	}
	r := roleFromRow(row)
	r.Admins = held[id]
	return r, nil
}

// roleHolders counts the administrators holding each of the roles ids.
func roleHolders(db *gorm.DB, ids ...int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	var counts []struct {
		RoleID int64
		N      int64
	}
	if err := db.Model(&adminRow{}).Select("role_id, COUNT(*) AS n").Where("role_id IN ?", ids).Group("role_id").Scan(&counts).Error; err != nil {
		return nil, translate(err, "admins")
	}
	for _, c := range counts {
		out[c.RoleID] = c.N
	}
	return out, nil
}

// CreateRole creates a staff role with the given permissions.
func (s *Store) CreateRole(ctx context.Context, name string, perms []string) (links.Role, error) {
	row := roleRow{Name: name, Permissions: joinList(perms)}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditRole, id: auditID(row.ID), action: links.AuditCreate, after: roleFromRow(row)})
	})
	if err != nil {
		return links.Role{}, translate(err, "a role with this name")
	}
	return roleFromRow(row), nil
}

// UpdateRole renames a staff role and/or replaces its permissions (nil
// leaves them). The built-in role cannot change: it holds every permission.
func (s *Store) UpdateRole(ctx context.Context, id int64, name *string, perms []string) (links.Role, error) {
	var out roleRow
	var holders int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&out, id).Error; err != nil {
			return translate(err, fmt.Sprintf("role %d", id))
		}
		before := roleFromRow(out)
		if out.Builtin {
			return links.Errorf(links.ECONFLICT, "The %s role is built in: it always holds every permission.", out.Name)
		}
		cols := map[string]any{}
		if name != nil {
			cols["name"], out.Name = *name, *name
		}
		if perms != nil {
			cols["permissions"], out.Permissions = joinList(perms), joinList(perms)
		}
		held, err := roleHolders(tx, id)
		if err != nil {
			return err
		}
		holders = held[id]
		if len(cols) == 0 {
			return nil
		}
		if err := tx.Model(&roleRow{}).Where("id = ?", id).Updates(cols).Error; err != nil {
			return translateField(err, "a role with this name", "name")
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditRole, id: auditID(id), action: links.AuditUpdate, before: before, after: roleFromRow(out)})
	})
	if err != nil {
		return links.Role{}, err
	}
	r := roleFromRow(out)
	r.Admins = holders
	return r, nil
}

// DeleteRole deletes a staff role no administrator holds; the built-in role
// stays.
func (s *Store) DeleteRole(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var row roleRow
		if err := tx.Take(&row, id).Error; err != nil {
			return translate(err, fmt.Sprintf("role %d", id))
		}
		if row.Builtin {
			return links.Errorf(links.ECONFLICT, "The %s role is built in and cannot be deleted.", row.Name)
		}
		var n int64
		if err := tx.Model(&adminRow{}).Where("role_id = ?", id).Count(&n).Error; err != nil {
			return translate(err, "admins")
		}
		if n > 0 {
			return links.Errorf(links.ECONFLICT, "%d administrator(s) still have the role %s: give them another role first.", n, row.Name)
		}
		if err := tx.Delete(&roleRow{}, id).Error; err != nil {
			return translate(err, fmt.Sprintf("role %d", id))
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditRole, id: auditID(id), action: links.AuditDelete, before: roleFromRow(row)})
	})
}
