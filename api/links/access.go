package links

import (
	"net/url"
	"path"
	"strings"
)

// AreaRule says which membership permission a part of the client area
// needs: the page at Path and every page below it. An empty Permission means
// every user on the account may open it.
type AreaRule struct {
	Path       string
	Permission string
}

// ClientAreaRules is the one statement of who may open what in the client
// area. The portal API, single sign-on to a destination (at issue and again at
// redemption) and the client area's pages and menus all read it. The account
// owner holds every permission. A path that no rule covers is open to every
// user on the account.
//
//   - services: the services list, a service's page and its upgrade page
//     ("View Billing Information" of a service is its page), and with them
//     "Log in to cPanel" from the client area (which also needs sso).
//   - domains: registering and transferring domains.
//   - tickets: opening tickets and the ticket history.
//   - invoices: the invoice history.
//   - profile: the account's own details, which are not the user's: its
//     billing address and payment methods (/portal/billing) and the e-mails
//     sent to the account (/portal/emails, which hold invoices and notices).
//   - everyone: home, the user's own sign-in profile (/portal/profile: each
//     user's name and sign-in e-mail, never the account's), the public
//     pages (announcements, downloads, knowledgebase), network status (the
//     state of the servers, nothing of the services on them) and the user's
//     own SSO activity.
//
// sso is not a page: it is the right to be signed in by single sign-on at
// all, checked by the sso package's rules.
var ClientAreaRules = []AreaRule{
	{"/portal/services", UserPermServices},
	{"/portal/domains", UserPermDomains},
	{"/portal/tickets", UserPermTickets},
	{"/portal/invoices", UserPermInvoices},
	{"/portal/billing", UserPermProfile},
	{"/portal/emails", UserPermProfile},
	{"/portal/profile", ""},
	{"/portal/announcements", ""},
	{"/portal/downloads", ""},
	{"/portal/knowledgebase", ""},
	{"/portal/network-status", ""},
	{"/portal/sso-activity", ""},
	{"/portal", ""},
}

// PermissionForPath returns the permission a client-area path needs, from
// ClientAreaRules: the rule of the longest path that is the path itself or
// one of its parents. The path is compared as a browser and the client
// area's router read it: query and fragment dropped, percent-decoded,
// dot segments and repeated slashes resolved, without regard to case.
func PermissionForPath(p string) string {
	p, _, _ = strings.Cut(p, "#")
	p, _, _ = strings.Cut(p, "?")
	if dec, err := url.PathUnescape(p); err == nil {
		p = dec
	}
	p = strings.ToLower(path.Clean("/" + p))
	best, perm := -1, ""
	for _, r := range ClientAreaRules {
		if (p == r.Path || strings.HasPrefix(p, r.Path+"/")) && len(r.Path) > best {
			best, perm = len(r.Path), r.Permission
		}
	}
	return perm
}
