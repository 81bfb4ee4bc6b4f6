package links

import (
	"slices"
	"testing"
)

func TestEveryCatalogueRouteHasAStatedRule(t *testing.T) {
	want := map[string]string{
		"upgrade": UserPermServices, "billing_info": UserPermServices,
		"register_domain": UserPermDomains, "transfer_domain": UserPermDomains,
		"open_ticket": UserPermTickets, "ticket_history": UserPermTickets,
		"invoice_history": UserPermInvoices,
		"manage_billing":  UserPermProfile, "email_history": UserPermProfile,
		"profile": "", "announcements": "", "downloads": "", "knowledgebase": "", "network_status": "",
	}
	for _, d := range Catalogue {
		perm, ok := want[d.Key]
		if !ok {
			t.Fatalf("catalogue key %s has no expected rule in this test", d.Key)
		}
		if got := PermissionForPath(d.RouteFor("7")); got != perm {
			t.Errorf("%s (%s) needs %q, want %q", d.Key, d.RouteFor("7"), got, perm)
		}
		// Every route is named by a rule of its own (or a parent's), so
		// none is open to everyone by omission.
		covered := slices.ContainsFunc(ClientAreaRules, func(r AreaRule) bool {
			return r.Path != "/portal" && (d.RouteFor("7") == r.Path || len(d.RouteFor("7")) > len(r.Path) && d.RouteFor("7")[:len(r.Path)+1] == r.Path+"/")
		})
		if !covered {
			t.Errorf("%s: no rule states who may open %s", d.Key, d.Route)
		}
	}
}

func TestEveryPermissionButSSOGuardsAPage(t *testing.T) {
	for _, p := range AllUserPermissions {
		used := slices.ContainsFunc(ClientAreaRules, func(r AreaRule) bool { return r.Permission == p })
		if used == (p == UserPermSSO) {
			t.Errorf("permission %s: guards a page = %v", p, used)
		}
	}
}

func TestPermissionForPathReadsThePathAsTheBrowserDoes(t *testing.T) {
	cases := map[string]string{
		"/portal":                       "",
		"/portal/":                      "",
		"/portal/invoices":              UserPermInvoices,
		"/portal/invoices/12?x=1#top":   UserPermInvoices,
		"/portal/INVOICES":              UserPermInvoices,
		"/portal/x/../invoices":         UserPermInvoices,
		"/portal//invoices":             UserPermInvoices,
		"/portal/%69nvoices":            UserPermInvoices,
		"/portal/invoicesX":             "",
		"/portal/services/3/upgrade":    UserPermServices,
		"/portal/billing":               UserPermProfile,
		"/portal/profile":               "",
		"/portal/network-status":        "",
		"/elsewhere":                    "",
		"/portal/domains/register?d=a":  UserPermDomains,
		"/portal/tickets/new":           UserPermTickets,
		"/portal/emails":                UserPermProfile,
		"/portal/sso-activity?page=2":   "",
		"/portal/./services/../billing": UserPermProfile,
	}
	for in, want := range cases {
		if got := PermissionForPath(in); got != want {
			t.Errorf("PermissionForPath(%q) = %q, want %q", in, got, want)
		}
	}
}
