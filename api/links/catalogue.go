package links

import (
	"strings"
	"unicode/utf8"
)

// Application modules.
const (
	ModuleCPanel    = "cpanel"
	ModuleWPSquared = "wpsquared"
)

// Link groups, in the order the catalogue shows them.
const (
	GroupOrdering = "ordering"
	GroupSupport  = "support"
	GroupAccount  = "account"
)

// Application is a module that supports application links.
type Application struct {
	Module string `json:"module"`
	Name   string `json:"name"`
}

// Applications is the registry of supported applications, in display order.
var Applications = []Application{
	{Module: ModuleCPanel, Name: "cPanel & WHM"},
	{Module: ModuleWPSquared, Name: "WP Squared"},
}

// ApplicationByModule returns the application with the given module key.
func ApplicationByModule(module string) (Application, error) {
	for _, a := range Applications {
		if a.Module == module {
			return a, nil
		}
	}
	return Application{}, Errorf(ENOTFOUND, "Unknown application %q: use one of cpanel, wpsquared.", module)
}

// LinkDef is one entry of the link catalogue.
type LinkDef struct {
	Key          string
	Group        string
	DefaultLabel string
	Implements   string // cPanel slot: billing, support, upgrade or empty
	Route        string // client-area route; :serviceId is filled in per service
}

// Catalogue is the fixed list of the 14 link destinations, in default order.
var Catalogue = []LinkDef{
	{"upgrade", GroupOrdering, "Upgrade/Downgrade", "upgrade", "/portal/services/:serviceId/upgrade"},
	{"register_domain", GroupOrdering, "Register New Domain", "", "/portal/domains/register"},
	{"transfer_domain", GroupOrdering, "Transfer a Domain", "", "/portal/domains/transfer"},
	{"open_ticket", GroupSupport, "Open Ticket", "", "/portal/tickets/new"},
	{"ticket_history", GroupSupport, "View Ticket History", "support", "/portal/tickets"},
	{"announcements", GroupSupport, "News & Announcements", "", "/portal/announcements"},
	{"downloads", GroupSupport, "Download Resources", "", "/portal/downloads"},
	{"knowledgebase", GroupSupport, "Search our Knowledgebase", "", "/portal/knowledgebase"},
	{"network_status", GroupSupport, "Check Network Status", "", "/portal/network-status"},
	{"profile", GroupAccount, "Manage Profile", "", "/portal/profile"},
	{"billing_info", GroupAccount, "View Billing Information", "billing", "/portal/services/:serviceId"},
	{"manage_billing", GroupAccount, "Manage Billing Information", "", "/portal/billing"},
	{"email_history", GroupAccount, "View Email History", "", "/portal/emails"},
	{"invoice_history", GroupAccount, "View Invoice History", "", "/portal/invoices"},
}

// LinkDefByKey returns the catalogue entry with the given key.
func LinkDefByKey(key string) (LinkDef, bool) {
	for _, d := range Catalogue {
		if d.Key == key {
			return d, true
		}
	}
	return LinkDef{}, false
}

// RouteFor returns the client-area path of a destination for a service.
func (d LinkDef) RouteFor(serviceID string) string {
	return strings.ReplaceAll(d.Route, ":serviceId", serviceID)
}

// Link is one catalogue entry with an application's overrides applied.
type Link struct {
	Key          string `json:"key"`
	Group        string `json:"group"`
	DefaultLabel string `json:"default_label"`
	Label        string `json:"label"`
	Enabled      bool   `json:"enabled"`
	Order        int    `json:"order"`
	Implements   string `json:"implements,omitempty"`
	Route        string `json:"route"`
	// Target is where a redeemed click lands: the client-area Route, or
	// the external URL rendered from URLTemplate (empty for the client
	// area), with a signed assertion when Handoff is on.
	Target      string `json:"target"`
	URLTemplate string `json:"url_template"`
	Handoff     bool   `json:"handoff"`
	// Custom is true for a link of staff's own (key custom_<slug>, group
	// custom), whose Route is its own client-area path.
	Custom bool `json:"custom"`
}

// MaxLabelLength is the longest label a link may carry, in characters.
const MaxLabelLength = 64

// ValidateLabel checks a link label: 1 to 64 characters, no single quote
// (cPanel refuses apostrophes in labels).
func ValidateLabel(field, label string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(label))
	switch {
	case !utf8.ValidString(label):
		return FieldError(field, "The label must be valid UTF-8 text.")
	case n == 0:
		return FieldError(field, "The label must not be empty.")
	case utf8.RuneCountInString(label) > MaxLabelLength:
		return FieldError(field, "The label must be at most %d characters long.", MaxLabelLength)
	case strings.ContainsRune(label, '\''):
		return FieldError(field, "The label may not contain single-quote characters (').")
	}
	return nil
}
