package rest

import (
	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// permissionWords names each membership permission in the words of a
// refusal.
var permissionWords = map[string]string{
	links.UserPermSSO:      "Perform Single Sign-On",
	links.UserPermProfile:  "Manage Account Profile",
	links.UserPermServices: "View Products & Services",
	links.UserPermInvoices: "View & Pay Invoices",
	links.UserPermTickets:  "View & Open Support Tickets",
	links.UserPermDomains:  "Register & Transfer Domains",
}

// requirePermission refuses users without perm on the current account (the
// owner holds every permission), with a 403 that names it.
func requirePermission(perm string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a := currentAccount(c)
			if !a.Membership.Has(perm) {
				return links.Errorf(links.EFORBIDDEN, "You do not have the %q permission (%s) on %s: ask the account owner to grant it in User Management.",
					perm, permissionWords[perm], a.Current.Name)
			}
			return next(c)
		}
	}
}

// PortalPageAccess says whether the signed-in user may open a part of the
// client area (a rule of links.ClientAreaRules): the page at Path and those
// below it. The client area hides what is not allowed and explains it.
type PortalPageAccess struct {
	Path string `json:"path" example:"/portal/invoices"`
	// Permission is the membership permission the pages need; empty when
	// every user on the account may open them.
	Permission string `json:"permission" example:"invoices"`
	Allowed    bool   `json:"allowed" example:"true"`
}

func portalPages(m links.Membership) []PortalPageAccess {
	out := make([]PortalPageAccess, len(links.ClientAreaRules))
	for i, r := range links.ClientAreaRules {
		out[i] = PortalPageAccess{Path: r.Path, Permission: r.Permission, Allowed: r.Permission == "" || m.Has(r.Permission)}
	}
	return out
}
