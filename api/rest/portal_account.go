package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// PortalSecurity is the account's Security Settings.
type PortalSecurity struct {
	ClientID int64 `json:"client_id" example:"1"`
	AllowSSO bool  `json:"allow_sso" example:"true"`
}

// PortalSecurityPatch switches the account's single sign-on.
type PortalSecurityPatch struct {
	AllowSSO *bool `json:"allow_sso" example:"false"`
}

// portalSecurity returns the account's Security Settings.
//
//	@Summary	Security Settings (owner only)
//	@Tags		portal
//	@Produce	json
//	@Success	200	{object}	PortalSecurity
//	@Failure	401	{object}	ErrorBody
//	@Failure	403	{object}	ErrorBody
//	@Router		/api/v1/portal/security [get]
func (h *portalAPI) portalSecurity(c echo.Context) error {
	a := currentAccount(c)
	return c.JSON(http.StatusOK, PortalSecurity{ClientID: a.Current.ID, AllowSSO: a.Current.AllowSSO})
}

// portalUpdateSecurity switches the account's single sign-on.
//
//	@Summary		Change Security Settings (owner only)
//	@Description	allow_sso=false refuses, at once, every single sign-on into this account (cPanel clicks, trusted-application tokens, tokens not yet redeemed) and "Log in to cPanel". CSRF: JSON and same-origin.
//	@Tags			portal
//	@Accept			json
//	@Produce		json
//	@Param			body	body		PortalSecurityPatch	true	"The setting"
//	@Success		200		{object}	PortalSecurity
//	@Failure		400		{object}	ErrorBody
//	@Failure		401		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Router			/api/v1/portal/security [patch]
func (h *portalAPI) portalUpdateSecurity(c echo.Context) error {
	var p PortalSecurityPatch
	if err := bindJSON(c, &p); err != nil {
		return err
	}
	if p.AllowSSO == nil {
		return links.FieldError("allow_sso", "Give allow_sso: true or false.")
	}
	cl, err := h.store.UpdateClient(c.Request().Context(), currentAccount(c).Current.ID, links.ClientPatch{AllowSSO: p.AllowSSO})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, PortalSecurity{ClientID: cl.ID, AllowSSO: cl.AllowSSO})
}

// portalUsers lists the account's users (User Management).
//
//	@Summary	User Management: the account's users (owner only)
//	@Tags		portal
//	@Produce	json
//	@Success	200	{array}		MembershipAnswer
//	@Failure	401	{object}	ErrorBody
//	@Failure	403	{object}	ErrorBody
//	@Router		/api/v1/portal/users [get]
func (h *portalAPI) portalUsers(c echo.Context) error {
	users, err := h.store.ClientUsers(c.Request().Context(), currentAccount(c).Current.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMemberships(users))
}

// portalUpdateUser replaces a user's permissions on the account.
//
//	@Summary		User Management: change a user's permissions (owner only)
//	@Description	Replaces the user's permissions on the current account; leave out "sso" to revoke Perform Single Sign-On, effective at once. The owner's own permissions cannot be revoked (403); a user not on the account is 404. CSRF: JSON and same-origin.
//	@Tags			portal
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int						true	"user id"
//	@Param			body	body		MembershipPatch	true	"The permissions"
//	@Success		200		{object}	MembershipAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		401		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Router			/api/v1/portal/users/{id} [patch]
func (h *portalAPI) portalUpdateUser(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body MembershipPatch
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	p := body.domain()
	if err := p.Validate(); err != nil {
		return err
	}
	a := currentAccount(c)
	if id == a.User.ID {
		return links.Errorf(links.EFORBIDDEN, "The account owner's permissions cannot be revoked.")
	}
	m, err := h.store.SetUserPermissions(c.Request().Context(), a.Current.ID, id, p.Permissions)
	if links.ErrorCode(err) == links.ENOTFOUND {
		return links.Errorf(links.ENOTFOUND, "User %d is not on your account.", id)
	} else if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMembership(m))
}

// portalEvents lists the account's SSO activity.
//
//	@Summary		SSO activity of the account
//	@Description	The owner sees every SSO event of the current account; other users see only their own. Newest first.
//	@Tags			portal
//	@Produce		json
//	@Param			outcome		query		string	false	"success or refused"
//	@Param			source		query		string	false	"cpanel, api, portal or unknown (a redemption of a token this service did not issue)"
//	@Param			page		query		int		false	"page, from 1"
//	@Param			per_page	query		int		false	"page size, 1 to 200"
//	@Success		200			{object}	List[SSOEvent]
//	@Failure		400			{object}	ErrorBody
//	@Failure		401			{object}	ErrorBody
//	@Router			/api/v1/portal/sso-events [get]
func (h *portalAPI) portalEvents(c echo.Context) error {
	f, err := eventFilter(c)
	if err != nil {
		return err
	}
	a := currentAccount(c)
	f.ClientID, f.UserID = a.Current.ID, 0
	if !a.Membership.Owner {
		f.UserID = a.User.ID
	}
	items, total, err := h.sso.Events(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toSSOEvents(items), total, f.Page))
}

// portalAudit lists the changes made in the client area to the current
// account.
//
//	@Summary		Account activity (owner only)
//	@Description	The changes made in the client area to this account (Security Settings, users and their permissions), newest first: who, when, from which IP, and the fields before and after. Staff see them in the audit trail too.
//	@Tags			portal
//	@Produce		json
//	@Param			page		query		int	false	"page, from 1"
//	@Param			per_page	query		int	false	"page size, 1 to 200"
//	@Success		200			{object}	List[AuditRecord]
//	@Failure		401			{object}	ErrorBody
//	@Failure		403			{object}	ErrorBody
//	@Router			/api/v1/portal/activity [get]
func (h *portalAPI) portalAudit(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	f := links.AuditFilter{ActorKind: links.ActorUser, ClientID: currentAccount(c).Current.ID, Page: p}
	items, total, err := h.store.ListAudit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toAuditRecords(items), total, p))
}
