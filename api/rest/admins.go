package rest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// adminStore is what the staff and role endpoints need from the database.
type adminStore interface {
	ListAdmins(ctx context.Context, p links.Page) ([]links.Admin, int64, error)
	CreateAdmin(ctx context.Context, email, name, passwordHash string, roleID int64) (links.Admin, error)
	UpdateAdmin(ctx context.Context, id int64, p links.AdminPatch) (links.Admin, error)
	ListRoles(ctx context.Context, p links.Page) ([]links.Role, int64, error)
	Role(ctx context.Context, id int64) (links.Role, error)
	CreateRole(ctx context.Context, name string, perms []string) (links.Role, error)
	UpdateRole(ctx context.Context, id int64, name *string, perms []string) (links.Role, error)
	DeleteRole(ctx context.Context, id int64) error
}

// adminsAPI serves the staff accounts and their roles.
type adminsAPI struct {
	store        adminStore
	passwordCost int // bcrypt cost of new hashes
}

// validateRole checks a role's name and permissions.
func validateRole(name *string, perms []string) error {
	if name != nil {
		*name = strings.TrimSpace(*name)
		if err := links.ValidateName("name", *name); err != nil {
			return err
		} else if len(*name) > 100 {
			return links.FieldError("name", "The role name must be at most 100 characters long.")
		}
	}
	for _, p := range perms {
		if !links.IsPermission(p) {
			return links.FieldError("permissions", "Unknown permission %q: use any of %s.", p, strings.Join(links.AllPermissions, ", "))
		}
	}
	return nil
}

// listAdmins lists staff accounts, one page at a time.
//
//	@Summary	List staff accounts
//	@Tags		admins
//	@Produce	json
//	@Security	BearerAuth
//	@Param		page		query		int	false	"page, from 1"
//	@Param		per_page	query		int	false	"page size, 1 to 200"
//	@Success	200			{object}	List[AdminAnswer]
//	@Failure	400			{object}	ErrorBody
//	@Failure	401			{object}	ErrorBody
//	@Failure	403			{object}	ErrorBody
//	@Router		/api/v1/admins [get]
func (h *adminsAPI) listAdmins(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	admins, total, err := h.store.ListAdmins(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toAdmins(admins), total, p))
}

// createAdmin creates a staff account.
//
//	@Summary	Create a staff account
//	@Tags		admins
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		body	body		AdminInput	true	"The admin"
//	@Success	201		{object}	AdminAnswer
//	@Failure	400		{object}	ErrorBody
//	@Failure	409		{object}	ErrorBody
//	@Router		/api/v1/admins [post]
func (h *adminsAPI) createAdmin(c echo.Context) error {
	var in AdminInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	o := links.OwnerInput{Email: in.Email, Name: in.Name, Password: in.Password}
	if err := o.Validate(""); err != nil {
		return err
	}
	if in.RoleID <= 0 {
		return links.FieldError("role_id", "The role_id is required.")
	}
	hash, err := secret.HashPassword(in.Password, h.passwordCost)
	if err != nil {
		return err
	}
	a, err := h.store.CreateAdmin(c.Request().Context(), strings.ToLower(o.Email), o.Name, hash, in.RoleID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAdmin(a))
}

// updateAdmin changes a staff account.
//
//	@Summary		Change a staff account
//	@Description	At least one active Full Administrator always remains, and an admin cannot deactivate their own account or take a role without manage_admins (409 otherwise, naming the field).
//	@Tags			admins
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int				true	"admin id"
//	@Param			body	body		AdminPatchInput	true	"Fields to change"
//	@Success		200		{object}	AdminAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/admins/{id} [patch]
func (h *adminsAPI) updateAdmin(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in AdminPatchInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	p := links.AdminPatch{Name: in.Name, RoleID: in.RoleID, Active: in.Active}
	if err := h.refuseSelfLockout(c, id, in); err != nil {
		return err
	}
	if in.Name != nil {
		if err := links.ValidateName("name", *in.Name); err != nil {
			return err
		}
	}
	if in.Password != nil {
		if err := links.ValidatePassword("password", *in.Password); err != nil {
			return err
		}
		hash, err := secret.HashPassword(*in.Password, h.passwordCost)
		if err != nil {
			return err
		}
		p.PasswordHash = &hash
	}
	a, err := h.store.UpdateAdmin(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAdmin(a))
}

// refuseSelfLockout refuses the changes by which the signed-in admin would
// lock themselves out: deactivating their own account, or taking a role
// without the permission to manage staff. Another admin can do either.
func (h *adminsAPI) refuseSelfLockout(c echo.Context, id int64, in AdminPatchInput) error {
	me := currentAdmin(c)
	if id != me.ID {
		return nil
	}
	if in.Active != nil && !*in.Active {
		return &links.Error{Code: links.ECONFLICT, Field: "active",
			Message: "You cannot deactivate your own account; another administrator who manages staff can."}
	}
	if in.RoleID != nil && *in.RoleID != me.RoleID {
		r, err := h.store.Role(c.Request().Context(), *in.RoleID)
		if links.ErrorCode(err) == links.ENOTFOUND {
			return nil // the store's update names the missing role
		} else if err != nil {
			return err
		}
		if !r.Has(links.PermManageAdmins) {
			return &links.Error{Code: links.ECONFLICT, Field: "role_id",
				Message: fmt.Sprintf("The role %q cannot manage staff: you would lock yourself out of this page. Another administrator can change your role.", r.Name)}
		}
	}
	return nil
}

// listRoles lists staff roles, one page at a time.
//
//	@Summary		List staff roles
//	@Description	Each role says how many administrators hold it (admins).
//	@Tags			admins
//	@Produce		json
//	@Security		BearerAuth
//	@Param			page		query		int	false	"page, from 1"
//	@Param			per_page	query		int	false	"page size, 1 to 200"
//	@Success		200			{object}	List[RoleAnswer]
//	@Failure		400			{object}	ErrorBody
//	@Failure		401			{object}	ErrorBody
//	@Failure		403			{object}	ErrorBody
//	@Router			/api/v1/roles [get]
func (h *adminsAPI) listRoles(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	roles, total, err := h.store.ListRoles(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toRoles(roles), total, p))
}

// createRole creates a staff role.
//
//	@Summary	Create a staff role
//	@Tags		admins
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		body	body		RoleInput	true	"The role"
//	@Success	201		{object}	RoleAnswer
//	@Failure	400		{object}	ErrorBody
//	@Failure	409		{object}	ErrorBody
//	@Router		/api/v1/roles [post]
func (h *adminsAPI) createRole(c echo.Context) error {
	var in RoleInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Permissions == nil {
		in.Permissions = []string{}
	}
	if err := validateRole(&in.Name, in.Permissions); err != nil {
		return err
	}
	r, err := h.store.CreateRole(c.Request().Context(), in.Name, in.Permissions)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toRole(r))
}

// updateRole renames a staff role or replaces its permissions.
//
//	@Summary		Change a staff role
//	@Description	The change applies at once to every administrator with the role. The built-in Full Administrator role cannot change, and an admin cannot take manage_admins away from their own role (409).
//	@Tags			admins
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int				true	"role id"
//	@Param			body	body		RolePatchInput	true	"Fields to change"
//	@Success		200		{object}	RoleAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Failure		409		{object}	ErrorBody
//	@Router			/api/v1/roles/{id} [patch]
func (h *adminsAPI) updateRole(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in RolePatchInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	var perms []string
	if in.Permissions != nil {
		perms = *in.Permissions
		if perms == nil {
			perms = []string{}
		}
	}
	if err := validateRole(in.Name, perms); err != nil {
		return err
	}
	if me := currentAdmin(c); id == me.RoleID && perms != nil && !slices.Contains(perms, links.PermManageAdmins) {
		return &links.Error{Code: links.ECONFLICT, Field: "permissions",
			Message: "This is your own role: without manage_admins you would lock yourself out of staff management. Another administrator can change it."}
	}
	r, err := h.store.UpdateRole(c.Request().Context(), id, in.Name, perms)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRole(r))
}

// deleteRole deletes a staff role that no administrator holds.
//
//	@Summary	Delete a staff role
//	@Tags		admins
//	@Security	BearerAuth
//	@Param		id	path	int	true	"role id"
//	@Success	204
//	@Failure	404	{object}	ErrorBody
//	@Failure	409	{object}	ErrorBody	"the built-in role, or a role administrators still have"
//	@Router		/api/v1/roles/{id} [delete]
func (h *adminsAPI) deleteRole(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteRole(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
