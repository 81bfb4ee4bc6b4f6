package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the staff account and role endpoints, and their
// converters from the links domain.

// AdminAnswer is a staff account.
type AdminAnswer struct {
	ID        int64     `json:"id" example:"1"`
	Email     string    `json:"email" example:"admin@example.com"`
	Name      string    `json:"name" example:"Ada Admin"`
	RoleID    int64     `json:"role_id" example:"1"`
	Role      string    `json:"role" example:"Full Administrator"`
	Active    bool      `json:"active" example:"true"`
	CreatedAt time.Time `json:"created_at"`
	// Permissions are those of the admin's role.
	Permissions []string `json:"permissions"`
}

// RoleAnswer is a named set of staff permissions.
type RoleAnswer struct {
	ID          int64     `json:"id" example:"1"`
	Name        string    `json:"name" example:"Full Administrator"`
	Permissions []string  `json:"permissions" example:"configure_application_links"`
	Builtin     bool      `json:"builtin"`
	CreatedAt   time.Time `json:"created_at"`
	// Admins is the number of staff accounts holding the role: a role is
	// deleted only when it is 0.
	Admins int64 `json:"admins" example:"1"`
}

func toAdmin(a links.Admin) AdminAnswer {
	return AdminAnswer{ID: a.ID, Email: a.Email, Name: a.Name, RoleID: a.RoleID, Role: a.Role, Active: a.Active,
		CreatedAt: a.CreatedAt, Permissions: nonNil(a.Permissions)}
}

func toAdmins(as []links.Admin) []AdminAnswer {
	out := make([]AdminAnswer, len(as))
	for i, a := range as {
		out[i] = toAdmin(a)
	}
	return out
}

func toRole(r links.Role) RoleAnswer {
	r.Permissions = nonNil(r.Permissions)
	return RoleAnswer(r)
}

func toRoles(rs []links.Role) []RoleAnswer {
	out := make([]RoleAnswer, len(rs))
	for i, r := range rs {
		out[i] = toRole(r)
	}
	return out
}

// nonNil answers a nil list as [], never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// AdminInput creates a staff account.
type AdminInput struct {
	Email    string `json:"email" example:"ops@example.com"`
	Name     string `json:"name" example:"Ops Person"`
	Password string `json:"password" example:"correct horse battery staple"`
	RoleID   int64  `json:"role_id" example:"1"`
}

// AdminPatchInput changes a staff account.
type AdminPatchInput struct {
	Name     *string `json:"name,omitempty"`
	RoleID   *int64  `json:"role_id,omitempty"`
	Active   *bool   `json:"active,omitempty"`
	Password *string `json:"password,omitempty"`
}

// RoleInput creates a staff role.
type RoleInput struct {
	Name        string   `json:"name" example:"Support"`
	Permissions []string `json:"permissions" example:"manage_clients"`
}

// RolePatchInput changes a role; absent fields stay as they are.
type RolePatchInput struct {
	Name        *string   `json:"name,omitempty" example:"Support desk"`
	Permissions *[]string `json:"permissions,omitempty" example:"manage_clients"`
}
